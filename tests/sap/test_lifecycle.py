"""Order lifecycle and money on SAP: sap-client everywhere, cancelled orders' open items
rejected, returns as customer returns or credit memo requests (once each), pricing elements
for charges and taxes, journal tax and receivable lines, billing totals read back."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.model import Money
from amazon_erp_bridge.sandbox.sap import PASSWORD, USER, FakeSap
from amazon_erp_bridge.sap import (
    AsyncODataClient,
    AsyncReturnDocumentService,
    AsyncSalesOrderService,
    BillingDocumentService,
    DeliveryLine,
    JournalEntryService,
    ODataClient,
    ODataError,
    OutboundDeliveryService,
    ReturnDocumentService,
    SalesOrderService,
    basic,
    pricing_element,
)
from amazon_erp_bridge.sap import sales_orders as so
from amazon_erp_bridge.sap.journal_entries import Posting, Reversal, post_journal_entry
from tests.sap.conftest import BASE_URL, PO, no_sleep, order_payload
from tests.sap.test_contracts import entry

NS = "{http://sap.com/xi/SAPSCORE/SFIN}"


def _client(fake: FakeSap, **kw: Any) -> ODataClient:
    return ODataClient(BASE_URL, auth=basic(USER, PASSWORD), transport=fake.transport(), **kw)


# ----------------------------------------------------------------------------- sap-client


def test_sap_client_goes_on_every_request(fake: FakeSap) -> None:
    with _client(fake, sap_client="100") as client:
        orders = SalesOrderService(client)
        order = orders.create(order_payload())
        client.batch(SalesOrderService.PATH, [so.read_sales_order(order.sales_order)])
        JournalEntryService(client, created_by_user=USER, company_code="1010").post(entry())
        list(orders.search())
    seen = fake.router.requests
    assert seen and all(r.query.get("sap-client") == ["100"] for r in seen)
    kinds = {(r.method, r.path.rsplit("/", 1)[-1]) for r in seen}
    assert any(r.headers.get("x-csrf-token") == "Fetch" for r in seen)  # the CSRF fetch
    assert ("POST", "$batch") in kinds
    assert ("POST", "journalentrycreaterequestconfi") in kinds


async def test_the_async_client_sends_sap_client_too(fake: FakeSap) -> None:
    async with AsyncODataClient(
        BASE_URL,
        auth=basic(USER, PASSWORD),
        transport=fake.transport(),
        sleep=no_sleep,
        sap_client="100",
    ) as client:
        assert client.sap_client == "100"
        await AsyncSalesOrderService(client).create(order_payload())
    assert all(r.query.get("sap-client") == ["100"] for r in fake.router.requests)


def test_a_client_the_system_does_not_have_is_refused(fake: FakeSap) -> None:
    with _client(fake, sap_client="200") as client, pytest.raises(ODataError, match="200"):
        SalesOrderService(client).get("1")


@pytest.mark.parametrize("value", ["1", "1000", "abc", ""])
def test_sap_client_must_be_three_digits(fake: FakeSap, value: str) -> None:
    with pytest.raises(ValidationError, match="sap_client"):
        _client(fake, sap_client=value)


# ----------------------------------------------------------------------------- cancellations


def test_cancellation_rejects_open_items_and_reports_delivered_ones(
    fake: FakeSap, client: ODataClient
) -> None:
    orders = SalesOrderService(client)
    order = orders.create(order_payload())
    OutboundDeliveryService(client).create_for_sales_order(order.sales_order, [DeliveryLine("10")])
    result = orders.update_rejection(order.sales_order, "50")
    assert (result.rejected, result.delivered, result.complete) == (("20",), ("10",), False)
    again = orders.update_rejection(order.sales_order, "50")
    assert (again.rejected, again.already_rejected) == ((), ("20",))
    read = orders.get(order.sales_order)
    assert {i.sales_order_item: i.rejection_reason for i in read.items} == {"10": None, "20": "50"}
    assert read.overall_sd_document_rejection_sts == "B"
    patches = [r for r in fake.router.requests if r.method == "PATCH"]
    assert len(patches) == 1
    assert "SalesOrderItem='20'" in patches[0].path
    assert json.loads(patches[0].body) == {"SalesDocumentRjcnReason": "50"}


def test_an_order_with_nothing_delivered_is_rejected_completely(client: ODataClient) -> None:
    orders = SalesOrderService(client)
    order = orders.create(order_payload())
    result = orders.update_rejection(order.sales_order, "50")
    assert result.complete and result.rejected == ("10", "20")
    assert orders.get(order.sales_order).overall_sd_document_rejection_sts == "C"


@pytest.mark.parametrize("reason", ["", "ABC"])
def test_rejection_reason_must_fit_the_field(client: ODataClient, reason: str) -> None:
    order = SalesOrderService(client).create(order_payload())
    with pytest.raises(ValidationError, match="SalesDocumentRjcnReason"):
        SalesOrderService(client).update_rejection(order.sales_order, reason)


def test_the_fake_refuses_to_reject_a_delivered_item(client: ODataClient) -> None:
    orders = SalesOrderService(client)
    order = orders.create(order_payload())
    OutboundDeliveryService(client).create_for_sales_order(order.sales_order, [DeliveryLine("10")])
    item = orders.get(order.sales_order).items[0]
    with pytest.raises(ODataError, match="cannot be rejected"):
        client.service(SalesOrderService.PATH).send(so.reject_item(order.sales_order, item, "50"))


def test_find_by_amazon_id(client: ODataClient) -> None:
    orders = SalesOrderService(client)
    assert orders.find_by_amazon_id(PO) is None
    created = orders.create(order_payload())
    found = orders.find_by_amazon_id(PO)
    assert found is not None and found.sales_order == created.sales_order and found.items


async def test_async_twins_reject_and_return(fake: FakeSap) -> None:
    async with AsyncODataClient(
        BASE_URL, auth=basic(USER, PASSWORD), transport=fake.transport(), sleep=no_sleep
    ) as client:
        orders = AsyncSalesOrderService(client)
        order = await orders.create(order_payload())
        assert (await orders.find_by_amazon_id(PO)) is not None
        result = await orders.update_rejection(order.sales_order, "50")
        assert result.rejected == ("10", "20")
        returns = AsyncReturnDocumentService(client, kind="credit_memo_request")
        first = await returns.create(_return_payload(order.sales_order, credit=True))
        second = await returns.create(_return_payload(order.sales_order, credit=True))
        assert (first.existing, second.existing) == (False, True)
        assert first.document == second.document
        assert (await returns.find_by_amazon_id("RET-1")) is not None


# ----------------------------------------------------------------------------- returns


def _return_payload(
    sales_order: str, *, credit: bool = False, ref: str = "RET-1"
) -> dict[str, Any]:
    key = "CreditMemoRequest" if credit else "CustomerReturn"
    item: dict[str, Any] = {
        f"{key}Item": "10",
        "Material": "MUG-SAGE",
        "RequestedQuantity": Decimal("1"),
        "RequestedQuantityUnit": "EA",
        "ReferenceSDDocument": sales_order,
        "ReferenceSDDocumentItem": "10",
    }
    if not credit:
        item["ReturnReason"] = "101"
    return {
        f"{key}Type": "CBAR" if not credit else "CBRE",
        "SalesOrganization": "1010",
        "DistributionChannel": "10",
        "OrganizationDivision": "00",
        "SoldToParty": "1000001",
        "PurchaseOrderByCustomer": ref,
        "TransactionCurrency": "USD",
        "ReferenceSDDocument": sales_order,
        "SDDocumentReason": "R01",
        f"{key}Date": date(2026, 2, 1),
        "to_Item": {"results": [item]},
    }


@pytest.mark.parametrize("kind", ["customer_return", "credit_memo_request"])
def test_a_return_document_is_created_once_per_amazon_return(
    fake: FakeSap, client: ODataClient, kind: str
) -> None:
    order = SalesOrderService(client).create(order_payload())
    returns = ReturnDocumentService(client, kind=kind)  # type: ignore[arg-type]
    payload = _return_payload(order.sales_order, credit=kind == "credit_memo_request")
    first = returns.create(payload)
    second = returns.create(payload)
    assert (first.existing, second.existing) == (False, True)
    assert first.document == second.document
    assert first.amazon_return_id == "RET-1" and first.sales_order == order.sales_order
    assert first.net_value == Money("12.50", "USD")
    assert first.items[0].reference_sd_document_item == "10"
    posts = [r for r in fake.router.requests if r.method == "POST" and "RETURN" in r.path.upper()]
    posts += [r for r in fake.router.requests if r.method == "POST" and "CREDIT" in r.path.upper()]
    assert len(posts) == 1
    assert returns.get(first.document).document == first.document


def test_a_return_for_an_order_sap_does_not_know_is_refused(client: ODataClient) -> None:
    with pytest.raises(ODataError, match="Reference document 9999 does not exist"):
        ReturnDocumentService(client).create(_return_payload("9999"))


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"PurchaseOrderByCustomer": "R" * 36}, "at most 35"),
        ({"PurchaseOrderByCustomer": ""}, "Amazon return id"),
        ({"to_Item": {"results": []}}, "at least one item"),
        ({"CustomerReturn": "1"}, "SAP assigns the number"),
    ],
)
def test_bad_return_payloads_are_refused_before_sending(
    client: ODataClient, change: dict[str, Any], words: str
) -> None:
    payload = {**_return_payload("1"), **change}
    with pytest.raises(ValidationError, match=words):
        ReturnDocumentService(client).create(payload)


def test_an_unknown_return_kind_is_refused(client: ODataClient) -> None:
    with pytest.raises(ValidationError, match="credit_memo_request"):
        ReturnDocumentService(client, kind="refund")  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- money


def test_pricing_elements_carry_charges_and_taxes_to_the_invoice(
    fake: FakeSap, client: ODataClient
) -> None:
    payload = order_payload(quantity="2")
    payload["to_Item"]["results"][0]["to_PricingElement"] = {
        "results": [
            pricing_element("PR00", Money("12.50", "USD")),
            pricing_element("KF00", Money("4.99", "USD")),
            pricing_element("RB00", Money("-2.00", "USD")),
            pricing_element("MWST", Money("2.40", "USD")),
        ]
    }
    orders = SalesOrderService(client)
    order = orders.create(payload)
    read = orders.get(order.sales_order, with_pricing=True)
    first = read.items[0]
    assert [e.condition_type for e in first.pricing_elements] == ["PR00", "KF00", "RB00", "MWST"]
    assert first.net_amount == Decimal("27.99") and first.tax_amount == Decimal("2.40")
    deliveries = OutboundDeliveryService(client)
    delivery = deliveries.create_for_sales_order(order.sales_order, [DeliveryLine("10")])
    deliveries.pick_all_items(delivery.delivery_document)
    deliveries.post_goods_issue(delivery.delivery_document)
    fake.bill(order.sales_order)
    (invoice,) = BillingDocumentService(client).find_by_amazon_id(PO)
    assert invoice.net_value == Money("27.99", "USD")
    assert invoice.tax_value == Money("2.40", "USD")
    assert invoice.total == Money("30.39", "USD")
    assert invoice.items[0].gross_amount == Decimal("30.39")


def test_an_unknown_condition_type_is_refused_by_sap(client: ODataClient) -> None:
    payload = order_payload()
    payload["to_Item"]["results"][0]["to_PricingElement"] = {
        "results": [pricing_element("ZZZZ", Money("1.00", "USD"))]
    }
    with pytest.raises(ODataError, match="condition type ZZZZ"):
        SalesOrderService(client).create(payload)


@pytest.mark.contracts_exempt("sends a non-creatable field on purpose")
def test_non_creatable_pricing_fields_are_refused_by_sap(client: ODataClient) -> None:
    payload = order_payload()
    element = {**pricing_element("KF00", Money("1.00", "USD")), "ConditionCalculationType": "B"}
    payload["to_Item"]["results"][0]["to_PricingElement"] = {"results": [element]}
    with pytest.raises(ODataError, match="ConditionCalculationType"):
        SalesOrderService(client).create(payload)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("", Money("1", "USD")), "condition type"),
        (("TOOLONG", Money("1", "USD")), "1 to 4"),
        (("KF00", 1.5), "finite Decimal"),
    ],
)
def test_pricing_element_refuses_bad_input(args: tuple[Any, Any], words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        pricing_element(*args)


def test_pricing_element_sends_only_creatable_fields() -> None:
    assert pricing_element("KF00", Decimal("4.99"), "USD") == {
        "ConditionType": "KF00",
        "ConditionRateValue": Decimal("4.99"),
        "ConditionCurrency": "USD",
    }


def _journal_xml(reversal: Reversal | None = None) -> ET.Element:
    call = post_journal_entry(
        entry(),
        Posting(company_code="1010", created_by_user=USER),
        message="M1",
        created_at=datetime(2026, 1, 31, tzinfo=UTC),
        reversal=reversal,
    )
    assert call.content is not None
    return ET.fromstring(call.content)


def test_journal_entries_carry_tax_and_debtor_items_in_the_wsdl_order() -> None:
    je = next(e for e in _journal_xml().iter() if e.tag == "JournalEntry")
    kinds = [c.tag for c in je if c.tag in ("Item", "DebtorItem", "ProductTaxItem")]
    assert kinds == ["Item", "Item", "DebtorItem", "DebtorItem", "ProductTaxItem"]
    tax = je.find("ProductTaxItem")
    assert tax is not None
    assert tax.findtext("TaxCode") == "O1" and tax.findtext("DebitCreditCode") == "H"
    base = tax.find("TaxBaseAmountInTransCrcy")
    assert base is not None and base.text == "-100.00" and base.get("currencyCode") == "USD"
    debtor = je.find("DebtorItem")
    assert debtor is not None and debtor.findtext("Debtor") == "1000001"
    assert debtor.find("GLAccount") is None
    sales = je.findall("Item")[1]
    assert sales.findtext("Tax/TaxCode") == "O1"


def test_a_reversal_names_the_original_and_its_reason() -> None:
    je = next(
        e
        for e in _journal_xml(Reversal("01", "SETTLE-42", date(2026, 2, 1))).iter()
        if e.tag == "JournalEntry"
    )
    assert je.findtext("ReversalReason") == "01"
    assert je.findtext("ReversalReferenceDocument") == "SETTLE-42"
    assert je.findtext("ReversalDate") == "2026-02-01"
    assert je.findtext("OriginalReferenceDocument") == "RSETTLE-42"
    names = [c.tag for c in je]
    assert names.index("ReversalReason") < names.index("CreatedByUser")


def test_a_tax_code_longer_than_sap_holds_is_refused() -> None:
    from amazon_erp_bridge.model import JournalEntry, JournalLine

    bad = JournalEntry(
        "S1",
        date(2026, 1, 31),
        (
            JournalLine("1", Money("1.00", "USD")),
            JournalLine("2", Money("-1.00", "USD"), tax_code="ABC"),
        ),
    )
    with pytest.raises(ValidationError, match="TaxCode 'ABC'"):
        post_journal_entry(
            bad,
            Posting(company_code="1010", created_by_user=USER),
            message="M1",
            created_at=datetime(2026, 1, 31, tzinfo=UTC),
        )


def test_posted_tax_and_debtor_lines_read_back(fake: FakeSap, client: ODataClient) -> None:
    journals = JournalEntryService(client, created_by_user=USER, company_code="1010")
    journals.post(entry())
    (document,) = journals.find_by_reference("SETTLE-42")
    assert {i.tax_code for i in document.items} == {None, "O1"}
    assert "1000001" in {i.customer for i in document.items}
    assert not document.is_reversed and document.reversed_by is None
