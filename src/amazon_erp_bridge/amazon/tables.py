"""Report and feed lists as tables: ``ReportList(client.reports.get_reports(...))`` shows as an
HTML table in a notebook and converts to a pandas DataFrame with UTC datetime columns.

``get_reports`` and ``get_feeds`` page lazily; these lists read every page once and keep the
results, so a notebook cell can show them and a later cell filter them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from amazon_erp_bridge.amazon.feeds import Feed
from amazon_erp_bridge.amazon.reports import Report
from amazon_erp_bridge.model.display import dataframe, html_table

T = TypeVar("T", Report, Feed)


class _Table(Generic[T]):
    """A read list of Amazon jobs with a notebook table and a DataFrame."""

    TITLE: ClassVar[str] = ""
    COLUMNS: ClassVar[tuple[str, ...]] = ()
    DATES: ClassVar[tuple[str, ...]] = ()

    def __init__(self, items: Iterable[T]) -> None:
        self.items: tuple[T, ...] = tuple(items)

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> T:
        return self.items[index]

    def _row(self, item: T) -> Sequence[object]:
        raise NotImplementedError

    def _repr_html_(self) -> str:
        return html_table(
            f"{self.TITLE} ({len(self.items)})",
            self.COLUMNS,
            (self._row(i) for i in self.items),
            total=len(self.items),
        )

    def to_dataframe(self) -> Any:
        """One row per item, dates as UTC ``datetime64`` columns; needs the pandas extra."""
        return dataframe(
            self.COLUMNS,
            (self._row(i) for i in self.items),
            dates=self.DATES,
            categories=("processing_status",),
        )


class ReportList(_Table[Report]):
    """Reports read from ``get_reports``: iterate, index, show as a table, or frame them."""

    TITLE = "Reports"
    COLUMNS = (
        "report_id",
        "report_type",
        "processing_status",
        "created_time",
        "data_start_time",
        "data_end_time",
        "marketplace_ids",
        "report_document_id",
    )
    DATES = ("created_time", "data_start_time", "data_end_time")

    def _row(self, item: Report) -> Sequence[object]:
        return (
            item.report_id,
            item.report_type,
            item.processing_status.value,
            item.created_time,
            item.data_start_time,
            item.data_end_time,
            ",".join(item.marketplace_ids),
            item.report_document_id,
        )


class FeedList(_Table[Feed]):
    """Feeds read from ``get_feeds``: iterate, index, show as a table, or frame them."""

    TITLE = "Feeds"
    COLUMNS = (
        "feed_id",
        "feed_type",
        "processing_status",
        "created_time",
        "processing_end_time",
        "marketplace_ids",
        "result_feed_document_id",
    )
    DATES = ("created_time", "processing_end_time")

    def _row(self, item: Feed) -> Sequence[object]:
        return (
            item.feed_id,
            item.feed_type,
            item.processing_status.value,
            item.created_time,
            item.processing_end_time,
            ",".join(item.marketplace_ids),
            item.result_feed_document_id,
        )


__all__ = ["FeedList", "ReportList"]
