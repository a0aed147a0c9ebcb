"""OIS100MI customer orders: batch entry, find by CUOR, resume after a crash, no duplicates."""

import pytest

from amazon_erp_bridge.errors import TransportError, ValidationError
from amazon_erp_bridge.infor import (
    BatchOrderNotReleasedError,
    MiContext,
    MiError,
    MiPage,
    OrderAction,
)
from amazon_erp_bridge.infor import orders as ops
from amazon_erp_bridge.infor.plan import run

from .conftest import CUOR, CUSTOMER, HEAD, LINES


def final_orders(fake):
    return [o for o in fake.state.orders.values() if o.head.get("CUOR") == CUOR]


def test_create_runs_batch_entry_and_returns_the_final_number(m3, fake):
    orno = m3.customer_orders.create(HEAD, LINES)
    assert orno == "1000000001"
    assert [t for t in fake.transactions if t.startswith("OIS100MI")] == [
        "OIS100MI/AddBatchHead",
        "OIS100MI/AddBatchLine",
        "OIS100MI/AddBatchLine",
        "OIS100MI/Confirm",
        "OIS100MI/GetOrderNo",
    ]
    order = fake.state.orders[orno]
    assert [line["ITNO"] for line in order.lines] == ["MUG-01", "TEE-01"]
    assert order.head["CUOR"] == CUOR


def test_find_by_reference_finds_the_final_order(m3):
    orno = m3.customer_orders.create(HEAD, LINES)
    match = m3.customer_orders.find_by_reference(CUSTOMER, CUOR)
    assert match.orno == orno and match.final and not match.temporary
    assert match.status == "44" and match.progress.code == "44"


def test_find_by_reference_lists_both_lists_with_return_cols(m3, fake):
    assert m3.customer_orders.find_by_reference(CUSTOMER, CUOR) is None
    lists = [r for r in fake.router.requests if "Lst" in r.path]
    assert [r.path.rsplit("/", 1)[1] for r in lists] == ["LstHead", "LstBatchHead"]
    assert lists[0].arg("returncols") == "ORNO,CUOR,ORST,ORSL,ORTP"
    assert lists[1].arg("returncols") == "ORNO,CUOR,ORST,ORSL,ORNR,STAT"
    # Long lists are read in pages (positionkey), never all at once with maxrecs=0.
    assert all(r.arg("maxrecs") == "500" for r in lists)


def test_find_by_reference_ignores_other_references(m3):
    m3.customer_orders.create(HEAD | {"CUOR": "111-0000000-0000000"}, LINES)
    assert m3.customer_orders.find_by_reference(CUSTOMER, CUOR) is None


def test_crash_after_add_batch_head_leaves_a_temporary_order_that_is_found(m3, fake):
    fake.crash_after_add_batch_head()
    with pytest.raises(TransportError):
        m3.customer_orders.create(HEAD, LINES)
    match = m3.customer_orders.find_by_reference(CUSTOMER, CUOR)
    assert match.temporary and match.orno.startswith("9")
    assert fake.state.orders == {}


def test_resume_adds_missing_lines_and_confirms(m3, fake):
    fake.crash_after_add_batch_head()
    with pytest.raises(TransportError):
        m3.customer_orders.create(HEAD, LINES)
    temporary = m3.customer_orders.find_by_reference(CUSTOMER, CUOR).orno
    orno = m3.customer_orders.resume(temporary, LINES)
    assert [line["ITNO"] for line in fake.state.orders[orno].lines] == ["MUG-01", "TEE-01"]
    assert fake.state.batch_orders[temporary].final_orno == orno
    match = m3.customer_orders.find_by_reference(CUSTOMER, CUOR)
    assert match.final and match.orno == orno


def test_resume_after_a_crash_between_lines_adds_only_the_rest(m3, fake):
    fake.lose_reply("OIS100MI", "AddBatchLine")  # first line done, reply lost
    with pytest.raises(TransportError):
        m3.customer_orders.create(HEAD, LINES)
    temporary = m3.customer_orders.find_by_reference(CUSTOMER, CUOR).orno
    assert len(fake.state.batch_orders[temporary].lines) == 1
    orno = m3.customer_orders.resume(temporary, LINES)
    assert len(fake.state.orders[orno].lines) == 2


def test_resume_refuses_a_temporary_order_with_more_lines_than_given(m3, fake):
    fake.crash_after_add_batch_head()
    with pytest.raises(TransportError):
        m3.customer_orders.create(HEAD, LINES)
    temporary = m3.customer_orders.find_by_reference(CUSTOMER, CUOR).orno
    m3.execute("OIS100MI", "AddBatchLine", {"ORNO": temporary, "ITNO": "MUG-01", "ORQT": "1"})
    m3.execute("OIS100MI", "AddBatchLine", {"ORNO": temporary, "ITNO": "MUG-01", "ORQT": "1"})
    with pytest.raises(ValidationError, match="already has 2 lines, more than the 1 given"):
        m3.customer_orders.resume(temporary, LINES[:1])


def test_add_retried_after_timeout_makes_no_second_order_when_found_first(m3, fake):
    """The poster's loop: create, time out, look up by CUOR before trying again."""
    fake.crash_after_add_batch_head()
    outcomes = []
    for _attempt in range(3):
        try:
            match = m3.customer_orders.find_by_reference(CUSTOMER, CUOR)
            if match is None:
                outcomes.append(("created", m3.customer_orders.create(HEAD, LINES)))
            elif match.temporary:
                outcomes.append(("resumed", m3.customer_orders.resume(match.orno, LINES)))
            else:
                outcomes.append(("existing", match.orno))
            break
        except TransportError:
            continue
    assert [o[0] for o in outcomes] == ["resumed"]
    assert len(final_orders(fake)) == 1
    assert len(fake.state.batch_orders) == 1
    assert [t for t in fake.transactions if t.endswith("AddBatchHead")] == ["OIS100MI/AddBatchHead"]


def test_naive_retry_without_lookup_would_duplicate(m3, fake):
    """Why the lookup matters: the same Add sent again makes a second temporary order."""
    fake.crash_after_add_batch_head()
    with pytest.raises(TransportError):
        m3.customer_orders.create(HEAD, LINES)
    m3.customer_orders.create(HEAD, LINES)
    assert len(fake.state.batch_orders) == 2


def test_ensure_is_safe_to_call_again_after_any_failure(m3, fake):
    fake.lose_reply("OIS100MI", "Confirm")  # M3 confirmed, the reply was lost
    with pytest.raises(TransportError):
        m3.customer_orders.ensure(HEAD, LINES)
    outcome = m3.customer_orders.ensure(HEAD, LINES)
    assert outcome.action is OrderAction.EXISTING
    assert len(final_orders(fake)) == 1
    again = m3.customer_orders.ensure(HEAD, LINES)
    assert again.orno == outcome.orno and again.action is OrderAction.EXISTING


def test_ensure_resumes_a_temporary_order(m3, fake):
    fake.crash_after_add_batch_head()
    with pytest.raises(TransportError):
        m3.customer_orders.ensure(HEAD, LINES)
    outcome = m3.customer_orders.ensure(HEAD, LINES)
    assert outcome.action is OrderAction.RESUMED
    assert outcome.temporary_orno.startswith("9")
    assert len(final_orders(fake)) == 1


def test_ensure_creates_when_nothing_is_there(m3):
    outcome = m3.customer_orders.ensure(HEAD, LINES)
    assert outcome.action is OrderAction.CREATED


def test_refused_line_deletes_the_temporary_order_and_raises(m3, fake):
    bad = [*LINES, {"ITNO": "NOPE", "ORQT": "1"}]
    with pytest.raises(MiError) as err:
        m3.customer_orders.create(HEAD, bad)
    assert err.value.field == "ITNO" and "Item number NOPE does not exist" in str(err.value)
    assert fake.state.batch_orders == {}
    assert m3.customer_orders.find_by_reference(CUSTOMER, CUOR) is None


def test_line_by_alias_number(m3, fake):
    orno = m3.customer_orders.create(HEAD, [{"POPN": "MUG-SKU", "ALWT": "03", "ORQT": "1"}])
    assert fake.state.orders[orno].lines[0]["ITNO"] == "MUG-01"


def test_unknown_customer_is_an_mi_error(m3):
    with pytest.raises(MiError, match="Customer number NOPE does not exist"):
        m3.customer_orders.create(HEAD | {"CUNO": "NOPE"}, LINES)


def test_order_type_required_on_some_versions(m3, fake):
    fake.state.require_order_type = True
    head = {k: v for k, v in HEAD.items() if k != "ORTP"}
    with pytest.raises(MiError) as err:
        m3.customer_orders.create(head, LINES)
    assert err.value.field == "ORTP" and err.value.error_type == "MandatoryInputFieldNotFound"


@pytest.mark.contracts_exempt("sends a request M3 refuses, on purpose")
def test_bad_date_is_refused_by_m3(m3):
    with pytest.raises(MiError, match="Date 2026-03-17 in CUDT is invalid"):
        m3.customer_orders.create(HEAD | {"CUDT": "2026-03-17"}, LINES)


@pytest.mark.parametrize(
    ("head", "lines", "words"),
    [
        ({"CUOR": "X"}, LINES, "order head CUNO"),
        (HEAD | {"CUOR": "X" * 21}, LINES, "is 21 characters; M3 holds 20"),
        (HEAD, [], "at least one line"),
        (HEAD, [{"ORQT": "1"}], "order line 1: needs ITNO"),
        (HEAD, [{"ITNO": "A", "ORNO": "1"}], "must not carry ORNO"),
        (HEAD, {"ITNO": "A"}, "got one record"),
    ],
)
def test_bad_heads_and_lines_are_refused_before_sending(m3, fake, head, lines, words):
    with pytest.raises(ValidationError, match=words):
        m3.customer_orders.create(head, lines)
    assert fake.transactions == []


def test_find_by_reference_checks_its_arguments(m3):
    with pytest.raises(ValidationError, match="CUOR"):
        m3.customer_orders.find_by_reference(CUSTOMER, " ")
    with pytest.raises(ValidationError, match="customer"):
        m3.customer_orders.find_by_reference("", CUOR)


def test_ensure_needs_cuor(m3):
    head = {k: v for k, v in HEAD.items() if k != "CUOR"}
    with pytest.raises(ValidationError, match="CUOR .* is needed"):
        m3.customer_orders.ensure(head, LINES)


def test_head_status_and_lines_read_back(m3):
    orno = m3.customer_orders.create(HEAD, LINES)
    head = m3.customer_orders.get_head(orno)
    assert (head.orno, head.customer, head.cuor, head.order_type) == (orno, CUSTOMER, CUOR, "AMZ")
    assert head.order_date is not None
    assert m3.customer_orders.status(orno).describe() == "44 on a picking list"
    lines = m3.customer_orders.lines(orno)
    assert [(line.line, line.item, str(line.quantity), str(line.price)) for line in lines] == [
        (1, "MUG-01", "2", "12.50"),
        (2, "TEE-01", "1", "19.99"),
    ]


def test_delete_temporary(m3, fake):
    fake.crash_after_add_batch_head()
    with pytest.raises(TransportError):
        m3.customer_orders.create(HEAD, LINES)
    temporary = m3.customer_orders.find_by_reference(CUSTOMER, CUOR).orno
    m3.customer_orders.delete_temporary(temporary)
    assert m3.customer_orders.find_by_reference(CUSTOMER, CUOR) is None


# -------------------------------------------------------------- plans, fed by hand
def feed(plan, answers):
    """Run a plan with canned answers; return the calls it made and its result."""
    calls = []
    replies = iter(answers)

    def send(call):
        calls.append(call)
        answer = next(replies)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return calls, run(send, plan)


def test_confirm_without_final_number_is_a_posting_error():
    ctx = MiContext("100")
    errors = [{"MSID": "OI00123", "MDTA": "Customer AMZ_US is blocked", "LEVL": "1"}]
    with pytest.raises(BatchOrderNotReleasedError, match="Customer AMZ_US is blocked") as err:
        feed(
            ops.create(ctx, HEAD, LINES[:1]),
            [[{"ORNO": "9001"}], [], [], [{"ORNR": ""}], errors],
        )
    assert err.value.temporary_orno == "9001"
    assert [e.message_id for e in err.value.errors] == ["OI00123"]


def test_add_batch_head_without_number_is_an_mi_error():
    with pytest.raises(MiError, match="without an order number"):
        feed(ops.create(MiContext(), HEAD, LINES[:1]), [[{"ORNO": ""}]])


def test_plan_prefers_final_orders_and_confirmed_batches():
    heads = [{"ORNO": "1002", "CUOR": CUOR, "ORST": "77"}, {"ORNO": "1003", "CUOR": "other"}]
    batches = [
        {"ORNO": "9001", "CUOR": CUOR, "ORNR": "1001", "ORST": "22"},
        {"ORNO": "9002", "CUOR": CUOR, "ORNR": ""},
    ]
    pages = [MiPage(tuple(heads)), MiPage(tuple(batches))]
    calls, matches = feed(ops.find_all_by_reference(MiContext(), CUSTOMER, CUOR), pages)
    assert [(m.orno, m.temporary) for m in matches] == [
        ("1001", False),
        ("1002", False),
        ("9002", True),
    ]
    assert [c.path.rsplit("/", 1)[1] for c in calls] == ["LstHead", "LstBatchHead"]


def test_cleanup_failure_still_raises_the_line_error():
    nok = MiError("Item number X does not exist", program="OIS100MI", transaction="AddBatchLine")
    gone = MiError(
        "Order number 9001 does not exist", program="OIS100MI", transaction="DelBatchHead"
    )
    with pytest.raises(MiError, match="Item number X"):
        feed(ops.create(MiContext(), HEAD, LINES[:1]), [[{"ORNO": "9001"}], nok, gone])
