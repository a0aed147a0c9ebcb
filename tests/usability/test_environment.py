"""Credentials from the environment (issue #19): python-amazon-sp-api's variable names for
SP-API, ION_API_FILE / ION_API_CONFIG for M3, SAP_* for SAP; every missing variable named; the
OS keyring optional; no secret in a log, a repr or an error."""

from __future__ import annotations

import json
import logging
import sys
import types

import pytest

from amazon_erp_bridge.amazon import AsyncSpApiClient, LwaCredentials, SpApiClient
from amazon_erp_bridge.errors import ConfigurationError
from amazon_erp_bridge.infor import IonApiConfig
from amazon_erp_bridge.sandbox import Sandbox
from amazon_erp_bridge.sap import AsyncODataClient, ODataClient, SalesOrderService

SP_SECRETS = ("LWA_CLIENT_SECRET", "SP_API_REFRESH_TOKEN")


@pytest.fixture
def sandbox():
    with Sandbox(seed=7) as box:
        yield box


def spapi_env(box: Sandbox) -> dict[str, str]:
    fake = box.amazon
    return {
        "SP_API_REFRESH_TOKEN": fake.REFRESH_TOKEN,
        "LWA_APP_ID": fake.CLIENT_ID,
        "LWA_CLIENT_SECRET": fake.CLIENT_SECRET,
        "SP_API_REGION": "NA",
        "SP_API_ENDPOINT": fake.BASE_URL,
        "SP_API_LWA_ENDPOINT": fake.BASE_URL + "/auth/o2/token",
        "SP_API_SELLING_PARTNER_ID": "A1SELLER",
    }


def test_spapi_client_from_env_reads_python_amazon_sp_api_names(sandbox, caplog):
    env = spapi_env(sandbox)
    caplog.set_level(logging.DEBUG, logger="amazon_erp_bridge")
    with SpApiClient.from_env(
        env, transport=sandbox.amazon.router.transport(), clock=sandbox.amazon.clock
    ) as client:
        assert client.region == "na"
        assert client.credentials.client_id == env["LWA_APP_ID"]
        order_id = next(iter(sandbox.amazon.state.orders))
        assert client.orders.get_order(order_id).order_id == order_id
        shown = repr(client) + repr(client.credentials)
    assert sandbox.amazon.router.requests[0].path == "/auth/o2/token"
    for name in SP_SECRETS:
        assert env[name] not in caplog.text, f"{name} was logged"
        assert env[name] not in shown, f"{name} is in a repr"


async def test_async_spapi_client_from_env(sandbox):
    client = AsyncSpApiClient.from_env(
        spapi_env(sandbox), transport=sandbox.amazon.router.transport(), clock=sandbox.amazon.clock
    )
    try:
        order_id = next(iter(sandbox.amazon.state.orders))
        assert (await client.orders.get_order(order_id)).order_id == order_id
    finally:
        await client.aclose() if hasattr(client, "aclose") else await client.close()


def test_keyword_arguments_win_over_the_environment(sandbox):
    client = SpApiClient.from_env(spapi_env(sandbox), endpoint="http://127.0.0.1:9/")
    assert client.base_url == "http://127.0.0.1:9"
    client.close()


def test_every_missing_spapi_variable_is_named_and_no_value_shown():
    env = {"LWA_APP_ID": "amzn1.application-oa2-client.x", "SP_API_REFRESH_TOKEN": "  "}
    with pytest.raises(ConfigurationError) as caught:
        SpApiClient.from_env(env)
    message = str(caught.value)
    assert "SP-API credentials from the environment" in message
    assert "SP_API_REFRESH_TOKEN" in message and "LWA_CLIENT_SECRET" in message
    assert "LWA_APP_ID" not in message and "amzn1.application" not in message
    with pytest.raises(ConfigurationError, match="LWA_APP_ID, LWA_CLIENT_SECRET"):
        LwaCredentials.from_env({"SP_API_REFRESH_TOKEN": "Atzr|x"})


def test_an_unknown_region_is_a_configuration_error(sandbox):
    with pytest.raises(ConfigurationError, match="region"):
        SpApiClient.from_env({**spapi_env(sandbox), "SP_API_REGION": "mars"})


def test_secrets_come_from_the_keyring_when_not_in_the_environment(monkeypatch, sandbox):
    env = spapi_env(sandbox)
    stored = {("bridge", name): env.pop(name) for name in SP_SECRETS}
    fake_keyring = types.SimpleNamespace(get_password=lambda s, n: stored.get((s, n)))
    monkeypatch.setitem(sys.modules, "keyring", fake_keyring)
    credentials = LwaCredentials.from_env(env, keyring_service="bridge")
    assert credentials.client_secret.reveal() == stored[("bridge", "LWA_CLIENT_SECRET")]
    with pytest.raises(ConfigurationError, match="LWA_CLIENT_SECRET.*keyring service 'other'"):
        LwaCredentials.from_env(env, keyring_service="other")


def test_keyring_not_installed_is_a_clear_error(monkeypatch, sandbox):
    env = spapi_env(sandbox)
    del env["LWA_CLIENT_SECRET"]
    monkeypatch.setitem(sys.modules, "keyring", None)  # import keyring -> ImportError
    with pytest.raises(ConfigurationError, match=r"keyring package is not installed.*\[keyring\]"):
        SpApiClient.from_env(env, keyring_service="bridge")


def test_ionapi_config_from_env_file_or_json(tmp_path, sandbox):
    contents = sandbox.ionapi()
    path = tmp_path / "m3.ionapi"
    path.write_text(json.dumps(contents), encoding="utf-8")
    from_file = IonApiConfig.from_env({"ION_API_FILE": str(path)})
    from_json = IonApiConfig.from_env({"ION_API_CONFIG": json.dumps(contents)})
    assert from_file.client_id == from_json.client_id == contents["ci"]
    assert from_json.source == "$ION_API_CONFIG"
    assert contents["cs"] not in repr(from_file) + repr(from_json)


def test_ionapi_config_from_env_names_both_variables_when_missing(tmp_path):
    with pytest.raises(ConfigurationError, match="ION_API_FILE.*ION_API_CONFIG"):
        IonApiConfig.from_env({})
    with pytest.raises(ConfigurationError, match="none.ionapi: no such .ionapi file"):
        IonApiConfig.from_env({"ION_API_FILE": str(tmp_path / "none.ionapi")})
    with pytest.raises(ConfigurationError, match="ION_API_CONFIG"):
        IonApiConfig.from_env({"ION_API_CONFIG": "{not json"})


def sap_env() -> dict[str, str]:
    from amazon_erp_bridge.sandbox.sap.fake import PASSWORD, USER

    return {
        "SAP_BASE_URL": "https://s4hana.sandbox.test",
        "SAP_USER": USER,
        "SAP_PASSWORD": PASSWORD,
        "SAP_CLIENT": "100",
    }


def test_sap_client_from_env_logs_on(sandbox, caplog):
    caplog.set_level(logging.DEBUG, logger="amazon_erp_bridge")
    env = sap_env()
    with ODataClient.from_env(env, transport=sandbox.sap.transport()) as client:
        assert client.sap_client == "100"
        assert SalesOrderService(client).find_by_purchase_order("NO-SUCH-PO") == []
        shown = repr(client)
    assert env["SAP_PASSWORD"] not in caplog.text + shown


def test_sap_client_from_env_with_a_wrong_client_is_refused(sandbox):
    from amazon_erp_bridge.errors import ApiError

    env = {**sap_env(), "SAP_CLIENT": "200"}
    client = ODataClient.from_env(env, transport=sandbox.sap.transport())
    with client, pytest.raises(ApiError, match="client '200' is not available"):
        SalesOrderService(client).find_by_purchase_order("NO-SUCH-PO")


async def test_async_sap_client_from_env(sandbox):
    client = AsyncODataClient.from_env(sap_env(), transport=sandbox.sap.transport())
    assert client.sap_client == "100"
    await client.aclose() if hasattr(client, "aclose") else await client.close()


def test_every_missing_sap_variable_is_named():
    with pytest.raises(ConfigurationError) as caught:
        ODataClient.from_env({"SAP_USER": "BRIDGE", "SAP_PASSWORD": "pw-123"})
    message = str(caught.value)
    assert "SAP connection from the environment: missing SAP_BASE_URL" in message
    assert "pw-123" not in message and "SAP_CLIENT" not in message


def test_from_env_reads_os_environ_by_default(monkeypatch):
    for name in ("SP_API_REFRESH_TOKEN", "LWA_APP_ID", "LWA_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LWA_APP_ID", "amzn1.application-oa2-client.x")
    with pytest.raises(ConfigurationError, match="SP_API_REFRESH_TOKEN, LWA_CLIENT_SECRET"):
        SpApiClient.from_env()
