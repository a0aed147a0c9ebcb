"""Amazon orders -> Infor M3 customer orders (OIS100MI) and SAP sales orders (A_SalesOrder).

Which ERP order type and which ERP customer an order gets are rules kept as data
(:class:`OrderTypeRules`, :class:`CustomerRules`); each single decision is a function that a
caller may replace with their own of the same signature (``customer_for=``,
``order_type_for=``, ``item_for=``, ``unit_price_for=``).

The builders return plain payloads with the real field names, which the clients send as-is:
M3 records for ``AddBatchHead`` / ``AddBatchLine`` / ``AddBatchAddress`` and the order
charges ``AddBatchHeadChg`` / ``AddBatchLineChg`` (the client fills the temporary ``ORNO``
that ``AddBatchHead`` returns and each line's ``PONR``/``POSX``), and an ``A_SalesOrder``
deep-insert body for SAP with the charges as item pricing elements.

With charge rules in the settings (:class:`~amazon_erp_bridge.mapping.charges.ChargeRules`)
every amount of a line reaches the ERP order: shipping, gift wrap, promotions and the taxes
the ERP does not determine itself, so the ERP invoice equals what the buyer paid
(:func:`~amazon_erp_bridge.mapping.charges.expected_invoice_total`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from datetime import tzinfo
from decimal import Decimal
from typing import Any, Final

from attrs import field, frozen

from amazon_erp_bridge.errors import ConfigurationError, MappingError
from amazon_erp_bridge.mapping.accounts import frozen_mapping
from amazon_erp_bridge.mapping.addresses import M3_ADDRESS, SAP_SALES_ORDER_ADDRESS, erp_address
from amazon_erp_bridge.mapping.charges import (
    ChargeRules,
    LineCharge,
    line_charges,
    rounding_charge,
)
from amazon_erp_bridge.mapping.formats import (
    decimal_text,
    exact_unit_price,
    local_date,
    m3_date,
    odata_date,
)
from amazon_erp_bridge.mapping.items import ItemCrosswalk, ItemResolver, order_line_item
from amazon_erp_bridge.model import Address, FulfillmentChannel, Money, Order, OrderLine

M3_CUOR_LENGTH: Final = 20
SAP_PURCHASE_ORDER_LENGTH: Final = 35
#: A_SalesOrderItemPrElement ConditionType Edm.String(4); A_SalesOrderItem
#: ProductTaxClassification1 Edm.String(1). (The element's TaxCode is not creatable.)
SAP_CONDITION_TYPE_LENGTH: Final = 4
SAP_TAX_CLASSIFICATION_LENGTH: Final = 1
MCF_SALES_CHANNEL: Final = "Non-Amazon"


def is_mcf_order(order: Order) -> bool:
    """Multi-Channel Fulfillment orders appear in Amazon's order list as sales channel
    ``Non-Amazon``: they were sold elsewhere and only shipped by Amazon."""
    return (order.sales_channel or "").strip().casefold() == MCF_SALES_CHANNEL.casefold()


# --- order types -----------------------------------------------------------------------


def _channel(value: FulfillmentChannel | str | None) -> FulfillmentChannel | None:
    return None if value is None else FulfillmentChannel(value)


@frozen
class OrderTypeRule:
    """Conditions on an order -> ERP order type (M3 ORTP or SAP SalesOrderType).

    A condition left as None matches anything. ``warehouse`` optionally routes the order to
    a warehouse (M3 WHLO) or plant (SAP ProductionPlant), e.g. the FBA stock location.
    """

    order_type: str
    fulfillment_channel: FulfillmentChannel | None = field(default=None, converter=_channel)
    business: bool | None = None
    replacement: bool | None = None
    mcf: bool | None = None
    marketplace_id: str | None = None
    warehouse: str | None = None

    def matches(self, order: Order) -> bool:
        """Whether every condition the rule sets holds for ``order`` (unset ones match all)."""
        checks = (
            (self.fulfillment_channel, order.fulfillment_channel),
            (self.business, order.is_business_order),
            (self.replacement, order.is_replacement_order),
            (self.mcf, is_mcf_order(order)),
            (self.marketplace_id, order.marketplace_id),
        )
        return all(wanted is None or wanted == actual for wanted, actual in checks)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, where: str = "order type rule") -> OrderTypeRule:
        """Build from a JSON object; an unknown field is a ConfigurationError naming it."""
        known = {a.name for a in cls.__attrs_attrs__}
        unknown = set(data) - known
        if unknown:
            raise ConfigurationError(f"{where}: unexpected field(s) {', '.join(sorted(unknown))}")
        if not str(data.get("order_type") or "").strip():
            raise ConfigurationError(f"{where}.order_type: required")
        try:
            return cls(**data)
        except ValueError as exc:
            raise ConfigurationError(f"{where}: {exc}") from None


def _type_rules(value: Iterable[OrderTypeRule]) -> tuple[OrderTypeRule, ...]:
    return tuple(value)


@frozen
class OrderTypeRules:
    """Order-type rules tried in order, the first match wins; ``default`` when none matches.

    Put the specific rules first: replacement, MCF, business, then AFN/MFN.
    """

    rules: tuple[OrderTypeRule, ...] = field(default=(), converter=_type_rules)
    default: OrderTypeRule | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OrderTypeRules:
        """Read ``{"rules": [{"order_type": "A02", "fulfillment_channel": "AFN", ...}],
        "default": {"order_type": "A01"}}``."""
        rules = data.get("rules") or []
        default = data.get("default")
        return cls(
            [
                OrderTypeRule.from_dict(r, where=f"order type rule {n}")
                for n, r in enumerate(rules, 1)
            ],
            OrderTypeRule.from_dict(default, where="order type default") if default else None,
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> OrderTypeRules:
        """Read the rules from JSON text (a list of rules and a default)."""
        return cls.from_dict(_json_object(text, "order type rules"))


#: A rule choosing the ERP order type of an order.
OrderTypeResolver = Callable[[Order, OrderTypeRules], OrderTypeRule]


def resolve_order_type(order: Order, rules: OrderTypeRules) -> OrderTypeRule:
    """The first rule matching the order (channel, business, replacement, MCF, marketplace),
    else the default; no match and no default is an error naming the order."""
    for rule in rules.rules:
        if rule.matches(order):
            return rule
    if rules.default is not None:
        return rules.default
    raise MappingError(
        f"order {order.order_id}: no order type rule matches (channel "
        f"{order.fulfillment_channel}, business {order.is_business_order}, replacement "
        f"{order.is_replacement_order}, MCF {is_mcf_order(order)}, marketplace "
        f"{order.marketplace_id}); add a rule or a default"
    )


# --- customers -------------------------------------------------------------------------

PER_BUYER_MODES: Final = ("never", "business", "always")


def _per_buyer(_instance: object, _attribute: object, value: str) -> None:
    if value not in PER_BUYER_MODES:
        raise ConfigurationError(
            f"CustomerRules.per_buyer: expected one of {', '.join(PER_BUYER_MODES)}, got {value!r}"
        )


@frozen
class CustomerRules:
    """Which ERP customer (M3 CUNO, SAP SoldToParty) an order is booked to.

    One customer per marketplace (``marketplaces``: marketplace id -> customer) is the usual
    set-up for consumer orders. ``per_buyer`` books some orders to the buyer's own customer
    instead (``buyers``: buyer e-mail -> customer): ``"business"`` for business orders only,
    ``"always"`` for all. A buyer without a customer falls back to the marketplace customer
    when ``fallback_to_marketplace``; otherwise it is an error (create the customer first).
    """

    marketplaces: Mapping[str, str] = field(factory=dict, converter=frozen_mapping)
    buyers: Mapping[str, str] = field(factory=dict, converter=frozen_mapping)
    per_buyer: str = field(default="never", validator=_per_buyer)
    default: str | None = None
    fallback_to_marketplace: bool = True

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CustomerRules:
        """Build from a JSON object; an unknown field is a ConfigurationError naming it."""
        known = {a.name for a in cls.__attrs_attrs__}
        unknown = set(data) - known
        if unknown:
            raise ConfigurationError(
                f"customer rules: unexpected field(s) {', '.join(sorted(unknown))}"
            )
        buyers = {str(k).strip().casefold(): v for k, v in (data.get("buyers") or {}).items()}
        return cls(**{**data, "buyers": buyers})

    @classmethod
    def from_json(cls, text: str | bytes) -> CustomerRules:
        """Read the rules from JSON text (see :meth:`from_dict`)."""
        return cls.from_dict(_json_object(text, "customer rules"))


#: A rule choosing the ERP customer of an order.
CustomerResolver = Callable[[Order, CustomerRules], str]


def resolve_customer(order: Order, rules: CustomerRules) -> str:
    """The buyer's own customer when the per-buyer rule applies and knows the buyer, else
    the marketplace's customer, else the default; none of them is an error naming the order."""
    applies = rules.per_buyer == "always" or (
        rules.per_buyer == "business" and order.is_business_order
    )
    if applies:
        buyer = (order.buyer_email or "").strip().casefold()
        if buyer and buyer in rules.buyers:
            return rules.buyers[buyer]
        if not rules.fallback_to_marketplace:
            raise MappingError(
                f"order {order.order_id}: buyer {buyer or '(no e-mail)'} has no customer in the "
                "buyers table; create the customer in the ERP and add it"
            )
    customer = rules.marketplaces.get(order.marketplace_id or "", rules.default)
    if customer is None:
        raise MappingError(
            f"order {order.order_id}: marketplace {order.marketplace_id!r} has no customer; add "
            "it to the customer rules or set a default"
        )
    return customer


# --- prices and checks -----------------------------------------------------------------

#: A rule deciding the unit price of a line (None: let the ERP price it).
UnitPriceRule = Callable[[OrderLine, Order, int], Decimal | None]


def line_unit_price(line: OrderLine, order: Order, max_decimals: int) -> Decimal | None:
    """Amazon's item price is the line total; the unit price is that divided by the quantity,
    exactly (an inexact one is an error). No price from Amazon: None, the ERP prices it."""
    if line.item_price is None:
        return None
    return exact_unit_price(
        line.item_price,
        line.quantity,
        max_decimals,
        record=f"order {order.order_id} line {line.line_id}",
    )


def unit_price_or_erp_price(line: OrderLine, order: Order, max_decimals: int) -> Decimal | None:
    """:func:`line_unit_price` where an exact unit price exists; otherwise None, so the ERP
    prices the line from its own price list instead of the order failing.

    For set-ups where the ERP's price is the one that counts (Amazon's amount reaches the
    ledger through the settlement anyway): a line total such as 80.80 for 3 units has no
    exact unit price, and sending a rounded one would not multiply back to what was paid.
    """
    if line.item_price is None or line.quantity <= 0:
        return None
    try:
        return line_unit_price(line, order, max_decimals)
    except MappingError:
        return None


def _order_currency(order: Order) -> str:
    """The single currency of an order; a line priced in another one is an error."""
    currency = order.currency
    for line in order.lines:
        for name, money in line.charges.items():
            if currency is not None and money.currency != currency:
                raise MappingError(
                    f"order {order.order_id} line {line.line_id}: {name} {money} is not in the "
                    f"order currency {currency}"
                )
    if currency is None:
        raise MappingError(f"order {order.order_id}: no currency (no order total and no prices)")
    return currency


def _orderable(order: Order) -> list[OrderLine]:
    """Lines with a quantity; cancelled items (quantity 0) are not ordered in the ERP."""
    lines = [line for line in order.lines if line.quantity > 0]
    if not lines:
        raise MappingError(f"order {order.order_id}: no lines with a quantity to order")
    return lines


def _check_length(order: Order, name: str, value: str, limit: int) -> str:
    if len(value) > limit:
        raise MappingError(
            f"order {order.order_id}: {name} {value!r} is {len(value)} characters, the ERP field "
            f"holds {limit}"
        )
    return value


def _json_object(text: str | bytes, what: str) -> Mapping[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigurationError(
            f"{what} JSON: malformed at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    if not isinstance(data, Mapping):
        raise ConfigurationError(f"{what} JSON: expected an object")
    return data


def _has_address(address: Address) -> bool:
    return any((address.line1, address.city, address.postal_code, address.name))


# --- Infor M3 --------------------------------------------------------------------------


@frozen
class M3OrderSettings:
    """Installation settings for M3 customer orders.

    ``timezone`` decides the calendar day of ORDT/CUDT (default: the purchase timestamp's own
    offset). ``discount_field`` (e.g. ``"DIA2"``) carries Amazon's promotion discount as a
    line discount amount; unset, promotions are left to the settlement journal.
    ``address_type`` is the ADRT of the delivery address record. ``charges`` (M3 charge ids
    per charge kind, tax codes) sends shipping, gift wrap, promotions and taxes as order
    charges: taxes on the head (``AddBatchHeadChg`` carries ``TAXC``), the rest on their line
    (``AddBatchLineChg``); unset, only the item price is sent. ``include_gift_messages``
    sends each line's gift message as a post-text of that line (``AddBatchText``); Amazon
    gives gift messages, like the ship address, only to reads with buyer data (PII).
    """

    facility: str | None = None
    warehouse: str | None = None
    timezone: tzinfo | None = None
    price_decimals: int = 6
    discount_field: str | None = None
    include_address: bool = True
    address_type: str = "1"
    include_gift_messages: bool = True
    charges: ChargeRules | None = None


@frozen
class M3CustomerOrder:
    """OIS100MI records: ``AddBatchHead``, one ``AddBatchLine`` per line, ``AddBatchAddress``,
    ``AddBatchHeadChg`` per head charge and ``AddBatchLineChg`` per line charge.

    Lines, address and charges need the temporary ORNO that AddBatchHead returns: the client
    adds it. ``line_charges[i]`` are the charges of ``lines[i]`` (``CRID``, ``CRAM``); the
    client adds the ``PONR``/``POSX`` that line's AddBatchLine answered. ``head_charges``
    (``CRID``, ``CRAM``, ``CUCD``, ``TAXC``) are the order's taxes, one per charge id.
    ``address`` is the delivery address (``ADRT`` + the :data:`M3_ADDRESS` fields), None when
    the order has no ship address (read without PII). ``gift_messages`` are ``(line number,
    message)`` pairs, line numbers counting ``lines`` from 1: the client sends each as an
    ``AddBatchText`` post-text of that line.
    """

    head: Mapping[str, str]
    lines: tuple[Mapping[str, str], ...]
    address: Mapping[str, str] | None = None
    head_charges: tuple[Mapping[str, str], ...] = ()
    line_charges: tuple[tuple[Mapping[str, str], ...], ...] = ()
    gift_messages: tuple[tuple[int, str], ...] = ()


def order_to_m3(
    order: Order,
    *,
    customers: CustomerRules,
    order_types: OrderTypeRules,
    items: ItemCrosswalk,
    settings: M3OrderSettings = M3OrderSettings(),
    customer_for: CustomerResolver = resolve_customer,
    order_type_for: OrderTypeResolver = resolve_order_type,
    item_for: ItemResolver = order_line_item,
    unit_price_for: UnitPriceRule = line_unit_price,
) -> M3CustomerOrder:
    """An Amazon order as an M3 batch customer order.

    CUOR carries the Amazon order id (the dedup key: M3 is searched for it before adding);
    CUDT/ORDT the purchase day; CUCD the currency; SAPR the exact unit price; CUPO the line's
    position. Quantity-0 lines are left out. The ship address (when the order was read with
    buyer data) becomes the AddBatchAddress record, the lines' gift messages their texts.
    """
    currency = _order_currency(order)
    order_type = order_type_for(order, order_types)
    warehouse = order_type.warehouse or settings.warehouse
    day = m3_date(order.purchase_date, settings.timezone)
    head = {
        "CUNO": customer_for(order, customers),
        "ORTP": order_type.order_type,
        "CUOR": _check_length(order, "CUOR (Amazon order id)", order.order_id, M3_CUOR_LENGTH),
        "CUDT": day,
        "ORDT": day,
        "CUCD": currency,
    }
    if settings.facility:
        head["FACI"] = settings.facility
    if warehouse:
        head["WHLO"] = warehouse
    if order.sales_channel and len(order.sales_channel) <= 30:
        head["YREF"] = order.sales_channel
    orderable = _orderable(order)
    lines = tuple(
        _m3_line(order, line, position, items, settings, warehouse, item_for, unit_price_for)
        for position, line in enumerate(orderable, start=1)
    )
    address = None
    ship = order.ship_address
    if settings.include_address and ship is not None and _has_address(ship):
        fields = erp_address(ship, M3_ADDRESS, record=f"order {order.order_id} ship-to")
        address = {"ADRT": settings.address_type, **fields}
    gift_messages: tuple[tuple[int, str], ...] = ()
    if settings.include_gift_messages:
        gift_messages = tuple(
            (number, line.gift_message.strip())
            for number, line in enumerate(orderable, start=1)
            if line.gift_message and line.gift_message.strip()
        )
    head_charges: tuple[Mapping[str, str], ...] = ()
    per_line: tuple[tuple[Mapping[str, str], ...], ...] = ()
    if settings.charges is not None:
        charges = [
            _charges(order, line, settings.charges, "M3", record, settings)
            for line, record in zip(orderable, lines, strict=True)
        ]
        per_line = tuple(_m3_line_charges([c for c in cs if not c.is_tax]) for cs in charges)
        head_charges = _m3_head_charges(order, [c for cs in charges for c in cs if c.is_tax])
    return M3CustomerOrder(
        head=head,
        lines=lines,
        address=address,
        head_charges=head_charges,
        line_charges=per_line,
        gift_messages=gift_messages,
    )


def _charges(
    order: Order,
    line: OrderLine,
    rules: ChargeRules,
    erp: str,
    record: Mapping[str, Any],
    settings: M3OrderSettings,
) -> list[LineCharge]:
    """The line's charges, plus the rounding left by the unit price actually sent."""
    skip: tuple[str, ...] = ()
    if settings.discount_field:
        skip = ("promotion_discount",)  # sent as the line discount amount instead
    charges = list(line_charges(order, line, rules, erp=erp, skip=skip))
    sent = record.get("SAPR")  # the unit price the line carries (None: M3 prices it)
    price = Decimal(sent) if isinstance(sent, str) else None
    rounding = rounding_charge(order, line, price, rules, erp=erp)
    return charges if rounding is None else [rounding, *charges]


def _m3_line_charges(charges: list[LineCharge]) -> tuple[Mapping[str, str], ...]:
    """A line's charges summed per charge id (e.g. shipping less its discount on ``FRT``)."""
    sums: dict[str, Money] = {}
    for charge in charges:
        sums[charge.code] = (
            sums[charge.code] + charge.amount if charge.code in sums else charge.amount
        )
    return tuple(
        {"CRID": crid, "CRAM": decimal_text(total.amount)}
        for crid, total in sums.items()
        if not total.is_zero()
    )


def _m3_head_charges(order: Order, taxes: list[LineCharge]) -> tuple[Mapping[str, str], ...]:
    """Taxes summed per M3 charge id (an order holds a charge id once), with their TAXC."""
    sums: dict[str, tuple[str | None, Money]] = {}
    for charge in taxes:
        if charge.code in sums:
            code, total = sums[charge.code]
            if code != charge.tax_code:
                raise MappingError(
                    f"order {order.order_id}: M3 charge {charge.code} is configured for taxes "
                    f"with tax codes {code} and {charge.tax_code}; an order holds a charge "
                    "once, give each tax code its own charge id"
                )
            sums[charge.code] = (code, total + charge.amount)
        else:
            sums[charge.code] = (charge.tax_code, charge.amount)
    return tuple(
        {
            "CRID": crid,
            "CRAM": decimal_text(total.amount),
            "CUCD": total.currency,
            **({"TAXC": code} if code else {}),
        }
        for crid, (code, total) in sums.items()
        if not total.is_zero()
    )


def _m3_line(
    order: Order,
    line: OrderLine,
    position: int,
    items: ItemCrosswalk,
    settings: M3OrderSettings,
    warehouse: str | None,
    item_for: ItemResolver,
    unit_price_for: UnitPriceRule,
) -> dict[str, str]:
    record = {
        "ITNO": item_for(line, order, items),
        "ORQT": str(line.quantity),
        "CUOR": order.order_id,
        "CUPO": str(position),
    }
    price = unit_price_for(line, order, settings.price_decimals)
    if price is not None:
        record["SAPR"] = decimal_text(price)
    if warehouse:
        record["WHLO"] = warehouse
    discount = line.promotion_discount
    if settings.discount_field and discount is not None and not discount.is_zero():
        record[settings.discount_field] = decimal_text(abs(discount.amount))
    return record


# --- SAP S/4HANA -----------------------------------------------------------------------


@frozen
class SapOrderSettings:
    """Installation settings for SAP sales orders.

    ``price_condition_type`` (e.g. ``PR00``) sends Amazon's unit price as a pricing element;
    None lets SAP's pricing decide. ``quantity_unit`` is the RequestedQuantityUnit.
    ``ship_to_partner_function`` (``WE``) carries the buyer's address as a one-time ship-to.
    ``charges`` (condition types per charge kind, tax codes, which taxes SAP determines
    itself) adds shipping, gift wrap, promotions and the sent taxes to each item as pricing
    elements whose rate is the amount (discounts negative; the taxes' code becomes the item's
    ``ProductTaxClassification1``, from which SAP derives its tax code):
    configure condition types that calculate as fixed amounts (e.g. ``KF00``, ``RB00``;
    ``ConditionCalculationType`` is not creatable, it comes from the condition type's own
    customizing); unset, only the price is sent.
    """

    sales_organization: str
    distribution_channel: str
    division: str
    quantity_unit: str = "EA"
    price_condition_type: str | None = "PR00"
    price_decimals: int = 6
    item_step: int = 10
    plant: str | None = None
    ship_to_partner_function: str = "WE"
    include_ship_to_address: bool = True
    timezone: tzinfo | None = None
    charges: ChargeRules | None = None


def order_to_sap(
    order: Order,
    *,
    customers: CustomerRules,
    order_types: OrderTypeRules,
    items: ItemCrosswalk,
    settings: SapOrderSettings,
    customer_for: CustomerResolver = resolve_customer,
    order_type_for: OrderTypeResolver = resolve_order_type,
    item_for: ItemResolver = order_line_item,
    unit_price_for: UnitPriceRule = line_unit_price,
) -> dict[str, Any]:
    """An Amazon order as an ``A_SalesOrder`` deep-insert body (POST, SAP assigns SalesOrder).

    PurchaseOrderByCustomer carries the Amazon order id (the dedup key); items are numbered
    10, 20, ... with RequestedQuantity as a string (OData V2 decimals are strings).
    """
    currency = _order_currency(order)
    order_type = order_type_for(order, order_types)
    customer = customer_for(order, customers)
    plant = order_type.warehouse or settings.plant
    body: dict[str, Any] = {
        "SalesOrderType": order_type.order_type,
        "SalesOrganization": settings.sales_organization,
        "DistributionChannel": settings.distribution_channel,
        "OrganizationDivision": settings.division,
        "SoldToParty": customer,
        "PurchaseOrderByCustomer": _check_length(
            order,
            "PurchaseOrderByCustomer (Amazon order id)",
            order.order_id,
            SAP_PURCHASE_ORDER_LENGTH,
        ),
        "CustomerPurchaseOrderDate": odata_date(local_date(order.purchase_date, settings.timezone)),
        "TransactionCurrency": currency,
    }
    body["to_Item"] = {
        "results": [
            _sap_item(
                order,
                line,
                n * settings.item_step,
                currency,
                items,
                settings,
                plant,
                item_for,
                unit_price_for,
            )
            for n, line in enumerate(_orderable(order), start=1)
        ]
    }
    ship = order.ship_address
    if settings.include_ship_to_address and ship is not None and _has_address(ship):
        address = erp_address(
            ship, SAP_SALES_ORDER_ADDRESS, record=f"order {order.order_id} ship-to"
        )
        body["to_Partner"] = {
            "results": [
                {
                    "PartnerFunction": settings.ship_to_partner_function,
                    "Customer": customer,
                    "to_Address": {"results": [address]},
                }
            ]
        }
    return body


def _sap_item(
    order: Order,
    line: OrderLine,
    number: int,
    currency: str,
    items: ItemCrosswalk,
    settings: SapOrderSettings,
    plant: str | None,
    item_for: ItemResolver,
    unit_price_for: UnitPriceRule,
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "SalesOrderItem": str(number),
        "Material": item_for(line, order, items),
        "RequestedQuantity": str(line.quantity),
        "RequestedQuantityUnit": settings.quantity_unit,
        "PurchaseOrderByCustomer": order.order_id,
    }
    if plant:
        item["ProductionPlant"] = plant
    price = unit_price_for(line, order, settings.price_decimals)
    elements: list[dict[str, Any]] = []
    if price is not None and settings.price_condition_type:
        elements.append(
            {
                "ConditionType": settings.price_condition_type,
                "ConditionRateValue": decimal_text(price),
                "ConditionCurrency": currency,
            }
        )
    if settings.charges is not None:
        sent = price if settings.price_condition_type else None
        rounding = rounding_charge(order, line, sent, settings.charges, erp="SAP")
        charges = list(line_charges(order, line, settings.charges, erp="SAP"))
        elements += [
            _sap_element(order, line, charge)
            for charge in ([rounding] if rounding else []) + charges
        ]
        classification = _sap_tax_classification(order, line, charges)
        if classification is not None:
            item["ProductTaxClassification1"] = classification
    if elements:
        item["to_PricingElement"] = {"results": elements}
    return item


def _sap_element(order: Order, line: OrderLine, charge: LineCharge) -> dict[str, Any]:
    """One charge as an item pricing element (A_SalesOrderItemPrElement) of a fixed-amount
    condition type: the rate is the amount."""
    record = f"order {order.order_id} line {line.line_id}"
    _check_code(record, "condition type", charge.kind, charge.code, SAP_CONDITION_TYPE_LENGTH)
    element: dict[str, Any] = {
        "ConditionType": charge.code,
        "ConditionRateValue": decimal_text(charge.amount.amount),
        "ConditionCurrency": charge.amount.currency,
    }
    return element


def _sap_tax_classification(order: Order, line: OrderLine, charges: list[LineCharge]) -> str | None:
    """The item's tax classification (ProductTaxClassification1) from its taxes' codes.

    SAP's pricing elements take no tax code on create; SAP finds the tax code from the
    customer's and the item's tax classifications, so the configured "tax code" of a tax
    kind is the item's classification here (one per item).
    """
    codes = sorted({c.tax_code for c in charges if c.tax_code is not None})
    if not codes:
        return None
    record = f"order {order.order_id} line {line.line_id}"
    if len(codes) > 1:
        raise MappingError(
            f"{record}: its taxes have the tax codes {', '.join(codes)}; an SAP item holds one "
            "tax classification (ProductTaxClassification1)"
        )
    _check_code(record, "tax classification", "tax", codes[0], SAP_TAX_CLASSIFICATION_LENGTH)
    return codes[0]


def _check_code(record: str, what: str, kind: str, code: str, limit: int) -> None:
    if len(code) > limit:
        raise MappingError(
            f"{record}: SAP {what} {code!r} for {kind} is {len(code)} characters, SAP holds {limit}"
        )


__all__ = [
    "MCF_SALES_CHANNEL",
    "CustomerResolver",
    "CustomerRules",
    "M3CustomerOrder",
    "M3OrderSettings",
    "OrderTypeResolver",
    "OrderTypeRule",
    "OrderTypeRules",
    "SapOrderSettings",
    "UnitPriceRule",
    "is_mcf_order",
    "line_unit_price",
    "order_to_m3",
    "order_to_sap",
    "resolve_customer",
    "resolve_order_type",
    "unit_price_or_erp_price",
]
