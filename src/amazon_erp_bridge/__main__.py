"""``python -m amazon_erp_bridge`` runs the command-line interface."""

import sys

from amazon_erp_bridge.cli import main

sys.exit(main())
