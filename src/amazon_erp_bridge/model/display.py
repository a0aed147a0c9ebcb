"""How model objects look in a notebook: small HTML tables, and pandas frames when installed."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any

from amazon_erp_bridge.errors import ConfigurationError

_MAX_ROWS = 50


def html_table(
    title: str, headers: Sequence[str], rows: Iterable[Sequence[object]], total: int | None = None
) -> str:
    """An HTML table of at most 50 rows, with a caption saying how many rows there are in all."""
    body: list[str] = []
    shown = 0
    for row in rows:
        if shown == _MAX_ROWS:
            break
        cells = "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in row)
        body.append(f"<tr>{cells}</tr>")
        shown += 1
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    more = ""
    if total is not None and total > shown:
        more = f" (first {shown} of {total} rows)"
    return (
        f"<table><caption>{html.escape(title)}{more}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def dataframe(
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    dates: Sequence[str] = (),
    categories: Sequence[str] = (),
) -> Any:
    """A pandas DataFrame of ``rows``; needs the optional ``pandas`` extra.

    ``dates`` name columns converted to timezone-aware ``datetime64`` (UTC) so they sort,
    filter and resample as dates; ``categories`` (e.g. ``currency``) become categoricals.
    Amounts stay ``Decimal`` (exact), in object columns.
    """
    try:
        import pandas as pd
    except ImportError:
        raise ConfigurationError(
            "to_dataframe() needs pandas: pip install 'amazon-erp-bridge[pandas]'"
        ) from None
    frame = pd.DataFrame(list(rows), columns=list(columns))
    for name in dates:
        frame[name] = pd.to_datetime(frame[name], utc=True)
    for name in categories:
        frame[name] = frame[name].astype("category")
    return frame
