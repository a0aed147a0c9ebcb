"""FakeSap: a stateful stand-in for an S/4HANA system's OData and SOAP services.

It behaves the way the real services do where a client can go wrong:

- logon: HTTP basic for the communication user, or a bearer token from its OAuth2 token
  endpoint (``POST /oauth/token``, client credentials); anything else is a 401;
- CSRF: ``X-CSRF-Token: Fetch`` on a GET/HEAD issues a token bound to a session cookie;
  every POST/PUT/PATCH/MERGE/DELETE (and ``$batch``) must bring both, else 403 with
  ``x-csrf-token: Required`` and "CSRF token validation failed". :meth:`FakeSap.expire_csrf_tokens`
  ends all sessions, :meth:`FakeSap.reject_csrf` refuses the next N changes whatever they carry;
- OData V2 reads with ``$filter`` (literals parsed, quotes unescaped), ``$select``,
  ``$expand``, ``$orderby``, ``$top``/``$skip``, ``$inlinecount`` and server paging with
  ``$skiptoken`` and ``__next``; key predicates plain or percent-encoded;
- ``$metadata`` is SAP's published EDMX of each service (:mod:`.edm`, generated tables);
  entities carry every property of their type, ETags where the type has an ETag property
  (sales orders, deliveries and their items, billing documents, return documents; 412 when
  stale, 428 when missing); creates and updates are checked against the metadata (unknown,
  not creatable, not updatable, too long, too many digits: 400, as SAP answers);
- deep inserts that assign numbers, pricing elements priced by :attr:`FakeSap.condition_types`,
  ``sap-message`` warnings, SAP-shaped error bodies; ``sap-client`` other than the system's is
  a logon failure;
- ``$batch`` with change sets that roll back as a whole (its own multipart codec);
- sales orders whose statuses move when deliveries are created, picked and goods-issued, when
  items are rejected (a delivered item cannot be) and when :meth:`FakeSap.bill` runs (net and
  tax per item); customer returns and credit memo requests referring to an order's items;
  journal entries posted through SOAP (synchronous and bulk, with debtor and tax items, and
  reversals that mark the original reversed), readable through the journal item cube;
  repeated bulk MessageHeader IDs are refused;
- the fault switches of :class:`~amazon_erp_bridge.sandbox.server.Router` (``fake.router.faults``).

Seed master data with :meth:`add_customer` and :meth:`add_product`, stock with :meth:`set_stock`,
orders entered in SAP with :meth:`add_sales_order`; :attr:`FakeSap.auto_bill` bills every goods
issue at once.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import json
import re
import secrets
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from http import HTTPStatus
from typing import Any, Final
from urllib.parse import parse_qs, unquote

from attrs import define, field

from amazon_erp_bridge.sandbox.sap import journal, multipart, returns
from amazon_erp_bridge.sandbox.sap.edm import metadata_document
from amazon_erp_bridge.sandbox.sap.filters import FilterError, parse_filter, parse_literal
from amazon_erp_bridge.sandbox.sap.odata import (
    EntitySet,
    ODataFailure,
    Store,
    error_body,
    from_v2,
    parse_key,
    query_rows,
)
from amazon_erp_bridge.sandbox.sap.schema import (
    BILLING,
    CREDIT_MEMO_REQUESTS,
    CUBE,
    CUSTOMER_RETURNS,
    DELIVERIES,
    PARTNERS,
    PRODUCTS,
    SALES_ORDERS,
    SO_ADDRESS,
    STOCK,
    STOCK_KEYS,
    all_stores,
)
from amazon_erp_bridge.sandbox.sap.validate import check_create, check_update, check_value
from amazon_erp_bridge.sandbox.server import LocalServer, Reply, Router, SandboxRequest

#: The SOAP endpoints of journal entry posting (SAP S/4HANA Cloud paths; see journal.py).
SYNC_PATH = "/sap/bc/srt/scs_ext/sap/journalentrycreaterequestconfi"
BULK_PATH = "/sap/bc/srt/scs_ext/sap/journalentrybulkcreationreques"

USER = "BRIDGE_COMM"
PASSWORD = "sandbox-Passw0rd!"
CLIENT_ID = "sb-bridge-client"
CLIENT_SECRET = "sandbox-client-secret-0001"
SESSION_COOKIE = "SAP_SESSIONID_FAK_100"
TOKEN_PATH = "/oauth/token"
MODIFYING = frozenset({"POST", "PUT", "PATCH", "MERGE", "DELETE"})
CUSTOMER_ROLES = frozenset({"FLCU00", "FLCU01"})
#: The sandbox system's pricing procedure (condition types as SAP's standard ones are used:
#: PR00 price, KF00 freight, RB00 absolute discount, HM00 manual order value is left out;
#: ZGW0 gift wrap and MWST output tax as an example system configures them).
CONDITION_TYPES = {
    "PR00": "price",
    "PPR0": "price",
    "KF00": "amount",
    "ZGW0": "amount",
    "RB00": "amount",
    "MWST": "tax",
}
_ODATA = r"(?P<root>/sap/opu/odata/sap/[A-Za-z0-9_]+(?:;v=\d+)?)(?P<rest>/.*)?"
_SEGMENT = re.compile(
    r"^/(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"(?P<key>\((?:[^()']|'(?:[^']|'')*')*\))?"
    r"(?:/(?P<nav>[A-Za-z_][A-Za-z0-9_]*|\$count))?$"
)


def _now() -> datetime:
    return datetime.now(UTC)


def _status(done: Decimal, total: Decimal) -> str:
    if done <= 0:
        return "A"
    return "C" if done >= total else "B"


@define
class _State:
    """Everything a change set may touch, so a failed one can be rolled back as a whole."""

    stores: dict[str, Store]
    counters: dict[str, int] = field(factory=dict)
    message_ids: set[str] = field(factory=set)
    bulk_errors: dict[str, list[str]] = field(factory=dict)

    def next(self, name: str, start: int) -> str:
        value = self.counters.get(name, start)
        self.counters[name] = value + 1
        return str(value)


#: G/L accounts of an invoice's revenue and output tax items in the item cube.
_INVOICE_ACCOUNTS: Final = {"revenue": "41000000", "tax": "22000000"}


class FakeSap:
    """An in-memory S/4HANA: OData services, SOAP journal posting, logon and CSRF."""

    def __init__(
        self,
        *,
        user: str = USER,
        password: str = PASSWORD,
        client_id: str = CLIENT_ID,
        client_secret: str = CLIENT_SECRET,
        page_size: int = 50,
        company_codes: Iterable[str] = ("1010",),
        clock: Callable[[], datetime] = _now,
        next_link_host: str | None = None,
        token_lifetime: int = 3600,
        sap_client: str = "100",
    ) -> None:
        self.user, self._password = user, password
        self.client_id, self._client_secret = client_id, client_secret
        self.page_size = page_size
        self.company_codes = set(company_codes)
        self.gl_accounts: set[str] = set()
        #: Where SAP books receivable (DebtorItem) and tax (ProductTaxItem) lines.
        self.derived_accounts = {"debtor": "12100000", "tax": "22000000"}
        #: Bill each goods issue at once (as if SAP's billing run followed every delivery).
        self.auto_bill = False
        self.clock = clock
        self.next_link_host = next_link_host
        self.token_lifetime = token_lifetime
        #: The system's logon client; a request naming another ``sap-client`` is refused.
        self.sap_client = sap_client
        #: The pricing procedure: condition type -> "price" (unit price), "amount" (a fixed
        #: amount in the net value; negative for discounts) or "tax" (a fixed tax amount).
        self.condition_types: dict[str, str] = dict(CONDITION_TYPES)
        self.price_condition = "PR00"
        self.state = _State(all_stores())
        self.sessions: dict[str, str] = {}
        self.oauth_tokens: set[str] = set()
        self.csrf_fetches = 0
        self.csrf_refusals = 0
        self._reject_csrf = 0
        self._last_change = datetime(1970, 1, 1, tzinfo=UTC)
        self._lock = threading.RLock()
        self.router = Router("sap", error_body=self._fault_reply)
        for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "MERGE"):
            self.router.route(method, _ODATA)(self._odata)
        self.router.route("POST", re.escape(SYNC_PATH))(self._journal_sync)
        self.router.route("POST", re.escape(BULK_PATH))(self._journal_bulk)
        self.router.route("POST", re.escape(TOKEN_PATH))(self._token)

    # ------------------------------------------------------------------ wiring

    def transport(self) -> Any:
        """The fake as an in-process httpx transport (sync and async)."""
        return self.router.transport()

    def server(self) -> LocalServer:
        """The fake behind a real HTTP server on 127.0.0.1 (call ``.start()``)."""
        return LocalServer(self.router)

    def store(self, root: str) -> Store:
        return self.state.stores[root]

    def rows(self, root: str, entity_set: str) -> list[dict[str, Any]]:
        """The rows of one entity set (a copy), for assertions in tests."""
        with self._lock:
            return [dict(r) for r in self.state.stores[root][entity_set].rows.values()]

    # ------------------------------------------------------------------ switches

    def expire_csrf_tokens(self) -> None:
        """End every session: the next change gets 403 until a new token is fetched."""
        with self._lock:
            self.sessions.clear()

    def reject_csrf(self, count: int = 1) -> None:
        """Refuse the CSRF token of the next ``count`` changes, however fresh it is."""
        with self._lock:
            self._reject_csrf = count

    def expire_oauth_tokens(self) -> None:
        with self._lock:
            self.oauth_tokens.clear()

    # ------------------------------------------------------------------ seeding

    def add_product(
        self,
        product: str,
        *,
        gtin: str | None = None,
        description: str | None = None,
        base_unit: str = "EA",
        product_type: str = "FERT",
        price: Decimal | str | None = None,
        language: str = "EN",
    ) -> None:
        """A product (material), with its GTIN, description and a net price for orders."""
        with self._lock:
            store = self.state.stores[PRODUCTS]
            store["A_Product"].put(
                {
                    "Product": product,
                    "ProductType": product_type,
                    "BaseUnit": base_unit,
                    "ProductGroup": "",
                    "ProductStandardID": gtin or "",
                    "InternationalArticleNumberCat": "",
                    "IsMarkedForDeletion": False,
                    "_price": Decimal(price) if price is not None else Decimal(0),
                }
            )
            if description:
                store["A_ProductDescription"].put(
                    {"Product": product, "Language": language, "ProductDescription": description}
                )

    def add_customer(
        self,
        name: str,
        *,
        business_partner: str | None = None,
        search_term: str = "",
        external_id: str = "",
    ) -> str:
        """An organization business partner with the customer role; returns its number."""
        with self._lock:
            number = business_partner or self.state.next("bp", 1000000)
            self._put_partner(
                number,
                {
                    "BusinessPartnerCategory": "2",
                    "BusinessPartnerGrouping": "BP02",
                    "OrganizationBPName1": name,
                    "SearchTerm1": search_term,
                    "BusinessPartnerIDByExtSystem": external_id,
                },
                sorted(CUSTOMER_ROLES),
            )
            return number

    def set_stock(
        self,
        material: str,
        plant: str,
        quantity: Decimal | int | str,
        *,
        storage_location: str = "0001",
        stock_type: str = "01",
        special_stock_type: str = "",
        batch: str = "",
        base_unit: str = "EA",
    ) -> None:
        """Set one stock row of API_MATERIAL_STOCK_SRV (type 01 unrestricted-use by default)."""
        row: dict[str, Any] = {
            **dict.fromkeys(STOCK_KEYS, ""),
            "Material": material,
            "Plant": plant,
            "StorageLocation": storage_location,
            "Batch": batch,
            "InventorySpecialStockType": special_stock_type,
            "InventoryStockType": stock_type,
            "MaterialBaseUnit": base_unit,
            "MatlWrhsStkQtyInMatlBaseUnit": Decimal(quantity),
        }
        with self._lock:
            self.state.stores[STOCK]["A_MatlStkInAcctMod"].put(row)

    def add_sales_order(self, payload: Mapping[str, Any]) -> str:
        """Enter a sales order as an SAP user would (an ``A_SalesOrder`` deep-insert body with
        ``to_Item`` and optionally ``to_Partner``); returns its number."""
        with self._lock:
            row, _ = self._create_sales_order(copy.deepcopy(dict(payload)))
            return str(row["SalesOrder"])

    def add_gl_accounts(self, *accounts: str) -> None:
        """Restrict journal postings to these G/L accounts (none seeded: any is accepted)."""
        with self._lock:
            self.gl_accounts.update(accounts)

    # ------------------------------------------------------------------ plumbing

    def _tick(self) -> datetime:
        moment = self.clock()
        if moment <= self._last_change:
            moment = self._last_change + timedelta(microseconds=1)
        self._last_change = moment
        return moment

    def _fault_reply(self, status: int, code: str, message: str) -> Reply:
        return Reply.json(error_body(status, code, message, "SANDBOX"), status)

    def _failure(self, root: str, failure: ODataFailure) -> Reply:
        service = root.rsplit("/", 1)[-1].split(";")[0]
        body = error_body(failure.status, failure.code, failure.message, service, failure.details)
        return Reply.json(body, failure.status, failure.headers)

    def _authenticate(self, req: SandboxRequest) -> None:
        header = req.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "basic":
            try:
                user, _, password = base64.b64decode(value).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                user, password = "", ""
            if user == self.user and secrets.compare_digest(password, self._password):
                return
        elif scheme.lower() == "bearer" and value in self.oauth_tokens:
            return
        raise ODataFailure(
            401,
            "SANDBOX/LOGON",
            "Logon failed: user or password wrong, or the bearer token is unknown or expired",
            headers={
                "WWW-Authenticate": 'Basic realm="SAP NetWeaver Application Server [FAK/100]"'
            },
        )

    def _session(self, req: SandboxRequest) -> str | None:
        for part in req.headers.get("cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == SESSION_COOKIE:
                return value
        return None

    def _issue_csrf(self, req: SandboxRequest) -> dict[str, str]:
        self.csrf_fetches += 1
        sid = self._session(req)
        if sid is None or sid not in self.sessions:
            sid = secrets.token_hex(16)
            self.sessions[sid] = secrets.token_urlsafe(18)
        return {
            "x-csrf-token": self.sessions[sid],
            "Set-Cookie": f"{SESSION_COOKIE}={sid}; path=/; HttpOnly",
        }

    def _check_csrf(self, req: SandboxRequest) -> None:
        sid = self._session(req)
        token = req.headers.get("x-csrf-token", "")
        valid = sid is not None and self.sessions.get(sid) == token and bool(token)
        if self._reject_csrf > 0:
            self._reject_csrf -= 1
            valid = False
        if not valid:
            self.csrf_refusals += 1
            raise _CsrfRefused()

    # ------------------------------------------------------------------ OData entry point

    def _odata(self, req: SandboxRequest, m: re.Match[str]) -> Reply:
        root, rest = m["root"], unquote(m["rest"] or "")
        with self._lock:
            if root not in self.state.stores:
                return self._failure(
                    root, ODataFailure(404, "SANDBOX/NO_SERVICE", f"No service found for {root}")
                )
            extra: dict[str, str] = {}
            try:
                self._authenticate(req)
                self._check_client(req)
                method = req.method
                override = req.headers.get("x-http-method", "").upper()
                if method == "POST" and override in ("MERGE", "PATCH", "PUT", "DELETE"):
                    method = override
                if req.headers.get("x-csrf-token", "").lower() == "fetch" and method in (
                    "GET",
                    "HEAD",
                ):
                    extra = self._issue_csrf(req)
                elif method in MODIFYING:
                    self._check_csrf(req)
                reply = self._serve(root, rest, method, req)
            except _CsrfRefused:
                return Reply.text(
                    "CSRF token validation failed", 403, headers={"x-csrf-token": "Required"}
                )
            except ODataFailure as failure:
                reply = self._failure(root, failure)
            reply.headers.update(extra)
            return reply

    def _check_client(self, req: SandboxRequest) -> None:
        """A ``sap-client`` other than the system's is a logon failure, as on a real system."""
        client = req.arg("sap-client")
        if client is not None and client != self.sap_client:
            raise ODataFailure(
                401,
                "SANDBOX/LOGON",
                f"Logon failed: client {client!r} is not available in this system",
            )

    def _origin(self, req: SandboxRequest) -> str:
        """Scheme and host for URIs and next links (``next_link_host`` plays a proxy's host)."""
        return f"http://{self.next_link_host or req.headers.get('host', '127.0.0.1')}"

    def _serve(self, root: str, rest: str, method: str, req: SandboxRequest) -> Reply:
        store = self.state.stores[root]
        origin = self._origin(req)
        base = origin + root
        args = {k: v[0] for k, v in req.query.items() if v and k != "sap-client"}
        if rest in ("", "/"):
            self._only(method, "GET", "HEAD")
            return Reply.json({"d": {"EntitySets": sorted(store.sets)}})
        if rest == "/$metadata":
            self._only(method, "GET", "HEAD")
            assert store.meta is not None
            return Reply.text(metadata_document(store.meta), content_type="application/xml")
        if rest == "/$batch":
            self._only(method, "POST")
            return self._batch(root, req)
        match = _SEGMENT.match(rest)
        if match is None:
            raise ODataFailure(404, "SANDBOX/NO_RESOURCE", f"Resource not found for {rest!r}")
        name, key_text, nav = match["name"], match["key"], match["nav"]
        functions = store.meta.functions if store.meta else {}
        if name in functions and key_text is None and nav is None:
            self._only(method, "POST")
            return self._function(root, name, args, req)
        entity_set = store[name]
        if key_text is None:
            if nav == "$count":
                self._only(method, "GET")
                return Reply.text(str(self._count(entity_set, args)))
            if nav is not None:
                raise ODataFailure(404, "SANDBOX/NO_RESOURCE", f"Resource not found for {rest!r}")
            if method in ("GET", "HEAD"):
                body = query_rows(
                    store,
                    entity_set,
                    entity_set.rows.values(),
                    args,
                    page_size=self.page_size,
                    link_base=origin,
                    path=f"{root}/{name}",
                    base=base,
                )
                return Reply.json(body)
            self._only(method, "POST")
            return self._create(root, entity_set, req, base)
        key = parse_key(entity_set, key_text)
        row = entity_set.get(key)
        if nav is not None:
            self._only(method, "GET")
            if nav not in entity_set.navigations:
                raise ODataFailure(404, "SANDBOX/NO_RESOURCE", f"No navigation {nav} on {name}")
            target = store[entity_set.navigations[nav].target]
            body = query_rows(
                store,
                target,
                store.children(entity_set, row, nav),
                args,
                page_size=self.page_size,
                link_base=origin,
                path=f"{root}{rest}",
                base=base,
            )
            return Reply.json(body)
        if method in ("GET", "HEAD"):
            expand = [e for e in (args.get("$expand") or "").split(",") if e]
            select = [s for s in (args.get("$select") or "").split(",") if s]
            data = store.to_json(entity_set, row, base, select, expand)
            headers = {}
            if entity_set.etag is not None and entity_set.etag(row):
                headers["ETag"] = entity_set.etag(row) or ""
            return Reply.json({"d": data}, headers=headers)
        if method in ("PATCH", "MERGE", "PUT"):
            return self._update(root, entity_set, row, req)
        raise ODataFailure(
            405, "SANDBOX/NOT_ALLOWED", f"{method} is not supported on {name} in the sandbox"
        )

    @staticmethod
    def _only(method: str, *allowed: str) -> None:
        if method not in allowed:
            raise ODataFailure(405, "SANDBOX/NOT_ALLOWED", f"Method {method} not allowed here")

    def _count(self, entity_set: EntitySet, args: Mapping[str, str]) -> int:
        text = args.get("$filter")
        if not text:
            return len(entity_set.rows)
        try:
            predicate = parse_filter(text)
        except FilterError as exc:
            raise ODataFailure(
                400, "SANDBOX/BAD_FILTER", f"Invalid filter expression: {exc}"
            ) from None
        return sum(1 for r in entity_set.rows.values() if predicate(r))

    def _payload(self, req: SandboxRequest) -> dict[str, Any]:
        try:
            body = json.loads(req.body or b"null")
        except ValueError as exc:
            raise ODataFailure(
                400, "SANDBOX/BAD_JSON", f"The request body is not JSON: {exc}"
            ) from None
        if not isinstance(body, dict):
            raise ODataFailure(400, "SANDBOX/BAD_JSON", "The request body must be a JSON object")
        return body

    def _check_etag(
        self, entity_set: EntitySet, row: Mapping[str, Any], req: SandboxRequest
    ) -> None:
        current = entity_set.etag(row) if entity_set.etag else None
        if current is None:
            return
        sent = req.headers.get("if-match")
        if not sent:
            raise ODataFailure(
                428,
                "SANDBOX/ETAG_REQUIRED",
                f"Precondition required: send If-Match with the ETag of {entity_set.name}",
            )
        if sent != "*" and sent != current:
            raise ODataFailure(
                412,
                "SANDBOX/ETAG_STALE",
                f"Precondition failed: the {entity_set.name} entity was changed by another "
                "request; read it again",
            )

    # ------------------------------------------------------------------ creates and updates

    def _create(self, root: str, entity_set: EntitySet, req: SandboxRequest, base: str) -> Reply:
        payload = self._payload(req)
        store = self.state.stores[root]
        headers: dict[str, str] = {}
        if entity_set.info is not None and not entity_set.info.creatable:
            raise ODataFailure(
                405,
                "SANDBOX/NOT_CREATABLE",
                f"Entity set {entity_set.name} does not support create (sap:creatable=false)",
            )
        if store.meta is not None and entity_set.type is not None:
            check_create(store.meta, entity_set.type, payload, entity_set.name)
        if (root, entity_set.name) == (SALES_ORDERS, "A_SalesOrder"):
            row, headers = self._create_sales_order(payload)
            expand = ["to_Item"]
        elif (root, entity_set.name) == (PARTNERS, "A_BusinessPartner"):
            row = self._create_partner(payload)
            expand = ["to_BusinessPartnerRole"]
        elif (root, entity_set.name) == (DELIVERIES, "A_OutbDeliveryHeader"):
            row = self._create_delivery(payload)
            expand = ["to_DeliveryDocumentItem"]
        elif root in (CUSTOMER_RETURNS, CREDIT_MEMO_REQUESTS) and entity_set.name in (
            "A_CustomerReturn",
            "A_CreditMemoRequest",
        ):
            row = self._create_return(root, payload)
            expand = ["to_Item"]
        else:
            raise ODataFailure(
                405, "SANDBOX/NOT_ALLOWED", f"Creating {entity_set.name} is not supported here"
            )
        data = store.to_json(entity_set, row, base, expand=expand)
        headers["Location"] = data["__metadata"]["uri"]
        tag = data["__metadata"].get("etag")
        if tag:
            headers["ETag"] = tag
        return Reply.json({"d": data}, 201, headers)

    @staticmethod
    def _results(payload: Mapping[str, Any], nav: str) -> list[dict[str, Any]]:
        value = payload.get(nav)
        if isinstance(value, dict) and "results" in value:
            value = value["results"]
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise ODataFailure(400, "SANDBOX/BAD_JSON", f"{nav} must be a list of objects")
        return value

    def _create_sales_order(self, payload: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        required = (
            "SalesOrderType",
            "SalesOrganization",
            "DistributionChannel",
            "OrganizationDivision",
            "SoldToParty",
        )
        missing = [f for f in required if not payload.get(f)]
        if missing:
            raise ODataFailure(
                400,
                "SANDBOX/SO_REQUIRED",
                f"Enter a value for {', '.join(missing)}",
                [
                    {"code": "SANDBOX/SO_REQUIRED", "message": f"{f} is required", "target": f}
                    for f in missing
                ],
            )
        sold_to = str(payload["SoldToParty"])
        customers = self.state.stores[PARTNERS]["A_Customer"]
        if (sold_to,) not in customers.rows:
            raise ODataFailure(
                400,
                "SANDBOX/SO_SOLDTO",
                f"Sold-to party {sold_to} does not exist",
                [{"message": f"Sold-to party {sold_to} does not exist", "target": "SoldToParty"}],
            )
        items = self._results(payload, "to_Item")
        if not items:
            raise ODataFailure(400, "SANDBOX/SO_NO_ITEMS", "A sales order needs at least one item")
        number = self.state.next("sales_order", 5000000)
        currency = str(payload.get("TransactionCurrency") or "USD")
        products = self.state.stores[PRODUCTS]["A_Product"]
        item_set = self.state.stores[SALES_ORDERS]["A_SalesOrderItem"]
        total = Decimal(0)
        rows: list[dict[str, Any]] = []
        pricing_rows: list[dict[str, Any]] = []
        for position, item in enumerate(items, start=1):
            material = str(item.get("Material") or "")
            where = f"Item {item.get('SalesOrderItem') or position * 10}"
            if (material,) not in products.rows:
                raise ODataFailure(
                    400,
                    "SANDBOX/SO_MATERIAL",
                    f"{where}: material {material or '(none)'} does not exist",
                    [{"message": f"Material {material} does not exist", "target": "Material"}],
                )
            quantity = from_v2(item.get("RequestedQuantity"), "Edm.Decimal", "RequestedQuantity")
            if quantity is None or quantity <= 0:
                raise ODataFailure(
                    400, "SANDBOX/SO_QUANTITY", f"{where}: RequestedQuantity must be positive"
                )
            item_number = str(item.get("SalesOrderItem") or position * 10)
            net, tax, elements = self._pricing(
                number,
                item_number,
                quantity,
                products.rows[(material,)]["_price"],
                self._results(item, "to_PricingElement"),
                currency,
            )
            total += net
            pricing_rows.extend(elements)
            rows.append(
                {
                    "SalesOrder": number,
                    "SalesOrderItem": item_number,
                    "SalesOrderItemCategory": str(item.get("SalesOrderItemCategory") or "TAN"),
                    "TaxAmount": tax,
                    "Material": material,
                    "RequestedQuantity": quantity,
                    "RequestedQuantityUnit": str(
                        item.get("RequestedQuantityUnit") or products.rows[(material,)]["BaseUnit"]
                    ),
                    "NetAmount": net,
                    "TransactionCurrency": currency,
                    "PurchaseOrderByCustomer": str(
                        item.get("PurchaseOrderByCustomer")
                        or payload.get("PurchaseOrderByCustomer")
                        or ""
                    ),
                    "SDProcessStatus": "A",
                    "DeliveryStatus": "A",
                    "ProductionPlant": str(item.get("ProductionPlant") or ""),
                    "_delivered": Decimal(0),
                    "_issued": Decimal(0),
                    "_billed": Decimal(0),
                }
            )
        headers: dict[str, str] = {}
        po = str(payload.get("PurchaseOrderByCustomer") or "")
        orders = self.state.stores[SALES_ORDERS]["A_SalesOrder"]
        twin = next(
            (
                o
                for o in orders.rows.values()
                if po and o["PurchaseOrderByCustomer"] == po and o["SoldToParty"] == sold_to
            ),
            None,
        )
        if twin is not None:
            headers["sap-message"] = json.dumps(
                {
                    "code": "SANDBOX/DUPLICATE_PO",
                    "message": (
                        f"Purchase order number {po} already exists in order {twin['SalesOrder']}"
                    ),
                    "severity": "warning",
                    "target": "",
                    "details": [],
                }
            )
        now = self._tick()
        header = {
            "SalesOrder": number,
            "SalesOrderType": str(payload["SalesOrderType"]),
            "SalesOrganization": str(payload["SalesOrganization"]),
            "DistributionChannel": str(payload["DistributionChannel"]),
            "OrganizationDivision": str(payload["OrganizationDivision"]),
            "SoldToParty": sold_to,
            "PurchaseOrderByCustomer": po,
            "TransactionCurrency": currency,
            "TotalNetAmount": total,
            "RequestedDeliveryDate": from_v2(
                payload.get("RequestedDeliveryDate"), "Edm.DateTime", "RequestedDeliveryDate"
            ),
            "CreationDate": now.date(),
            "LastChangeDateTime": now,
            "OverallSDProcessStatus": "A",
            "OverallDeliveryStatus": "A",
            "OverallTotalDeliveryStatus": "A",
            "OverallOrdReltdBillgStatus": "",
            "TotalCreditCheckStatus": "",
            "DeliveryBlockReason": str(payload.get("DeliveryBlockReason") or ""),
            "HeaderBillingBlockReason": str(payload.get("HeaderBillingBlockReason") or ""),
            "ShippingCondition": str(payload.get("ShippingCondition") or ""),
            "CustomerPaymentTerms": str(payload.get("CustomerPaymentTerms") or ""),
        }
        partners = self._sales_order_partners(number, payload)
        for row in rows:
            item_set.put(row)
        for element in pricing_rows:
            self.state.stores[SALES_ORDERS]["A_SalesOrderItemPrElement"].put(element)
        for partner, addresses in partners:
            self.state.stores[SALES_ORDERS]["A_SalesOrderHeaderPartner"].put(partner)
            for address in addresses:
                self.state.stores[SALES_ORDERS]["A_SalesOrderPartnerAddress"].put(address)
        return orders.put(header), headers

    def _pricing(
        self,
        order: str,
        item: str,
        quantity: Decimal,
        list_price: Decimal,
        given: list[dict[str, Any]],
        currency: str,
    ) -> tuple[Decimal, Decimal, list[dict[str, Any]]]:
        """Net value, tax and pricing element rows of one item, as SAP's pricing computes them.

        A price condition (``"price"`` in :attr:`condition_types`) sets the unit price (the
        product's list price otherwise); an ``"amount"`` condition adds its rate as a fixed
        amount to the net value (negative: a discount); a ``"tax"`` condition adds it to the
        tax. A condition type the system does not know is refused, as SAP refuses it.
        """
        price = list_price
        price_kind = self.price_condition
        amounts: list[tuple[str, str, Decimal]] = []
        for element in given:
            kind = str(element.get("ConditionType") or "")
            calculation = self.condition_types.get(kind)
            if calculation is None:
                raise ODataFailure(
                    400,
                    "SANDBOX/SO_CONDITION",
                    f"Item {item}: condition type {kind or '(none)'} is not defined in the "
                    "pricing procedure",
                    [{"message": f"Condition type {kind} unknown", "target": "ConditionType"}],
                )
            rate = from_v2(element.get("ConditionRateValue"), "Edm.Decimal", "ConditionRateValue")
            rate = Decimal(0) if rate is None else rate
            if calculation == "price":
                price, price_kind = rate, kind
            else:
                amounts.append((kind, calculation, rate))
        elements: list[dict[str, Any]] = []
        net = (quantity * price).quantize(Decimal("0.01"))

        def row(step: int, kind: str, calc: str, rate: Decimal, amount: Decimal) -> dict[str, Any]:
            return {
                "SalesOrder": order,
                "SalesOrderItem": item,
                "PricingProcedureStep": f"{step:03d}",
                "PricingProcedureCounter": "001",
                "ConditionType": kind,
                "ConditionCalculationType": calc,
                "ConditionRateValue": rate,
                "ConditionCurrency": currency,
                "ConditionAmount": amount,
                "TransactionCurrency": currency,
            }

        elements.append(row(10, price_kind, "C", price, net))
        tax = Decimal(0)
        for step, (kind, calculation, rate) in enumerate(amounts, start=2):
            amount = rate.quantize(Decimal("0.01"))
            if calculation == "tax":
                tax += amount
            else:
                net += amount
            elements.append(row(step * 10, kind, "B", rate, amount))
        return net, tax, elements

    def _create_return(self, root: str, payload: dict[str, Any]) -> dict[str, Any]:
        """A customer return or credit memo request referring to a sales order's items."""
        credit = root == CREDIT_MEMO_REQUESTS
        key = "CreditMemoRequest" if credit else "CustomerReturn"
        header_set, item_set = (
            ("A_CreditMemoRequest", "A_CreditMemoRequestItem")
            if credit
            else ("A_CustomerReturn", "A_CustomerReturnItem")
        )
        missing = [
            f
            for f in (f"{key}Type", "SalesOrganization", "DistributionChannel", "SoldToParty")
            if not payload.get(f)
        ]
        if missing:
            raise ODataFailure(
                400,
                "SANDBOX/RET_REQUIRED",
                f"Enter a value for {', '.join(missing)}",
                [{"message": f"{f} is required", "target": f} for f in missing],
            )
        orders = self.state.stores[SALES_ORDERS]
        reference = str(payload.get("ReferenceSDDocument") or "")
        if reference and (reference,) not in orders["A_SalesOrder"].rows:
            raise ODataFailure(
                400,
                "SANDBOX/RET_REFERENCE",
                f"Reference document {reference} does not exist",
                [{"message": "Unknown reference document", "target": "ReferenceSDDocument"}],
            )
        lines = self._results(payload, "to_Item")
        if not lines:
            raise ODataFailure(400, "SANDBOX/RET_NO_ITEMS", f"A {key} needs at least one item")
        number = self.state.next("return" if not credit else "credit_memo", 60000000)
        currency = str(payload.get("TransactionCurrency") or "USD")
        store = self.state.stores[root]
        total = Decimal(0)
        for position, line in enumerate(lines, start=1):
            item_number = str(line.get(f"{key}Item") or position * 10)
            quantity = from_v2(line.get("RequestedQuantity"), "Edm.Decimal", "RequestedQuantity")
            if quantity is None or quantity <= 0:
                raise ODataFailure(
                    400, "SANDBOX/RET_QUANTITY", f"Item {item_number}: quantity must be positive"
                )
            ref_item = str(line.get("ReferenceSDDocumentItem") or "")
            source = orders["A_SalesOrderItem"].rows.get(
                (str(line.get("ReferenceSDDocument") or reference), ref_item)
            )
            if source is None:
                raise ODataFailure(
                    400,
                    "SANDBOX/RET_REFERENCE",
                    f"Item {item_number}: reference item {reference}/{ref_item} does not exist",
                    [{"message": "Unknown reference item", "target": "ReferenceSDDocumentItem"}],
                )
            unit = source["NetAmount"] / source["RequestedQuantity"]
            elements = self._results(line, "to_PricingElement")
            for step, element in enumerate(elements, start=1):
                kind = str(element.get("ConditionType") or "")
                if self.condition_types.get(kind) is None:
                    raise ODataFailure(
                        400,
                        "SANDBOX/RET_CONDITION",
                        f"Item {item_number}: condition type {kind or '(none)'} is not defined",
                    )
                rate = from_v2(element.get("ConditionRateValue"), "Edm.Decimal", "rate")
                if self.condition_types[kind] == "price" and rate is not None:
                    unit = rate
                store[returns.PRICING_SETS[root]].put(
                    {
                        key: number,
                        f"{key}Item": item_number,
                        "PricingProcedureStep": f"{step * 10:03d}",
                        "PricingProcedureCounter": "001",
                        "ConditionType": kind,
                        "ConditionRateValue": rate,
                        "ConditionCurrency": str(element.get("ConditionCurrency") or currency),
                        "ConditionAmount": ((rate or Decimal(0)) * quantity).quantize(
                            Decimal("0.01")
                        ),
                        "TransactionCurrency": currency,
                    }
                )
            net = (unit * quantity).quantize(Decimal("0.01"))
            total += net
            row = {
                key: number,
                f"{key}Item": item_number,
                f"{key}ItemCategory": str(line.get(f"{key}ItemCategory") or "REN"),
                "Material": str(line.get("Material") or source["Material"]),
                "RequestedQuantity": quantity,
                "RequestedQuantityUnit": str(line.get("RequestedQuantityUnit") or "EA"),
                "TransactionCurrency": currency,
                "NetAmount": net,
                "ReferenceSDDocument": str(line.get("ReferenceSDDocument") or reference),
                "ReferenceSDDocumentItem": ref_item,
                "SDProcessStatus": "A",
            }
            if not credit:
                row["ReturnReason"] = str(line.get("ReturnReason") or "")
            store[item_set].put(row)
        now = self._tick()
        header = {
            key: number,
            f"{key}Type": str(payload[f"{key}Type"]),
            "SalesOrganization": str(payload["SalesOrganization"]),
            "DistributionChannel": str(payload["DistributionChannel"]),
            "OrganizationDivision": str(payload.get("OrganizationDivision") or ""),
            "SoldToParty": str(payload["SoldToParty"]),
            "CreationDate": now.date(),
            "LastChangeDateTime": now,
            "PurchaseOrderByCustomer": str(payload.get("PurchaseOrderByCustomer") or ""),
            "TotalNetAmount": total,
            "TransactionCurrency": currency,
            "SDDocumentReason": str(payload.get("SDDocumentReason") or ""),
            "ReferenceSDDocument": reference,
            "OverallSDProcessStatus": "A",
        }
        date_field = "CreditMemoRequestDate" if credit else "CustomerReturnDate"
        header[date_field] = from_v2(payload.get(date_field), "Edm.DateTime", date_field)
        return store[header_set].put(header)

    def _sales_order_partners(
        self, number: str, payload: Mapping[str, Any]
    ) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
        """The header partners of a deep insert (``to_Partner``) with their ``to_Address``."""
        out = []
        for partner in self._results(payload, "to_Partner"):
            function = str(partner.get("PartnerFunction") or "")
            if not function:
                raise ODataFailure(
                    400, "SANDBOX/SO_PARTNER", "Enter a partner function for every partner"
                )
            row = {
                "SalesOrder": number,
                "PartnerFunction": function,
                "Customer": str(partner.get("Customer") or ""),
                "Supplier": str(partner.get("Supplier") or ""),
            }
            addresses = [
                {
                    **{k: str(address.get(k) or "") for k in SO_ADDRESS},
                    "SalesOrder": number,
                    "PartnerFunction": function,
                    "AddressRepresentationCode": "",
                }
                for address in self._results(partner, "to_Address")[:1]
            ]
            out.append((row, addresses))
        return out

    def _put_partner(
        self, number: str, fields: Mapping[str, Any], roles: Iterable[str]
    ) -> dict[str, Any]:
        store = self.state.stores[PARTNERS]
        roles = list(roles)
        customer = number if CUSTOMER_ROLES & set(roles) else ""
        name = str(fields.get("OrganizationBPName1") or "")
        row = store["A_BusinessPartner"].put(
            {
                "BusinessPartner": number,
                "Customer": customer,
                "BusinessPartnerCategory": str(fields.get("BusinessPartnerCategory") or ""),
                "BusinessPartnerGrouping": str(fields.get("BusinessPartnerGrouping") or ""),
                "BusinessPartnerFullName": name,
                "BusinessPartnerName": name,
                "OrganizationBPName1": name,
                "FirstName": str(fields.get("FirstName") or ""),
                "LastName": str(fields.get("LastName") or ""),
                "SearchTerm1": str(fields.get("SearchTerm1") or "").upper(),
                "BusinessPartnerIDByExtSystem": str(
                    fields.get("BusinessPartnerIDByExtSystem") or ""
                ),
                "CorrespondenceLanguage": str(fields.get("CorrespondenceLanguage") or ""),
                "BusinessPartnerIsBlocked": False,
            }
        )
        for role in roles:
            store["A_BusinessPartnerRole"].put(
                {"BusinessPartner": number, "BusinessPartnerRole": role}
            )
        if customer:
            store["A_Customer"].put(
                {
                    "Customer": customer,
                    "CustomerName": name,
                    "CustomerFullName": name,
                    "CustomerAccountGroup": "CUST",
                }
            )
        return row

    def _create_partner(self, payload: dict[str, Any]) -> dict[str, Any]:
        category = str(payload.get("BusinessPartnerCategory") or "")
        problems = []
        if category not in ("1", "2", "3"):
            problems.append(
                ("BusinessPartnerCategory", "Enter a business partner category (1, 2 or 3)")
            )
        if not payload.get("BusinessPartnerGrouping"):
            problems.append(("BusinessPartnerGrouping", "Enter a business partner grouping"))
        if category == "2" and not payload.get("OrganizationBPName1"):
            problems.append(("OrganizationBPName1", "Enter a name for the organization"))
        for name, limit in (
            ("OrganizationBPName1", 40),
            ("SearchTerm1", 20),
            ("BusinessPartnerIDByExtSystem", 20),
        ):
            if len(str(payload.get(name) or "")) > limit:
                problems.append((name, f"{name} is longer than {limit} characters"))
        if problems:
            raise ODataFailure(
                400,
                "SANDBOX/BP_INVALID",
                problems[0][1],
                [{"message": m, "target": t} for t, m in problems],
            )
        roles = [
            str(r.get("BusinessPartnerRole") or "")
            for r in self._results(payload, "to_BusinessPartnerRole")
        ]
        number = self.state.next("bp", 1000000)
        row = self._put_partner(number, payload, roles)
        store = self.state.stores[PARTNERS]
        for position, address in enumerate(
            self._results(payload, "to_BusinessPartnerAddress"), start=1
        ):
            fields = {
                k: str(v)
                for k, v in address.items()
                if k in store["A_BusinessPartnerAddress"].properties
            }
            store["A_BusinessPartnerAddress"].put(
                {**fields, "BusinessPartner": number, "AddressID": str(position)}
            )
        customer_data = payload.get("to_Customer")
        if row["Customer"] and isinstance(customer_data, dict):
            for area in self._results(customer_data, "to_CustomerSalesArea"):
                store["A_CustomerSalesArea"].put(
                    {**{k: str(v) for k, v in area.items()}, "Customer": row["Customer"]}
                )
            for company in self._results(customer_data, "to_CustomerCompany"):
                store["A_CustomerCompany"].put(
                    {**{k: str(v) for k, v in company.items()}, "Customer": row["Customer"]}
                )
        return row

    def _create_delivery(self, payload: dict[str, Any]) -> dict[str, Any]:
        lines = self._results(payload, "to_DeliveryDocumentItem")
        if not lines:
            raise ODataFailure(400, "SANDBOX/DLV_NO_ITEMS", "A delivery needs at least one item")
        so_items = self.state.stores[SALES_ORDERS]["A_SalesOrderItem"]
        orders = self.state.stores[SALES_ORDERS]["A_SalesOrder"]
        plans = []
        for line in lines:
            order = str(line.get("ReferenceSDDocument") or "")
            position = str(line.get("ReferenceSDDocumentItem") or "")
            item = so_items.rows.get((order, position))
            if item is None:
                raise ODataFailure(
                    400,
                    "SANDBOX/DLV_REFERENCE",
                    f"Sales order {order} item {position} does not exist",
                    [
                        {
                            "message": f"Sales order {order} item {position} does not exist",
                            "target": "ReferenceSDDocumentItem",
                        }
                    ],
                )
            open_quantity = item["RequestedQuantity"] - item["_delivered"]
            quantity = from_v2(
                line.get("ActualDeliveryQuantity"), "Edm.Decimal", "ActualDeliveryQuantity"
            )
            quantity = open_quantity if quantity is None else quantity
            if open_quantity <= 0:
                raise ODataFailure(
                    400,
                    "SANDBOX/DLV_DONE",
                    f"Sales order {order} item {position} is already fully delivered",
                )
            if quantity <= 0 or quantity > open_quantity:
                raise ODataFailure(
                    400,
                    "SANDBOX/DLV_QUANTITY",
                    f"Sales order {order} item {position}: delivery quantity {quantity} "
                    f"exceeds the open quantity {open_quantity}",
                )
            plans.append((item, quantity))
        first_order = orders.rows[(plans[0][0]["SalesOrder"],)]
        number = self.state.next("delivery", 80000000)
        now = self._tick()
        header = {
            "DeliveryDocument": number,
            "DeliveryDocumentType": "LF",
            "ShippingPoint": str(payload.get("ShippingPoint") or "1010"),
            "SoldToParty": first_order["SoldToParty"],
            "ShipToParty": first_order["SoldToParty"],
            "OverallGoodsMovementStatus": "A",
            "OverallPickingStatus": "A",
            "OverallSDProcessStatus": "A",
            "BillOfLading": "",
            "DeliveryDocumentBySupplier": "",
            "MeansOfTransport": "",
            "DeliveryVersion": "1",
            "ActualGoodsMovementDate": None,
            "PlannedGoodsIssueDate": now.date(),
            "DeliveryDate": now.date(),
            "CreationDate": now.date(),
        }
        delivery_items = self.state.stores[DELIVERIES]["A_OutbDeliveryItem"]
        for number_in_delivery, (item, quantity) in enumerate(plans, start=1):
            item["_delivered"] += quantity
            delivery_items.put(
                {
                    "DeliveryDocument": number,
                    "DeliveryDocumentItem": str(number_in_delivery * 10),
                    "Material": item["Material"],
                    "ActualDeliveryQuantity": quantity,
                    "DeliveryQuantityUnit": item["RequestedQuantityUnit"],
                    "ReferenceSDDocument": item["SalesOrder"],
                    "ReferenceSDDocumentItem": item["SalesOrderItem"],
                    "GoodsMovementStatus": "A",
                    "PickingStatus": "A",
                    "Plant": item["ProductionPlant"],
                    "DeliveryVersion": "1",
                }
            )
        for order in {item["SalesOrder"] for item, _ in plans}:
            self._refresh_order(order)
        return self.state.stores[DELIVERIES]["A_OutbDeliveryHeader"].put(header)

    def _refresh_order(self, order: str) -> None:
        """Recompute a sales order's statuses from what its items have been through."""
        store = self.state.stores[SALES_ORDERS]
        header = store["A_SalesOrder"].rows[(order,)]
        items = [r for r in store["A_SalesOrderItem"].rows.values() if r["SalesOrder"] == order]
        rejected = [i for i in items if i.get("SalesDocumentRjcnReason")]
        active = [i for i in items if not i.get("SalesDocumentRjcnReason")]
        for item in items:
            item["DeliveryStatus"] = _status(item["_delivered"], item["RequestedQuantity"])
            billed = item["_billed"] >= item["RequestedQuantity"]
            done = billed or item in rejected
            item["SDProcessStatus"] = "C" if done else ("B" if item["_delivered"] > 0 else "A")
        requested = sum((i["RequestedQuantity"] for i in active), Decimal(0))
        delivered = sum((i["_delivered"] for i in active), Decimal(0))
        status = _status(delivered, requested) if active else "C"
        header["OverallDeliveryStatus"] = status
        header["OverallTotalDeliveryStatus"] = status
        states = {i["SDProcessStatus"] for i in items}
        header["OverallSDProcessStatus"] = (
            "C" if states == {"C"} else ("A" if states == {"A"} else "B")
        )
        header["OverallSDDocumentRejectionSts"] = (
            "A" if not rejected else ("C" if not active else "B")
        )
        header["TotalNetAmount"] = sum((i["NetAmount"] for i in active), Decimal(0))
        header["LastChangeDateTime"] = self._tick()

    def _update(
        self, root: str, entity_set: EntitySet, row: dict[str, Any], req: SandboxRequest
    ) -> Reply:
        if entity_set.info is not None and not entity_set.info.updatable:
            raise ODataFailure(
                405,
                "SANDBOX/NOT_UPDATABLE",
                f"Entity set {entity_set.name} does not support update (sap:updatable=false)",
            )
        self._check_etag(entity_set, row, req)
        changes = self._payload(req)
        changes.pop("__metadata", None)
        store = self.state.stores[root]
        if entity_set.type is not None:
            shown = store.to_json(entity_set, row, "", select=list(changes))
            check_update(entity_set.type, changes, shown, entity_set.name)
        converted = {
            name: from_v2(value, entity_set.properties[name], name)
            for name, value in changes.items()
        }
        if (root, entity_set.name) == (SALES_ORDERS, "A_SalesOrderItem"):
            self._reject_item(row, converted)
        row.update(converted)
        self._touch(root, entity_set.name, row)
        headers = {}
        if entity_set.etag and entity_set.etag(row):
            headers["ETag"] = entity_set.etag(row) or ""
        return Reply(204, b"", headers)

    def _reject_item(self, item: dict[str, Any], changes: Mapping[str, Any]) -> None:
        """A rejection reason on a sales order item: refused once the item is delivered."""
        reason = changes.get("SalesDocumentRjcnReason")
        if reason and item["_delivered"] > 0:
            raise ODataFailure(
                400,
                "SANDBOX/REJECT_DELIVERED",
                f"Item {item['SalesOrderItem']} of sales order {item['SalesOrder']} has "
                "subsequent deliveries; it cannot be rejected",
                [{"message": "Item is already delivered", "target": "SalesDocumentRjcnReason"}],
            )
        if "SalesDocumentRjcnReason" in changes:
            item["SalesDocumentRjcnReason"] = reason or ""
            self._refresh_order(item["SalesOrder"])

    def _touch(self, root: str, entity_set: str, row: dict[str, Any]) -> None:
        if root == DELIVERIES:
            number = row["DeliveryDocument"]
            header = self.state.stores[DELIVERIES]["A_OutbDeliveryHeader"].rows[(number,)]
            version = str(int(header["DeliveryVersion"]) + 1)
            header["DeliveryVersion"] = version
            for item in self.state.stores[DELIVERIES]["A_OutbDeliveryItem"].rows.values():
                if item["DeliveryDocument"] == number:
                    item["DeliveryVersion"] = version
        elif root == SALES_ORDERS:
            order = self.state.stores[SALES_ORDERS]["A_SalesOrder"].rows.get((row["SalesOrder"],))
            if order is not None:
                order["LastChangeDateTime"] = self._tick()
        elif "LastChangeDateTime" in row:
            row["LastChangeDateTime"] = self._tick()

    # ------------------------------------------------------------------ function imports

    def _function(
        self, root: str, name: str, args: Mapping[str, str], req: SandboxRequest
    ) -> Reply:
        meta = self.state.stores[root].meta
        assert meta is not None
        function = meta.functions[name]
        if name not in ("PickAllItems", "PostGoodsIssue") or root != DELIVERIES:
            raise ODataFailure(
                405, "SANDBOX/NOT_ALLOWED", f"Function import {name} is not served by the sandbox"
            )
        if req.method != function.http_method:
            raise ODataFailure(
                405, "SANDBOX/NOT_ALLOWED", f"{name} is called with {function.http_method}"
            )
        params = function.parameters
        values: dict[str, Any] = {}
        for param in params:
            raw = args.get(param)
            if raw is None:
                raise ODataFailure(
                    400, "SANDBOX/PARAMETER", f"Parameter '{param}' of {name} is missing"
                )
            try:
                values[param] = parse_literal(unquote(raw))
            except FilterError as exc:
                raise ODataFailure(
                    400, "SANDBOX/PARAMETER", f"Parameter '{param}': {exc}"
                ) from None
            check_value(params[param], values[param], name)
        unknown = sorted(set(args) - set(params) - {"$format"})
        if unknown:
            raise ODataFailure(
                400, "SANDBOX/PARAMETER", f"{name} has no parameter {', '.join(unknown)}"
            )
        delivery_set = self.state.stores[DELIVERIES]["A_OutbDeliveryHeader"]
        number = str(values["DeliveryDocument"])
        header = delivery_set.get((number,))
        self._check_etag(delivery_set, header, req)
        items = [
            r
            for r in self.state.stores[DELIVERIES]["A_OutbDeliveryItem"].rows.values()
            if r["DeliveryDocument"] == number
        ]
        if name == "PickAllItems":
            for item in items:
                item["PickingStatus"] = "C"
            header["OverallPickingStatus"] = "C"
        else:
            if header["OverallGoodsMovementStatus"] == "C":
                raise ODataFailure(
                    400,
                    "SANDBOX/PGI_DONE",
                    f"Goods issue for delivery {number} has already been posted",
                )
            if header["OverallPickingStatus"] != "C":
                raise ODataFailure(
                    400,
                    "SANDBOX/PGI_PICKING",
                    f"Delivery {number}: picking is not complete; pick all items first",
                )
            for item in items:
                item["GoodsMovementStatus"] = "C"
                so_item = self.state.stores[SALES_ORDERS]["A_SalesOrderItem"].rows[
                    (item["ReferenceSDDocument"], item["ReferenceSDDocumentItem"])
                ]
                so_item["_issued"] += item["ActualDeliveryQuantity"]
            header["OverallGoodsMovementStatus"] = "C"
            header["OverallSDProcessStatus"] = "B"
            header["ActualGoodsMovementDate"] = self.clock().date()
            for order in {i["ReferenceSDDocument"] for i in items}:
                self._refresh_order(order)
                if self.auto_bill:
                    self.bill(order)
        self._touch(DELIVERIES, "A_OutbDeliveryHeader", header)
        etag = delivery_set.etag(header) if delivery_set.etag else None
        return Reply.json({"d": {"results": []}}, headers={"ETag": etag} if etag else None)

    # ------------------------------------------------------------------ billing (a billing run)

    def bill(self, sales_order: str, *, company_code: str = "1010") -> str:
        """Bill what has been goods-issued and not yet billed for ``sales_order``; the number."""
        with self._lock:
            so = self.state.stores[SALES_ORDERS]
            header = so["A_SalesOrder"].get((sales_order,))
            items = [
                r
                for r in so["A_SalesOrderItem"].rows.values()
                if r["SalesOrder"] == sales_order and r["_issued"] > r["_billed"]
            ]
            if not items:
                raise ValueError(f"sales order {sales_order} has nothing goods-issued to bill")
            store = self.state.stores[BILLING]
            number = self.state.next("billing", 90000000)
            now = self._tick()
            net_total = Decimal(0)
            tax_total = Decimal(0)
            for position, item in enumerate(items, start=1):
                quantity = item["_issued"] - item["_billed"]
                share = (item["NetAmount"] * quantity / item["RequestedQuantity"]).quantize(
                    Decimal("0.01")
                )
                tax = item.get("TaxAmount", Decimal(0)) * quantity / item["RequestedQuantity"]
                tax = tax.quantize(Decimal("0.01"))
                net_total += share
                tax_total += tax
                item["_billed"] += quantity
                store["A_BillingDocumentItem"].put(
                    {
                        "BillingDocument": number,
                        "BillingDocumentItem": str(position * 10),
                        "Material": item["Material"],
                        "BillingQuantity": quantity,
                        "BillingQuantityUnit": item["RequestedQuantityUnit"],
                        "NetAmount": share,
                        "TaxAmount": tax,
                        "GrossAmount": share + tax,
                        "SalesDocument": sales_order,
                        "SalesDocumentItem": item["SalesOrderItem"],
                        "ReferenceSDDocument": sales_order,
                        "ReferenceSDDocumentItem": item["SalesOrderItem"],
                        "TransactionCurrency": header["TransactionCurrency"],
                    }
                )
            accounting = self.state.next("accounting", 9400000000)
            self._post_invoice(
                number,
                accounting,
                header,
                sales_order,
                company_code,
                now,
                net_total,
                tax_total,
            )
            store["A_BillingDocument"].put(
                {
                    "BillingDocument": number,
                    "BillingDocumentType": "F2",
                    "BillingDocumentDate": now.date(),
                    "SoldToParty": header["SoldToParty"],
                    "PurchaseOrderByCustomer": header["PurchaseOrderByCustomer"],
                    "TransactionCurrency": header["TransactionCurrency"],
                    "TotalNetAmount": net_total,
                    "TaxAmount": tax_total,
                    "TotalGrossAmount": net_total + tax_total,
                    "CompanyCode": company_code,
                    "FiscalYear": str(now.year),
                    "AccountingDocument": accounting,
                    "BillingDocumentIsCancelled": False,
                    "OverallBillingStatus": "C",
                    "AccountingPostingStatus": "C",
                    "LastChangeDateTime": now,
                }
            )
            self._refresh_order(sales_order)
            return number

    def _post_invoice(
        self,
        billing: str,
        accounting: str,
        order: Mapping[str, Any],
        sales_order: str,
        company_code: str,
        now: datetime,
        net: Decimal,
        tax: Decimal,
    ) -> None:
        """The accounting document of a billing document in the item cube: the customer's
        open receivable (debtor item, assignment = the customer reference as SD copies it,
        without hyphens when longer than 18) against revenue and output tax."""
        cube = self.state.stores[CUBE]["A_OperationalAcctgDocItemCube"]
        reference = str(order.get("PurchaseOrderByCustomer") or "")
        assignment = reference if len(reference) <= 18 else reference.replace("-", "")[:18]
        common = {
            "CompanyCode": company_code,
            "FiscalYear": str(now.year),
            "AccountingDocument": accounting,
            "TransactionCurrency": order["TransactionCurrency"],
            "PostingDate": now.date(),
            "DocumentDate": now.date(),
            "AccountingDocumentType": "RV",
            "DocumentReferenceID": billing,
            "OriginalReferenceDocument": billing,
            "BillingDocument": billing,
            "SalesDocument": sales_order,
            "IsReversal": False,
            "IsReversed": False,
            "IsCleared": False,
        }
        items = [
            ("D", self.derived_accounts["debtor"], "S", net + tax, order["SoldToParty"]),
            ("S", _INVOICE_ACCOUNTS["revenue"], "H", -net, ""),
        ]
        if tax:
            items.append(("S", _INVOICE_ACCOUNTS["tax"], "H", -tax, ""))
        for number, (kind, account, side, amount, customer) in enumerate(items, start=1):
            cube.put(
                {
                    **common,
                    "AccountingDocumentItem": f"{number:03d}",
                    "FinancialAccountType": kind,
                    "GLAccount": account,
                    "DebitCreditCode": side,
                    "AmountInTransactionCurrency": amount,
                    "Customer": customer,
                    "AssignmentReference": assignment if kind == "D" else "",
                }
            )

    @staticmethod
    def _clear(rows: Iterable[dict[str, Any]], document: str, day: date) -> None:
        """SAP's automatic clearing (by customer, company code, currency and assignment): open
        debtor items whose amounts sum to zero are cleared by ``document``."""
        groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
        for row in rows:
            if row.get("FinancialAccountType") != "D" or row.get("IsCleared"):
                continue
            if not row.get("AssignmentReference") or not row.get("Customer"):
                continue
            key = (
                row["CompanyCode"],
                row["Customer"],
                row["TransactionCurrency"],
                row["AssignmentReference"],
            )
            groups.setdefault(key, []).append(row)
        for group in groups.values():
            if len(group) < 2 or not any(r["AccountingDocument"] == document for r in group):
                continue
            if sum((r["AmountInTransactionCurrency"] for r in group), Decimal(0)) != 0:
                continue
            for row in group:
                row.update(IsCleared=True, ClearingAccountingDocument=document, ClearingDate=day)

    # ------------------------------------------------------------------ $batch

    def _batch(self, root: str, req: SandboxRequest) -> Reply:
        try:
            boundary = multipart.boundary(req.headers.get("content-type", ""))
            parts = [multipart.head_and_body(p) for p in multipart.split(req.body, boundary)]
            inner_boundaries = [
                multipart.boundary(mime.get("content-type", ""))
                if mime.get("content-type", "").lower().startswith("multipart/mixed")
                else None
                for _, mime, _ in parts
            ]
        except multipart.MultipartError as exc:
            raise ODataFailure(400, "SANDBOX/BATCH", f"Malformed $batch request: {exc}") from None
        answers: list[tuple[dict[str, str], bytes]] = []
        for (_, _, content), inner_boundary in zip(parts, inner_boundaries, strict=True):
            if inner_boundary is not None:
                answers.append(self._changeset(root, req, content, inner_boundary))
            else:
                reply = self._inner(root, req, content)
                answers.append((_HTTP_PART, self._http(reply)))
        out = f"batchresponse_{secrets.token_hex(8)}"
        return Reply(
            202,
            multipart.join(answers, out),
            {"Content-Type": f"multipart/mixed; boundary={out}"},
        )

    def _changeset(
        self, root: str, req: SandboxRequest, content: bytes, boundary: str
    ) -> tuple[dict[str, str], bytes]:
        snapshot = copy.deepcopy(self.state)
        replies: list[tuple[dict[str, str], bytes]] = []
        try:
            parts = [multipart.head_and_body(p) for p in multipart.split(content, boundary)]
        except multipart.MultipartError as exc:
            failure = ODataFailure(400, "SANDBOX/BATCH", f"Malformed change set: {exc}")
            return dict(_HTTP_PART), self._http(self._failure(root, failure))
        for _, mime, inner in parts:
            reply = self._inner(root, req, inner)
            headers = dict(_HTTP_PART)
            if mime.get("content-id"):
                headers["Content-ID"] = mime["content-id"]
            if reply.status >= 400:
                self.state = snapshot
                return headers, self._http(reply)
            replies.append((headers, self._http(reply)))
        inner_boundary = f"changesetresponse_{secrets.token_hex(8)}"
        return (
            {"Content-Type": f"multipart/mixed; boundary={inner_boundary}"},
            multipart.join(replies, inner_boundary),
        )

    def _inner(self, root: str, outer: SandboxRequest, content: bytes) -> Reply:
        try:
            lines, headers, body = multipart.head_and_body(content)
        except multipart.MultipartError as exc:
            return self._failure(root, ODataFailure(400, "SANDBOX/BATCH", str(exc)))
        request_line = lines[0] if lines else ""
        parts = request_line.split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/"):
            return self._failure(
                root, ODataFailure(400, "SANDBOX/BATCH", f"Malformed request line {request_line!r}")
            )
        method, target = parts[0].upper(), parts[1]
        path, _, query = target.partition("?")
        path = unquote(path)
        inner = SandboxRequest(
            method=method,
            path=f"{root}/{path.lstrip('/')}",
            query=parse_qs(query, keep_blank_values=True),
            headers={
                **{
                    k: v
                    for k, v in outer.headers.items()
                    if k in ("authorization", "cookie", "host")
                },
                **headers,
            },
            body=body,
        )
        override = headers.get("x-http-method", "").upper()
        if method == "POST" and override in ("MERGE", "PATCH", "PUT", "DELETE"):
            method = override
        try:
            return self._serve(root, "/" + path.lstrip("/"), method, inner)
        except ODataFailure as failure:
            return self._failure(root, failure)

    @staticmethod
    def _http(reply: Reply) -> bytes:
        headers = {**reply.headers, "Content-Length": str(len(reply.body))}
        phrase = HTTPStatus(reply.status).phrase
        return multipart.http_message(f"HTTP/1.1 {reply.status} {phrase}", headers, reply.body)

    # ------------------------------------------------------------------ OAuth

    def _token(self, req: SandboxRequest, m: re.Match[str]) -> Reply:
        scheme, _, value = req.headers.get("authorization", "").partition(" ")
        client_id = secret = ""
        if scheme.lower() == "basic":
            with contextlib.suppress(ValueError, UnicodeDecodeError):
                client_id, _, secret = base64.b64decode(value).decode().partition(":")
        form = req.form()
        if form.get("grant_type") != "client_credentials":
            return Reply.json(
                {
                    "error": "unsupported_grant_type",
                    "error_description": "Only client_credentials is supported",
                },
                400,
            )
        if client_id != self.client_id or not secrets.compare_digest(secret, self._client_secret):
            return Reply.json(
                {"error": "unauthorized", "error_description": "Bad credentials"}, 401
            )
        with self._lock:
            token = secrets.token_urlsafe(24)
            self.oauth_tokens.add(token)
        return Reply.json(
            {
                "access_token": token,
                "token_type": "bearer",
                "expires_in": self.token_lifetime,
                "scope": "uaa.resource",
            }
        )

    # ------------------------------------------------------------------ SOAP journal entries

    def _journal_sync(self, req: SandboxRequest, m: re.Match[str]) -> Reply:
        return self._journal(req, bulk=False)

    def _journal_bulk(self, req: SandboxRequest, m: re.Match[str]) -> Reply:
        return self._journal(req, bulk=True)

    def _journal(self, req: SandboxRequest, *, bulk: bool) -> Reply:
        with self._lock:
            try:
                self._authenticate(req)
            except ODataFailure as failure:
                return Reply.text("Logon failed", failure.status, headers=failure.headers)
            try:
                message_id, entries = journal.read_request(req.body)
                if message_id in self.state.message_ids:
                    raise journal.SoapFault(
                        "soap-env:Client",
                        f"Message {message_id} has already been received; duplicate message "
                        "IDs are rejected",
                    )
            except journal.SoapFault as fault:
                return Reply.text(
                    journal.fault(fault.code, fault.message), 500, "text/xml; charset=utf-8"
                )
            results: list[tuple[journal.Entry, str | None, str]] = []
            for entry in entries:
                journal.check(entry, self.company_codes, self.gl_accounts)
                if entry.errors:
                    results.append((entry, None, ""))
                    continue
                cube = self.state.stores[CUBE]["A_OperationalAcctgDocItemCube"]
                originals = self._reversed_rows(entry, cube.rows.values())
                if entry.errors:
                    results.append((entry, None, ""))
                    continue
                year = str((entry.posting_date or self.clock().date()).year)
                document = self.state.next("journal", 5100000000)
                for row in journal.cube_rows(entry, document, year, self.derived_accounts):
                    cube.put(row)
                self._clear(cube.rows.values(), document, entry.posting_date or self.clock().date())
                for row in originals:
                    row.update(
                        IsReversed=True, ReverseDocument=document, ReverseDocumentFiscalYear=year
                    )
                results.append((entry, document, year))
            if bulk:
                self.state.message_ids.add(message_id)
                errors = [e for entry, doc, _ in results if doc is None for e in entry.errors]
                if errors:
                    self.state.bulk_errors[message_id] = errors
                return Reply(202, b"", {})
            if all(doc is not None for _, doc, _ in results):
                self.state.message_ids.add(message_id)
            body = journal.confirmation(message_id, results, self.clock())
            return Reply.text(body, 200, "text/xml; charset=utf-8")

    @staticmethod
    def _reversed_rows(
        entry: journal.Entry, rows: Iterable[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """The cube rows a reversal entry reverses (its errors noted when there are none)."""
        if not entry.reversal_reference:
            return []
        found = [
            r
            for r in rows
            if r["OriginalReferenceDocument"] == entry.reversal_reference
            and r["CompanyCode"] == entry.company_code
            and not r.get("IsReversal")
        ]
        if not entry.reversal_reason:
            entry.errors.append("Enter a reversal reason")
        if not found:
            entry.errors.append(
                f"Reference document {entry.reversal_reference} to reverse does not exist"
            )
        elif any(r.get("IsReversed") for r in found):
            entry.errors.append(f"Document {found[0]['AccountingDocument']} is already reversed")
        return found

    def journal_documents(self) -> list[dict[str, Any]]:
        """Posted journal entry items, for assertions."""
        return self.rows(CUBE, "A_OperationalAcctgDocItemCube")

    @property
    def bulk_errors(self) -> Mapping[str, list[str]]:
        """Why the entries of an accepted bulk message were not posted, by message ID."""
        return self.state.bulk_errors


class _CsrfRefused(Exception):
    """Raised inside the fake when a change arrives without a valid CSRF token."""


_HTTP_PART = {"Content-Type": "application/http", "Content-Transfer-Encoding": "binary"}
