"""The demo's whole traffic, recorded in process, keeps to the published contracts."""

from __future__ import annotations

from pathlib import Path

from amazon_erp_bridge.demo import run_demo
from tests.contracts.plugin import listening


def test_the_demo_sends_and_answers_only_what_the_specs_define(tmp_path: Path) -> None:
    with listening() as recorder:
        run_demo(str(tmp_path / "demo.sqlite"), runs=2)
    assert recorder.counts["SP-API"] > 50
    assert recorder.counts["M3"] > 0 and recorder.counts["SAP"] > 0
    assert not recorder.problems, "\n".join(recorder.summary())
