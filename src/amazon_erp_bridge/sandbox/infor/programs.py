"""The MI transactions the fake M3 knows, each a function of the state and one input record.

A transaction returns its output records or raises :class:`Nok`, which the gateway turns into
an MI error inside an HTTP 200 body, as M3 does. Mandatory fields and field lengths are
checked before a transaction runs (``MandatoryInputFieldNotFound``, ``InputFieldTooLong``).
The messages imitate M3's style; they are the sandbox's own words.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from attrs import field, frozen

from amazon_erp_bridge.sandbox.infor.state import (
    BatchOrder,
    CustomerOrder,
    Delivery,
    Fields,
    GlInterfaceBatch,
    M3State,
)


class Nok(Exception):
    """An MI refusal: M3's message, the field it blames and the error type."""

    def __init__(
        self,
        message: str,
        field: str | None = None,
        error_type: str = "ServerReturnedNOK",
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.error_type = error_type
        self.code = code


Run = Callable[[M3State, Fields], list[Fields]]


@frozen
class Transaction:
    """One MI transaction: what it does, which fields it needs, how long they may be."""

    run: Run
    required: tuple[str, ...] = ()
    lengths: Mapping[str, int] = field(factory=dict)

    def check(self, record: Fields) -> None:
        for name in self.required:
            if not record.get(name, "").strip():
                raise Nok(
                    f"Mandatory input field {name} is missing", name, "MandatoryInputFieldNotFound"
                )
        for name, length in self.lengths.items():
            if len(record.get(name, "")) > length:
                raise Nok(
                    f"Input field {name} is longer than {length} characters",
                    name,
                    "InputFieldTooLong",
                )


PROGRAMS: dict[str, dict[str, Transaction]] = {}


def _tx(
    program: str,
    name: str,
    required: tuple[str, ...] = (),
    lengths: Mapping[str, int] | None = None,
) -> Callable[[Run], Run]:
    def register(run: Run) -> Run:
        PROGRAMS.setdefault(program, {})[name] = Transaction(run, required, dict(lengths or {}))
        return run

    return register


def _decimal(record: Fields, name: str, *, positive: bool = False) -> Decimal | None:
    text = record.get(name, "").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise Nok(f"{name} {text} is not a valid number", name) from None
    if positive and value <= 0:
        raise Nok(f"{name} must be greater than zero", name)
    return value


def _date(record: Fields, name: str) -> None:
    text = record.get(name, "").strip()
    if not text:
        return
    try:
        if len(text) != 8 or not text.isdigit():
            raise ValueError
        date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise Nok(f"Date {text} in {name} is invalid (expected YYYYMMDD)", name) from None


# -------------------------------------------------------------------------- CRS610MI
def _customer(s: M3State, cuno: str) -> Fields:
    record = s.customers.get(cuno)
    if record is None:
        raise Nok(f"Customer number {cuno} does not exist", "CUNO")
    return record


@_tx("CRS610MI", "GetBasicData", ("CUNO",), {"CUNO": 10})
def _get_customer(s: M3State, r: Fields) -> list[Fields]:
    return [dict(_customer(s, r["CUNO"]))]


@_tx("CRS610MI", "Add", ("CUTM", "CUNM", "CUA1"), {"CUNO": 10, "CUNM": 36, "CUA1": 36})
def _add_customer(s: M3State, r: Fields) -> list[Fields]:
    cuno = r.get("CUNO") or f"C{s.next_number('customer', 10001)}"
    if cuno in s.customers:
        raise Nok(f"Customer number {cuno} already exists", "CUNO")
    fields = {k: v for k, v in r.items() if k not in ("CUTM", "CUNO", "CUNM")}
    s.add_customer(cuno, r["CUNM"], **fields)
    return [{"CUNO": cuno}]


@_tx("CRS610MI", "SearchCustomer", ("SQRY",))
def _search_customer(s: M3State, r: Fields) -> list[Fields]:
    terms = r["SQRY"].split()
    hits = []
    for record in s.customers.values():
        ok = True
        for term in terms:
            name, _, value = term.rpartition(":")
            value = value.strip("*").lower()
            fields = (
                [record.get(name, "")] if name else [record.get("CUNO", ""), record.get("CUNM", "")]
            )
            if not any(value in f.lower() for f in fields):
                ok = False
                break
        if ok:
            hits.append({k: record.get(k, "") for k in ("CUNO", "CUNM", "STAT", "CSCD")})
    return hits


@_tx("CRS610MI", "LstByNumber", (), {"CUNO": 10})
def _list_customers(s: M3State, r: Fields) -> list[Fields]:
    start = r.get("CUNO", "")
    return [dict(s.customers[c]) for c in sorted(s.customers) if c >= start]


# ------------------------------------------------------------------ MMS200MI, MMS025MI
def _item(s: M3State, itno: str) -> Fields:
    record = s.items.get(itno)
    if record is None:
        raise Nok(f"Item number {itno} does not exist", "ITNO")
    return record


@_tx("MMS200MI", "GetItmBasic", ("ITNO",), {"ITNO": 15})
def _get_item_basic(s: M3State, r: Fields) -> list[Fields]:
    return [dict(_item(s, r["ITNO"]))]


@_tx("MMS200MI", "Get", ("ITNO",), {"ITNO": 15})
def _get_item(s: M3State, r: Fields) -> list[Fields]:
    return [dict(_item(s, r["ITNO"]))]


def _alias_matches(alias: Fields, r: Fields) -> bool:
    if r.get("ALWT") and alias["ALWT"] != r["ALWT"].zfill(2):
        return False
    if r.get("ALWQ") and alias["ALWQ"] != r["ALWQ"]:
        return False
    return not (r.get("E0PA") and alias["E0PA"] != r["E0PA"])


@_tx("MMS200MI", "GetItmWhsBal", ("WHLO", "ITNO"), {"WHLO": 3, "ITNO": 15})
def _get_item_warehouse_balance(s: M3State, r: Fields) -> list[Fields]:
    _item(s, r["ITNO"])
    record = s.balances.get((r["WHLO"], r["ITNO"]))
    if record is None:
        raise Nok(f"Item {r['ITNO']} does not exist in warehouse {r['WHLO']}", "WHLO")
    return [dict(record)]


@_tx("MMS025MI", "GetItem", ("ALWT", "POPN"), {"ALWQ": 4, "POPN": 30})
def _get_item_by_alias(s: M3State, r: Fields) -> list[Fields]:
    for alias in s.aliases:
        if alias["POPN"] == r["POPN"] and _alias_matches(alias, r):
            return [dict(alias)]
    raise Nok(f"Alias number {r['POPN']} does not exist", "POPN")


@_tx("MMS025MI", "LstAlias", ("ITNO",), {"ITNO": 15})
def _list_item_aliases(s: M3State, r: Fields) -> list[Fields]:
    _item(s, r["ITNO"])
    return [dict(a) for a in s.aliases if a["ITNO"] == r["ITNO"] and _alias_matches(a, r)]


@_tx("MMS025MI", "LstAliasViaCat", ("ALWT",), {"ALWQ": 4})
def _list_aliases_of_category(s: M3State, r: Fields) -> list[Fields]:
    return [dict(a) for a in s.aliases if _alias_matches(a, r)]


@_tx("MMS025MI", "AddAlias", ("ALWT", "ALWQ", "ITNO", "POPN"), {"ALWQ": 4, "POPN": 30})
def _add_alias(s: M3State, r: Fields) -> list[Fields]:
    _item(s, r["ITNO"])
    for alias in s.aliases:
        if alias["ITNO"] == r["ITNO"] and alias["POPN"] == r["POPN"] and _alias_matches(alias, r):
            raise Nok(f"Alias number {r['POPN']} already exists for item {r['ITNO']}", "POPN")
    s.add_alias(r["ITNO"], r["ALWT"], r["POPN"], r.get("ALWQ", ""), r.get("E0PA", ""))
    return []


# -------------------------------------------------------------------------- OIS100MI
_HEAD_LENGTHS = {"CUNO": 10, "CUOR": 20, "ORTP": 3, "FACI": 3, "WHLO": 3, "YREF": 30, "CUCD": 3}


def _batch(s: M3State, orno: str) -> BatchOrder:
    batch = s.batch_orders.get(orno)
    if batch is None:
        raise Nok(f"Order number {orno} does not exist", "ORNO")
    return batch


def _order(s: M3State, orno: str) -> CustomerOrder:
    order = s.orders.get(orno)
    if order is None:
        raise Nok(f"Order number {orno} does not exist", "ORNO")
    return order


def _head_record(order: CustomerOrder, s: M3State) -> Fields:
    head = order.head
    return {
        "ORNO": order.orno,
        "ORTP": head.get("ORTP", ""),
        "ORDT": head.get("ORDT", ""),
        "STAT": "",
        "FACI": head.get("FACI", ""),
        "CUOR": head.get("CUOR", ""),
        "YREF": head.get("YREF", ""),
        "CUCD": head.get("CUCD") or s.customers.get(head["CUNO"], {}).get("CUCD", ""),
        "CUNO": head["CUNO"],
        "CUDT": head.get("CUDT", ""),
        "WHLO": head.get("WHLO", ""),
        "MODL": head.get("MODL", ""),
        "RLDT": head.get("RLDT", ""),
        "ORSL": order.orsl,
        "ORST": order.orst,
        "NTAM": format(s.order_total(order), "f"),
    }


def _batch_record(batch: BatchOrder, s: M3State) -> Fields:
    head = batch.head
    final = s.orders.get(batch.final_orno)
    status = final.orst if final else "15"
    return {
        "ORNO": batch.orno,
        "ORTP": head.get("ORTP", ""),
        "ORDT": head.get("ORDT", ""),
        "STAT": "90" if batch.confirmed else "15",
        "FACI": head.get("FACI", ""),
        "CUOR": head.get("CUOR", ""),
        "YREF": head.get("YREF", ""),
        "ORSL": status,
        "ORST": status,
        "ORNR": batch.final_orno,
    }


@_tx("OIS100MI", "AddBatchHead", ("CUNO",), _HEAD_LENGTHS)
def _add_batch_head(s: M3State, r: Fields) -> list[Fields]:
    _customer(s, r["CUNO"])
    if s.require_order_type and not r.get("ORTP"):
        raise Nok("Mandatory input field ORTP is missing", "ORTP", "MandatoryInputFieldNotFound")
    for name in ("CUDT", "ORDT", "RLDT"):
        _date(r, name)
    orno = str(s.next_number("batch", 9000000001))
    head = {**r, "ORDT": r.get("ORDT") or s.today()}
    s.batch_orders[orno] = BatchOrder(orno, head)
    return [{"ORNO": orno}]


@_tx("OIS100MI", "AddBatchLine", ("ORNO",), {"ORNO": 10, "ITNO": 15, "POPN": 30, "CUOR": 20})
def _add_batch_line(s: M3State, r: Fields) -> list[Fields]:
    batch = _batch(s, r["ORNO"])
    if batch.confirmed:
        raise Nok(f"Order {batch.orno} is already confirmed", "ORNO")
    itno = r.get("ITNO", "")
    if not itno and r.get("POPN"):
        itno = _get_item_by_alias(s, {**r, "ALWT": r.get("ALWT", "")})[0]["ITNO"]
    if not itno:
        raise Nok("Mandatory input field ITNO is missing", "ITNO", "MandatoryInputFieldNotFound")
    item = _item(s, itno)
    quantity = _decimal(r, "ORQT", positive=True)
    if quantity is None:
        raise Nok("Ordered quantity ORQT must be entered", "ORQT")
    _decimal(r, "SAPR")
    line = {**r, "ITNO": itno, "ITDS": item.get("ITDS", ""), "PONR": str(len(batch.lines) + 1)}
    line["POSX"] = "0"
    line.pop("ORNO", None)
    batch.lines.append(line)
    return [{"PONR": line["PONR"], "POSX": "0", "ATNR": "0"}]


@_tx("OIS100MI", "Confirm", ("ORNO",), {"ORNO": 10})
def _confirm(s: M3State, r: Fields) -> list[Fields]:
    batch = _batch(s, r["ORNO"])
    if batch.confirmed:
        raise Nok(f"Order {batch.orno} is already confirmed", "ORNO")
    if not batch.lines:
        raise Nok(f"Order {batch.orno} has no lines and cannot be confirmed", "ORNO")
    final = str(s.next_number("order", 1000000001))
    lines = [{**line, "ORST": "22"} for line in batch.lines]
    order = CustomerOrder(final, dict(batch.head), lines, temporary_orno=batch.orno)
    order.addresses = {adrt: dict(a) for adrt, a in batch.addresses.items()}
    s.orders[final] = order
    batch.final_orno = final
    if s.auto_release:
        dlix = str(s.next_number("delivery", 5000001))
        s.deliveries[dlix] = Delivery(dlix, final, batch.head.get("WHLO", "") or "001")
        order.set_status("44")
    return [{"ORNO": batch.orno, "STAT": "90"}]


_ADDRESS_LENGTHS = {
    "ORNO": 10,
    "ADRT": 2,
    "CUNM": 36,
    "CUA1": 36,
    "CUA2": 36,
    "CUA3": 36,
    "CUA4": 36,
    "TOWN": 20,
    "PONO": 10,
    "ECAR": 2,
    "CSCD": 3,
    "PHNO": 16,
}
_ADDRESS_FIELDS = tuple(_ADDRESS_LENGTHS)[2:]


@_tx("OIS100MI", "AddBatchAddress", ("ORNO", "ADRT"), _ADDRESS_LENGTHS)
def _add_batch_address(s: M3State, r: Fields) -> list[Fields]:
    batch = _batch(s, r["ORNO"])
    if batch.confirmed:
        raise Nok(f"Order {batch.orno} is already confirmed", "ORNO")
    adrt = r["ADRT"].lstrip("0") or "0"
    batch.addresses[adrt] = {name: r.get(name, "") for name in _ADDRESS_FIELDS}
    return []


@_tx("OIS100MI", "GetAddress", ("ORNO", "ADRT"), {"ORNO": 10, "ADRT": 2})
def _get_address(s: M3State, r: Fields) -> list[Fields]:
    order = _order(s, r["ORNO"])
    address = order.addresses.get(r["ADRT"].lstrip("0") or "0")
    if address is None:
        raise Nok(f"Address type {r['ADRT']} does not exist for order {order.orno}", "ADRT")
    return [{"ORNO": order.orno, "ADRT": r["ADRT"], **address}]


@_tx("OIS100MI", "GetOrderNo", ("ORNO",), {"ORNO": 10})
def _get_order_no(s: M3State, r: Fields) -> list[Fields]:
    return [{"ORNR": _batch(s, r["ORNO"]).final_orno}]


@_tx("OIS100MI", "DelBatchHead", ("ORNO",), {"ORNO": 10})
def _delete_batch(s: M3State, r: Fields) -> list[Fields]:
    batch = _batch(s, r["ORNO"])
    if batch.confirmed:
        raise Nok(f"Order {batch.orno} is confirmed and cannot be deleted here", "ORNO")
    del s.batch_orders[batch.orno]
    return []


@_tx("OIS100MI", "GetBatchHead", ("ORNO",), {"ORNO": 10})
def _get_batch_head(s: M3State, r: Fields) -> list[Fields]:
    return [_batch_record(_batch(s, r["ORNO"]), s)]


@_tx("OIS100MI", "LstBatchHead", ("CUNO",), {"CUNO": 10})
def _list_batch_heads(s: M3State, r: Fields) -> list[Fields]:
    _customer(s, r["CUNO"])
    return [_batch_record(b, s) for b in s.batch_orders.values() if b.head["CUNO"] == r["CUNO"]]


@_tx("OIS100MI", "LstBatchLine", ("ORNO",), {"ORNO": 10})
def _list_batch_lines(s: M3State, r: Fields) -> list[Fields]:
    return [dict(line) for line in _batch(s, r["ORNO"]).lines]


@_tx("OIS100MI", "GetHead", ("ORNO",), {"ORNO": 10})
def _get_head(s: M3State, r: Fields) -> list[Fields]:
    return [_head_record(_order(s, r["ORNO"]), s)]


@_tx("OIS100MI", "LstHead", ("CUNO",), {"CUNO": 10})
def _list_heads(s: M3State, r: Fields) -> list[Fields]:
    _customer(s, r["CUNO"])
    return [_head_record(o, s) for o in s.orders.values() if o.head["CUNO"] == r["CUNO"]]


@_tx("OIS100MI", "LstLine", ("ORNO",), {"ORNO": 10})
def _list_lines(s: M3State, r: Fields) -> list[Fields]:
    return [dict(line) for line in _order(s, r["ORNO"]).lines]


# ------------------------------------------------------- deliveries and invoices
def _deliver(s: M3State, delivery: Delivery, plsx: str) -> None:
    if plsx != delivery.plsx:
        raise Nok(f"Picking list {delivery.dlix}/{plsx} does not exist", "PLSX")
    if delivery.confirmed:
        raise Nok(f"Picking list {delivery.dlix}/{plsx} is already reported", "DLIX")
    delivery.confirmed = True
    order = s.orders[delivery.orno]
    order.set_status("66")
    if s.auto_invoice:
        _invoice(s, order, delivery)
        order.set_status("77")


def _invoice(s: M3State, order: CustomerOrder, delivery: Delivery) -> None:
    total = s.order_total(order)
    ivno = str(s.next_number("invoice", 700001))
    s.invoices.append(
        {
            "ORNO": order.orno,
            "WHLO": delivery.whlo,
            "DLIX": delivery.dlix,
            "IVNO": ivno,
            "YEA4": str(s.clock_date.year),
            "IVDT": s.today(),
            "CUNO": order.head["CUNO"],
            "PYNO": order.head["CUNO"],
            "ORST": "77",
            "CUCD": _head_record(order, s)["CUCD"],
            "AMT1": format(total, "f"),
            "AMT2": format(total, "f"),
            "DUDT": s.today(),
        }
    )


def _delivery(s: M3State, dlix: str) -> Delivery:
    delivery = s.deliveries.get(dlix)
    if delivery is None:
        raise Nok(f"Delivery number {dlix} does not exist", "DLIX")
    return delivery


@_tx("MWS411MI", "LstDelLnByOrd", ("RIDN",), {"RIDN": 10})
def _list_delivery_lines(s: M3State, r: Fields) -> list[Fields]:
    if r.get("RORC", "3") != "3":
        return []
    order = _order(s, r["RIDN"])
    out = []
    for delivery in s.deliveries.values():
        if delivery.orno != order.orno:
            continue
        for line in order.lines:
            out.append(
                {
                    "DLIX": delivery.dlix,
                    "RORC": "3",
                    "RIDN": order.orno,
                    "RIDL": line["PONR"],
                    "RIDX": "0",
                    "ITNO": line["ITNO"],
                    "TRQT": line.get("ORQT", ""),
                }
            )
    return out


@_tx("MWS420MI", "Confirm", ("DLIX", "PLSX"), {"PLSX": 2})
def _confirm_pick_list(s: M3State, r: Fields) -> list[Fields]:
    _deliver(s, _delivery(s, r["DLIX"]), r["PLSX"])
    return []


@_tx("MHS850MI", "AddCfmPickList", ("WHLO", "E0PA", "E065", "DLIX", "PLSX"), {"PLSX": 2})
def _add_confirm_pick_list(s: M3State, r: Fields) -> list[Fields]:
    delivery = _delivery(s, r["DLIX"])
    if r["WHLO"] != delivery.whlo:
        raise Nok(f"Warehouse {r['WHLO']} is not the warehouse of delivery {delivery.dlix}", "WHLO")
    _deliver(s, delivery, r["PLSX"])
    return [{"CONO": "", "MSGN": str(s.next_number("message", 100000001))}]


@_tx("OIS350MI", "LstInvHeadByCo", ("ORNO",), {"ORNO": 10})
def _list_invoices(s: M3State, r: Fields) -> list[Fields]:
    return [dict(i) for i in s.invoices if i["ORNO"] == r["ORNO"]]


def _find_invoice(s: M3State, r: Fields) -> Fields:
    for invoice in s.invoices:
        if invoice["IVNO"] == r["IVNO"] and invoice["YEA4"] == r["YEA4"]:
            return invoice
    raise Nok(f"Invoice number {r['IVNO']} does not exist", "IVNO")


@_tx("OIS350MI", "GetInvHead", ("YEA4", "IVNO"))
def _get_invoice(s: M3State, r: Fields) -> list[Fields]:
    return [dict(_find_invoice(s, r))]


@_tx("OIS350MI", "LstInvLine", ("YEA4", "IVNO"))
def _list_invoice_lines(s: M3State, r: Fields) -> list[Fields]:
    invoice = _find_invoice(s, r)
    return [
        {
            "IVTP": "",
            "ORNO": invoice["ORNO"],
            "DLIX": invoice["DLIX"],
            "WHLO": invoice["WHLO"],
            "IVRF": "1",
            "AMT1": invoice["AMT1"],
            "AMT2": invoice["AMT2"],
            "VTAM": "0",
        }
    ]


# -------------------------------------------------------------------------- GLS840MI
def _gl_batch(s: M3State, key1: str) -> GlInterfaceBatch:
    batch = s.gl_batches.get(key1)
    if batch is None:
        raise Nok(f"Key value {key1} does not exist", "KEY1")
    return batch


@_tx(
    "GLS840MI",
    "AddBatchHead",
    ("CONO", "KEY1", "INTN", "DESC"),
    {"KEY1": 15, "INTN": 15, "DESC": 40},
)
def _add_gl_head(s: M3State, r: Fields) -> list[Fields]:
    if r["KEY1"] in s.gl_batches:
        raise Nok(f"Key value {r['KEY1']} already exists", "KEY1")
    if r["INTN"] not in s.gl_interfaces:
        raise Nok(f"Interface {r['INTN']} does not exist", "INTN")
    s.gl_batches[r["KEY1"]] = GlInterfaceBatch(r["KEY1"], dict(r))
    return [{"CONO": r["CONO"]}]


@_tx("GLS840MI", "AddBatchLine", ("CONO", "KEY1", "LINE", "PARM"), {"KEY1": 15, "PARM": 900})
def _add_gl_line(s: M3State, r: Fields) -> list[Fields]:
    batch = _gl_batch(s, r["KEY1"])
    if not r["LINE"].isdigit():
        raise Nok(f"Line number {r['LINE']} is invalid", "LINE")
    line = int(r["LINE"])
    if line in batch.lines:
        raise Nok(f"Line {line} already exists in batch {batch.key1}", "LINE")
    if batch.status != "open":
        raise Nok(f"Batch {batch.key1} is {batch.status}; lines cannot be added", "KEY1")
    batch.lines[line] = r["PARM"]
    return [{"CONO": r["CONO"]}]


def _control(s: M3State, batch: GlInterfaceBatch) -> None:
    if not batch.lines:
        raise Nok(f"Batch {batch.key1} has no lines", "KEY1")
    layout = s.gl_interfaces[batch.head["INTN"]]
    totals: dict[str, Decimal] = {}
    for number in sorted(batch.lines):
        values = layout.parse(batch.lines[number])
        row = {f.source: values[f.name] for f in layout.fields}
        account = row.get("account", "")
        if not account or (s.gl_accounts and account not in s.gl_accounts):
            raise Nok(f"Line {number}: account {account or '(blank)'} does not exist", "PARM")
        try:
            amount = Decimal(row.get("amount", ""))
        except InvalidOperation:
            raise Nok(f"Line {number}: amount {row.get('amount')!r} is invalid", "PARM") from None
        currency = row.get("currency", "")
        totals[currency] = totals.get(currency, Decimal(0)) + amount
    off = {c: t for c, t in totals.items() if t != 0}
    if off:
        listed = ", ".join(f"{t} {c}" for c, t in sorted(off.items()))
        raise Nok(f"Batch {batch.key1} does not balance: {listed}", "KEY1")
    batch.status = "controlled"


@_tx("GLS840MI", "CtrlBatch", ("CONO", "KEY1"), {"KEY1": 15})
def _control_gl(s: M3State, r: Fields) -> list[Fields]:
    batch = _gl_batch(s, r["KEY1"])
    if batch.status == "posted":
        raise Nok(f"Batch {batch.key1} is already updated", "KEY1")
    _control(s, batch)
    return [{"CONO": r["CONO"]}]


@_tx("GLS840MI", "UpdBatch", ("CONO", "KEY1"), {"KEY1": 15})
def _update_gl(s: M3State, r: Fields) -> list[Fields]:
    batch = _gl_batch(s, r["KEY1"])
    if batch.status == "posted":
        raise Nok(f"Batch {batch.key1} is already updated", "KEY1")
    if batch.status == "open":
        _control(s, batch)
    batch.status = "posted"
    return [{"CONO": r["CONO"]}]


@_tx("MDBREADMI", "GetFGLINH00", ("KEY1",), {"KEY1": 15})
def _read_gl_head(s: M3State, r: Fields) -> list[Fields]:
    batch = s.gl_batches.get(r["KEY1"])
    if batch is None:
        raise Nok("Record does not exist", "KEY1")
    return [
        {
            "CONO": batch.head.get("CONO", ""),
            "DIVI": batch.head.get("DIVI", ""),
            "KEY1": batch.key1,
            "INTN": batch.head.get("INTN", ""),
            "DESC": batch.head.get("DESC", ""),
            "STAT": batch.status_code,
        }
    ]
