"""M3Client against the fake gateway: execute, bulk, errors, throttling, timeouts, real HTTP."""

import httpx2
import pytest

from amazon_erp_bridge.core.limiter import Rate, RateLimiter
from amazon_erp_bridge.errors import ApiError, RateLimitedError, TransportError
from amazon_erp_bridge.infor import M3Client, MiError, MiTransaction
from amazon_erp_bridge.sandbox.infor import FakeIonApi

from .conftest import CUSTOMER, config_of, make_client, retry_policy, seed


def test_execute_returns_records(m3):
    records = m3.execute("CRS610MI", "GetBasicData", {"CUNO": CUSTOMER})
    assert records[0]["CUNM"] == "Amazon.com marketplace"


def test_execute_sends_company_division_and_unlimited_maxrecs(m3, fake):
    m3.execute("CRS610MI", "LstByNumber", return_cols=["CUNO"])
    request = fake.router.requests[-1]
    assert request.arg("cono") == "100" and request.arg("divi") == "AAA"
    assert request.arg("maxrecs") == "0" and request.arg("returncols") == "CUNO"
    assert request.path == "/SANDBOX_TST/M3/m3api-rest/v2/execute/CRS610MI/LstByNumber"


def test_return_cols_and_max_records_shape_the_answer(m3):
    records = m3.execute("CRS610MI", "LstByNumber", max_records=1, return_cols=["CUNO"])
    assert records == [{"CUNO": "AMZ_UK"}]


def test_mi_error_of_a_v2_call_is_http_400_with_its_field(m3):
    with pytest.raises(MiError) as err:
        m3.execute("CRS610MI", "GetBasicData", {"CUNO": "NOPE"})
    assert err.value.status == 400 and err.value.field == "CUNO"
    assert err.value.is_not_found()
    assert err.value.field == "CUNO"
    assert "Customer number NOPE does not exist" in str(err.value)


@pytest.mark.contracts_exempt("sends a request M3 refuses, on purpose")
def test_missing_mandatory_field_is_named(m3):
    with pytest.raises(MiError) as err:
        m3.execute("OIS100MI", "AddBatchHead", {"CUOR": "X"})
    assert err.value.error_type == "MandatoryInputFieldNotFound"
    assert err.value.field == "CUNO"


@pytest.mark.contracts_exempt("sends a request M3 refuses, on purpose")
def test_field_too_long_is_named(m3):
    with pytest.raises(MiError) as err:
        m3.execute("OIS100MI", "AddBatchHead", {"CUNO": CUSTOMER, "CUOR": "X" * 21})
    assert err.value.error_type == "InputFieldTooLong" and err.value.field == "CUOR"


@pytest.mark.contracts_exempt("sends a request M3 refuses, on purpose")
def test_unknown_transaction_is_http_400_mi_error_with_hint(m3):
    with pytest.raises(MiError) as err:
        m3.execute("OIS100MI", "AddBatchHed", {"CUNO": CUSTOMER})
    assert err.value.status == 400
    assert "spelled exactly" in str(err.value)


def test_list_then_nok_keeps_records(m3, fake):
    fake.nok_after("CRS610MI", "LstByNumber", records=1, message="Record is locked")
    with pytest.raises(MiError) as err:
        m3.execute("CRS610MI", "LstByNumber")
    assert len(err.value.records) == 1
    assert "Record is locked" in err.value.mi_message


def test_terminated_request_raises(m3, fake):
    fake.terminate("CRS610MI", "GetBasicData", reason="MI program ended")
    with pytest.raises(MiError, match="terminated: MI program ended"):
        m3.execute("CRS610MI", "GetBasicData", {"CUNO": CUSTOMER})


def test_429_storm_is_retried_then_succeeds(m3, fake):
    m3.execute("CRS610MI", "GetBasicData", {"CUNO": CUSTOMER})  # token first
    fake.router.faults.throttle = 3
    fake.router.faults.retry_after = "2"
    assert m3.execute("CRS610MI", "GetBasicData", {"CUNO": CUSTOMER})
    throttled = [r for r in fake.router.requests if "GetBasicData" in r.path]
    assert len(throttled) == 5  # first call + 3 refused + 1 accepted


def test_429_storm_past_the_budget_is_rate_limited_error(fake, clock):
    m3 = make_client(fake, clock, retry=retry_policy(max_attempts=3))
    m3.execute("CRS610MI", "GetBasicData", {"CUNO": CUSTOMER})
    fake.router.faults.throttle = 10
    with pytest.raises(RateLimitedError) as err:
        m3.execute("CRS610MI", "GetBasicData", {"CUNO": CUSTOMER})
    assert err.value.status == 429
    assert "Rate limit exceeded" in str(err.value) or "quota" in str(err.value).lower()


def test_a_write_is_retried_after_429_because_m3_never_saw_it(m3, fake):
    m3.execute("CRS610MI", "GetBasicData", {"CUNO": CUSTOMER})
    fake.router.faults.throttle = 2
    m3.execute(
        "MMS025MI", "AddAlias", {"ALWT": "03", "ALWQ": "SKU", "ITNO": "TEE-01", "POPN": "TEE-2"}
    )
    assert sum(1 for a in fake.state.aliases if a["POPN"] == "TEE-2") == 1


def test_tenant_rate_switch_answers_429_and_client_backs_off(m3, fake):
    m3.execute("CRS610MI", "GetBasicData", {"CUNO": CUSTOMER})
    fake.rate_limit(per_second=1, burst=1)
    for _ in range(4):  # the fake clock advances by the sleeps the client takes
        m3.execute("CRS610MI", "GetBasicData", {"CUNO": CUSTOMER})
    statuses = [r for r in fake.router.requests if "GetBasicData" in r.path]
    assert len(statuses) > 5  # some were refused and sent again


def test_client_limiter_paces_calls_before_the_server_refuses(fake, clock):
    limiter = RateLimiter(default=Rate(1, 1), clock=clock)
    m3 = make_client(fake, clock, limiter=limiter)
    fake.rate_limit(per_second=1, burst=1)
    for _ in range(3):
        m3.execute("CRS610MI", "GetBasicData", {"CUNO": CUSTOMER})
    assert len([r for r in fake.router.requests if "GetBasicData" in r.path]) == 3


def test_5xx_on_a_read_is_retried(m3, fake):
    m3.execute("CRS610MI", "GetBasicData", {"CUNO": CUSTOMER})
    fake.router.faults.fail = 2
    fake.router.faults.fail_status = 503
    assert m3.execute("CRS610MI", "GetBasicData", {"CUNO": CUSTOMER})


def test_5xx_on_a_write_is_not_retried(m3, fake):
    m3.execute("CRS610MI", "GetBasicData", {"CUNO": CUSTOMER})
    fake.router.faults.fail = 1
    fake.router.faults.fail_status = 502
    with pytest.raises(ApiError) as err:
        m3.execute("OIS100MI", "AddBatchHead", {"CUNO": CUSTOMER})
    assert err.value.status == 502


def test_timeout_on_a_read_is_retried(m3, fake):
    m3.execute("CRS610MI", "GetBasicData", {"CUNO": CUSTOMER})
    fake.router.faults.drop = 1
    assert m3.execute("CRS610MI", "GetBasicData", {"CUNO": CUSTOMER})


def test_timeout_on_a_write_is_raised_not_repeated(m3, fake):
    m3.execute("CRS610MI", "GetBasicData", {"CUNO": CUSTOMER})
    fake.lose_reply("OIS100MI", "AddBatchHead")
    with pytest.raises(TransportError) as err:
        m3.execute("OIS100MI", "AddBatchHead", {"CUNO": CUSTOMER})
    assert err.value.timeout and err.value.sent
    assert "timed out" in str(err.value)
    assert len(fake.state.batch_orders) == 1  # M3 did it once; nobody did it twice


def test_bulk_runs_many_transactions_in_one_request(m3, fake):
    response = m3.execute_bulk(
        "MMS025MI",
        [
            ("AddAlias", {"ALWT": "03", "ALWQ": "SKU", "ITNO": "TEE-01", "POPN": "TEE-A"}),
            MiTransaction(
                "AddAlias", {"ALWT": "03", "ALWQ": "SKU", "ITNO": "TEE-01", "POPN": "TEE-B"}
            ),
            MiTransaction("LstAlias", {"ITNO": "TEE-01"}, return_cols=("POPN",)),
        ],
    )
    assert response.successful == 3
    assert {r["POPN"] for r in response.results[2].records} == {"TEE-SKU", "TEE-A", "TEE-B"}
    assert sum(1 for r in fake.router.requests if r.method == "POST" and "execute" in r.path) == 1


def test_bulk_partial_failure_raises_or_is_returned(m3):
    items = [
        ("AddAlias", {"ALWT": "03", "ALWQ": "SKU", "ITNO": "TEE-01", "POPN": "TEE-C"}),
        ("AddAlias", {"ALWT": "03", "ALWQ": "SKU", "ITNO": "NOPE", "POPN": "X"}),
    ]
    with pytest.raises(MiError, match="Item number NOPE does not exist"):
        m3.execute_bulk("MMS025MI", items[:1] + items[1:])
    response = m3.execute_bulk(
        "MMS025MI",
        [("AddAlias", {"ALWT": "03", "ALWQ": "SKU", "ITNO": "TEE-01", "POPN": "TEE-D"}), items[1]],
        raise_on_error=False,
    )
    assert (response.successful, response.failed) == (1, 1)


@pytest.mark.contracts_exempt("sends a request M3 refuses, on purpose")
def test_bulk_unknown_transaction_is_a_result_error(m3):
    response = m3.execute_bulk("MMS025MI", [("LstAliasez", {})], raise_on_error=False)
    assert response.errors()[0].error_type == "TransactionNotFound"


def test_bulk_terminated_marks_the_rest_not_processed(m3, fake):
    fake.terminate("MMS025MI", "LstAlias")
    response = m3.execute_bulk(
        "MMS025MI",
        [("LstAlias", {"ITNO": "TEE-01"}), ("LstAlias", {"ITNO": "MUG-01"})],
        raise_on_error=False,
    )
    assert response.was_terminated and response.results[1].not_processed
    assert "terminated" in str(response.errors()[-1])


def test_client_over_real_http_on_loopback_from_a_written_file(tmp_path, clock):
    from amazon_erp_bridge.infor import IonApiConfig

    fake = seed(FakeIonApi(clock=clock))
    with fake.serve() as server:
        assert server.url.startswith("http://127.0.0.1:")
        path = fake.write_ionapi(tmp_path / "sandbox.ionapi", server.url)
        with M3Client(
            IonApiConfig.from_file(path), cono=fake.cono, clock=clock, sleep=clock.sleep
        ) as m3:
            assert m3.execute("CRS610MI", "GetBasicData", {"CUNO": CUSTOMER})[0]["CUNO"] == (
                CUSTOMER
            )
            assert m3.items.get("MUG-01").name == "Coffee mug"
            with pytest.raises(MiError, match="does not exist"):
                m3.execute("MMS200MI", "GetItmBasic", {"ITNO": "NOPE"})
    assert fake.revoked == 2


def test_transport_error_when_nothing_listens(fake, clock):
    cfg = config_of(fake, "http://127.0.0.1:9")
    m3 = M3Client(
        cfg,
        clock=clock,
        sleep=clock.sleep,
        retry=retry_policy(max_attempts=2),
        http=httpx2.Client(timeout=1),
    )
    with pytest.raises(TransportError) as err:
        m3.execute("CRS610MI", "GetBasicData", {"CUNO": CUSTOMER})
    assert not err.value.sent


def test_repr_names_tenant_not_secrets(m3, fake):
    assert "SANDBOX_TST" in repr(m3)
    assert fake.client_secret not in repr(m3) + repr(m3.auth) + repr(m3.customer_orders)
