"""M3 MI transactions over ION: call builders for the m3api-rest execute endpoint and parsers.

MI answers errors inside an HTTP 200 body, so a response is only good if the HTTP status is,
``nrOfFailedTransactions`` is zero, ``wasTerminated`` is false and no result carries an
``errorMessage``. A list can return records and then fail: :class:`MiError` keeps the records
it got (``.records``). Single transactions go as ``GET .../v2/execute/{program}/{transaction}``;
many transactions of one program go in one ``POST .../v2/execute`` (bulk). Legacy v1 bodies
(``MIRecord`` / ``NameValue``) are read too.

Reads (``Get*``, ``Lst*``, ``Search*``, ``Sel*``) are retried after timeouts and 5xx; every
other transaction changes M3 and is never sent twice unless the caller says it is safe.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import httpx2
from attrs import field, frozen

from amazon_erp_bridge.core.call import Call
from amazon_erp_bridge.core.sender import ErrorInfo, read_error_text
from amazon_erp_bridge.errors import ApiError, ValidationError
from amazon_erp_bridge.infor.values import FieldValue, to_m3_record
from amazon_erp_bridge.limits import loads_json

#: Path of the MI REST API under the ION API base URL (``iu/ti``).
M3_API_PATH = "M3/m3api-rest/v2/execute"
#: The one rate-limit key for MI calls: ION counts a tenant's calls together.
MI_LIMIT_KEY = "ion.m3api"
#: Statuses the MI parser reads itself (the rest go to the sender's retry and error handling).
_MI_OK_STATUSES = frozenset({200, 400, 404})
#: The request header that asks a list for the page starting at a position (developer.infor.com
#: M3 API pages: "positionkey: the position in a table to start reading from").
POSITION_HEADER = "positionkey"
#: Largest MI answer read (bytes); a bigger one is refused before it is parsed.
MAX_MI_BYTES = 64 * 1024 * 1024

_READ_PREFIXES = ("Get", "Lst", "List", "Search", "Sel")

Record = dict[str, str]


def is_read(transaction: str) -> bool:
    """True for transactions that only read (safe to send again after a timeout)."""
    return transaction.startswith(_READ_PREFIXES)


class MiError(ApiError):
    """M3 refused an MI transaction (a NOK), or the MI answer could not be trusted.

    Carries ``program``, ``transaction``, ``field`` (the input field M3 blamed, if any),
    ``error_type`` (``ServerReturnedNOK``, ``MandatoryInputFieldNotFound``, ...),
    ``error_code``, ``mi_message`` (M3's own words) and ``records``: what a list returned
    before it failed.
    """

    def __init__(
        self,
        mi_message: str,
        *,
        program: str,
        transaction: str,
        status: int = 200,
        field: str | None = None,
        error_type: str | None = None,
        error_code: str | None = None,
        records: Sequence[Mapping[str, str]] = (),
        hint: str = "",
        request_id: str | None = None,
    ) -> None:
        where = f" (field {field})" if field else ""
        kind = f" [{error_type}]" if error_type else ""
        got = f"; {len(records)} record(s) were returned before the error" if records else ""
        text = f"{mi_message.strip() or 'no message'}{where}{kind}{got}"
        if hint:
            text = f"{text}. {hint}"
        super().__init__(
            text,
            status=status,
            code=error_code or None,
            request_id=request_id,
            service="M3",
            operation=f"{program}/{transaction}",
        )
        self.program = program
        self.transaction = transaction
        self.field = field or None
        self.error_type = error_type or None
        self.error_code = error_code or None
        self.mi_message = mi_message.strip()
        self.records: tuple[Record, ...] = tuple(dict(r) for r in records)

    def is_not_found(self, key_field: str | None = None) -> bool:
        """True if this is M3 saying the record asked for does not exist (see
        :func:`is_not_found`)."""
        return is_not_found(self, key_field)


_INPUT_ERRORS = frozenset(
    {"MandatoryInputFieldNotFound", "InputFieldTooLong", "TransactionNotFound", "NotProcessed"}
)


def is_not_found(error: MiError, key_field: str | None = None) -> bool:
    """True if ``error`` is M3 saying the record asked for does not exist.

    M3 words this as "Record does not exist" / "... does not exist", naming the key field: a
    NOK in an HTTP 200 result (bulk, v1) or, in m3api-rest v2, an HTTP 400 whose error is at
    the top level. Refused input (missing or too long) and unknown transactions are not
    "not found". With ``key_field``, only a NOK that blames that field (or none) counts.
    """
    if error.status not in (200, 400) or error.error_type in _INPUT_ERRORS:
        return False
    if "not exist" not in error.mi_message.lower():
        return False
    return key_field is None or error.field in (None, key_field)


@frozen
class MiTransaction:
    """One transaction of a bulk request: its name, input record and wanted output columns."""

    transaction: str
    record: Mapping[str, str] = field(factory=dict)
    return_cols: tuple[str, ...] = ()


@frozen
class MiResult:
    """The outcome of one transaction: its records, or M3's error."""

    transaction: str
    records: tuple[Record, ...] = ()
    error_message: str | None = None
    error_type: str | None = None
    error_code: str | None = None
    error_field: str | None = None
    not_processed: bool = False

    @property
    def ok(self) -> bool:
        """True when the transaction succeeded (no error message or type)."""
        return self.error_message is None and self.error_type is None and not self.not_processed

    def error(self, program: str, status: int = 200) -> MiError:
        """This result's failure as an :class:`MiError`."""
        message = self.error_message or (
            "not processed: an earlier transaction of the request failed"
            if self.not_processed
            else "failed without a message"
        )
        return MiError(
            message,
            program=program,
            transaction=self.transaction,
            status=status,
            field=self.error_field,
            error_type=self.error_type or ("NotProcessed" if self.not_processed else None),
            error_code=self.error_code,
            records=self.records,
        )


@frozen
class MiResponse:
    """A whole MI answer (one result per transaction sent)."""

    program: str
    results: tuple[MiResult, ...]
    was_terminated: bool = False
    termination_reason: str | None = None
    termination_error_type: str | None = None
    successful: int = 0
    failed: int = 0
    not_processed: int = 0
    bulk_job_id: str | None = None
    status: int = 200

    @property
    def ok(self) -> bool:
        """True when M3 processed every transaction and none failed or was cut off."""
        return (
            not self.was_terminated
            and self.failed == 0
            and self.not_processed == 0
            and all(r.ok for r in self.results)
        )

    @property
    def records(self) -> list[Record]:
        """Every record of every result, in order."""
        return [rec for result in self.results for rec in result.records]

    def errors(self) -> list[MiError]:
        """One :class:`MiError` per failed or unprocessed transaction (and for termination)."""
        out = [r.error(self.program, self.status) for r in self.results if not r.ok]
        if self.was_terminated:
            last = self.results[-1].transaction if self.results else "(request)"
            out.append(
                MiError(
                    f"the request was terminated: {self.termination_reason or 'no reason given'}",
                    program=self.program,
                    transaction=last,
                    status=self.status,
                    error_type=self.termination_error_type or "Terminated",
                    records=self.records,
                )
            )
        elif self.failed and not out:
            out.append(
                MiError(
                    f"{self.failed} transaction(s) failed but no result says why",
                    program=self.program,
                    transaction=self.results[0].transaction if self.results else "(request)",
                    status=self.status,
                    records=self.records,
                )
            )
        return out

    def raise_for_errors(self) -> MiResponse:
        """Raise the first error (with every record received so far); else return self."""
        errors = self.errors()
        if errors:
            raise errors[0]
        return self


# ------------------------------------------------------------------------------ parsing
def _trim(value: Any, where: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.rstrip()
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise ValidationError(
            f"{where}: an MI value must be text or a number, got {type(value).__name__}"
        )
    return str(value)


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value).strip()
    return text[:2000] or None


def _int(value: Any, where: str) -> int:
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int) and abs(value) < 10**9:
        return value
    text = value.strip() if isinstance(value, str) else ""
    if text.isascii() and text.isdigit() and len(text) < 10:
        return int(text)
    raise ValidationError(f"{where}: expected a transaction count, got {str(value)[:40]!r}")


def _bool(value: Any, where: str) -> bool:
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ValidationError(f"{where}: expected true or false, got {str(value)[:40]!r}")


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValidationError(f"{where}: expected a JSON object, got {type(value).__name__}")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValidationError(f"{where}: expected a JSON list, got {type(value).__name__}")
    return value


def _record(raw: Any, where: str) -> Record:
    return {str(k): _trim(v, f"{where} field {k}") for k, v in _mapping(raw, where).items()}


def _v2_result(raw: Any, default_transaction: str, where: str) -> MiResult:
    body = _mapping(raw, where)
    return MiResult(
        transaction=_text(body.get("transaction")) or default_transaction,
        records=tuple(
            _record(r, f"{where} record {n}")
            for n, r in enumerate(_list(body.get("records"), f"{where} records"), 1)
        ),
        error_message=_text(body.get("errorMessage")),
        error_type=_text(body.get("errorType")),
        error_code=_text(body.get("errorCode")),
        error_field=_text(body.get("errorField")),
        not_processed=_bool(body.get("notProcessed"), f"{where} notProcessed"),
    )


def _v1_error(body: Mapping[str, Any], transaction: str) -> MiResult:
    return MiResult(
        transaction=_text(body.get("Transaction")) or transaction,
        error_message=_text(body.get("Message")) or "failed without a message",
        error_type=_text(body.get("@type")) or "ServerReturnedNOK",
        error_code=_text(body.get("@code")),
        error_field=_text(body.get("@field")),
    )


def _v1_response(
    body: Mapping[str, Any], program: str, transaction: str, status: int
) -> MiResponse:
    where = f"{program}/{transaction} v1 answer"
    wrapped = body.get("ErrorMessage")
    if wrapped is not None:
        # Multi-tenant v1 lists put the NOK in ErrorMessage (m3-h5-sdk issue 75, KB 2159861).
        inner = _mapping(wrapped, f"{where} ErrorMessage")
        return MiResponse(program, (_v1_error(inner, transaction),), failed=1, status=status)
    if "@type" in body or ("Message" in body and "MIRecord" not in body):
        return MiResponse(program, (_v1_error(body, transaction),), failed=1, status=status)
    records = []
    for n, row in enumerate(_list(body.get("MIRecord"), f"{where} MIRecord"), 1):
        pairs = _list(_mapping(row, f"{where} MIRecord {n}").get("NameValue"), f"{where} NameValue")
        record: Record = {}
        for pair in pairs:
            item = _mapping(pair, f"{where} MIRecord {n} NameValue")
            name = _text(item.get("Name"))
            if name is None:
                raise ValidationError(f"{where} MIRecord {n}: a NameValue has no Name")
            record[name] = _trim(item.get("Value"), f"{where} MIRecord {n} {name}")
        records.append(record)
    result = MiResult(_text(body.get("Transaction")) or transaction, tuple(records))
    return MiResponse(_text(body.get("Program")) or program, (result,), successful=1, status=status)


def _top_level_error(body: Mapping[str, Any], transaction: str) -> MiResult | None:
    """The error of an m3api-rest v2 HTTP 400: errorMessage etc. at the top level."""
    if not any(k in body for k in ("errorMessage", "errorType", "errorCode")):
        return None
    return MiResult(
        transaction=transaction,
        error_message=_text(body.get("errorMessage")) or "failed without a message",
        error_type=_text(body.get("errorType")),
        error_code=_text(body.get("errorCode")),
        error_field=_text(body.get("errorField")),
    )


def read_mi_body(body: Any, *, program: str, transaction: str, status: int = 200) -> MiResponse:
    """Read a decoded MI answer (v2 ``results``, a v2 top-level error or legacy v1
    ``MIRecord``/``ErrorMessage``) into a response; any other shape is a ValidationError."""
    where = f"M3 {program}/{transaction} answer"
    body = _mapping(body, where)
    if "results" not in body:
        if any(k in body for k in ("MIRecord", "@type", "Message", "ErrorMessage")):
            return _v1_response(body, program, transaction, status)
        top = _top_level_error(body, transaction)
        if top is not None:
            return MiResponse(program, (top,), failed=1, status=status)
        raise ValidationError(f"{where}: no 'results' in the MI answer (keys: {sorted(body)[:8]})")
    results = tuple(
        _v2_result(r, transaction, f"{where} result {n}")
        for n, r in enumerate(_list(body.get("results"), f"{where} results"), 1)
    )
    return MiResponse(
        program=program,
        results=results,
        was_terminated=_bool(body.get("wasTerminated"), f"{where} wasTerminated"),
        termination_reason=_text(body.get("terminationReason")),
        termination_error_type=_text(body.get("terminationErrorType")),
        # The API spells it with a double l.
        successful=_int(body.get("nrOfSuccessfullTransactions"), f"{where} nrOfSuccessful"),
        failed=_int(body.get("nrOfFailedTransactions"), f"{where} nrOfFailedTransactions"),
        not_processed=_int(body.get("nrOfNotProcessedTransactions"), f"{where} nrOfNotProcessed"),
        bulk_job_id=_text(body.get("bulkJobId")),
        status=status,
    )


def read_mi_bytes(
    content: bytes, *, program: str, transaction: str, status: int = 200
) -> MiResponse:
    """Decode (bounded: size, depth, number size) and read an MI answer's bytes."""
    where = f"M3 {program}/{transaction} answer"
    body = loads_json(content, what=where, max_bytes=MAX_MI_BYTES)
    return read_mi_body(body, program=program, transaction=transaction, status=status)


def _request_id(response: httpx2.Response) -> str | None:
    value: str | None = response.headers.get("x-request-id")
    return value


def _http_failure(response: httpx2.Response, program: str, transaction: str) -> MiError:
    """An MI error for a 400/404: M3's refusal (v2 puts it at the top level of a 400), or an
    unknown program or transaction, or bad control values (a bare 400)."""
    mi: MiResponse | None = None
    try:
        mi = read_mi_bytes(
            response.content, program=program, transaction=transaction, status=response.status_code
        )
    except ValidationError:  # a bare 400 carries no MI body
        mi = None
    if mi is not None:
        errors = mi.errors()
        if errors:
            error = errors[0]
            error.request_id = error.request_id or _request_id(response)
            return error
    text = read_error_text(response).message
    return MiError(
        f"M3 answered HTTP {response.status_code}: {text[:300]}",
        program=program,
        transaction=transaction,
        status=response.status_code,
        error_type="TransactionNotFound" if response.status_code == 404 else None,
        hint=(
            "Check that the program and transaction exist in this M3 and are spelled "
            "exactly (names are case-sensitive), and that cono/divi are valid"
        ),
        request_id=_request_id(response),
    )


def parse_mi_response(response: httpx2.Response, program: str, transaction: str) -> MiResponse:
    """The :class:`MiResponse` in ``response``; HTTP 400/404 raise :class:`MiError`.

    A body that is not a readable MI answer (not JSON, a wrong shape, too big or too deep)
    raises :class:`~amazon_erp_bridge.errors.ValidationError` naming the transaction.
    """
    if response.status_code != 200:
        raise _http_failure(response, program, transaction)
    return read_mi_bytes(response.content, program=program, transaction=transaction, status=200)


# ------------------------------------------------------------------------ call builders
def control_params(
    *,
    cono: str | int | None = None,
    divi: str | None = None,
    max_records: int | None = 0,
    return_cols: Sequence[str] | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The lower-case control parameters of an execute call (``maxrecs=0``: no limit)."""
    params: dict[str, str] = {}
    if cono is not None and str(cono) != "":
        params["cono"] = str(cono)
    if divi is not None:
        params["divi"] = divi
    if max_records is not None:
        if max_records < 0:
            raise ValidationError(f"max_records must be >= 0 (0 = no limit), got {max_records}")
        params["maxrecs"] = str(max_records)
    if return_cols:
        params["returncols"] = ",".join(return_cols)
    params.update(extra or {})
    return params


def _check_name(kind: str, name: str) -> str:
    if not isinstance(name, str) or not name or not name.isalnum():
        raise ValidationError(f"MI {kind} name must be letters and digits, got {name!r}")
    return name


def execute_response(
    program: str,
    transaction: str,
    record: Mapping[str, FieldValue] | None = None,
    *,
    cono: str | int | None = None,
    divi: str | None = None,
    max_records: int | None = 0,
    return_cols: Sequence[str] | None = None,
    idempotent: bool | None = None,
    extra_params: Mapping[str, str] | None = None,
) -> Call[MiResponse]:
    """One MI transaction; the call parses to the whole :class:`MiResponse` (never raises NOK)."""
    _check_name("program", program)
    _check_name("transaction", transaction)
    fields = to_m3_record(record)
    clash = [k for k in fields if k.islower()]
    if clash:
        raise ValidationError(
            f"{program}/{transaction}: MI field names are upper-case; {clash} would be taken "
            "for control parameters (use cono=/divi=/max_records=/return_cols=)"
        )
    params = {
        **fields,
        **control_params(
            cono=cono,
            divi=divi,
            max_records=max_records,
            return_cols=return_cols,
            extra=extra_params,
        ),
    }

    def parse(response: httpx2.Response) -> MiResponse:
        return parse_mi_response(response, program, transaction)

    return Call(
        "GET",
        f"{M3_API_PATH}/{program}/{transaction}",
        parse=parse,
        params=params,
        limit_key=MI_LIMIT_KEY,
        idempotent=is_read(transaction) if idempotent is None else idempotent,
        ok_statuses=_MI_OK_STATUSES,
    )


def execute(
    program: str,
    transaction: str,
    record: Mapping[str, FieldValue] | None = None,
    *,
    cono: str | int | None = None,
    divi: str | None = None,
    max_records: int | None = 0,
    return_cols: Sequence[str] | None = None,
    idempotent: bool | None = None,
    extra_params: Mapping[str, str] | None = None,
) -> Call[list[Record]]:
    """One MI transaction; parses to its records and raises :class:`MiError` on any NOK."""
    return execute_response(
        program,
        transaction,
        record,
        cono=cono,
        divi=divi,
        max_records=max_records,
        return_cols=return_cols,
        idempotent=idempotent,
        extra_params=extra_params,
    ).then(lambda r: r.raise_for_errors().records)


@frozen
class MiPage:
    """One page of a list: its records and where the next page starts (None: no more)."""

    records: tuple[Record, ...]
    next_position: str | None = None


def execute_page(
    program: str,
    transaction: str,
    record: Mapping[str, FieldValue] | None = None,
    *,
    page_size: int,
    position: str | None = None,
    cono: str | int | None = None,
    divi: str | None = None,
    return_cols: Sequence[str] | None = None,
) -> Call[MiPage]:
    """One page of a list transaction: ``maxrecs=page_size`` from ``position``.

    The position goes in the ``positionkey`` request header; the next one is read from the
    answer's ``positionkey`` header (absent on the last page). NOKs raise :class:`MiError`.
    """
    if not isinstance(page_size, int) or isinstance(page_size, bool) or page_size < 1:
        raise ValidationError(f"{program}/{transaction}: page_size must be >= 1, got {page_size!r}")
    base = execute_response(
        program,
        transaction,
        record,
        cono=cono,
        divi=divi,
        max_records=page_size,
        return_cols=return_cols,
    )

    def parse(response: httpx2.Response) -> MiPage:
        records = base.parse(response).raise_for_errors().records
        following = response.headers.get(POSITION_HEADER) or None
        if following is not None and (len(following) > 200 or not following.isprintable()):
            raise ValidationError(
                f"M3 {program}/{transaction} answer: unreadable {POSITION_HEADER} header"
            )
        return MiPage(tuple(records), following if len(records) >= page_size else None)

    headers = {POSITION_HEADER: position} if position else {}
    return Call(
        "GET",
        base.path,
        parse=parse,
        params=base.params,
        headers=headers,
        limit_key=MI_LIMIT_KEY,
        idempotent=True,
        ok_statuses=_MI_OK_STATUSES,
    )


def _bulk_transaction(item: MiTransaction | tuple[str, Mapping[str, FieldValue]]) -> MiTransaction:
    if isinstance(item, MiTransaction):
        return item
    name, record = item
    return MiTransaction(name, to_m3_record(record))


def bulk(
    program: str,
    transactions: Sequence[MiTransaction | tuple[str, Mapping[str, FieldValue]]],
    *,
    cono: str | int | None = None,
    divi: str | None = None,
    max_records: int | None = 0,
    idempotent: bool | None = None,
) -> Call[MiResponse]:
    """Many transactions of one program in one request; parses to the whole response.

    The caller decides what a partial failure means (``.raise_for_errors()``, ``.errors()``).
    """
    _check_name("program", program)
    items = [_bulk_transaction(t) for t in transactions]
    if not items:
        raise ValidationError(f"{program}: a bulk request needs at least one transaction")
    body: dict[str, Any] = {
        "program": program,
        "transactions": [
            {
                "transaction": _check_name("transaction", t.transaction),
                "record": dict(t.record),
                **({"selectedColumns": list(t.return_cols)} if t.return_cols else {}),
            }
            for t in items
        ],
    }
    if cono is not None and str(cono) != "":
        body["cono"] = int(cono) if str(cono).isdigit() else str(cono)
    if divi is not None:
        body["divi"] = divi
    if max_records is not None:
        body["maxReturnedRecords"] = max_records
    reads_only = all(is_read(t.transaction) for t in items)
    label = items[0].transaction if len({t.transaction for t in items}) == 1 else "bulk"

    def parse(response: httpx2.Response) -> MiResponse:
        return parse_mi_response(response, program, label)

    return Call(
        "POST",
        M3_API_PATH,
        parse=parse,
        json=body,
        limit_key=MI_LIMIT_KEY,
        idempotent=reads_only if idempotent is None else idempotent,
        ok_statuses=_MI_OK_STATUSES,
    )


@frozen
class MiContext:
    """The company (``cono``) and division (``divi``) a client works in, applied to each call.

    None leaves the control parameter out, so M3 uses the user's default company/division.
    """

    cono: str | None = None
    divi: str | None = None

    def response(
        self,
        program: str,
        transaction: str,
        record: Mapping[str, FieldValue] | None = None,
        *,
        max_records: int | None = 0,
        return_cols: Sequence[str] | None = None,
        idempotent: bool | None = None,
    ) -> Call[MiResponse]:
        """:func:`execute_response` in this company and division."""
        return execute_response(
            program,
            transaction,
            record,
            cono=self.cono,
            divi=self.divi,
            max_records=max_records,
            return_cols=return_cols,
            idempotent=idempotent,
        )

    def call(
        self,
        program: str,
        transaction: str,
        record: Mapping[str, FieldValue] | None = None,
        *,
        max_records: int | None = 0,
        return_cols: Sequence[str] | None = None,
        idempotent: bool | None = None,
    ) -> Call[list[Record]]:
        """:func:`execute` in this company and division."""
        return execute(
            program,
            transaction,
            record,
            cono=self.cono,
            divi=self.divi,
            max_records=max_records,
            return_cols=return_cols,
            idempotent=idempotent,
        )

    def page(
        self,
        program: str,
        transaction: str,
        record: Mapping[str, FieldValue] | None = None,
        *,
        page_size: int,
        position: str | None = None,
        return_cols: Sequence[str] | None = None,
    ) -> Call[MiPage]:
        """:func:`execute_page` in this company and division."""
        return execute_page(
            program,
            transaction,
            record,
            page_size=page_size,
            position=position,
            cono=self.cono,
            divi=self.divi,
            return_cols=return_cols,
        )

    def bulk(
        self,
        program: str,
        transactions: Sequence[MiTransaction | tuple[str, Mapping[str, FieldValue]]],
        *,
        max_records: int | None = 0,
        idempotent: bool | None = None,
    ) -> Call[MiResponse]:
        """:func:`bulk` in this company and division."""
        return bulk(
            program,
            transactions,
            cono=self.cono,
            divi=self.divi,
            max_records=max_records,
            idempotent=idempotent,
        )


def read_gateway_error(response: httpx2.Response) -> ErrorInfo:
    """Error reader for ION gateway answers (401, 403, 429, 5xx): JSON message or text."""
    try:
        body = loads_json(response.content, what="ION API error answer", max_bytes=1024 * 1024)
    except ValidationError:
        return read_error_text(response)
    if isinstance(body, Mapping):
        for key in ("errorMessage", "error_description", "message", "error", "detail"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                code = body.get("error") if key != "error" else None
                return ErrorInfo(value.strip(), code=str(code) if code else None, details=None)
        results = body.get("results")
        if isinstance(results, list) and results and isinstance(results[0], Mapping):
            message = _text(results[0].get("errorMessage"))
            if message:
                return ErrorInfo(message, code=_text(results[0].get("errorType")))
    return read_error_text(response)


__all__ = [
    "M3_API_PATH",
    "MI_LIMIT_KEY",
    "POSITION_HEADER",
    "MiContext",
    "MiError",
    "MiPage",
    "MiResponse",
    "MiResult",
    "MiTransaction",
    "Record",
    "bulk",
    "control_params",
    "execute",
    "execute_page",
    "execute_response",
    "is_not_found",
    "is_read",
    "parse_mi_response",
    "read_gateway_error",
    "read_mi_body",
    "read_mi_bytes",
]
