"""Errors of the mapping layer: each names the record and field it could not map, and why.

All derive from :class:`~amazon_erp_bridge.errors.MappingError`, so ``except MappingError``
catches every rule that is missing or cannot be applied.
"""

from __future__ import annotations

from collections.abc import Sequence

from attrs import frozen

from amazon_erp_bridge.errors import CurrencyMismatchError, IntegrityError, MappingError
from amazon_erp_bridge.model import Money


@frozen
class UnmappedKey:
    """One account-map key with no GL account: how many amounts carry it and their totals."""

    key: tuple[str, str, str]
    count: int
    totals: tuple[Money, ...]


def _describe_unmapped(unmapped: Sequence[UnmappedKey]) -> list[str]:
    keys = [f"({', '.join(u.key)})" for u in unmapped]
    counts = [f"x {u.count} {'line' if u.count == 1 else 'lines'}," for u in unmapped]
    key_width = max(len(k) for k in keys)
    count_width = max(len(c) for c in counts)
    return [
        f"  {key.ljust(key_width)} {count.ljust(count_width)} total "
        + ", ".join(str(t) for t in u.totals)
        for key, count, u in zip(keys, counts, unmapped, strict=True)
    ]


class UnmappedAmounts(MappingError):
    """Amounts whose (transaction-type, amount-type, amount-description) has no GL account."""

    def __init__(self, subject: str, unmapped: Sequence[UnmappedKey]) -> None:
        kinds = len(unmapped)
        head = f"{subject} {kinds} amount {'kind' if kinds == 1 else 'kinds'} with no GL account:"
        tail = "Add them to the account map, or set a default account."
        super().__init__("\n".join([head, *_describe_unmapped(unmapped), tail]))
        self.unmapped = tuple(unmapped)


class UnmappedSettlementLines(UnmappedAmounts):
    """Settlement lines the account map cannot place, all listed at once."""


class UnmappedFinancialEvents(UnmappedAmounts):
    """Financial-event amounts the account map cannot place, all listed at once."""


class UnknownStatusError(MappingError):
    """A status value that the status table does not know; there is no silent default."""

    def __init__(self, message: str, *, system: str, status: str) -> None:
        super().__init__(message)
        self.system = system
        self.status = status


class ItemNotFoundError(MappingError):
    """An Amazon item identifier with no ERP item; ``candidates`` are the closest known keys."""

    def __init__(self, message: str, *, candidates: Sequence[tuple[str, str, float]]) -> None:
        super().__init__(message)
        #: (identifier, ERP item, similarity 0..1), best first.
        self.candidates = tuple(candidates)


class AddressTooLongError(MappingError):
    """Address text that cannot fit the ERP's fields without losing any of it."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


class SettlementCurrencyError(MappingError, CurrencyMismatchError):
    """A settlement line in another currency than the settlement itself."""


class SettlementTieOutError(MappingError, IntegrityError):
    """A settlement whose lines do not sum to its total: no journal could tie out to it."""


__all__ = [
    "AddressTooLongError",
    "ItemNotFoundError",
    "SettlementCurrencyError",
    "SettlementTieOutError",
    "UnknownStatusError",
    "UnmappedAmounts",
    "UnmappedFinancialEvents",
    "UnmappedKey",
    "UnmappedSettlementLines",
]
