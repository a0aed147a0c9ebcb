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
    TrackingOutcome,
)
from amazon_erp_bridge.infor.gl import (
    DEFAULT_BATCH_LOOKUP,
    DEFAULT_PARM_LAYOUT,
    VAT_PARM_LAYOUT,
    GlBatch,
    GlBatchLookup,
    GlPosting,
    GlReversal,
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
from amazon_erp_bridge.infor.mi import (
    MiContext,
    MiError,
    MiPage,
    MiResponse,
    MiResult,
    MiTransaction,
)
from amazon_erp_bridge.infor.orders import (
    DEFAULT_CANCEL_RULE,
    BatchError,
    BatchOrderNotReleasedError,
    CancelOutcome,
    CancelRule,
    LineAction,
    LineCancellation,
    OrderAction,
    OrderCharge,
    OrderHead,
    OrderLineRecord,
    OrderMatch,
    OrderOutcome,
    OrderText,
)
from amazon_erp_bridge.infor.returns import CustomerReturn, ReturnLine, ReturnRequest
from amazon_erp_bridge.infor.status import OrderProgress, StatusCode
from amazon_erp_bridge.infor.stock import WarehouseBalance
from amazon_erp_bridge.infor.values import m3_date, m3_decimal, to_m3_date, to_m3_decimal

__all__ = [
    "DEFAULT_ALIAS_SCHEME",
    "DEFAULT_BATCH_LOOKUP",
    "DEFAULT_CANCEL_RULE",
    "DEFAULT_PARM_LAYOUT",
    "DEFAULT_RATE",
    "DEFAULT_ROUTE",
    "MHS850_PICK_LIST",
    "VAT_PARM_LAYOUT",
    "AliasScheme",
    "AliasTable",
    "AliasType",
    "AsyncM3Client",
    "BatchError",
    "BatchOrderNotReleasedError",
    "CancelOutcome",
    "CancelRule",
    "Customer",
    "CustomerHit",
    "CustomerReturn",
    "DeliveryOutcome",
    "DeliveryRoute",
    "GlBatch",
    "GlBatchLookup",
    "GlPosting",
    "GlReversal",
    "Invoice",
    "InvoiceLine",
    "IonApiCheck",
    "IonApiConfig",
    "IonApiKind",
    "Item",
    "ItemAlias",
    "LineAction",
    "LineCancellation",
    "M3Client",
    "MiContext",
    "MiError",
    "MiPage",
    "MiResponse",
    "MiResult",
    "MiTransaction",
    "OrderAction",
    "OrderCharge",
    "OrderHead",
    "OrderLineRecord",
    "OrderMatch",
    "OrderOutcome",
    "OrderProgress",
    "OrderText",
    "ParmField",
    "ParmLayout",
    "ReturnLine",
    "ReturnRequest",
    "StatusCode",
    "TrackingOutcome",
    "WarehouseBalance",
    "check_ionapi",
    "m3_date",
    "m3_decimal",
    "to_m3_date",
    "to_m3_decimal",
]
