"""amazon-erp-bridge: connect Amazon's Selling Partner API to Infor M3 and SAP S/4HANA."""

import logging

__version__ = "0.1.0"

# A library logs; the application decides where logs go (nothing on stderr unless it does).
logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = ["__version__"]
