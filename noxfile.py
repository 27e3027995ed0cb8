"""Automation: `nox` runs lint, typecheck and tests; other sessions are named explicitly."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import nox

nox.needs_version = ">=2024.10.9"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.error_on_external_run = True
nox.options.sessions = ["lint", "typecheck", "tests"]

PYPROJECT = nox.project.load_toml("pyproject.toml")
PYTHON = "3.11"
COVERAGE_FLOOR = "95"
# One pytest-xdist worker per core; work stealing evens out the few longer tests.
PARALLEL = ("-n", "auto", "--dist", "worksteal")
# Longest a single test may take under load (reported by `nox -s stress`).
SLOW_TEST_SECONDS = 5.0


def install_groups(session: nox.Session, *groups: str, extras: str = "all") -> None:
    """Install the project (with ``extras``) and the given dependency groups."""
    requirements: list[str] = []
    for group in groups:
        requirements += nox.project.dependency_groups(PYPROJECT, group)
    # Compiled at install: where PYTHONDONTWRITEBYTECODE is set, every test worker would
    # otherwise compile kubernetes_asyncio and botocore afresh (seconds each).
    session.install("-e", f".[{extras}]", *requirements, env={"UV_COMPILE_BYTECODE": "1"})


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """Run ruff check, ruff format --check, and the import layers (import-linter)."""
    session.install("ruff>=0.8", "import-linter>=2.1")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    # The layers of ARCHITECTURE.md, from pyproject.toml's [tool.importlinter]; the
    # package is found on src/ (its dependencies need not be installed to be read).
    session.run("lint-imports", env={"PYTHONPATH": "src"})


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """Run mypy --strict over the library."""
    install_groups(session, "typing")
    session.run("mypy", "src", "noxfile.py", *session.posargs)


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The test suite in parallel with branch coverage; fails under the coverage floor."""
    install_groups(session, "tests")
    run_suite(session, *session.posargs)


def run_suite(session: nox.Session, *pytest_args: str, tolerate_failures: bool = False) -> None:
    """Run the suite on every core under coverage (it measures the workers as subprocesses)."""
    codes = [0, 1, 2] if tolerate_failures else [0]
    session.run("coverage", "erase")
    session.run("coverage", "run", "-m", "pytest", *PARALLEL, *pytest_args, success_codes=codes)
    session.run("coverage", "combine", "--quiet")
    session.run("coverage", "report", f"--fail-under={COVERAGE_FLOOR}", success_codes=codes)


@nox.session(python=PYTHON, default=False)
def stress(session: nox.Session) -> None:
    """The tests session N times (default 5) beside a CPU hog; reports every failure and slow test.

    One busy process per two cores runs for the whole session, as a loaded CI machine
    would. ``nox -s stress -- 3`` runs three times.
    """
    install_groups(session, "tests")
    runs = int(session.posargs[0]) if session.posargs else 5
    reports = Path(".nox-stress")
    reports.mkdir(exist_ok=True)
    hogs = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"])
        for _ in range(max(1, (os.cpu_count() or 2) // 2))
    ]
    summary: list[str] = []
    failed = False
    try:
        for run in range(1, runs + 1):
            report = reports / f"run-{run}.xml"
            started = time.monotonic()
            report.unlink(missing_ok=True)
            run_suite(session, f"--junitxml={report}", tolerate_failures=True)
            took = time.monotonic() - started
            failures, slow = _junit_findings(report)
            failed = failed or bool(failures)
            summary.append(
                f"run {run}: {took:.0f} s, {len(failures)} failed, "
                f"{len(slow)} over {SLOW_TEST_SECONDS:.0f} s"
            )
            summary += [f"    FAILED {name}" for name in failures]
            summary += [f"    SLOW {seconds:.1f} s {name}" for name, seconds in slow]
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    session.log("stress summary:\n" + "\n".join(summary))
    if failed:
        session.error("some runs failed under load (see the summary above)")


def _junit_findings(report: Path) -> tuple[list[str], list[tuple[str, float]]]:
    """Failed tests and tests slower than SLOW_TEST_SECONDS in a JUnit XML report."""
    if not report.exists():
        return ["(no report: the run did not get as far as writing one)"], []
    failures: list[str] = []
    slow: list[tuple[str, float]] = []
    for case in ET.parse(report).getroot().iter("testcase"):  # noqa: S314 - our own report
        name = f"{case.get('classname')}::{case.get('name')}"
        if case.find("failure") is not None or case.find("error") is not None:
            failures.append(name)
        seconds = float(case.get("time") or 0)
        if seconds > SLOW_TEST_SECONDS:
            slow.append((name, seconds))
    return failures, slow


@nox.session(python=PYTHON)
def tests_aioboto3(session: nox.Session) -> None:
    """The AWS tests with clients made by aioboto3 (which pins an older aiobotocore).

    Then the pytest plugin's aioboto3 clients and the docs' aioboto3 example. CI runs
    this after the tests session; docs/aws-clients.md says what differs on this stack.
    """
    # aioboto3 brings its own aiobotocore (2.x) and botocore, so the project goes in
    # without the `aws` extra and the test group without its aiobotocore pin.
    requirements = [
        r for r in nox.project.dependency_groups(PYPROJECT, "tests") if "aiobotocore" not in r
    ]
    session.install("-e", ".[k8s,cli,emulator,aioboto3]", *requirements)
    env = {"WAITKIT_TEST_CLIENTS": "aioboto3"}
    if session.posargs:
        session.run("pytest", *session.posargs, env=env)
        return
    session.run("python", "-c", _STACK_VERSIONS)
    session.run("pytest", *PARALLEL, "tests/aws", env=env)
    on_aioboto3 = ["tests/test_pytest_plugin.py", "tests/test_docs_examples.py"]
    session.run("pytest", *on_aioboto3, "-k", "aioboto3", env=env)


# The versions a tests_aioboto3 run tested, at the top of its log.
_STACK_VERSIONS = (
    "import aioboto3, aiobotocore, botocore; "
    "print(f'aioboto3 {aioboto3.__version__}, aiobotocore {aiobotocore.__version__}, "
    "botocore {botocore.__version__}')"
)


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Build the Sphinx site with warnings as errors."""
    install_groups(session, "docs")
    session.run("sphinx-build", "-W", "--keep-going", "-b", "html", "docs", "docs/_build/html")
    leaks = private_names_in(Path("docs/_build/html"))
    if leaks:
        session.error("private names in the built docs:\n" + "\n".join(leaks))
    stale = charts_out_of_step(Path("benchmarks/results"))
    if stale:
        session.error("benchmark charts out of step with their reports:\n" + "\n".join(stale))


def charts_out_of_step(results: Path) -> list[str]:
    """Each benchmark chart that does not show its JSON report's run.

    ``nox -s bench`` draws both; a report rerun without its chart, or the reverse, is
    caught here.
    """
    problems: list[str] = []
    for chart in sorted(results.glob("*.svg")):
        report = chart.with_suffix(".json")
        if not report.exists():
            problems.append(f"{chart}: no {report.name} beside it")
            continue
        stamp = json.loads(report.read_text()).get("measured", {})
        text = chart.read_text("utf-8")
        problems += [
            f"{chart}: does not show {report.name}'s {key} {stamp.get(key)}"
            for key in ("date", "commit")
            if str(stamp.get(key)) not in text
        ]
    return problems


#: What a reader of the built docs must never see: private modules, private classes,
#: and reprs of objects standing in for a value.
PRIVATE = re.compile(
    r"waitkit(?:\.\w+)*\._\w+|(?<![\w.])_[A-Z]\w+|<waitkit\.[\w.]+ object|object at 0x"
)


def private_names_in(site: Path) -> list[str]:
    """Each private name in the text of the built pages, with its page and context."""
    found: list[str] = []
    for page in sorted(site.glob("*.html")):
        if page.name in ("genindex.html", "search.html", "py-modindex.html"):
            continue
        markup = re.sub(r"<(script|style)\b.*?</\1>", "", page.read_text("utf-8"), flags=re.DOTALL)
        text = html.unescape(re.sub(r"<[^>]+>", "", markup))
        for match in PRIVATE.finditer(text):
            context = text[max(0, match.start() - 60) : match.end() + 20].replace("\n", " ")
            found.append(f"{page.name}: {match.group()!r} in ...{context}...")
    return found


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
