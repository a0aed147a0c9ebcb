"""amazon-erp-bridge: connect Amazon's Selling Partner API to Infor M3 and SAP S/4HANA."""

__version__ = "0.1.0"

__all__ = ["__version__"]
