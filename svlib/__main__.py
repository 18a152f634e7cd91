"""``python -m svlib`` runs the command line."""

import sys

from svlib.cli import main

sys.exit(main())
