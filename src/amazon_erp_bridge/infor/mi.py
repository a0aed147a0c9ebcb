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
from typing import Any

import httpx2
from attrs import field, frozen

from amazon_erp_bridge.core.call import Call
from amazon_erp_bridge.core.sender import ErrorInfo, json_body, read_error_text
from amazon_erp_bridge.errors import ApiError, ValidationError
from amazon_erp_bridge.infor.values import FieldValue, to_m3_record

#: Path of the MI REST API under the ION API base URL (``iu/ti``).
M3_API_PATH = "M3/m3api-rest/v2/execute"
#: The one rate-limit key for MI calls: ION counts a tenant's calls together.
MI_LIMIT_KEY = "ion.m3api"
#: Statuses the MI parser reads itself (the rest go to the sender's retry and error handling).
_MI_OK_STATUSES = frozenset({200, 400, 404})

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


_INPUT_ERRORS = frozenset({"MandatoryInputFieldNotFound", "InputFieldTooLong"})


def is_not_found(error: MiError, key_field: str | None = None) -> bool:
    """True if ``error`` is M3 saying the record asked for does not exist.

    M3 words this as "... does not exist" (NOK in an HTTP 200), naming the key field.
    """
    if error.status != 200 or error.error_type in _INPUT_ERRORS:
        return False
    return "not exist" in error.mi_message.lower() or (
        key_field is not None and error.field == key_field
    )


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
def _trim(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.rstrip()
    return str(value)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _int(value: Any) -> int:
    if value is None or value == "":
        return 0
    return int(value)


def _record(raw: Any) -> Record:
    if not isinstance(raw, Mapping):
        raise ValueError(f"an MI record must be an object, got {type(raw).__name__}")
    return {str(k): _trim(v) for k, v in raw.items()}


def _v2_result(raw: Mapping[str, Any], default_transaction: str) -> MiResult:
    return MiResult(
        transaction=str(raw.get("transaction") or default_transaction),
        records=tuple(_record(r) for r in raw.get("records") or ()),
        error_message=_text(raw.get("errorMessage")),
        error_type=_text(raw.get("errorType")),
        error_code=_text(raw.get("errorCode")),
        error_field=_text(raw.get("errorField")),
        not_processed=bool(raw.get("notProcessed", False)),
    )


def _v1_response(
    body: Mapping[str, Any], program: str, transaction: str, status: int
) -> MiResponse:
    if "@type" in body or ("Message" in body and "MIRecord" not in body):
        result = MiResult(
            transaction=str(body.get("Transaction") or transaction),
            error_message=_text(body.get("Message")) or "failed without a message",
            error_type=_text(body.get("@type")),
            error_code=_text(body.get("@code")),
            error_field=_text(body.get("@field")),
        )
        return MiResponse(program, (result,), failed=1, status=status)
    records = []
    for row in body.get("MIRecord") or ():
        pairs = row.get("NameValue") or ()
        records.append({str(p["Name"]): _trim(p.get("Value")) for p in pairs})
    result = MiResult(str(body.get("Transaction") or transaction), tuple(records))
    return MiResponse(str(body.get("Program") or program), (result,), successful=1, status=status)


def read_mi_body(body: Any, *, program: str, transaction: str, status: int = 200) -> MiResponse:
    """Read a decoded MI answer (v2 ``results`` or legacy v1 ``MIRecord``) into a response."""
    if not isinstance(body, Mapping):
        raise ValueError(f"expected a JSON object, got {type(body).__name__}")
    if "results" not in body and ("MIRecord" in body or "@type" in body or "Message" in body):
        return _v1_response(body, program, transaction, status)
    raw_results = body.get("results")
    if raw_results is None:
        raise ValueError("no 'results' in the MI answer")
    results = tuple(_v2_result(r, transaction) for r in raw_results)
    return MiResponse(
        program=program,
        results=results,
        was_terminated=bool(body.get("wasTerminated", False)),
        termination_reason=_text(body.get("terminationReason")),
        termination_error_type=_text(body.get("terminationErrorType")),
        # The API spells it with a double l.
        successful=_int(body.get("nrOfSuccessfullTransactions")),
        failed=_int(body.get("nrOfFailedTransactions")),
        not_processed=_int(body.get("nrOfNotProcessedTransactions")),
        bulk_job_id=_text(body.get("bulkJobId")),
        status=status,
    )


def _request_id(response: httpx2.Response) -> str | None:
    value: str | None = response.headers.get("x-request-id")
    return value


def _http_failure(response: httpx2.Response, program: str, transaction: str) -> MiError:
    """An MI error for a 400/404: an unknown program or transaction, or bad control values."""
    mi: MiResponse | None = None
    try:
        mi = read_mi_body(
            json_body(response),
            program=program,
            transaction=transaction,
            status=response.status_code,
        )
    except Exception:  # a bare 400 carries no MI body
        mi = None
    if mi is not None:
        errors = mi.errors()
        if errors:
            return errors[0]
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
    """The :class:`MiResponse` in ``response``; HTTP 400/404 raise :class:`MiError`."""
    if response.status_code != 200:
        raise _http_failure(response, program, transaction)
    return read_mi_body(json_body(response), program=program, transaction=transaction, status=200)


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
        body = json_body(response)
    except ValueError:
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
    "MiContext",
    "MiError",
    "MiResponse",
    "MiResult",
    "MiTransaction",
    "Record",
    "bulk",
    "control_params",
    "execute",
    "execute_response",
    "is_not_found",
    "is_read",
    "parse_mi_response",
    "read_gateway_error",
    "read_mi_body",
]
