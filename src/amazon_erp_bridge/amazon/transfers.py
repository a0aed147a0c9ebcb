"""Transfers API 2024-06-01: the payouts Amazon sent to the seller's bank, read as ``Payout``.

``listPayouts`` (``GET /finances/transfers/2024-06-01/payouts``, 0.5 requests/s, burst 10)
answers ``{payouts, nextToken}`` without a ``payload`` wrapper. Each payout names the
settlement it pays in ``relatedIdentifiers`` (``SETTLEMENT_ID``) and its history of statuses
(``STARTED`` -> ``IN_TRANSIT`` -> ``PAID``, or ``FAILED`` / ``CANCELLED`` / ``NO_PAYOUT``).

A :class:`~amazon_erp_bridge.model.Payout` keeps what reconciliation needs: ``expected`` is the
amount Amazon sent, ``deposited`` the same amount once the payout is ``PAID`` (``deposited_at``
the date of that status), ``settlement_id`` the settlement it pays. The rest of the answer
(payment rail, trace id, period) is in :class:`PayoutDetails` for whoever needs it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, Final

import httpx2
from attrs import frozen

from amazon_erp_bridge.amazon.endpoints import MARKETPLACES
from amazon_erp_bridge.amazon.financial_events import currency_amount
from amazon_erp_bridge.amazon.timestamps import from_wire, to_wire
from amazon_erp_bridge.core.call import Call, Page
from amazon_erp_bridge.core.sender import AsyncSender, SyncSender, json_body
from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.model import Money, Payout

PAYOUTS_PATH: Final = "/finances/transfers/2024-06-01/payouts"
LIST_PAYOUTS_LIMIT_KEY: Final = "transfers.listPayouts"
PAYOUT_STATUSES: Final = frozenset(
    {"STARTED", "IN_TRANSIT", "PAID", "FAILED", "CANCELLED", "NO_PAYOUT"}
)
SETTLEMENT_ID: Final = "SETTLEMENT_ID"


@frozen
class PayoutDetails:
    """A listPayouts ``Payout`` in full: the canonical :class:`Payout` and the rest."""

    payout: Payout
    marketplace_id: str | None = None
    account_type: str | None = None
    payout_type: str | None = None  # SCHEDULED | ON_DEMAND
    payment_method: str | None = None  # BANK_ACCOUNT | DEBIT_CARD
    payment_rail: str | None = None
    trace_id: str | None = None
    period_start: datetime | None = None
    period_end: datetime | None = None
    status_history: tuple[tuple[str, datetime], ...] = ()
    failure_reason: str | None = None


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _when(value: Any, what: str) -> datetime | None:
    return from_wire(value, what) if value else None


def _object(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValidationError(f"{what}: expected an object, got {type(value).__name__}")
    return value


def _objects(value: Any, what: str) -> list[Mapping[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValidationError(f"{what}: expected a list, got {type(value).__name__}")
    return [_object(v, what) for v in value]


def payout_details(data: Mapping[str, Any]) -> PayoutDetails:
    """One ``Payout`` of the answer, every field the model defines read and checked."""
    if not isinstance(data, Mapping):
        raise ValidationError("listPayouts: expected payout objects")
    payout_id = _text(data.get("id"))
    if payout_id is None:
        raise ValidationError("listPayouts: a payout has no id")
    what = f"payout {payout_id}"
    partner = _object(data.get("partnerMetadata") or {}, f"{what} partnerMetadata")
    marketplace_id = _text(partner.get("marketplaceId"))
    status = _text(data.get("currentStatus"))
    if status is not None and status not in PAYOUT_STATUSES:
        raise ValidationError(
            f"{what} currentStatus: expected one of {sorted(PAYOUT_STATUSES)}, got {status!r}"
        )
    history: list[tuple[str, datetime]] = []
    failure: str | None = None
    for entry in _objects(data.get("statusHistory"), f"{what} statusHistory"):
        when = _when(entry.get("lastUpdatedDate"), f"{what} statusHistory lastUpdatedDate")
        name = _text(entry.get("status"))
        if name is not None and when is not None:
            history.append((name, when))
        failure = _text(entry.get("failureReason")) or failure
    amount = currency_amount(data.get("amount"), f"{what} amount", upper=False)
    if amount is None:
        market = MARKETPLACES.get(marketplace_id or "")
        if market is None:
            raise ValidationError(
                f"{what}: no amount and no known marketplace to name its currency"
            )
        amount = Money.zero(market.currency)
    paid_at = next((when for name, when in reversed(history) if name == "PAID"), None)
    settlement_id = next(
        (
            _text(r.get("relatedIdentifierValue"))
            for r in _objects(data.get("relatedIdentifiers"), f"{what} relatedIdentifiers")
            if r.get("relatedIdentifierName") == SETTLEMENT_ID
        ),
        None,
    )
    period = _object(data.get("period") or {}, f"{what} period")
    payout = Payout(
        payout_id=payout_id,
        expected=amount,
        settlement_id=settlement_id,
        initiated_at=_when(data.get("creationDate"), f"{what} creationDate"),
        deposited_at=paid_at if status == "PAID" else None,
        deposited=amount if status == "PAID" else None,
        status=status,
        account_tail=_text(data.get("accountTail")),
    )
    return PayoutDetails(
        payout=payout,
        marketplace_id=marketplace_id,
        account_type=_text(partner.get("accountType")),
        payout_type=_text(data.get("type")),
        payment_method=_text(data.get("paymentMethod")),
        payment_rail=_text(data.get("paymentRail")),
        trace_id=_text(data.get("traceId")),
        period_start=_when(period.get("startDate"), f"{what} period startDate"),
        period_end=_when(period.get("endDate"), f"{what} period endDate"),
        status_history=tuple(history),
        failure_reason=failure,
    )


def _parse_payouts(response: httpx2.Response) -> Page[PayoutDetails]:
    body = json_body(response)
    if not isinstance(body, Mapping):
        raise ValidationError("listPayouts: the answer is not a JSON object")
    payouts = body.get("payouts") or ()
    if not isinstance(payouts, list):
        raise ValidationError("listPayouts: payouts is not a list")
    return Page(tuple(payout_details(p) for p in payouts), _text(body.get("nextToken")))


def list_payouts(
    *,
    marketplace_ids: Sequence[str] | None = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
    payout_id: str | None = None,
    account_type: str | None = None,
    next_token: str | None = None,
) -> Call[Page[PayoutDetails]]:
    """Transfers 2024-06-01 listPayouts, one page (every filter optional, as the model says)."""
    params: dict[str, str] = {}
    if isinstance(marketplace_ids, str):
        marketplace_ids = [marketplace_ids]
    if marketplace_ids:
        if any(not isinstance(m, str) or not m.strip() for m in marketplace_ids):
            raise ValidationError(
                f"marketplace_ids: expected marketplace ids, got {marketplace_ids!r}"
            )
        params["marketplaceIds"] = ",".join(marketplace_ids)
    if created_after is not None:
        params["createdAfter"] = to_wire(created_after, "created_after")
    if created_before is not None:
        params["createdBefore"] = to_wire(created_before, "created_before")
    if created_after is not None and created_before is not None and created_before <= created_after:
        raise ValidationError(
            f"created_before ({created_before.isoformat()}) must be later than created_after "
            f"({created_after.isoformat()})"
        )
    for name, value in (
        ("payoutId", payout_id),
        ("accountType", account_type),
        ("nextToken", next_token),
    ):
        if value is not None:
            if not isinstance(value, str) or not value.strip():
                raise ValidationError(f"{name}: expected a non-empty string, got {value!r}")
            params[name] = value
    return Call(
        "GET", PAYOUTS_PATH, parse=_parse_payouts, params=params, limit_key=LIST_PAYOUTS_LIMIT_KEY
    )


def _unwrap(page: Page[PayoutDetails]) -> Page[Payout]:
    return Page(tuple(d.payout for d in page.items), page.next_token)


class TransfersApi:
    """Transfers for the sync client: ``client.transfers.list_payouts(created_after=...)``."""

    def __init__(self, sender: SyncSender) -> None:
        self._sender = sender

    def list_payouts(
        self,
        *,
        marketplace_ids: Sequence[str] | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        payout_id: str | None = None,
        account_type: str | None = None,
    ) -> Iterator[Payout]:
        """Every payout matching the filters, all pages, as canonical ``Payout`` records."""
        list_payouts(
            marketplace_ids=marketplace_ids,
            created_after=created_after,
            created_before=created_before,
            payout_id=payout_id,
            account_type=account_type,
        )  # validates before the first request
        return self._sender.pages(
            lambda t: list_payouts(
                marketplace_ids=marketplace_ids,
                created_after=created_after,
                created_before=created_before,
                payout_id=payout_id,
                account_type=account_type,
                next_token=t,
            ).then(_unwrap)
        )

    def list_payout_details(
        self,
        *,
        marketplace_ids: Sequence[str] | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
    ) -> Iterator[PayoutDetails]:
        """Every payout with everything the answer says (trace id, rail, status history)."""
        return self._sender.pages(
            lambda t: list_payouts(
                marketplace_ids=marketplace_ids,
                created_after=created_after,
                created_before=created_before,
                next_token=t,
            )
        )


class AsyncTransfersApi:
    """Transfers for the async client; the same methods as :class:`TransfersApi`."""

    def __init__(self, sender: AsyncSender) -> None:
        self._sender = sender

    def list_payouts(
        self,
        *,
        marketplace_ids: Sequence[str] | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        payout_id: str | None = None,
        account_type: str | None = None,
    ) -> AsyncIterator[Payout]:
        """Every payout matching the filters, all pages, as canonical ``Payout`` records."""
        list_payouts(
            marketplace_ids=marketplace_ids,
            created_after=created_after,
            created_before=created_before,
            payout_id=payout_id,
            account_type=account_type,
        )
        return self._sender.pages(
            lambda t: list_payouts(
                marketplace_ids=marketplace_ids,
                created_after=created_after,
                created_before=created_before,
                payout_id=payout_id,
                account_type=account_type,
                next_token=t,
            ).then(_unwrap)
        )

    def list_payout_details(
        self,
        *,
        marketplace_ids: Sequence[str] | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
    ) -> AsyncIterator[PayoutDetails]:
        """Every payout with everything the answer says (trace id, rail, status history)."""
        return self._sender.pages(
            lambda t: list_payouts(
                marketplace_ids=marketplace_ids,
                created_after=created_after,
                created_before=created_before,
                next_token=t,
            )
        )


__all__ = [
    "LIST_PAYOUTS_LIMIT_KEY",
    "PAYOUTS_PATH",
    "AsyncTransfersApi",
    "PayoutDetails",
    "TransfersApi",
    "list_payouts",
    "payout_details",
]
