import sys

from cavra_safety.cli import main

sys.exit(main())
