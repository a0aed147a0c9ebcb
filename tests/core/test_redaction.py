import logging

import httpx2
import pytest

from amazon_erp_bridge.core.auth import AccessToken, TokenSource
from amazon_erp_bridge.core.call import Call
from amazon_erp_bridge.core.redaction import MASK, Secret, redact, redact_data, register_secret
from amazon_erp_bridge.core.sender import SyncSender
from amazon_erp_bridge.errors import ApiError, BridgeError

SECRET = "Atza|IwEBIExampleRefreshTokenValue"
TOKEN = "Atza|AccessTokenThatMustNeverLeak"


def test_secret_never_shows_itself():
    s = Secret("hunter2-long")
    assert "hunter2" not in repr(s)
    assert "hunter2" not in str(s)
    assert "hunter2" not in f"{s}"
    assert s.reveal() == "hunter2-long"


def test_registered_secrets_are_scrubbed_from_text():
    register_secret("super-secret-value")
    assert redact("token=super-secret-value;") == f"token={MASK};"


def test_short_values_are_not_registered():
    register_secret("ab")
    assert redact("ab cab") == "ab cab"


def test_exception_messages_are_scrubbed():
    register_secret(SECRET)
    err = BridgeError(f"refresh with {SECRET} failed")
    assert SECRET not in str(err)
    assert MASK in str(err)


def test_structured_data_masks_sensitive_keys_and_secrets():
    register_secret(TOKEN)
    data = {
        "BuyerEmail": "a@b.example",
        "nested": [{"access_token": "x", "note": f"bearer {TOKEN}"}],
        "OrderTotal": {"Amount": "10.00"},
    }
    out = redact_data(data)
    assert out["BuyerEmail"] == MASK
    assert out["nested"][0]["access_token"] == MASK
    assert TOKEN not in out["nested"][0]["note"]
    assert out["OrderTotal"] == {"Amount": "10.00"}


def test_secrets_never_reach_logs_or_errors(caplog):
    """Drive a full exchange that logs at DEBUG and fails, then scan everything captured."""
    register_secret(SECRET)

    def handler(request: httpx2.Request) -> httpx2.Response:
        if request.url.path == "/token":
            return httpx2.Response(200, json={"access_token": TOKEN, "expires_in": 3600})
        # A careless server echoing the credential back in its error body.
        return httpx2.Response(400, text=f"bad token {request.headers['x-amz-access-token']}")

    def fetch(previous):
        return Call(
            "POST",
            "/token",
            form={"refresh_token": SECRET},
            authenticated=False,
            parse=lambda r: AccessToken(r.json()["access_token"], expires_at=None),
        )

    source = TokenSource(fetch, header="x-amz-access-token", template="{}")
    s = SyncSender(
        "https://x.test", service="t", auth=[source], transport=httpx2.MockTransport(handler)
    )
    logger = logging.getLogger("amazon_erp_bridge.test")
    from amazon_erp_bridge.core.redaction import install_log_filter

    install_log_filter(logger)
    with caplog.at_level(logging.DEBUG, logger="amazon_erp_bridge"):
        with pytest.raises(ApiError) as info:
            s.send(Call("GET", "/orders", parse=lambda r: None))
        logger.info("refresh token is %s and access token %s", SECRET, TOKEN)
    captured = caplog.text + str(info.value) + repr(info.value) + repr(source)
    assert SECRET not in captured
    assert TOKEN not in captured
    assert MASK in captured


def test_every_secret_stays_masked_as_groups_merge():
    tokens = [f"tok-{i:05d}-grp-secret" for i in range(300)]
    for i, token in enumerate(tokens):
        register_secret(token)
        # Interleaved redacts force a compile after each new secret.
        assert redact(f"a {tokens[i // 3]} b") == f"a {MASK} b"
    text = " ".join(tokens)
    assert redact(text) == " ".join([MASK] * len(tokens))
