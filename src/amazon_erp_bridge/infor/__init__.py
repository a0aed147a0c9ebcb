"""Infor M3 / CloudSuite through the ION API gateway: .ionapi files, OAuth2, MI transactions.

::

    from amazon_erp_bridge.infor import IonApiConfig, M3Client

    cfg = IonApiConfig.from_file("tenant.ionapi")
    with M3Client(cfg, cono=100) as m3:
        m3.execute("CRS610MI", "GetBasicData", {"CUNO": "C1"})     # MI errors raise MiError
        outcome = m3.customer_orders.ensure(head, lines)             # find, resume or create
        m3.gl.post_journal(entry)                                    # GLS840MI, KEY1 = reference
        m3.stock.balances(["MUG01"], ["AMZ"])                        # MMS200MI GetItmWhsBal
"""

from amazon_erp_bridge.infor.client import DEFAULT_RATE, AsyncM3Client, M3Client
from amazon_erp_bridge.infor.customers import Customer, CustomerHit
from amazon_erp_bridge.infor.deliveries import (
    DEFAULT_ROUTE,
    MHS850_PICK_LIST,
    DeliveryOutcome,
    DeliveryRoute,
)
from amazon_erp_bridge.infor.gl import (
    DEFAULT_BATCH_LOOKUP,
    DEFAULT_PARM_LAYOUT,
    GlBatch,
    GlBatchLookup,
    GlPosting,
    ParmField,
    ParmLayout,
)
from amazon_erp_bridge.infor.invoices import Invoice, InvoiceLine
from amazon_erp_bridge.infor.ionapi import IonApiCheck, IonApiConfig, IonApiKind, check_ionapi
from amazon_erp_bridge.infor.items import (
    DEFAULT_ALIAS_SCHEME,
    AliasScheme,
    AliasTable,
    AliasType,
    Item,
    ItemAlias,
)
from amazon_erp_bridge.infor.mi import MiContext, MiError, MiResponse, MiResult, MiTransaction
from amazon_erp_bridge.infor.orders import (
    BatchOrderNotReleasedError,
    OrderAction,
    OrderHead,
    OrderLineRecord,
    OrderMatch,
    OrderOutcome,
)
from amazon_erp_bridge.infor.status import OrderProgress, StatusCode
from amazon_erp_bridge.infor.stock import WarehouseBalance
from amazon_erp_bridge.infor.values import m3_date, m3_decimal, to_m3_date, to_m3_decimal

__all__ = [
    "DEFAULT_ALIAS_SCHEME",
    "DEFAULT_BATCH_LOOKUP",
    "DEFAULT_PARM_LAYOUT",
    "DEFAULT_RATE",
    "DEFAULT_ROUTE",
    "MHS850_PICK_LIST",
    "AliasScheme",
    "AliasTable",
    "AliasType",
    "AsyncM3Client",
    "BatchOrderNotReleasedError",
    "Customer",
    "CustomerHit",
    "DeliveryOutcome",
    "DeliveryRoute",
    "GlBatch",
    "GlBatchLookup",
    "GlPosting",
    "Invoice",
    "InvoiceLine",
    "IonApiCheck",
    "IonApiConfig",
    "IonApiKind",
    "Item",
    "ItemAlias",
    "M3Client",
    "MiContext",
    "MiError",
    "MiResponse",
    "MiResult",
    "MiTransaction",
    "OrderAction",
    "OrderHead",
    "OrderLineRecord",
    "OrderMatch",
    "OrderOutcome",
    "OrderProgress",
    "ParmField",
    "ParmLayout",
    "StatusCode",
    "WarehouseBalance",
    "check_ionapi",
    "m3_date",
    "m3_decimal",
    "to_m3_date",
    "to_m3_decimal",
]
