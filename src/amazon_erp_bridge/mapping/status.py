"""Order status tables: Amazon OrderStatus <-> Infor M3 ORST <-> SAP overall statuses.

Every table is plain data that a caller may replace (pass your own dict, e.g.
``{**M3_TO_AMAZON, "90": "Canceled"}``). A status a table does not know raises
:class:`~amazon_erp_bridge.mapping.errors.UnknownStatusError` naming it: never a silent default.

M3's ORST is two digits, the lowest and the highest line status of the order: 2 registered
(to allocate), 3 allocated, 4 on a picking list, 6 delivered, 7 invoiced; 05 quotation,
10 preliminary, 99 completed without delivery. SAP's overall statuses are blank/A (not yet
processed), B (partially), C (completely).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Final

from attrs import frozen

from amazon_erp_bridge.mapping.errors import UnknownStatusError
from amazon_erp_bridge.model import OrderStatus

_LINE_OPEN: Final = "234"
_LINE_DONE: Final = "67"


def _m3_pairs() -> dict[str, OrderStatus]:
    table: dict[str, OrderStatus] = {"05": OrderStatus.PENDING, "10": OrderStatus.PENDING}
    digits = sorted(_LINE_OPEN + _LINE_DONE)
    for low in digits:
        for high in digits:
            if low > high:
                continue
            if high in _LINE_OPEN:
                table[low + high] = OrderStatus.UNSHIPPED
            elif low in _LINE_OPEN:
                table[low + high] = OrderStatus.PARTIALLY_SHIPPED
            else:
                table[low + high] = OrderStatus.SHIPPED
    table["99"] = OrderStatus.CANCELED
    return table


#: M3 ORST -> Amazon status. Lowest and highest line status both open (2-4): Unshipped;
#: some delivered (6-7) and some open: PartiallyShipped; all delivered or invoiced: Shipped;
#: 05/10 (quotation, preliminary): Pending; 99 (completed without delivery): Canceled.
M3_TO_AMAZON: Final[Mapping[str, OrderStatus]] = MappingProxyType(_m3_pairs())

#: Amazon status -> the ORST an M3 order has once it has caught up with Amazon.
AMAZON_TO_M3: Final[Mapping[OrderStatus, str]] = MappingProxyType(
    {
        OrderStatus.PENDING: "10",
        OrderStatus.PENDING_AVAILABILITY: "10",
        OrderStatus.UNSHIPPED: "22",
        OrderStatus.PARTIALLY_SHIPPED: "26",
        OrderStatus.SHIPPED: "66",
        OrderStatus.INVOICE_UNCONFIRMED: "66",
        OrderStatus.CANCELED: "99",
        OrderStatus.UNFULFILLABLE: "99",
    }
)


@frozen
class SapOrderStatus:
    """The A_SalesOrder header statuses that say where an order stands."""

    overall_sd_process_status: str = ""
    overall_delivery_status: str = ""
    overall_sd_document_rejection_sts: str = ""

    def to_dict(self) -> dict[str, str]:
        """With the OData property names: OverallSDProcessStatus, OverallDeliveryStatus, ..."""
        return {
            "OverallSDProcessStatus": self.overall_sd_process_status,
            "OverallDeliveryStatus": self.overall_delivery_status,
            "OverallSDDocumentRejectionSts": self.overall_sd_document_rejection_sts,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, object]) -> SapOrderStatus:
        """Read the statuses from an A_SalesOrder record (missing properties are blank)."""

        def get(name: str) -> str:
            value = record.get(name)
            return "" if value is None else str(value).strip()

        return cls(
            get("OverallSDProcessStatus"),
            get("OverallDeliveryStatus"),
            get("OverallSDDocumentRejectionSts"),
        )


#: OverallDeliveryStatus -> Amazon status (blank and A: nothing delivered yet).
SAP_DELIVERY_TO_AMAZON: Final[Mapping[str, OrderStatus]] = MappingProxyType(
    {
        "": OrderStatus.UNSHIPPED,
        "A": OrderStatus.UNSHIPPED,
        "B": OrderStatus.PARTIALLY_SHIPPED,
        "C": OrderStatus.SHIPPED,
    }
)

#: OverallSDDocumentRejectionSts -> Amazon status, checked first; None means "not decisive,
#: look at the delivery status". C (every item rejected) is a cancelled order.
SAP_REJECTION_TO_AMAZON: Final[Mapping[str, OrderStatus | None]] = MappingProxyType(
    {"": None, "A": None, "B": None, "C": OrderStatus.CANCELED}
)

#: Amazon status -> the SAP statuses a sales order has once it has caught up with Amazon.
AMAZON_TO_SAP: Final[Mapping[OrderStatus, SapOrderStatus]] = MappingProxyType(
    {
        OrderStatus.PENDING: SapOrderStatus("A", "A"),
        OrderStatus.PENDING_AVAILABILITY: SapOrderStatus("A", "A"),
        OrderStatus.UNSHIPPED: SapOrderStatus("A", "A"),
        OrderStatus.PARTIALLY_SHIPPED: SapOrderStatus("B", "B"),
        OrderStatus.SHIPPED: SapOrderStatus("C", "C"),
        OrderStatus.INVOICE_UNCONFIRMED: SapOrderStatus("B", "C"),
        OrderStatus.CANCELED: SapOrderStatus("C", "", "C"),
        OrderStatus.UNFULFILLABLE: SapOrderStatus("C", "", "C"),
    }
)

#: Orders v2026-01-01 fulfillment statuses -> the canonical (v0) spelling.
V2026_STATUSES: Final[Mapping[str, OrderStatus]] = MappingProxyType(
    {
        "PENDING_AVAILABILITY": OrderStatus.PENDING_AVAILABILITY,
        "PENDING": OrderStatus.PENDING,
        "UNSHIPPED": OrderStatus.UNSHIPPED,
        "PARTIALLY_SHIPPED": OrderStatus.PARTIALLY_SHIPPED,
        "SHIPPED": OrderStatus.SHIPPED,
        "CANCELLED": OrderStatus.CANCELED,
        "UNFULFILLABLE": OrderStatus.UNFULFILLABLE,
    }
)


def _where(record: str) -> str:
    return f"{record}: " if record else ""


def _known(keys: Iterable[object]) -> str:
    names = sorted(k.value if isinstance(k, OrderStatus) else str(k) for k in keys)
    return ", ".join(repr(n) for n in names)


def amazon_status(value: OrderStatus | str, *, record: str = "") -> OrderStatus:
    """Read an Amazon order status in either API spelling (``Canceled`` or ``CANCELLED``)."""
    if isinstance(value, OrderStatus):
        return value
    text = str(value).strip()
    try:
        return OrderStatus(text)
    except ValueError:
        found = V2026_STATUSES.get(text.upper())
    if found is None:
        raise UnknownStatusError(
            f"{_where(record)}Amazon order status {text!r} is unknown; expected one of "
            f"{_known(OrderStatus)}",
            system="Amazon",
            status=text,
        )
    return found


def amazon_status_from_m3(
    orst: str, table: Mapping[str, OrderStatus | str] = M3_TO_AMAZON, *, record: str = ""
) -> OrderStatus:
    """The Amazon status matching an M3 order status (ORST), e.g. ``"66"`` -> Shipped."""
    code = str(orst).strip().zfill(2)
    if code not in table:
        raise UnknownStatusError(
            f"{_where(record)}M3 order status ORST {code!r} is not in the status table; known: "
            f"{_known(table)}. Add it to the table you pass",
            system="M3",
            status=code,
        )
    return amazon_status(table[code], record=record)


def m3_status_for(
    status: OrderStatus | str,
    table: Mapping[OrderStatus, str] = AMAZON_TO_M3,
    *,
    record: str = "",
) -> str:
    """The ORST an M3 order has once it matches Amazon's status, e.g. Shipped -> ``"66"``."""
    canonical = amazon_status(status, record=record)
    if canonical not in table:
        raise UnknownStatusError(
            f"{_where(record)}Amazon status {canonical.value!r} has no M3 order status in the "
            f"table; known: {_known(table)}",
            system="M3",
            status=canonical.value,
        )
    return table[canonical]


def amazon_status_from_sap(
    status: SapOrderStatus,
    delivery_table: Mapping[str, OrderStatus | str] = SAP_DELIVERY_TO_AMAZON,
    rejection_table: Mapping[str, OrderStatus | str | None] = SAP_REJECTION_TO_AMAZON,
    *,
    record: str = "",
) -> OrderStatus:
    """The Amazon status of an SAP sales order: rejection decides first, then delivery.

    A fully rejected order (OverallSDDocumentRejectionSts C) is Canceled whatever else it
    says; otherwise OverallDeliveryStatus A/B/C is Unshipped/PartiallyShipped/Shipped.
    """
    rejection = status.overall_sd_document_rejection_sts.strip()
    if rejection not in rejection_table:
        raise UnknownStatusError(
            f"{_where(record)}SAP OverallSDDocumentRejectionSts {rejection!r} is not in the "
            f"rejection table; known: {_known(rejection_table)}",
            system="SAP",
            status=rejection,
        )
    decided = rejection_table[rejection]
    if decided is not None:
        return amazon_status(decided, record=record)
    delivery = status.overall_delivery_status.strip()
    if delivery not in delivery_table:
        raise UnknownStatusError(
            f"{_where(record)}SAP OverallDeliveryStatus {delivery!r} is not in the delivery "
            f"table; known: {_known(delivery_table)}",
            system="SAP",
            status=delivery,
        )
    return amazon_status(delivery_table[delivery], record=record)


def sap_status_for(
    status: OrderStatus | str,
    table: Mapping[OrderStatus, SapOrderStatus] = AMAZON_TO_SAP,
    *,
    record: str = "",
) -> SapOrderStatus:
    """The SAP statuses a sales order has once it matches Amazon's status."""
    canonical = amazon_status(status, record=record)
    if canonical not in table:
        raise UnknownStatusError(
            f"{_where(record)}Amazon status {canonical.value!r} has no SAP status in the table; "
            f"known: {_known(table)}",
            system="SAP",
            status=canonical.value,
        )
    return table[canonical]


__all__ = [
    "AMAZON_TO_M3",
    "AMAZON_TO_SAP",
    "M3_TO_AMAZON",
    "SAP_DELIVERY_TO_AMAZON",
    "SAP_REJECTION_TO_AMAZON",
    "V2026_STATUSES",
    "SapOrderStatus",
    "amazon_status",
    "amazon_status_from_m3",
    "amazon_status_from_sap",
    "m3_status_for",
    "sap_status_for",
]
