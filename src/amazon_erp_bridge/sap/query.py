"""Building OData queries: ``$filter`` expressions, the system query options, entity keys.

A filter is a small expression tree rendered for a protocol version, because V2 and V4 spell
literals differently (``datetime'2026-01-02T00:00:00'`` against ``2026-01-02``)::

    f = prop("PurchaseOrderByCustomer").eq("113-'quoted'") & prop("SoldToParty").eq("1000001")
    Query(filter=f, top=10).params(version=2)
    # {"$filter": "PurchaseOrderByCustomer eq '113-''quoted''' and SoldToParty eq '1000001'",
    #  "$top": "10", "$format": "json"}

Property names are checked (letters, digits, ``_`` and ``/`` paths) so a caller's string can
never smuggle an expression into a query; values always go through
:func:`~amazon_erp_bridge.sap.values.literal`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

from attrs import evolve, field, frozen

from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.sap.values import literal

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:/[A-Za-z_][A-Za-z0-9_]*)*$")
_ORDER = re.compile(r"^([A-Za-z_][A-Za-z0-9_/]*)(?: (asc|desc))?$")
_ENTITY_SET = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: Characters left as they are in a key predicate inside a URL path.
_KEY_SAFE = "'(),=:-._~!$*+;@"


def check_name(name: str, what: str = "property") -> str:
    """``name`` if it is a plain OData identifier or path (``to_Item/Material``), else raise."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValidationError(
            f"OData {what} name {name!r}: expected letters, digits and '_' (paths joined by '/')"
        )
    return name


class Filter:
    """A ``$filter`` expression; combine with ``&`` (and), ``|`` (or) and ``~`` (not)."""

    def render(self, version: int = 2) -> str:
        """The filter as OData ``$filter`` text for OData ``version`` 2 or 4."""
        raise NotImplementedError

    def __and__(self, other: Filter) -> Filter:
        return _Junction("and", (self, other))

    def __or__(self, other: Filter) -> Filter:
        return _Junction("or", (self, other))

    def __invert__(self) -> Filter:
        return _Not(self)

    def __repr__(self) -> str:
        return f"Filter({self.render(2)!r})"


@frozen(repr=False)
class _Compare(Filter):
    name: str
    op: str
    value: Any

    def render(self, version: int = 2) -> str:
        return f"{self.name} {self.op} {literal(self.value, version)}"


@frozen(repr=False)
class _Junction(Filter):
    op: str
    parts: tuple[Filter, ...]

    def render(self, version: int = 2) -> str:
        return f" {self.op} ".join(_grouped(p, self.op, version) for p in self.parts)


@frozen(repr=False)
class _Not(Filter):
    inner: Filter

    def render(self, version: int = 2) -> str:
        return f"not ({self.inner.render(version)})"


@frozen(repr=False)
class _Call(Filter):
    """A boolean function: ``startswith(Name,'A')``, V2 ``substringof('x',Name)``."""

    function: str
    name: str
    value: Any

    def render(self, version: int = 2) -> str:
        value = literal(self.value, version)
        if self.function == "substringof":
            if version == 2:
                return f"substringof({value},{self.name})"
            return f"contains({self.name},{value})"
        return f"{self.function}({self.name},{value})"


@frozen(repr=False)
class Raw(Filter):
    """An expression written by hand, inserted as it is (the caller answers for quoting)."""

    text: str

    def render(self, version: int = 2) -> str:
        return self.text


def _grouped(part: Filter, parent: str, version: int) -> str:
    """``part`` inside an and/or: parenthesised when precedence could change its meaning."""
    text = part.render(version)
    if (isinstance(part, _Junction) and part.op != parent) or isinstance(part, Raw):
        return f"({text})"
    return text


@frozen
class Prop:
    """A property to compare: ``prop("SoldToParty").eq("1000001")``."""

    name: str = field(converter=check_name)

    def eq(self, value: Any) -> Filter:
        return _Compare(self.name, "eq", value)

    def ne(self, value: Any) -> Filter:
        return _Compare(self.name, "ne", value)

    def gt(self, value: Any) -> Filter:
        return _Compare(self.name, "gt", value)

    def ge(self, value: Any) -> Filter:
        return _Compare(self.name, "ge", value)

    def lt(self, value: Any) -> Filter:
        return _Compare(self.name, "lt", value)

    def le(self, value: Any) -> Filter:
        return _Compare(self.name, "le", value)

    def one_of(self, values: Iterable[Any]) -> Filter:
        """``Name eq a or Name eq b ...`` (works in V2, which has no ``in``)."""
        choices = [self.eq(v) for v in values]
        if not choices:
            raise ValidationError(f"OData filter {self.name}: one_of needs at least one value")
        return any_of(*choices)

    def startswith(self, value: str) -> Filter:
        return _Call("startswith", self.name, value)

    def endswith(self, value: str) -> Filter:
        return _Call("endswith", self.name, value)

    def contains(self, value: str) -> Filter:
        """V2 ``substringof('value',Name)``, V4 ``contains(Name,'value')``."""
        return _Call("substringof", self.name, value)


def prop(name: str) -> Prop:
    """The property ``name``, ready for a comparison."""
    return Prop(name)


def all_of(*filters: Filter) -> Filter:
    """Every filter must hold (``and``)."""
    if not filters:
        raise ValidationError("OData filter: all_of needs at least one condition")
    return filters[0] if len(filters) == 1 else _Junction("and", tuple(filters))


def any_of(*filters: Filter) -> Filter:
    """At least one filter must hold (``or``)."""
    if not filters:
        raise ValidationError("OData filter: any_of needs at least one condition")
    return filters[0] if len(filters) == 1 else _Junction("or", tuple(filters))


def equals(**conditions: Any) -> Filter:
    """``A eq 'x' and B eq 'y'`` from keyword arguments, skipping those that are None."""
    parts = [prop(k).eq(v) for k, v in conditions.items() if v is not None]
    return all_of(*parts)


def _names(values: Iterable[str], what: str) -> tuple[str, ...]:
    if isinstance(values, str):
        values = [values]
    return tuple(check_name(v, what) for v in values)


def _select(values: Iterable[str]) -> tuple[str, ...]:
    return _names(values, "$select")


def _expand(values: Iterable[str]) -> tuple[str, ...]:
    return _names(values, "$expand")


def _order(values: Iterable[str]) -> tuple[str, ...]:
    if isinstance(values, str):
        values = [values]
    out = []
    for v in values:
        if not isinstance(v, str) or not _ORDER.match(v):
            raise ValidationError(
                f"OData $orderby {v!r}: expected 'Property' or 'Property asc|desc'"
            )
        out.append(v)
    return tuple(out)


def _non_negative(_: object, attribute: Any, value: int | None) -> None:
    if value is not None and (isinstance(value, bool) or value < 0):
        raise ValidationError(f"OData ${attribute.name}: expected an integer >= 0, got {value!r}")


@frozen
class Query:
    """The system query options of one request; ``params(version)`` gives the URL parameters.

    ``count`` asks for the total: ``$inlinecount=allpages`` in V2, ``$count=true`` in V4.
    ``custom`` carries extra parameters (``sap-language``, ``search``) as they are.
    """

    filter: Filter | None = None
    select: tuple[str, ...] = field(default=(), converter=_select)
    expand: tuple[str, ...] = field(default=(), converter=_expand)
    orderby: tuple[str, ...] = field(default=(), converter=_order)
    top: int | None = field(default=None, validator=_non_negative)
    skip: int | None = field(default=None, validator=_non_negative)
    count: bool = False
    custom: Mapping[str, str] = field(factory=dict)

    def where(self, *filters: Filter) -> Query:
        """This query with ``filters`` and-ed to its filter."""
        parts = ([self.filter] if self.filter is not None else []) + list(filters)
        return evolve(self, filter=all_of(*parts))

    def params(self, version: int = 2) -> dict[str, str]:
        """The query options ($filter, $select, $expand, ...) as URL parameters."""
        out: dict[str, str] = {}
        if self.filter is not None:
            out["$filter"] = self.filter.render(version)
        if self.select:
            out["$select"] = ",".join(self.select)
        if self.expand:
            out["$expand"] = ",".join(self.expand)
        if self.orderby:
            out["$orderby"] = ",".join(self.orderby)
        if self.top is not None:
            out["$top"] = str(self.top)
        if self.skip is not None:
            out["$skip"] = str(self.skip)
        if self.count:
            if version == 2:
                out["$inlinecount"] = "allpages"
            else:
                out["$count"] = "true"
        if version == 2:
            out["$format"] = "json"
        out.update(self.custom)
        return out


def key_predicate(key: Any, version: int = 2) -> str:
    """The key in parentheses: ``('4711')`` or ``(SalesOrder='1',SalesOrderItem='10')``.

    A Mapping gives a composite key (in the order given); anything else a single key value.
    """
    if isinstance(key, Mapping):
        if not key:
            raise ValidationError("OData key: a composite key needs at least one property")
        inner = ",".join(f"{check_name(k, 'key')}={literal(v, version)}" for k, v in key.items())
    else:
        if key is None or key == "":
            raise ValidationError("OData key: the key value is empty")
        inner = literal(key, version)
    return f"({inner})"


def entity_path(entity_set: str, key: Any = None, version: int = 2) -> str:
    """``A_SalesOrder('4711')``, percent-encoded for a URL path (a '/' in a key is ``%2F``)."""
    if not _ENTITY_SET.match(entity_set or ""):
        raise ValidationError(f"OData entity set name {entity_set!r}: expected an identifier")
    if key is None:
        return entity_set
    return entity_set + quote(key_predicate(key, version), safe=_KEY_SAFE)


def function_params(params: Mapping[str, Any], version: int = 2) -> dict[str, str]:
    """Function import parameters as URL parameters, each value an OData literal."""
    return {check_name(k, "parameter"): literal(v, version) for k, v in params.items()}
