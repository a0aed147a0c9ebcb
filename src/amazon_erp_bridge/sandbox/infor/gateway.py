"""A fake ION API gateway in front of a fake M3: OAuth2 token endpoint and MI execute endpoint.

It behaves the way the real one does where the library cares: tokens expire (on an injectable
clock) and can be refreshed and revoked; a single m3api-rest v2 call that M3 refuses answers
HTTP 400 with ``errorMessage``/``errorType``/``errorField``/``errorCode`` at the top level
(m3-h5-sdk m3-odin ``runtime.ts``: "v2 returns HTTP 400 for errors ... error info is at the
top level"), a bulk call answers 200 with each error in its result; an unknown transaction is
a bare HTTP 400; records carry only the output fields Infor's metadata publishes; a list is
read in pages with the ``positionkey`` request header (developer.infor.com M3 API pages:
"the position in a table to start reading from"; the fake hands the next position back in a
``positionkey`` response header, which no public page describes: an assumption); a tenant
over its rate gets 429 with ``Retry-After``; and the
router's fault switches (``fake.router.faults``) plus a few MI-level ones (lose the reply after
doing the work, end a list with a NOK, terminate a request) make the bad days reproducible.

::

    fake = FakeIonApi()
    fake.state.add_customer("AMZ_US", "Amazon US")
    config = IonApiConfig.from_dict(fake.ionapi())     # the client reads the fake's .ionapi
    m3 = M3Client(config, transport=fake.transport(), cono=fake.cono)
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from re import Match
from typing import Any
from urllib.parse import parse_qs

from attrs import define, field

from amazon_erp_bridge.sandbox.infor.programs import PROGRAMS, Nok
from amazon_erp_bridge.sandbox.infor.state import Fields, M3State
from amazon_erp_bridge.sandbox.server import LocalServer, Reply, Router, SandboxRequest

DEFAULT_URL = "https://ion.sandbox.invalid"

#: The sandbox's own alias types by kind: (MMS025 category ALWT, qualifier ALWQ, partner E0PA).
#: It mirrors the library's documented default scheme without importing it.
ALIAS_TYPES: Mapping[str, tuple[str, str, str]] = {
    "seller_sku": ("03", "SKU", ""),
    "asin": ("03", "ASIN", ""),
    "fnsku": ("03", "FNSK", ""),
    "ean": ("02", "EA13", ""),
    "upc": ("02", "UPC", ""),
}


class ManualClock:
    """A clock that moves only when told: ``clock()`` is the time, ``advance(s)`` moves it."""

    def __init__(self, start: float = 1_773_700_000.0) -> None:
        self.now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds

    def sleep(self, seconds: float) -> None:
        """A ``sleep`` for senders: advances the clock instead of waiting."""
        self.advance(seconds)

    async def sleep_async(self, seconds: float) -> None:
        self.advance(seconds)


@define
class _Token:
    kind: str  # "access" | "refresh"
    client_id: str
    expires_at: float | None
    revoked: bool = False


@define
class _Trigger:
    program: str
    transaction: str
    action: str  # "lose_reply" | "nok_after" | "terminate"
    times: int
    count: int = 0
    message: str = ""

    def matches(self, program: str, transaction: str) -> bool:
        return (
            self.times > 0
            and self.program in ("*", program)
            and self.transaction
            in (
                "*",
                transaction,
            )
        )


@define
class _Bucket:
    per_second: float
    burst: float
    tokens: float
    updated: float


def _ion_error(status: int, code: str, message: str) -> Reply:
    return Reply.json({"error": code, "error_description": message, "message": message}, status)


@define
class FakeIonApi:
    """The fake gateway and its M3. Seed ``state``, then point a client at it.

    ``transport()`` serves it in-process (no sockets); ``serve()`` on 127.0.0.1.
    """

    tenant: str = "SANDBOX_TST"
    cono: str = "100"
    divi: str = "AAA"
    client_id: str = "SANDBOX_TST~sandbox-client-id"
    # Fixed, obviously fake values: every secret the library sees is registered for
    # redaction for the life of the process, so a fake should not mint new ones each time.
    client_secret: str = "sandbox-client-secret-not-real"
    access_key: str = "SANDBOX_TST#sandbox-service-account-access-key"
    secret_key: str = "sandbox-service-account-secret-key"
    token_lifetime: float = 7200.0
    refresh_lifetime: float = 8 * 3600.0
    issue_refresh_tokens: bool = True
    allow_client_credentials: bool = True
    clock: Callable[[], float] = field(factory=lambda: time.time)
    state: M3State = field(factory=M3State)
    router: Router = field(init=False)
    #: Grants asked for, in order ("password", "refresh_token", "client_credentials").
    grants: list[str] = field(factory=list, init=False)
    #: MI transactions run, as "PROGRAM/Transaction".
    transactions: list[str] = field(factory=list, init=False)
    _tokens: dict[str, _Token] = field(factory=dict, init=False)
    _issued: int = field(default=0, init=False)
    _triggers: list[_Trigger] = field(factory=list, init=False)
    _bucket: _Bucket | None = field(default=None, init=False)
    _lock: threading.RLock = field(factory=threading.RLock, init=False)

    def __attrs_post_init__(self) -> None:
        self.router = Router("ion", error_body=_ion_error)
        t = self.tenant
        self.router.route("POST", rf"/{t}/as/token\.oauth2")(self._token)
        self.router.route("POST", rf"/{t}/as/revoke_token\.oauth2")(self._revoke)
        self.router.route("GET", rf"/{t}/M3/m3api-rest/v2/execute/(?P<p>[^/]+)/(?P<t>[^/]+)")(
            self._execute
        )
        self.router.route("POST", rf"/{t}/M3/m3api-rest/v2/execute")(self._bulk)

    # ------------------------------------------------------------------------- wiring
    def transport(self) -> Any:
        """This gateway as an in-process httpx transport (sync and async)."""
        return self.router.transport()

    @contextmanager
    def serve(self) -> Iterator[LocalServer]:
        """Run on 127.0.0.1 for the ``with`` block; the server's ``.url`` goes in the config."""
        server = LocalServer(self.router).start()
        try:
            yield server
        finally:
            server.stop()

    def ionapi(self, url: str = DEFAULT_URL, *, service_account: bool = True) -> dict[str, str]:
        """A ``.ionapi`` dict for this gateway at ``url`` (backend-service kind if asked)."""
        base = url.rstrip("/")
        data = {
            "ti": self.tenant,
            "cn": "amazon-erp-bridge sandbox",
            "dt": "12",
            "ci": self.client_id,
            "cs": self.client_secret,
            "iu": base,
            "pu": f"{base}/{self.tenant}/as/",
            "oa": "authorization.oauth2",
            "ot": "token.oauth2",
            "or": "revoke_token.oauth2",
            "ev": "U000000000",
            "v": "1.0",
        }
        if service_account:
            data["saak"] = self.access_key
            data["sask"] = self.secret_key
        return data

    def write_ionapi(
        self, path: str | Path, url: str = DEFAULT_URL, *, service_account: bool = True
    ) -> Path:
        """Write :meth:`ionapi` to ``path``; returns the path."""
        target = Path(path)
        target.write_text(json.dumps(self.ionapi(url, service_account=service_account), indent=2))
        return target

    # ------------------------------------------------------------------------ seeds
    def add_customer(self, cuno: str, name: str, **fields: str) -> Fields:
        """Seed a customer (CRS610)."""
        return self.state.add_customer(cuno, name, **fields)

    def add_item(
        self,
        itno: str,
        name: str = "",
        *,
        aliases: Mapping[str, str] | None = None,
        scheme: Any = None,
        **fields: str,
    ) -> Fields:
        """Seed an item and its aliases by kind: ``aliases={"seller_sku": "SKU-1", ...}``.

        ``scheme`` is anything with ``type_for(kind)`` giving ``.category``, ``.qualifier`` and
        ``.partner`` (e.g. the library's ``AliasScheme``); default :data:`ALIAS_TYPES`.
        """
        record = self.state.add_item(itno, name, **fields)
        for kind, value in (aliases or {}).items():
            if scheme is not None:
                spec = scheme.type_for(kind)
                category, qualifier, partner = spec.category, spec.qualifier, spec.partner
            else:
                category, qualifier, partner = ALIAS_TYPES[kind]
            self.state.add_alias(itno, category, value, qualifier, partner)
        return record

    def set_stock(
        self,
        itno: str,
        whlo: str,
        on_hand: Decimal | int | str,
        allocated: Decimal | int | str = 0,
    ) -> Fields:
        """Seed (or change) an item's balance in a warehouse, as MMS200MI GetItmWhsBal shows it."""
        with self.state.lock:
            return self.state.set_balance(itno, whlo, on_hand, allocated)

    def add_temporary_order(
        self, cuno: str, cuor: str, lines: Sequence[Mapping[str, str]] = (), **head: str
    ) -> str:
        """Leave a temporary order behind, as a crash before Confirm would; returns its number."""
        with self.state.lock:
            orno = PROGRAMS["OIS100MI"]["AddBatchHead"].run(
                self.state, {"CUNO": cuno, "CUOR": cuor, **head}
            )[0]["ORNO"]
            for line in lines:
                PROGRAMS["OIS100MI"]["AddBatchLine"].run(self.state, {**line, "ORNO": orno})
        return orno

    # --------------------------------------------------------------- fault switches
    def lose_reply(self, program: str, transaction: str, times: int = 1) -> None:
        """Do the next ``times`` matching transactions, then drop the connection (a timeout
        after M3 did the work: the crash the query-first poster must survive)."""
        self._triggers.append(_Trigger(program, transaction, "lose_reply", times))

    def nok_after(
        self,
        program: str,
        transaction: str,
        records: int,
        message: str = "Unexpected error reading the next record",
        times: int = 1,
    ) -> None:
        """Make a list return its first ``records`` records and then a NOK."""
        self._triggers.append(_Trigger(program, transaction, "nok_after", times, records, message))

    def terminate(
        self,
        program: str = "*",
        transaction: str = "*",
        reason: str = "The MI program ended unexpectedly",
        times: int = 1,
    ) -> None:
        """Answer the next matching request with ``wasTerminated`` and the reason."""
        self._triggers.append(_Trigger(program, transaction, "terminate", times, 0, reason))

    def rate_limit(self, per_second: float | None, burst: int = 1) -> None:
        """Throttle this tenant (429 + Retry-After past the rate); None switches it off."""
        with self._lock:
            if per_second is None:
                self._bucket = None
            else:
                self._bucket = _Bucket(per_second, float(burst), float(burst), self.clock())

    def crash_after_add_batch_head(self, times: int = 1) -> None:
        """Shorthand: lose the reply of OIS100MI AddBatchHead (a temporary order stays)."""
        self.lose_reply("OIS100MI", "AddBatchHead", times)

    # --------------------------------------------------------------------- tokens
    def _issue(self, kind: str, lifetime: float) -> str:
        prefix = "at" if kind == "access" else "rt"
        self._issued += 1
        value = f"{prefix}-{self.tenant}-{self._issued:06d}"
        self._tokens[value] = _Token(kind, self.client_id, self.clock() + lifetime)
        return value

    def _client_ok(self, req: SandboxRequest, form: Mapping[str, str]) -> bool:
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        header = req.headers.get("authorization", "")
        if header.startswith("Basic "):
            try:
                pair = base64.b64decode(header[6:]).decode()
            except ValueError:
                return False
            client_id, _, client_secret = pair.partition(":")
        return client_id == self.client_id and client_secret == self.client_secret

    def _token(self, req: SandboxRequest, m: Match[str]) -> Reply:
        form = req.form()
        grant = form.get("grant_type", "")
        with self._lock:
            self.grants.append(grant)
            if not self._client_ok(req, form):
                return _ion_error(401, "invalid_client", "Client authentication failed")
            if grant == "password":
                if (
                    form.get("username") != self.access_key
                    or form.get("password") != self.secret_key
                ):
                    return _ion_error(
                        400, "invalid_grant", "The service account credentials are invalid"
                    )
            elif grant == "client_credentials":
                if not self.allow_client_credentials:
                    return _ion_error(
                        400,
                        "unauthorized_client",
                        "The client is not authorized to use this grant type",
                    )
            elif grant == "refresh_token":
                token = self._tokens.get(form.get("refresh_token", ""))
                if (
                    token is None
                    or token.kind != "refresh"
                    or token.revoked
                    or (token.expires_at is not None and token.expires_at <= self.clock())
                ):
                    return _ion_error(400, "invalid_grant", "The refresh token is invalid")
            else:
                return _ion_error(400, "unsupported_grant_type", f"Grant type {grant!r}")
            body: dict[str, Any] = {
                "access_token": self._issue("access", self.token_lifetime),
                "token_type": "Bearer",
                "expires_in": int(self.token_lifetime),
            }
            # A refresh answer carries no new refresh token: the old one stays valid.
            if self.issue_refresh_tokens and grant == "password":
                body["refresh_token"] = self._issue("refresh", self.refresh_lifetime)
            return Reply.json(body)

    def _revoke(self, req: SandboxRequest, m: Match[str]) -> Reply:
        form = req.form()
        with self._lock:
            if not self._client_ok(req, form):
                return _ion_error(401, "invalid_client", "Client authentication failed")
            token = self._tokens.get(form.get("token", ""))
            if token is not None:
                token.revoked = True
        return Reply(200)

    @property
    def revoked(self) -> int:
        """How many tokens have been revoked."""
        return sum(1 for t in self._tokens.values() if t.revoked)

    def expire_tokens(self) -> None:
        """Make every access token issued so far expire now (server side only)."""
        with self._lock:
            for token in self._tokens.values():
                if token.kind == "access":
                    token.expires_at = self.clock() - 1

    def _authorized(self, req: SandboxRequest) -> Reply | None:
        header = req.headers.get("authorization", "")
        if not header.startswith("Bearer "):
            return _ion_error(401, "invalid_token", "Bearer token required")
        token = self._tokens.get(header[7:])
        if token is None or token.kind != "access" or token.revoked:
            return _ion_error(401, "invalid_token", "The access token is invalid")
        if token.expires_at is not None and token.expires_at <= self.clock():
            return _ion_error(401, "invalid_token", "The access token expired")
        return None

    def _throttled(self) -> Reply | None:
        bucket = self._bucket
        if bucket is None:
            return None
        now = self.clock()
        bucket.tokens = min(
            bucket.burst, bucket.tokens + (now - bucket.updated) * bucket.per_second
        )
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return None
        wait = max(1, int((1 - bucket.tokens) / bucket.per_second + 0.999))
        reply = _ion_error(429, "QuotaExceeded", "Rate limit exceeded for this tenant")
        reply.headers["Retry-After"] = str(wait)
        return reply

    # ------------------------------------------------------------------------- MI
    def _take(self, program: str, transaction: str) -> _Trigger | None:
        for trigger in self._triggers:
            if trigger.matches(program, transaction):
                trigger.times -= 1
                return trigger
        return None

    def _run(
        self,
        program: str,
        transaction: str,
        record: Fields,
        maxrecs: int,
        cols: list[str],
        position: int = 0,
    ) -> tuple[dict[str, Any], _Trigger | None, int | None]:
        """Run one transaction: its v2 result, the trigger it fired, the next list position."""
        with self._lock:
            self.transactions.append(f"{program}/{transaction}")
            self.state.clock_date = datetime.fromtimestamp(self.clock(), UTC).date()
            trigger = self._take(program, transaction)
        spec = PROGRAMS[program][transaction]
        result: dict[str, Any] = {"transaction": transaction, "records": []}
        records: list[Fields] = []
        try:
            spec.check(record)
            with self.state.lock:
                records = spec.shape(spec.run(self.state, record))
            if trigger is not None and trigger.action == "nok_after":
                raise Nok(trigger.message)
        except Nok as nok:
            if trigger is not None and trigger.action == "nok_after":
                records = records[: trigger.count]
                result["records"] = [self._columns(r, cols) for r in records]
            result.update(errorMessage=nok.message, errorType=nok.error_type)
            if nok.field:
                result["errorField"] = nok.field
            if nok.code:
                result["errorCode"] = nok.code
            return result, trigger, None
        records = records[position:]
        following = None
        if maxrecs and len(records) > maxrecs:
            records = records[:maxrecs]
            following = position + maxrecs
        result["records"] = [self._columns(r, cols) for r in records]
        return result, trigger, following

    @staticmethod
    def _columns(record: Fields, cols: list[str]) -> Fields:
        if not cols:
            return {k: v.rstrip() for k, v in record.items()}
        return {c: record[c].rstrip() for c in cols if c in record}

    @staticmethod
    def _body(results: list[dict[str, Any]], terminated: str | None = None) -> dict[str, Any]:
        failed = sum(1 for r in results if "errorMessage" in r)
        body: dict[str, Any] = {
            "results": results,
            "wasTerminated": terminated is not None,
            "nrOfSuccessfullTransactions": len(results) - failed,
            "nrOfFailedTransactions": failed,
            "nrOfNotProcessedTransactions": sum(1 for r in results if r.get("notProcessed")),
        }
        if terminated is not None:
            body["terminationReason"] = terminated
            body["terminationErrorType"] = "ServerReturnedNOK"
        return body

    def _guard(self, req: SandboxRequest) -> Reply | None:
        refused = self._authorized(req)
        if refused is not None:
            return refused
        with self._lock:
            return self._throttled()

    def _execute(self, req: SandboxRequest, m: Match[str]) -> Reply:
        program, transaction = m.group("p"), m.group("t")
        refused = self._guard(req)
        if refused is not None:
            return refused
        if transaction not in PROGRAMS.get(program, {}):
            return Reply.text(f"Bad Request: {program}/{transaction}", 400)
        record = {k: v[0] for k, v in req.query.items() if k[:1].isupper()}
        maxrecs = int(req.arg("maxrecs", "100") or "100")
        cols = [c for c in (req.arg("returncols") or "").split(",") if c]
        position_text = req.headers.get("positionkey", "") or "0"
        if not position_text.isdigit():
            return Reply.text(f"Bad Request: positionkey {position_text[:40]!r}", 400)
        result, trigger, following = self._run(
            program, transaction, record, maxrecs, cols, int(position_text)
        )
        if trigger is not None and trigger.action == "terminate":
            return Reply.json(
                self._body([{"transaction": transaction, "records": []}], trigger.message)
            )
        if trigger is not None and trigger.action == "lose_reply":
            return Reply(drop=True)
        if "errorMessage" in result and not result["records"]:
            # m3api-rest v2: a refused single call is HTTP 400, its error at the top level.
            top = {
                k: result[k]
                for k in ("errorMessage", "errorType", "errorField", "errorCode")
                if k in result
            }
            return Reply.json(top, 400)
        reply = Reply.json(self._body([result]))
        if following is not None:
            reply.headers["positionkey"] = str(following)
        return reply

    def _bulk(self, req: SandboxRequest, m: Match[str]) -> Reply:
        refused = self._guard(req)
        if refused is not None:
            return refused
        try:
            body = req.json()
            program = body["program"]
            items = body["transactions"]
        except (ValueError, KeyError, TypeError):
            return Reply.text("Bad Request: expected {program, transactions}", 400)
        if program not in PROGRAMS:
            return Reply.text(f"Bad Request: program {program}", 400)
        maxrecs = int(body.get("maxReturnedRecords", 100))
        results: list[dict[str, Any]] = []
        lose = terminated = None
        for index, item in enumerate(items):
            transaction = item.get("transaction", "")
            if transaction not in PROGRAMS[program]:
                results.append(
                    {
                        "transaction": transaction,
                        "records": [],
                        "errorMessage": f"Transaction {transaction} does not exist",
                        "errorType": "TransactionNotFound",
                    }
                )
                continue
            record = {k: str(v) for k, v in (item.get("record") or {}).items()}
            cols = list(item.get("selectedColumns") or [])
            result, trigger, _ = self._run(program, transaction, record, maxrecs, cols)
            results.append(result)
            if trigger is not None and trigger.action == "lose_reply":
                lose = True
            if trigger is not None and trigger.action == "terminate":
                terminated = trigger.message
                for rest in items[index + 1 :]:
                    results.append(
                        {
                            "transaction": rest.get("transaction", ""),
                            "records": [],
                            "notProcessed": True,
                        }
                    )
                break
        if lose:
            return Reply(drop=True)
        return Reply.json(self._body(results, terminated))


def form_of(body: bytes) -> dict[str, str]:
    """A form-encoded body as a dict (for tests that look at token requests)."""
    return {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
