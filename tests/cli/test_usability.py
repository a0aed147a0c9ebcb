"""The command line as people use it: global flags anywhere, help on every flag, the sandbox's
connection details, a quiet exit on a closed pipe, progress lines in logs (issue #19).

Every test goes through the real entry point, ``python -m amazon_erp_bridge``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from amazon_erp_bridge.cli import CLOSED_PIPE_STATUS, Progress, build_parser

ENTRY = [sys.executable, "-m", "amazon_erp_bridge"]


def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ENTRY, *args], capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture
def empty_ledger(tmp_path: Path) -> str:
    from amazon_erp_bridge.posting import SqliteLedger

    path = str(tmp_path / "ledger.sqlite")
    SqliteLedger(path).close()
    return path


@pytest.mark.parametrize(
    "order",
    [
        ("--json", "-vv", "ledger", "status", "--ledger", "{ledger}"),
        ("ledger", "status", "--ledger", "{ledger}", "--json", "-vv"),
        ("-v", "ledger", "-v", "status", "--json", "--ledger", "{ledger}"),
        ("ledger", "--json", "status", "-vv", "--ledger", "{ledger}"),
    ],
)
def test_global_flags_work_before_or_after_the_sub_command(order, empty_ledger):
    done = run(*(a.format(ledger=empty_ledger) for a in order))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {}


def test_verbosity_before_and_after_the_sub_command_adds_up():
    parser = build_parser()
    args = parser.parse_args(["-v", "demo", "-v", "--runs", "1"])
    assert args.verbose + args.sub_verbose == 2
    assert args.json is False
    assert parser.parse_args(["demo", "--json"]).json is True
    assert parser.parse_args(["--json", "demo"]).json is True


def _actions(parser: argparse.ArgumentParser, path: str):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _actions(sub, f"{path} {name}")
        elif not isinstance(action, argparse._HelpAction | argparse._VersionAction):
            yield path, action


def test_every_flag_and_argument_has_help_text():
    missing = [
        f"{path}: {'/'.join(action.option_strings) or action.dest}"
        for path, action in _actions(build_parser(), "amazon-erp-bridge")
        if not action.help
    ]
    assert not missing, "no help text: " + ", ".join(missing)
    shown = run("demo", "--help")
    assert shown.returncode == 0
    for flag in ("-v, --verbose", "--json", "--ledger", "--runs", "--keep"):
        assert flag in shown.stdout


def _start_sandbox(tmp_path: Path, *flags: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [*ENTRY, "sandbox", "--ionapi", str(tmp_path / "sandbox.ionapi"), *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines = []
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line)
        if ("--json" in flags and line == "}\n") or line.startswith("  export SAP_CLIENT"):
            break
    return proc, "".join(lines)


def _stop(proc: subprocess.Popen[str]) -> int:
    proc.send_signal(signal.SIGINT)
    try:
        return proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()


def test_sandbox_json_prints_urls_and_credentials_that_work(tmp_path):
    proc, out = _start_sandbox(tmp_path, "--json")
    try:
        info = json.loads(out)
        amazon, ion, sap = info["amazon"], info["ion"], info["sap"]
        assert amazon["endpoint"].startswith("http://127.0.0.1:")
        assert amazon["lwa_endpoint"] == amazon["endpoint"] + "/auth/o2/token"
        assert amazon["client_id"] and amazon["client_secret"] and amazon["refresh_token"]
        assert json.loads(Path(ion["ionapi_file"]).read_text()) == ion["ionapi"]
        assert ion["ionapi"]["iu"] == ion["url"]
        assert sap["url"].startswith("http://127.0.0.1:") and sap["user"] and sap["password"]
        assert info["environment"]["SP_API_REFRESH_TOKEN"] == amazon["refresh_token"]
        # The printed credentials open the fake: LWA gives an access token for them.
        import httpx2

        answer = httpx2.post(
            amazon["lwa_endpoint"],
            data={
                "grant_type": "refresh_token",
                "refresh_token": amazon["refresh_token"],
                "client_id": amazon["client_id"],
                "client_secret": amazon["client_secret"],
            },
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["access_token"]
    finally:
        assert _stop(proc) == 0


def test_sandbox_prints_urls_and_credentials_for_people(tmp_path):
    proc, out = _start_sandbox(tmp_path)
    try:
        for words in (
            "SP-API:",
            "LWA token:",
            "client secret",
            "refresh token",
            ".ionapi written to",
            "SAP S/4HANA:",
            "password",
            "export LWA_APP_ID=",
        ):
            assert words in out
    finally:
        assert _stop(proc) == 0


def test_demo_piped_to_head_exits_quietly_with_progress_lines(tmp_path):
    ledger = tmp_path / "demo.sqlite"
    cmd = (
        f"{sys.executable} -m amazon_erp_bridge demo --runs 1 --ledger {ledger} --json -v"
        " | head -1; echo status=${PIPESTATUS[0]} >&2"
    )
    done = subprocess.run(
        ["bash", "-c", cmd],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONUNBUFFERED": ""},
        check=False,
    )
    assert done.stdout == "[\n"
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr
    # head may close the pipe before or after the JSON fits in the pipe's buffer
    assert re.search(rf"status=(0|{CLOSED_PIPE_STATUS})$", done.stderr.strip())
    # stderr is not a terminal: progress shows as plain lines, first and last step at least.
    assert "progress: 1/" in done.stderr and " run 1: order-to-cash (M3)" in done.stderr
    assert re.search(r"^progress: (\d+)/\1 run 1: ", done.stderr, re.MULTILINE)
    assert "\r" not in done.stderr


def test_a_reader_that_closed_the_pipe_gives_status_141_without_traceback(empty_ledger):
    # The reader closes its end at once: the first write meets a closed pipe, every time.
    cmd = (
        f"{sys.executable} -m amazon_erp_bridge ledger status --ledger {empty_ledger} --json"
        " | (exec 0<&-; sleep 0.01); echo status=${PIPESTATUS[0]} >&2"
    )
    done = subprocess.run(
        ["bash", "-c", cmd], capture_output=True, text=True, timeout=60, check=False
    )
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr
    assert done.stderr.strip() == f"status={CLOSED_PIPE_STATUS}"


def test_progress_lines_are_periodic_when_not_a_terminal():
    now = [0.0]
    stream = io.StringIO()
    progress = Progress(4, stream, interval=5.0, clock=lambda: now[0])
    progress.step("one")
    now[0] = 1.0
    progress.step("two")  # within the interval: no line
    now[0] = 7.0
    progress.step("three")
    now[0] = 8.0
    progress.step("four")  # the last step always shows
    progress.finish()
    assert stream.getvalue().splitlines() == [
        "progress: 1/4 one",
        "progress: 3/4 three",
        "progress: 4/4 four",
    ]
