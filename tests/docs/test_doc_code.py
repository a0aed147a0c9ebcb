"""Every ```python block in docs/ either runs here against the sandbox or includes a tested example.

A block made only of snippet lines (``--8<-- "examples/x.py"``) shows an example file; that file
must exist and be run by a test. Any other block is executed: a page's blocks run in order in one
namespace (like a reader pasting them into one session), in a temporary directory holding a
``tenant.ionapi`` (a copy of examples/sample.ionapi), with examples/ importable and with the
credential variables the pages read from the environment set to dummy values. Test functions a
page defines (``def test_...():``) are then called, as pytest would. HTTPS goes to a dead proxy,
so a block that would reach a real service fails at once instead of touching the internet.
"""

from __future__ import annotations

import re
import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
EXAMPLES = ROOT / "examples"
TESTS = ROOT / "tests"

PYTHON_LANGUAGES = {"python", "py", "python3", "pycon"}
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n`]*)$")
_SNIPPET = re.compile(r"""^-{1,}8<-{1,}[ \t]+(?P<quote>["'])(?P<target>[^"']+)(?P=quote)[ \t]*$""")

#: What the pages read from the environment, as a reader would have them set.
DOC_ENVIRONMENT = {
    "SPAPI_CLIENT_ID": "amzn1.application-oa2-client.docs0000000000000000000000000",
    "SPAPI_CLIENT_SECRET": "docs-client-secret",
    "SPAPI_REFRESH_TOKEN": "Atzr|docs-refresh-token",
    "SAP_BASE_URL": "https://my-s4.example.invalid",
    "SAP_USER": "COMM_USER_AMAZON",
    "SAP_PASSWORD": "docs-password",
    "SAP_TOKEN_URL": "https://my-s4.example.invalid/sap/bc/sec/oauth2/token",
    "SAP_CLIENT_ID": "AMAZON_BRIDGE",
    "SAP_CLIENT_SECRET": "docs-oauth-secret",
    # python-amazon-sp-api's names, which SpApiClient.from_env() reads
    "LWA_APP_ID": "amzn1.application-oa2-client.docs0000000000000000000000000",
    "LWA_CLIENT_SECRET": "docs-client-secret",
    "SP_API_REFRESH_TOKEN": "Atzr|docs-refresh-token",
    "SP_API_REGION": "eu",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "NO_PROXY": "127.0.0.1,localhost",
}


@dataclass(frozen=True)
class Block:
    page: str
    line: int
    language: str
    code: str

    @property
    def includes(self) -> list[str]:
        """The snippet targets, if every non-blank line is a snippet line; else []."""
        lines = [ln.strip() for ln in self.code.splitlines() if ln.strip()]
        matches = [_SNIPPET.match(ln) for ln in lines]
        if lines and all(matches):
            return [m.group("target").split(":", 1)[0] for m in matches if m]
        return []

    @property
    def has_snippet_lines(self) -> bool:
        return any(_SNIPPET.match(ln.strip()) for ln in self.code.splitlines())

    def __str__(self) -> str:
        return f"docs/{self.page}:{self.line}"


def _python_blocks(path: Path) -> list[Block]:
    """The fenced python blocks of one Markdown page, dedented, with their first line number."""
    blocks: list[Block] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    page = path.relative_to(DOCS).as_posix()
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        indent, fence = opening.group("indent"), opening.group("fence")
        language = (opening.group("info").split() or [""])[0].lower()
        body: list[str] = []
        j = i + 1
        while j < len(lines):
            closing = _FENCE.match(lines[j])
            if (
                closing
                and closing.group("fence")[0] == fence[0]
                and len(closing.group("fence")) >= len(fence)
                and not closing.group("info").strip()
            ):
                break
            body.append(lines[j][len(indent) :] if lines[j].startswith(indent) else lines[j])
            j += 1
        if language in PYTHON_LANGUAGES:
            blocks.append(Block(page, i + 1, language, textwrap.dedent("\n".join(body))))
        i = j + 1
    return blocks


def _all_blocks() -> list[Block]:
    return [block for page in sorted(DOCS.rglob("*.md")) for block in _python_blocks(page)]


def _run_pages() -> dict[str, list[Block]]:
    pages: dict[str, list[Block]] = {}
    for block in _all_blocks():
        if not block.includes:
            pages.setdefault(block.page, []).append(block)
    return pages


def _tested_examples() -> set[str]:
    """Example files (by name) that some test outside tests/docs names, i.e. runs."""
    names = {p.name for p in EXAMPLES.rglob("*.py")}
    found: set[str] = set()
    for test in TESTS.rglob("*.py"):
        if test.parent == Path(__file__).parent:
            continue
        text = test.read_text(encoding="utf-8")
        found |= {name for name in names if name in text or name.removesuffix(".py") in text}
    return found


# -- the rules ---------------------------------------------------------------------------------


def test_the_docs_have_python_blocks_to_check():
    blocks = _all_blocks()
    assert any(b.includes for b in blocks)
    assert any(not b.includes for b in blocks)


def test_no_block_mixes_snippet_includes_with_code():
    mixed = [str(b) for b in _all_blocks() if b.has_snippet_lines and not b.includes]
    assert mixed == [], "a block either includes an example file or holds code run here"


def test_no_interactive_session_blocks():
    # pycon blocks (>>> prompts) would need a doctest runner; write plain python instead.
    assert [str(b) for b in _all_blocks() if b.language == "pycon"] == []


def test_included_files_are_examples_that_exist():
    for block in _all_blocks():
        for target in block.includes:
            path = (ROOT / target).resolve()
            assert path.is_file(), f"{block}: {target} does not exist"
            assert EXAMPLES in path.parents, f"{block}: include only examples/, not {target}"


def test_included_examples_are_run_by_a_test():
    tested = _tested_examples()
    untested = {
        f"{block}: {target}"
        for block in _all_blocks()
        for target in block.includes
        if Path(target).suffix == ".py" and Path(target).name not in tested
    }
    assert untested == set(), "each example a guide shows must be run by a test"


def test_every_example_script_is_shown_in_the_docs():
    shown = {Path(t).name for b in _all_blocks() for t in b.includes}
    missing = sorted(p.name for p in EXAMPLES.glob("*.py") if p.name not in shown)
    assert missing == [], 'include each example in its guide with --8<-- "examples/<name>"'


# -- running the pages -------------------------------------------------------------------------


def _cleanup(namespace: dict[str, object]) -> None:
    from amazon_erp_bridge.sandbox import Sandbox

    for value in list(namespace.values()):
        if isinstance(value, Sandbox):
            value.stop()
        elif type(value).__name__ in {"SqliteLedger"}:
            value.close()  # type: ignore[attr-defined]


@pytest.mark.parametrize("page", sorted(_run_pages()))
def test_page_code_runs(page, tmp_path, monkeypatch):
    for name, value in DOC_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("ALL_PROXY", raising=False)
    shutil.copy(EXAMPLES / "sample.ionapi", tmp_path / "tenant.ionapi")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(EXAMPLES))  # pages import the example modules by name
    namespace: dict[str, object] = {"__name__": "__docs__"}
    try:
        for block in _run_pages()[page]:
            code = compile(block.code, f"{block} (python block)", "exec")
            exec(code, namespace)
        # A page that shows how to test something defines test functions: run them as pytest
        # would (no fixtures), so the tests the docs recommend pass.
        for name, value in list(namespace.items()):
            if name.startswith("test_") and callable(value):
                value()
    finally:
        _cleanup(namespace)
