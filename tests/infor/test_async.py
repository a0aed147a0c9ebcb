"""AsyncM3Client: the same plans and errors, awaited."""

import asyncio
from datetime import date

import pytest

from amazon_erp_bridge.errors import AuthError, RateLimitedError, TransportError
from amazon_erp_bridge.infor import IonApiConfig, MiError, OrderAction
from amazon_erp_bridge.model import ItemRef, JournalEntry, JournalLine, Money

from .conftest import CUOR, CUSTOMER, HEAD, LINES, make_async_client, retry_policy


async def test_execute_and_mi_error(am3):
    records = await am3.execute("CRS610MI", "GetBasicData", {"CUNO": CUSTOMER})
    assert records[0]["CUNO"] == CUSTOMER
    with pytest.raises(MiError) as err:
        await am3.execute("CRS610MI", "GetBasicData", {"CUNO": "NOPE"})
    assert err.value.field == "CUNO"


async def test_orders_are_found_resumed_and_never_duplicated(am3, fake):
    fake.crash_after_add_batch_head()
    with pytest.raises(TransportError):
        await am3.customer_orders.ensure(HEAD, LINES)
    match = await am3.customer_orders.find_by_reference(CUSTOMER, CUOR)
    assert match.temporary
    outcome = await am3.customer_orders.ensure(HEAD, LINES)
    assert outcome.action is OrderAction.RESUMED
    assert (await am3.customer_orders.ensure(HEAD, LINES)).action is OrderAction.EXISTING
    assert len(fake.state.orders) == 1
    assert (await am3.customer_orders.status(outcome.orno)).code == "44"
    delivered = await am3.deliveries.confirm_shipped(outcome.orno)
    assert delivered.progress.is_invoiced
    (invoice,) = await am3.invoices.by_order(outcome.orno)
    assert str(invoice.gross) == "44.99"


async def test_typed_programs(am3):
    assert (await am3.customers.get(CUSTOMER)).country == "US"
    assert await am3.customers.find("NOPE") is None
    assert await am3.items.resolve(ItemRef(asin="B000MUG001")) == "MUG-01"
    assert (await am3.items.alias_table()).lookup("seller_sku", "TEE-SKU") == "TEE-01"
    resp = await am3.execute_bulk("MMS025MI", [("LstAlias", {"ITNO": "MUG-01"})])
    assert len(resp.records) == 3


async def test_gl_posting(am3, fake):
    entry = JournalEntry(
        "S-ASYNC",
        date(2026, 3, 17),
        (JournalLine("1100", Money.of("5", "EUR")), JournalLine("4000", Money.of("-5", "EUR"))),
    )
    assert await am3.gl.find_batch("S-ASYNC") is None
    posting = await am3.gl.post_journal(entry)
    assert posting.updated
    assert (await am3.gl.find_batch("S-ASYNC")).status == "90"


async def test_429_storm_retried_and_exhausted(fake, clock):
    am3 = make_async_client(fake, clock, retry=retry_policy(max_attempts=3))
    await am3.execute("CRS610MI", "GetBasicData", {"CUNO": CUSTOMER})
    fake.router.faults.throttle = 2
    assert await am3.execute("CRS610MI", "GetBasicData", {"CUNO": CUSTOMER})
    fake.router.faults.throttle = 5
    with pytest.raises(RateLimitedError):
        await am3.execute("CRS610MI", "GetBasicData", {"CUNO": CUSTOMER})
    await am3.aclose()


async def test_expired_token_is_refreshed(am3, fake, clock):
    await am3.execute("CRS610MI", "GetBasicData", {"CUNO": CUSTOMER})
    clock.advance(7200)
    await am3.execute("CRS610MI", "GetBasicData", {"CUNO": CUSTOMER})
    fake.expire_tokens()
    await am3.execute("CRS610MI", "GetBasicData", {"CUNO": CUSTOMER})
    assert fake.grants == ["password", "refresh_token", "refresh_token"]


async def test_bad_credentials_raise_auth_error(fake, clock):
    config = IonApiConfig.from_dict(fake.ionapi() | {"cs": "not-the-client-secret"})
    am3 = make_async_client(fake, clock, config=config)
    with pytest.raises(AuthError, match="invalid_client"):
        await am3.execute("CRS610MI", "GetBasicData", {"CUNO": CUSTOMER})
    await am3.aclose()


async def test_timeout_on_write_is_not_repeated(am3, fake):
    await am3.execute("CRS610MI", "GetBasicData", {"CUNO": CUSTOMER})
    fake.lose_reply("MMS025MI", "AddAlias")
    with pytest.raises(TransportError):
        await am3.items.add_alias("TEE-01", "asin", "B0TEE")
    assert sum(1 for a in fake.state.aliases if a["POPN"] == "B0TEE") == 1


async def test_context_manager_revokes(fake, clock):
    async with make_async_client(fake, clock) as am3:
        await asyncio.gather(*(am3.customers.get(CUSTOMER) for _ in range(4)))
    assert fake.revoked == 2
