"""Report to M3 that a customer order was shipped by someone else (Amazon FBA / MCF).

When Amazon ships, M3 never picks; the order still has to reach *delivered* (status 66) so it
can be invoiced. The default route, from Infor's public MI metadata: list the order's delivery
lines with ``MWS411MI LstDelLnByOrd`` (``RORC`` 3 = customer order, ``RIDN`` = order number)
to learn its delivery numbers (``DLIX``), then confirm each picking list with ``MWS420MI
Confirm`` (``DLIX``, ``PLSX``; the first picking list of a delivery has suffix 01). Sites that
report through the warehouse interface use ``MHS850MI AddCfmPickList`` instead (see
:data:`MHS850_PICK_LIST`). Which route and which field values work depends on the site's
setup, so the route is data (:class:`DeliveryRoute`) with these as documented defaults; the
field values are templates filled from the order (``{ORNO}``, ``{DLIX}``, ``{WHLO}``,
``{CUNO}``) and from the caller's ``values``. The order must have been released for picking:
an order without a delivery cannot be confirmed.
"""

from __future__ import annotations

import string
from collections.abc import Mapping

from attrs import field, frozen

from amazon_erp_bridge.errors import ConfigurationError, PostingError, ValidationError
from amazon_erp_bridge.infor.facade import AsyncFacade, SyncFacade
from amazon_erp_bridge.infor.mi import MiContext, Record
from amazon_erp_bridge.infor.plan import Plan
from amazon_erp_bridge.infor.status import OrderProgress
from amazon_erp_bridge.infor.values import FieldValue, to_m3_record


def _fields(value: Mapping[str, str]) -> Mapping[str, str]:
    return dict(value)


@frozen
class DeliveryRoute:
    """Which MI transactions find an order's deliveries and confirm them (data you can change).

    Field values may hold ``{NAME}`` placeholders: ``ORNO``, ``DLIX``, ``WHLO``, ``CUNO`` and
    any key of the ``values`` passed to ``confirm_shipped``.
    """

    find_program: str = "MWS411MI"
    find_transaction: str = "LstDelLnByOrd"
    find_fields: Mapping[str, str] = field(
        factory=lambda: {"RORC": "3", "RIDN": "{ORNO}"}, converter=_fields
    )
    delivery_field: str = "DLIX"
    confirm_program: str = "MWS420MI"
    confirm_transaction: str = "Confirm"
    confirm_fields: Mapping[str, str] = field(
        factory=lambda: {"DLIX": "{DLIX}", "PLSX": "01"}, converter=_fields
    )

    def placeholders(self) -> set[str]:
        """The ``{names}`` the route's field templates use, to check before a run."""
        names: set[str] = set()
        for template in (*self.find_fields.values(), *self.confirm_fields.values()):
            names.update(n for _, n, _, _ in string.Formatter().parse(template) if n)
        return names


#: The default route: MWS411MI LstDelLnByOrd, then MWS420MI Confirm per delivery.
DEFAULT_ROUTE = DeliveryRoute()

#: The warehouse-interface route: MHS850MI AddCfmPickList (needs the partner ``E0PA`` and
#: message type ``E065`` set up for the site; pass them in ``values``).
MHS850_PICK_LIST = DeliveryRoute(
    confirm_program="MHS850MI",
    confirm_transaction="AddCfmPickList",
    confirm_fields={
        "WHLO": "{WHLO}",
        "E0PA": "{E0PA}",
        "E065": "{E065}",
        "DLIX": "{DLIX}",
        "PLSX": "01",
    },
)


@frozen
class DeliveryOutcome:
    """What ``confirm_shipped`` did: deliveries confirmed, or that there was nothing to do."""

    orno: str
    deliveries: tuple[str, ...]
    already_delivered: bool
    progress: OrderProgress | None = None


def _fill(templates: Mapping[str, str], values: Mapping[str, str], where: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, template in templates.items():
        try:
            out[name] = template.format_map(values)
        except KeyError as exc:
            raise ConfigurationError(
                f"delivery route {where}: field {name} needs {{{exc.args[0]}}}, which is not "
                f"known; pass it in values= (known: {', '.join(sorted(values))})"
            ) from None
        except (ValueError, IndexError) as exc:
            raise ConfigurationError(
                f"delivery route {where}: field {name} has a bad template {template!r} ({exc})"
            ) from None
    return out


def confirm_shipped(
    ctx: MiContext,
    orno: str,
    *,
    values: Mapping[str, FieldValue] | None = None,
    route: DeliveryRoute = DEFAULT_ROUTE,
) -> Plan[DeliveryOutcome]:
    """Mark final order ``orno`` delivered; a no-op if every line is delivered already."""
    heads: list[Record] = yield ctx.call(
        "OIS100MI", "GetHead", {"ORNO": orno}, return_cols=("ORNO", "ORSL", "ORST", "WHLO", "CUNO")
    )
    head = heads[0] if heads else {}
    before = OrderProgress.from_record(head) if head.get("ORST") else None
    if before is not None and before.is_delivered:
        return DeliveryOutcome(orno, (), True, before)
    known = {
        "ORNO": orno,
        "WHLO": head.get("WHLO", ""),
        "CUNO": head.get("CUNO", ""),
        **to_m3_record(values),
    }
    where_find = f"{route.find_program}/{route.find_transaction}"
    rows: list[Record] = yield ctx.call(
        route.find_program, route.find_transaction, _fill(route.find_fields, known, where_find)
    )
    deliveries = list(
        dict.fromkeys(r[route.delivery_field] for r in rows if r.get(route.delivery_field))
    )
    if not deliveries:
        status = f" (status {before.describe()})" if before else ""
        raise PostingError(
            f"order {orno} has no delivery in M3{status}: it must be released for picking "
            f"before {route.confirm_program}/{route.confirm_transaction} can confirm it"
        )
    where_confirm = f"{route.confirm_program}/{route.confirm_transaction}"
    for dlix in deliveries:
        record = _fill(route.confirm_fields, {**known, "DLIX": dlix}, where_confirm)
        yield ctx.call(route.confirm_program, route.confirm_transaction, record)
    after: list[Record] = yield ctx.call(
        "OIS100MI", "GetHead", {"ORNO": orno}, return_cols=("ORNO", "ORSL", "ORST")
    )
    progress = OrderProgress.from_record(after[0]) if after and after[0].get("ORST") else None
    return DeliveryOutcome(orno, tuple(deliveries), False, progress)


#: MWS423MI AddPackage ETRN ("External tracking number", 30 in the package table).
TRACKING_LENGTH = 30


@frozen
class TrackingOutcome:
    """What :func:`add_tracking` did: the package (PANR) holding the tracking number."""

    delivery: str
    package: str
    tracking_number: str
    created: bool


def add_tracking(
    ctx: MiContext, delivery: str, tracking_number: str, *, packaging: str | None = None
) -> Plan[TrackingOutcome]:
    """Store a carrier tracking number on delivery ``delivery`` in M3, once.

    M3 keeps it as the external tracking number (ETRN) of a package of the delivery:
    MWS423MI ``LstPackDel`` (DLIX) is read first, and a package that already carries the
    number is reused; otherwise ``AddPackage`` (DLIX required, ETRN, PACT the packaging
    type if given) adds one and M3 answers its package number (PANR).
    """
    dlix = delivery.strip() if isinstance(delivery, str) else ""
    if not dlix or not dlix.isdigit() or len(dlix) > 11:
        raise ValidationError(f"delivery number (DLIX): expected up to 11 digits, got {delivery!r}")
    number = tracking_number.strip() if isinstance(tracking_number, str) else ""
    if not number or len(number) > TRACKING_LENGTH:
        raise ValidationError(
            f"delivery {dlix}: tracking number {tracking_number!r} must be 1-{TRACKING_LENGTH} "
            "characters (MWS423MI ETRN)"
        )
    if packaging is not None and not 1 <= len(packaging) <= 6:
        raise ValidationError(f"delivery {dlix}: packaging (PACT) {packaging!r} is 1-6 characters")
    packages: list[Record] = yield ctx.call(
        "MWS423MI", "LstPackDel", {"DLIX": dlix}, return_cols=("DLIX", "PANR", "ETRN")
    )
    for package in packages:
        if package.get("ETRN", "").strip() == number:
            return TrackingOutcome(dlix, package.get("PANR", ""), number, False)
    record: dict[str, FieldValue] = {"DLIX": dlix, "ETRN": number}
    if packaging:
        record["PACT"] = packaging
    added: list[Record] = yield ctx.call("MWS423MI", "AddPackage", record)
    panr = added[0].get("PANR", "").strip() if added else ""
    return TrackingOutcome(dlix, panr, number, True)


def list_tracking(ctx: MiContext, delivery: str) -> Plan[list[str]]:
    """The tracking numbers (ETRN) on the packages of delivery ``delivery``."""
    packages: list[Record] = yield ctx.call(
        "MWS423MI", "LstPackDel", {"DLIX": delivery}, return_cols=("PANR", "ETRN")
    )
    return [p["ETRN"] for p in packages if p.get("ETRN")]


class Deliveries(SyncFacade):
    """Delivery confirmation for orders shipped outside M3 (``m3.deliveries``)."""

    def confirm_shipped(
        self,
        orno: str,
        *,
        values: Mapping[str, FieldValue] | None = None,
        route: DeliveryRoute = DEFAULT_ROUTE,
    ) -> DeliveryOutcome:
        return self._run(confirm_shipped(self._ctx, orno, values=values, route=route))

    def add_tracking(
        self, delivery: str, tracking_number: str, *, packaging: str | None = None
    ) -> TrackingOutcome:
        """Store a tracking number on a delivery, once (see :func:`add_tracking`)."""
        return self._run(add_tracking(self._ctx, delivery, tracking_number, packaging=packaging))

    def list_tracking(self, delivery: str) -> list[str]:
        """The tracking numbers stored on a delivery's packages."""
        return self._run(list_tracking(self._ctx, delivery))


class AsyncDeliveries(AsyncFacade):
    """Delivery confirmation for :class:`~amazon_erp_bridge.infor.AsyncM3Client`."""

    async def confirm_shipped(
        self,
        orno: str,
        *,
        values: Mapping[str, FieldValue] | None = None,
        route: DeliveryRoute = DEFAULT_ROUTE,
    ) -> DeliveryOutcome:
        return await self._run(confirm_shipped(self._ctx, orno, values=values, route=route))

    async def add_tracking(
        self, delivery: str, tracking_number: str, *, packaging: str | None = None
    ) -> TrackingOutcome:
        """Store a tracking number on a delivery, once (see :func:`add_tracking`)."""
        return await self._run(
            add_tracking(self._ctx, delivery, tracking_number, packaging=packaging)
        )

    async def list_tracking(self, delivery: str) -> list[str]:
        """The tracking numbers stored on a delivery's packages."""
        return await self._run(list_tracking(self._ctx, delivery))
