"""`python -m bot`: the command line, which lives in the composition root (`app.cli`)."""

import sys

from app.cli import main

sys.exit(main())
