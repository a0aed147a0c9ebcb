"""The client against the sandbox: logon, CSRF, retries, paging, ETags, certificates."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import httpx2
import pytest

from amazon_erp_bridge.core.retry import RetryPolicy
from amazon_erp_bridge.errors import AuthError, RateLimitedError, TransportError, ValidationError
from amazon_erp_bridge.sandbox.sap import (
    CLIENT_ID,
    CLIENT_SECRET,
    PASSWORD,
    TOKEN_PATH,
    USER,
    FakeSap,
)
from amazon_erp_bridge.sap import (
    CsrfTokenError,
    ODataClient,
    ODataError,
    PreconditionFailedError,
    ProductService,
    SalesOrderService,
    basic,
    oauth_client_credentials,
    prop,
)
from amazon_erp_bridge.sap import operations as ops
from amazon_erp_bridge.sap.products import read_product
from amazon_erp_bridge.sap.query import Query
from tests.sap.conftest import BASE_URL, PO, Sleeps, order_payload

SO = SalesOrderService.PATH
PRODUCTS = ProductService.PATH


def make_client(fake: FakeSap, sleeps: Sleeps | None = None, **kw: Any) -> ODataClient:
    kw.setdefault("auth", basic(USER, PASSWORD))
    return ODataClient(BASE_URL, transport=fake.transport(), sleep=sleeps or Sleeps(), **kw)


# ----------------------------------------------------------------------------- CSRF


def test_csrf_token_is_fetched_once_and_reused_with_the_session_cookie(
    client: ODataClient, fake: FakeSap
) -> None:
    orders = SalesOrderService(client)
    orders.create(order_payload("PO-1"))
    orders.create(order_payload("PO-2"))
    assert fake.csrf_fetches == 1
    fetch = next(r for r in fake.router.requests if r.headers.get("x-csrf-token") == "Fetch")
    assert fetch.method == "GET" and fetch.path == SO + "/"
    posts = [r for r in fake.router.requests if r.method == "POST"]
    assert all(r.headers["x-csrf-token"] == posts[0].headers["x-csrf-token"] for r in posts)
    assert all("SAP_SESSIONID_FAK_100=" in r.headers["cookie"] for r in posts)


def test_reads_go_without_a_csrf_token(client: ODataClient, fake: FakeSap) -> None:
    assert SalesOrderService(client).find_by_purchase_order(PO) == []
    assert fake.csrf_fetches == 0


def test_expired_csrf_token_is_fetched_again_once(client: ODataClient, fake: FakeSap) -> None:
    orders = SalesOrderService(client)
    orders.create(order_payload("PO-1"))
    fake.expire_csrf_tokens()
    created = orders.create(order_payload("PO-2"))
    assert created.purchase_order_by_customer == "PO-2"
    assert fake.csrf_fetches == 2
    assert fake.csrf_refusals == 1
    assert len(fake.rows(SO, "A_SalesOrder")) == 2


def test_csrf_refused_twice_raises_and_posts_nothing(client: ODataClient, fake: FakeSap) -> None:
    fake.reject_csrf(2)
    with pytest.raises(CsrfTokenError, match="CSRF token validation failed") as info:
        SalesOrderService(client).create(order_payload())
    assert info.value.status == 403
    assert fake.csrf_fetches == 2
    assert fake.rows(SO, "A_SalesOrder") == []


def test_csrf_can_be_fetched_with_head(fake: FakeSap) -> None:
    with make_client(fake, csrf_method="HEAD") as client:
        SalesOrderService(client).create(order_payload())
    assert any(r.method == "HEAD" for r in fake.router.requests)


def test_each_service_has_its_own_token_source(client: ODataClient, fake: FakeSap) -> None:
    SalesOrderService(client).create(order_payload())
    client.update(SO, "A_SalesOrder", "5000000", {"ShippingCondition": "02"}, etag="*")
    client.batch(PRODUCTS, [read_product("MUG-SAGE")])
    fetches = [r.path for r in fake.router.requests if r.headers.get("x-csrf-token") == "Fetch"]
    assert fetches == [SO + "/", PRODUCTS + "/"]


# ----------------------------------------------------------------------------- logon


def test_wrong_password_is_an_error_saying_so(fake: FakeSap) -> None:
    client = make_client(fake, auth=basic(USER, "wrong-password"))
    with client, pytest.raises(ODataError, match="refused the credentials") as info:
        SalesOrderService(client).get("1")
    assert info.value.status == 401
    assert "wrong-password" not in str(info.value)


def test_oauth_client_credentials_log_on_and_renew(fake: FakeSap) -> None:
    now = [1000.0]
    auth = oauth_client_credentials(
        BASE_URL + TOKEN_PATH, CLIENT_ID, CLIENT_SECRET, clock=lambda: now[0]
    )
    with make_client(fake, auth=auth) as client:
        orders = SalesOrderService(client)
        orders.create(order_payload())
        assert len(fake.oauth_tokens) == 1
        fake.expire_oauth_tokens()
        assert orders.find_by_purchase_order(PO)[0].purchase_order_by_customer == PO
    assert auth.fetch_count == 2
    assert (
        "Bearer"
        in next(r for r in fake.router.requests if r.path.startswith(SO)).headers["authorization"]
    )


def test_oauth_wrong_secret_is_an_auth_error(fake: FakeSap) -> None:
    auth = oauth_client_credentials(BASE_URL + TOKEN_PATH, CLIENT_ID, "not-the-secret")
    with make_client(fake, auth=auth) as client, pytest.raises(AuthError) as info:
        SalesOrderService(client).get("1")
    assert info.value.status == 401
    assert "refused the client credentials" in str(info.value)
    assert "not-the-secret" not in str(info.value)


def test_client_certificate_is_handed_to_httpx(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    class Recording(httpx2.Client):
        def __init__(self, **kw: Any) -> None:
            seen.update(kw)
            kw.pop("cert", None)
            super().__init__(**kw)

    monkeypatch.setattr("amazon_erp_bridge.sap.client.httpx2.Client", Recording)
    with ODataClient(BASE_URL, cert=("/certs/client.pem", "/certs/client.key"), verify=False):
        pass
    assert seen["cert"] == ("/certs/client.pem", "/certs/client.key")
    assert seen["verify"] is False


def test_base_url_and_service_paths_are_checked() -> None:
    with pytest.raises(ValidationError, match="base URL"):
        ODataClient("my-s4.example.com")
    with ODataClient(BASE_URL) as client:
        with pytest.raises(ValidationError, match="absolute path"):
            client.service("API_SALES_ORDER_SRV")
        with pytest.raises(ValidationError, match="expected 2 or 4"):
            client.service("/sap/opu/odata/sap/X", version=3)


# ----------------------------------------------------------------------------- retries


def test_reads_are_retried_on_503_with_backoff(
    client: ODataClient, fake: FakeSap, sleeps: Sleeps
) -> None:
    fake.router.faults.fail = 2
    assert SalesOrderService(client).find_by_purchase_order(PO) == []
    assert len(sleeps) == 2


def test_429_is_retried_even_for_a_post(client: ODataClient, fake: FakeSap, sleeps: Sleeps) -> None:
    SalesOrderService(client).find_by_purchase_order(PO)  # nothing to do with the fault
    fake.router.faults.throttle = 1
    fake.router.faults.retry_after = "3"
    fake.router.faults.match = "A_SalesOrder$"
    created = SalesOrderService(client).create(order_payload())
    assert created.sales_order
    assert sleeps[-1] >= 3


def test_a_post_is_not_resent_after_a_503(client: ODataClient, fake: FakeSap) -> None:
    fake.router.faults.fail = 1
    fake.router.faults.match = "A_SalesOrder$"
    SalesOrderService(client).find_by_purchase_order(PO)  # uses up the fault on the GET
    fake.router.faults.fail = 1
    with pytest.raises(ODataError) as info:
        SalesOrderService(client).create(order_payload())
    assert info.value.status == 503
    assert len(fake.rows(SO, "A_SalesOrder")) == 0


def test_throttling_past_the_budget_is_rate_limited_error(fake: FakeSap) -> None:
    fake.router.faults.throttle = 5
    client = make_client(fake, retry=RetryPolicy(max_attempts=2))
    with client, pytest.raises(RateLimitedError, match="quota"):
        SalesOrderService(client).find_by_purchase_order(PO)


def test_dropped_connection_on_a_read_is_retried(client: ODataClient, fake: FakeSap) -> None:
    fake.router.faults.drop = 1
    assert SalesOrderService(client).find_by_purchase_order(PO) == []


def test_dropped_connection_on_a_create_is_not_retried(client: ODataClient, fake: FakeSap) -> None:
    fake.router.faults.drop = 1
    fake.router.faults.match = "A_SalesOrder$"
    with pytest.raises(TransportError, match="timed out"):
        SalesOrderService(client).create(order_payload())
    assert [r.method for r in fake.router.requests].count("POST") == 1


# ----------------------------------------------------------------------------- paging


def test_server_paging_is_followed_lazily(client: ODataClient, fake: FakeSap) -> None:
    for number in range(7):
        fake.add_product(f"P-{number:02d}")
    pages_before = len(fake.router.requests)
    products = ProductService(client).iter_all()
    first = next(products)
    assert first.product == "MUG-SAGE"
    assert len(fake.router.requests) == pages_before + 1
    rest = list(products)
    assert len(rest) == 8
    reads = [r for r in fake.router.requests if r.path.endswith("A_Product")]
    assert [r.arg("$skiptoken") for r in reads] == [None, "3", "6"]
    assert all("$select" in r.query for r in reads)


def test_next_links_pointing_at_another_host_are_followed_here(fake: FakeSap) -> None:
    fake.next_link_host = "sap-internal.corp:44300"
    for number in range(5):
        fake.add_product(f"P-{number}")
    with make_client(fake) as client:
        assert len(list(ProductService(client).iter_all())) == 7
    assert all(r.headers["host"] == "s4.sandbox.test" for r in fake.router.requests)


def test_inline_count_and_count(client: ODataClient, fake: FakeSap) -> None:
    sender = client.service(PRODUCTS)
    page = sender.send(ops.read_collection("A_Product", Query(top=1)))
    assert (len(page.entities), page.count, page.next_link) == (1, 2, None)
    assert sender.send(ops.read_count("A_Product", Query(filter=prop("BaseUnit").eq("EA")))) == 2


# ----------------------------------------------------------------------------- ETags and updates


def test_update_with_the_read_etag_succeeds_and_returns_the_new_one(client: ODataClient) -> None:
    orders = SalesOrderService(client)
    created = orders.create(order_payload())
    updated = orders.update(created.sales_order, {"ShippingCondition": "01"}, etag=created.etag)
    assert updated.etag and updated.etag != created.etag
    assert orders.get(created.sales_order).etag == updated.etag


def test_stale_etag_is_412(client: ODataClient) -> None:
    orders = SalesOrderService(client)
    created = orders.create(order_payload())
    orders.update(created.sales_order, {"ShippingCondition": "01"}, etag=created.etag)
    with pytest.raises(PreconditionFailedError, match="read it again") as info:
        orders.update(created.sales_order, {"ShippingCondition": "02"}, etag=created.etag)
    assert info.value.status == 412


@pytest.mark.contracts_exempt("sends an update without If-Match on purpose")
def test_missing_etag_is_428(client: ODataClient) -> None:
    created = SalesOrderService(client).create(order_payload())
    with pytest.raises(PreconditionFailedError, match="If-Match") as info:
        SalesOrderService(client).update(
            created.sales_order, {"ShippingCondition": "01"}, etag=None
        )
    assert info.value.status == 428


def test_merge_is_tunnelled_through_post(client: ODataClient, fake: FakeSap) -> None:
    created = SalesOrderService(client).create(order_payload())
    client.update(
        SO,
        "A_SalesOrder",
        created.sales_order,
        {"DeliveryBlockReason": "01"},
        etag=created.etag,
        method="MERGE",
    )
    last = fake.router.requests[-1]
    assert (last.method, last.headers["x-http-method"]) == ("POST", "MERGE")
    assert fake.rows(SO, "A_SalesOrder")[0]["DeliveryBlockReason"] == "01"


@pytest.mark.contracts_exempt("changes a read-only field on purpose")
def test_read_only_field_change_is_refused_with_details(client: ODataClient) -> None:
    created = SalesOrderService(client).create(order_payload())
    with pytest.raises(ODataError, match="OverallSDProcessStatus") as info:
        SalesOrderService(client).update(
            created.sales_order, {"OverallSDProcessStatus": "C"}, etag="*"
        )
    assert info.value.status == 400
    assert info.value.error_details[0].target == "OverallSDProcessStatus"


# ----------------------------------------------------------------------------- generic access


@pytest.mark.contracts_exempt("deletes a product the metadata says is not deletable, on purpose")
def test_generic_entity_access(client: ODataClient) -> None:
    product = client.get(PRODUCTS, "A_Product", "MUG-SAGE", Query(expand=("to_Description",)))
    assert product["ProductStandardID"] == "0012345678905"
    assert product.children("to_Description")[0]["ProductDescription"] == "Sage mug"
    found = list(
        client.query(PRODUCTS, "A_Product", Query(filter=prop("Product").startswith("VASE")))
    )
    assert [e["Product"] for e in found] == ["VASE-TALL"]
    with pytest.raises(ODataError, match="not supported") as info:
        client.delete(PRODUCTS, "A_Product", "MUG-SAGE", etag=None)
    assert info.value.status == 405


def test_metadata_is_valid_edmx(client: ODataClient) -> None:
    root = ET.fromstring(client.metadata(SO))
    ns = {"edm": "http://schemas.microsoft.com/ado/2008/09/edm"}
    names = {e.get("Name") for e in root.iter(f"{{{ns['edm']}}}EntityType")}
    assert {"A_SalesOrderType", "A_SalesOrderItemType"} <= names
    assert root.find(".//edm:Association", ns) is not None


@pytest.mark.contracts_exempt("calls a function import without its parameter on purpose")
def test_function_import_needs_its_parameter(client: ODataClient) -> None:
    with pytest.raises(ODataError, match="DeliveryDocument") as info:
        client.function("/sap/opu/odata/sap/API_OUTBOUND_DELIVERY_SRV;v=0002", "PostGoodsIssue", {})
    assert info.value.status == 400


@pytest.mark.contracts_exempt("reads an entity set that does not exist on purpose")
def test_unknown_entity_set_is_404(client: ODataClient) -> None:
    with pytest.raises(ODataError, match="Resource not found") as info:
        client.get(SO, "A_SalesOrderX", "1")
    assert info.value.status == 404


def test_repr_shows_no_secrets(fake: FakeSap) -> None:
    with make_client(fake) as client:
        SalesOrderService(client)
        assert PASSWORD not in repr(client)
        assert "API_SALES_ORDER_SRV" in repr(client)


# ----------------------------------------------------------------------------- real HTTP


def test_the_client_works_over_real_http(fake: FakeSap) -> None:
    with (
        fake.server() as server,
        ODataClient(server.url, auth=basic(USER, PASSWORD), sleep=Sleeps()) as client,
    ):
        orders = SalesOrderService(client)
        created = orders.create(order_payload())
        fake.expire_csrf_tokens()
        orders.update(created.sales_order, {"ShippingCondition": "01"}, etag=created.etag)
        fetched = orders.find_by_purchase_order(PO, sold_to_party="1000001")
    assert [o.sales_order for o in fetched] == [created.sales_order]
    assert fake.csrf_fetches == 2
