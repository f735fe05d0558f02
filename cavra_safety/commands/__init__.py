"""Click command groups below the top-level CLI. Commands return exit codes; only ``cli.main`` acts on them."""
