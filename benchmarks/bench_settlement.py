"""Settlement parsing at scale: our streaming parser against pandas on the same file.

Generates a settlement report V2 flat file with a million amount rows, then measures, each in
its own fresh interpreter (so peak memory is the work's own, read from ``ru_maxrss``):

* ``stream-totals``: ``summarize_settlement_report`` totals by (transaction-type, amount-type,
  amount-description), exact Decimals, with the integrity check;
* ``stream-lines``: iterating every ``SettlementLine`` object one at a time (no aggregation);
* ``stream-journal``: the GL journal built while streaming (``settlement_journal_from_lines``,
  what the ``settlement`` CLI command and ``preview_settlement`` do);
* ``pandas``: ``read_csv`` + ``groupby().sum()`` on the same file (float amounts), if pandas
  is installed;
* ``polars``: ``scan_csv`` + ``group_by().sum()`` with the amounts read as exact decimals
  (``pl.Decimal``), if polars is installed (the ``bench`` extra).

Aims (issue 18): typed line iteration at most 1.0x pandas time; totals at most 1.5x polars
time at most 0.2x its peak memory.

Prints figures; asserts nothing about time. ``--lines N`` changes the size.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

KEY = ["transaction-type", "amount-type", "amount-description"]


def _rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux (bytes on macOS).
    scale = 1 / 1024 if sys.platform != "darwin" else 1 / (1024 * 1024)
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def child(kind: str, path: str) -> dict[str, Any]:
    """Run one measurement in this (fresh) process and return its figures."""
    if kind == "pandas":
        import pandas as pd

        baseline = _rss_mb()
        start = time.perf_counter()
        frame = pd.read_csv(path, sep="\t", skiprows=[1])
        sums = frame.groupby(KEY)["amount"].sum()
        seconds = time.perf_counter() - start
        total = repr(float(sums.sum()))
        groups = len(sums)
    elif kind == "polars":
        import polars as pl

        baseline = _rss_mb()
        start = time.perf_counter()
        sums = (
            pl.scan_csv(
                path,
                separator="\t",
                skip_rows_after_header=1,
                schema_overrides={"amount": pl.Decimal(38, 2)},
                infer_schema=False,
            )
            .filter(pl.col("amount").is_not_null())
            .group_by(KEY)
            .agg(pl.col("amount").sum())
            .collect()
        )
        seconds = time.perf_counter() - start
        total = str(sums["amount"].sum())
        groups = len(sums)
    elif kind == "stream-journal":
        from amazon_erp_bridge.amazon.settlement import open_settlement_report
        from amazon_erp_bridge.mapping import AMAZON_DEFAULT_ACCOUNTS, settlement_journal_from_lines
        from amazon_erp_bridge.model import Settlement

        baseline = _rss_mb()
        start = time.perf_counter()
        with open_settlement_report(path) as reader:
            s = reader.summary
            header = Settlement(
                settlement_id=s.settlement_id,
                start=s.start,
                end=s.end,
                total=s.total,
                deposit_date=s.deposit_date,
            )
            entry = settlement_journal_from_lines(header, reader, AMAZON_DEFAULT_ACCOUNTS)
        seconds = time.perf_counter() - start
        total, groups = str(entry.lines[0].amount), len(entry.lines)
    else:
        from amazon_erp_bridge.amazon.settlement import (
            iter_settlement_lines,
            summarize_settlement_report,
        )

        baseline = _rss_mb()
        start = time.perf_counter()
        if kind == "stream-totals":
            totals = summarize_settlement_report(path)
            total, groups = str(totals.lines_total()), len(totals.amounts)
        else:
            running, keys = Decimal(0), set()
            for line in iter_settlement_lines(path):
                running += line.amount.amount
                keys.add(line.key)
            total, groups = str(running), len(keys)
        seconds = time.perf_counter() - start
    return {
        "kind": kind,
        "seconds": seconds,
        "peak_mb": _rss_mb(),
        "baseline_mb": baseline,
        "total": total,
        "groups": groups,
    }


def measure(kind: str, path: Path) -> dict[str, Any] | None:
    """Run :func:`child` in a new interpreter; None if it could not run (e.g. no pandas)."""
    result = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or ["failed"])[-1]
        print(f"  {kind:14s} skipped: {reason}")
        return None
    figures: dict[str, Any] = json.loads(result.stdout)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--skip-lines-objects", action="store_true")
    args, _ = parser.parse_known_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return

    from amazon_erp_bridge.sandbox.amazon.settlement_files import write_large_settlement

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "settlement.txt"
        start = time.perf_counter()
        with path.open("w", encoding="utf-8") as out:
            total = write_large_settlement(out, args.lines)
        size = os.path.getsize(path) / 1e6
        print(
            f"settlement report: {args.lines:,} amount rows, {size:.0f} MB, total {total} USD "
            f"(generated in {time.perf_counter() - start:.1f}s)"
        )
        kinds = ["stream-totals", "stream-journal", "pandas", "polars"]
        if not args.skip_lines_objects:
            kinds.insert(1, "stream-lines")
        rows = [r for r in (measure(k, path) for k in kinds) if r]
    print(
        f"\n{'method':16s}{'seconds':>9s}{'rows/s':>12s}{'peak RSS':>11s}{'above base':>12s}  total"
    )
    for r in rows:
        rate = args.lines / r["seconds"]
        print(
            f"{r['kind']:16s}{r['seconds']:9.2f}{rate:12,.0f}{r['peak_mb']:9.0f}MB"
            f"{r['peak_mb'] - r['baseline_mb']:10.0f}MB  {r['total']} ({r['groups']} keys)"
        )
    ours = next((r for r in rows if r["kind"] == "stream-totals"), None)
    pandas = next((r for r in rows if r["kind"] == "pandas"), None)
    if ours and pandas:
        print(
            f"\nstreaming totals vs pandas: {pandas['seconds'] / ours['seconds']:.2f}x the speed; "
            f"peak RSS {ours['peak_mb']:.0f} MB vs {pandas['peak_mb']:.0f} MB "
            f"(1/{pandas['peak_mb'] / ours['peak_mb']:.0f}); pandas sums floats, ours are exact"
        )
    lines = next((r for r in rows if r["kind"] == "stream-lines"), None)
    polars = next((r for r in rows if r["kind"] == "polars"), None)
    if lines and pandas:
        print(
            f"typed line iteration / pandas time:  {lines['seconds'] / pandas['seconds']:.2f}x "
            "(aim <= 1.0x)"
        )
    if ours and polars:
        print(
            f"streaming totals / polars time:      {ours['seconds'] / polars['seconds']:.2f}x "
            f"(aim <= 1.5x); peak memory {ours['peak_mb'] / polars['peak_mb']:.2f}x (aim <= 0.2x)"
        )


if __name__ == "__main__":
    main()
