def main() -> int:
    from importlib.resources import files
    print([p.name for p in files("cavra_safety.default_policies").iterdir()])
    return 0
