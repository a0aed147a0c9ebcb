"""Many workers on real engines: Celery on RabbitMQ, one PostgreSQL ledger, one Redis limiter.

Three seller accounts (sandbox worlds served on loopback: two M3, one SAP) run order to cash
and settlement to GL on real Celery worker processes. The chaos test adds 429 storms, 5xx
answers, slow ERP writes, a real burst smaller than the documented one, and a worker killed
(SIGKILL) while it holds a record in POSTING; the ERPs must end with exactly the documents
of one clean run.
"""

from __future__ import annotations

import os
import signal
import time
import uuid

import pytest

from amazon_erp_bridge.core import Rate
from amazon_erp_bridge.posting import PostgresLedger, RecordState
from tests.services import require_postgres, require_rabbitmq, require_redis

from .worlds import (
    Workers,
    clean_run,
    documents,
    drop_schemas,
    serve_worlds,
    unbalanced_journals,
    write_accounts,
)

RESULTS = "redis://127.0.0.1:6379/14"
SMALL_BURST_OP = "ordersV0.getOrders"


@pytest.fixture
def farm(tmp_path):
    """Three served worlds, their accounts file, a unique queue; torn down afterwards."""
    dsn = require_postgres()
    redis_url = require_redis()
    require_rabbitmq()
    worlds, data = serve_worlds.serve(3, postgres_dsn=dsn, redis_url=redis_url)
    names = [a["name"] for a in data["accounts"]]
    tag = uuid.uuid4().hex[:8]
    for account in data["accounts"]:
        account["name"] = f"{account['name']}_{tag}"
    data["shared"]["limiter_prefix"] = f"aeb-test:{tag}"  # fresh buckets for this test
    names = [a["name"] for a in data["accounts"]]
    accounts_file = tmp_path / "accounts.json"
    write_accounts(accounts_file, data)
    queue = f"aeb-test-{tag}"
    os.environ["AEB_ACCOUNTS"] = str(accounts_file)
    os.environ["AEB_QUEUE"] = queue
    os.environ["AEB_RESULTS"] = RESULTS
    import tasks

    tasks.app.conf.task_default_queue = queue
    tasks.app.conf.result_backend = RESULTS
    workers = Workers(accounts_file, queue, RESULTS)
    yield worlds, data, workers, tasks
    workers.stop()
    for world in worlds:
        world.stop()
    drop_schemas(dsn, names)


def _by_account(worlds, data):
    return {
        a["name"]: (w, a["erp"], a["seed"]) for w, a in zip(worlds, data["accounts"], strict=True)
    }


def test_celery_workers_fan_out_every_account_once_and_a_second_fan_out_creates_nothing(
    farm, tmp_path
):
    worlds, data, workers, tasks = farm
    workers.start(2, tmp_path)
    names = [a["name"] for a in data["accounts"]]
    first = tasks.fan_out(names).get(timeout=240)
    assert len(first) == 6
    assert all(r["ok"] or _only_the_seeded_dead_letter(r) for r in first), first
    for name, (world, erp, seed) in _by_account(worlds, data).items():
        made = documents(world, erp)
        assert made == clean_run(seed, erp), name
    second = tasks.fan_out(names).get(timeout=240)
    created = [
        (r["account"], step["name"], step.get("counts", {}).get("created", 0))
        for r in second
        for step in r["steps"]
    ]
    assert all(n == 0 for *_, n in created), created


def _only_the_seeded_dead_letter(result) -> bool:
    problems = [p for step in result["steps"] for p in step.get("problems", [])]
    return all(p["status"] == "dead_lettered" for p in problems) and len(problems) == 1


def test_chaos_four_workers_storms_and_a_kill_leave_exactly_one_clean_runs_documents(
    farm, tmp_path
):
    worlds, data, workers, tasks = farm
    dsn = require_postgres()
    for world in worlds:
        # Rates as a busy seller's app sees them, sent in x-amzn-RateLimit-Limit; the real
        # burst of getOrders is 2 where the model documents 20.
        for key, rate in list(world.amazon.rates.items()):
            world.amazon.rates[key] = Rate(20.0, rate.burst)
        world.amazon.set_rate(SMALL_BURST_OP, Rate(5.0, 2))
        amazon = world.amazon.router.faults
        amazon.throttle, amazon.fail, amazon.match = 4, 3, r"/orderItems"
        ion = world.ion.router.faults
        ion.fail, ion.slow, ion.slow_seconds, ion.match = 3, 40, 0.15, r"/execute"
        sap = world.sap.router.faults
        sap.throttle, sap.fail, sap.slow, sap.slow_seconds = 2, 2, 40, 0.15
        sap.match = r"A_SalesOrder|A_OutbDelivery|PostGoodsIssue|JournalEntry"
    workers.start(4, tmp_path)
    names = [a["name"] for a in data["accounts"]]
    pending = tasks.fan_out(names)
    killed = _kill_a_worker_mid_post(dsn, names, workers)
    workers.start(1, tmp_path)  # keep four
    results = pending.get(timeout=300)
    assert killed, "no worker was caught holding a record in POSTING"
    assert len(results) == 6
    # The next scheduled run, with the storms over, takes up what the chaos left pending.
    for world in worlds:
        for router in (world.amazon.router, world.ion.router, world.sap.router):
            router.faults.reset()
    assert len(tasks.fan_out(names).get(timeout=300)) == 6
    for name, (world, erp, seed) in _by_account(worlds, data).items():
        made = documents(world, erp)
        duplicates = {k: n for k, n in made.items() if n > 1}
        assert not duplicates, f"{name}: duplicates {duplicates}"
        expected = clean_run(seed, erp)
        missing = set(expected) - set(made)
        if missing:
            with PostgresLedger(dsn, schema=f"seller_{name}") as ledger:
                found = {
                    m: [ledger.get(f"{k}.{erp}", m.split(":", 1)[1]) for k in ("order", "shipment")]
                    for m in missing
                }
                trails = {m: ledger.audit(f"order.{erp}", m.split(":", 1)[1]) for m in missing}
            pytest.fail(f"{name}: missing {missing}: ledger {found} audit {trails}")
        assert set(made) == set(expected), f"{name}: extra {set(made) - set(expected)}"
        assert not unbalanced_journals(world, erp), name
        assert world.amazon.throttled_by[SMALL_BURST_OP] <= 1, world.amazon.throttled_by
        with PostgresLedger(dsn, schema=f"seller_{name}") as ledger:
            counts = ledger.counts()
            assert counts[RecordState.POSTING] == 0, (name, counts)
            assert counts[RecordState.FAILED] == 0, (name, counts)
            assert counts[RecordState.RECEIVED] == 0, (name, counts)


def _kill_a_worker_mid_post(dsn: str, names: list[str], workers: Workers) -> int | None:
    """SIGKILL the worker process that owns a POSTING record; returns its pid."""
    deadline = time.monotonic() + 120
    ledgers: dict[str, PostgresLedger] = {}
    try:
        while time.monotonic() < deadline:
            for name in names:
                if name not in ledgers:
                    try:
                        ledgers[name] = PostgresLedger(dsn, schema=f"seller_{name}")
                    except Exception:
                        continue
                for record in ledgers[name].records(state=RecordState.POSTING):
                    pid = int((record.owner or "x:0").split(":")[1])
                    if pid in workers.alive():
                        os.kill(pid, signal.SIGKILL)
                        return pid
            time.sleep(0.01)
        return None
    finally:
        for ledger in ledgers.values():
            ledger.close()
