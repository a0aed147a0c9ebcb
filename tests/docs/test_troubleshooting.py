"""The troubleshooting page quotes the library's real error messages, provoked here.

Each quoted message in docs/troubleshooting.md follows a marker ``<!-- error: NAME -->`` and is
a ```text block holding ``ErrorClass: message``; ``...`` stands for the parts that vary (request
ids, ports) and whitespace is compared loosely, so the page may wrap long messages. Every marker
must have a case here that raises exactly that message, and every case must be on the page.
The cases run in a fresh interpreter (this file run as a script), away from other tests' secrets.
"""

from __future__ import annotations

import builtins
import json
import re
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from attrs import evolve

from amazon_erp_bridge.amazon import SpApiClient, parse_settlement_report
from amazon_erp_bridge.core.retry import RetryPolicy
from amazon_erp_bridge.infor import IonApiConfig, M3Client
from amazon_erp_bridge.mapping import (
    GlAccount,
    GlAccountMap,
    GlRule,
    ItemCrosswalk,
    settlement_to_journal,
)
from amazon_erp_bridge.model import (
    ItemRef,
    JournalEntry,
    JournalLine,
    Money,
    Settlement,
    SettlementLine,
)
from amazon_erp_bridge.posting import ErpDocument, Poster, SqliteLedger
from amazon_erp_bridge.sandbox import Sandbox
from amazon_erp_bridge.sandbox.clients import spapi_credentials
from amazon_erp_bridge.sap import BusinessPartnerService, SalesOrderService, basic

PAGE = Path(__file__).resolve().parents[2] / "docs" / "troubleshooting.md"
_MARKED = re.compile(r"<!-- error: (?P<name>[\w-]+) -->\s*```text\n(?P<text>.*?)```", re.S)
US = "ATVPDKIKX0DER"
SINCE = datetime(2026, 1, 1, tzinfo=UTC)


def _no_sleep(_seconds: float) -> None:
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _orders(client: SpApiClient, **kw) -> None:
    list(client.orders.get_orders([US], **kw))


def _sales_order(material: str) -> dict:
    return {
        "SalesOrderType": "OR",
        "SalesOrganization": "1010",
        "DistributionChannel": "10",
        "OrganizationDivision": "00",
        "SoldToParty": "1700003",
        "PurchaseOrderByCustomer": "206-1111111-1111111",
        "TransactionCurrency": "GBP",
        "to_Item": {
            "results": [
                {
                    "SalesOrderItem": "10",
                    "Material": material,
                    "RequestedQuantity": "1",
                    "RequestedQuantityUnit": "EA",
                }
            ]
        },
    }


# -- the cases: each raises the error its page entry quotes --------------------------------


def lwa_invalid_grant(sandbox: Sandbox) -> None:
    sandbox.amazon.revoke_refresh_token()
    _orders(sandbox.spapi_client(), created_after=SINCE)


def lwa_invalid_client(sandbox: Sandbox) -> None:
    credentials = spapi_credentials(sandbox.amazon, client_secret="an-old-rotated-secret")
    _orders(sandbox.spapi_client(credentials=credentials), created_after=SINCE)


def rate_limited(sandbox: Sandbox) -> None:
    sandbox.amazon.router.faults.throttle = 10
    client = sandbox.spapi_client(sleep=_no_sleep, retry=RetryPolicy(max_attempts=3))
    _orders(client, created_after=SINCE)


def server_error(sandbox: Sandbox) -> None:
    sandbox.amazon.router.faults.fail = 10
    client = sandbox.spapi_client(sleep=_no_sleep, retry=RetryPolicy(max_attempts=3))
    client.reports.get_report("67941953463")


def connection_refused(sandbox: Sandbox) -> None:
    url = f"http://127.0.0.1:{_free_port()}"
    client = SpApiClient(
        spapi_credentials(sandbox.amazon),
        endpoint=url,
        lwa_endpoint=f"{url}/auth/o2/token",
        sleep=_no_sleep,
        retry=RetryPolicy(max_attempts=2),
    )
    client.reports.get_report("67941953463")


def pii_not_asked_for(sandbox: Sandbox) -> None:
    _orders(sandbox.spapi_client(), created_after=SINCE, included_data=["BUYER"])


def naive_datetime(sandbox: Sandbox) -> None:
    _orders(sandbox.spapi_client(), created_after=datetime(2026, 1, 1))


def settlement_does_not_reconcile(sandbox: Sandbox) -> None:
    columns = (
        "settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\ttotal-amount"
        "\tcurrency\ttransaction-type\torder-id\tamount-type\tamount-description\tamount"
    )
    rows = [
        "12345678901\t2026-03-01T00:00:00+00:00\t2026-03-15T00:00:00+00:00"
        "\t2026-03-17T00:00:00+00:00\t100.00\tUSD\t\t\t\t\t",
        "12345678901\t\t\t\t\t\tOrder\t111-1111111-1111111\tItemPrice\tPrincipal\t120.00",
        "12345678901\t\t\t\t\t\tOrder\t111-1111111-1111111\tItemFees\tCommission\t-18.00",
    ]
    parse_settlement_report("\n".join([columns, *rows]) + "\n")


def ion_token_refused(sandbox: Sandbox) -> None:
    config = evolve(
        IonApiConfig.from_dict(sandbox.ionapi(), source="<sandbox>"),
        client_secret="regenerated-since",
    )
    m3 = M3Client(config, transport=sandbox.ion.transport(), sleep=_no_sleep)
    m3.execute("CRS610MI", "GetBasicData", {"CUNO": "AMZUS"})


def ionapi_file_problems(sandbox: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "tenant.ionapi"
    path.write_text('{"ti": "ACME_PRD", "ci": "ACME_PRD~abc"}', encoding="utf-8")
    IonApiConfig.from_file(path)


def mi_record_does_not_exist(sandbox: Sandbox) -> None:
    sandbox.m3_client().execute("CRS610MI", "GetBasicData", {"CUNO": "AMZXX"})


def mi_mandatory_field(sandbox: Sandbox) -> None:
    sandbox.m3_client().execute("OIS100MI", "AddBatchHead", {"CUOR": "111-1111111-1111111"})


def sap_csrf_refused(sandbox: Sandbox) -> None:
    sandbox.sap.reject_csrf(2)
    SalesOrderService(sandbox.sap_client(sleep=_no_sleep)).create(_sales_order("SKU-MUG-01"))


def sap_logon_failed(sandbox: Sandbox) -> None:
    sap = sandbox.sap_client(auth=basic("BRIDGE_COMM", "not-the-password"), sleep=_no_sleep)
    BusinessPartnerService(sap).get("1700001")


def sap_bad_request(sandbox: Sandbox) -> None:
    SalesOrderService(sandbox.sap_client()).create(_sales_order("SKU-MUG-1"))


def unmapped_settlement_lines(sandbox: Sandbox) -> None:
    def usd(amount: str) -> Money:
        return Money.of(amount, "USD")

    lines = (
        SettlementLine("Order", "ItemPrice", "Principal", usd("20.00")),
        SettlementLine("Order", "ItemFees", "Commission", usd("-3.00")),
        SettlementLine("Order", "ItemFees", "Commission", usd("-1.50")),
        SettlementLine("Refund", "ItemPrice", "Principal", usd("-5.00")),
    )
    settlement = Settlement(
        settlement_id="12345678901",
        start=datetime(2026, 3, 1, tzinfo=UTC),
        end=datetime(2026, 3, 15, tzinfo=UTC),
        total=usd("10.50"),
        lines=lines,
    )
    sales_only = GlAccountMap(
        clearing=GlAccount("1290"), rules=[GlRule("Order", "ItemPrice", "*", GlAccount("4000"))]
    )
    settlement_to_journal(settlement, sales_only)


def item_not_found(sandbox: Sandbox) -> None:
    crosswalk = ItemCrosswalk(
        by_seller_sku={"SKU-MUG-01": "MUG01", "SKU-LAMP-02": "LAMP02"}, system="M3 item"
    )
    crosswalk.resolve(ItemRef("SKU-MUG-1"), record="order 114-4040404-0000001 line 1")


def unbalanced_journal(sandbox: Sandbox) -> None:
    JournalEntry(
        reference="12345678901",
        posting_date=date(2026, 3, 17),
        lines=(
            JournalLine("4000", Money.of("-10.00", "USD")),
            JournalLine("1290", Money.of("9.99", "USD")),
        ),
    )


def float_money(sandbox: Sandbox) -> None:
    Money.of(19.99, "USD")  # type: ignore[arg-type]


def currency_mismatch(sandbox: Sandbox) -> None:
    _ = Money.of("10.00", "USD") + Money.of("10.00", "EUR")


def replay_without_rebuild(sandbox: Sandbox) -> None:
    class Target:
        name = "m3"

        def find(self, source_id: str, payload: object) -> ErpDocument | None:
            return None

        def create(self, payload: object) -> ErpDocument:
            return ErpDocument("m3", "1")

    Poster(SqliteLedger(), Target()).replay("order.m3")


def no_pandas(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def without_pandas(name: str, *args, **kwargs):
        if name == "pandas":
            raise ImportError("No module named 'pandas'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without_pandas)
    unbalanced = Money.of("1.00", "USD")
    JournalEntry(
        reference="1",
        posting_date=date(2026, 3, 17),
        lines=(JournalLine("1290", unbalanced), JournalLine("4000", -unbalanced)),
    ).to_dataframe()


CASES: dict[str, Callable[..., None]] = {
    "lwa-invalid-grant": lwa_invalid_grant,
    "lwa-invalid-client": lwa_invalid_client,
    "rate-limited": rate_limited,
    "server-error": server_error,
    "connection-refused": connection_refused,
    "pii-not-asked-for": pii_not_asked_for,
    "naive-datetime": naive_datetime,
    "settlement-does-not-reconcile": settlement_does_not_reconcile,
    "ion-token-refused": ion_token_refused,
    "ionapi-file-problems": ionapi_file_problems,
    "mi-record-does-not-exist": mi_record_does_not_exist,
    "mi-mandatory-field": mi_mandatory_field,
    "sap-csrf-refused": sap_csrf_refused,
    "sap-logon-failed": sap_logon_failed,
    "sap-bad-request": sap_bad_request,
    "unmapped-settlement-lines": unmapped_settlement_lines,
    "item-not-found": item_not_found,
    "unbalanced-journal": unbalanced_journal,
    "float-money": float_money,
    "currency-mismatch": currency_mismatch,
    "replay-without-rebuild": replay_without_rebuild,
    "no-pandas": no_pandas,
}


def _quoted() -> dict[str, str]:
    quoted: dict[str, str] = {}
    for match in _MARKED.finditer(PAGE.read_text(encoding="utf-8")):
        assert match["name"] not in quoted, f"marker {match['name']} used twice"
        quoted[match["name"]] = match["text"]
    return quoted


def _pattern(quoted: str) -> re.Pattern[str]:
    words = " ".join(quoted.split())
    parts = [re.escape(part) for part in words.split("...")]
    return re.compile(r"\s*".join(["", ".*?".join(p.replace(r"\ ", r"\s+") for p in parts), ""]))


def _message(exc: BaseException) -> str:
    return " ".join(f"{type(exc).__name__}: {exc}".split())


def provoke_all() -> dict[str, str]:
    """Each case's message. Run in a fresh interpreter: secrets that other tests register are
    scrubbed from every message in their process, which would garble a common word here."""
    messages: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, case in CASES.items():
            extra = {"tmp_path": Path(tmp), "monkeypatch": pytest.MonkeyPatch()}
            wanted = {k: v for k, v in extra.items() if k in case.__code__.co_varnames}
            try:
                case(Sandbox(), **wanted)
            except Exception as exc:
                messages[name] = _message(exc)
            else:
                messages[name] = "(no error raised)"
            finally:
                extra["monkeypatch"].undo()
    return messages


@pytest.fixture(scope="module")
def messages() -> dict[str, str]:
    done = subprocess.run(
        [sys.executable, __file__],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=PAGE.parents[1],
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_every_quoted_message_has_a_case_and_every_case_is_quoted():
    assert set(_quoted()) == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_page_quotes_the_real_message(name, messages):
    quoted = _quoted()[name]
    assert _pattern(quoted).fullmatch(messages[name]), (
        f"the page quotes:\n{quoted}\nthe library says:\n{messages[name]}"
    )


if __name__ == "__main__":
    print(json.dumps(provoke_all()))
