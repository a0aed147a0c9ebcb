"""The contract recorder: every request the library sends and every answer the fakes give, checked.

Registered from ``tests/conftest.py``. It listens in two places:

- the sandbox's routers (``sandbox.server.OBSERVERS``): every request a fake dispatches, in
  process or over HTTP, with the fake's answer;
- ``httpx2.MockTransport``: every request a unit test's mock handler answers.

SP-API traffic is checked against Amazon's Swagger models (:mod:`tests.contracts.spapi`); M3 and
SAP traffic goes to ``tests/contracts/m3.py::check_m3`` and ``tests/contracts/sap.py::check_sap``
when those exist and :data:`ERP_CHECKS_ENABLED` is on. A request is held to the model when the
library sent it (its User-Agent) or when a fake accepted it (2xx): a test that sends a bad request
by hand to see the fake refuse it is not a finding. At the end of the session any problem fails
the run, with a summary grouped by operation. ``--contracts=report`` prints without failing;
``--contracts=off`` records nothing. A test that breaks the wire on purpose can carry
``@pytest.mark.contracts_exempt("why")``.
"""

from __future__ import annotations

import importlib
import os
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx2
import pytest

from amazon_erp_bridge import __version__
from amazon_erp_bridge.sandbox import server
from tests.contracts import spapi

#: M3 and SAP checks (H1's tests/contracts/m3.py, H2's tests/contracts/sap.py). On by default
#: once both modules exist; CONTRACTS_ERP=0 switches them off, CONTRACTS_ERP=1 insists.
ERP_CHECKS_ENABLED = os.environ.get("CONTRACTS_ERP", "auto") != "0"

LIBRARY_AGENT = f"amazon-erp-bridge/{__version__}"


def _checker(module: str, name: str) -> Callable[..., list[str]] | None:
    if not ERP_CHECKS_ENABLED:
        return None
    try:
        found = importlib.import_module(module)
    except ImportError:
        if os.environ.get("CONTRACTS_ERP") == "1":
            raise
        return None
    check: Callable[..., list[str]] | None = getattr(found, name, None)
    return check


class Recorder:
    """Collects exchanges, checks each at once, and keeps the problems by service and operation."""

    def __init__(self) -> None:
        self.test = ""
        self.exempt = False
        self.counts: Counter[str] = Counter()
        self.problems: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        self.first_test: dict[tuple[str, str, str], str] = {}
        self.seconds = 0.0
        self.check_m3 = _checker("tests.contracts.m3", "check_m3")
        self.check_sap = _checker("tests.contracts.sap", "check_sap")

    # -- what was seen ---------------------------------------------------------------------

    def exchange(
        self,
        service: str,
        method: str,
        url: str,
        headers: dict[str, str],
        request_body: bytes,
        status: int | None,
        response_body: bytes | None,
    ) -> None:
        if self.exempt:
            return
        started = time.perf_counter()
        try:
            self._check(service, method, url, headers, request_body, status, response_body)
        finally:
            self.seconds += time.perf_counter() - started

    def _check(
        self,
        service: str,
        method: str,
        url: str,
        headers: dict[str, str],
        request_body: bytes,
        status: int | None,
        response_body: bytes | None,
    ) -> None:
        lower = {k.lower(): v for k, v in headers.items()}
        from_library = lower.get("user-agent", "").startswith(LIBRARY_AGENT)
        accepted = status is not None and 200 <= status < 300
        if service == "sp-api":
            self.counts["SP-API"] += 1
            name, problems = spapi.check_exchange(
                method, url, lower, request_body, status, response_body
            )
            if not (from_library or accepted):
                problems = [p for p in problems if p.startswith(("answer", "status"))]
            self._add("SP-API", name, problems)
        elif service == "m3":
            self.counts["M3"] += 1
            if self.check_m3 is not None and status is not None:
                problems = self.check_m3(method, url, request_body, status, response_body or b"")
                self._add("M3", _m3_name(url), problems)
        elif service == "sap":
            self.counts["SAP"] += 1
            if self.check_sap is not None and status is not None:
                problems = self.check_sap(
                    method, url, lower, request_body, status, response_body or b""
                )
                self._add("SAP", _sap_name(method, url), problems)

    def _add(self, service: str, operation: str, problems: list[str]) -> None:
        for problem in problems:
            key = (service, operation or "(unknown)")
            self.problems[key][problem] += 1
            self.first_test.setdefault((*key, problem), self.test)

    # -- the verdict -----------------------------------------------------------------------

    def summary(self) -> list[str]:
        seen = ", ".join(f"{k} {v}" for k, v in sorted(self.counts.items())) or "no"
        lines = [f"contracts: checked {seen} exchanges in {self.seconds:.2f}s"]
        if self.check_m3 is None or self.check_sap is None:
            off = [n for n, c in (("M3", self.check_m3), ("SAP", self.check_sap)) if c is None]
            lines.append(
                f"contracts: {' and '.join(off)} checks are off (checker missing or CONTRACTS_ERP=0)"
            )
        for (service, operation), problems in sorted(self.problems.items()):
            lines.append(f"{service} {operation}:")
            for problem, count in sorted(problems.items()):
                times = f" (x{count})" if count > 1 else ""
                first = self.first_test[(service, operation, problem)]
                lines.append(f"    {problem}{times}")
                lines.append(f"        first seen in {first}")
        return lines


def _m3_name(url: str) -> str:
    parts = [p for p in urlsplit(url).path.split("/") if p]
    for i, part in enumerate(parts):
        if part.endswith("MI") and i + 1 < len(parts):
            return f"{part}/{parts[i + 1]}"
    return "/".join(parts[-2:])


def _sap_name(method: str, url: str) -> str:
    path = urlsplit(url).path
    head, _, tail = path.partition("/sap/opu/odata/sap/")
    service, _, entity = (tail or head).partition("/")
    return f"{method} {service}/{entity.split('(')[0]}"


def _service_of(url: str) -> str | None:
    parts = urlsplit(url)
    if "sellingpartnerapi" in parts.netloc or spapi.find_operation_prefix(parts.path):
        return "sp-api"
    if "/m3api-rest/" in parts.path or "/M3/" in parts.path:
        return "m3"
    if "/sap/opu/" in parts.path or "/sap/bc/srt/" in parts.path:
        return "sap"
    return None


_ROUTER_SERVICES = {"sp-api": "sp-api", "ion": "m3", "sap": "sap"}

RECORDER = Recorder()
#: Every recorder that hears the traffic: the session's, and any a test adds with ``listening``.
RECORDERS: list[Recorder] = [RECORDER]


@contextmanager
def listening() -> Iterator[Recorder]:
    """A fresh recorder hearing the traffic inside the block (the session's still hears it)."""
    recorder = Recorder()
    installed = _install()
    RECORDERS.append(recorder)
    try:
        yield recorder
    finally:
        RECORDERS.remove(recorder)
        if installed:
            _uninstall()


def _install() -> bool:
    if _observe in server.OBSERVERS:
        return False
    server.OBSERVERS.append(_observe)
    httpx2.MockTransport.handle_request = _handle_request  # type: ignore[method-assign]
    httpx2.MockTransport.handle_async_request = _handle_async_request  # type: ignore[method-assign]
    return True


def _uninstall() -> None:
    if _observe in server.OBSERVERS:
        server.OBSERVERS.remove(_observe)
    httpx2.MockTransport.handle_request = _original_sync  # type: ignore[method-assign]
    httpx2.MockTransport.handle_async_request = _original_async  # type: ignore[method-assign]


def _observe(router: Any, request: server.SandboxRequest, reply: server.Reply) -> None:
    service = _ROUTER_SERVICES.get(router.name)
    if service is None or reply.drop:
        return
    query = urlencode([(k, v) for k, vs in request.query.items() for v in vs])
    url = f"http://sandbox{request.path}" + (f"?{query}" if query else "")
    for recorder in RECORDERS:
        recorder.exchange(
            service,
            request.method,
            url,
            dict(request.headers),
            request.body,
            reply.status,
            reply.body,
        )


def _record_mock(request: httpx2.Request, response: httpx2.Response) -> None:
    service = _service_of(str(request.url))
    if service is None:
        return
    try:
        body = response.content
    except httpx2.ResponseNotRead:
        body = None
    for recorder in RECORDERS:
        recorder.exchange(
            service,
            request.method,
            str(request.url),
            dict(request.headers),
            request.content,
            response.status_code,
            body,
        )


_original_sync = httpx2.MockTransport.handle_request
_original_async = httpx2.MockTransport.handle_async_request


def _handle_request(self: httpx2.MockTransport, request: httpx2.Request) -> httpx2.Response:
    response = _original_sync(self, request)
    _record_mock(request, response)
    return response


async def _handle_async_request(
    self: httpx2.MockTransport, request: httpx2.Request
) -> httpx2.Response:
    response = await _original_async(self, request)
    _record_mock(request, response)
    return response


# -- pytest hooks --------------------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--contracts",
        choices=("fail", "report", "off"),
        default=os.environ.get("CONTRACTS", "fail"),
        help="check recorded traffic against the published contracts (default: fail the run)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "contracts_exempt(reason): this test breaks the wire contracts on purpose"
    )
    if config.getoption("--contracts") != "off":
        _install()


def pytest_unconfigure(config: pytest.Config) -> None:
    _uninstall()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    RECORDER.test = item.nodeid
    RECORDER.exempt = item.get_closest_marker("contracts_exempt") is not None
    try:
        return (yield)
    finally:
        RECORDER.test = ""
        RECORDER.exempt = False


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if session.config.getoption("--contracts") != "fail":
        return
    if RECORDER.problems and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if config.getoption("--contracts") == "off":
        return
    lines = RECORDER.summary()
    if RECORDER.problems:
        terminalreporter.section("contract problems (published specs vs recorded traffic)")
        for line in lines:
            terminalreporter.write_line(line)
    else:
        terminalreporter.write_line(lines[0])
