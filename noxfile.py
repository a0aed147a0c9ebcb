"""Developer sessions: tests, lint, typecheck, docs, bench. Run `nox -s <name>`."""

import nox

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.reuse_existing_virtualenvs = True

PYTHON = ["3.11", "3.12", "3.13"]


@nox.session(python=PYTHON[0])
def tests(session: nox.Session) -> None:
    """The whole test suite against the embedded sandbox."""
    session.install("-e", ".[dev]")
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHON[0])
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install("ruff")
    paths = ("src", "tests", "examples", "benchmarks", "tools", "noxfile.py")
    session.run("ruff", "check", *paths)
    session.run("ruff", "format", "--check", *paths)


@nox.session(python=PYTHON[0])
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the library."""
    session.install("-e", ".[dev]")
    session.run("mypy", "--strict", "src")


@nox.session(python=PYTHON[0])
def codegen(session: nox.Session) -> None:
    """Regenerate the SP-API layer from ../shared/specs (``-- --check``: fail if it is stale)."""
    session.install("-e", ".[dev]")
    session.run("python", "-m", "tools.codegen", *session.posargs)


@nox.session(python=PYTHON[0])
def docs(session: nox.Session) -> None:
    """Build the documentation site; any warning fails the build."""
    session.install("-e", ".[docs]")
    session.run(
        "mkdocs",
        "build",
        "--strict",
        "--site-dir",
        session.create_tmp() + "/site",
        env={"NO_MKDOCS_2_WARNING": "1"},
    )


@nox.session(python=PYTHON[0])
def bench(session: nox.Session) -> None:
    """Print the speed and memory figures in benchmarks/ (no pass/fail: compare within a run)."""
    session.install("-e", ".[dev,bench]")
    for script in sorted(__import__("pathlib").Path("benchmarks").glob("bench_*.py")):
        session.run("python", str(script), *session.posargs)
