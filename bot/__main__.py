"""`python -m bot` is the same program as `mentorbot`."""

import sys

from bot.app.cli import main

sys.exit(main())
