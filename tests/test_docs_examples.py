"""Every Python example in the docs runs here: docs/examples/*.py, page doctests, README.

Examples that talk to AWS or Kubernetes take their endpoint from the environment
(``AWS_ENDPOINT_URL``, ``KUBECONFIG``), as a user's program would; here it is the
emulator (or moto's server). Examples with no sockets run on a virtual clock.
"""

from __future__ import annotations

import doctest
import importlib.util
import json
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import anyio
import pytest
import yaml

from waitkit.emulator import Emulator, Scenario
from waitkit.emulator.k8s import JobPoint, JobScenario, KubernetesScenario, PodPoint, PodScenario
from waitkit.testing import virtual_time_backend

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
EXAMPLES = DOCS / "examples"
PAGES = sorted(DOCS.glob("*.md"))
README = ROOT / "README.md"

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>[^\n`]*)$")
PYTHON = re.compile(r"^(\{(code|code-block|sourcecode)\}\s*)?(python3?|py|pycon|ipython)\b")


# ---------------------------------------------------------------------- reading the pages
def blocks(path: Path) -> Iterator[tuple[int, str, str, str]]:
    """(line, info string, heading of the ``##`` section, body) of each fenced block."""
    lines = path.read_text(encoding="utf-8").splitlines()
    section = ""
    i = 0
    while i < len(lines):
        if lines[i].startswith("## "):
            section = lines[i]
        match = FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        fence, indent = match["fence"], match["indent"]
        start = i
        body: list[str] = []
        i += 1
        while i < len(lines) and lines[i].strip() != fence:
            body.append(lines[i][len(indent) :])
            i += 1
        yield start + 1, match["info"].strip(), section, "\n".join(body)
        i += 1


def includes(path: Path) -> list[dict[str, str]]:
    """The literalinclude directives of a page, with their options."""
    found = []
    for _, info, _, body in blocks(path):
        if info.startswith("{literalinclude}"):
            options = dict(re.findall(r"^:([\w-]+):[ \t]*(.*)$", body, re.MULTILINE))
            found.append({"file": info.split(None, 1)[1].strip(), **options})
    return found


def region(name: str, marker: str) -> str:
    """The dedented lines of an example between ``docs-start <marker>`` and ``docs-end``."""
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    start = re.search(rf"^.*docs-start {re.escape(marker)}\n", text, re.MULTILINE)
    end = re.search(rf"^.*docs-end {re.escape(marker)}$", text, re.MULTILINE)
    assert start, f"{name} has no start of region {marker!r}"
    assert end, f"{name} has no end of region {marker!r}"
    return textwrap.dedent(text[start.end() : end.start()]).strip()


def load(name: str) -> ModuleType:
    """Import an example file as a fresh module (its ``__main__`` block does not run)."""
    spec = importlib.util.spec_from_file_location(f"docs_example_{name[:-3]}", EXAMPLES / name)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def printed(capsys: pytest.CaptureFixture[str]) -> str:
    """What the example printed (waitkit itself prints nothing: no logging is configured)."""
    return "\n".join(capsys.readouterr().out.splitlines())


def run_virtual(name: str) -> None:
    """Run an example's main() on trio's virtual clock (it must touch no socket)."""
    backend, options = virtual_time_backend("trio")
    anyio.run(load(name).main, backend=backend, backend_options=options)


# ---------------------------------------------------------------------- environments
@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Point botocore's default configuration at an endpoint, with fake credentials only."""

    def point(endpoint: str) -> None:
        monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
        monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
        monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")

    return point


def aws(data: dict[str, Any]) -> Emulator:
    """An emulator for an AWS scenario."""
    return Emulator(Scenario.model_validate(data))


# ---------------------------------------------------------------------- the guard
def test_every_python_block_is_an_included_example_or_a_doctest():
    """No ```python block in docs/ or README.md escapes the tests."""
    unrun = []
    for path in [*PAGES, README]:
        for line, info, _, body in blocks(path):
            if not PYTHON.match(info):
                continue
            if body.lstrip().startswith(">>>"):
                continue  # run by test_page_doctests
            if path == README and any(body.strip() == region(*r) for r in README_REGIONS):
                continue  # a verbatim copy of an example region, checked below
            unrun.append(f"{path.relative_to(ROOT)}:{line}")
    assert unrun == [], "python blocks neither included from docs/examples nor doctests"


def test_includes_show_existing_regions_of_examples_that_run():
    """Each literalinclude names a file of docs/examples that a test here runs, and real markers."""
    seen = set()
    for page in PAGES:
        for include in includes(page):
            name = include["file"].removeprefix("examples/")
            assert name in EXAMPLES_RUN, f"{page.name}: {name} is not run by a test"
            text = (EXAMPLES / name).read_text(encoding="utf-8")
            for option in ("start-after", "end-before"):
                assert text.count(include[option]) == 1, f"{page.name}: {include[option]!r}"
            seen.add(name)
    seen |= {name for name, _ in README_REGIONS}  # pasted into README.md, which cannot include
    files = {path.name for path in EXAMPLES.glob("*.py")}
    assert files == set(EXAMPLES_RUN), "every example file is listed in EXAMPLES_RUN"
    assert files - seen == set(), "every example file is shown on a page"


def test_readme_blocks_are_copies_of_example_regions():
    """README.md (rendered outside Sphinx) repeats example regions verbatim."""
    readme = [body.strip() for _, info, _, body in blocks(README) if PYTHON.match(info)]
    assert readme == [region(*r) for r in README_REGIONS]


@pytest.mark.parametrize("page", [p for p in PAGES if ">>> " in p.read_text()], ids=str)
def test_page_doctests(page: Path):
    """The doctest sessions on a page produce the output they show."""
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for line, info, _, body in blocks(page):
        if PYTHON.match(info) and body.lstrip().startswith(">>>"):
            test = parser.get_doctest(body, {}, page.name, str(page), line)
            runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


# ---------------------------------------------------------------------- logging recipes
#: A child interpreter importing waitkit (under coverage, on a loaded machine) takes
#: seconds; the bound only stops a hung child.
CHILD_BOUND = 45


def recipe(name: str) -> subprocess.CompletedProcess[str]:
    """Run one recipe of logging_recipes.py as a program, as a user would."""
    return subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, str(EXAMPLES / "logging_recipes.py"), name],
        capture_output=True,
        text=True,
        timeout=CHILD_BOUND,
        check=True,
    )


def test_logging_quiet_by_default():
    """With no logging configured, a wait (and a failed one) prints nothing anywhere."""
    run = recipe("quiet")
    assert (run.stdout, run.stderr) == ("", "")


def test_logging_human_readable():
    """logging.basicConfig shows one line per event, with its fields."""
    lines = recipe("human").stderr.splitlines()
    assert lines[0] == "INFO waitkit wait.started waiter=scripted resource=build-42 timeout=60.0"
    assert [line.split()[2] for line in lines] == [
        "wait.started", "wait.state_changed", "wait.state_changed", "wait.succeeded"
    ]  # fmt: skip


def test_logging_json_lines():
    """The JSON formatter of the recipe writes every field of every event."""
    events = [json.loads(line) for line in recipe("json").stdout.splitlines()]
    assert events[0] == {
        "level": "info", "logger": "waitkit", "event": "wait.started", "waiter": "scripted",
        "resource": "build-42", "timeout": 60.0,
    }  # fmt: skip
    assert events[-1]["event"] == "wait.succeeded"
    assert events[-1]["attempts"] == 3


def test_logging_through_structlog():
    """An application's structlog configuration renders waitkit's events, once each."""
    run = recipe("structlog")
    events = [json.loads(line) for line in run.stdout.splitlines()]
    assert [e["event"] for e in events] == [
        "wait.started", "wait.state_changed", "wait.state_changed", "wait.succeeded"
    ]  # fmt: skip
    assert run.stderr == ""


def test_logging_caplog_test_file(pytester: pytest.Pytester):
    """The caplog test file passes as a user's project runs it."""
    pytester.makeini((EXAMPLES / "pytest.ini").read_text())
    pytester.makepyfile(test_caplog=(EXAMPLES / "test_logging_caplog.py").read_text())
    pytester.runpytest(*EXAMPLE_RUN, "-W", "error").assert_outcomes(passed=1)


# ---------------------------------------------------------------------- engine examples
README_REGIONS = [("readme.py", "tour")]


def test_readme_tour(capsys: pytest.CaptureFixture[str]):
    """until(), a waiter and wait_all() of the README run to success."""
    run_virtual("readme.py")
    assert printed(capsys).splitlines()[-1] == "3 ['done', 'done', 'done']"


def test_quickstart(capsys: pytest.CaptureFixture[str]):
    """until() returns three rows; BuildWaiter reaches SUCCEEDED and streams its states."""
    run_virtual("quickstart.py")
    out = printed(capsys)
    assert "['row 0', 'row 1', 'row 2']" in out
    assert "QUEUED 0%\nRUNNING 40%\nRUNNING 80%\nSUCCEEDED 100%" in out


def test_quickstart_plain_script(capsys: pytest.CaptureFixture[str], monkeypatch):
    """waitkit.run() waits for a build from synchronous code (a build that is done at once)."""
    module = load("quickstart.py")
    monkeypatch.setattr(module.BuildApi, "STEPS", (("SUCCEEDED", 100),))
    module.from_a_plain_script()
    assert printed(capsys) == "SUCCEEDED 100%"


def test_instrumentation(capsys: pytest.CaptureFixture[str]):
    """The hooks count one throttled retry; OpenTelemetry has one span per wait."""
    run_virtual("instrumentation.py")
    lines = printed(capsys).splitlines()
    assert lines[0] == "{'throttled': 1}"
    assert lines[1].startswith("[('build-1', 'succeeded', 2.0), ('build-2', 'succeeded', ")
    spans = sorted(lines[2:])
    assert spans[0].startswith("waitkit.wait scripted build-1 succeeded ['waitkit.state_changed'")
    assert "'waitkit.retrying'" in spans[1]


def test_many_at_once(capsys: pytest.CaptureFixture[str]):
    """wait_all and as_completed finish every deploy; closing as_completed stops at a failure."""
    run_virtual("many_at_once.py")
    out = printed(capsys)
    assert "['done', 'done', 'done', 'done', 'done']" in out
    assert "stopped at scripted deploy-2 scripted deploy-2 failed after" in out
    assert re.search(r"^\+\d+\.\ds deploy-0: done$", out, re.MULTILINE)  # the view's lines
    assert out.count(": succeeded after ") == 5
    assert out.endswith("5 done")


def test_throttle_budget(capsys: pytest.CaptureFixture[str]):
    """Twenty builds on one throttled client all succeed, sharing its budget."""
    run_virtual("throttle_budget.py")
    out = printed(capsys)
    assert "20 builds succeeded" in out
    assert "calls/s" in out
    assert "pace None" not in out  # the API did throttle, and the budget set a pace


def test_scripted_waiter(capsys: pytest.CaptureFixture[str]):
    """The scripted waiter is throttled, hangs past call_timeout, then succeeds."""
    run_virtual("testing_scripted.py")
    assert "done 4 " in printed(capsys)


# The example test files run in-process, with the pytest.ini they ship with (which keeps
# them out of the repository's strict settings), warnings as errors. Plugins they do not
# use are off: hypothesis's would import all of hypothesis again in every run.
EXAMPLE_RUN = ("-p", "no:cacheprovider", "-p", "no:looptime_plugin", "-p", "no:hypothesispytest")


@pytest.mark.timeout(CHILD_BOUND + 15)
def test_example_test_files_run_from_a_checkout_with_their_own_settings():
    """`pytest docs/examples/test_*.py` from the checkout uses docs/examples/pytest.ini.

    Not the repository's pyproject settings, whose strict mode makes an option of a
    plugin the reader may not have (pytest-timeout's ``timeout``) an error.
    """
    # One file stands for all: pytest picks its settings by the files' directory.
    files = [str((EXAMPLES / "test_logging_caplog.py").relative_to(ROOT))]
    run = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-m", "pytest", "--collect-only", *EXAMPLE_RUN, *files],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=CHILD_BOUND,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "configfile: pytest.ini" in run.stdout
    assert f"rootdir: {EXAMPLES}" in run.stdout


def test_virtual_time_test_file(pytester: pytest.Pytester):
    """The virtual-time test file passes on asyncio and trio."""
    pytester.makeini((EXAMPLES / "pytest.ini").read_text())
    pytester.makepyfile(test_virtual=(EXAMPLES / "test_virtual_time.py").read_text())
    pytester.runpytest(*EXAMPLE_RUN, "-W", "error").assert_outcomes(passed=2)


def test_pytest_plugin_test_file(pytester: pytest.Pytester):
    """The pytest-plugin test file passes: pytest-asyncio and anyio tests, and a sync one."""
    pytester.makeini((EXAMPLES / "pytest.ini").read_text())
    pytester.makepyfile(test_plugin=(EXAMPLES / "test_pytest_plugin.py").read_text())
    pytester.runpytest(*EXAMPLE_RUN, "-W", "error").assert_outcomes(passed=3)


def test_manual_clock_test_file(pytester: pytest.Pytester):
    """The manual-clock test file passes as a user's project runs it."""
    pytester.makeini((EXAMPLES / "pytest.ini").read_text())
    pytester.makepyfile(test_clock=(EXAMPLES / "test_manual_clock.py").read_text())
    pytester.runpytest(*EXAMPLE_RUN, "-W", "error").assert_outcomes(passed=2)


# ---------------------------------------------------------------------- AWS examples
@pytest.mark.anyio
async def test_instance_refresh(aws_env, capsys: pytest.CaptureFixture[str]):
    """InstanceRefreshWaiter.states() follows a refresh started on the emulator to Successful."""
    on_start = [
        {"at": 0, "status": "InProgress", "percentage_complete": 40, "instances_to_update": 3},
        {"after": 1, "status": "Successful", "percentage_complete": 100, "instances_to_update": 0},
    ]
    async with aws({"autoscaling": {"groups": [{"name": "web", "on_start": on_start}]}}) as emu:
        aws_env(emu.aws_endpoint)
        await load("aws_instance_refresh.py").main()
        assert emu.counters.of("autoscaling", "StartInstanceRefresh") == 1
    lines = printed(capsys).splitlines()
    assert lines == ["InProgress 40% (3 to update)", "Successful 100%"]


@pytest.mark.anyio
async def test_instance_refresh_emulator(capsys: pytest.CaptureFixture[str]):
    """The emulator test of the instance-refresh page waits through Pending and InProgress."""
    await load("aws_instance_refresh_emulator.py").main()
    assert "['Pending 0%', 'InProgress 50%', 'Successful 100%']" in printed(capsys)


@pytest.mark.anyio
async def test_durable_execution(aws_env, capsys: pytest.CaptureFixture[str]):
    """An execution invoked on the emulator is awaited by ARN to its result."""
    # Finished at the first look: the example's default policy would sleep 2 s before another.
    on_invoke = [{"at": 0, "status": "SUCCEEDED", "result": '{"paid": true}'}]
    async with aws({"durable": {"functions": [{"name": "checkout", "on_invoke": on_invoke}]}}) as e:
        aws_env(e.aws_endpoint)
        await load("aws_durable_execution.py").main()
        assert e.counters.of("lambda", "Invoke") == 1
    assert '{"paid": true}' in printed(capsys)


@pytest.mark.anyio
async def test_durable_execution_emulator(capsys: pytest.CaptureFixture[str]):
    """The page's durable scenario runs: RUNNING, then SUCCEEDED with its result."""
    await load("aws_durable_execution_emulator.py").main()
    assert 'SUCCEEDED {"ok": true}' in printed(capsys)


ORDERS_ROWS = [
    {"fields": {"@timestamp": "2026-11-22 03:04:05.000", "@message": "ERROR card declined"}},
    {"fields": {"@timestamp": "2026-11-22 03:04:06.000", "@message": "ERROR timeout"}},
]


@pytest.mark.anyio
async def test_logs_insights(aws_env, capsys: pytest.CaptureFixture[str]):
    """LogsInsightsQuery.results() returns the emulator's rows, with a query id."""
    # Complete at the first look: the example's default policy would sleep 2 s before another.
    timeline = [{"at": 0, "status": "Complete"}]
    script = {"match": "ERROR", "timeline": timeline, "rows": ORDERS_ROWS}
    async with aws({"logs": {"queries": [script]}}) as emu:
        aws_env(emu.aws_endpoint)
        await load("aws_logs_insights.py").main()
    out = printed(capsys)
    assert "2026-11-22 03:04:05.000 ERROR card declined" in out
    assert "2026-11-22 03:04:06.000 ERROR timeout" in out


@pytest.mark.anyio
async def test_logs_insights_late_rows(aws_env, capsys: pytest.CaptureFixture[str]):
    """min_rows=1 runs the query again until the row ingested late comes back."""
    # A manual clock: the row is ingested when the test moves time on, once the query has
    # run twice and found nothing. On a running clock ("ingested 2.5 s in") a busy machine
    # may start the first run after the row is in, and nothing is ever run again.
    late = [{"fields": {"@message": "ERROR late"}, "ingested_at": 60}]
    script = {"match": "ERROR", "timeline": [{"at": 0, "status": "Complete"}], "rows": late}
    async with aws({"clock": "manual", "logs": {"queries": [script]}}) as emu:
        aws_env(emu.aws_endpoint)
        example = load("aws_logs_insights_late_rows.py")
        async with anyio.create_task_group() as group:
            # No propagation delay: here the row arrives when the clock is moved.
            group.start_soon(lambda: example.main(propagation_delay=0))
            with anyio.fail_after(10):
                while emu.counters.of("logs", "StartQuery") < 2:  # noqa: ASYNC110 - polled
                    await anyio.sleep(0.01)
            emu.clock.advance_to_next()  # the row is ingested
        starts = emu.counters.of("logs", "StartQuery")
    out = printed(capsys).splitlines()
    assert int(out[0]) == starts >= 3  # two queries found nothing, a later one the row
    assert "ERROR late" in out[1]


@pytest.mark.anyio
async def test_logs_insights_with_other_waiters(aws_env, capsys: pytest.CaptureFixture[str]):
    """Two new queries and one started elsewhere end together in wait_all."""
    # Complete at the first look: the example's default policy would sleep 2 s before another.
    script = {
        "match": "ERROR",
        "timeline": [{"at": 0, "status": "Complete"}],
        "rows": ORDERS_ROWS[:1],
    }
    async with aws({"logs": {"queries": [script]}}) as emu:
        aws_env(emu.aws_endpoint)
        await load("aws_logs_insights_many.py").main()
        assert emu.counters.of("logs", "StartQuery") == 3
    out = printed(capsys).splitlines()
    assert len(out) == 3
    assert all("ERROR card declined" in line for line in out)


@pytest.mark.anyio
async def test_logs_insights_emulator(capsys: pytest.CaptureFixture[str]):
    """The page's Logs scenario: the late row makes the query run until both rows are back."""
    await load("aws_logs_insights_emulator.py").main()
    queries, rows = printed(capsys).splitlines()[0].split(" ", 1)
    assert int(queries) >= 3  # two queries began before the late row was ingested
    assert rows == "['ERROR first', 'ERROR late']"


async def _create_function(aws_env, endpoint: str) -> None:
    """Point the environment at moto's server and create the function my-fn there (once)."""
    import io
    import zipfile

    from aiobotocore.session import get_session

    aws_env(endpoint)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("index.py", "def handler(event, context):\n    return 1\n")
    session = get_session()
    async with session.create_client("iam") as iam, session.create_client("lambda") as lam:
        functions = await lam.list_functions()
        if any(f["FunctionName"] == "my-fn" for f in functions["Functions"]):
            return
        role = await iam.create_role(RoleName="docs-example", AssumeRolePolicyDocument="{}")
        await lam.create_function(
            FunctionName="my-fn",
            Runtime="python3.12",
            Role=role["Role"]["Arn"],
            Handler="index.handler",
            Code={"ZipFile": archive.getvalue()},
        )


@pytest.mark.anyio
async def test_botocore_function_active(aws_env, moto_endpoint, capsys):
    """function_active_v2 on moto's server finds my-fn Active."""
    await _create_function(aws_env, moto_endpoint)
    await load("aws_botocore.py").main()
    assert "Active" in printed(capsys)


@pytest.mark.anyio
async def test_botocore_ec2(aws_env, moto_endpoint, capsys):
    """instance_running succeeds under a policy of one's own; instance_stopped times out."""
    aws_env(moto_endpoint)
    await load("aws_botocore_ec2.py").main()
    out = printed(capsys)
    assert "[success]" in out
    assert "'Name': 'running'" in out


needs_aioboto3 = pytest.mark.skipif(
    importlib.util.find_spec("aioboto3") is None,
    reason="aioboto3 pins aiobotocore 2.x, so it is not installed beside waitkit[aws]: "
    "nox -s tests_aioboto3 runs this (the aiobotocore spellings are run above)",
)


@needs_aioboto3
@pytest.mark.anyio
async def test_aioboto3_clients_for_every_waiter(aws_env, moto_endpoint, capsys):
    """aioboto3's spellings: refresh, query, botocore waiter; durable where botocore has it."""
    import botocore.session

    from waitkit import ConfigurationError

    models = botocore.session.get_session()
    has_durable = "GetDurableExecution" in models.get_service_model("lambda").operation_names
    statistics = models.get_service_model("logs").shape_for("QueryStatistics").members
    example = load("aws_aioboto3.py")
    # Done at the first look: the example's default policy would sleep 2 s before another.
    on_start = [{"at": 0, "status": "Successful", "percentage_complete": 100}]
    query = {"match": "ERROR", "timeline": [{"at": 0, "status": "Complete"}], "rows": ORDERS_ROWS}
    on_invoke = [{"at": 0, "status": "SUCCEEDED", "result": '{"paid": true}'}]
    scenario = {
        "autoscaling": {"groups": [{"name": "web", "on_start": on_start}]},
        "logs": {"queries": [query]},
        "durable": {"functions": [{"name": "checkout", "on_invoke": on_invoke}]},
    }
    async with aws(scenario) as emu:
        aws_env(emu.aws_endpoint)
        await example.main()
        if has_durable:
            from aiobotocore.session import get_session

            async with get_session().create_client("lambda") as client:
                invoked = await client.invoke(
                    FunctionName="checkout", InvocationType="Event", Payload=b"{}"
                )
            await example.durable(invoked["DurableExecutionArn"])
        else:  # botocore 1.40.61 (aioboto3 15.5): refused before any call
            with pytest.raises(ConfigurationError, match=r"needs aiobotocore >= 3\.0"):
                await example.durable(DURABLE_ARN)
            assert emu.counters.of("lambda") == 0
    await _create_function(aws_env, moto_endpoint)
    await example.function_active()
    out = printed(capsys).splitlines()
    assert out[0] == "Successful 100%"
    assert "2026-11-22 03:04:05.000 ERROR card declined" in out
    # resultCount is absent on older botocore: result_count prints None there.
    assert out[-2:] == ["2.0" if "resultCount" in statistics else "None", "Active"]
    if has_durable:
        assert '{"paid": true}' in out


DURABLE_ARN = (
    "arn:aws:lambda:us-east-1:123456789012:function:checkout:$LATEST/durable-execution/a/b"
)


# ---------------------------------------------------------------------- Kubernetes examples
def kubeconfig_as(emu: Emulator, path: Path, context: str) -> Path:
    """A copy of the emulator's kubeconfig whose context is called ``context``."""
    document = yaml.safe_load(Path(emu.kubeconfig_path).read_text())
    for entry in document["contexts"]:
        entry["name"] = context
    document["current-context"] = context
    path.write_text(yaml.safe_dump(document))
    return path


def k8s(scenario: KubernetesScenario) -> Emulator:
    """An emulator for a Kubernetes scenario."""
    return Emulator(Scenario(kubernetes=scenario))


@pytest.mark.anyio
async def test_job(monkeypatch, tmp_path, capsys):
    """JobWaiter in namespace batch, through the context prod, returns the completion time."""
    # after=1: the wait's first LIST shows etl running; its watch then sees it complete.
    etl = JobScenario(name="etl", namespace="batch", timeline=[JobPoint(after=1, phase="complete")])
    async with k8s(KubernetesScenario(namespaces=["default", "batch"], jobs=[etl])) as emu:
        monkeypatch.setenv("KUBECONFIG", str(kubeconfig_as(emu, tmp_path / "config", "prod")))
        await load("k8s_job.py").main()
    out = printed(capsys).splitlines()
    assert re.match(r"\d{4}-\d\d-\d\d", out[0])


@pytest.mark.anyio
async def test_job_logs(capsys):
    """on_log prints the pod's lines as they are written, then the Job completes."""
    await load("k8s_job_logs.py").main()
    assert printed(capsys).splitlines() == [
        "etl-x7k2p/main: loading 10000 rows",
        "etl-x7k2p/main: step 1 of 2",
        "etl-x7k2p/main: step 2 of 2",
        "complete",
    ]


@pytest.mark.anyio
async def test_condition(monkeypatch, tmp_path, capsys):
    """A condition, a jsonpath, a deletion, and an OR that matches Failed."""
    # after=1: each wait's first LIST shows the object pending; its watch sees the change.
    scenario = KubernetesScenario(
        jobs=[
            JobScenario(name="migrate", timeline=[JobPoint(after=1, phase="complete")]),
            JobScenario(name="old", timeline=[JobPoint(at=0, phase="complete")]),
            JobScenario(name="etl", timeline=[JobPoint(after=1, phase="failed")]),
        ],
        pods=[PodScenario(name="web-0", timeline=[PodPoint(after=1, phase="Running")])],
    )
    async with k8s(scenario) as emu, anyio.create_task_group() as tasks:
        monkeypatch.setenv("KUBECONFIG", str(kubeconfig_as(emu, tmp_path / "config", "kind")))
        requests = emu.kubernetes.requests

        async def delete_old() -> None:
            # Once the wait for its deletion watches it (the second watch of jobs).
            while requests["watch", "jobs"] < 2:  # noqa: ASYNC110 - a counter, no event
                await anyio.sleep(0.005)
            emu.kubernetes.delete_job("old")

        tasks.start_soon(delete_old)
        await load("k8s_condition.py").main()
    assert "('condition=Failed',)" in printed(capsys)


@pytest.mark.anyio
async def test_emulator_worked_example(capsys):
    """The hand-written polling loop ends Successful after the counts the page shows."""
    await load("emulator_worked_example.py").main()
    out = printed(capsys)
    text = (EXAMPLES / "emulator_worked_example.py").read_text()
    shown = re.search(r"# (\{'autoscaling:.*\})", text)
    assert shown
    assert out.splitlines()[-1] == shown[1]


@pytest.mark.anyio
async def test_emulator_counters(capsys):
    """The counters count every request and each throttled StartQuery."""
    await load("emulator_counters.py").main()
    out = printed(capsys).splitlines()
    assert out[-4:] == ["1", "0", "{'logs:GetQueryResults': 1, 'logs:StartQuery': 2}", "1"]


@pytest.mark.anyio
async def test_emulator_k8s_scenario(capsys):
    """The page's Kubernetes scenario plays: etl completes, flaky fails on BackoffLimitExceeded."""
    await load("emulator_k8s_scenario.py").main()
    out = printed(capsys)
    assert "etl: complete ['running', 'succeeding', 'complete']" in out
    assert "flaky: BackoffLimitExceeded" in out


@pytest.mark.anyio
async def test_emulator_k8s_backend(capsys):
    """The backend built as the page shows serves /version and a kubeconfig."""
    await load("emulator_k8s_backend.py").main()
    out = printed(capsys).splitlines()
    assert out[0] == "apiVersion: v1"
    assert out[1].startswith("200 v1.")


@pytest.mark.anyio
async def test_emulator_k8s_client(monkeypatch, tmp_path, capsys):
    """kubernetes_asyncio lists, then watches the Job etl until it completes."""
    # after=1: the example's LIST shows etl running; its watch then sees it complete.
    etl = JobScenario(name="etl", timeline=[JobPoint(after=1, phase="complete")])
    async with k8s(KubernetesScenario(jobs=[etl])) as emu:
        await anyio.Path(tmp_path / "emulator.kubeconfig").write_text(
            await anyio.Path(emu.kubeconfig_path).read_text()
        )
        monkeypatch.chdir(tmp_path)
        await load("emulator_k8s_client.py").main()
    lines = printed(capsys).splitlines()
    assert lines[-1].startswith("MODIFIED")


EXAMPLES_RUN = (
    "readme.py",
    "quickstart.py",
    "many_at_once.py",
    "testing_scripted.py",
    "throttle_budget.py",
    "test_virtual_time.py",
    "test_pytest_plugin.py",
    "test_manual_clock.py",
    "aws_instance_refresh.py",
    "aws_instance_refresh_emulator.py",
    "aws_durable_execution.py",
    "aws_durable_execution_emulator.py",
    "aws_logs_insights.py",
    "aws_logs_insights_late_rows.py",
    "aws_logs_insights_many.py",
    "aws_logs_insights_emulator.py",
    "aws_botocore.py",
    "aws_botocore_ec2.py",
    "aws_aioboto3.py",
    "k8s_job.py",
    "k8s_job_logs.py",
    "k8s_condition.py",
    "emulator_worked_example.py",
    "emulator_counters.py",
    "emulator_k8s_scenario.py",
    "emulator_k8s_backend.py",
    "emulator_k8s_client.py",
    "logging_recipes.py",
    "instrumentation.py",
    "test_logging_caplog.py",
)
