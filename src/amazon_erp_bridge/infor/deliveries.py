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

from amazon_erp_bridge.errors import ConfigurationError, PostingError
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
