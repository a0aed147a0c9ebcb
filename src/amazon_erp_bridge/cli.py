"""The ``amazon-erp-bridge`` command: the demo, settlement previews, .ionapi checks, the ledger,
backfill plans.

Every command prints for people by default and JSON with ``--json``; progress goes to stderr
only when stderr is a terminal. Errors the library raises become one line on stderr and exit
status 1; bad usage exits 2.
"""

from __future__ import annotations

import argparse
import importlib
import io
import json
import logging
import shutil
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from amazon_erp_bridge import __version__
from amazon_erp_bridge.errors import BridgeError, ConfigurationError
from amazon_erp_bridge.model import to_dict

DEFAULT_DEMO_LEDGER = "amazon-erp-bridge-demo.sqlite"


#: Loggers whose events show beside the progress bar: polling, downloads, each posting.
_PROGRESS_LOGGERS = (
    "amazon_erp_bridge.amazon.reports",
    "amazon_erp_bridge.amazon.feeds",
    "amazon_erp_bridge.amazon.documents",
    "amazon_erp_bridge.posting",
)


class _LatestEvent(logging.Handler):
    """Hands the progress bar the latest polling, download or posting event, as it happens."""

    def __init__(self, progress: Progress) -> None:
        super().__init__(logging.DEBUG)
        self.progress = progress

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(_PROGRESS_LOGGERS):
            self.progress.event(record.getMessage())


class Progress:
    """A progress bar on a terminal, with the latest event of the step; periodic lines otherwise.

    ``[#####...] 3/16 run 1: settlement-to-GL (M3) | report 51 is IN_PROGRESS; polling again``

    When the stream is not a terminal (a CI log, ``2> file``), the bar degrades to plain lines
    (``progress: 3/16 run 1: settlement-to-GL (M3)``): the first step, then at most one line
    every ``interval`` seconds, and the last step, so a log shows the run is alive without
    carriage returns or a line per event.
    """

    def __init__(
        self,
        total: int,
        stream: TextIO | None = None,
        *,
        interval: float = 5.0,
        clock: Callable[[], float] | None = None,
    ) -> None:
        import time

        self.total = total
        self.done = 0
        self.label = ""
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty()
        self.interval = interval
        self._clock = clock or time.monotonic
        self._last_line: float | None = None
        self._handler: _LatestEvent | None = None
        self._level = logging.NOTSET
        if self.enabled:
            logger = logging.getLogger("amazon_erp_bridge")
            self._handler, self._level = _LatestEvent(self), logger.level
            logger.addHandler(self._handler)
            if logger.getEffectiveLevel() > logging.DEBUG:
                logger.setLevel(logging.DEBUG)

    def _draw(self, detail: str = "") -> None:
        width = 24
        filled = width * self.done // max(self.total, 1)
        bar = "#" * filled + "." * (width - filled)
        line = f"[{bar}] {self.done}/{self.total} {self.label}"
        if detail:
            line += f" | {detail}"
        columns = shutil.get_terminal_size((100, 20)).columns
        self.stream.write("\r" + line[: columns - 1].ljust(columns - 1))
        self.stream.flush()

    def _line(self) -> None:
        """A plain progress line for a stream that is not a terminal (never fails the run)."""
        now = self._clock()
        last = self.done >= self.total
        if self._last_line is not None and now - self._last_line < self.interval and not last:
            return
        self._last_line = now
        try:
            self.stream.write(f"progress: {self.done}/{self.total} {self.label}\n")
            self.stream.flush()
        except (BrokenPipeError, ValueError):  # a closed stderr must not stop the work
            pass

    def step(self, label: str) -> None:
        """Count one more step and show it (a bar on a terminal, else a periodic line)."""
        self.done += 1
        self.label = label
        if self.enabled:
            self._draw()
        else:
            self._line()

    def show(self, done: int, label: str) -> None:
        """Set how far the work is (e.g. bytes read of ``total``) and show it like :meth:`step`."""
        self.done = min(done, self.total)
        self.label = label
        if self.enabled:
            self._draw()
        else:
            self._line()

    def event(self, message: str) -> None:
        """Show what the current step is doing (a poll, a download, a posting)."""
        if self.enabled:
            self._draw(message)

    def finish(self) -> None:
        """Stop listening for events and clear the bar."""
        if self._handler is not None:
            logger = logging.getLogger("amazon_erp_bridge")
            logger.removeHandler(self._handler)
            logger.setLevel(self._level)
            self._handler = None
        if self.enabled:
            columns = shutil.get_terminal_size((100, 20)).columns
            self.stream.write("\r" + " " * (columns - 1) + "\r")
            self.stream.flush()


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))


# -- settlement ---------------------------------------------------------------------------


class _CountingFile(io.RawIOBase):
    """A binary file that reports how many bytes were read, for a progress display."""

    def __init__(self, raw: BinaryIO, report: Callable[[int], None]) -> None:
        self._raw = raw
        self._report = report
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self._raw.readinto(buffer)  # type: ignore[attr-defined]
        if n:
            self.read_bytes += n
            self._report(self.read_bytes)
        return int(n or 0)


def cmd_settlement(args: argparse.Namespace) -> int:
    """Preview the journal a downloaded settlement report would post.

    The report is streamed (memory flat whatever its size), with the bytes read shown on
    stderr: a bar on a terminal, a line every few seconds otherwise.
    """
    from amazon_erp_bridge.amazon.settlement import open_settlement_report
    from amazon_erp_bridge.mapping import AMAZON_DEFAULT_ACCOUNTS, settlement_journal_from_lines
    from amazon_erp_bridge.model import Settlement
    from amazon_erp_bridge.workflows.settlement_to_gl import load_account_map

    path = Path(args.file)
    if not path.is_file():
        raise ConfigurationError(f"settlement report {path}: no such file")
    # A bad map fails before a long parse.
    accounts = load_account_map(args.accounts) if args.accounts else AMAZON_DEFAULT_ACCOUNTS
    size = path.stat().st_size
    progress = Progress(size)
    mb = size / 1e6

    def report(done: int) -> None:
        progress.show(done, f"bytes of {path.name} read ({done / 1e6:.1f} of {mb:.1f} MB)")

    try:
        with path.open("rb") as raw:
            counted = io.BufferedReader(_CountingFile(raw, report), 1 << 20)
            with open_settlement_report(counted) as reader:
                summary = reader.summary
                header = Settlement(
                    settlement_id=summary.settlement_id,
                    start=summary.start,
                    end=summary.end,
                    total=summary.total,
                    deposit_date=summary.deposit_date,
                )
                entry = settlement_journal_from_lines(header, reader, accounts, detail=args.detail)
                count = reader.lines_read
    finally:
        progress.finish()
    if args.json:
        _print_json({"settlement": header.settlement_id, "journal": to_dict(entry)})
        return 0
    print(
        f"Settlement {header.settlement_id} ({header.start:%Y-%m-%d} to "
        f"{header.end:%Y-%m-%d}): {count} lines, total {header.total}"
    )
    print(f"Journal {entry.reference}, posting date {entry.posting_date.isoformat()}:")
    width = max(len(line.account) for line in entry.lines)
    for line in entry.lines:
        side = "Dr" if line.amount.amount >= 0 else "Cr"
        dims = " ".join(f"{k}={v}" for k, v in sorted(line.dimensions.items()))
        amount = abs(line.amount).rounded()
        print(f"  {line.account:<{width}}  {side} {amount!s:>16}  {line.text} {dims}".rstrip())
    for currency in entry.currencies:
        print(
            f"Balanced in {currency}: debits {entry.debit_total(currency)} = "
            f"credits {entry.credit_total(currency)}"
        )
    return 0


# -- ionapi -------------------------------------------------------------------------------


def cmd_ionapi_check(args: argparse.Namespace) -> int:
    """Say in plain words what is wrong with a .ionapi file (exit 1 if anything is)."""
    from amazon_erp_bridge.infor import check_ionapi

    result = check_ionapi(args.file)
    if args.json:
        _print_json({"file": str(args.file), "ok": result.ok, "problems": list(result.problems)})
    else:
        print(result.describe())
    return 0 if result.ok else 1


# -- ledger -------------------------------------------------------------------------------


def _open_ledger(path: str, *, must_exist: bool = True) -> Any:
    from amazon_erp_bridge.posting import SqliteLedger

    if must_exist and not Path(path).is_file():
        raise ConfigurationError(
            f"ledger {path}: no such file (run `amazon-erp-bridge demo` to make one, or "
            "pass --ledger)"
        )
    return SqliteLedger(path)


def cmd_ledger_status(args: argparse.Namespace) -> int:
    """Record counts per kind and state."""
    ledger = _open_ledger(args.ledger)
    try:
        kinds = sorted({r.kind for r in ledger.records(kind=args.kind)})
        table = {kind: {s.value: n for s, n in ledger.counts(kind).items() if n} for kind in kinds}
    finally:
        ledger.close()
    if args.json:
        _print_json(table)
        return 0
    if not table:
        print(f"ledger {args.ledger}: no records")
    for kind, counts in table.items():
        shown = ", ".join(f"{n} {state.replace('_', ' ')}" for state, n in counts.items())
        print(f"{kind:<18} {shown}")
    return 0


def cmd_ledger_dlq(args: argparse.Namespace) -> int:
    """Dead-lettered records with the reason each was parked."""
    ledger = _open_ledger(args.ledger)
    try:
        records = ledger.dead_letters(args.kind)
    finally:
        ledger.close()
    if args.json:
        _print_json(
            [
                {
                    "kind": r.kind,
                    "source_id": r.source_id,
                    "attempts": r.attempts,
                    "updated_at": r.updated_at.isoformat(),
                    "reason": r.reason,
                }
                for r in records
            ]
        )
        return 0
    if not records:
        print("no dead-lettered records")
    for r in records:
        print(f"{r.kind} {r.source_id} (attempts {r.attempts}, {r.updated_at:%Y-%m-%d %H:%M}):")
        for line in (r.reason or "no reason recorded").splitlines():
            print(f"    {line}")
    return 0


PosterFactory = Callable[[Any], Mapping[str, Any]]


def _load_factory(spec: str) -> PosterFactory:
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise ConfigurationError(
            f"--app {spec!r}: expected MODULE:FUNCTION, e.g. mybridge.replay:posters"
        )
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigurationError(f"--app {spec!r}: cannot import {module_name} ({exc})") from None
    factory = getattr(module, attribute, None)
    if not callable(factory):
        raise ConfigurationError(f"--app {spec!r}: {module_name} has no function {attribute}")
    return factory  # type: ignore[no-any-return]


def cmd_ledger_replay(args: argparse.Namespace) -> int:
    """Post dead-lettered records again, with the posters (targets + rebuild) of your app.

    The ledger keeps no payloads (they carry buyer PII), so replay needs your application's
    ``--app MODULE:FUNCTION``: a function taking the ledger and returning ``{kind: Poster}``,
    each Poster built with its ERP target and ``rebuild=`` (re-fetch and re-map by id).
    """
    ledger = _open_ledger(args.ledger)
    try:
        posters = _load_factory(args.app)(ledger)
        kinds = [args.kind] if args.kind else sorted({r.kind for r in ledger.dead_letters()})
        report: dict[str, Any] = {}
        for kind in kinds:
            poster = posters.get(kind)
            if poster is None:
                raise ConfigurationError(
                    f"--app {args.app}: no poster for kind {kind!r} (it returned "
                    f"{', '.join(sorted(posters)) or 'none'})"
                )
            report[kind] = poster.replay(kind, args.id or None)
    finally:
        ledger.close()
    if args.json:
        _print_json(
            {
                kind: [
                    {"source_id": r.source_id, "status": r.status.value, "reason": r.reason}
                    for r in summary.results
                ]
                for kind, summary in report.items()
            }
        )
        return 0
    if not report:
        print("no dead-lettered records to replay")
    for kind, summary in report.items():
        print(f"{kind}: {summary}")
    ok = all(summary.ok for summary in report.values())
    return 0 if ok else 1


# -- sandbox and demo ---------------------------------------------------------------------


def cmd_sandbox(args: argparse.Namespace) -> int:
    """Serve the three fakes on 127.0.0.1 until interrupted, and say how to reach them."""
    import time

    from amazon_erp_bridge.sandbox import Sandbox

    sandbox = Sandbox(seed=args.seed).start()
    try:
        ionapi = Path(args.ionapi)
        ionapi.write_text(json.dumps(sandbox.ionapi(), indent=2), encoding="utf-8")
        info = sandbox_connection(sandbox, ionapi)
        if args.json:
            _print_json(info)
        else:
            print(_describe_sandbox(info))
        sys.stdout.flush()
        print("Press Ctrl-C to stop.", file=sys.stderr, flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    finally:
        sandbox.stop()


def sandbox_connection(sandbox: Any, ionapi: Path) -> dict[str, Any]:
    """URLs and credentials of a serving sandbox, as ``sandbox`` prints them.

    These are the fakes' own, published test credentials (they open nothing real), printed so
    that another process, a notebook or a shell with the ``environment`` block exported can
    reach the fakes over HTTP.
    """
    amazon = sandbox.amazon
    spapi_url = sandbox.url("amazon")
    lwa_url = f"{spapi_url}/auth/o2/token"
    sap_url = sandbox.url("sap")
    from amazon_erp_bridge.sandbox.sap.fake import PASSWORD, USER

    sap_client = str(sandbox.sap.sap_client)
    return {
        "amazon": {
            "endpoint": spapi_url,
            "lwa_endpoint": lwa_url,
            "client_id": amazon.CLIENT_ID,
            "client_secret": amazon.CLIENT_SECRET,
            "refresh_token": amazon.REFRESH_TOKEN,
        },
        "ion": {"url": sandbox.url("ion"), "ionapi_file": str(ionapi), "ionapi": sandbox.ionapi()},
        "sap": {"url": sap_url, "user": USER, "password": PASSWORD, "sap_client": sap_client},
        "environment": {
            "SP_API_ENDPOINT": spapi_url,
            "SP_API_LWA_ENDPOINT": lwa_url,
            "LWA_APP_ID": amazon.CLIENT_ID,
            "LWA_CLIENT_SECRET": amazon.CLIENT_SECRET,
            "SP_API_REFRESH_TOKEN": amazon.REFRESH_TOKEN,
            "ION_API_FILE": str(ionapi),
            "SAP_BASE_URL": sap_url,
            "SAP_USER": USER,
            "SAP_PASSWORD": PASSWORD,
            "SAP_CLIENT": sap_client,
        },
    }


def _describe_sandbox(info: Mapping[str, Any]) -> str:
    amazon, ion, sap = info["amazon"], info["ion"], info["sap"]
    lines = [
        f"SP-API:        {amazon['endpoint']}",
        f"LWA token:     {amazon['lwa_endpoint']}",
        f"  client id      {amazon['client_id']}",
        f"  client secret  {amazon['client_secret']}",
        f"  refresh token  {amazon['refresh_token']}",
        f"ION API / M3:  {ion['url']}  (.ionapi written to {ion['ionapi_file']})",
        f"SAP S/4HANA:   {sap['url']}",
        f"  user {sap['user']}  password {sap['password']}  sap-client {sap['sap_client']}",
        "",
        "For from_env() (sandbox test credentials, not secrets):",
    ]
    lines += [f"  export {name}='{value}'" for name, value in info["environment"].items()]
    return "\n".join(lines)


def cmd_demo(args: argparse.Namespace) -> int:
    """Run every workflow end to end against the sandbox, with a SQLite ledger."""
    from amazon_erp_bridge.demo import run_demo

    if args.fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(args.ledger + suffix).unlink(missing_ok=True)
    runs = run_demo(args.ledger, runs=args.runs, progress=Progress)
    if args.json:
        _print_json(
            [
                {"run": run.number, "title": run.title, **report.to_dict()}
                for run in runs
                for report in run.reports
            ]
        )
        return 0
    for run in runs:
        print(f"\n=== {run.title} ===")
        for report in run.reports:
            print(report)
    print(
        f"\nLedger: {args.ledger}  (try: amazon-erp-bridge ledger status --ledger {args.ledger};"
        f" amazon-erp-bridge ledger dlq --ledger {args.ledger})"
    )
    return 0


def _date(text: str) -> Any:
    """A command-line date (``2025-01-01``) or aware date-time; a bare date is UTC midnight."""
    from datetime import UTC, datetime

    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date such as 2025-01-31") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def cmd_backfill(args: argparse.Namespace) -> int:
    """Print the plan of a backfill: report and API windows, estimates, the switch point."""
    from amazon_erp_bridge.amazon.backfill import PlannerSettings, plan_backfill

    if not args.plan:
        print(
            "error: only --plan runs from the command line; run a backfill from Python with "
            "workflows.backfill.backfill_m3 / backfill_sap (see docs/guides/backfill.md)",
            file=sys.stderr,
        )
        return 2
    settings = PlannerSettings(
        report_seconds=args.report_seconds,
        call_seconds=args.call_seconds,
        orders_api=args.orders_api,
    )
    plan = plan_backfill(
        [w for w in args.wants.split(",") if w.strip()],
        args.start,
        args.end,
        args.marketplace or ["ATVPDKIKX0DER"],
        orders_per_day=args.orders_per_day,
        settings=settings,
    )
    if args.json:
        print(json.dumps(plan.to_json(), indent=2))
    else:
        print(plan)
    return 0


# -- events -------------------------------------------------------------------------------

DEFAULT_EVENTS_LEDGER = "amazon-erp-bridge-events.sqlite"


def cmd_events(args: argparse.Namespace) -> int:
    """Run the event router over a message directory until Ctrl-C (or, with --once, until it
    is drained): each file one SP-API notification, ION BOD or SAP event; handled files move
    to done/, unreadable or unknown ones to failed/ with a .reason.txt beside them.

    Without ``--app`` the work goes to the embedded sandbox's ERPs (``--publish N`` first
    writes N ORDER_CHANGE notifications of its orders into the directory, 30% duplicates);
    with ``--app MODULE:FUNCTION`` your function takes the ledger and returns an
    ``EventRunner`` wired to your clients and configs.
    """
    import time

    from amazon_erp_bridge.events import DirectorySource, EventRunner, EventTally
    from amazon_erp_bridge.posting import SqliteLedger

    directory = Path(args.dir)
    if args.publish and not directory.exists():
        directory.mkdir(parents=True)
    source = DirectorySource(directory)
    ledger = SqliteLedger(args.ledger)
    closers: list[Any] = [ledger]
    bar = Progress(0)
    try:
        if args.app:
            made: Any = _load_factory(args.app)(ledger)
            if not isinstance(made, EventRunner):
                raise ConfigurationError(f"--app {args.app}: must return an EventRunner")
            runner = made
            erp = "app"
        else:
            from amazon_erp_bridge.sandbox import Sandbox
            from amazon_erp_bridge.sandbox.rules.events import order_burst, sandbox_runner

            sandbox = Sandbox(seed=args.seed)
            amazon, m3, sap = sandbox.spapi_client(), sandbox.m3_client(), sandbox.sap_client()
            closers += [amazon, m3, sap]
            runner = sandbox_runner(sandbox, amazon, m3, sap, ledger, batch_size=args.batch)
            erp = "m3+sap"
            for message in order_burst(sandbox, args.publish) if args.publish else []:
                (directory / message.message_id).write_bytes(message.body)

        def progress(tally: EventTally) -> None:
            bar.total = bar.done + 1
            bar.step(f"{tally.received} messages, {tally.handled} handled")

        def idle() -> bool:
            try:
                time.sleep(args.poll)
            except KeyboardInterrupt:
                return False
            return True

        try:
            tally = runner.run(source, once=args.once, idle=idle, on_batch=progress)
        except KeyboardInterrupt:
            tally = runner.tally
    finally:
        bar.finish()
        for closer in closers:
            closer.close()
    report = tally.report(erp)
    if args.json:
        _print_json(report.to_dict())
    else:
        print(report)
    return 0 if report.ok else 1


# -- wiring -------------------------------------------------------------------------------


_VERBOSE_HELP = "log to stderr: -v progress and warnings, -vv every HTTP call (secrets redacted)"
_JSON_HELP = "print JSON for scripts instead of text for people"


def _global_flags() -> argparse.ArgumentParser:
    """The flags every sub-command accepts after its name too (``demo -v --json``).

    Their defaults are SUPPRESS so that a sub-command that was not given them does not
    overwrite what came before the sub-command (``-v demo``); the counts add up in ``main``.
    """
    flags = argparse.ArgumentParser(add_help=False)
    flags.add_argument(
        "-v",
        "--verbose",
        dest="sub_verbose",
        action="count",
        default=argparse.SUPPRESS,
        help=_VERBOSE_HELP,
    )
    flags.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help=_JSON_HELP)
    return flags


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command; global flags go before or after a sub-command."""
    parser = argparse.ArgumentParser(
        prog="amazon-erp-bridge",
        description="Amazon Selling Partner API <-> Infor M3 / SAP S/4HANA bridge.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help=_VERBOSE_HELP)
    parser.add_argument("--json", action="store_true", default=False, help=_JSON_HELP)
    flags = _global_flags()
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, func: Callable[[argparse.Namespace], int], help: str) -> Any:
        sub = commands.add_parser(name, help=help, description=help, parents=[flags])
        sub.set_defaults(func=func)
        return sub

    demo = command("demo", cmd_demo, "run all four workflows against the embedded sandbox")
    demo.add_argument(
        "--ledger", default=DEFAULT_DEMO_LEDGER, help="SQLite ledger file (default: %(default)s)"
    )
    demo.add_argument(
        "--runs", type=int, default=2, choices=(1, 2, 3), help="how many passes (default: 2)"
    )
    demo.add_argument(
        "--keep", dest="fresh", action="store_false", help="keep the ledger of an earlier demo"
    )

    settlement = command(
        "settlement", cmd_settlement, "preview the GL journal of a settlement report file"
    )
    settlement.add_argument("file", help="a V2 flat-file settlement report")
    settlement.add_argument(
        "--accounts", help="GL account map (.json or .csv); default: the built-in Amazon map"
    )
    settlement.add_argument("--detail", action="store_true", help="one line per order")

    ionapi = commands.add_parser("ionapi", help=".ionapi credential files", parents=[flags])
    ionapi_commands = ionapi.add_subparsers(dest="ionapi_command", required=True)
    check = ionapi_commands.add_parser(
        "check", help="say what is wrong with a .ionapi file", parents=[flags]
    )
    check.add_argument("file", help="the .ionapi file downloaded from ION API Gateway")
    check.set_defaults(func=cmd_ionapi_check)

    ledger = commands.add_parser("ledger", help="inspect the posting ledger", parents=[flags])
    ledger_commands = ledger.add_subparsers(dest="ledger_command", required=True)
    for name, func, text in (
        ("status", cmd_ledger_status, "record counts per kind and state"),
        ("dlq", cmd_ledger_dlq, "dead-lettered records and why"),
        ("replay", cmd_ledger_replay, "post dead-lettered records again"),
    ):
        sub = ledger_commands.add_parser(name, help=text, description=text, parents=[flags])
        sub.add_argument(
            "--ledger",
            default=DEFAULT_DEMO_LEDGER,
            help="SQLite ledger file (default: %(default)s)",
        )
        sub.add_argument("--kind", help="only this kind, e.g. order.m3")
        sub.set_defaults(func=func)
        if name == "replay":
            sub.add_argument(
                "--app",
                required=True,
                help="MODULE:FUNCTION returning {kind: Poster} for a ledger (your targets)",
            )
            sub.add_argument("--id", action="append", help="only this source id (repeatable)")

    backfill = command(
        "backfill", cmd_backfill, "plan a backfill of a seller's history: reports vs the API"
    )
    backfill.add_argument("--plan", action="store_true", help="print the plan (required)")
    backfill.add_argument(
        "--from",
        dest="start",
        type=_date,
        required=True,
        metavar="DATE",
        help="first day of the history (2025-01-01; a bare date is UTC midnight)",
    )
    backfill.add_argument(
        "--to", dest="end", type=_date, required=True, metavar="DATE", help="end (exclusive)"
    )
    backfill.add_argument(
        "--wants", default="orders", help="orders,shipments,returns,finances (default: orders)"
    )
    backfill.add_argument(
        "--orders-per-day",
        type=float,
        default=100.0,
        metavar="N",
        help="the seller's average order volume, for the estimates (default: 100)",
    )
    backfill.add_argument(
        "--marketplace", action="append", help="marketplace id (repeatable; default: US)"
    )
    backfill.add_argument(
        "--report-seconds", type=float, default=600.0, help="Amazon's time to make a report"
    )
    backfill.add_argument(
        "--call-seconds", type=float, default=0.3, help="round trip of one API call"
    )
    backfill.add_argument(
        "--orders-api",
        choices=("v2026", "v0"),
        default="v2026",
        help="which Orders API version the API windows use (default: v2026)",
    )

    events = command(
        "events", cmd_events, "run the event router over a message directory until stopped"
    )
    events.add_argument("--dir", default="events", help="the message directory (default: events)")
    events.add_argument("--once", action="store_true", help="stop when the directory is drained")
    events.add_argument("--ledger", default=DEFAULT_EVENTS_LEDGER, help="SQLite ledger file")
    events.add_argument("--app", help="MODULE:FUNCTION taking the ledger, returning an EventRunner")
    events.add_argument("--batch", type=int, default=100, help="messages per batch")
    events.add_argument("--poll", type=float, default=2.0, help="seconds between empty polls")
    events.add_argument("--seed", type=int, default=7, help="sandbox seed (without --app)")
    events.add_argument(
        "--publish", type=int, default=0, metavar="N", help="sandbox: write N notifications first"
    )

    sandbox = command("sandbox", cmd_sandbox, "serve the fakes on 127.0.0.1 until Ctrl-C")
    sandbox.add_argument(
        "--seed", type=int, default=7, help="seed of the fakes' generated data (default: 7)"
    )
    sandbox.add_argument("--ionapi", default="sandbox.ionapi", help="where to write the .ionapi")
    return parser


def _configure_logging(verbosity: int) -> None:
    """Reports say what happened; logs are for -v (the package logger has a NullHandler)."""
    if verbosity <= 0:
        return
    logger = logging.getLogger("amazon_erp_bridge")
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logger.setLevel(logging.DEBUG if verbosity > 1 else logging.INFO)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``amazon-erp-bridge`` console script."""
    args = build_parser().parse_args(argv)
    args.verbose += getattr(args, "sub_verbose", 0)
    _configure_logging(args.verbose)
    try:
        result: int = args.func(args)
        sys.stdout.flush()
    except BridgeError as exc:
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return _closed_pipe()
    return result


#: The conventional status of a command whose reader went away (128 + SIGPIPE), as the shell
#: reports ``yes | head -1``: the output was cut short on purpose, not an error to print.
CLOSED_PIPE_STATUS = 141


def _closed_pipe() -> int:
    """The reader of stdout closed it (``| head -1``): leave quietly with status 141.

    Python would print a BrokenPipeError traceback at exit when it flushes stdout again, so
    stdout is pointed at devnull first (the recipe of the Python docs on SIGPIPE).
    """
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # not a real file (a test's capture): nothing to flush
        pass
    finally:
        os.close(devnull)
    return CLOSED_PIPE_STATUS


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
