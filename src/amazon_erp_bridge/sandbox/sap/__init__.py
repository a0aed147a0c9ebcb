"""A fake SAP S/4HANA: OData services, SOAP journal posting, logon, CSRF and fault switches."""

from amazon_erp_bridge.sandbox.sap.fake import (
    CLIENT_ID,
    CLIENT_SECRET,
    PASSWORD,
    TOKEN_PATH,
    USER,
    FakeSap,
)
from amazon_erp_bridge.sandbox.sap.filters import FilterError, parse_filter, parse_literal

__all__ = [
    "CLIENT_ID",
    "CLIENT_SECRET",
    "PASSWORD",
    "TOKEN_PATH",
    "USER",
    "FakeSap",
    "FilterError",
    "parse_filter",
    "parse_literal",
]
