"""GL account maps: which GL account (and dimensions) each kind of Amazon amount posts to.

An account map is data. Each rule maps a key ``(transaction-type, amount-type,
amount-description)`` to a :class:`GlAccount`; any part of the key may be ``*`` (anything) or
a glob such as ``FBA*``. Keys match ignoring case, spaces, hyphens and underscores, so
``Service Fee``, ``ServiceFee`` and ``service-fee`` are the same.

Precedence (the most specific rule wins):

1. more exact parts beat fewer: ``(Order, ItemPrice, Principal)`` beats ``(Order, ItemPrice, *)``;
   a glob part counts half: ``(*, ItemFees, FBA*)`` beats ``(*, ItemFees, *)``;
2. on a tie, the part further right decides, because the amount-description is the leaf of
   Amazon's hierarchy: ``(*, ItemPrice, Tax)`` beats ``(Refund, ItemPrice, *)``;
3. still tied: the rule listed first.

No rule matching means the map's explicit ``default`` account, or, when there is none, that
the amount is unmapped (the journal builders then list every unmapped kind in one error).

Maps load from a dict, JSON text or CSV text so users keep them as files beside their code.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable, Mapping
from fnmatch import fnmatchcase
from types import MappingProxyType
from typing import Any, Final

from attrs import field, frozen

from amazon_erp_bridge.errors import ConfigurationError
from amazon_erp_bridge.model import SettlementLine

WILDCARD: Final = "*"
_Key = tuple[str, str, str]
_ROLES: Final = ("clearing", "unsettled", "default")


def normalise_key_part(text: str) -> str:
    """How key parts compare: case, spaces, hyphens and underscores do not matter."""
    return re.sub(r"[\s\-_]+", "", text).casefold()


def _normalise_key(key: _Key) -> _Key:
    t, a, d = (normalise_key_part(part) for part in key)
    return (t, a, d)


def _matches(key: _Key, pattern: _Key) -> bool:
    return all(fnmatchcase(value, part) for value, part in zip(key, pattern, strict=True))


def frozen_mapping(value: Mapping[str, str] | None) -> Mapping[str, str]:
    """A read-only copy, so rule objects (and module constants built from them) never change."""
    return MappingProxyType({str(k): str(v) for k, v in (value or {}).items()})


def _account_number(_instance: object, _attribute: object, value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError("GlAccount.account: expected a non-empty GL account number")


@frozen
class GlAccount:
    """A GL account number with the dimensions (cost centre, profit centre...) it posts with."""

    account: str = field(validator=_account_number)
    dimensions: Mapping[str, str] = field(factory=dict, converter=frozen_mapping)
    text: str = ""

    @property
    def dimension_key(self) -> tuple[tuple[str, str], ...]:
        """Hashable form of the dimensions, for aggregating lines per account and dimensions."""
        return tuple(sorted(self.dimensions.items()))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, as an account map file holds it (empty parts left out)."""
        data: dict[str, Any] = {"account": self.account}
        if self.dimensions:
            data["dimensions"] = dict(self.dimensions)
        if self.text:
            data["text"] = self.text
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, where: str = "account") -> GlAccount:
        """Read ``{"account": "4000", "dimensions": {...}, "text": "..."}``."""
        if not isinstance(data, Mapping):
            raise ConfigurationError(f"{where}: expected an object with 'account', got {data!r}")
        unknown = set(data) - {"account", "dimensions", "text"}
        if unknown:
            raise ConfigurationError(f"{where}: unexpected field(s) {', '.join(sorted(unknown))}")
        account = data.get("account")
        if not isinstance(account, str) or not account.strip():
            raise ConfigurationError(f"{where}.account: expected a non-empty GL account number")
        dimensions = data.get("dimensions") or {}
        if not isinstance(dimensions, Mapping):
            raise ConfigurationError(f"{where}.dimensions: expected an object of names to values")
        return cls(account.strip(), dimensions, str(data.get("text") or ""))


def _part_score(pattern: str) -> int:
    if pattern == WILDCARD:
        return 0
    return 1 if any(c in pattern for c in "*?[") else 2


@frozen
class GlRule:
    """``(transaction-type, amount-type, amount-description)`` pattern -> GL account."""

    transaction_type: str
    amount_type: str
    amount_description: str
    account: GlAccount

    @property
    def pattern(self) -> tuple[str, str, str]:
        """(transaction type, amount type, amount description) as written in the rule."""
        return (self.transaction_type, self.amount_type, self.amount_description)

    @property
    def normalised(self) -> tuple[str, str, str]:
        """The pattern with each part normalised for matching (blank parts become wildcards)."""
        t, a, d = (normalise_key_part(p) or WILDCARD for p in self.pattern)
        return (t, a, d)

    @property
    def is_exact(self) -> bool:
        """True when no part of the pattern is a wildcard (the rule names one amount kind)."""
        return all(_part_score(p) == 2 for p in self.normalised)

    @property
    def rank(self) -> tuple[int, int, int, int]:
        """Sort key, higher first: exactness, then description, amount-type, transaction-type."""
        t, a, d = (_part_score(p) for p in self.normalised)
        return (t + a + d, d, a, t)

    def matches(self, key: _Key) -> bool:
        """Whether a (transaction type, amount type, description) key falls under this rule."""
        return _matches(_normalise_key(key), self.normalised)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: the pattern and the account, as an account map file holds it."""
        return {
            "transaction_type": self.transaction_type,
            "amount_type": self.amount_type,
            "amount_description": self.amount_description,
            **self.account.to_dict(),
        }


def _rules(value: Iterable[GlRule]) -> tuple[GlRule, ...]:
    return tuple(value)


@frozen
class GlAccountMap:
    """Rules from settlement/financial-event keys to GL accounts, plus the special accounts.

    ``clearing`` takes the deposit (the settlement total) of every settlement journal;
    ``unsettled`` is the "Amazon receivable (unsettled)" that daily financial-event postings
    book against; ``default``, when set, takes every amount no rule matches (e.g. a suspense
    account). Leave ``default`` unset to be told about new kinds of Amazon amounts instead.
    """

    clearing: GlAccount
    rules: tuple[GlRule, ...] = field(default=(), converter=_rules)
    default: GlAccount | None = None
    unsettled: GlAccount | None = None
    _exact: Mapping[_Key, GlRule] = field(init=False, repr=False, eq=False, factory=dict)
    _patterns: tuple[tuple[_Key, GlRule], ...] = field(init=False, repr=False, eq=False, default=())

    def __attrs_post_init__(self) -> None:
        seen: dict[_Key, int] = {}
        for index, rule in enumerate(self.rules):
            norm = rule.normalised
            if norm in seen:
                raise ConfigurationError(
                    f"account map rules {seen[norm] + 1} and {index + 1} both match "
                    f"({', '.join(rule.pattern)}); keep one"
                )
            seen[norm] = index
        exact = {rule.normalised: rule for rule in self.rules if rule.is_exact}
        patterns = sorted(
            (rule for rule in self.rules if not rule.is_exact),
            key=lambda rule: tuple(-x for x in rule.rank),
        )
        object.__setattr__(self, "_exact", MappingProxyType(exact))
        object.__setattr__(self, "_patterns", tuple((r.normalised, r) for r in patterns))

    def rule_for(self, key: _Key) -> GlRule | None:
        """The most specific rule matching ``key`` (see the module docs), or None."""
        norm = _normalise_key(key)
        exact = self._exact.get(norm)
        if exact is not None:
            return exact
        return next((rule for pattern, rule in self._patterns if _matches(norm, pattern)), None)

    def lookup(self, key: _Key) -> GlAccount | None:
        """The account for ``key``: the most specific rule's, else ``default`` (may be None)."""
        rule = self.rule_for(key)
        return rule.account if rule is not None else self.default

    # --- loading and saving -------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data that :meth:`from_dict` reads back: copy it, edit it, keep it."""
        return {
            "clearing": self.clearing.to_dict(),
            "unsettled": self.unsettled.to_dict() if self.unsettled else None,
            "default": self.default.to_dict() if self.default else None,
            "rules": [rule.to_dict() for rule in self.rules],
        }

    def to_json(self) -> str:
        """The map as indented JSON, the format :meth:`from_json` reads."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GlAccountMap:
        """Read ``{"clearing": {...}, "unsettled": {...}, "default": {...}, "rules": [...]}``.

        A rule is ``{"transaction_type", "amount_type", "amount_description", "account",
        "dimensions"?, "text"?}`` (``transaction-type`` style names work too); all three key
        parts are required, use ``"*"`` for "any".
        """
        if not isinstance(data, Mapping):
            raise ConfigurationError("account map: expected an object with 'clearing' and 'rules'")
        data = {_column(k): v for k, v in data.items()}
        unknown = set(data) - {*_ROLES, "rules"}
        if unknown:
            raise ConfigurationError(
                f"account map: unexpected field(s) {', '.join(sorted(unknown))}"
            )
        if not data.get("clearing"):
            raise ConfigurationError(
                "account map: 'clearing' is required (the account that takes each deposit)"
            )
        raw_rules = data.get("rules") or []
        if not isinstance(raw_rules, list):
            raise ConfigurationError("account map.rules: expected a list of rules")
        return cls(
            clearing=GlAccount.from_dict(data["clearing"], where="account map.clearing"),
            rules=[_rule_from_dict(r, f"account map rule {n}") for n, r in enumerate(raw_rules, 1)],
            default=_optional_account(data.get("default"), "account map.default"),
            unsettled=_optional_account(data.get("unsettled"), "account map.unsettled"),
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> GlAccountMap:
        """Read an account map from JSON text; a bad rule is a ConfigurationError naming it."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigurationError(
                f"account map JSON: malformed at line {exc.lineno} column {exc.colno}: {exc.msg}"
            ) from None
        return cls.from_dict(data)

    @classmethod
    def from_csv(cls, source: str | Iterable[str]) -> GlAccountMap:
        """Read CSV text (or an open file): one rule per row.

        Columns: ``transaction-type, amount-type, amount-description, account`` and optionally
        ``text`` and ``dim.<name>`` columns for dimensions. Rows whose transaction-type is
        ``@clearing``, ``@unsettled`` or ``@default`` set those special accounts.
        """
        lines = source.splitlines() if isinstance(source, str) else source
        reader = csv.DictReader(lines)
        if reader.fieldnames is None:
            raise ConfigurationError("account map CSV: empty, expected a header row")
        columns = {name: _column(name) for name in reader.fieldnames}
        missing = {"transaction_type", "amount_type", "amount_description", "account"} - set(
            columns.values()
        )
        if missing:
            raise ConfigurationError(
                f"account map CSV: missing column(s) {', '.join(sorted(missing))}"
            )
        rules: list[GlRule] = []
        roles: dict[str, GlAccount] = {}
        for number, row in enumerate(reader, start=2):
            values = {columns[k]: (v or "").strip() for k, v in row.items() if k is not None}
            if not any(values.values()):
                continue
            where = f"account map CSV row {number}"
            account = GlAccount.from_dict(
                {
                    "account": values["account"],
                    "text": values.get("text", ""),
                    "dimensions": {
                        k[4:]: v for k, v in values.items() if k.startswith("dim.") and v
                    },
                },
                where=where,
            )
            first = values["transaction_type"]
            if first.startswith("@"):
                if first[1:] not in _ROLES:
                    raise ConfigurationError(
                        f"{where}: unknown role {first!r}; expected @clearing, @unsettled or "
                        "@default"
                    )
                roles[first[1:]] = account
                continue
            parts = [values[k] or WILDCARD for k in ("amount_type", "amount_description")]
            rules.append(GlRule(first or WILDCARD, parts[0], parts[1], account))
        if "clearing" not in roles:
            raise ConfigurationError(
                "account map CSV: no @clearing row (the account that takes each deposit)"
            )
        return cls(
            clearing=roles["clearing"],
            rules=rules,
            default=roles.get("default"),
            unsettled=roles.get("unsettled"),
        )


def _column(name: str) -> str:
    name = name.strip()
    if name.lower().startswith("dim."):
        return "dim." + name[4:].strip()
    return name.lower().replace("-", "_").replace(" ", "_")


def _optional_account(data: Any, where: str) -> GlAccount | None:
    return None if data in (None, {}, "") else GlAccount.from_dict(data, where=where)


def _rule_from_dict(data: Any, where: str) -> GlRule:
    if not isinstance(data, Mapping):
        raise ConfigurationError(f"{where}: expected an object, got {data!r}")
    data = {_column(k): v for k, v in data.items()}
    parts: list[str] = []
    for name in ("transaction_type", "amount_type", "amount_description"):
        value = data.pop(name, None)
        if not isinstance(value, str):
            raise ConfigurationError(
                f"{where}.{name}: required; give the Amazon value or '*' for any"
            )
        parts.append(value.strip() or WILDCARD)
    rest = {k: v for k, v in data.items() if v not in (None, "")}
    account = GlAccount.from_dict(rest, where=where)
    return GlRule(parts[0], parts[1], parts[2], account)


#: A rule deciding the account of one settlement line; return None for "unmapped".
AccountResolver = Callable[[SettlementLine, GlAccountMap], GlAccount | None]


def settlement_line_account(line: SettlementLine, accounts: GlAccountMap) -> GlAccount | None:
    """The account map's account for a settlement line: its most specific rule, else default.

    ItemPrice/Principal on an Order credits sales revenue and ItemFees debit selling fees
    in the default map; the sign of the amount decides debit or credit, not the rule.
    Returns None when nothing matches and the map has no default.
    """
    return accounts.lookup(line.key)


def _acct(number: str, text: str) -> GlAccount:
    return GlAccount(number, {}, text)


_SALES = _acct("4000", "Amazon sales")
_SHIPPING = _acct("4010", "Amazon shipping income")
_GIFT_WRAP = _acct("4020", "Amazon gift wrap income")
_PROMOTIONS = _acct("4050", "Amazon promotions")
_REFUNDS = _acct("4060", "Amazon refunds")
_REIMBURSEMENTS = _acct("4090", "FBA inventory reimbursements")
_TAX = _acct("2200", "Sales tax / VAT payable")
_SELLING_FEES = _acct("5100", "Amazon selling fees")
_FBA_FEES = _acct("5200", "FBA fulfilment fees")
_CHARGEBACKS = _acct("5210", "Amazon shipping chargebacks")
_OTHER_FEES = _acct("5300", "Other Amazon fees and charges")
_ADVERTISING = _acct("5400", "Amazon advertising")
_RESERVE = _acct("1292", "Amazon reserve held")
_TRANSFERS = _acct("1293", "Amazon transfers (payouts and charges within the period)")
_BROUGHT_FORWARD = _acct("1295", "Amazon balance brought forward from the previous settlement")
_FEE_TAX = _acct("1410", "Input tax (VAT/GST/HST) on Amazon fees")

#: A documented starting point for an Amazon seller's chart of accounts. Copy it with
#: ``AMAZON_DEFAULT_ACCOUNTS.to_json()``, put your own account numbers in, and load your copy
#: with :meth:`GlAccountMap.from_json`. It deliberately has no ``default``: a new kind of
#: Amazon amount is reported, not hidden (set ``default`` to a suspense account if you prefer).
#:
#: - ItemPrice on Orders credits revenue (Principal 4000, Shipping 4010, GiftWrap 4020); every
#:   ItemPrice on a Refund (and A-to-z/chargeback refunds) debits refunds 4060.
#: - Tax, ShippingTax, GiftWrapTax and ItemWithheldTax (marketplace facilitator tax) go to
#:   2200: where Amazon collects and remits the tax, the two net to zero there.
#: - Promotions 4050; ItemFees 5100, FBA* fees 5200, ShippingChargeback 5210.
#: - "Current Reserve Amount" and "Previous Reserve Amount Balance" move money into and out of
#:   the reserve Amazon holds back: a balance-sheet account (1292), never P&L. The current
#:   reserve (negative) debits it, the released previous balance (positive) credits it.
#: - "Transfer" rows are money already moved between Amazon and the seller within the period
#:   (a payout, or a charge to the seller's card): 1293, cleared against the bank statement.
#: - other-transaction and ServiceFee rows (storage, subscription...) 5300; Cost of
#:   Advertising 5400; FBA Inventory Reimbursement 4090.
#:
#: The older flat-file layout (``GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE``) reads into the same
#: keys where Amazon's names agree (price-type -> ItemPrice, item-related-fee-type -> ItemFees,
#: promotion-type -> Promotion) and adds its own (see ``amazon.settlement.FLAT_AMOUNTS``):
#:
#: - ShipmentFees and OrderFees 5100 (FBA* 5200), MiscFees and OtherFees 5300; the TaxAmount of
#:   an other-fee (GST/HST or VAT Amazon charges on advertising and other fees) is input tax,
#:   1410; a "Cost of Advertising" fee type is advertising, 5400.
#: - Rows whose only amount is other-amount are keyed (their transaction-type,
#:   other-transaction, their transaction-type): "Subscription Fee" 5300, "Inbound
#:   Transportation Fee" 5200; "Successful charge" (Amazon charged the seller's card to cover a
#:   negative balance) is money moved, 1293; "Payable to Amazon" (a previous settlement's
#:   negative balance brought into this one) 1295, cleared against that settlement's deposit;
#:   FBA reimbursements (REVERSAL_REIMBURSEMENT, WAREHOUSE_DAMAGE, WAREHOUSE_LOST) 4090.
#: - DirectPayment (money the seller received directly, e.g. a stored-value card) 1293.
AMAZON_DEFAULT_ACCOUNTS: Final = GlAccountMap(
    clearing=_acct("1290", "Amazon settlement clearing (deposit in transit)"),
    unsettled=_acct("1291", "Amazon receivable (unsettled)"),
    rules=[
        GlRule("Order", "ItemPrice", WILDCARD, _SALES),
        GlRule("Order", "ItemPrice", "Shipping", _SHIPPING),
        GlRule("Order", "ItemPrice", "GiftWrap", _GIFT_WRAP),
        GlRule("Refund", "ItemPrice", WILDCARD, _REFUNDS),
        GlRule("A-to-z Guarantee Refund", WILDCARD, WILDCARD, _REFUNDS),
        GlRule("Chargeback Refund", WILDCARD, WILDCARD, _REFUNDS),
        GlRule(WILDCARD, "ItemPrice", "Tax", _TAX),
        GlRule(WILDCARD, "ItemPrice", "ShippingTax", _TAX),
        GlRule(WILDCARD, "ItemPrice", "GiftWrapTax", _TAX),
        GlRule(WILDCARD, "ItemWithheldTax", WILDCARD, _TAX),
        GlRule(WILDCARD, "Promotion", WILDCARD, _PROMOTIONS),
        GlRule(WILDCARD, "ItemFees", WILDCARD, _SELLING_FEES),
        GlRule(WILDCARD, "ItemFees", "FBA*", _FBA_FEES),
        GlRule(WILDCARD, "ItemFees", "ShippingChargeback", _CHARGEBACKS),
        GlRule(WILDCARD, "FBA Inventory Reimbursement", WILDCARD, _REIMBURSEMENTS),
        GlRule(WILDCARD, "Cost of Advertising", WILDCARD, _ADVERTISING),
        GlRule("other-transaction", WILDCARD, WILDCARD, _OTHER_FEES),
        GlRule("ServiceFee", WILDCARD, WILDCARD, _OTHER_FEES),
        GlRule(WILDCARD, WILDCARD, "Current Reserve Amount", _RESERVE),
        GlRule(WILDCARD, WILDCARD, "Previous Reserve Amount Balance", _RESERVE),
        GlRule("Current Reserve Amount", WILDCARD, WILDCARD, _RESERVE),
        GlRule("Previous Reserve Amount Balance", WILDCARD, WILDCARD, _RESERVE),
        GlRule("Transfer", WILDCARD, WILDCARD, _TRANSFERS),
        # The flat-file layout's own amount types and transaction types.
        GlRule(WILDCARD, "ShipmentFees", WILDCARD, _SELLING_FEES),
        GlRule(WILDCARD, "ShipmentFees", "FBA*", _FBA_FEES),
        GlRule(WILDCARD, "OrderFees", WILDCARD, _SELLING_FEES),
        GlRule(WILDCARD, "OrderFees", "FBA*", _FBA_FEES),
        GlRule(WILDCARD, "MiscFees", WILDCARD, _OTHER_FEES),
        GlRule(WILDCARD, "OtherFees", WILDCARD, _OTHER_FEES),
        GlRule(WILDCARD, "OtherFees", "TaxAmount", _FEE_TAX),
        GlRule(WILDCARD, "DirectPayment", WILDCARD, _TRANSFERS),
        GlRule(WILDCARD, WILDCARD, "Cost of Advertising", _ADVERTISING),
        GlRule("Subscription Fee", WILDCARD, WILDCARD, _OTHER_FEES),
        GlRule("Inbound Transportation Fee", WILDCARD, WILDCARD, _FBA_FEES),
        GlRule("Successful charge", WILDCARD, WILDCARD, _TRANSFERS),
        GlRule("Payable to Amazon", WILDCARD, WILDCARD, _BROUGHT_FORWARD),
        GlRule("REVERSAL_REIMBURSEMENT", WILDCARD, WILDCARD, _REIMBURSEMENTS),
        GlRule("WAREHOUSE_DAMAGE", WILDCARD, WILDCARD, _REIMBURSEMENTS),
        GlRule("WAREHOUSE_LOST", WILDCARD, WILDCARD, _REIMBURSEMENTS),
        GlRule(WILDCARD, WILDCARD, "Refund Reimbursal", _REIMBURSEMENTS),
    ],
)

__all__ = [
    "AMAZON_DEFAULT_ACCOUNTS",
    "WILDCARD",
    "AccountResolver",
    "GlAccount",
    "GlAccountMap",
    "GlRule",
    "normalise_key_part",
    "settlement_line_account",
]
