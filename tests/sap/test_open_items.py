"""Open debtor items (API_OPLACCTGDOCITEMCUBE_SRV): the request uses only published
properties, and bad input is refused naming the customer or the item."""

import pytest

from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.sap.open_items import (
    OPEN_ITEM_FIELDS,
    OpenDebtorItem,
    open_items_filter,
)
from amazon_erp_bridge.sap.operations import Entity

EDMX = "../shared/specs/sap-metadata/API_OPLACCTGDOCITEMCUBE_SRV.edmx"


def test_every_field_read_is_a_published_property():
    from pathlib import Path

    text = Path(EDMX).read_text(encoding="utf-8")
    assert all(f'<Property Name="{name}"' in text for name in OPEN_ITEM_FIELDS)


def test_the_filter_asks_for_uncleared_debtor_items_of_the_customer():
    rendered = open_items_filter("1700004", "1010").render()
    assert rendered == (
        "Customer eq '1700004' and FinancialAccountType eq 'D' and IsCleared eq false and "
        "CompanyCode eq '1010'"
    )


@pytest.mark.parametrize("customer", ["", "   ", "12345678901"])
def test_a_blank_or_too_long_customer_is_refused(customer):
    with pytest.raises(ValidationError, match=r"open items: customer .* 1 to 10 characters"):
        open_items_filter(customer)


def entity(**values):
    base = {
        "CompanyCode": "1010",
        "FiscalYear": "2026",
        "AccountingDocument": "9400000001",
        "AccountingDocumentItem": "001",
        "Customer": "1700004",
        "AssignmentReference": "20579540501090518",
        "BillingDocument": "90000000",
        "DebitCreditCode": "S",
        "AmountInTransactionCurrency": "50.09",
        "TransactionCurrency": "EUR",
    }
    return Entity({**base, **values})


def test_a_credit_item_is_negative_and_a_debit_positive():
    assert str(OpenDebtorItem.from_entity(entity()).money) == "50.09 EUR"
    credit = OpenDebtorItem.from_entity(entity(DebitCreditCode="H"))
    assert credit.amount < 0 and credit.document == "1010/2026/9400000001"


def test_an_item_without_a_currency_is_refused_naming_it():
    with pytest.raises(ValidationError, match=r"open item 9400000001/001: .*not an amount"):
        OpenDebtorItem.from_entity(entity(TransactionCurrency=""))
