"""A merchant shipment made by the ERP -> Amazon's ``confirmShipment`` request (Orders v0).

A merchant-fulfilled (MFN) order ships from the seller's own warehouse: the ERP records the
delivery (M3 delivery and packages, SAP outbound delivery with goods issue) and Amazon must be
told, or the order goes late and the buyer sees no tracking. The request is
``POST /orders/v0/orders/{orderId}/shipmentConfirmation`` with a ``ConfirmShipmentRequest``:
``marketplaceId`` and one ``packageDetail`` (``packageReferenceId``, ``carrierCode``,
``carrierName`` when the code is ``Other``, ``shippingMethod``, ``trackingNumber``,
``shipDate`` ISO 8601, ``orderItems`` with ``orderItemId`` and integer ``quantity``).

The business rules:

- Carrier codes are data (:class:`CarrierRules`): the ERP's carrier text (an M3 delivery
  method, an SAP means of transport, or the carrier the warehouse typed) is looked up case-
  and space-insensitively; an unknown carrier goes as ``Other`` with its name, which Amazon
  accepts, unless ``strict`` refuses it.
- Items: each shipped line is matched to the Amazon order item it came from, by its Amazon
  order item id when the ERP kept it, else by seller SKU; the quantity may not exceed what is
  still unshipped on that Amazon line.
- One package per request: Amazon's ``packageDetail`` is one parcel. The first package with
  a tracking number is confirmed; a shipment with none is an error (Amazon requires one).
  ``packageReferenceId`` must be a positive number: the ERP's package number when it is
  one, else the package's position in the shipment.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from attrs import field, frozen

from amazon_erp_bridge.amazon.orders import (
    ConfirmShipmentItem,
    ConfirmShipmentRequest,
    PackageDetail,
)
from amazon_erp_bridge.errors import ConfigurationError, MappingError
from amazon_erp_bridge.model import Order, OrderLine, Shipment, ShipmentItem, ShipmentPackage

#: Amazon's code for a carrier not in its list (then ``carrierName`` is required).
OTHER: Final = "Other"

#: Common ERP carrier spellings -> Amazon carrierCode values (extend with your own).
CARRIER_CODES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "UPS": "UPS",
        "UNITED PARCEL SERVICE": "UPS",
        "USPS": "USPS",
        "FEDEX": "FedEx",
        "FEDERAL EXPRESS": "FedEx",
        "DHL": "DHL",
        "DHL EXPRESS": "DHL",
        "DPD": "DPD",
        "ROYAL MAIL": "Royal Mail",
        "PARCELFORCE": "Parcelforce",
        "HERMES": "Hermes",
        "EVRI": "Evri",
        "GLS": "GLS",
        "CANADA POST": "Canada Post",
        "DEUTSCHE POST": "Deutsche Post",
        "LA POSTE": "La Poste",
        "JAPAN POST": "Japan Post",
        "YAMATO": "Yamato Transport",
        "ONTRAC": "OnTrac",
    }
)


def _key(text: str) -> str:
    return "".join(text.replace("_", " ").replace("-", " ").split()).upper()


def _codes(value: Mapping[str, str]) -> Mapping[str, str]:
    table: dict[str, str] = {}
    for name, code in value.items():
        if not str(name).strip() or not str(code).strip():
            raise ConfigurationError(
                f"CarrierRules.codes: {name!r} -> {code!r}: carrier and code must not be blank"
            )
        table[_key(str(name))] = str(code)
    return MappingProxyType(table)


@frozen
class CarrierRules:
    """ERP carrier text -> Amazon carrierCode, as data.

    ``codes`` are matched ignoring case, spaces, dashes and underscores; ``shipping_methods``
    optionally map the same carrier text to a ``shippingMethod`` ("UPS Ground"); with
    ``strict`` an unknown carrier is an error instead of ``Other`` + its name.
    """

    codes: Mapping[str, str] = field(default=CARRIER_CODES, converter=_codes)
    shipping_methods: Mapping[str, str] = field(factory=dict, converter=_codes)
    strict: bool = False

    def code(self, carrier: str, *, record: str = "") -> tuple[str, str | None]:
        """``(carrierCode, carrierName)``: the name only when the code is ``Other``."""
        where = f"{record}: " if record else ""
        if not carrier or not carrier.strip():
            raise MappingError(f"{where}no carrier on the shipment; Amazon requires carrierCode")
        found = self.codes.get(_key(carrier))
        if found is not None:
            return found, None
        if self.strict:
            known = ", ".join(sorted(set(self.codes.values())))
            raise MappingError(
                f"{where}carrier {carrier!r} has no Amazon carrierCode; add it to "
                f"CarrierRules.codes (known: {known})"
            )
        return OTHER, carrier.strip()

    def method(self, carrier: str) -> str | None:
        """The shippingMethod for ``carrier``, if the rules give one."""
        return self.shipping_methods.get(_key(carrier or ""))


def _package(shipment: Shipment) -> tuple[str, ShipmentPackage]:
    """The first tracked package and its packageReferenceId (Amazon accepts positive numbers
    only: the ERP's package number when it is one, else the package's position)."""
    for position, package in enumerate(shipment.packages, start=1):
        if package.tracking_number and package.tracking_number.strip():
            number = package.package_number.strip()
            reference = number.lstrip("0") if number.isdigit() and int(number) > 0 else None
            return reference or str(position), package
    raise MappingError(
        f"order {shipment.order_id} shipment {shipment.shipment_id}: no package with a "
        "tracking number; Amazon's confirmShipment requires trackingNumber"
    )


def _amazon_line(order: Order, item: ShipmentItem, used: Mapping[str, int]) -> OrderLine:
    if item.line_id:
        for line in order.lines:
            if line.line_id == item.line_id:
                return line
    candidates = [line for line in order.lines if line.item.seller_sku == item.seller_sku]
    for line in candidates:
        if line.quantity - line.quantity_shipped - used.get(line.line_id, 0) >= item.quantity:
            return line
    if candidates:
        return candidates[0]
    skus = ", ".join(sorted({line.item.seller_sku or "?" for line in order.lines}))
    raise MappingError(
        f"order {order.order_id}: shipped SKU {item.seller_sku} is not on the Amazon order "
        f"(it holds {skus})"
    )


def confirm_shipment_request(
    order: Order, shipment: Shipment, carriers: CarrierRules = CarrierRules()
) -> ConfirmShipmentRequest:
    """The ``ConfirmShipmentRequest`` for one ERP shipment of Amazon order ``order`` (its
    ``to_wire()`` is the body Amazon gets).

    See the module docs for the rules. The order must carry its lines (order item ids) and
    its marketplace id; the shipment its ship date, items and a tracked package.
    """
    record = f"order {order.order_id} shipment {shipment.shipment_id}"
    if not order.marketplace_id:
        raise MappingError(f"{record}: the Amazon order has no marketplace id (marketplaceId)")
    if shipment.shipped_at is None:
        raise MappingError(f"{record}: no ship date; Amazon requires shipDate")
    reference, package = _package(shipment)
    carrier = package.carrier or ""
    code, name = carriers.code(carrier, record=record)
    used: dict[str, int] = {}
    items: list[ConfirmShipmentItem] = []
    for shipped in shipment.items:
        if shipped.quantity <= 0:
            continue
        line = _amazon_line(order, shipped, used)
        open_quantity = line.quantity - line.quantity_shipped - used.get(line.line_id, 0)
        if shipped.quantity > open_quantity:
            raise MappingError(
                f"{record}: {shipped.quantity} x {shipped.seller_sku} shipped but Amazon order "
                f"item {line.line_id} has {open_quantity} left to ship"
            )
        used[line.line_id] = used.get(line.line_id, 0) + shipped.quantity
        items.append(ConfirmShipmentItem(line.line_id, shipped.quantity))
    if not items:
        raise MappingError(f"{record}: no shipped quantities to confirm")
    detail = PackageDetail(
        reference,
        code,
        (package.tracking_number or "").strip(),
        shipment.shipped_at,
        items,  # type: ignore[arg-type]  # attrs converter=tuple reads as Iterable[_T_co]
        carrier_name=name,
        shipping_method=carriers.method(carrier),
    )
    return ConfirmShipmentRequest(order.marketplace_id, detail)


__all__ = [
    "CARRIER_CODES",
    "OTHER",
    "CarrierRules",
    "confirm_shipment_request",
]
