"""The generated SP-API layer is what the generator writes today, and its rates are the models'.

CI runs these with the rest of the suite: an edited generated file, a model update without a
regeneration, or a hand-typed rate fails here. Regenerate with ``nox -s codegen`` (or
``python -m tools.codegen``).
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

from amazon_erp_bridge.amazon._generated import index
from amazon_erp_bridge.amazon.rates import RATES, rate_for
from amazon_erp_bridge.core.limiter import Rate
from amazon_erp_bridge.sandbox.amazon._generated_rates import PUBLISHED_RATES
from tools.codegen.generate import stale

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "../shared/specs/spapi-models"
INDEX = json.loads((SPECS / "all-operations.json").read_text())


def _generated_operations() -> dict[tuple[str, str, str], object]:
    out = {}
    for name in index.MODULES:
        module = importlib.import_module(f"amazon_erp_bridge.amazon._generated.{name}")
        for op in module.OPERATIONS.values():
            out[(f"models/{op.model}", op.method, op.path)] = op
    return out


def test_generated_files_are_exactly_what_the_generator_writes_today() -> None:
    assert stale(ROOT) == [], "run `nox -s codegen` and commit the result"


def test_every_official_operation_is_generated() -> None:
    generated = _generated_operations()
    listed = {(m["path"], o["method"], o["path"]) for m in INDEX["models"] for o in m["operations"]}
    assert set(generated) == listed
    non_deprecated = [
        o for m in INDEX["models"] for o in m["operations"] if not o.get("deprecated")
    ]
    assert len(generated) == 370 and len(non_deprecated) == 364


def test_the_rate_table_is_the_models_usage_plans() -> None:
    generated = _generated_operations()
    expected: dict[str, Rate] = {}
    for model in INDEX["models"]:
        for o in model["operations"]:
            op = generated[(model["path"], o["method"], o["path"])]
            if o.get("rate") is not None:
                expected[op.limit_key] = Rate(o["rate"], o["burst"])  # type: ignore[attr-defined]
            else:
                assert rate_for(op.limit_key) is None  # type: ignore[attr-defined]
    assert expected == RATES
    assert {k: Rate(*v) for k, v in PUBLISHED_RATES.items()} == expected


def test_the_usage_plan_text_of_each_model_says_the_same() -> None:
    """Read the tables in the operations' descriptions independently of the generator."""
    usage = re.compile(r"usage plan:?\**\s*\|[^\n]*\n\|[- |]*\n\|\s*([0-9.]+)\s*\|\s*(\d+)", re.I)
    generated = _generated_operations()
    checked = 0
    for model in INDEX["models"]:
        doc = json.loads((SPECS / "official" / model["path"]).read_text())
        base = doc.get("basePath", "/").rstrip("/")
        for path, item in doc["paths"].items():
            for method, spec in item.items():
                if method not in ("get", "put", "post", "delete", "patch"):
                    continue
                found = usage.search(spec.get("description", ""))
                op = generated[(model["path"], method.upper(), base + path)]
                key = op.limit_key  # type: ignore[attr-defined]
                if found:
                    checked += 1
                    assert RATES[key] == Rate(float(found[1]), int(found[2])), key
    assert checked == len(RATES)


def test_the_hand_written_calls_use_generated_rate_keys() -> None:
    source = ROOT / "src/amazon_erp_bridge/amazon"
    keys = {op.limit_key for op in _generated_operations().values()}  # type: ignore[attr-defined]
    used: set[str] = set()
    for path in source.glob("*.py"):
        used |= set(re.findall(r'limit_key="([^"]+)"', path.read_text()))
    assert used and used <= keys, sorted(used - keys)


def test_the_sandbox_reads_the_published_numbers_not_the_clients_table() -> None:
    app = (ROOT / "src/amazon_erp_bridge/sandbox/amazon/app.py").read_text()
    assert "amazon.rates" not in app and "PUBLISHED_RATES" in app


def test_grantless_operations_are_keyed_as_the_generated_calls_are() -> None:
    from amazon_erp_bridge.amazon.lwa import GRANTLESS_SCOPES

    keys = {op.limit_key for op in _generated_operations().values()}  # type: ignore[attr-defined]
    assert set(GRANTLESS_SCOPES) <= keys, sorted(set(GRANTLESS_SCOPES) - keys)
