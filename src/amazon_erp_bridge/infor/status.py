"""Customer order status codes (ORSL lowest, ORST highest) read into plain words.

An M3 order status is two digits. Per our reference notes each digit is a progress stage of
the order's lines, the first the least advanced and the second the most advanced: 2 to
allocate, 3 allocated, 4 on a picking list, 6 delivered, 7 invoiced, 9 deleted; so ``22`` is
a new order and ``77`` a fully invoiced one. ``05`` (quotation), ``10`` (preliminary) and
``99`` (completed without delivery) are whole codes of their own. The order head carries the
lowest (``ORSL``) and highest (``ORST``) of its lines' codes.
"""

from __future__ import annotations

from collections.abc import Mapping

from attrs import field, frozen

from amazon_erp_bridge.errors import ValidationError

STAGES: Mapping[int, str] = {
    0: "not started",
    1: "preliminary",
    2: "to allocate",
    3: "allocated",
    4: "on a picking list",
    5: "picked",
    6: "delivered",
    7: "invoiced",
    9: "deleted",
}

SPECIAL: Mapping[str, str] = {
    "05": "quotation",
    "10": "preliminary",
    "99": "completed without delivery",
}


def _code(value: str) -> str:
    text = (value or "").strip()
    if len(text) != 2 or not text.isdigit():
        raise ValidationError(
            f"order status: expected two digits such as '22' or '77', got {value!r}"
        )
    return text


@frozen
class StatusCode:
    """One two-digit status code, e.g. ``StatusCode("46")``."""

    code: str = field(converter=_code)

    @property
    def special(self) -> bool:
        """True for a special status code (not a stage pair)."""
        return self.code in SPECIAL

    @property
    def low(self) -> int:
        """The least advanced stage (first digit)."""
        return int(self.code[0])

    @property
    def high(self) -> int:
        """The most advanced stage (second digit)."""
        return int(self.code[1])

    def describe(self) -> str:
        """The status code in plain words (its stage, or its special meaning)."""
        if self.special:
            return f"{self.code} {SPECIAL[self.code]}"
        low, high = STAGES.get(self.low, "?"), STAGES.get(self.high, "?")
        if self.low == self.high:
            return f"{self.code} {low}"
        return f"{self.code} from {low} to {high}"

    def __str__(self) -> str:
        return self.code


@frozen
class OrderProgress:
    """Where an order stands: its lowest (ORSL) and highest (ORST) status codes."""

    lowest: StatusCode
    highest: StatusCode

    @classmethod
    def parse(cls, orst: str, orsl: str | None = None) -> OrderProgress:
        """From ORST (and ORSL when known; without it the highest code is used for both)."""
        highest = StatusCode(orst)
        lowest = StatusCode(orsl) if orsl and orsl.strip() else highest
        return cls(lowest, highest)

    @classmethod
    def from_record(cls, record: Mapping[str, str]) -> OrderProgress:
        """From an MI record carrying ORST (and ORSL)."""
        if not record.get("ORST"):
            raise ValidationError(f"order record has no ORST (status): {sorted(record)}")
        return cls.parse(record["ORST"], record.get("ORSL"))

    def _all_at_least(self, stage: int) -> bool:
        return not self.lowest.special and self.lowest.low >= stage and self.lowest.low != 9

    @property
    def code(self) -> str:
        """The highest status code of the order's lines (ORST)."""
        return self.highest.code

    @property
    def is_quotation(self) -> bool:
        """True for a quotation (status 05)."""
        return self.highest.code == "05"

    @property
    def is_preliminary(self) -> bool:
        """True for a preliminary order (status 10)."""
        return self.highest.code == "10"

    @property
    def is_allocated(self) -> bool:
        """True when every line is at least allocated (status 3x)."""
        return self._all_at_least(3)

    @property
    def is_delivered(self) -> bool:
        """Every line is delivered (or further)."""
        return self._all_at_least(6)

    @property
    def is_invoiced(self) -> bool:
        """Every line is invoiced."""
        return self._all_at_least(7)

    @property
    def is_partly_delivered(self) -> bool:
        """True when some but not all lines are delivered."""
        return not self.highest.special and self.highest.high >= 6 and not self.is_delivered

    @property
    def is_closed(self) -> bool:
        """Completed without delivery, or deleted: nothing more will happen to it."""
        return self.highest.code == "99" or (self.lowest.low == 9 and self.highest.high == 9)

    def describe(self) -> str:
        """The progress in plain words (lowest and highest status when they differ)."""
        if self.lowest == self.highest:
            return self.highest.describe()
        return f"lowest {self.lowest.describe()}, highest {self.highest.describe()}"

    def __str__(self) -> str:
        return self.describe()


__all__ = ["SPECIAL", "STAGES", "OrderProgress", "StatusCode"]
