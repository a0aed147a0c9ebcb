"""ERP orders -> the canonical :class:`~amazon_erp_bridge.model.Order`, for orders that start in
the ERP (e.g. web-shop orders that Amazon ships through Multi-Channel Fulfillment).

The inputs are the records as the ERP sends them, so these functions stay pure and testable
without a client:

- Infor M3: the order head (OIS100MI ``GetHead`` / ``LstHead``), its lines (``LstLine``) and
  optionally its delivery address (``GetAddress``), all MI records of strings;
- SAP S/4HANA: one ``A_SalesOrder`` entity as OData V2 JSON, with ``to_Item`` and
  ``to_Partner/to_Address`` expanded.

The ERP order number becomes ``order_id`` (and later the ``sellerFulfillmentOrderId``), each
ERP line number a ``line_id`` (the ``sellerFulfillmentOrderItemId``), so Amazon's shipments
point straight back at the ERP lines. Every head field is kept in ``attributes`` under its ERP
name, so an MCF flag may be any field (``McfRules(flag_attribute="...")``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from amazon_erp_bridge.errors import MappingError, ValidationError
from amazon_erp_bridge.mapping.items import ItemCrosswalk
from amazon_erp_bridge.mapping.status import (
    M3_TO_AMAZON,
    SapOrderStatus,
    amazon_status_from_m3,
    amazon_status_from_sap,
)
from amazon_erp_bridge.model import Address, ItemRef, Money, Order, OrderLine, OrderStatus

#: SAP's partner function of the ship-to party (WE, "Warenempfaenger").
SAP_SHIP_TO: Final = "WE"
_ODATA_DATE: Final = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _decimal(value: Any, where: str) -> Decimal | None:
    text = _text(value)
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        raise MappingError(f"{where}: {text!r} is not a number") from None


def _quantity(value: Any, where: str) -> int:
    amount = _decimal(value, where)
    if amount is None or amount < 0 or amount != amount.to_integral_value():
        raise MappingError(f"{where}: expected a whole, non-negative quantity, got {value!r}")
    return int(amount)


def _m3_day(value: str, where: str, tz: tzinfo) -> datetime:
    text = value.strip()
    try:
        if len(text) != 8 or not text.isdigit():
            raise ValueError
        return datetime(int(text[:4]), int(text[4:6]), int(text[6:]), tzinfo=tz)
    except ValueError:
        raise MappingError(f"{where}: expected a date YYYYMMDD, got {value!r}") from None


def _odata_moment(value: Any, where: str) -> datetime | None:
    """An OData V2 ``/Date(ms)/`` or ``/Date(ms+0000)/`` (or ISO text) as an aware datetime."""
    text = _text(value)
    if not text:
        return None
    found = _ODATA_DATE.match(text)
    if found:
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=int(found[1]))
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise MappingError(f"{where}: {text!r} is not an OData date") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _address(fields: Mapping[str, str | None], where: str) -> Address | None:
    if not any(fields.values()):
        return None
    try:
        return Address(**{k: v or None for k, v in fields.items()})
    except ValidationError as exc:
        raise MappingError(f"{where}: {exc.message}") from None


def _seller_sku(item: str, items: ItemCrosswalk | None, where: str) -> str:
    if items is None:
        return item
    skus = items.seller_skus_for(item)
    if len(skus) == 1:
        return skus[0]
    if not skus:
        raise MappingError(
            f"{where}: {items.system} {item} has no seller SKU in the item crosswalk; add the "
            "seller SKU as an alias of the item (M3 MMS025) or to the crosswalk"
        )
    raise MappingError(
        f"{where}: {items.system} {item} has several seller SKUs ({', '.join(skus)}); keep one "
        "for Multi-Channel Fulfillment or pass your own crosswalk"
    )


def _attributes(record: Mapping[str, Any]) -> dict[str, str]:
    return {
        str(k): _text(v)
        for k, v in record.items()
        if not isinstance(v, Mapping | list | tuple) and _text(v) and not str(k).startswith("__")
    }


# --- Infor M3 --------------------------------------------------------------------------


def m3_address(record: Mapping[str, str], *, where: str = "M3 address") -> Address | None:
    """An OIS100MI address record (CUNM, CUA1-CUA4, TOWN, PONO, ECAR, CSCD, PHNO) as an
    Address; CUA4 continues the third line. None when the record is empty."""
    line3 = ", ".join(p for p in (_text(record.get("CUA3")), _text(record.get("CUA4"))) if p)
    return _address(
        {
            "name": _text(record.get("CUNM")),
            "line1": _text(record.get("CUA1")),
            "line2": _text(record.get("CUA2")),
            "line3": line3,
            "city": _text(record.get("TOWN")),
            "postal_code": _text(record.get("PONO")),
            "state_or_region": _text(record.get("ECAR")),
            "country_code": _text(record.get("CSCD")),
            "phone": _text(record.get("PHNO")),
        },
        where,
    )


def m3_order(
    head: Mapping[str, str],
    lines: Sequence[Mapping[str, str]],
    address: Mapping[str, str] | None = None,
    *,
    items: ItemCrosswalk | None = None,
    timezone: tzinfo = UTC,
    status_table: Mapping[str, OrderStatus | str] = M3_TO_AMAZON,
) -> Order:
    """An M3 customer order as a canonical Order.

    ``order_id`` is ORNO, ``seller_order_id`` the customer's order number (CUOR, else ORNO),
    ``order_type`` ORTP, ``ship_service_level`` the delivery method (MODL), the purchase date
    ORDT (midnight in ``timezone``), the status ORST through ``status_table``. Each line's
    seller SKU is the one ``items`` maps to its ITNO (the item number itself without a
    crosswalk); its price SAPR x ORQT in the order currency (CUCD). Lines of quantity 0 stay
    (with quantity 0) so line numbers keep their meaning.
    """
    orno = _text(head.get("ORNO"))
    if not orno:
        raise MappingError("M3 order head: ORNO (order number) is missing")
    where = f"M3 order {orno}"
    if not _text(head.get("ORDT")):
        raise MappingError(f"{where}: ORDT (order date) is missing")
    ordered = _m3_day(str(head["ORDT"]), f"{where} ORDT", timezone)
    changed = _text(head.get("LMDT"))
    updated = _m3_day(changed, f"{where} LMDT", timezone) if changed else ordered
    status = amazon_status_from_m3(_text(head.get("ORST")) or "22", status_table, record=where)
    currency = _text(head.get("CUCD"))
    order_lines = []
    for record in lines:
        number = _text(record.get("PONR"))
        suffix = _text(record.get("POSX")).lstrip("0")
        line_id = f"{number}-{suffix}" if suffix else number
        at = f"{where} line {line_id or '?'}"
        itno = _text(record.get("ITNO"))
        if not number or not itno:
            raise MappingError(f"{at}: PONR (line number) and ITNO (item) are required")
        quantity = _quantity(record.get("ORQT"), f"{at} ORQT")
        price = _decimal(record.get("SAPR"), f"{at} SAPR")
        if price is not None and not currency:
            raise MappingError(f"{where}: CUCD (currency) is missing but line {line_id} has SAPR")
        order_lines.append(
            OrderLine(
                line_id=line_id,
                item=ItemRef(seller_sku=_seller_sku(itno, items, at)),
                quantity=quantity,
                title=_text(record.get("ITDS")) or None,
                item_price=Money(price * quantity, currency) if price is not None else None,
            )
        )
    return Order(
        order_id=orno,
        purchase_date=ordered,
        last_updated=max(updated, ordered),
        status=status,
        lines=tuple(order_lines),
        ship_address=m3_address(address, where=f"{where} address") if address else None,
        seller_order_id=_text(head.get("CUOR")) or orno,
        order_type=_text(head.get("ORTP")) or None,
        ship_service_level=_text(head.get("MODL")) or None,
        attributes=_attributes(head),
    )


# --- SAP S/4HANA -----------------------------------------------------------------------


def _results(value: Any) -> list[Mapping[str, Any]]:
    if isinstance(value, Mapping):
        if "__deferred" in value:
            return []
        value = value.get("results", [value])
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, Mapping)]


def sap_address(record: Mapping[str, Any], *, where: str = "SAP address") -> Address | None:
    """An ``A_SalesOrderPartnerAddress`` record as an Address: OrganizationName1 (or
    AddresseeFullName) the name, OrganizationName2 the company, StreetName with HouseNumber
    and the street suffixes the lines. None when the record is empty."""
    street = " ".join(
        p for p in (_text(record.get("HouseNumber")), _text(record.get("StreetName"))) if p
    )
    return _address(
        {
            "name": _text(record.get("OrganizationName1"))
            or _text(record.get("AddresseeFullName")),
            "company": _text(record.get("OrganizationName2")),
            "line1": street,
            "line2": _text(record.get("StreetSuffixName1")),
            "line3": _text(record.get("StreetSuffixName2")),
            "city": _text(record.get("CityName")),
            "district": _text(record.get("DistrictName")),
            "postal_code": _text(record.get("PostalCode")),
            "state_or_region": _text(record.get("Region")),
            "country_code": _text(record.get("Country")),
            "phone": _text(record.get("PhoneNumber")),
        },
        where,
    )


def sap_order(
    record: Mapping[str, Any],
    *,
    items: ItemCrosswalk | None = None,
    ship_to_function: str = SAP_SHIP_TO,
) -> Order:
    """An SAP sales order (``A_SalesOrder`` V2 JSON with items and partners) as an Order.

    ``order_id`` is SalesOrder, ``seller_order_id`` PurchaseOrderByCustomer (else
    SalesOrder), ``order_type`` SalesOrderType, ``ship_service_level`` ShippingCondition;
    the date is SalesOrderDate, else CreationDate; the status comes from the rejection and
    delivery statuses. A line's seller SKU is its Material (or the one ``items`` maps it to),
    its price NetAmount. The ship-to is the ``to_Address`` of the partner ``ship_to_function``.
    """
    number = _text(record.get("SalesOrder"))
    if not number:
        raise MappingError("SAP sales order: SalesOrder (number) is missing")
    where = f"SAP sales order {number}"
    ordered = _odata_moment(record.get("SalesOrderDate"), f"{where} SalesOrderDate") or (
        _odata_moment(record.get("CreationDate"), f"{where} CreationDate")
    )
    if ordered is None:
        raise MappingError(f"{where}: SalesOrderDate and CreationDate are both missing")
    changed = _odata_moment(record.get("LastChangeDateTime"), f"{where} LastChangeDateTime")
    status = amazon_status_from_sap(SapOrderStatus.from_record(record), record=where)
    currency = _text(record.get("TransactionCurrency"))
    order_lines = []
    for item in _results(record.get("to_Item")):
        line_id = _text(item.get("SalesOrderItem"))
        at = f"{where} item {line_id or '?'}"
        material = _text(item.get("Material"))
        if not line_id or not material:
            raise MappingError(f"{at}: SalesOrderItem and Material are required")
        net = _decimal(item.get("NetAmount"), f"{at} NetAmount")
        line_currency = _text(item.get("TransactionCurrency")) or currency
        if net is not None and not line_currency:
            raise MappingError(f"{where}: TransactionCurrency is missing")
        order_lines.append(
            OrderLine(
                line_id=line_id,
                item=ItemRef(seller_sku=_seller_sku(material, items, at)),
                quantity=_quantity(item.get("RequestedQuantity"), f"{at} RequestedQuantity"),
                item_price=Money(net, line_currency) if net is not None else None,
            )
        )
    ship_to = None
    for partner in _results(record.get("to_Partner")):
        if _text(partner.get("PartnerFunction")) == ship_to_function:
            addresses = _results(partner.get("to_Address"))
            if addresses:
                ship_to = sap_address(addresses[0], where=f"{where} ship-to address")
            break
    return Order(
        order_id=number,
        purchase_date=ordered,
        last_updated=max(changed or ordered, ordered),
        status=status,
        lines=tuple(order_lines),
        ship_address=ship_to,
        seller_order_id=_text(record.get("PurchaseOrderByCustomer")) or number,
        order_type=_text(record.get("SalesOrderType")) or None,
        ship_service_level=_text(record.get("ShippingCondition")) or None,
        attributes=_attributes(record),
    )


__all__ = ["SAP_SHIP_TO", "m3_address", "m3_order", "sap_address", "sap_order"]
