"""``python -m grading``: see grading/cli.py."""

import sys

from grading.cli import main

raise SystemExit(main(sys.argv[1:]))
