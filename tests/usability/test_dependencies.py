"""Every runtime dependency is imported by the library (issue #19: python-dateutil was not).

python-dateutil was dropped rather than used: Amazon's flat files and reports write dates in a
few known layouts (ISO 8601, the EU settlement ``dd.mm.yyyy HH:MM:SS UTC``), which the parsers
read with explicit formats; ``dateutil.parser`` guesses, and reads ``01.03.2026`` as January or
March depending on a flag, a silent error in a financial posting. Relative windows are days
and hours (``timedelta``); no month arithmetic is needed.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: Distribution name -> the module it provides, where they differ.
MODULES = {"python-dateutil": "dateutil"}


def test_every_runtime_dependency_is_imported_somewhere():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    source = "\n".join(
        path.read_text(encoding="utf-8")
        for path in (ROOT / "src" / "amazon_erp_bridge").rglob("*.py")
    )
    unused = []
    for requirement in project["dependencies"]:
        name = re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0]
        module = MODULES.get(name, name.replace("-", "_"))
        if not re.search(rf"^\s*(import|from) {re.escape(module)}\b", source, re.MULTILINE):
            unused.append(name)
    assert not unused, f"declared but never imported: {', '.join(unused)}"


def test_dateutil_is_not_a_dependency():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "dateutil" not in text
