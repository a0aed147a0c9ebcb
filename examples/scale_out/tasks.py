"""Celery tasks: one task per (seller account, workflow), fanned out over any number of workers.

The broker is RabbitMQ (``AEB_BROKER``, default ``amqp://guest:guest@127.0.0.1:5672//``), the
results go back through Redis (``AEB_RESULTS``). A task is safe to run twice, at the same time
or after a crash: the shared PostgreSQL ledger claims each record for one worker, the ERP is
asked before every create, and the shared Redis limiter keeps all workers of one selling
partner within Amazon's rates. Start workers with::

    AEB_ACCOUNTS=accounts.json celery -A tasks worker --workdir examples/scale_out -c 2

``acks_late`` with ``reject_on_worker_lost``: a task whose worker was killed mid-post goes
back to the queue and another worker finishes it (the ledger turns what the first one did
into "found existing").
"""

from __future__ import annotations

import os
from typing import Any

from accounts import WORKFLOWS, load, run
from celery import Celery, group

BROKER = os.environ.get("AEB_BROKER", "amqp://guest:guest@127.0.0.1:5672//")
RESULTS = os.environ.get("AEB_RESULTS", "redis://127.0.0.1:6379/14")

app = Celery("amazon_erp_bridge_scale_out", broker=BROKER, backend=RESULTS)
app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    broker_connection_retry_on_startup=True,
    task_default_queue=os.environ.get("AEB_QUEUE", "amazon-erp-bridge"),
)


@app.task(name="aeb.run_workflow")
def run_workflow(account: str, workflow: str) -> dict[str, Any]:
    """Run one workflow for one seller account; return its report as plain data."""
    shared, accounts = load(os.environ["AEB_ACCOUNTS"])
    report = run(shared, accounts[account], workflow)
    return {"account": account, **report.to_dict()}


def fan_out(accounts: list[str], workflows: tuple[str, ...] = WORKFLOWS) -> Any:
    """Queue every (account, workflow) pair at once; returns the Celery group result."""
    return group(run_workflow.s(a, w) for a in accounts for w in workflows).apply_async()
