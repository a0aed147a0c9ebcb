"""Page tokens for the fake SP-API: opaque, tied to the query they continue."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import TypeVar

from amazon_erp_bridge.sandbox.server import SandboxRequest

T = TypeVar("T")


class BadToken(Exception):
    """A page token that this fake did not issue for this query."""


def _query_key(req: SandboxRequest, token_param: str, ignore: Iterable[str]) -> str:
    skip = {token_param, *ignore}
    items = sorted((k, v) for k, vs in req.query.items() if k not in skip for v in vs)
    return hashlib.sha1(f"{req.path}?{items}".encode()).hexdigest()[:12]


def encode(offset: int, key: str) -> str:
    raw = json.dumps([offset, key]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(token: str) -> tuple[int, str]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        offset, key = json.loads(raw)
        return int(offset), str(key)
    except (ValueError, TypeError) as exc:
        raise BadToken(token) from exc


def page(
    req: SandboxRequest,
    items: Sequence[T],
    *,
    token_param: str,
    size: int,
    ignore: Iterable[str] = (),
) -> tuple[Sequence[T], str | None, int]:
    """The page of ``items`` the request asks for, the next token (None at the end), and the
    page's starting offset. Raises BadToken for a token issued for another query."""
    key = _query_key(req, token_param, ignore)
    offset = 0
    token = req.arg(token_param)
    if token:
        offset, token_key = decode(token)
        if token_key != key or offset < 0 or offset > len(items):
            raise BadToken(token)
    chunk = items[offset : offset + size]
    end = offset + len(chunk)
    return chunk, (encode(end, key) if end < len(items) else None), offset
