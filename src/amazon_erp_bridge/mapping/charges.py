"""Order line charges: what the buyer paid beyond the item price, as ERP order charges.

An Amazon order line carries up to thirteen amounts (:attr:`OrderLine.charges`): the item
price, shipping and gift wrap, the taxes on each, promotions on the item and on shipping and
their taxes, the cash-on-delivery fee and its discount, and the part of the tax Amazon
collects itself as marketplace facilitator. An
ERP invoice equals what the buyer paid only if every one of them reaches the ERP order:

- the item price travels as the line's unit price (M3 ``SAPR``, SAP ``PR00``);
- every other amount travels as a *charge* whose code is configuration data
  (:class:`ChargeRules`): an M3 order charge (``OIS100MI AddBatchLineChg`` /
  ``AddBatchHeadChg``, field ``CRID``) or an SAP pricing element (``to_PricingElement``,
  field ``ConditionType``). Discounts are negative charges.
- taxes the ERP determines itself (``ChargeRules.erp_taxes``) are not sent; every tax that is
  sent carries a tax code (``ChargeRules.tax_codes``), or the order is refused.
- marketplace-facilitator tax is Amazon's to remit, not the seller's revenue or liability:
  with ``facilitator_tax="exclude"`` (the default) it is left out of the ERP order, so the
  ERP invoice is the buyer's total less that tax; ``"include"`` sends the whole tax (the
  settlement's ItemWithheldTax line then books it out again).

The rules here are pure: no I/O, no clock. :func:`line_charges` lists a line's charges in
the ERP's signs, :func:`expected_invoice_total` says what the ERP invoice must come to.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

from attrs import field, frozen

from amazon_erp_bridge.errors import ConfigurationError, MappingError
from amazon_erp_bridge.mapping.accounts import frozen_mapping
from amazon_erp_bridge.model import Money, Order, OrderLine

#: Every charge kind an order line can carry (the keys of ``OrderLine.charges``) and the
#: rounding difference between Amazon's line total and the ERP's unit price x quantity.
ITEM_PRICE: Final = "item_price"
PRICE_ROUNDING: Final = "price_rounding"
FACILITATOR_TAX: Final = "facilitator_tax"
#: Charges that add to the invoice, in the order they are sent.
ADDED_KINDS: Final = (
    "shipping_price",
    "gift_wrap_price",
    "item_tax",
    "shipping_tax",
    "gift_wrap_tax",
    "cod_fee",
)
#: Charges that reduce the invoice (Amazon gives them as positive amounts).
DISCOUNT_KINDS: Final = (
    "promotion_discount",
    "shipping_discount",
    "promotion_discount_tax",
    "shipping_discount_tax",
    "cod_fee_discount",
)
#: The taxes among the charges; a tax that is sent needs a tax code.
TAX_KINDS: Final = (
    "item_tax",
    "shipping_tax",
    "gift_wrap_tax",
    "promotion_discount_tax",
    "shipping_discount_tax",
)
#: What each discount reduces: a discount larger than that amount is refused.
DISCOUNTED: Final = {
    "promotion_discount": ITEM_PRICE,
    "shipping_discount": "shipping_price",
    "promotion_discount_tax": "item_tax",
    "shipping_discount_tax": "shipping_tax",
    "cod_fee_discount": "cod_fee",
}
#: Every kind a charge code can be configured for.
CHARGE_KINDS: Final = (*ADDED_KINDS, *DISCOUNT_KINDS, PRICE_ROUNDING)
FACILITATOR_MODES: Final = ("exclude", "include")


class UnknownChargeError(MappingError):
    """An order line has a charge of a kind that has no configured ERP charge code."""


class MissingTaxCodeError(MappingError):
    """An order line has a tax amount to send but no tax code is configured for its kind."""


class PromotionTooLargeError(MappingError):
    """A promotion (or its tax) is larger than the amount it discounts."""


def _kinds(value: Iterable[str]) -> frozenset[str]:
    return frozenset(str(v) for v in value)


def _facilitator(_instance: object, _attribute: object, value: str) -> None:
    if value not in FACILITATOR_MODES:
        raise ConfigurationError(
            f"ChargeRules.facilitator_tax: expected one of {', '.join(FACILITATOR_MODES)}, "
            f"got {value!r}"
        )


@frozen
class ChargeRules:
    """Which ERP charge code each kind of order line amount is sent as, and how taxes go.

    ``codes``: charge kind (see :data:`CHARGE_KINDS`) -> M3 charge id (``CRID``) or SAP
    condition type (``ConditionType``); e.g. ``{"shipping_price": "FRT", "item_tax": "TAX"}``.
    ``tax_codes``: tax kind -> the tax code sent with it (M3 ``TAXC``, SAP ``TaxCode``).
    ``erp_taxes``: tax kinds the ERP determines itself; they are not sent (and need no code).
    ``facilitator_tax``: ``"exclude"`` leaves marketplace-facilitator tax out of the ERP
    order, ``"include"`` sends it as part of the taxes.
    """

    codes: Mapping[str, str] = field(factory=dict, converter=frozen_mapping)
    tax_codes: Mapping[str, str] = field(factory=dict, converter=frozen_mapping)
    erp_taxes: frozenset[str] = field(factory=frozenset, converter=_kinds)
    facilitator_tax: str = field(default="exclude", validator=_facilitator)

    def __attrs_post_init__(self) -> None:
        unknown = sorted(set(self.codes) - set(CHARGE_KINDS))
        if unknown:
            raise ConfigurationError(
                f"charge rules.codes: unknown charge kind(s) {', '.join(unknown)}; expected "
                f"some of {', '.join(CHARGE_KINDS)}"
            )
        for name, kinds in (("tax_codes", set(self.tax_codes)), ("erp_taxes", self.erp_taxes)):
            wrong = sorted(kinds - set(TAX_KINDS))
            if wrong:
                raise ConfigurationError(
                    f"charge rules.{name}: {', '.join(wrong)} is not a tax kind; expected some "
                    f"of {', '.join(TAX_KINDS)}"
                )
        blank = sorted(k for k, v in {**self.codes, **self.tax_codes}.items() if not v.strip())
        if blank:
            raise ConfigurationError(f"charge rules: empty code for {', '.join(blank)}")

    def sends(self, kind: str) -> bool:
        """False for taxes the ERP determines itself; True for every other kind."""
        return kind not in self.erp_taxes

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data that :meth:`from_dict` reads back."""
        return {
            "codes": dict(self.codes),
            "tax_codes": dict(self.tax_codes),
            "erp_taxes": sorted(self.erp_taxes),
            "facilitator_tax": self.facilitator_tax,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ChargeRules:
        """Read ``{"codes": {...}, "tax_codes": {...}, "erp_taxes": [...],
        "facilitator_tax": "exclude"}``; unknown fields and kinds are refused."""
        if not isinstance(data, Mapping):
            raise ConfigurationError("charge rules: expected an object with 'codes'")
        unknown = set(data) - {"codes", "tax_codes", "erp_taxes", "facilitator_tax"}
        if unknown:
            raise ConfigurationError(
                f"charge rules: unexpected field(s) {', '.join(sorted(unknown))}"
            )
        for name in ("codes", "tax_codes"):
            if not isinstance(data.get(name) or {}, Mapping):
                raise ConfigurationError(f"charge rules.{name}: expected an object kind -> code")
        erp_taxes = data.get("erp_taxes") or []
        if isinstance(erp_taxes, str) or not isinstance(erp_taxes, list):
            raise ConfigurationError("charge rules.erp_taxes: expected a list of tax kinds")
        return cls(
            codes=data.get("codes") or {},
            tax_codes=data.get("tax_codes") or {},
            erp_taxes=erp_taxes,
            facilitator_tax=str(data.get("facilitator_tax") or "exclude"),
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> ChargeRules:
        """:meth:`from_dict` of JSON text (a file users keep beside their code)."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigurationError(
                f"charge rules JSON: malformed at line {exc.lineno} column {exc.colno}: {exc.msg}"
            ) from None
        return cls.from_dict(data)


@frozen
class LineCharge:
    """One charge of an order line as the ERP receives it.

    ``amount`` is signed as it adds to the invoice: discounts are negative. ``tax_code`` is
    set for taxes (and only for them).
    """

    kind: str
    code: str
    amount: Money
    tax_code: str | None = None

    @property
    def is_tax(self) -> bool:
        """True for a tax charge (it carries a tax code)."""
        return self.tax_code is not None


def _record(order: Order, line: OrderLine) -> str:
    return f"order {order.order_id} line {line.line_id}"


def check_discounts(order: Order, line: OrderLine) -> None:
    """A promotion (or its tax) may not exceed what it discounts: refused naming the line."""
    amounts = line.charges
    for discount, base in DISCOUNTED.items():
        taken = amounts.get(discount)
        if taken is None or taken.is_zero():
            continue
        if taken.is_negative():
            raise PromotionTooLargeError(
                f"{_record(order, line)}: {discount} {taken} is negative; Amazon gives "
                "discounts as positive amounts"
            )
        given = amounts.get(base) or Money.zero(taken.currency)
        if taken.currency != given.currency or taken > given:
            raise PromotionTooLargeError(
                f"{_record(order, line)}: {discount} {taken} is larger than the {base} {given} "
                "it discounts"
            )


def seller_taxes(order: Order, line: OrderLine, rules: ChargeRules) -> dict[str, Money]:
    """The line's taxes as the seller invoices them: facilitator tax taken out if excluded.

    Marketplace-facilitator tax is part of the taxes Amazon reports. Excluded, it comes off
    the item tax first, then the shipping and gift wrap taxes; more facilitator tax than the
    line's taxes is an error naming the line.
    """
    amounts = line.charges
    taxes: dict[str, Money] = {k: amounts[k] for k in TAX_KINDS if k in amounts}
    withheld = amounts.get(FACILITATOR_TAX)
    if rules.facilitator_tax == "include" or withheld is None or withheld.is_zero():
        return taxes
    net = Money.total((-m if k in DISCOUNTED else m for k, m in taxes.items()), withheld.currency)
    if withheld > net:
        raise MappingError(
            f"{_record(order, line)}: facilitator_tax {withheld} is larger than the line's "
            f"net tax {net}"
        )
    if withheld == net:  # the usual case: Amazon withholds all of the line's tax
        return {}
    left = withheld
    for kind in ("item_tax", "shipping_tax", "gift_wrap_tax"):
        tax = taxes.get(kind)
        if tax is None or left.is_zero():
            continue
        take = min(tax, left)
        taxes[kind] = tax - take
        left = left - take
    return {k: v for k, v in taxes.items() if not v.is_zero()}


def line_charges(
    order: Order,
    line: OrderLine,
    rules: ChargeRules,
    *,
    erp: str = "ERP",
    skip: Iterable[str] = (),
) -> tuple[LineCharge, ...]:
    """Every amount of ``line`` other than the item price, as ERP charges in ``rules``' codes.

    Discounts come out negative; taxes the ERP determines are left out; each tax carries
    its tax code. ``skip`` names kinds the caller sends another way (e.g. a promotion as an
    M3 line discount). Zero amounts make no charge. Errors name the order and line: a kind
    with an amount but no code (:class:`UnknownChargeError`), a tax without a tax code
    (:class:`MissingTaxCodeError`), a discount larger than what it discounts
    (:class:`PromotionTooLargeError`).
    """
    check_discounts(order, line)
    skipped = set(skip)
    amounts = {k: v for k, v in line.charges.items() if k not in TAX_KINDS}
    amounts.update(seller_taxes(order, line, rules))
    charges: list[LineCharge] = []
    for kind in (*ADDED_KINDS, *DISCOUNT_KINDS):
        money = amounts.get(kind)
        if money is None or money.is_zero() or kind in skipped or not rules.sends(kind):
            continue
        code = rules.codes.get(kind)
        if code is None:
            raise UnknownChargeError(
                f"{_record(order, line)}: {kind} {money} has no {erp} charge code; add "
                f"{kind!r} to the charge rules' codes"
            )
        tax_code = None
        if kind in TAX_KINDS:
            tax_code = rules.tax_codes.get(kind)
            if tax_code is None:
                raise MissingTaxCodeError(
                    f"{_record(order, line)}: {kind} {money} has no tax code; add {kind!r} to "
                    "the charge rules' tax_codes, or list it in erp_taxes if the ERP "
                    "determines it"
                )
        signed = -money if kind in DISCOUNTED else money
        charges.append(LineCharge(kind, code, signed, tax_code))
    return tuple(charges)


def rounding_charge(
    order: Order, line: OrderLine, unit_price: Decimal | None, rules: ChargeRules, *, erp: str
) -> LineCharge | None:
    """The difference between Amazon's line total and ``unit_price`` x quantity, if any.

    ERPs price a line per unit; 80.80 for 3 has no exact unit price. Sent with a rounded unit
    price, the cent left over travels as a ``price_rounding`` charge so the ERP line still
    comes to Amazon's total. No difference, no charge; a difference without a code for
    ``price_rounding`` is an :class:`UnknownChargeError`.
    """
    if unit_price is None or line.item_price is None:
        return None
    rest = line.item_price - Money(unit_price * line.quantity, line.item_price.currency)
    if rest.is_zero():
        return None
    code = rules.codes.get(PRICE_ROUNDING)
    if code is None:
        raise UnknownChargeError(
            f"{_record(order, line)}: unit price {unit_price} x {line.quantity} leaves "
            f"{rest} of item_price {line.item_price}; add a {erp} charge code for "
            f"{PRICE_ROUNDING!r} to the charge rules' codes, or use an exact unit price"
        )
    return LineCharge(PRICE_ROUNDING, code, rest)


#: The most decimals a unit price is rounded to; ERP price fields hold far fewer (M3 SAPR 6).
MAX_UNIT_PRICE_DECIMALS = 10


def rounded_unit_price(line: OrderLine, order: Order, max_decimals: int) -> Decimal | None:
    """The unit price rounded half up to ``max_decimals`` places (a ``UnitPriceRule``).

    Use with a ``price_rounding`` charge code: the difference to Amazon's line total is sent
    as that charge, so the ERP line total is still exact.
    """
    if line.item_price is None or line.quantity <= 0:
        return None
    if not 0 <= max_decimals <= MAX_UNIT_PRICE_DECIMALS:
        raise MappingError(
            f"order {order.order_id} line {line.line_id}: unit prices round to 0 to "
            f"{MAX_UNIT_PRICE_DECIMALS} decimals, not {max_decimals}"
        )
    places = Decimal(1).scaleb(-max_decimals)
    return (line.item_price.amount / line.quantity).quantize(places, rounding=ROUND_HALF_UP)


def expected_invoice_total(
    order: Order, rules: ChargeRules, *, lines: Iterable[OrderLine] | None = None
) -> Money:
    """What the ERP invoice of ``order`` must come to, to the cent.

    Items + shipping + gift wrap + their taxes - promotions and their taxes, over the lines
    with a quantity; with ``facilitator_tax="exclude"`` less the marketplace-facilitator tax.
    """
    currency = order.currency
    if currency is None:
        raise MappingError(f"order {order.order_id}: no currency (no order total and no prices)")
    chosen = [ln for ln in (order.lines if lines is None else lines) if ln.quantity > 0]
    total = Money.total((ln.buyer_total(currency) for ln in chosen), currency)
    if rules.facilitator_tax == "exclude":
        total = total - Money.total(
            (ln.facilitator_tax for ln in chosen if ln.facilitator_tax is not None), currency
        )
    return total


__all__ = [
    "ADDED_KINDS",
    "CHARGE_KINDS",
    "DISCOUNTED",
    "DISCOUNT_KINDS",
    "FACILITATOR_MODES",
    "FACILITATOR_TAX",
    "ITEM_PRICE",
    "PRICE_ROUNDING",
    "TAX_KINDS",
    "ChargeRules",
    "LineCharge",
    "MissingTaxCodeError",
    "PromotionTooLargeError",
    "UnknownChargeError",
    "check_discounts",
    "expected_invoice_total",
    "line_charges",
    "rounded_unit_price",
    "rounding_charge",
    "seller_taxes",
]
