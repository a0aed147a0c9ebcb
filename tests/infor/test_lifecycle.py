"""Order lifecycle and money on M3: address, gift texts, charges, batch errors, cancellations,
returns, tracking numbers, VAT codes and GL reversal (issues 13 and 14, M3 parts)."""

import re
from datetime import date
from decimal import Decimal

import pytest

from amazon_erp_bridge.errors import TransportError, ValidationError
from amazon_erp_bridge.infor import (
    VAT_PARM_LAYOUT,
    BatchOrderNotReleasedError,
    CancelRule,
    LineAction,
    OrderCharge,
    OrderText,
    ReturnLine,
    ReturnRequest,
)
from amazon_erp_bridge.infor import gl as gl_ops
from amazon_erp_bridge.model import JournalEntry, JournalLine, Money
from tests.contracts.m3 import check_request

from .conftest import CUSTOMER, HEAD, LINES

ADDRESS = {
    "ADRT": "1",
    "CUNM": "Jane Buyer",
    "CUA1": "1 Main St",
    "TOWN": "Seattle",
    "PONO": "98101",
    "ECAR": "WA",
    "CSCD": "US",
    "PHNO": "2065550100",
}


def sent(fake, transaction):
    return [
        {k: v[0] for k, v in r.query.items() if k[:1].isupper()}
        for r in fake.router.requests
        if r.path.endswith(f"/{transaction}")
    ]


# ------------------------------------------------------------------ create with extras
def test_order_goes_with_its_delivery_address_gift_message_and_charges(m3, fake):
    gift = "Happy birthday, Sam! " * 5  # 105 characters: two text lines
    orno = m3.customer_orders.create(
        HEAD,
        LINES,
        address=ADDRESS,
        texts=[OrderText(gift, line=1)],
        charges=[
            OrderCharge("FRT", Decimal("4.99")),
            OrderCharge("GIFT", Decimal("2.50"), line=1),
        ],
    )
    order = fake.state.orders[orno]
    assert order.addresses["1"]["CUNM"] == "Jane Buyer"
    assert "".join(t["PARM"] for t in order.texts) == gift
    assert {t["TYPE"] for t in order.texts} == {"2"} and {t["PONR"] for t in order.texts} == {"1"}
    assert [(c["CRID"], c["CRAM"], c["PONR"]) for c in order.charges] == [
        ("FRT", "4.99", ""),
        ("GIFT", "2.50", "1"),
    ]
    for transaction in ("AddBatchAddress", "AddBatchText", "AddBatchHeadChg", "AddBatchLineChg"):
        for record in sent(fake, transaction):
            assert check_request("OIS100MI", transaction, record) == []
    m3.deliveries.confirm_shipped(orno)
    (invoice,) = m3.invoices.by_order(orno)
    assert invoice.gross == Decimal("44.99") + Decimal("4.99") + Decimal("2.50")


def test_ensure_passes_address_texts_and_charges_when_it_creates(m3, fake):
    outcome = m3.customer_orders.ensure(
        HEAD, LINES, address=ADDRESS, charges=[OrderCharge("FRT", Decimal("1"))]
    )
    assert fake.state.orders[outcome.orno].charges[0]["CRID"] == "FRT"


def test_an_unknown_charge_code_is_refused_and_the_batch_order_removed(m3, fake):
    fake.state.charge_codes = {"FRT"}
    with pytest.raises(Exception, match="Charge NOPE does not exist"):
        m3.customer_orders.create(HEAD, LINES, charges=[OrderCharge("NOPE", Decimal("1"))])
    assert fake.state.batch_orders == {}


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: OrderCharge("", Decimal("1")), "charge code (CRID)"),
        (lambda: OrderCharge("TOOLONGX", Decimal("1")), "1-6 characters"),
        (lambda: OrderCharge("FRT", 1.5), "finite Decimal"),
        (lambda: OrderCharge("FRT", Decimal("NaN")), "finite Decimal"),
        (lambda: OrderCharge("FRT", Decimal("1e20")), "too large"),
        (lambda: OrderCharge("FRT", Decimal("1"), line=0), "line (PONR)"),
        (lambda: OrderCharge("FRT", Decimal("1"), line=1, tax_code="A"), "no currency or tax"),
        (lambda: OrderText(""), "non-empty text"),
        (lambda: OrderText("x", kind=7), "TYTR"),
        (lambda: OrderText("x", line=0), "PONR"),
    ],
)
def test_bad_charges_and_texts_are_validation_errors(make, words):
    with pytest.raises(ValidationError, match=re.escape(words)):
        make()


def test_a_charge_for_a_line_the_order_does_not_have_is_refused_before_sending(m3, fake):
    with pytest.raises(ValidationError, match="the order has 2 lines"):
        m3.customer_orders.create(HEAD, LINES, charges=[OrderCharge("X", Decimal("1"), line=3)])
    with pytest.raises(ValidationError, match="ADRT"):
        m3.customer_orders.create(HEAD, LINES, address={"CUNM": "x"})
    assert fake.state.batch_orders == {}


def test_an_unreleased_batch_order_says_what_lst_err_msg_order_lists(m3, fake):
    fake.state.confirm_errors[HEAD["CUOR"]] = ["Customer AMZ_US is blocked for orders"]
    with pytest.raises(BatchOrderNotReleasedError) as err:
        m3.customer_orders.create(HEAD, LINES)
    assert "Customer AMZ_US is blocked for orders" in str(err.value)
    assert "OIS275" not in str(err.value)
    assert err.value.errors[0].text == "Customer AMZ_US is blocked for orders"
    assert m3.customer_orders.list_batch_errors(err.value.temporary_orno) == list(err.value.errors)


# ------------------------------------------------------------------------- cancellation
def test_cancel_deletes_lines_not_yet_allocated(m3, fake):
    fake.state.auto_release = False
    orno = m3.customer_orders.create(HEAD, LINES)
    outcome = m3.customer_orders.update_cancellation(orno, reason="CAN")
    assert [c.action for c in outcome.lines] == [LineAction.DELETED, LineAction.DELETED]
    assert fake.state.orders[orno].lines == [] and outcome.complete
    assert sent(fake, "DelLine")[0] == {"ORNO": orno, "PONR": "1", "POSX": "0", "RSCD": "CAN"}


def test_cancel_closes_released_lines_and_is_safe_to_repeat(m3, fake):
    orno = m3.customer_orders.create(HEAD, LINES)  # released: status 44
    first = m3.customer_orders.update_cancellation(orno)
    assert [c.action for c in first.lines] == [LineAction.CLOSED, LineAction.CLOSED]
    assert fake.state.orders[orno].orst == "99"
    again = m3.customer_orders.update_cancellation(orno)
    assert [c.action for c in again.lines] == [LineAction.ALREADY_CLOSED] * 2
    assert again.changed == ()


def test_cancel_reports_delivered_lines_and_does_not_touch_them(m3, fake):
    orno = m3.customer_orders.create(HEAD, LINES)
    m3.deliveries.confirm_shipped(orno)
    outcome = m3.customer_orders.update_cancellation(orno)
    assert [c.action for c in outcome.delivered] == [LineAction.DELIVERED] * 2
    assert not outcome.complete and sent(fake, "CloLine") == [] and sent(fake, "DelLine") == []
    assert fake.state.orders[orno].orst == "77"


def test_cancel_rule_is_data():
    rule = CancelRule(close_from="23")
    assert rule.action("22") is LineAction.DELETED and rule.action("23") is LineAction.CLOSED
    assert (
        rule.action("77") is LineAction.DELIVERED and rule.action("99") is LineAction.ALREADY_CLOSED
    )


def test_cancel_bad_input_is_a_validation_error(m3):
    with pytest.raises(ValidationError, match="order number"):
        m3.customer_orders.update_cancellation("  ")
    with pytest.raises(ValidationError, match="RSCD"):
        m3.customer_orders.update_cancellation("1000000001", reason="TOOLONG")


# ------------------------------------------------------------------------------ returns
def request(orno, **kw):
    return ReturnRequest(
        kw.pop("amazon_return_id", "RMA-113-1"),
        orno,
        "FBA",
        [ReturnLine(Decimal("1"), order_line=1, reason="DEF")],
        return_date=date(2026, 3, 20),
        **kw,
    )


def test_a_return_is_created_once_per_amazon_return_id(m3, fake):
    orno = m3.customer_orders.create(HEAD, LINES)
    m3.deliveries.confirm_shipped(orno)
    created, new = m3.customer_returns.ensure(request(orno))
    assert new and created.order == orno and created.customer == CUSTOMER
    assert created.amazon_return_id == "RMA-113-1"
    found, again = m3.customer_returns.ensure(request(orno))
    assert not again and found.repn == created.repn
    assert len(fake.state.returns) == 1
    (line,) = m3.customer_returns.list("FBA", created.repn)
    assert line["ITNO"] == "MUG-01" and line["ORNO"] == orno
    assert m3.customer_returns.find_by_amazon_id("RMA-OTHER", order=orno, warehouse="FBA") is None
    head = sent(fake, "AddHead")[0]
    assert head["YREF"] == "RMA-113-1" and head["RORN"] == orno
    assert check_request("OIS390MI", "AddHead", head) == []
    assert check_request("OIS390MI", "AddLine", sent(fake, "AddLine")[0]) == []


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: request("1", amazon_return_id="R" * 31), "31 characters; M3 holds 30"),
        (lambda: request(""), "original order"),
        (lambda: ReturnRequest("R1", "1", "FBA", []), "no lines"),
        (lambda: ReturnLine(Decimal("0"), order_line=1), "must be > 0"),
        (lambda: ReturnLine(Decimal("1")), "order line or the item"),
        (lambda: ReturnLine(Decimal("1"), item="X" * 16), "ITNO"),
        (lambda: ReturnRequest("R1", "1", "FBA", [{"quantity": 1}]), "ReturnLine"),
    ],
)
def test_bad_returns_are_validation_errors(make, words):
    with pytest.raises(ValidationError, match=re.escape(words)):
        make()


def test_a_return_for_an_order_m3_does_not_have_is_an_mi_error(m3):
    with pytest.raises(Exception, match="Order number 1999999999 does not exist"):
        m3.customer_returns.ensure(request("1999999999"))


# ------------------------------------------------------------------------------ tracking
def test_a_tracking_number_is_stored_on_the_delivery_once(m3, fake):
    orno = m3.customer_orders.create(HEAD, LINES)
    (dlix,) = [d.dlix for d in fake.state.deliveries.values() if d.orno == orno]
    first = m3.deliveries.add_tracking(dlix, "1Z999AA10123456784", packaging="BOX")
    again = m3.deliveries.add_tracking(dlix, "1Z999AA10123456784")
    assert first.created and not again.created and first.package == again.package
    assert m3.deliveries.list_tracking(dlix) == ["1Z999AA10123456784"]
    assert check_request("MWS423MI", "AddPackage", sent(fake, "AddPackage")[0]) == []


@pytest.mark.parametrize(
    ("dlix", "tracking", "words"),
    [
        ("", "1Z", "DLIX"),
        ("ABC", "1Z", "DLIX"),
        ("5000001", "", "1-30"),
        ("5000001", "T" * 31, "ETRN"),
    ],
)
def test_bad_tracking_input_is_a_validation_error(m3, dlix, tracking, words):
    with pytest.raises(ValidationError, match=words):
        m3.deliveries.add_tracking(dlix, tracking)


# ---------------------------------------------------------------------------------- GL
def entry(reference="31000000001"):
    return JournalEntry(
        reference=reference,
        posting_date=date(2026, 3, 17),
        lines=(
            JournalLine("6110", Money("10.00", "GBP"), dimensions={"VTCD": "20"}),
            JournalLine("2640", Money("2.00", "GBP"), dimensions={"VTCD": "20"}),
            JournalLine("1930", Money("-12.00", "GBP")),
        ),
    )


def test_journal_lines_carry_their_vat_code(m3, fake):
    m3.gl.post_journal(entry(), layout=VAT_PARM_LAYOUT)
    batch = fake.state.gl_batches["31000000001"]
    assert batch.lines[1][138:140] == "20" and batch.lines[3][138:140].strip() == ""
    assert VAT_PARM_LAYOUT.parse(batch.lines[2])["VTCD"] == "20"


def test_a_posted_journal_is_reversed_once_with_a_counter_batch(m3, fake):
    m3.gl.post_journal(entry(), layout=VAT_PARM_LAYOUT)
    first = m3.gl.reverse_journal(entry(), posting_date=date(2026, 3, 31), layout=VAT_PARM_LAYOUT)
    assert first.posted_now and first.key1 == "R31000000001"
    reversal = fake.state.gl_batches["R31000000001"]
    assert reversal.status == "posted"
    values = [VAT_PARM_LAYOUT.parse(p) for _, p in sorted(reversal.lines.items())]
    assert [v["CUAM"] for v in values] == ["-10.00", "-2.00", "12.00"]
    assert {v["ACDT"] for v in values} == {"20260331"}
    again = m3.gl.reverse_journal(entry(), posting_date=date(2026, 3, 31), layout=VAT_PARM_LAYOUT)
    assert not again.posted_now and len(fake.state.gl_batches) == 2


def test_reversing_a_journal_m3_does_not_have_is_refused(m3):
    with pytest.raises(ValidationError, match="nothing to reverse"):
        m3.gl.reverse_journal(entry("31000000404"), posting_date=date(2026, 3, 31))


def test_reversal_keys_fit_key1():
    assert gl_ops.reversal_key("123456789012345") == "R23456789012345"
    with pytest.raises(ValidationError, match="prefix"):
        gl_ops.reversal_key("1", prefix="")


# --------------------------------------------------------------------------------- async
async def test_async_twins_return_and_cancel(am3, fake):
    orno = await am3.customer_orders.create(HEAD, LINES, address=ADDRESS)
    outcome = await am3.customer_orders.update_cancellation(orno)
    assert {c.action for c in outcome.lines} == {LineAction.CLOSED}
    other = await am3.customer_orders.create(HEAD | {"CUOR": "111-0000000-0000001"}, LINES)
    _, created = await am3.customer_returns.ensure(request(other))
    _, again = await am3.customer_returns.ensure(request(other))
    assert created and not again
    (dlix,) = [d.dlix for d in fake.state.deliveries.values() if d.orno == other]
    assert (await am3.deliveries.add_tracking(dlix, "TRACK1")).created
    assert CUSTOMER in {o.head["CUNO"] for o in fake.state.orders.values()}


# ------------------------------------------------------------------------ resume extras
def test_a_crash_before_the_lines_is_resumed_with_address_texts_and_charges(m3, fake):
    fake.crash_after_add_batch_head()
    extras = {
        "address": ADDRESS,
        "texts": [OrderText("Gift for you", line=1)],
        "charges": [OrderCharge("FRT", Decimal("4.99"))],
    }
    with pytest.raises(TransportError):
        m3.customer_orders.create(HEAD, LINES, **extras)
    outcome = m3.customer_orders.ensure(HEAD, LINES, **extras)
    order = fake.state.orders[outcome.orno]
    assert outcome.action.value == "resumed"
    assert order.addresses["1"]["CUNM"] == "Jane Buyer"
    assert [t["PARM"] for t in order.texts] == ["Gift for you"]
    assert [c["CRID"] for c in order.charges] == ["FRT"]


def test_a_crash_after_the_charges_is_resumed_without_doubling_them(m3, fake):
    fake.lose_reply("OIS100MI", "Confirm")
    extras = {"texts": [OrderText("Gift", line=1)], "charges": [OrderCharge("FRT", Decimal("1"))]}
    fake.state.auto_release = False
    with pytest.raises(TransportError):
        m3.customer_orders.create(HEAD, LINES, **extras)
    (batch,) = fake.state.batch_orders.values()
    orno = batch.final_orno  # Confirm did its work before the reply was lost
    assert orno
    outcome = m3.customer_orders.ensure(HEAD, LINES, **extras)
    assert outcome.orno == orno and outcome.action.value == "existing"
    assert [c["CRID"] for c in fake.state.orders[orno].charges] == ["FRT"]


def test_resume_skips_a_charge_that_already_exists_and_does_not_repeat_texts(m3, fake):
    temporary = fake.add_temporary_order(CUSTOMER, HEAD["CUOR"], LINES, ORTP="AMZ", WHLO="FBA")
    fake.state.batch_orders[temporary].charges.append({"CRID": "FRT", "CRAM": "1", "PONR": ""})
    fake.state.batch_orders[temporary].texts.append({"TYPE": "2", "PONR": "1", "PARM": "Gift"})
    orno = m3.customer_orders.resume(
        temporary,
        LINES,
        texts=[OrderText("Gift", line=1)],
        charges=[OrderCharge("FRT", Decimal("1")), OrderCharge("WRAP", Decimal("2"))],
    )
    order = fake.state.orders[orno]
    assert [c["CRID"] for c in order.charges] == ["FRT", "WRAP"]
    assert [t["PARM"] for t in order.texts] == ["Gift"]
