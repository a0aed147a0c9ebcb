"""Bad MI answers and bad .ionapi files become typed errors, fast (issue 15, M3 parts)."""

import contextlib
import json
import time

import httpx2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amazon_erp_bridge.errors import BridgeError, ConfigurationError, ValidationError
from amazon_erp_bridge.infor import IonApiConfig, MiError, check_ionapi, mi


def parse(body: bytes, status: int = 200):
    return mi.parse_mi_response(httpx2.Response(status, content=body), "OIS100MI", "LstHead")


MALFORMED = [
    b"{}",
    b"[]",
    b"null",
    b"42",
    b'"text"',
    b'{"results": {}}',
    b'{"results": [1]}',
    b'{"results": [{"records": {}}]}',
    b'{"results": [{"records": [1]}]}',
    b'{"results": [{"records": [{"A": {"B": 1}}]}]}',
    b'{"results": [{"records": [{"A": [1]}]}]}',
    b'{"results": [{"records": [{"A": true}]}]}',
    b'{"results": [], "nrOfFailedTransactions": "x"}',
    b'{"results": [], "wasTerminated": "maybe"}',
    b'{"results": [{"notProcessed": 3}]}',
    b'{"MIRecord": {}}',
    b'{"MIRecord": [{"NameValue": [{"Value": "x"}]}]}',
    b'{"MIRecord": [1]}',
    b'{"ErrorMessage": "flat"}',
    b"\xff\xfe{",
    b"{",
    b"[" * 100_000,
]


@pytest.mark.parametrize("body", MALFORMED)
def test_malformed_mi_answers_are_validation_errors(body):
    with pytest.raises(ValidationError, match="OIS100MI/LstHead"):
        parse(body)


def test_a_huge_transaction_count_is_refused_fast():
    start = time.perf_counter()
    with pytest.raises(ValidationError):
        parse(b'{"results": [], "nrOfFailedTransactions": 1e350000}')
    with pytest.raises(ValidationError, match="transaction count"):
        parse(b'{"results": [], "nrOfFailedTransactions": 99999999999999999999}')
    assert time.perf_counter() - start < 1


def test_v1_error_wrapped_in_error_message_is_an_error():
    body = {
        "ErrorMessage": {
            "@code": "XRE0103",
            "@field": "CUNO",
            "@type": "ServerReturnedNOK",
            "Message": "Record does not exist",
        }
    }
    with pytest.raises(MiError) as err:
        parse(json.dumps(body).encode()).raise_for_errors()
    assert err.value.field == "CUNO" and err.value.is_not_found()


def test_v2_http_400_carries_its_field_and_is_not_found():
    body = b'{"errorMessage": "Record does not exist", "errorField": "CUNO", "errorType": "ServerReturnedNOK"}'
    with pytest.raises(MiError) as err:
        parse(body, 400)
    assert err.value.status == 400 and err.value.field == "CUNO"
    assert err.value.is_not_found() and err.value.is_not_found("CUNO")
    assert not err.value.is_not_found("ORNO")


def test_a_bare_400_is_an_mi_error_not_found_false():
    with pytest.raises(MiError) as err:
        parse(b"Bad Request", 400)
    assert not err.value.is_not_found()


def test_mandatory_field_400_is_not_not_found():
    body = b'{"errorMessage": "Record does not exist", "errorType": "MandatoryInputFieldNotFound"}'
    with pytest.raises(MiError) as err:
        parse(body, 400)
    assert not err.value.is_not_found()


@settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_any_bytes_as_an_mi_answer_give_a_result_or_a_bridge_error(body):
    for status in (200, 400):
        with contextlib.suppress(BridgeError):
            parse(body, status)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
mi_like = st.fixed_dictionaries(
    {},
    optional={
        "results": st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    "records": st.lists(
                        st.dictionaries(st.text(max_size=5), json_values), max_size=3
                    )
                    | json_values,
                    "errorMessage": json_values,
                    "notProcessed": json_values,
                },
            )
            | json_values,
            max_size=3,
        )
        | json_values,
        "nrOfFailedTransactions": json_values,
        "wasTerminated": json_values,
        "MIRecord": json_values,
        "ErrorMessage": json_values,
    },
)


@settings(max_examples=300, deadline=2000)
@given(mi_like)
def test_any_mi_shaped_json_gives_a_result_or_a_bridge_error(body):
    try:
        response = parse(json.dumps(body).encode())
        response.errors()
        response.records  # noqa: B018
    except BridgeError:
        pass


# ---------------------------------------------------------------------------- .ionapi
@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"ci": "a", "cs": "b", "ot": "t", "pu": "http://[::1"}', "'pu'"),
        ('{"ci": ' + "9" * 5000 + "}", "is not JSON"),
        ("[" * 100_000, "nested deeper"),
        ('{"ci": "a", "cs": "b", "ot": "t", "pu": "https://h:99999/"}', "Port out of range"),
        ('{"ci": 1e400, "cs": "b", "ot": "t", "pu": "https://h/"}', "1e400"),
    ],
)
def test_bad_ionapi_files_are_configuration_errors_naming_file_and_field(tmp_path, text, words):
    path = tmp_path / "bad.ionapi"
    path.write_text(text)
    with pytest.raises(ConfigurationError) as err:
        IonApiConfig.from_file(path)
    assert str(path) in str(err.value) and words in str(err.value)
    check = check_ionapi(path)
    assert not check.ok and any(words in p for p in check.problems)


@settings(max_examples=300, deadline=2000)
@given(json_values)
def test_any_json_as_ionapi_gives_a_config_or_a_configuration_error(value):
    with contextlib.suppress(ConfigurationError):
        IonApiConfig.from_json(json.dumps(value))


@settings(
    max_examples=100, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=500))
def test_check_ionapi_never_raises(tmp_path, content):
    path = tmp_path / "any.ionapi"
    path.write_bytes(content)
    check = check_ionapi(path)
    assert check.ok or check.problems
