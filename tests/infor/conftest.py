import random

import pytest

from amazon_erp_bridge.core.retry import RetryPolicy
from amazon_erp_bridge.infor import AsyncM3Client, IonApiConfig, M3Client
from amazon_erp_bridge.sandbox.infor import DEFAULT_URL, FakeIonApi, ManualClock

CUSTOMER = "AMZ_US"
CUOR = "113-1234567-1234567"


def seed(fake: FakeIonApi) -> FakeIonApi:
    fake.state.add_customer(CUSTOMER, "Amazon.com marketplace", CSCD="US")
    fake.state.add_customer("AMZ_UK", "Amazon.co.uk marketplace", CSCD="GB", CUCD="GBP")
    fake.state.add_item("MUG-01", "Coffee mug")
    fake.state.add_item("TEE-01", "T-shirt")
    fake.state.add_alias("MUG-01", "03", "MUG-SKU", "SKU")
    fake.state.add_alias("MUG-01", "03", "B000MUG001", "ASIN")
    fake.state.add_alias("MUG-01", "02", "4006381333931", "EA13")
    fake.state.add_alias("TEE-01", "03", "TEE-SKU", "SKU")
    return fake


@pytest.fixture
def clock():
    return ManualClock()


@pytest.fixture
def fake(clock):
    return seed(FakeIonApi(clock=clock))


def config_of(fake, url=DEFAULT_URL, *, service_account=True):
    """The client's configuration from the fake's .ionapi (the fake imports no client code)."""
    return IonApiConfig.from_dict(
        fake.ionapi(url, service_account=service_account), source="<sandbox>"
    )


def retry_policy(**kw):
    return RetryPolicy(rng=random.Random(7), **kw)


def make_client(fake, clock, config=None, **kw):
    options = {
        "transport": fake.transport(),
        "cono": fake.cono,
        "divi": fake.divi,
        "clock": clock,
        "sleep": clock.sleep,
        "retry": retry_policy(),
    }
    options.update(kw)
    return M3Client(config or config_of(fake), **options)


def make_async_client(fake, clock, config=None, **kw):
    options = {
        "transport": fake.transport(),
        "cono": fake.cono,
        "divi": fake.divi,
        "clock": clock,
        "sleep": clock.sleep_async,
        "retry": retry_policy(),
    }
    options.update(kw)
    return AsyncM3Client(config or config_of(fake), **options)


@pytest.fixture
def m3(fake, clock):
    client = make_client(fake, clock)
    yield client
    client.close()


@pytest.fixture
async def am3(fake, clock):
    client = make_async_client(fake, clock)
    yield client
    await client.aclose()


HEAD = {"CUNO": CUSTOMER, "CUOR": CUOR, "ORTP": "AMZ", "CUDT": "20260317", "WHLO": "FBA"}
LINES = [
    {"ITNO": "MUG-01", "ORQT": "2", "SAPR": "12.50"},
    {"ITNO": "TEE-01", "ORQT": "1", "SAPR": "19.99"},
]
