"""``python -m kpiscore`` behaves exactly like the ``kpiscore`` command."""

import sys

from kpiscore.cli import main

sys.exit(main())
