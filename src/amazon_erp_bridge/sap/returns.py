"""Return documents for Amazon returns: customer returns or credit memo requests.

Which document an installation uses is configuration: a customer return
(API_CUSTOMER_RETURN_SRV, ``A_CustomerReturn`` with ``to_Item``; the goods come back) or a
credit memo request (API_CREDIT_MEMO_REQUEST_SRV, ``A_CreditMemoRequest``; money only). Both
refer to the original sales order (``ReferenceSDDocument`` on the header and the items) and
carry the Amazon return id as the customer reference (``PurchaseOrderByCustomer``, 35
characters), which is how a return is found before it is created, so each Amazon return
becomes one document however often it is posted.

Field names, lengths and creatable flags are those of SAP's published metadata of both services
(not in ``../shared``; read from the EDMX files vendored in public repositories:
API_CUSTOMER_RETURN_SRV in andrew-mak4/risk-mgmt-202308
``srv/external/API_CUSTOMER_RETURN_SRV.edmx`` @ eecad99d, API_CREDIT_MEMO_REQUEST_SRV in
AnswerThink-AT/Aleron_Monitor
``srv/external/API_CREDIT_MEMO_REQUEST_SRV.edmx`` @ 81b6aee1; see docs/reference).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any, Literal

from attrs import evolve, field, frozen

from amazon_erp_bridge.core.call import Call, Page
from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.model import Money, is_currency
from amazon_erp_bridge.sap import operations as ops
from amazon_erp_bridge.sap.client import AsyncODataClient, ODataClient
from amazon_erp_bridge.sap.errors import SapMessage
from amazon_erp_bridge.sap.operations import Entity
from amazon_erp_bridge.sap.query import Query, entity_path, prop

ReturnDocumentKind = Literal["customer_return", "credit_memo_request"]
#: Length of PurchaseOrderByCustomer in both services (where the Amazon return id travels).
REFERENCE_LENGTH = 35


@frozen
class _Kind:
    service: str
    entity_set: str
    key: str
    item_key: str
    date_field: str


KINDS: Mapping[str, _Kind] = {
    "customer_return": _Kind(
        "/sap/opu/odata/sap/API_CUSTOMER_RETURN_SRV",
        "A_CustomerReturn",
        "CustomerReturn",
        "CustomerReturnItem",
        "CustomerReturnDate",
    ),
    "credit_memo_request": _Kind(
        "/sap/opu/odata/sap/API_CREDIT_MEMO_REQUEST_SRV",
        "A_CreditMemoRequest",
        "CreditMemoRequest",
        "CreditMemoRequestItem",
        "CreditMemoRequestDate",
    ),
}
ITEMS = "to_Item"


def _kind(kind: str) -> _Kind:
    found = KINDS.get(kind)
    if found is None:
        raise ValidationError(
            f"SAP return document kind {kind!r}: expected one of {', '.join(sorted(KINDS))}"
        )
    return found


@frozen
class ReturnDocumentItem:
    """One item of a return document: the material, quantity and the order item it returns."""

    item: str
    material: str | None = None
    quantity: Decimal | None = None
    unit: str | None = None
    net_amount: Decimal | None = None
    reference_sd_document: str | None = None
    reference_sd_document_item: str | None = None
    return_reason: str | None = None


@frozen
class ReturnDocument:
    """A customer return or credit memo request as SAP holds it.

    ``amazon_return_id`` is the customer reference it carries (PurchaseOrderByCustomer);
    ``sales_order`` the order it refers to (ReferenceSDDocument). ``existing`` is True when
    :meth:`ReturnDocumentService.create` found the document instead of creating it.
    """

    kind: str
    document: str
    amazon_return_id: str | None = None
    sales_order: str | None = None
    document_type: str | None = None
    sold_to_party: str | None = None
    total_net_amount: Decimal | None = None
    transaction_currency: str | None = None
    document_date: date | None = None
    overall_sd_process_status: str | None = None
    items: tuple[ReturnDocumentItem, ...] = ()
    etag: str | None = None
    existing: bool = False
    messages: tuple[SapMessage, ...] = ()
    raw: Mapping[str, Any] = field(factory=dict, repr=False, eq=False)

    @property
    def net_value(self) -> Money | None:
        """TotalNetAmount in TransactionCurrency, when both are there."""
        currency = self.transaction_currency
        if self.total_net_amount is None or not currency or not is_currency(currency):
            return None
        return Money(self.total_net_amount, currency)


def _reader(kind: str) -> Any:
    spec = _kind(kind)

    def read(e: Entity) -> ReturnDocument:
        items = tuple(
            ReturnDocumentItem(
                item=i.required(spec.item_key),
                material=i.text("Material"),
                quantity=i.as_decimal("RequestedQuantity"),
                unit=i.text("RequestedQuantityUnit"),
                net_amount=i.as_decimal("NetAmount"),
                reference_sd_document=i.text("ReferenceSDDocument"),
                reference_sd_document_item=i.text("ReferenceSDDocumentItem"),
                return_reason=i.text("ReturnReason"),
            )
            for i in e.children(ITEMS)
        )
        return ReturnDocument(
            kind=kind,
            document=e.required(spec.key),
            amazon_return_id=e.text("PurchaseOrderByCustomer"),
            sales_order=e.text("ReferenceSDDocument"),
            document_type=e.text(f"{spec.key}Type"),
            sold_to_party=e.text("SoldToParty"),
            total_net_amount=e.as_decimal("TotalNetAmount"),
            transaction_currency=e.text("TransactionCurrency"),
            document_date=e.as_date(spec.date_field),
            overall_sd_process_status=e.text("OverallSDProcessStatus"),
            items=items,
            etag=e.etag,
            messages=e.messages,
            raw=e.raw,
        )

    return read


def _reference(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(
            "return document: PurchaseOrderByCustomer (the Amazon return id) is empty"
        )
    if len(value) > REFERENCE_LENGTH:
        raise ValidationError(
            f"return document {value!r}: PurchaseOrderByCustomer holds at most "
            f"{REFERENCE_LENGTH} characters, got {len(value)}"
        )
    return value


# ----------------------------------------------------------------------------- operations


def find_page(kind: str, amazon_return_id: str, token: str | None) -> Call[Page[ReturnDocument]]:
    """One page of the return documents carrying ``amazon_return_id`` as customer reference."""
    spec = _kind(kind)
    query = Query(
        filter=prop("PurchaseOrderByCustomer").eq(_reference(amazon_return_id)), expand=(ITEMS,)
    )
    return ops.read_page(
        spec.entity_set, query, token, item=_reader(kind), limit_key=f"sap.{kind}.find"
    )


def read_document(kind: str, document: str) -> Call[ReturnDocument]:
    spec = _kind(kind)
    return ops.read_entity(
        entity_path(spec.entity_set, document),
        Query(expand=(ITEMS,)),
        item=_reader(kind),
        limit_key=f"sap.{kind}.read",
    )


def create_document(kind: str, payload: Mapping[str, Any]) -> Call[ReturnDocument]:
    """Deep insert of a return document with its ``to_Item`` (SAP assigns the number)."""
    spec = _kind(kind)
    if not isinstance(payload, Mapping):
        raise ValidationError(f"{spec.entity_set} payload: expected a mapping of fields")
    _reference(payload.get("PurchaseOrderByCustomer"))
    items = payload.get(ITEMS)
    if isinstance(items, Mapping):
        items = items.get("results")
    if not items:
        raise ValidationError(
            f"{spec.entity_set} {payload.get('PurchaseOrderByCustomer')!r}: payload has no "
            f"{ITEMS}; a return document needs at least one item"
        )
    if spec.key in payload:
        raise ValidationError(f"{spec.entity_set}: omit {spec.key}, SAP assigns the number")
    return ops.create_entity(
        spec.entity_set, payload, item=_reader(kind), limit_key=f"sap.{kind}.create"
    )


# ----------------------------------------------------------------------------- facades


class ReturnDocumentService:
    """Customer returns or credit memo requests of one S/4HANA system (blocking).

    ``kind`` is ``"customer_return"`` (default) or ``"credit_memo_request"``; ``path``
    overrides the service root.
    """

    def __init__(
        self,
        client: ODataClient,
        *,
        kind: ReturnDocumentKind = "customer_return",
        path: str | None = None,
    ) -> None:
        self.kind = kind
        self._sender = client.service(path or _kind(kind).service)

    def get(self, document: str) -> ReturnDocument:
        """One return document by number."""
        return self._sender.send(read_document(self.kind, document))

    def find_by_amazon_id(self, amazon_return_id: str) -> ReturnDocument | None:
        """The return document carrying this Amazon return id, if one exists."""
        pages = self._sender.pages(partial(find_page, self.kind, amazon_return_id))
        return next(iter(pages), None)

    def create(self, payload: Mapping[str, Any]) -> ReturnDocument:
        """Create the document once: when one with the payload's PurchaseOrderByCustomer (the
        Amazon return id) exists, it is returned (``existing=True``) and nothing is sent."""
        call = create_document(self.kind, payload)
        found = self.find_by_amazon_id(str(payload["PurchaseOrderByCustomer"]))
        if found is not None:
            return _existing(found)
        return self._sender.send(call)


class AsyncReturnDocumentService:
    """Customer returns or credit memo requests of one S/4HANA system (asyncio)."""

    def __init__(
        self,
        client: AsyncODataClient,
        *,
        kind: ReturnDocumentKind = "customer_return",
        path: str | None = None,
    ) -> None:
        self.kind = kind
        self._sender = client.service(path or _kind(kind).service)

    async def get(self, document: str) -> ReturnDocument:
        """The async form of :meth:`ReturnDocumentService.get`."""
        return await self._sender.send(read_document(self.kind, document))

    async def find_by_amazon_id(self, amazon_return_id: str) -> ReturnDocument | None:
        """The async form of :meth:`ReturnDocumentService.find_by_amazon_id`."""
        async for document in self._sender.pages(partial(find_page, self.kind, amazon_return_id)):
            return document
        return None

    async def create(self, payload: Mapping[str, Any]) -> ReturnDocument:
        """The async form of :meth:`ReturnDocumentService.create`."""
        call = create_document(self.kind, payload)
        found = await self.find_by_amazon_id(str(payload["PurchaseOrderByCustomer"]))
        if found is not None:
            return _existing(found)
        return await self._sender.send(call)


def _existing(document: ReturnDocument) -> ReturnDocument:
    return evolve(document, existing=True)


__all__ = [
    "KINDS",
    "AsyncReturnDocumentService",
    "ReturnDocument",
    "ReturnDocumentItem",
    "ReturnDocumentKind",
    "ReturnDocumentService",
]
