"""Secrets of the .ionapi file and tokens never reach logs, reprs or exception text."""

import logging

import pytest

from amazon_erp_bridge.errors import AuthError, BridgeError
from amazon_erp_bridge.infor import IonApiConfig

from .conftest import CUSTOMER, HEAD, LINES, config_of, make_client


def secrets_of(fake):
    return [fake.client_secret, fake.secret_key, fake.access_key]


@pytest.mark.contracts_exempt("sends a request M3 refuses, on purpose")
def test_secrets_stay_out_of_logs_and_errors(fake, clock, caplog):
    caplog.set_level(logging.DEBUG, logger="amazon_erp_bridge")
    texts = []
    m3 = make_client(fake, clock)
    m3.execute("CRS610MI", "GetBasicData", {"CUNO": CUSTOMER})
    m3.customer_orders.ensure(HEAD, LINES)
    clock.advance(7200)
    fake.expire_tokens()
    m3.execute("CRS610MI", "GetBasicData", {"CUNO": CUSTOMER})
    for bad in ({"CUNO": "NOPE"}, {"CUOR": "X"}):
        with pytest.raises(BridgeError) as err:
            m3.execute("CRS610MI", "GetBasicData", bad)
        texts += [str(err.value), repr(err.value)]
    texts += [repr(m3), repr(m3.auth), repr(m3.config), str(m3.config.to_dict())]
    m3.close()

    wrong = IonApiConfig.from_dict(fake.ionapi() | {"sask": "a-wrong-secret-key-value"})
    with pytest.raises(AuthError) as err:
        make_client(fake, clock, config=wrong).execute("CRS610MI", "LstByNumber")
    texts += [str(err.value), repr(err.value)]

    issued = list(fake._tokens)  # access and refresh tokens handed out
    scanned = "\n".join(texts) + "\n" + caplog.text
    assert caplog.records, "expected debug logs to scan"
    for secret in [*secrets_of(fake), "a-wrong-secret-key-value", *issued]:
        assert secret not in scanned


def test_exception_built_with_a_secret_in_its_text_is_scrubbed(fake):
    cfg = config_of(fake)
    err = BridgeError(f"oops {cfg.client_secret.reveal()} and {fake.secret_key}")
    assert fake.client_secret not in str(err) and fake.secret_key not in str(err)
    assert "***" in str(err)


def test_token_request_logging_shows_no_form_values(fake, clock, caplog):
    caplog.set_level(logging.DEBUG)
    m3 = make_client(fake, clock)
    m3.execute("CRS610MI", "GetBasicData", {"CUNO": CUSTOMER})
    m3.close()
    for secret in secrets_of(fake):
        assert secret not in caplog.text
