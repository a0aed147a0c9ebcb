"""SOAP 1.1 envelopes and faults, with the standard library's ElementTree.

SAP posts journal entries only through SOAP services (there is no released OData API for it).
This module wraps a request element in an envelope, finds the answer element in a response
and turns faults (SOAP 1.1 ``faultcode``/``faultstring`` or SOAP 1.2 ``Code``/``Reason``) into
:class:`~amazon_erp_bridge.sap.errors.SoapFaultError`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import TypeVar

import httpx2

from amazon_erp_bridge.core.call import Call
from amazon_erp_bridge.core.retry import parse_retry_after
from amazon_erp_bridge.errors import ApiError
from amazon_erp_bridge.sap.errors import SoapFaultError

T = TypeVar("T")

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"

ET.register_namespace("soapenv", SOAP11)


def local(tag: str) -> str:
    """An element's name without its namespace."""
    return tag.rsplit("}", 1)[-1]


def child(element: ET.Element | None, name: str) -> ET.Element | None:
    """The first child of ``element`` called ``name`` (any namespace)."""
    if element is None:
        return None
    for item in element:
        if local(item.tag) == name:
            return item
    return None


def children(element: ET.Element | None, name: str) -> list[ET.Element]:
    """Every child of ``element`` called ``name`` (any namespace)."""
    if element is None:
        return []
    return [item for item in element if local(item.tag) == name]


def text(element: ET.Element | None, name: str) -> str | None:
    """The stripped text of ``element``'s child ``name``, or None when absent or empty."""
    found = child(element, name)
    if found is None or found.text is None:
        return None
    value = found.text.strip()
    return value or None


def envelope(payload: ET.Element) -> bytes:
    """``payload`` inside a SOAP 1.1 envelope, as UTF-8 bytes with an XML declaration."""
    root = ET.Element(f"{{{SOAP11}}}Envelope")
    ET.SubElement(root, f"{{{SOAP11}}}Header")
    body = ET.SubElement(root, f"{{{SOAP11}}}Body")
    body.append(payload)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data


def _parse(content: bytes) -> ET.Element:
    try:
        return ET.fromstring(content)
    except ET.ParseError as exc:
        raise ValueError(f"the SOAP answer is not XML ({exc}): {content[:120]!r}") from None


def read_fault(content: bytes) -> tuple[str | None, str, str] | None:
    """(fault code, fault text, detail text) if ``content`` is a SOAP fault, else None."""
    try:
        root = ET.fromstring(content)
    except ET.ParseError:
        return None
    body = child(root, "Body")
    fault = child(body, "Fault")
    if fault is None:
        return None
    code = text(fault, "faultcode")
    message = text(fault, "faultstring")
    if message is None:  # SOAP 1.2
        code = text(child(fault, "Code"), "Value")
        message = text(child(fault, "Reason"), "Text")
    detail = child(fault, "detail")
    if detail is None:
        detail = child(fault, "Detail")
    detail_text = ""
    if detail is not None:
        detail_text = " ".join(t.strip() for t in detail.itertext() if t.strip())
    return code, message or "SOAP fault without a message", detail_text


def payload_of(content: bytes) -> ET.Element:
    """The answer element inside the SOAP Body (a fault raises SoapFaultError)."""
    root = _parse(content)
    body = child(root, "Body")
    if body is None or len(body) == 0:
        raise ValueError("the SOAP answer has no Body content")
    first = body[0]
    if local(first.tag) == "Fault":
        fault = read_fault(content)
        code, message, detail = fault if fault else (None, "SOAP fault", "")
        raise SoapFaultError(_fault_text(code, message, detail), status=200, fault_code=code)
    return first


def _fault_text(code: str | None, message: str, detail: str) -> str:
    head = f"SOAP fault {code}" if code else "SOAP fault"
    return f"{head}: {message}" + (f" ({detail})" if detail else "")


def soap_error(response: httpx2.Response, *, service: str, operation: str = "") -> ApiError:
    """The error a non-success SOAP answer stands for: the fault if readable, else the text."""
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    fault = read_fault(response.content or b"")
    if fault is None:
        snippet = response.text.strip()[:300] if response.content else response.reason_phrase
        return ApiError(
            snippet or "no answer body",
            status=response.status_code,
            service=service,
            operation=operation,
            retry_after=retry_after,
        )
    code, message, detail = fault
    return SoapFaultError(
        _fault_text(code, message, detail),
        status=response.status_code,
        fault_code=code,
        service=service,
        operation=operation,
        retry_after=retry_after,
    )


def soap_call(
    path: str,
    action: str,
    payload: ET.Element,
    parse: Callable[[httpx2.Response], T],
    *,
    idempotent: bool | None = None,
    limit_key: str = "",
    ok_statuses: frozenset[int] | None = None,
) -> Call[T]:
    """A SOAP 1.1 POST of ``payload`` to ``path`` with the ``SOAPAction`` header."""
    return Call(
        "POST",
        path,
        parse=parse,
        content=envelope(payload),
        headers={
            "Content-Type": "text/xml; charset=utf-8",
            "SOAPAction": f'"{action}"',
            "Accept": "text/xml",
        },
        idempotent=idempotent,
        limit_key=limit_key,
        ok_statuses=ok_statuses,
    )
