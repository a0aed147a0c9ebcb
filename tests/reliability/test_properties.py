"""Property tests (issue 15): every public mapping function and every parser, given any input,
returns a result or raises a BridgeError, within a bounded time.

The functions are discovered, not listed: every function in ``amazon_erp_bridge.mapping.__all__``
and every public ``parse_*`` / ``read_*`` function of the client layers. Each required argument
is drawn by its annotation from :data:`BY_ANNOTATION` (rule objects are realistic fixed data,
records are hostile); a function whose arguments cannot be drawn, or a parser not in
:data:`PARSERS`, fails :func:`test_every_public_function_is_fuzzed` with what to add.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import pkgutil
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import amazon_erp_bridge
import amazon_erp_bridge.mapping as mapping
from amazon_erp_bridge.errors import BridgeError
from amazon_erp_bridge.infor.stock import WarehouseBalance
from amazon_erp_bridge.mapping import (
    AMAZON_DEFAULT_ACCOUNTS,
    M3_ADDRESS,
    SAP_BUSINESS_PARTNER_ADDRESS,
    SAP_SALES_ORDER_ADDRESS,
    CustomerRules,
    InventoryRules,
    ItemCrosswalk,
    M3OrderSettings,
    M3PickReportSettings,
    McfRules,
    OrderTypeRule,
    OrderTypeRules,
    SapOrderSettings,
    SapOrderStatus,
)
from amazon_erp_bridge.model import FulfillmentChannel, OrderStatus

from . import strategies as s

#: Seconds one call may take. Every function answers in milliseconds; the issue saw 6 s, 7 s and
#: over 100 s for single hostile inputs. Generous for a loaded 2-core CI machine.
BOUND = 3.0
EXAMPLES = 25

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # timed by BOUND instead: hypothesis' deadline flakes on a loaded machine
    suppress_health_check=[
        HealthCheck.filter_too_much,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
    derandomize=True,
)

# -- rule data: realistic and fixed ---------------------------------------------------------

ITEMS = ItemCrosswalk.from_entries(
    [("seller_sku", sku, sku.removeprefix("SKU-").replace("-", "")) for sku in s.KNOWN_SKUS]
)
CUSTOMERS = CustomerRules(marketplaces={s.US: "C-US", s.UK: "C-UK", s.DE: "C-DE", s.JP: "C-JP"})
ORDER_TYPES = OrderTypeRules(
    [OrderTypeRule("AZF", fulfillment_channel=FulfillmentChannel.AMAZON, warehouse="WH1")],
    OrderTypeRule("AZM"),
)


def _sap_status(draw: st.DrawFn) -> SapOrderStatus:
    codes = st.sampled_from(["", "A", "B", "C"]) | s.short_text
    return SapOrderStatus(draw(codes), draw(codes), draw(codes))


#: How to draw an argument, by its annotation as written in the signature.
BY_ANNOTATION: dict[str, st.SearchStrategy[Any]] = {
    "Order": s.orders(),
    "OrderLine": s.order_lines(),
    "Settlement": s.settlements(),
    "SettlementLine": s.settlement_lines(),
    "Shipment": s.shipments(),
    "Iterable[Shipment]": st.lists(s.shipments(), max_size=3),
    "FinancialEvent": s.financial_events(),
    "FinancialComponent": s.financial_events()
    .filter(lambda e: e.components)
    .map(lambda e: e.components[0]),
    "Iterable[FinancialEvent]": st.lists(s.financial_events(), max_size=3),
    "Address": s.addresses(),
    "Money": s.money(),
    "Decimal": s.amounts,
    "Mapping[str, str]": s.string_records,
    "Sequence[Mapping[str, str]]": st.lists(s.string_records, max_size=3),
    "Mapping[str, Any]": st.dictionaries(s.text, s.json_values, max_size=8),
    "Mapping[str, int]": st.dictionaries(s.skus, s.quantities, max_size=6),
    "Mapping[str, int] | Iterable[InventoryLevel]": st.dictionaries(
        s.skus, s.quantities, max_size=6
    ),
    "Iterable[StockRecord]": st.lists(
        st.builds(
            WarehouseBalance,
            item=st.sampled_from(list(ITEMS.by_seller_sku.values())) | s.short_text,
            warehouse=s.short_text,
            on_hand=s.amounts,
            allocated=s.amounts,
        ),
        max_size=4,
    ),
    "OrderStatus | str": st.sampled_from(OrderStatus) | s.text,
    "SapOrderStatus": st.composite(_sap_status)(),
    "str": s.text,
    "int": st.integers(min_value=-3, max_value=40),
    "date": s.dates,
    "Sequence[str]": st.lists(s.text, max_size=5),
    "Sequence[int]": st.lists(st.integers(min_value=-5, max_value=80), max_size=5),
    "JournalEntry": s.settlements()
    .map(lambda settlement: _journal(settlement))
    .filter(lambda entry: entry is not None),
    "Iterable[JournalEntry]": st.lists(
        s.settlements()
        .map(lambda settlement: _journal(settlement))
        .filter(lambda entry: entry is not None),
        max_size=2,
    ),
    # rule data
    "GlAccountMap": st.just(AMAZON_DEFAULT_ACCOUNTS),
    "CustomerRules": st.just(CUSTOMERS),
    "OrderTypeRules": st.just(ORDER_TYPES),
    "ItemCrosswalk": st.just(ITEMS),
    "M3OrderSettings": st.just(M3OrderSettings()),
    "SapOrderSettings": st.just(SapOrderSettings("1010", "10", "00")),
    "McfRules": st.just(McfRules()),
    "InventoryRules": st.sampled_from(
        [InventoryRules(), InventoryRules(safety_buffer=2, reserved={"SKU-MUG-01": 5})]
    ),
    "AddressLayout": st.sampled_from(
        [M3_ADDRESS, SAP_SALES_ORDER_ADDRESS, SAP_BUSINESS_PARTNER_ADDRESS]
    ),
    "M3PickReportSettings": st.just(M3PickReportSettings("WH1", "AMAZON", "MCF")),
}


def _lifecycle_strategies() -> dict[str, st.SearchStrategy[Any]]:
    """Strategies for the lifecycle rules and records (returns, cancellations, taxes, cash)."""
    from amazon_erp_bridge.model import Payout, Refund, Return

    m: Any = mapping

    def make(factory: Any) -> Callable[..., Any]:
        return lambda **kw: s.built(factory, **kw)

    erp_lines = st.lists(
        st.builds(
            make(m.ErpOrderLine),
            line=s.short_text,
            item=st.sampled_from(list(ITEMS.by_seller_sku.values())) | s.short_text,
            ordered=s.amounts,
            delivered=s.amounts,
            status=st.sampled_from(["", "22", "66", "99"]) | s.short_text,
        ),
        max_size=4,
    )
    returns = st.builds(
        make(Return),
        return_id=s.short_text,
        order_id=s.ids,
        seller_sku=s.skus,
        quantity=s.quantities,
        returned_at=s.moments,
        reason=st.none() | s.text,
        disposition=st.none() | st.sampled_from(["SELLABLE", "DAMAGED"]) | s.text,
        refund_amount=st.none() | s.money(),
    )
    refunds = st.builds(
        make(Refund),
        refund_id=s.short_text,
        order_id=s.ids,
        posted_date=st.none() | s.moments,
        components=s.financial_events().map(lambda e: e.components),
    )
    payouts = st.builds(
        make(Payout),
        payout_id=s.short_text,
        expected=s.money(),
        settlement_id=st.none() | s.short_text,
        initiated_at=st.none() | s.moments,
        deposited_at=st.none() | s.moments,
        deposited=st.none() | s.money(),
        status=st.none() | st.sampled_from(["SUCCESSFUL", "FAILED"]) | s.text,
    )
    account = m.GlAccount("1200")
    return {
        "ChargeRules": st.just(m.ChargeRules()),
        "TaxRules": st.just(m.TaxRules()),
        "ReceivableRules": st.just(m.ReceivableRules("C-US", account)),
        "Iterable[OpenReceivable]": st.lists(
            st.builds(make(m.OpenReceivable), order_id=s.ids, amount=s.money()), max_size=3
        ),
        "Iterable[ErpOrderLine]": erp_lines,
        "ErpOrderRef": st.builds(
            make(m.ErpOrderRef),
            order_id=s.ids,
            document_id=s.short_text,
            customer=s.short_text,
            currency=s.currencies,
            lines=erp_lines.map(tuple),
        ),
        "M3ReturnSettings": st.just(m.M3ReturnSettings("WH1")),
        "SapReturnSettings": st.just(m.SapReturnSettings("1010", "10", "00")),
        "Return": returns,
        "Iterable[Refund]": st.lists(refunds, max_size=3),
        "Payout": payouts,
        "Iterable[Payout]": st.lists(payouts, max_size=3),
        "FulfillmentOrderDetails": _fulfillment_details(),
    }


def _fulfillment_details() -> st.SearchStrategy[Any]:
    """An MCF order as getFulfillmentOrder reads it: any status, items with any quantities."""
    from amazon_erp_bridge.amazon.fulfillment import (
        FulfillmentOrder,
        FulfillmentOrderDetails,
        FulfillmentOrderItem,
    )
    from amazon_erp_bridge.model import Address

    items = st.lists(
        st.builds(
            FulfillmentOrderItem,
            seller_sku=s.short_text,
            seller_fulfillment_order_item_id=s.short_text,
            quantity=st.integers(0, 10_000),
            cancelled_quantity=st.integers(0, 100),
            unfulfillable_quantity=st.integers(0, 100),
        ),
        max_size=4,
    )
    order = st.builds(
        FulfillmentOrder,
        seller_fulfillment_order_id=s.ids,
        displayable_order_id=s.ids,
        status=st.sampled_from(["New", "Received", "Planning", "Processing", "Complete"]),
        shipping_speed_category=st.sampled_from(["Standard", "Expedited", "Priority"]),
        destination_address=st.builds(Address, name=s.short_text, line1=s.short_text),
    )
    return st.builds(FulfillmentOrderDetails, order=order, items=items.map(tuple))


def _journal(settlement: Any) -> Any:
    try:
        return mapping.settlement_to_journal(settlement, AMAZON_DEFAULT_ACCOUNTS)
    except BridgeError:
        return None


with contextlib.suppress(AttributeError, ImportError, BridgeError):  # names still moving
    BY_ANNOTATION.update(_lifecycle_strategies())


def _required(function: Callable[..., Any]) -> list[inspect.Parameter]:
    return [
        p
        for p in inspect.signature(function).parameters.values()
        if p.default is inspect.Parameter.empty
        and p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    ]


def _annotation(parameter: inspect.Parameter) -> str:
    annotation = parameter.annotation
    return annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")


def mapping_functions() -> dict[str, Callable[..., Any]]:
    """Every public function of the mapping layer."""
    return {
        name: getattr(mapping, name)
        for name in mapping.__all__
        if inspect.isfunction(getattr(mapping, name))
    }


def _strategy(annotation: str) -> st.SearchStrategy[Any] | None:
    """The strategy for an annotation; ``Iterable[X]``/``Sequence[X]`` are lists of X's."""
    if annotation in BY_ANNOTATION:
        return BY_ANNOTATION[annotation]
    for wrapper in ("Iterable[", "Sequence[", "list[", "tuple["):
        if annotation.startswith(wrapper) and annotation.endswith("]"):
            inner = annotation[len(wrapper) : -1].removesuffix(", ...")
            if inner in BY_ANNOTATION:
                items = st.lists(BY_ANNOTATION[inner], max_size=3)
                return items.map(tuple) if wrapper == "tuple[" else items
    return None


def undrawable(function: Callable[..., Any]) -> list[str]:
    """The annotations of ``function``'s required arguments with no strategy."""
    return [_annotation(p) for p in _required(function) if _strategy(_annotation(p)) is None]


def timed_call(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``function``; a result or a BridgeError is fine, within :data:`BOUND` seconds."""
    start = time.perf_counter()
    try:
        return function(*args, **kwargs)
    except BridgeError:
        return None
    finally:
        took = time.perf_counter() - start
        assert took < BOUND, f"{getattr(function, '__name__', function)} took {took:.1f} s"


FUZZED_MAPPING = sorted(name for name, f in mapping_functions().items() if not undrawable(f))

#: Failures found by these tests in code other helpers own, still open: name -> owner, cause.
#: Strict: when the owner fixes one, its xfail turns into a failure here; delete the entry.
KNOWN_FAILURES: dict[str, str] = {}


def _cases(names: list[str]) -> list[Any]:
    return [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[name]))
        if name in KNOWN_FAILURES
        else name
        for name in names
    ]


@pytest.mark.parametrize("name", _cases(FUZZED_MAPPING))
@FUZZ
@given(data=st.data())
def test_mapping_function_gives_a_result_or_a_bridge_error(name, data):
    function = mapping_functions()[name]
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for parameter in _required(function):
        strategy = _strategy(_annotation(parameter))
        assert strategy is not None
        value = data.draw(strategy, label=parameter.name)
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY:
            kwargs[parameter.name] = value
        else:
            args.append(value)
    timed_call(function, *args, **kwargs)


# -- parsers --------------------------------------------------------------------------------


def _response(status: int, body: bytes, content_type: str = "application/json") -> httpx2.Response:
    return httpx2.Response(
        status,
        content=body,
        headers={"content-type": content_type},
        request=httpx2.Request("GET", "https://erp.test/x"),
    )


hostile_bytes = s.hostile_json().map(lambda t: t.encode("utf-8", "surrogatepass")) | st.binary(
    max_size=200
)
json_or_text = s.hostile_json() | st.dictionaries(s.text, s.json_values, max_size=6)


def _settlement_text(draw: st.DrawFn) -> bytes:
    header = (
        "settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\ttotal-amount\t"
        "currency\ttransaction-type\torder-id\tamount-type\tamount-description\tamount\t"
        "posted-date"
    )
    cell = st.sampled_from(
        [
            "1e999999999",
            "1,234,5",
            "١٢٣",
            "12.34",
            "-4,50",
            "NaN",
            "9" * 60,
            "2026-03-02",
            "USD",
            "Order",
            "",
        ]
    ) | s.short_text.filter(lambda t: "\t" not in t and "\n" not in t and "\r" not in t)
    rows = draw(st.lists(st.lists(cell, min_size=12, max_size=12), min_size=1, max_size=4))
    lines = [header, *("\t".join(row) for row in rows)]
    return ("\n".join(lines) + "\n").encode()


def _parsers() -> dict[str, tuple[Callable[[Any], Any], st.SearchStrategy[Any]]]:
    from amazon_erp_bridge import limits
    from amazon_erp_bridge.amazon import errors as amazon_errors
    from amazon_erp_bridge.amazon import feeds, financial_events, operation, returns
    from amazon_erp_bridge.amazon.notifications import parse_notification
    from amazon_erp_bridge.amazon.settlement import (
        parse_amount,
        parse_settlement_report,
        parse_when,
    )
    from amazon_erp_bridge.core import retry
    from amazon_erp_bridge.core.environment import read_environment
    from amazon_erp_bridge.core.sender import json_body, read_error_text
    from amazon_erp_bridge.infor import ionapi, mi
    from amazon_erp_bridge.model import Money, Order, Settlement, from_dict, from_json
    from amazon_erp_bridge.sap import batch, errors, soap, values
    from amazon_erp_bridge.sap.operations import read_entity

    return {
        "amazon.notifications.parse_notification": (parse_notification, json_or_text),
        "amazon.settlement.parse_settlement_report": (
            parse_settlement_report,
            st.composite(_settlement_text)(),
        ),
        "amazon.settlement.parse_amount": (parse_amount, s.text | st.sampled_from(["1e999999999"])),
        "model.from_json(Order)": (lambda t: from_json(t, Order), s.hostile_json()),
        "model.from_json(Settlement)": (lambda t: from_json(t, Settlement), s.hostile_json()),
        "model.from_json(Money)": (lambda t: from_json(t, Money), s.hostile_json()),
        "model.from_dict(Order)": (lambda d: from_dict(d, Order), s.json_values),
        "limits.loads_json": (lambda t: limits.loads_json(t, what="fuzz"), s.hostile_json()),
        "limits.parse_decimal": (lambda t: limits.parse_decimal(t, what="fuzz"), s.text),
        "core.environment.read_environment": (
            lambda env: read_environment(
                "fuzz", ["SP_API_REFRESH_TOKEN"], ["SP_API_REGION"], secrets=["X"], env=env
            ),
            st.dictionaries(
                st.sampled_from(["SP_API_REFRESH_TOKEN", "SP_API_REGION", "X"]) | s.text, s.text
            ),
        ),
        "core.sender.json_body": (lambda b: json_body(_response(200, b)), hostile_bytes),
        "infor.ionapi.IonApiConfig.from_json": (ionapi.IonApiConfig.from_json, s.hostile_json()),
        "infor.mi.read_mi_body": (
            lambda body: mi.read_mi_body(body, program="CRS610MI", transaction="GetBasicData"),
            s.json_values,
        ),
        "infor.mi.parse_mi_response": (
            lambda b: mi.parse_mi_response(_response(200, b), "CRS610MI", "GetBasicData"),
            hostile_bytes,
        ),
        "infor.mi.read_gateway_error": (
            lambda b: mi.read_gateway_error(_response(500, b)),
            hostile_bytes,
        ),
        "sap.errors.read_error": (lambda b: errors.read_error(_response(400, b)), hostile_bytes),
        "sap.batch.parse_http_response": (batch.parse_http_response, st.binary(max_size=300)),
        "sap.soap.read_fault": (soap.read_fault, st.binary(max_size=300)),
        "sap.values.parse_datetime": (values.parse_datetime, s.json_scalars),
        "sap.values.parse_date": (values.parse_date, s.json_scalars),
        "sap.values.parse_decimal": (values.parse_decimal, s.json_scalars),
        "sap.values.parse_time": (values.parse_time, s.json_scalars),
        "amazon.errors.read_error": (
            lambda b: amazon_errors.read_error(_response(400, b)),
            hostile_bytes,
        ),
        "amazon.feeds.parse_processing_report": (feeds.parse_processing_report, json_or_text),
        "amazon.financial_events.read_event": (
            lambda d: [
                financial_events.read_event(spec, d, None)
                for spec in financial_events.EVENT_LISTS.values()
            ],
            s.json_values,
        ),
        "amazon.operation.read_json": (
            lambda b: operation.read_json(_response(200, b)),
            hostile_bytes,
        ),
        "amazon.returns.parse_return_time": (returns.parse_return_time, s.text),
        "amazon.returns.parse_returns_report": (
            lambda rows: returns.parse_returns_report(rows),
            st.lists(s.text.map(lambda t: t + "\n"), max_size=4).map(
                lambda rows: ["return-date\torder-id\tsku\tquantity\n", *rows]
            ),
        ),
        "amazon.settlement.parse_when": (parse_when, s.text),
        "core.retry.parse_retry_after": (retry.parse_retry_after, st.none() | s.text),
        "core.sender.read_error_text": (
            lambda b: read_error_text(_response(500, b, "text/plain")),
            st.binary(max_size=300),
        ),
        "infor.mi.read_mi_bytes": (
            lambda b: mi.read_mi_bytes(b, program="CRS610MI", transaction="GetBasicData"),
            hostile_bytes,
        ),
        "sap.batch.parse_batch": (
            lambda b: batch.parse_batch(
                _response(200, b, "multipart/mixed; boundary=batch_1"),
                [read_entity("/A_X('1')", item=dict)],
            ),
            hostile_bytes
            | st.binary(max_size=200).map(
                lambda b: (
                    b"--batch_1\r\nContent-Type: application/http\r\n\r\n"
                    + b
                    + b"\r\n--batch_1--\r\n"
                )
            ),
        ),
    }


PARSERS = _parsers()

#: Public parse_/read_ functions that are not parsers of untrusted input, and why.
NOT_PARSERS: dict[str, str] = {
    "sap.operations.read_page": "builds a Call (its parse is read_error/json_body, fuzzed)",
    "sap.operations.read_collection": "builds a Call",
    "sap.operations.read_entity": "builds a Call",
    "sap.operations.read_count": "builds a Call",
    "sap.operations.read_metadata": "builds a Call",
    "infor.plan.read_all": "a paging plan over a live MI context; its pages are read_mi_body's",
}


def _public_parse_functions() -> set[str]:
    """``layer.module.function`` of every public parse_*/read_* function of the client layers."""
    found: set[str] = set()
    for layer in ("amazon", "infor", "sap", "core"):
        package = importlib.import_module(f"amazon_erp_bridge.{layer}")
        for info in pkgutil.walk_packages(package.__path__, f"amazon_erp_bridge.{layer}."):
            if "._" in info.name or info.name.endswith("_generated"):
                continue
            module = importlib.import_module(info.name)
            for name, obj in vars(module).items():
                if not (name.startswith(("parse_", "read_")) and inspect.isfunction(obj)):
                    continue
                if obj.__module__ != module.__name__:
                    continue
                returns = str(inspect.signature(obj).return_annotation)
                if returns.startswith("Call["):
                    continue
                found.add(f"{info.name.removeprefix('amazon_erp_bridge.')}.{name}")
    return found


@pytest.mark.parametrize("name", _cases(sorted(PARSERS)))
@FUZZ
@given(data=st.data())
def test_parser_gives_a_result_or_a_bridge_error(name, data):
    parse, inputs = PARSERS[name]
    timed_call(parse, data.draw(inputs, label="input"))


def test_every_public_function_is_fuzzed():
    """New mapping functions and parsers are covered, or this names what to add."""
    missing = {
        name: undrawable(function)
        for name, function in mapping_functions().items()
        if undrawable(function)
    }
    assert not missing, (
        "mapping functions whose arguments tests/reliability/test_properties.py cannot draw "
        f"(add a strategy to BY_ANNOTATION): {missing}"
    )
    covered = {name.split("(")[0] for name in PARSERS} | set(NOT_PARSERS)
    unfuzzed = sorted(_public_parse_functions() - covered)
    assert not unfuzzed, (
        f"parsers not fuzzed (add them to PARSERS, or to NOT_PARSERS with a reason): {unfuzzed}"
    )
    assert len(FUZZED_MAPPING) >= 30


def test_fuzzing_found_the_functions_of_the_issue():
    assert {"order_to_m3", "order_to_sap", "settlement_to_journal", "erp_address"} <= set(
        FUZZED_MAPPING
    )
    assert amazon_erp_bridge.__name__ == "amazon_erp_bridge"
    assert Decimal("1") == 1
