"""GLS840MI journals: PARM layout as data, batch posting keyed by settlement id, lookups."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amazon_erp_bridge.errors import ConfigurationError, TransportError, ValidationError
from amazon_erp_bridge.infor import (
    DEFAULT_PARM_LAYOUT,
    GlBatchLookup,
    MiError,
    ParmField,
    ParmLayout,
)
from amazon_erp_bridge.model import JournalEntry, JournalLine, Money

from .conftest import make_client

SETTLEMENT = "12345678901"


def entry(reference=SETTLEMENT, amount="10.00", currency="USD", **line_kw):
    return JournalEntry(
        reference,
        date(2026, 3, 17),
        (
            JournalLine("1100", Money.of(amount, currency), dimensions={"AIT2": "US"}, **line_kw),
            JournalLine("4000", -Money.of(amount, currency), text="Amazon sales"),
        ),
        text="Settlement 12345678901",
    )


def test_default_layout_places_values_at_fixed_positions():
    e = entry()
    parm = DEFAULT_PARM_LAYOUT.render(e, e.lines[0], 1)
    assert parm[0:10] == "1100      "
    assert parm[10:20] == "US        "
    assert parm[70:73] == "USD"
    assert parm[73:90] == "10.00".rjust(17)
    assert parm[90:98] == "20260317"
    assert parm[98:].strip() == "Settlement 12345678901"
    values = DEFAULT_PARM_LAYOUT.parse(DEFAULT_PARM_LAYOUT.render(e, e.lines[1], 2))
    assert (
        values["AIT1"] == "4000"
        and values["CUAM"] == "-10.00"
        and values["VTXT"] == ("Amazon sales")
    )


@given(st.decimals(min_value=Decimal("-99999999"), max_value=Decimal("99999999"), places=2))
def test_amounts_round_trip_exactly_through_parm(value):
    if value == 0:
        value = Decimal("0.01")
    e = entry(amount=str(abs(value)))
    parsed = DEFAULT_PARM_LAYOUT.parse(DEFAULT_PARM_LAYOUT.render(e, e.lines[1], 2))
    assert Decimal(parsed["CUAM"]) == -abs(value)


def test_user_layout_with_constants_and_key():
    layout = ParmLayout(
        [
            ParmField("ACC", 1, 8, "account"),
            ParmField("AMT", 9, 12, "amount", right=True),
            ParmField("KEY", 21, 15, "key1"),
            ParmField("SRC", 36, 3, "const:AMZ"),
            ParmField("N", 39, 4, "line_number", right=True),
        ],
        interface="MYINTF",
        amount_decimals=None,
    )
    e = entry()
    expected = "4000    " + "-10.00".rjust(12) + "K1".ljust(15) + "AMZ" + "   7"
    assert layout.render(e, e.lines[1], 7, "K1") == expected


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ([ParmField("A", 1, 10, "account"), ParmField("B", 5, 10, "amount")], "overlap"),
        ([ParmField("A", 1, 10, "account")], "no 'amount' field"),
        ([ParmField("B", 1, 10, "amount")], "no 'account' field"),
        ([ParmField("A", 1, 10, "account"), ParmField("B", 895, 10, "amount")], "past the 900"),
        ([ParmField("A", 0, 10, "account"), ParmField("B", 20, 10, "amount")], ">= 1"),
        ([], "no fields"),
    ],
)
def test_bad_layouts_are_configuration_errors(fields, words):
    with pytest.raises(ConfigurationError, match=words):
        ParmLayout(fields)


def test_unknown_source_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match="source 'acct' is unknown"):
        ParmField("A", 1, 10, "acct")


def test_value_too_long_for_its_field_names_line_and_positions():
    e = JournalEntry(
        SETTLEMENT,
        date(2026, 3, 17),
        (
            JournalLine("12345678901", Money.of("1", "USD")),
            JournalLine("4000", Money.of("-1", "USD")),
        ),
    )
    with pytest.raises(
        ValidationError, match=r"journal 12345678901 line 1: AIT1 .* positions 1-10"
    ):
        DEFAULT_PARM_LAYOUT.render(e, e.lines[0], 1)


def test_dimension_without_a_place_is_refused_not_dropped():
    e = entry()
    line = JournalLine("1100", Money.of("1", "USD"), dimensions={"cost_center": "X"})
    with pytest.raises(ValidationError, match=r"dimensions \['cost_center'\] have no place"):
        DEFAULT_PARM_LAYOUT.render(e, line, 1)


def test_amount_with_more_decimals_than_the_layout_is_refused():
    e = entry(amount="10.005")
    with pytest.raises(ValidationError, match="has more than 2 decimals"):
        DEFAULT_PARM_LAYOUT.render(e, e.lines[0], 1)


def test_post_journal_adds_head_lines_controls_and_updates(m3, fake):
    posting = m3.gl.post_journal(entry())
    assert (posting.key1, posting.lines, posting.controlled, posting.updated) == (
        SETTLEMENT,
        2,
        True,
        True,
    )
    batch = fake.state.gl_batches[SETTLEMENT]
    assert batch.status == "posted"
    assert batch.head["INTN"] == "AMZSETTLE" and batch.head["CONO"] == "100"
    assert batch.head["DESC"] == "Settlement 12345678901"
    assert [t for t in fake.transactions if t.startswith("GLS840MI")] == [
        "GLS840MI/AddBatchHead",
        "GLS840MI/AddBatchLine",
        "GLS840MI/AddBatchLine",
        "GLS840MI/CtrlBatch",
        "GLS840MI/UpdBatch",
    ]
    bulk = [r for r in fake.router.requests if r.method == "POST" and r.path.endswith("/execute")]
    assert len(bulk) == 1  # both lines in one bulk request


def test_find_batch_before_and_after_posting(m3, fake):
    assert m3.gl.find_batch(SETTLEMENT) is None
    m3.gl.post_journal(entry(), update=False)
    batch = m3.gl.find_batch(SETTLEMENT)
    assert (batch.key1, batch.interface, batch.status) == (SETTLEMENT, "AMZSETTLE", "20")
    request = [r for r in fake.router.requests if r.path.endswith("/GetFGLINH00")][-1]
    assert (request.arg("CONO"), request.arg("DIVI"), request.arg("KEY1")) == (
        "100",
        "AAA",
        SETTLEMENT,
    )


def test_find_batch_with_a_user_lookup(m3):
    m3.gl.post_journal(entry())
    lookup = GlBatchLookup(fields={"KEY1": "{KEY1}"})
    assert m3.gl.find_batch(SETTLEMENT, lookup=lookup).status == "90"
    bad = GlBatchLookup(fields={"KEY1": "{SETTLEMENT}"})
    with pytest.raises(ConfigurationError, match="unknown placeholder"):
        m3.gl.find_batch(SETTLEMENT, lookup=bad)


def test_posting_the_same_settlement_again_is_refused(m3):
    m3.gl.post_journal(entry())
    with pytest.raises(MiError, match="Key value 12345678901 already exists"):
        m3.gl.post_journal(entry())


def test_crash_while_adding_lines_is_finished_with_resume(m3, fake):
    fake.lose_reply("GLS840MI", "AddBatchLine")  # the bulk request ran, its reply was lost
    with pytest.raises(TransportError):
        m3.gl.post_journal(entry())
    found = m3.gl.find_batch(SETTLEMENT)
    assert found.status == "10"  # open: lines added, not controlled
    posting = m3.gl.post_journal(entry(), resume=True)
    assert posting.resumed and posting.updated
    assert fake.state.gl_batches[SETTLEMENT].status == "posted"
    assert len(fake.state.gl_batches[SETTLEMENT].lines) == 2


def test_crash_after_control_is_finished_with_resume(m3, fake):
    fake.lose_reply("GLS840MI", "CtrlBatch")
    with pytest.raises(TransportError):
        m3.gl.post_journal(entry())
    assert m3.gl.find_batch(SETTLEMENT).status == "20"
    assert m3.gl.post_journal(entry(), resume=True).updated
    assert fake.state.gl_batches[SETTLEMENT].status == "posted"


def test_a_posted_batch_is_not_posted_twice_even_with_resume(m3):
    m3.gl.post_journal(entry())
    with pytest.raises(MiError, match="already updated"):
        m3.gl.post_journal(entry(), resume=True)


def test_ctrl_batch_refusal_surfaces(m3, fake):
    fake.state.gl_accounts = {"4000"}
    with pytest.raises(MiError, match="account 1100 does not exist") as err:
        m3.gl.post_journal(entry())
    assert err.value.transaction == "CtrlBatch"
    assert fake.state.gl_batches[SETTLEMENT].status == "open"


def test_unknown_interface_is_an_mi_error(m3):
    layout = ParmLayout(DEFAULT_PARM_LAYOUT.fields, interface="NOPE")
    with pytest.raises(MiError) as err:
        m3.gl.post_journal(entry(), layout=layout)
    assert err.value.field == "INTN"


def test_key1_longer_than_15_is_refused_before_sending(m3, fake):
    with pytest.raises(ValidationError, match="is 16 characters; M3 holds 15"):
        m3.gl.post_journal(entry(reference="1234567890123456"))
    assert fake.transactions == []
    assert m3.gl.post_journal(entry(reference="1234567890123456"), key1="S-123").key1 == "S-123"


def test_gl_needs_a_company(fake, clock):
    m3 = make_client(fake, clock, cono=None)
    with pytest.raises(ConfigurationError, match="GLS840MI needs the company"):
        m3.gl.post_journal(entry())


def test_many_lines_go_in_several_bulk_requests(m3, fake):
    from amazon_erp_bridge.infor import gl
    from amazon_erp_bridge.infor.plan import run

    lines = tuple(
        JournalLine("1100" if n % 2 else "4000", Money.of("1.00" if n % 2 else "-1.00", "USD"))
        for n in range(1, 7)
    )
    e = JournalEntry("S-MANY", date(2026, 3, 17), lines)
    posting = run(m3.sender.send, gl.post_journal(m3.context, e, lines_per_request=4))
    assert posting.lines == 6
    bulk = [r for r in fake.router.requests if r.method == "POST" and r.path.endswith("/execute")]
    assert len(bulk) == 2
