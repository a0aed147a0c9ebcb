"""The ledger file must hold neither buyer PII nor secrets, whatever the ERP echoes back."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from amazon_erp_bridge.core.redaction import Secret
from amazon_erp_bridge.errors import ApiError
from amazon_erp_bridge.model import Address, ItemRef, Money, Order, OrderLine
from amazon_erp_bridge.posting import ErpDocument, PiiScrubber, Poster, SqliteLedger, digest
from tests.posting.posting_fakes import FakeClock

BUYER_NAME = "Jane Quincy Buyer"
BUYER_EMAIL = "jq7x9f3@marketplace.amazon.example"
STREET = "1742 Evergreen Terrace"
CITY = "Shelbyville-Nord"
PHONE = "+1-555-0199-321"
TOKEN = "Atza|IwEBIPosting-Redaction-Test-Token-5f1c"

PII = [BUYER_NAME, BUYER_EMAIL, STREET, CITY, PHONE, TOKEN]


def pii_payload(reference: str) -> dict:
    return {
        "reference": reference,
        "CUNO": "AMAZON01",
        "BuyerName": BUYER_NAME,
        "BuyerEmail": BUYER_EMAIL,
        "ShippingAddress": {"AddressLine1": STREET, "City": CITY, "Phone": PHONE},
        "lines": [{"ITNO": "SKU-1", "ORQT": 1, "SAPR": Decimal("19.99")}],
    }


class EchoingErp:
    """An ERP that repeats the buyer's data (and the token) in errors and document details."""

    name = "m3"

    def __init__(self, token: Secret) -> None:
        self.token = token

    def find(self, source_id, payload):
        if source_id == "FOUND":
            return ErpDocument(
                "m3",
                "CO9",
                detail={"customer": f"{BUYER_NAME}, {STREET}", "CUA1": STREET, "note": BUYER_EMAIL},
            )
        return None

    def create(self, payload):
        raise ApiError(
            f"CUNO AMAZON01: address {STREET}, {CITY} invalid for {BUYER_NAME} "
            f"<{BUYER_EMAIL}> (session {self.token.reveal()})",
            status=400,
            service="m3",
        )


def ledger_bytes(path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def test_no_buyer_pii_or_token_reaches_the_ledger_file(tmp_path):
    token = Secret(TOKEN)
    path = tmp_path / "ledger.db"
    ledger = SqliteLedger(path)
    clock = FakeClock()
    poster = Poster(ledger, EchoingErp(token), sleep=clock.sleep, clock=clock)
    dead = poster.post(
        "order", "206-1", pii_payload("206-1"), describe=f"order for {BUYER_NAME} in {CITY}"
    )
    found = poster.post("order", "FOUND", pii_payload("FOUND"))
    assert dead.status.value == "dead_lettered" and found.status.value == "found existing"
    # the reason still tells a person what went wrong
    assert "HTTP 400" in dead.reason and "CUNO AMAZON01" in dead.reason and "***" in dead.reason
    ledger.close()
    stored = ledger_bytes(path)
    assert b"CUNO AMAZON01" in stored  # the scan does see the stored text
    for value in PII:
        assert value.encode() not in stored, value
        assert value.lower().encode() not in stored.lower(), value


def test_scrubber_learns_pii_from_a_canonical_order():
    order = Order(
        order_id="206-1234567-8901234",
        purchase_date=datetime(2026, 3, 1, tzinfo=UTC),
        last_updated=datetime(2026, 3, 1, tzinfo=UTC),
        status="Unshipped",
        buyer_name=BUYER_NAME,
        buyer_email=BUYER_EMAIL,
        ship_address=Address(name="J. Q. Buyer", line1=STREET, city=CITY, country_code="US"),
        lines=(
            OrderLine("1", ItemRef(seller_sku="SKU-1"), 1, item_price=Money.of("19.99", "USD")),
        ),
    )
    scrub = PiiScrubber.from_payload(order)
    text = scrub.text(f"{BUYER_NAME} at {STREET}, {CITY} (J. Q. Buyer) ordered SKU-1 in US")
    assert text == "*** at ***, *** (***) ordered SKU-1 in US"
    assert scrub.data({"who": [BUYER_EMAIL.upper()]}) == {"who": ["***"]}


def test_digest_is_stable_and_exact_for_decimals_and_models():
    a = {"amount": Decimal("1.10"), "ref": "X"}
    assert digest(a) == digest({"ref": "X", "amount": Decimal("1.10")})
    assert digest(a) != digest({"amount": Decimal("1.1"), "ref": "X"})
    assert digest(Money.of("1.10", "USD")) == digest(Money.of("1.10", "USD"))
    assert len(digest(a)) == 64


@pytest.mark.parametrize("short", ["NY", "US", ""])
def test_scrubber_leaves_very_short_values_alone(short):
    scrub = PiiScrubber.from_payload({"ShippingAddress": {"StateOrRegion": short}})
    assert scrub.text("NY US order") == "NY US order"
