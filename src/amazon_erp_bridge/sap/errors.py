"""SAP's error answers as BridgeErrors, and the messages SAP attaches to successful answers.

An OData error body (``{"error": {"code", "message": {"value"}, "innererror": {"transactionid",
"errordetails": [...]}}}`` in V2, ``{"error": {"code", "message", "details"}}`` in V4, or the
XML form) becomes an :class:`ODataError` carrying the code, the message, each detail and the
transaction id an SAP administrator needs to find the request in the gateway error log. A body
that is none of these still gives an error with the HTTP status and the start of the text.

A 2xx answer may carry warnings in the ``sap-message`` header (JSON); :func:`sap_messages` reads
them so results can carry them and the client can log them.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any

import httpx2
from attrs import frozen

from amazon_erp_bridge.core.redaction import get_logger
from amazon_erp_bridge.core.retry import parse_retry_after
from amazon_erp_bridge.errors import ApiError, BridgeError, RateLimitedError, ValidationError
from amazon_erp_bridge.limits import loads_json

log = get_logger("amazon_erp_bridge.sap")

_CSRF_FAILED = "csrf token validation failed"
#: The largest error body read for its structure; a longer one is shown as text only.
MAX_ERROR_BYTES = 1024 * 1024


@frozen
class SapMessage:
    """One message from SAP: an error detail, a ``sap-message`` warning or a SOAP log item."""

    code: str
    message: str
    severity: str = ""
    target: str = ""
    details: tuple[SapMessage, ...] = ()

    def __str__(self) -> str:
        sev = f"{self.severity}: " if self.severity else ""
        code = f" [{self.code}]" if self.code else ""
        target = f" (at {self.target})" if self.target else ""
        return f"{sev}{self.message}{code}{target}"


class ODataError(ApiError):
    """An OData service answered with an error body (or an unreadable one).

    ``error_details`` holds every message of ``innererror.errordetails`` (V2) or ``details``
    (V4); ``transaction_id`` is the id to look up in the gateway error log (/IWFND/ERROR_LOG).
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str | None = None,
        transaction_id: str | None = None,
        error_details: Sequence[SapMessage] = (),
        inner_error: Mapping[str, Any] | None = None,
        **kw: Any,
    ) -> None:
        extra = [str(d) for d in error_details if d.message and d.message != message]
        text = message + ("; " + "; ".join(extra) if extra else "")
        if transaction_id:
            text += f" (SAP transaction id {transaction_id})"
        super().__init__(text, status=status, code=code, details=inner_error, **kw)
        self.transaction_id = transaction_id
        self.error_details = tuple(error_details)
        self.inner_error = inner_error


class ODataRateLimitedError(ODataError, RateLimitedError):
    """SAP (or the API gateway in front of it) kept answering 429 past the retry budget."""


class PreconditionFailedError(ODataError):
    """The ETag sent in ``If-Match`` is stale (412) or was required and missing (428).

    Read the entity again, reapply the change and send it with the new ETag.
    """


class CsrfTokenError(ODataError):
    """SAP refused the CSRF token even after it was fetched anew once."""


class BatchError(ODataError):
    """A ``$batch`` change set failed and was rolled back; names the request that failed."""

    def __init__(self, message: str, *, failed_request: str, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.failed_request = failed_request


class SoapFaultError(ApiError):
    """A SOAP service answered with a fault (``faultcode``/``faultstring`` or SOAP 1.2 form)."""

    def __init__(self, message: str, *, fault_code: str | None = None, **kw: Any) -> None:
        super().__init__(message, code=fault_code, **kw)
        self.fault_code = fault_code


class JournalEntryNotFoundError(BridgeError):
    """A journal entry to reverse is not posted in SAP (no document carries its reference)."""


class JournalEntryRejectedError(ApiError):
    """SAP answered the journal entry request but posted nothing; ``log`` says why."""

    def __init__(self, message: str, *, log_items: Sequence[SapMessage] = (), **kw: Any) -> None:
        notes = "; ".join(str(i) for i in log_items)
        super().__init__(f"{message}: {notes}" if notes else message, **kw)
        self.log_items = tuple(log_items)


# ----------------------------------------------------------------------------- reading bodies


@frozen
class ErrorBody:
    """What an OData error body says, whichever of its forms it came in."""

    message: str
    code: str | None = None
    transaction_id: str | None = None
    details: tuple[SapMessage, ...] = ()
    inner: Mapping[str, Any] | None = None


def _text(value: Any) -> str:
    if isinstance(value, Mapping):
        return str(value.get("value", ""))
    return "" if value is None else str(value)


def _message(raw: Any) -> SapMessage:
    if not isinstance(raw, Mapping):
        return SapMessage(code="", message=str(raw))
    severity = raw.get("severity") or raw.get("@Common.numericSeverity") or ""
    nested = raw.get("details")
    details = tuple(_message(d) for d in nested) if isinstance(nested, list) else ()
    return SapMessage(
        code=str(raw.get("code") or ""),
        message=_text(raw.get("message")),
        severity=str(severity),
        target=str(raw.get("target") or raw.get("propertyref") or ""),
        details=details,
    )


def _from_json(body: Any) -> ErrorBody | None:
    error = body.get("error") if isinstance(body, Mapping) else None
    if not isinstance(error, Mapping):
        return None
    inner = error.get("innererror")
    inner = inner if isinstance(inner, Mapping) else None
    raw_details: Any = error.get("details") or (inner or {}).get("errordetails") or []
    details = tuple(_message(d) for d in raw_details) if isinstance(raw_details, list) else ()
    transaction = (inner or {}).get("transactionid")
    return ErrorBody(
        message=_text(error.get("message")) or "no message in the error body",
        code=str(error["code"]) if error.get("code") else None,
        transaction_id=str(transaction) if transaction else None,
        details=details,
        inner=inner,
    )


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element: ET.Element, name: str) -> ET.Element | None:
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _from_xml(content: bytes) -> ErrorBody | None:
    try:
        root = ET.fromstring(content)
    except ET.ParseError:
        return None
    if _local(root.tag) != "error":
        return None
    code = _child(root, "code")
    message = _child(root, "message")
    inner = _child(root, "innererror")
    transaction = _child(inner, "transactionid") if inner is not None else None
    details: list[SapMessage] = []
    listing = _child(inner, "errordetails") if inner is not None else None
    for item in listing if listing is not None else []:
        fields = {_local(c.tag): (c.text or "") for c in item}
        details.append(
            SapMessage(
                code=fields.get("code", ""),
                message=fields.get("message", ""),
                severity=fields.get("severity", ""),
                target=fields.get("target", "") or fields.get("propertyref", ""),
            )
        )
    return ErrorBody(
        message=(message.text or "").strip() if message is not None else "no message",
        code=(code.text or None) if code is not None else None,
        transaction_id=(transaction.text or None) if transaction is not None else None,
        details=tuple(details),
    )


def read_error(response: httpx2.Response) -> ErrorBody:
    """The error body of ``response`` in any of its forms; falls back to the raw text."""
    content = response.content or b""
    body: ErrorBody | None = None
    if content.lstrip()[:1] in (b"{", b"["):
        try:
            body = _from_json(loads_json(content, what="SAP error body", max_bytes=MAX_ERROR_BYTES))
        except ValidationError:
            body = None
    elif content.lstrip()[:1] == b"<" and len(content) <= MAX_ERROR_BYTES:
        body = _from_xml(content)
    if body is not None:
        return body
    text = content.decode("utf-8", "replace").strip()
    return ErrorBody(message=text[:500] or response.reason_phrase or "no error body")


def is_csrf_rejection(response: httpx2.Response) -> bool:
    """True for SAP's answer to a missing or stale CSRF token (403, ``x-csrf-token: Required``)."""
    if response.status_code != 403:
        return False
    if response.headers.get("x-csrf-token", "").lower() == "required":
        return True
    try:
        return _CSRF_FAILED in response.text.lower()
    except httpx2.ResponseNotRead:
        return False


def odata_error(
    response: httpx2.Response, *, service: str = "SAP", operation: str = ""
) -> ODataError:
    """The ODataError that ``response`` (a non-success answer) stands for."""
    body = read_error(response)
    status = response.status_code
    kw: dict[str, Any] = {
        "status": status,
        "code": body.code,
        "transaction_id": body.transaction_id,
        "error_details": body.details,
        "inner_error": body.inner,
        "service": service,
        "operation": operation,
        "retry_after": parse_retry_after(response.headers.get("retry-after")),
    }
    if status == 429:
        return ODataRateLimitedError(body.message, **kw)
    if status in (412, 428):
        hint = (
            "the entity changed since it was read (ETag mismatch); read it again and reapply"
            if status == 412
            else "SAP requires If-Match with the entity's ETag; read the entity first"
        )
        return PreconditionFailedError(f"{hint}: {body.message}", **kw)
    if is_csrf_rejection(response):
        return CsrfTokenError(
            "CSRF token validation failed although the token was fetched anew once; check that "
            f"the session cookies reach SAP unchanged ({body.message})",
            **kw,
        )
    if status == 401:
        return ODataError(f"SAP refused the credentials: {body.message}", **kw)
    return ODataError(body.message, **kw)


def sap_messages(response: httpx2.Response) -> tuple[SapMessage, ...]:
    """The messages in the ``sap-message`` header of ``response``: the first and its details."""
    raw = response.headers.get("sap-message")
    if not raw:
        return ()
    try:
        data = loads_json(raw, what="sap-message header", max_bytes=64 * 1024)
    except ValidationError:
        return (SapMessage(code="", message=raw[:500], severity="unknown"),)
    top = _message(data)
    return (SapMessage(top.code, top.message, top.severity, top.target), *top.details)


def log_sap_messages(call: Any, response: httpx2.Response) -> None:
    """Response hook: log every ``sap-message`` of a successful answer (warnings as WARNING)."""
    if not response.is_success:
        return
    for message in sap_messages(response):
        level = (
            logging.WARNING if message.severity.lower() in ("warning", "error") else logging.INFO
        )
        log.log(level, "SAP %s %s: %s", call.method, call.path, message)
