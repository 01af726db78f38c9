"""``python -m kpiscore.server`` runs ``kpiscore serve``."""

import sys

from kpiscore.server import main

sys.exit(main())
