"""The real engines some tests need (PostgreSQL, Redis, RabbitMQ), found or skipped.

On a laptop without them those tests skip with a message saying how to start the service; CI
sets ``AEB_REQUIRE_SERVICES=1``, which turns every such skip into a failure, so CI always
runs them. Addresses can be moved with ``AEB_TEST_POSTGRES``, ``AEB_TEST_REDIS`` and
``AEB_TEST_AMQP``.
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlsplit

import pytest

POSTGRES_DSN = os.environ.get("AEB_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("AEB_TEST_REDIS", "redis://127.0.0.1:6379/15")
AMQP_URL = os.environ.get("AEB_TEST_AMQP", "amqp://guest:guest@127.0.0.1:5672//")

_HOW = {
    "PostgreSQL": "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    "Redis": "redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save ''",
    "RabbitMQ": "rabbitmq-server -detached",
}


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), 1
        ):
            return True
    except OSError:
        return False


def require(service: str, url: str, default_port: int, module: str) -> None:
    """Skip (or, under CI's AEB_REQUIRE_SERVICES=1, fail) unless ``service`` can be used."""
    problem = None
    try:
        __import__(module)
    except ImportError:
        problem = f"the Python package {module!r} is not installed (pip install -e '.[dev]')"
    if problem is None and not _reachable(url, default_port):
        problem = f"{service} is not reachable at {url}; start it with: {_HOW[service]}"
    if problem is None:
        return
    if os.environ.get("AEB_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{service} is required here (AEB_REQUIRE_SERVICES=1): {problem}")
    pytest.skip(problem)


def require_postgres() -> str:
    """The test PostgreSQL DSN, once the server is known to answer."""
    require("PostgreSQL", POSTGRES_DSN, 5432, "psycopg")
    return POSTGRES_DSN


def require_redis() -> str:
    """The test Redis URL (database 15), once the server is known to answer."""
    require("Redis", REDIS_URL, 6379, "redis")
    return REDIS_URL


def require_rabbitmq() -> str:
    """The test RabbitMQ URL, once the broker is known to answer."""
    require("RabbitMQ", AMQP_URL, 5672, "kombu")
    return AMQP_URL


def drop_postgres_schema(dsn: str, schema: str) -> None:
    """Remove a test's PostgreSQL schema, whatever state the test left it in."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
