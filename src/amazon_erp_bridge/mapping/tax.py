"""Tax rules for journals: which settlement amounts are tax, under which tax code, on what base.

Two kinds of tax sit in an Amazon settlement:

- **Tax amounts Amazon reports** (sales tax / VAT the buyer paid): ``(Order, ItemPrice, Tax)``,
  ``ShippingTax``, ``GiftWrapTax``, and the marketplace-facilitator tax Amazon withholds
  again (``ItemWithheldTax``). A rule gives them a tax code; the tax base is the sum of the
  same order's amounts named in ``base`` (``Tax`` is computed on ``Principal``). The journal
  line then carries ``tax_code`` and ``tax_base`` (SAP ``ProductTaxItem``, M3 VAT code).
- **VAT inside a fee** (Amazon invoices its fees with VAT in the EU and UK): the settlement
  shows the gross fee. A rule with a ``rate`` splits each such amount into the net fee (on
  the fee's account, carrying the tax code as its base) and the input VAT (on the rule's
  ``account``, with the net as its tax base), the VAT rounded half up to the cent.

A key matches as in :class:`~amazon_erp_bridge.mapping.accounts.GlAccountMap`: parts ignore
case, spaces, hyphens and underscores; ``*`` and globs are allowed; the most specific rule
wins (exact parts beat globs beat ``*``; the description decides a tie; then the first
listed). An amount no tax rule matches is no tax.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from fnmatch import fnmatchcase
from typing import Any, Final

from attrs import field, frozen

from amazon_erp_bridge.errors import ConfigurationError
from amazon_erp_bridge.mapping.accounts import WILDCARD, GlAccount, normalise_key_part
from amazon_erp_bridge.model import Money

_Key = tuple[str, str, str]


def _parts(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(str(v) for v in value)


def _rate(value: Any) -> Decimal | None:
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ConfigurationError(f"tax rule.rate: expected a decimal such as '0.20', got {value!r}")
    try:
        return Decimal(str(value).strip())
    except ArithmeticError:
        raise ConfigurationError(f"tax rule.rate: {value!r} is not a decimal") from None


def _score(part: str) -> int:
    if part == WILDCARD:
        return 0
    return 1 if any(c in part for c in "*?[") else 2


@frozen
class TaxRule:
    """``(transaction-type, amount-type, amount-description)`` pattern -> tax treatment.

    Without ``rate`` the amount *is* tax of ``tax_code``, its base the same order's amounts
    whose description is in ``base``. With ``rate`` (e.g. ``Decimal("0.20")``) the amount is
    gross: the VAT in it is split out to ``account``.
    """

    transaction_type: str
    amount_type: str
    amount_description: str
    tax_code: str
    base: tuple[str, ...] = field(default=(), converter=_parts)
    rate: Decimal | None = field(default=None, converter=_rate)
    account: GlAccount | None = None

    def __attrs_post_init__(self) -> None:
        where = f"tax rule ({', '.join(self.pattern)})"
        if not self.tax_code.strip():
            raise ConfigurationError(f"{where}.tax_code: required")
        if self.rate is not None:
            if not self.rate.is_finite() or not 0 < self.rate < 1:
                raise ConfigurationError(
                    f"{where}.rate: expected a fraction between 0 and 1 such as 0.20, got "
                    f"{self.rate}"
                )
            if self.account is None:
                raise ConfigurationError(
                    f"{where}: a rule with a rate splits VAT out of a gross amount and needs "
                    "the account the VAT posts to"
                )
            if self.base:
                raise ConfigurationError(
                    f"{where}: a rule with a rate computes its own base; drop 'base'"
                )

    @property
    def pattern(self) -> _Key:
        """(transaction type, amount type, amount description) as written in the rule."""
        return (self.transaction_type, self.amount_type, self.amount_description)

    @property
    def normalised(self) -> _Key:
        """The pattern with each part normalised for matching (blank parts become wildcards)."""
        t, a, d = (normalise_key_part(p) or WILDCARD for p in self.pattern)
        return (t, a, d)

    @property
    def rank(self) -> tuple[int, int, int, int]:
        """How specific the rule is; the most specific matching rule wins."""
        t, a, d = (_score(p) for p in self.normalised)
        return (t + a + d, d, a, t)

    @property
    def splits_gross(self) -> bool:
        """True for VAT inside a gross amount (a rate); False for a reported tax amount."""
        return self.rate is not None

    def matches(self, key: _Key) -> bool:
        """Whether a (transaction type, amount type, description) key falls under this rule."""
        parts = (normalise_key_part(p) for p in key)
        return all(fnmatchcase(v, p) for v, p in zip(parts, self.normalised, strict=True))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, as a tax rules file holds it."""
        data: dict[str, Any] = {
            "transaction_type": self.transaction_type,
            "amount_type": self.amount_type,
            "amount_description": self.amount_description,
            "tax_code": self.tax_code,
        }
        if self.base:
            data["base"] = list(self.base)
        if self.rate is not None:
            data["rate"] = format(self.rate, "f")
        if self.account is not None:
            data["account"] = self.account.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, where: str = "tax rule") -> TaxRule:
        """Build from a JSON object; a bad or unknown field is a ConfigurationError naming it."""
        if not isinstance(data, Mapping):
            raise ConfigurationError(f"{where}: expected an object, got {data!r}")
        known = {
            "transaction_type",
            "amount_type",
            "amount_description",
            "tax_code",
            "base",
            "rate",
            "account",
        }
        unknown = set(data) - known
        if unknown:
            raise ConfigurationError(f"{where}: unexpected field(s) {', '.join(sorted(unknown))}")
        parts = []
        for name in ("transaction_type", "amount_type", "amount_description"):
            value = data.get(name)
            if not isinstance(value, str):
                raise ConfigurationError(f"{where}.{name}: required; use '*' for any")
            parts.append(value.strip() or WILDCARD)
        code = data.get("tax_code")
        if not isinstance(code, str) or not code.strip():
            raise ConfigurationError(f"{where}.tax_code: required")
        base = data.get("base") or []
        if isinstance(base, str) or not isinstance(base, list):
            raise ConfigurationError(f"{where}.base: expected a list of amount descriptions")
        account = data.get("account")
        return cls(
            parts[0],
            parts[1],
            parts[2],
            code.strip(),
            base,
            data.get("rate"),
            GlAccount.from_dict(account, where=f"{where}.account") if account else None,
        )


def _rules(value: Iterable[TaxRule]) -> tuple[TaxRule, ...]:
    return tuple(value)


@frozen
class TaxRules:
    """The tax rules of a chart of accounts; see the module docs for matching."""

    rules: tuple[TaxRule, ...] = field(default=(), converter=_rules)

    def __attrs_post_init__(self) -> None:
        seen: dict[_Key, int] = {}
        for index, rule in enumerate(self.rules):
            if rule.normalised in seen:
                raise ConfigurationError(
                    f"tax rules {seen[rule.normalised] + 1} and {index + 1} both match "
                    f"({', '.join(rule.pattern)}); keep one"
                )
            seen[rule.normalised] = index

    def rule_for(self, key: _Key) -> TaxRule | None:
        """The most specific rule matching ``key``, or None (the amount is no tax)."""
        matching = [(rule.rank, -n, rule) for n, rule in enumerate(self.rules) if rule.matches(key)]
        return max(matching, key=lambda m: (m[0], m[1]))[2] if matching else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, the format :meth:`from_json` reads."""
        return {"rules": [rule.to_dict() for rule in self.rules]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TaxRules:
        """Read ``{"rules": [{"transaction_type", "amount_type", "amount_description",
        "tax_code", "base"?, "rate"?, "account"?}]}``."""
        if not isinstance(data, Mapping) or set(data) - {"rules"}:
            raise ConfigurationError("tax rules: expected an object with only 'rules'")
        raw = data.get("rules") or []
        if not isinstance(raw, list):
            raise ConfigurationError("tax rules.rules: expected a list")
        return cls([TaxRule.from_dict(r, where=f"tax rule {n}") for n, r in enumerate(raw, 1)])

    @classmethod
    def from_json(cls, text: str | bytes) -> TaxRules:
        """Read the rules from JSON text; a bad file is a ConfigurationError naming the rule."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigurationError(
                f"tax rules JSON: malformed at line {exc.lineno} column {exc.colno}: {exc.msg}"
            ) from None
        return cls.from_dict(data)


def split_gross(amount: Money, rate: Decimal) -> tuple[Money, Money]:
    """``(net, vat)`` of a gross amount at ``rate``: VAT = gross x rate / (1 + rate), rounded
    half up to the currency's minor unit; net = gross - VAT, so the two add up exactly."""
    vat = Money(amount.amount * rate / (1 + rate), amount.currency).rounded()
    return amount - vat, vat


#: Sales tax and VAT as Amazon reports them, with the amounts each is computed on, and the
#: facilitator tax Amazon withholds again. Give them your tax codes with :func:`sales_tax_rules`.
SALES_TAX_BASES: Final = {
    "Tax": ("Principal",),
    "ShippingTax": ("Shipping",),
    "GiftWrapTax": ("GiftWrap",),
}


def sales_tax_rules(
    tax_code: str, *, withheld_code: str | None = None, transaction_type: str = WILDCARD
) -> tuple[TaxRule, ...]:
    """Rules making ItemPrice ``Tax``/``ShippingTax``/``GiftWrapTax`` tax of ``tax_code``
    (bases Principal/Shipping/GiftWrap) and every ``ItemWithheldTax`` amount tax of
    ``withheld_code`` (default: the same code, so collected and withheld net out)."""
    rules = [
        TaxRule(transaction_type, "ItemPrice", description, tax_code, base)
        for description, base in SALES_TAX_BASES.items()
    ]
    withheld = withheld_code or tax_code
    rules += [
        TaxRule(transaction_type, "ItemWithheldTax", f"*-{base}", withheld, (base,))
        for base in ("Principal", "Shipping", "GiftWrap")
    ]
    rules.append(TaxRule(transaction_type, "ItemWithheldTax", WILDCARD, withheld))
    return tuple(rules)


__all__ = [
    "SALES_TAX_BASES",
    "TaxRule",
    "TaxRules",
    "sales_tax_rules",
    "split_gross",
]
