"""The fake M3's data: customers, items, aliases, stock, orders, deliveries, invoices, GL batches.

Plain mutable records keyed as M3 keys them. The MI transactions in
:mod:`~amazon_erp_bridge.sandbox.infor.programs` read and change it; tests seed it through
:class:`~amazon_erp_bridge.sandbox.infor.FakeIonApi` and look at it afterwards.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from decimal import Decimal

from attrs import define, field

Fields = dict[str, str]

#: Where the fake's GLS850 interface reads each value in PARM: field -> (1-based start, length).
#: The sandbox's own copy of the layout the library documents as its default (``AMZSETTLE``);
#: it does not import the client's, so the two can disagree and a test can notice.
ParmPositions = dict[str, tuple[int, int]]
AMZSETTLE: ParmPositions = {
    **{f"AIT{n}": (1 + 10 * (n - 1), 10) for n in range(1, 8)},
    "CUCD": (71, 3),
    "CUAM": (74, 17),
    "ACDT": (91, 8),
    "VTXT": (99, 40),
    "VTCD": (139, 2),
}


def read_parm(layout: ParmPositions, parm: str) -> Fields:
    """The values of a PARM string by field name, trimmed."""
    return {
        name: parm[start - 1 : start - 1 + length].strip()
        for name, (start, length) in layout.items()
    }


@define
class BatchOrder:
    """A temporary order from OIS100MI AddBatchHead, until Confirm releases it."""

    orno: str
    head: Fields
    lines: list[Fields] = field(factory=list)
    final_orno: str = ""
    #: Addresses added with AddBatchAddress, by address type (ADRT).
    addresses: dict[str, Fields] = field(factory=dict)
    #: Texts added with AddBatchText (TYPE 1 head / 2 line, TYTR, PARM, PONR).
    texts: list[Fields] = field(factory=list)
    #: Charges added with AddBatchHeadChg (no PONR) and AddBatchLineChg (PONR/POSX).
    charges: list[Fields] = field(factory=list)
    #: Why Confirm could not release the order (OIS100MI LstErrMsgOrder records).
    errors: list[Fields] = field(factory=list)

    @property
    def confirmed(self) -> bool:
        return bool(self.final_orno)


@define
class CustomerOrder:
    """A final customer order with its status (ORSL lowest, ORST highest)."""

    orno: str
    head: Fields
    lines: list[Fields]
    orsl: str = "22"
    orst: str = "22"
    temporary_orno: str = ""
    #: The order's own addresses by address type (ADRT), e.g. "1" the delivery address.
    addresses: dict[str, Fields] = field(factory=dict)
    texts: list[Fields] = field(factory=list)
    charges: list[Fields] = field(factory=list)

    def set_status(self, code: str) -> None:
        """Move every open line (not closed, status 99) to ``code``."""
        for line in self.lines:
            if line.get("ORST") != "99":
                line["ORST"] = code
        self.recompute()

    def recompute(self) -> None:
        """ORSL/ORST from the lines: lowest and highest line status."""
        statuses = [line.get("ORST", "22") for line in self.lines] or ["99"]
        self.orsl, self.orst = min(statuses), max(statuses)


@define
class ReturnOrder:
    """A customer return (OIS390): head fields and lines, keyed by warehouse and REPN."""

    repn: str
    head: Fields
    lines: list[Fields] = field(factory=list)


@define
class Delivery:
    """A delivery (DLIX) of an order, with its first picking list (suffix 01)."""

    dlix: str
    orno: str
    whlo: str
    plsx: str = "01"
    confirmed: bool = False


@define
class GlInterfaceBatch:
    """A GLS840 batch: head, PARM lines by line number, and how far it got."""

    key1: str
    head: Fields
    lines: dict[int, str] = field(factory=dict)
    #: "open" (lines being added), "controlled" (CtrlBatch passed), "posted" (UpdBatch done).
    status: str = "open"

    @property
    def status_code(self) -> str:
        """The sandbox's own FGLINH status codes: 10 open, 20 controlled, 90 posted."""
        return {"open": "10", "controlled": "20", "posted": "90"}[self.status]


@define
class M3State:
    """Everything the fake M3 holds, and the switches that shape its behaviour."""

    clock_date: date = field(factory=lambda: datetime.now(UTC).date())
    customers: dict[str, Fields] = field(factory=dict)
    items: dict[str, Fields] = field(factory=dict)
    aliases: list[Fields] = field(factory=list)
    #: Item warehouse balances (MITBAL) by (warehouse, item): STQT, ALQT, QUQT, ... as text.
    balances: dict[tuple[str, str], Fields] = field(factory=dict)
    batch_orders: dict[str, BatchOrder] = field(factory=dict)
    orders: dict[str, CustomerOrder] = field(factory=dict)
    deliveries: dict[str, Delivery] = field(factory=dict)
    invoices: list[Fields] = field(factory=list)
    gl_batches: dict[str, GlInterfaceBatch] = field(factory=dict)
    #: GLS850 interfaces that exist, with where their PARM strings hold each value; the
    #: amount, currency and account fields are named in ``gl_interface_fields``.
    gl_interfaces: dict[str, ParmPositions] = field(factory=lambda: {"AMZSETTLE": AMZSETTLE})
    #: Which PARM field of an interface holds the account, the currency and the amount.
    gl_interface_fields: tuple[str, str, str] = ("AIT1", "CUCD", "CUAM")
    #: Customer returns (OIS390) by (warehouse, receiving number).
    returns: dict[tuple[str, str], ReturnOrder] = field(factory=dict)
    #: Packages (MWS423) by delivery number: PANR, ETRN (external tracking number), PACT.
    packages: dict[str, list[Fields]] = field(factory=dict)
    #: Charge codes (CRID) OIS100MI accepts (empty: any).
    charge_codes: set[str] = field(factory=set)
    #: Confirm leaves these orders in batch with these errors (by CUOR), as a real M3 does
    #: when an order fails its checks: LstErrMsgOrder then lists them.
    confirm_errors: dict[str, list[str]] = field(factory=dict)
    #: Accounts CtrlBatch accepts (empty: any account).
    gl_accounts: set[str] = field(factory=set)
    #: Confirm releases the order for picking at once (a delivery exists, status 44).
    auto_release: bool = True
    #: Confirming the delivery also invoices the order (status 77).
    auto_invoice: bool = True
    #: AddBatchHead refuses a head without ORTP (order type), as some M3 versions do.
    require_order_type: bool = False
    lock: threading.RLock = field(factory=threading.RLock, repr=False)
    _counters: dict[str, int] = field(factory=dict, repr=False)

    def next_number(self, series: str, start: int) -> int:
        value = self._counters.get(series, start - 1) + 1
        self._counters[series] = value
        return value

    def today(self) -> str:
        d = self.clock_date
        return f"{d.year:04d}{d.month:02d}{d.day:02d}"

    # --------------------------------------------------------------------------- seeds
    def add_customer(self, cuno: str, name: str, **fields: str) -> Fields:
        record = {"CUNO": cuno, "CUNM": name, "STAT": "20", "CUCD": "USD", **fields}
        self.customers[cuno] = record
        return record

    def add_item(self, itno: str, name: str = "", **fields: str) -> Fields:
        record = {
            "ITNO": itno,
            "ITDS": name or itno,
            "FUDS": "",
            "STAT": "20",
            "UNMS": "EA",
            "ITTY": "FG",
            "ITGR": "",
            **fields,
        }
        self.items[itno] = record
        return record

    def add_alias(self, itno: str, alwt: str, popn: str, alwq: str = "", e0pa: str = "") -> Fields:
        record = {
            "CONO": "",
            "ALWT": alwt.zfill(2),
            "ALWQ": alwq,
            "ITNO": itno,
            "POPN": popn,
            "E0PA": e0pa,
        }
        self.aliases.append(record)
        return record

    def set_balance(
        self,
        itno: str,
        whlo: str,
        on_hand: Decimal | int | str,
        allocated: Decimal | int | str = 0,
        **fields: str,
    ) -> Fields:
        """Set an item's balance in a warehouse (on-hand approved STQT, allocated ALQT)."""
        stqt, alqt = Decimal(on_hand), Decimal(allocated)
        record = {
            "CONO": "",
            "WHLO": whlo,
            "ITNO": itno,
            "STQT": format(stqt, "f"),
            "QUQT": "0",
            "RJQT": "0",
            "ALQT": format(alqt, "f"),
            "AV01": format(stqt - alqt, "f"),
            "AVAL": format(stqt - alqt, "f"),
            "REQT": "0",
            **fields,
        }
        self.balances[(whlo, itno)] = record
        return record

    def order_total(self, order: CustomerOrder) -> Decimal:
        total = Decimal(0)
        for line in order.lines:
            if line.get("ORST") == "99":
                continue
            total += Decimal(line.get("ORQT") or "0") * Decimal(line.get("SAPR") or "0")
        for charge in order.charges:
            total += Decimal(charge.get("CRAM") or "0")
        return total
