"""Automation: `nox` runs lint, typecheck and tests; other sessions are named explicitly."""

from __future__ import annotations

from pathlib import Path

import nox

nox.needs_version = ">=2024.10.9"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.error_on_external_run = True
nox.options.sessions = ["lint", "typecheck", "tests"]

PYPROJECT = nox.project.load_toml("pyproject.toml")
PYTHON = "3.11"
COVERAGE_FLOOR = "95"


def install_groups(session: nox.Session, *groups: str, extras: str = "all") -> None:
    """Install the project (with ``extras``) and the given dependency groups."""
    requirements: list[str] = []
    for group in groups:
        requirements += nox.project.dependency_groups(PYPROJECT, group)
    session.install("-e", f".[{extras}]", *requirements)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """Run ruff check and ruff format --check."""
    session.install("ruff>=0.8")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """Run mypy --strict over the library."""
    install_groups(session, "typing")
    session.run("mypy", "src", "noxfile.py", *session.posargs)


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The test suite with branch coverage; fails under the coverage floor."""
    install_groups(session, "tests")
    session.run("coverage", "erase")
    session.run("coverage", "run", "-m", "pytest", *session.posargs)
    session.run("coverage", "combine", "--quiet")
    session.run("coverage", "report", f"--fail-under={COVERAGE_FLOOR}")


@nox.session(python=PYTHON)
def tests_aioboto3(session: nox.Session) -> None:
    """The AWS tests with clients made by aioboto3 (which pins an older aiobotocore)."""
    # aioboto3 brings its own aiobotocore (2.x) and botocore, so the project goes in
    # without the `aws` extra and the test group without its aiobotocore pin.
    requirements = [
        r for r in nox.project.dependency_groups(PYPROJECT, "tests") if "aiobotocore" not in r
    ]
    session.install("-e", ".[k8s,cli,emulator]", "aioboto3", *requirements)
    paths = session.posargs or ["tests/aws"]
    session.run("pytest", *paths, env={"WAITKIT_TEST_CLIENTS": "aioboto3"})


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Build the Sphinx site with warnings as errors."""
    install_groups(session, "docs")
    session.run("sphinx-build", "-W", "--keep-going", "-b", "html", "docs", "docs/_build/html")


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Run the benchmarks (not part of the default sessions); JSON lands in benchmarks/results/."""
    install_groups(session, "tests", "bench")
    scripts = session.posargs or sorted(
        str(p) for p in Path("benchmarks").glob("*.py") if not p.name.startswith("_")
    )
    for script in scripts:
        session.run("python", script)


@nox.session(python=PYTHON, default=False)
def soak(session: nox.Session) -> None:
    """Random scenarios and faults on the emulator for --minutes (default 30); memory stays flat."""
    install_groups(session, "tests")
    session.run("python", "tests/reliability/soak.py", *session.posargs)


@nox.session(python=PYTHON)
def build(session: nox.Session) -> None:
    """Build the sdist and wheel and check their metadata and contents."""
    session.install("build", "twine", "check-wheel-contents")
    session.run("python", "-m", "build", "--outdir", "dist")
    session.run("twine", "check", "--strict", "dist/*")
    session.run("check-wheel-contents", "dist")
