"""Checking a create or update body against the published metadata, as SAP Gateway does.

A property the entity type does not have is refused; so is one marked ``sap:creatable="false"``
in a create and ``sap:updatable="false"`` in an update (unless the update sends the value the
entity already has), a string longer than its ``MaxLength``, a decimal with more digits than
its ``Precision`` / ``Scale`` allow, and a value of the wrong JSON form for its type. Deep
inserts are checked level by level through the navigation properties of the metadata.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from amazon_erp_bridge.sandbox.sap.edm import EntityType, Property, ServiceMetadata
from amazon_erp_bridge.sandbox.sap.odata import ODataFailure

_V2_DATE = re.compile(r"/Date\(-?\d{1,15}(?:[+-]\d{4})?\)/")


def _fail(code: str, message: str, target: str) -> ODataFailure:
    return ODataFailure(400, code, message, [{"code": code, "message": message, "target": target}])


def check_value(prop: Property, value: Any, where: str) -> None:
    """Refuse ``value`` if it does not fit ``prop`` (type form, MaxLength, Precision/Scale)."""
    if value is None:
        if not prop.nullable:
            raise _fail(
                "SANDBOX/NULL", f"{where}: property '{prop.name}' may not be null", prop.name
            )
        return
    edm = prop.type
    if edm == "Edm.String":
        if not isinstance(value, str):
            raise _fail("SANDBOX/BAD_VALUE", f"{where}: '{prop.name}' expects a string", prop.name)
        if prop.max_length is not None and len(value) > prop.max_length:
            raise _fail(
                "SANDBOX/TOO_LONG",
                f"{where}: value of property '{prop.name}' is {len(value)} characters long; "
                f"the maximum length is {prop.max_length}",
                prop.name,
            )
    elif edm == "Edm.Decimal":
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
            raise _fail(
                "SANDBOX/BAD_VALUE", f"{where}: '{prop.name}' expects a decimal string", prop.name
            )
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise _fail(
                "SANDBOX/BAD_VALUE",
                f"{where}: '{prop.name}' value {value!r} is no number",
                prop.name,
            ) from None
        if not number.is_finite():
            raise _fail("SANDBOX/BAD_VALUE", f"{where}: '{prop.name}' is not finite", prop.name)
        exponent = number.as_tuple().exponent
        decimals = max(0, -exponent) if isinstance(exponent, int) else 0
        digits = len(number.as_tuple().digits)
        integral = max(0, digits - decimals)
        scale = prop.scale or 0
        if prop.precision is not None and (
            decimals > scale and number != number.quantize(Decimal(1).scaleb(-scale))
        ):
            raise _fail(
                "SANDBOX/PRECISION",
                f"{where}: '{prop.name}' value {value} has more than {scale} decimals",
                prop.name,
            )
        if prop.precision is not None and integral > prop.precision - scale:
            raise _fail(
                "SANDBOX/PRECISION",
                f"{where}: '{prop.name}' value {value} has more than "
                f"{prop.precision - scale} integer digits",
                prop.name,
            )
    elif edm in ("Edm.DateTime", "Edm.DateTimeOffset"):
        if not isinstance(value, str) or not _V2_DATE.fullmatch(value):
            raise _fail(
                "SANDBOX/BAD_VALUE", f"{where}: '{prop.name}' expects /Date(ms)/", prop.name
            )
    elif edm == "Edm.Boolean" and not isinstance(value, bool):
        raise _fail("SANDBOX/BAD_VALUE", f"{where}: '{prop.name}' expects true or false", prop.name)


def _results(value: Any, where: str) -> list[Mapping[str, Any]]:
    if isinstance(value, Mapping) and "results" in value:
        value = value["results"]
    if isinstance(value, Mapping):
        return [value]
    if isinstance(value, list) and all(isinstance(v, Mapping) for v in value):
        return value
    raise ODataFailure(400, "SANDBOX/BAD_JSON", f"{where} must be an object or a list of objects")


def check_create(
    meta: ServiceMetadata, entity_type: EntityType, payload: Mapping[str, Any], where: str
) -> None:
    """Refuse a create (deep insert) body the published metadata does not allow."""
    for name, value in payload.items():
        if name == "__metadata":
            continue
        nav = entity_type.navigations.get(name)
        if nav is not None:
            target = meta.types[nav.target]
            for number, child in enumerate(_results(value, f"{where}/{name}"), start=1):
                check_create(meta, target, child, f"{where}/{name}[{number}]")
            continue
        prop = entity_type.properties.get(name)
        if prop is None:
            raise _fail("SANDBOX/BAD_PROPERTY", f"{where}: property '{name}' is invalid", name)
        if not prop.creatable:
            raise _fail(
                "SANDBOX/NOT_CREATABLE",
                f"{where}: property '{name}' cannot be set on create (sap:creatable=false)",
                name,
            )
        check_value(prop, value, where)


def check_update(
    entity_type: EntityType, changes: Mapping[str, Any], current: Mapping[str, Any], where: str
) -> None:
    """Refuse an update body the published metadata does not allow.

    ``current`` is the entity as the fake shows it (V2 JSON values), so that a property sent
    unchanged is accepted whatever its markers (as SAP does for a PUT of a read entity).
    """
    for name, value in changes.items():
        if name == "__metadata":
            continue
        if name in entity_type.navigations:
            raise _fail(
                "SANDBOX/BAD_PROPERTY",
                f"{where}: navigation property '{name}' cannot be changed by an update",
                name,
            )
        prop = entity_type.properties.get(name)
        if prop is None:
            raise _fail("SANDBOX/BAD_PROPERTY", f"{where}: property '{name}' is invalid", name)
        unchanged = name in current and current[name] == value
        if (not prop.updatable or name in entity_type.keys) and not unchanged:
            raise _fail(
                "SANDBOX/READ_ONLY",
                f"{where}: property '{name}' cannot be changed (sap:updatable=false)",
                name,
            )
        check_value(prop, value, where)
