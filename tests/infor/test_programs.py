"""Customers, items and aliases, invoices and delivery confirmation against the fake M3."""

import pytest

from amazon_erp_bridge.errors import ConfigurationError, PostingError, ValidationError
from amazon_erp_bridge.infor import (
    MHS850_PICK_LIST,
    AliasScheme,
    AliasType,
    DeliveryRoute,
    MiError,
)
from amazon_erp_bridge.model import ItemRef

from .conftest import CUSTOMER, HEAD, LINES, make_client

# ------------------------------------------------------------------------ customers


def test_customer_get_find_and_missing(m3):
    customer = m3.customers.get(CUSTOMER)
    assert (customer.number, customer.name, customer.country) == (
        CUSTOMER,
        "Amazon.com marketplace",
        "US",
    )
    assert m3.customers.find("NOPE") is None
    with pytest.raises(MiError, match="Customer number NOPE does not exist"):
        m3.customers.get("NOPE")


def test_customer_add_and_ensure(m3, fake):
    record = {"CUNO": "AMZ_DE", "CUTM": "MKTPL", "CUNM": "Amazon.de", "CUA1": "Marcel-Breuer-Str"}
    assert m3.customers.ensure(record).number == "AMZ_DE"
    assert m3.customers.ensure(record).name == "Amazon.de"
    assert sum(1 for t in fake.transactions if t == "CRS610MI/Add") == 1
    number = m3.customers.add({"CUTM": "MKTPL", "CUNM": "Numbered", "CUA1": "Street 1"})
    assert m3.customers.get(number).name == "Numbered"


def test_customer_add_needs_template_name_and_address(m3, fake):
    with pytest.raises(ValidationError, match="CRS610MI Add needs CUTM, CUA1"):
        m3.customers.add({"CUNM": "No template"})
    assert fake.transactions == []


def test_adding_an_existing_customer_is_an_mi_error(m3):
    with pytest.raises(MiError, match="already exists"):
        m3.customers.add({"CUNO": CUSTOMER, "CUTM": "T", "CUNM": "X", "CUA1": "Y"})


def test_customer_search_and_list(m3):
    hits = m3.customers.search("CUNM:amazon.co.uk")
    assert [h.number for h in hits] == ["AMZ_UK"]
    assert {h.number for h in m3.customers.search("marketplace")} == {"AMZ_US", "AMZ_UK"}
    assert [c.number for c in m3.customers.list()] == ["AMZ_UK", "AMZ_US"]
    assert [c.number for c in m3.customers.list(from_cuno="AMZ_UL")] == ["AMZ_US"]
    with pytest.raises(ValidationError, match="query is empty"):
        m3.customers.search(" ")


def test_customer_repr_hides_address(m3, fake):
    fake.state.customers[CUSTOMER]["CUA1"] = "410 Terry Ave N"
    customer = m3.customers.get(CUSTOMER)
    assert customer.address[0] == "410 Terry Ave N"
    assert "Terry" not in repr(customer)


# --------------------------------------------------------------------------- items


def test_item_basic_data(m3):
    item = m3.items.get("MUG-01")
    assert (item.number, item.name, item.unit) == ("MUG-01", "Coffee mug", "EA")
    assert m3.items.find("NOPE") is None
    with pytest.raises(MiError) as err:
        m3.items.get("NOPE")
    assert err.value.field == "ITNO"


def test_alias_lookup_by_kind(m3, fake):
    assert m3.items.find_by_alias("seller_sku", "MUG-SKU") == "MUG-01"
    assert m3.items.find_by_alias("asin", "B000MUG001") == "MUG-01"
    assert m3.items.find_by_alias("ean", "4006381333931") == "MUG-01"
    assert m3.items.find_by_alias("asin", "MUG-SKU") is None  # right value, wrong kind
    request = next(r for r in fake.router.requests if r.path.endswith("/GetItem"))
    assert (request.arg("ALWT"), request.arg("ALWQ"), request.arg("POPN")) == (
        "03",
        "SKU",
        "MUG-SKU",
    )


def test_resolve_an_amazon_item_tries_its_identifiers_in_order(m3):
    assert m3.items.resolve(ItemRef(seller_sku="UNKNOWN", asin="B000MUG001")) == "MUG-01"
    assert m3.items.resolve(ItemRef(seller_sku="TEE-SKU")) == "TEE-01"
    assert m3.items.resolve(ItemRef(seller_sku="NONE")) is None


def test_unknown_alias_kind_is_a_configuration_error(m3):
    with pytest.raises(ConfigurationError, match="alias kind 'gtin' is not in the alias scheme"):
        m3.items.find_by_alias("gtin", "1")


def test_alias_types_are_checked():
    with pytest.raises(ConfigurationError, match="ALWT"):
        AliasType("EA13")
    with pytest.raises(ConfigurationError, match="longer than 4"):
        AliasType("03", "AMAZON")


def test_custom_scheme_changes_where_skus_live(fake, clock):
    fake.state.add_alias("TEE-01", "01", "POPULAR-TEE")
    scheme = AliasScheme({"seller_sku": AliasType("01")})
    m3 = make_client(fake, clock, alias_scheme=scheme)
    assert m3.items.find_by_alias("seller_sku", "POPULAR-TEE") == "TEE-01"


def test_aliases_of_an_item_and_of_a_kind(m3):
    aliases = m3.items.aliases("MUG-01")
    assert {(a.kind, a.value) for a in aliases} == {
        ("seller_sku", "MUG-SKU"),
        ("asin", "B000MUG001"),
        ("ean", "4006381333931"),
    }
    assert [a.value for a in m3.items.aliases("MUG-01", kind="asin")] == ["B000MUG001"]
    assert {a.value for a in m3.items.all_aliases("seller_sku")} == {"MUG-SKU", "TEE-SKU"}


def test_alias_table_for_a_crosswalk_reports_duplicates(m3, fake):
    fake.state.add_alias("TEE-01", "03", "MUG-SKU", "SKU")  # same SKU on two items
    table = m3.items.alias_table()
    assert table.lookup("seller_sku", "TEE-SKU") == "TEE-01"
    assert table.lookup("asin", "B000MUG001") == "MUG-01"
    assert table.duplicates == (("seller_sku", "MUG-SKU", ("MUG-01", "TEE-01")),)
    assert len(table) == 3


def test_add_alias(m3, fake):
    m3.items.add_alias("TEE-01", "asin", "B000TEE001")
    assert m3.items.find_by_alias("asin", "B000TEE001") == "TEE-01"
    with pytest.raises(MiError, match="already exists"):
        m3.items.add_alias("TEE-01", "asin", "B000TEE001")


# ---------------------------------------------------------- deliveries and invoices


def test_confirm_shipped_moves_the_order_to_delivered_and_invoiced(m3, fake):
    orno = m3.customer_orders.create(HEAD, LINES)
    outcome = m3.deliveries.confirm_shipped(orno)
    assert outcome.deliveries and not outcome.already_delivered
    assert outcome.progress.is_invoiced
    assert "MWS420MI/Confirm" in fake.transactions
    again = m3.deliveries.confirm_shipped(orno)
    assert again.already_delivered and again.deliveries == ()


def test_confirm_shipped_without_invoicing_stops_at_66(m3, fake):
    fake.state.auto_invoice = False
    orno = m3.customer_orders.create(HEAD, LINES)
    outcome = m3.deliveries.confirm_shipped(orno)
    assert outcome.progress.code == "66" and outcome.progress.is_delivered
    assert m3.invoices.by_order(orno) == []


def test_confirm_shipped_through_mhs850(m3, fake):
    orno = m3.customer_orders.create(HEAD, LINES)
    outcome = m3.deliveries.confirm_shipped(
        orno, route=MHS850_PICK_LIST, values={"E0PA": "AMAZON", "E065": "PICK"}
    )
    assert outcome.progress.is_invoiced
    request = next(r for r in fake.router.requests if r.path.endswith("/AddCfmPickList"))
    assert (request.arg("WHLO"), request.arg("E0PA"), request.arg("DLIX")) == (
        "FBA",
        "AMAZON",
        outcome.deliveries[0],
    )


def test_route_placeholder_without_value_is_a_configuration_error(m3):
    orno = m3.customer_orders.create(HEAD, LINES)
    with pytest.raises(ConfigurationError, match=r"field E0PA needs \{E0PA\}"):
        m3.deliveries.confirm_shipped(orno, route=MHS850_PICK_LIST)


def test_order_not_released_has_no_delivery_to_confirm(m3, fake):
    fake.state.auto_release = False
    orno = m3.customer_orders.create(HEAD, LINES)
    with pytest.raises(PostingError, match=f"order {orno} has no delivery.*released for picking"):
        m3.deliveries.confirm_shipped(orno)


def test_custom_route_is_data(m3, fake):
    orno = m3.customer_orders.create(HEAD, LINES)
    route = DeliveryRoute(confirm_fields={"DLIX": "{DLIX}", "PLSX": "{PLSX}"})
    with pytest.raises(MiError, match="Picking list .*/02 does not exist"):
        m3.deliveries.confirm_shipped(orno, route=route, values={"PLSX": "02"})
    assert route.placeholders() == {"ORNO", "DLIX", "PLSX"}


def test_invoices_of_an_order_read_back_exactly(m3, fake):
    orno = m3.customer_orders.create(HEAD, LINES)
    assert m3.invoices.by_order(orno) == []
    m3.deliveries.confirm_shipped(orno)
    (invoice,) = m3.invoices.by_order(orno)
    assert invoice.order == orno and invoice.customer == CUSTOMER
    assert str(invoice.gross) == "44.99" and invoice.currency == "USD"
    assert invoice.invoice_date is not None and invoice.year == invoice.invoice_date.year
    (line,) = m3.invoices.lines(invoice.year, invoice.number)
    assert str(line.amount_local) == "44.99"
    assert m3.invoices.get_head(invoice.year, invoice.number)["IVNO"] == invoice.number
    with pytest.raises(MiError, match="Invoice number 1 does not exist"):
        m3.invoices.get_head(invoice.year, "1")
