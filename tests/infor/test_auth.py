import asyncio
import threading
from pathlib import Path

import httpx2
import pytest

from amazon_erp_bridge.core.redaction import Secret
from amazon_erp_bridge.errors import ApiError, AuthError, ConfigurationError
from amazon_erp_bridge.infor import IonApiConfig
from amazon_erp_bridge.infor.auth import (
    IonTokenSource,
    client_credentials_grant,
    password_grant,
    refresh_grant,
    revoke_call,
)
from amazon_erp_bridge.sandbox.infor.gateway import form_of

from .conftest import CUSTOMER, config_of, make_async_client, make_client

FIXTURES = Path(__file__).parent / "fixtures"


def get_customer(m3):
    return m3.execute("CRS610MI", "GetBasicData", {"CUNO": CUSTOMER})


def test_password_grant_sends_saak_as_is_and_client_credentials(fake):
    cfg = config_of(fake)
    call = password_grant(cfg)
    assert call.method == "POST" and call.path == cfg.token_url
    assert not call.authenticated and call.is_idempotent
    assert call.form == {
        "grant_type": "password",
        "username": fake.access_key,
        "password": fake.secret_key,
        "client_id": fake.client_id,
        "client_secret": fake.client_secret,
    }
    assert "#" in call.form["username"]  # TENANT#... untouched


def test_backend_file_cannot_use_the_password_grant(fake):
    with pytest.raises(ConfigurationError, match="backend service file"):
        password_grant(config_of(fake, service_account=False))
    grant = client_credentials_grant(config_of(fake, service_account=False))
    assert grant.form["grant_type"] == "client_credentials"


def test_refresh_and_revoke_use_http_basic(fake):
    cfg = config_of(fake)
    refresh = refresh_grant(cfg, Secret("rt-abc-123"))
    assert refresh.headers["Authorization"].startswith("Basic ")
    assert refresh.form == {"grant_type": "refresh_token", "refresh_token": "rt-abc-123"}
    revoke = revoke_call(cfg, Secret("at-abc-123"), "access_token")
    assert revoke.path == cfg.revoke_url
    assert revoke.form == {"token": "at-abc-123", "token_type_hint": "access_token"}


def test_token_parse_reads_recorded_shape(fake, clock):
    call = password_grant(config_of(fake), clock=clock)
    token = call.parse(httpx2.Response(200, content=(FIXTURES / "token_ok.json").read_bytes()))
    assert token.value.reveal() == "at-recorded-shape-0001"
    assert token.expires_at == clock() + 7200
    assert token.refresh_token.reveal() == "rt-recorded-shape-0001"


def test_invalid_client_recorded_shape_explains_usual_causes(fake):
    call = password_grant(config_of(fake))
    with pytest.raises(AuthError) as err:
        call.parse(
            httpx2.Response(401, content=(FIXTURES / "token_invalid_client.json").read_bytes())
        )
    text = str(err.value)
    assert err.value.status == 401 and err.value.code == "invalid_client"
    assert "Backend Service" in text and "service account" in text
    assert "invalid_client: Client authentication failed" in text


def test_one_grant_serves_many_calls(m3, fake):
    for _ in range(5):
        get_customer(m3)
    assert fake.grants == ["password"]


def test_token_is_refreshed_before_expiry_with_the_refresh_token(m3, fake, clock):
    get_customer(m3)
    clock.advance(7200 - 30)  # inside the refresh margin
    get_customer(m3)
    assert fake.grants == ["password", "refresh_token"]
    clock.advance(7200 - 30)
    get_customer(m3)  # the refresh answer had no refresh token: the old one is kept
    assert fake.grants == ["password", "refresh_token", "refresh_token"]


def test_without_refresh_tokens_a_new_grant_is_made(fake, clock):
    fake.issue_refresh_tokens = False
    m3 = make_client(fake, clock)
    get_customer(m3)
    clock.advance(7300)
    get_customer(m3)
    assert fake.grants == ["password", "password"]


def test_refused_refresh_token_falls_back_to_a_new_grant(m3, fake, clock):
    get_customer(m3)
    clock.advance(9 * 3600)  # refresh token expired too
    get_customer(m3)
    assert fake.grants == ["password", "refresh_token", "password"]


def test_token_expired_on_the_server_is_refreshed_once_and_the_call_repeated(m3, fake):
    get_customer(m3)
    fake.expire_tokens()
    assert get_customer(m3)[0]["CUNO"] == CUSTOMER
    assert fake.grants == ["password", "refresh_token"]


def test_token_refused_twice_is_an_api_error_401(fake, clock):
    m3 = make_client(fake, clock)
    get_customer(m3)
    fake.issue_refresh_tokens = False
    fake.token_lifetime = -10  # every new token is already expired on the server
    fake.expire_tokens()
    with pytest.raises(ApiError) as err:
        get_customer(m3)
    assert err.value.status == 401
    assert "expired" in str(err.value)


def test_wrong_service_account_keys_raise_auth_error_with_causes(fake, clock):
    data = fake.ionapi() | {"sask": "wrong-secret-key-value"}
    m3 = make_client(fake, clock, config=IonApiConfig.from_dict(data))
    with pytest.raises(AuthError) as err:
        get_customer(m3)
    text = str(err.value)
    assert err.value.status == 400 and err.value.code == "invalid_grant"
    assert "refused the password grant" in text
    assert "no service account exists" in text and "Backend Service" in text
    assert "wrong-secret-key-value" not in text


def test_backend_file_uses_client_credentials(fake, clock):
    m3 = make_client(fake, clock, config=config_of(fake, service_account=False))
    get_customer(m3)
    assert fake.grants == ["client_credentials"]


def test_backend_file_refused_says_it_has_no_service_account(fake, clock):
    fake.allow_client_credentials = False
    m3 = make_client(fake, clock, config=config_of(fake, service_account=False))
    with pytest.raises(AuthError, match=r"client_credentials grant.*no service account keys"):
        get_customer(m3)


def test_close_revokes_access_and_refresh_tokens(fake, clock):
    m3 = make_client(fake, clock)
    get_customer(m3)
    m3.close()
    assert fake.revoked == 2


def test_close_without_revoke_url_does_not_fail(fake, clock):
    data = {k: v for k, v in fake.ionapi().items() if k != "or"}
    m3 = make_client(fake, clock, config=IonApiConfig.from_dict(data))
    get_customer(m3)
    m3.close()
    assert fake.revoked == 0


def test_one_grant_for_many_threads(fake, clock):
    m3 = make_client(fake, clock)
    errors = []

    def work():
        try:
            get_customer(m3)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert fake.grants == ["password"]


async def test_one_grant_for_many_coroutines(fake, clock):
    am3 = make_async_client(fake, clock)
    results = await asyncio.gather(
        *(am3.execute("CRS610MI", "GetBasicData", {"CUNO": CUSTOMER}) for _ in range(8))
    )
    assert all(r[0]["CUNO"] == CUSTOMER for r in results)
    assert fake.grants == ["password"]
    await am3.aclose()
    assert fake.revoked == 2


def test_token_source_repr_shows_no_token(fake):
    source = IonTokenSource(config_of(fake))
    assert "no token yet" in repr(source)


def test_revoked_requests_carry_client_auth(fake, clock):
    m3 = make_client(fake, clock)
    get_customer(m3)
    sent = []
    m3.sender.hooks.append(lambda call, resp: sent.append(resp.request))
    m3.close()
    forms = [form_of(r.content) for r in sent]
    assert {f["token_type_hint"] for f in forms} == {"access_token", "refresh_token"}
    assert all(r.headers["authorization"].startswith("Basic ") for r in sent)
