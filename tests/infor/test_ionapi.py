import json
from pathlib import Path

import pytest

from amazon_erp_bridge.errors import ConfigurationError
from amazon_erp_bridge.infor import IonApiConfig, IonApiKind, check_ionapi

SAMPLE = Path(__file__).parents[2] / "examples" / "sample.ionapi"


def sample() -> dict:
    return json.loads(SAMPLE.read_text())


def write(tmp_path, data, name="tenant.ionapi"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def test_sample_file_reads_into_named_fields_and_urls():
    cfg = IonApiConfig.from_file(SAMPLE)
    assert cfg.kind is IonApiKind.SERVICE_ACCOUNT
    assert cfg.tenant == "EXAMPLE_TST"
    assert cfg.client_id == "EXAMPLE_TST~not-a-real-client-id"
    assert cfg.token_url == "https://mingle-sso.example.invalid:443/EXAMPLE_TST/as/token.oauth2"
    assert cfg.revoke_url == (
        "https://mingle-sso.example.invalid:443/EXAMPLE_TST/as/revoke_token.oauth2"
    )
    assert cfg.base_url == "https://mingle-ionapi.example.invalid/EXAMPLE_TST"
    assert cfg.authorize_url.endswith("/as/authorization.oauth2")
    assert cfg.extras == {"dt": "12", "ev": "U000000000", "v": "1.0"}
    assert cfg.source == str(SAMPLE)


def test_secrets_never_show_in_repr_str_or_masked_dict():
    cfg = IonApiConfig.from_file(SAMPLE)
    data = sample()
    shown = repr(cfg) + str(cfg) + json.dumps(cfg.to_dict())
    for key in ("cs", "saak", "sask"):
        assert data[key] not in shown
    assert cfg.to_dict(include_secrets=True)["sask"] == data["sask"]
    assert cfg.client_secret.reveal() == data["cs"]


def test_pu_without_trailing_slash_still_joins_token_path():
    data = sample() | {"pu": "https://sso.example.invalid/T/as"}
    assert IonApiConfig.from_dict(data).token_url == "https://sso.example.invalid/T/as/token.oauth2"


def test_backend_service_file_is_client_credentials_kind():
    data = {k: v for k, v in sample().items() if k not in ("saak", "sask")}
    cfg = IonApiConfig.from_dict(data)
    assert cfg.kind is IonApiKind.BACKEND_SERVICE
    assert "client credentials" in cfg.kind.describe()


def test_minimal_backend_file_without_iu_needs_base_url_and_says_so():
    data = {k: sample()[k] for k in ("cn", "ci", "cs", "pu", "ot")}
    cfg = IonApiConfig.from_dict(data, source="backend.ionapi")
    with pytest.raises(ConfigurationError, match=r"backend\.ionapi.*'iu' and 'ti'.*base_url="):
        _ = cfg.base_url


@pytest.mark.parametrize("key", ["ti", "ci", "cs", "iu", "pu", "ot"])
def test_missing_required_field_names_field_and_file(tmp_path, key):
    data = sample()
    del data[key]
    path = write(tmp_path, data)
    with pytest.raises(ConfigurationError) as err:
        IonApiConfig.from_file(path)
    assert f"'{key}'" in err.value.message
    assert "is missing" in err.value.message
    assert str(path) in err.value.message


def test_half_a_service_account_is_an_error_naming_the_missing_key():
    data = sample()
    del data["sask"]
    with pytest.raises(
        ConfigurationError, match=r"'sask' \(service account secret key\) is missing"
    ):
        IonApiConfig.from_dict(data)


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("ci", 12345, "'ci' (OAuth2 client id) must be a string, got a number 12345"),
        ("ti", ["A"], "'ti' (tenant identifier) must be a string, got a list"),
        ("pu", None, "'pu' (authorization server (SSO) base URL) must be a string, got null"),
        ("ot", True, "'ot' (token endpoint path) must be a string, got a boolean"),
    ],
)
def test_wrong_types_are_named(key, value, words):
    data = sample() | {key: value}
    with pytest.raises(ConfigurationError) as err:
        IonApiConfig.from_dict(data, source="t.ionapi")
    assert words in err.value.message
    assert err.value.message.startswith("t.ionapi: ")


def test_wrong_type_of_secret_does_not_quote_the_value():
    data = sample() | {"cs": 987654321}
    with pytest.raises(ConfigurationError) as err:
        IonApiConfig.from_dict(data)
    assert "'cs' (OAuth2 client secret) must be a string, got a number" in err.value.message
    assert "987654321" not in err.value.message


def test_every_problem_is_listed_at_once():
    data = sample()
    del data["ci"]
    data["iu"] = "not a url"
    data["cs"] = " padded "
    with pytest.raises(ConfigurationError) as err:
        IonApiConfig.from_dict(data, source="x.ionapi")
    text = err.value.message
    assert "3 problems" in text
    assert "'ci' (OAuth2 client id) is missing" in text
    assert "'iu' (ION API gateway URL) must be an http(s) URL, got 'not a url'" in text
    assert "'cs' (OAuth2 client secret) has spaces or a line break" in text
    assert " padded " not in text


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("", "is empty"),
        ("   \n", "is empty"),
        ("{not json", "Expecting property name"),
        ("ti=TENANT\ncs=abc", "is not JSON"),
        ("[1, 2]", "expected a JSON object, got a list"),
        ('"text"', "expected a JSON object, got str"),
    ],
)
def test_unreadable_files_say_what_is_wrong(tmp_path, content, words):
    path = write(tmp_path, content)
    with pytest.raises(ConfigurationError) as err:
        IonApiConfig.from_file(path)
    assert words in err.value.message
    assert str(path) in err.value.message


def test_utf8_bom_from_windows_downloads_is_accepted(tmp_path):
    path = tmp_path / "bom.ionapi"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(sample()).encode())
    assert IonApiConfig.from_file(path).tenant == "EXAMPLE_TST"


def test_non_utf8_file_is_refused(tmp_path):
    path = tmp_path / "latin.ionapi"
    path.write_bytes(b'{"ti": "\xff"}')
    with pytest.raises(ConfigurationError, match="is not UTF-8 text"):
        IonApiConfig.from_file(path)


def test_missing_file_and_directory_are_configuration_errors(tmp_path):
    with pytest.raises(ConfigurationError, match="no such .ionapi file"):
        IonApiConfig.from_file(tmp_path / "nope.ionapi")
    with pytest.raises(ConfigurationError, match="is a directory"):
        IonApiConfig.from_file(tmp_path)


def test_from_json_reads_text():
    assert IonApiConfig.from_json(json.dumps(sample())).source == "<json>"


def test_check_reports_ok_file_in_plain_words():
    report = check_ionapi(SAMPLE)
    assert report.ok
    text = report.describe()
    assert "OK, service account file" in text
    assert "tenant EXAMPLE_TST" in text
    assert "token URL: https://mingle-sso.example.invalid:443/EXAMPLE_TST/as/token.oauth2" in text
    assert "extra fields kept as given: dt, ev, v" in text
    assert str(report) == text
    for key in ("cs", "saak", "sask"):
        assert sample()[key] not in text


def test_check_lists_problems_without_raising(tmp_path):
    data = sample()
    del data["ot"]
    data["cs"] = 5
    report = check_ionapi(write(tmp_path, data))
    assert not report.ok
    assert report.kind is IonApiKind.SERVICE_ACCOUNT
    assert len(report.problems) == 2
    assert "2 problems" in report.describe()
    assert "'ot' (token endpoint path) is missing" in report.describe()


def test_check_of_unreadable_file_is_one_problem(tmp_path):
    report = check_ionapi(write(tmp_path, ""))
    assert report.problems and "is empty" in report.problems[0]
    assert report.kind is None
    assert "1 problem\n" in report.describe() + "\n"


def test_check_notes_backend_file_without_revoke_path(tmp_path):
    data = {k: v for k, v in sample().items() if k not in ("saak", "sask", "or")}
    report = check_ionapi(write(tmp_path, data))
    assert report.ok
    assert report.kind is IonApiKind.BACKEND_SERVICE
    assert "backend service file" in report.describe()
    assert any("not revoked" in n for n in report.notes)
