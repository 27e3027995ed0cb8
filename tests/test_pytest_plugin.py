import importlib.util
import re
import socket
import textwrap

import aiobotocore.session
import kubernetes_asyncio.client
import pytest

import waitkit.aws
import waitkit.emulator
from waitkit.pytest_plugin import EmulatorThread

# Imported here so pytester's in-process runs find them loaded instead of importing
# them again each run (pytester restores sys.modules after every run).
_PRELOADED = (aiobotocore.session, kubernetes_asyncio.client, waitkit.aws, waitkit.emulator)

pytest_plugins = ["pytester"]

# looptime's plugin breaks without pytest-asyncio; hypothesis's imports all of
# hypothesis again in every in-process run (a second each); pytest-asyncio (when
# installed) is switched off unless a test is about it, so its config warnings stay out.
BASE = ("-p", "no:looptime_plugin", "-p", "no:hypothesispytest")
NO_ASYNCIO = (*BASE, "-p", "no:asyncio")
# Sync tests run in other processes (a subprocess, xdist's workers): without anyio's
# plugin, which would import trio in each of them.
SYNC_ONLY = (*NO_ASYNCIO, "-p", "no:anyio")
WITH_ASYNCIO = (*BASE, "-o", "asyncio_default_fixture_loop_scope=function")

needs_pytest_asyncio = pytest.mark.skipif(
    importlib.util.find_spec("pytest_asyncio") is None, reason="needs pytest-asyncio"
)
needs_aioboto3 = pytest.mark.skipif(
    importlib.util.find_spec("aioboto3") is None,
    reason="aioboto3 pins aiobotocore 2.x, so it is not installed beside waitkit[aws]: "
    "nox -s tests_aioboto3 runs this (here its missing-install hint and a bad value are tested)",
)
needs_xdist = pytest.mark.skipif(
    importlib.util.find_spec("xdist") is None, reason="needs pytest-xdist"
)

# A group whose refresh is Pending, InProgress from the 2nd observation, Successful from the 3rd.
CONFTEST = """
import pytest

@pytest.fixture
def anyio_backend():
    return "asyncio"

@pytest.fixture
def waitkit_scenario():
    return {"autoscaling": {"groups": [
        {"name": "web", "on_start": [
            {"at": 0, "status": "Pending", "instances_to_update": 2},
            {"after": 2, "status": "InProgress", "percentage_complete": 50},
            {"after": 3, "status": "Successful", "percentage_complete": 100},
        ]},
        {"name": "broken", "on_start": [
            {"at": 0, "status": "Pending"},
            {"after": 2, "status": "Failed", "status_reason": "health checks failed"},
        ]},
        {"name": "stuck", "on_start": [
            {"at": 0, "status": "Pending", "instances_to_update": 2},
            {"after": 1, "status": "InProgress", "percentage_complete": 50},
        ]},
    ]}}
"""

# The body every async flavour runs: start a refresh and await it through the fixtures.
REFRESH = """
from waitkit import Policy
from waitkit.aws import InstanceRefreshWaiter

FAST = Policy(min_delay=0.05, max_delay=0.1, timeout=5)


async def refresh(waitkit_aws_client, emulator, group="web", policy=FAST):
    async with waitkit_aws_client("autoscaling") as client:
        started = await client.start_instance_refresh(AutoScalingGroupName=group)
        waiter = InstanceRefreshWaiter(
            client, group, refresh_id=started["InstanceRefreshId"], policy=policy
        )
        result = await waiter.wait()
    assert result.state.status == "Successful"
    assert emulator.counters.of("autoscaling", "DescribeInstanceRefreshes") >= 3
    return result
"""


def _files(pytester: pytest.Pytester, **tests: str) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(refresh_body=REFRESH, **{k: textwrap.dedent(v) for k, v in tests.items()})


def test_waitkit_policy_fixture_defaults_to_600_seconds(pytester: pytest.Pytester):
    """Without options the waitkit_policy fixture has a 600 s timeout."""
    pytester.makepyfile(
        """
        def test_policy(waitkit_policy):
            assert waitkit_policy.timeout == 600.0
        """
    )
    pytester.runpytest(*NO_ASYNCIO).assert_outcomes(passed=1)


def test_waitkit_timeout_option_and_ini(pytester: pytest.Pytester):
    """--waitkit-timeout wins over the ini value; the ini value wins over the default."""
    pytester.makeini("[pytest]\nwaitkit_timeout = 42\n")
    pytester.makepyfile(
        """
        def test_policy(waitkit_policy):
            assert waitkit_policy.timeout == 42.0
        """
    )
    pytester.runpytest(*NO_ASYNCIO).assert_outcomes(passed=1)
    pytester.makepyfile(
        """
        def test_policy(waitkit_policy):
            assert waitkit_policy.timeout == 1800.0
        """
    )
    pytester.runpytest(*NO_ASYNCIO, "--waitkit-timeout=1800").assert_outcomes(passed=1)


def test_bad_waitkit_timeout_is_a_clear_error(pytester: pytest.Pytester):
    """A non-numeric or non-positive timeout fails the fixture with a message naming the option."""
    pytester.makepyfile(
        """
        def test_policy(waitkit_policy):
            pass
        """
    )
    result = pytester.runpytest(*NO_ASYNCIO, "--waitkit-timeout=soon")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*--waitkit-timeout must be a number of seconds > 0*"])
    result = pytester.runpytest(*NO_ASYNCIO, "--waitkit-timeout=-5")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*--waitkit-timeout must be a finite number of seconds > 0*"])


@needs_pytest_asyncio
def test_pytest_asyncio_strict_mode_awaits_a_refresh(pytester: pytest.Pytester):
    """Under pytest-asyncio strict mode, a marked test awaits a refresh through the fixtures."""
    _files(
        pytester,
        test_strict="""
        import pytest
        from refresh_body import refresh

        @pytest.mark.asyncio
        async def test_refresh(waitkit_aws_client, emulator):
            await refresh(waitkit_aws_client, emulator)
        """,
    )
    result = pytester.runpytest(*WITH_ASYNCIO, "-o", "asyncio_mode=strict")
    result.assert_outcomes(passed=1)


@needs_pytest_asyncio
def test_pytest_asyncio_auto_mode_awaits_a_refresh(pytester: pytest.Pytester):
    """Under pytest-asyncio auto mode, an unmarked async test awaits a refresh."""
    _files(
        pytester,
        test_auto="""
        from refresh_body import refresh

        async def test_refresh(waitkit_aws_client, emulator):
            await refresh(waitkit_aws_client, emulator)
        """,
    )
    pytester.runpytest(*WITH_ASYNCIO, "-o", "asyncio_mode=auto").assert_outcomes(passed=1)


def test_anyio_plugin_awaits_a_refresh(pytester: pytest.Pytester):
    """Under anyio's plugin (@pytest.mark.anyio on asyncio), a test awaits a refresh."""
    _files(
        pytester,
        test_anyio="""
        import pytest
        from refresh_body import refresh

        @pytest.mark.anyio
        async def test_refresh(waitkit_aws_client, emulator):
            result = await refresh(waitkit_aws_client, emulator)
            assert [e.state.status for e in result.history] == [
                "Pending", "InProgress", "Successful"
            ]
        """,
    )
    pytester.runpytest(*NO_ASYNCIO).assert_outcomes(passed=1)


FAILING = """
import pytest
from waitkit import Policy
from waitkit.aws import InstanceRefreshWaiter

@pytest.mark.anyio
async def test_stuck(waitkit_aws_client):
    async with waitkit_aws_client("autoscaling") as client:
        await client.start_instance_refresh(AutoScalingGroupName="stuck")
        policy = Policy(min_delay=0.05, max_delay=0.1)
        waiter = InstanceRefreshWaiter(client, "stuck", policy=policy)
        await waiter.wait(timeout=0.6)
"""

# A wait that times out with neither the emulator nor a client: cheap to run again.
SCRIPTED_TIMEOUT = """
import anyio
from waitkit import Policy
from waitkit.testing import ScriptedWaiter

def test_stuck():
    waiter = ScriptedWaiter(["Pending"], policy=Policy(min_delay=0.01, max_delay=0.01))
    anyio.run(lambda: waiter.wait(timeout=0.1))
"""


def test_failed_wait_is_reported_as_a_short_block(pytester: pytest.Pytester):
    """A timed-out wait shows what, how long, the states and where; no traceback chain."""
    _files(pytester, test_fails=FAILING)
    result = pytester.runpytest(*NO_ASYNCIO, "-ra")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*_ test_stuck _*",
            "WaitTimeoutError: instance refresh stuck/newest did not finish within 0.6s *",
            "  awaited:  instance refresh stuck/newest",
            "  elapsed:  *s (* observations)",
            "  states:   +*s  Pending 0% (2 to update)",
            "            +*s  InProgress 50% (2 to update)",
            "  at:       test_fails.py:11: await waiter.wait(timeout=0.6)",
            "  (full traceback: --waitkit-full-trace or -vv)",
            "*short test summary info*",
            "FAILED test_fails.py::test_stuck - WaitTimeoutError: instance refresh stuck/*",
        ]
    )
    # No source listing, no "E   " lines, no frames inside waitkit or anyio.
    result.stdout.no_fnmatch_line("E   *")
    # waitkit's own log records (pytest's "Captured log call") name the engine's line;
    # no traceback frame does.
    frames = [line for line in result.stdout.lines if "_engine.py" in line]
    assert all(line.startswith("WARNING  waitkit:_engine.py:") for line in frames), frames
    result.stdout.no_fnmatch_line("*The above exception was the direct cause*")


def test_full_trace_option_and_vv_keep_pytests_traceback(pytester: pytest.Pytester):
    """--waitkit-full-trace (or -vv) restores pytest's own traceback for a failed wait."""
    pytester.makepyfile(test_fails=SCRIPTED_TIMEOUT)
    for flags in (["--waitkit-full-trace"], ["-vv"], ["-o", "waitkit_full_trace=true"]):
        result = pytester.runpytest(*NO_ASYNCIO, *flags)
        result.assert_outcomes(failed=1)
        result.stdout.fnmatch_lines(["E   *WaitTimeoutError: scripted script did not finish*"])
        result.stdout.no_fnmatch_line("  awaited:  *")


def test_one_line_reports_name_where_the_wait_failed(pytester: pytest.Pytester):
    """--tb=line gives path:line: headline, and JUnit XML's message is the headline."""
    pytester.makepyfile(test_fails=SCRIPTED_TIMEOUT)
    result = pytester.runpytest(*NO_ASYNCIO, "--tb=line", "--junitxml=report.xml")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["test_fails.py:7: WaitTimeoutError: scripted script did not finish within 0.1s *"]
    )
    report = (pytester.path / "report.xml").read_text()
    assert 'message="WaitTimeoutError: scripted script did not finish within 0.1s' in report


def test_exception_group_of_failed_waits_lists_each_wait(pytester: pytest.Pytester):
    """A group made only of failed waits shows one block per wait; a mixed group is left alone."""
    _files(
        pytester,
        test_group="""
        import pytest
        from waitkit import Policy, WaitError
        from waitkit.aws import InstanceRefreshWaiter

        FAST = Policy(min_delay=0.05, max_delay=0.1)

        # "broken" fails on its 3rd look, whatever the load; "stuck" times out.
        TIMEOUTS = {"broken": 10, "stuck": 0.3}

        async def failures(waitkit_aws_client, groups=("broken", "stuck")):
            errors = []
            async with waitkit_aws_client("autoscaling") as client:
                for group in groups:
                    timeout = TIMEOUTS[group]
                    await client.start_instance_refresh(AutoScalingGroupName=group)
                    waiter = InstanceRefreshWaiter(client, group, policy=FAST)
                    try:
                        await waiter.wait(timeout=timeout)
                    except WaitError as error:
                        errors.append(error)
            return errors

        @pytest.mark.anyio
        async def test_rollout(waitkit_aws_client):
            raise ExceptionGroup("rollout failed", await failures(waitkit_aws_client))

        @pytest.mark.anyio
        async def test_mixed(waitkit_aws_client):
            errors = await failures(waitkit_aws_client, groups=("broken",))
            raise ExceptionGroup("mixed", [errors[0], ValueError("not a wait")])
        """,
    )
    result = pytester.runpytest(*NO_ASYNCIO)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            "*_ test_rollout _*",
            "ExceptionGroup: rollout failed (2 failed waits)",
            "",
            "?1? WaitFailedError: instance refresh broken/newest failed after *",
            "  awaited:  instance refresh broken/newest",
            "  elapsed:  *s (* observations)",
            "  states:   +*s  Pending 0%",
            "            +*s  Failed 0%: health checks failed",
            "  reason:   Failed: health checks failed",
            "",
            "?2? WaitTimeoutError: instance refresh stuck/newest did not finish within 0.3s *",
            "  awaited:  instance refresh stuck/newest",
            "*",
            "  at:       test_group.py:*: raise ExceptionGroup(*",
            "*_ test_mixed _*",
            "*ValueError: not a wait",
        ]
    )


def test_long_history_is_cut_to_the_last_twenty_states(pytester: pytest.Pytester):
    """A wait through 25 states shows the last 20 and says how many came before."""
    pytester.makepyfile(
        """
        import anyio
        from waitkit import Policy
        from waitkit.testing import ScriptedWaiter, virtual_time_backend

        BACKEND, OPTIONS = virtual_time_backend("trio")  # all 25 states come before the timeout

        def test_many_states():
            script = [f"step-{n:02}" for n in range(25)]
            waiter = ScriptedWaiter(script, policy=Policy(min_delay=0.001, max_delay=0.001))
            anyio.run(lambda: waiter.wait(timeout=0.2), backend=BACKEND, backend_options=OPTIONS)
        """
    )
    result = pytester.runpytest(*NO_ASYNCIO)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "WaitTimeoutError: scripted script did not finish within 0.2s *",
            "  states:   (5 earlier not shown)",
            "            +0.*s  step-05",
            "            +0.*s  step-24",
            "  at:       test_long_history_is_cut_to_the_last_twenty_states.py:10: anyio.run(*",
        ]
    )
    result.stdout.no_fnmatch_line("*s  step-04")


def test_a_failed_execution_block_shows_its_last_history_events(pytester: pytest.Pytester):
    """A durable failure's block has the error and, under it, the last history events."""
    _files(
        pytester,
        test_durable="""
        import pytest
        from waitkit import Policy
        from waitkit.aws import DurableExecutionWaiter

        FAILS = [
            {"after": 0, "status": "RUNNING",
             "events": [{"event_type": "StepStarted", "name": "charge"}]},
            {"after": 1, "status": "FAILED",
             "error": {"error_type": "CardDeclined", "error_message": "declined"}},
        ]

        @pytest.fixture
        def waitkit_scenario():
            execution = {"name": "order-2", "timeline": FAILS}
            return {"durable": {"functions": [{"name": "orders", "executions": [execution]}]}}

        @pytest.mark.anyio
        async def test_checkout(waitkit_aws_client, emulator):
            async with waitkit_aws_client("lambda") as client:
                waiter = DurableExecutionWaiter(
                    client, function_name="orders", execution_name="order-2",
                    policy=Policy(min_delay=0.05, max_delay=0.1),
                )
                await waiter.wait(timeout=30)
        """,
    )
    result = pytester.runpytest(*NO_ASYNCIO)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "WaitFailedError: durable execution orders/order-2 failed after *s: FAILED: Card*",
            "  last history events:",
            "    ExecutionStarted order-2",
            "    StepStarted charge",
            "    ExecutionFailed order-2: CardDeclined: declined (* observations); states: *",
            "  awaited:  durable execution orders/order-2",
            "  elapsed:  *",
            "  states:   +*s  RUNNING",
            "            +*s  FAILED: CardDeclined: declined",
            "  reason:   FAILED: CardDeclined: declined",
        ]
    )


def test_probe_error_block_names_the_cause(pytester: pytest.Pytester):
    """A ProbeError's block shows the provider error as the cause; client kwargs pass through."""
    _files(
        pytester,
        test_probe="""
        import pytest
        from aiobotocore.config import AioConfig
        from waitkit import Policy
        from waitkit.aws import InstanceRefreshWaiter
        from waitkit.emulator import Fault

        @pytest.mark.anyio
        async def test_broken(waitkit_aws_client, emulator):
            fault = Fault(kind="error", status=500, service="autoscaling")
            emulator.call(lambda emu: emu.faults.add(fault))
            once = AioConfig(retries={"total_max_attempts": 1})
            async with waitkit_aws_client("autoscaling", config=once) as client:
                policy = Policy(min_delay=0.05, max_transient_errors=0, transient_grace=0)
                await InstanceRefreshWaiter(client, "web", policy=policy).wait()
        """,
    )
    result = pytester.runpytest(*NO_ASYNCIO)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "ProbeError: observing instance refresh web/newest failed for 0.0s before any state*",
            "  awaited:  instance refresh web/newest",
            "  elapsed:  0.*s (1 observation)",
            "  states:   none observed",
            "  cause:    ClientError: An error occurred (InternalFailure)*",
        ]
    )


def test_endpoint_url_option_points_clients_at_another_endpoint(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
):
    """--waitkit-endpoint-url sends clients there with ambient credentials; no emulator starts."""
    from waitkit.emulator import Scenario

    done = [{"at": 0, "status": "Successful"}]
    scenario = Scenario.from_data(
        {"autoscaling": {"groups": [{"name": "remote", "on_start": done}]}}
    )
    # Ambient credentials, as a LocalStack user would have them (fake: the emulator takes any).
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "ambient")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "ambient")
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture
        def anyio_backend():
            return "asyncio"

        @pytest.fixture
        def waitkit_scenario():
            raise AssertionError("no emulator fixture expected")
        """
    )
    pytester.makepyfile(
        """
        import pytest
        from waitkit.aws import InstanceRefreshWaiter

        @pytest.mark.anyio
        async def test_remote(waitkit_aws_client):
            async with waitkit_aws_client("autoscaling") as client:
                assert client.meta.region_name == "eu-west-1"
                await client.start_instance_refresh(AutoScalingGroupName="remote")
                result = await InstanceRefreshWaiter(client, "remote").wait(timeout=5)
            assert result.state.status == "Successful"
        """
    )
    remote = EmulatorThread(scenario)
    remote.start()
    try:
        result = pytester.runpytest(
            *NO_ASYNCIO,
            f"--waitkit-endpoint-url={remote.aws_endpoint}",
            "--waitkit-region=eu-west-1",
        )
    finally:
        remote.stop()
    result.assert_outcomes(passed=1)
    assert remote.counters.of("autoscaling", "StartInstanceRefresh") == 1
    assert remote.counters.of("autoscaling", "DescribeInstanceRefreshes") >= 1


def test_endpoint_url_aws_means_aws_own_endpoints(pytester: pytest.Pytester):
    """--waitkit-endpoint-url=aws leaves endpoint resolution to botocore (nothing is sent)."""
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.anyio
        async def test_real(waitkit_aws_client):
            async with waitkit_aws_client("autoscaling") as client:
                assert client.meta.endpoint_url == "https://autoscaling.eu-west-1.amazonaws.com"
        """
    )
    result = pytester.runpytest(
        *NO_ASYNCIO, "--waitkit-endpoint-url=aws", "-o", "waitkit_region=eu-west-1"
    )
    result.assert_outcomes(passed=1)


def test_k8s_client_uses_the_emulator_or_the_kubeconfig_option(pytester: pytest.Pytester):
    """waitkit_k8s_client talks to the emulator by default and to --waitkit-kubeconfig if given."""
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(
        """
        import pytest
        from kubernetes_asyncio.client import CoreV1Api

        @pytest.mark.anyio
        async def test_namespaces(waitkit_k8s_client, request):
            async with waitkit_k8s_client() as api:
                answer = await CoreV1Api(api).list_namespace()
            assert "default" in [ns.metadata.name for ns in answer.items]
            if request.config.getoption("waitkit_kubeconfig") is None:
                emulator = request.getfixturevalue("emulator")
                assert emulator.counters.of("kubernetes") >= 1
        """
    )
    pytester.runpytest(*NO_ASYNCIO).assert_outcomes(passed=1)
    from waitkit.emulator import Scenario

    remote = EmulatorThread(Scenario())
    remote.start()
    try:
        result = pytester.runpytest(*NO_ASYNCIO, f"--waitkit-kubeconfig={remote.kubeconfig_path}")
    finally:
        remote.stop()
    result.assert_outcomes(passed=1)
    assert remote.counters.of("kubernetes") >= 1


def test_emulator_fixture_scenario_forms_and_run_time_changes(pytester: pytest.Pytester):
    """waitkit_scenario may be a Scenario or a file; call() changes the emulator at run time."""
    pytester.path.joinpath("cloud.yaml").write_text(
        "autoscaling:\n  groups:\n    - name: from-file\n", encoding="utf-8"
    )
    pytester.makepyfile(
        test_forms="""
        import pytest
        from waitkit.emulator import AutoScalingGroupScenario, InstanceRefreshScenario, Scenario

        class TestFile:
            @pytest.fixture
            def waitkit_scenario(self):
                return "cloud.yaml"

            def test_file(self, emulator):
                groups = emulator.call(lambda emu: emu.scenario.autoscaling.groups)
                assert [group.name for group in groups] == ["from-file"]

        class TestObject:
            @pytest.fixture
            def waitkit_scenario(self):
                return Scenario(speed=4)

            def test_object(self, emulator):
                assert emulator.clock.speed == 4
                assert emulator.aws_endpoint.startswith("http://127.0.0.1:")
                assert emulator.kubeconfig_path.is_file()
                assert emulator.k8s_endpoint.startswith("http://127.0.0.1:")
                assert emulator.faults is emulator.emulator.faults
                group = AutoScalingGroupScenario(name="late")
                emulator.call(lambda emu: emu.autoscaling.add_group(group))
                refresh = InstanceRefreshScenario()
                rid = emulator.call(lambda emu: emu.autoscaling.add_refresh("late", refresh))
                assert emulator.call(lambda emu: emu.autoscaling.status(rid)) == "Pending"

        def test_readable_after_stop(emulator):
            emulator.stop()
            emulator.stop()
            assert emulator.call(lambda emu: emu.counters.snapshot()) == {}

        class TestBad:
            @pytest.fixture
            def waitkit_scenario(self):
                return 42

            def test_bad(self, emulator):
                pass
        """
    )
    result = pytester.runpytest(*NO_ASYNCIO)
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(
        ["*waitkit_scenario must return a Scenario, a mapping, a file path or None, got int*"]
    )


@needs_aioboto3
def test_aws_clients_aioboto3_makes_the_clients_with_an_aioboto3_session(
    pytester: pytest.Pytester,
):
    """--waitkit-aws-clients=aioboto3 (or its ini twin): clients from aioboto3.Session().client."""
    _files(
        pytester,
        test_aioboto3="""
        import aioboto3
        import pytest
        from refresh_body import refresh

        @pytest.fixture
        def sessions(monkeypatch):
            made = []
            real = aioboto3.Session.client

            def client(self, *args, **kwargs):  # the real method, counted
                made.append(args[0])
                return real(self, *args, **kwargs)

            monkeypatch.setattr(aioboto3.Session, "client", client)
            return made

        @pytest.mark.anyio
        async def test_refresh(sessions, waitkit_aws_client, emulator):
            result = await refresh(waitkit_aws_client, emulator)
            assert sessions == ["autoscaling"]
            assert result.state.status == "Successful"
        """,
    )
    pytester.runpytest(*NO_ASYNCIO, "--waitkit-aws-clients=aioboto3").assert_outcomes(passed=1)
    pytester.runpytest(*NO_ASYNCIO, "-o", "waitkit_aws_clients=aioboto3").assert_outcomes(passed=1)


def test_aws_clients_aioboto3_without_aioboto3_names_the_extra(pytester: pytest.Pytester):
    """Asking for aioboto3 clients without aioboto3 installed fails with its install line."""
    pytester.makeconftest(
        """
        import sys

        sys.modules["aioboto3"] = None  # as if waitkit[aioboto3] were not installed
        """
    )
    pytester.makepyfile(
        """
        def test_aws(waitkit_aws_client):
            pass
        """
    )
    result = pytester.runpytest_subprocess(
        *SYNC_ONLY, "--waitkit-endpoint-url=aws", "--waitkit-aws-clients=aioboto3"
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            (
                "the waitkit_aws_client fixture needs aioboto3, which is not installed: "
                "pip install 'waitkit?aioboto3?'"
            )
        ]
    )


def test_aws_clients_unknown_library_is_a_clear_error(pytester: pytest.Pytester):
    """A library other than aiobotocore or aioboto3 fails the fixture, naming both."""
    pytester.makepyfile(
        """
        def test_aws(waitkit_aws_client):
            pass
        """
    )
    result = pytester.runpytest(
        *NO_ASYNCIO, "--waitkit-endpoint-url=aws", "-o", "waitkit_aws_clients=boto3"
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*--waitkit-aws-clients must be one of aiobotocore, aioboto3, got 'boto3'*"]
    )


def test_clients_on_trio_fail_with_a_clear_message(pytester: pytest.Pytester):
    """On anyio's trio backend the client fixtures say they need asyncio, not a deep traceback."""
    pytester.makepyfile(
        """
        import pytest

        @pytest.fixture
        def anyio_backend():
            return "trio"

        @pytest.mark.anyio
        async def test_aws(waitkit_aws_client):
            async with waitkit_aws_client("autoscaling"):
                pass

        @pytest.mark.anyio
        async def test_k8s(waitkit_k8s_client):
            async with waitkit_k8s_client():
                pass
        """
    )
    result = pytester.runpytest(*NO_ASYNCIO)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines_random(
        [
            "waitkit_aws_client makes aiobotocore clients, which need a running asyncio*",
            "waitkit_k8s_client makes kubernetes_asyncio clients, which need a running asyncio*",
        ]
    )


def test_emulator_thread_life_cycle_errors():
    """EmulatorThread starts once, refuses use before start, and raises a failed start."""
    from waitkit.emulator import Scenario

    idle = EmulatorThread(Scenario())
    idle.stop()  # nothing to stop
    with pytest.raises(RuntimeError, match="has not started"):
        _ = idle.aws_endpoint
    broken = EmulatorThread(Scenario(), host="256.0.0.1")
    with pytest.raises(socket.gaierror):  # not an address: the bind fails in the thread
        broken.start()
    with pytest.raises(RuntimeError, match="starts once"):
        broken.start()


def test_emulator_files_are_gone_after_the_test(pytester: pytest.Pytester):
    """The emulator fixture stops its server and removes its kubeconfig after each test."""
    pytester.makepyfile(
        """
        import socket
        import urllib.parse

        seen = []

        def test_first(emulator):
            seen.append((emulator.kubeconfig_path, emulator.aws_endpoint))

        def test_after():
            path, endpoint = seen[0]
            assert not path.exists()
            url = urllib.parse.urlsplit(endpoint)
            with socket.socket() as sock:
                assert sock.connect_ex((url.hostname, url.port)) != 0
        """
    )
    pytester.runpytest(*NO_ASYNCIO).assert_outcomes(passed=2)


def test_unique_execution_name_is_derived_from_the_test_name(pytester: pytest.Pytester):
    """unique_execution_name() is test-{test name, cut to 34}-{UTC stamp}-{8 hex}, new each call."""
    pytester.makepyfile(
        r"""
        import re
        import pytest

        STAMP = r"-\d{8}T\d{6}-[0-9a-f]{8}"

        @pytest.mark.parametrize("case", ["a b/c"])
        def test_order_flow(unique_execution_name, case):
            first, second = unique_execution_name(), unique_execution_name()
            assert re.fullmatch("test-order_flow-a-b-c" + STAMP, first), first
            assert first != second

        def test_a_rather_long_test_name_that_does_not_fit_in_34(unique_execution_name):
            name = unique_execution_name()
            assert re.fullmatch("test-a_rather_long_test_name_that_does" + STAMP, name), name
            assert len(name) <= 64

        def test_label(unique_execution_name):
            assert re.fullmatch("test-checkout-2" + STAMP, unique_execution_name("checkout 2"))
        """
    )
    pytester.runpytest(*NO_ASYNCIO).assert_outcomes(passed=3)


def test_missing_extra_fails_the_fixture_with_an_install_hint(pytester: pytest.Pytester):
    """A fixture whose extra is not installed fails with the pip command that installs it."""
    pytester.makeconftest(
        """
        import sys

        sys.modules["aiohttp"] = None  # as if waitkit[emulator] were not installed
        sys.modules["aiobotocore"] = None  # as if waitkit[aws] were not installed
        """
    )
    pytester.makepyfile(
        """
        def test_emulator(emulator):
            pass

        def test_aws(waitkit_aws_client):
            pass
        """
    )
    result = pytester.runpytest_subprocess(*SYNC_ONLY, "--waitkit-endpoint-url=aws")
    result.assert_outcomes(errors=2)
    result.stdout.no_fnmatch_line("*During handling*")
    result.stdout.fnmatch_lines_random(
        [
            # (fnmatch reads [...] as a character class, hence the ?s)
            (
                "the emulator fixture needs aiohttp, which is not installed: "
                "pip install 'waitkit?emulator?'"
            ),
            (
                "the waitkit_aws_client fixture needs aiobotocore, which is not installed: "
                "pip install 'waitkit?aws?'"
            ),
        ]
    )


@needs_xdist
def test_xdist_workers_each_get_their_own_emulator(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
):
    """Under xdist -n 2 each test has its own emulator and port; failures still read well."""
    # The two worker interpreters are not measured: under coverage their start-up alone
    # took 5 s on a loaded machine, and they run no line the in-process tests do not.
    monkeypatch.delenv("COVERAGE_PROCESS_CONFIG", raising=False)
    log = pytester.path / "endpoints"
    log.mkdir()
    # Plain sync tests (no aiobotocore to import in each worker): each records where its
    # emulator listens and reads the namespaces from it.
    pytester.makepyfile(
        test_parallel=f"""
        import json
        import os
        import pathlib
        import urllib.request
        import pytest

        @pytest.mark.parametrize("n", range(4))
        def test_emulator(emulator, n):
            worker = os.environ["PYTEST_XDIST_WORKER"]
            entry = pathlib.Path({str(log)!r}) / f"{{n}}"
            entry.write_text(f"{{worker}} {{emulator.aws_endpoint}} {{emulator.kubeconfig_path}}")
            url = f"{{emulator.k8s_endpoint}}/api/v1/namespaces"
            with urllib.request.urlopen(url, timeout=10) as answer:
                assert "default" in [ns["metadata"]["name"] for ns in json.load(answer)["items"]]
        """,
        test_fails=SCRIPTED_TIMEOUT,
    )
    # The controller runs in-process; its two workers are processes of their own.
    result = pytester.runpytest(*SYNC_ONLY, "-n", "2")
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(["  awaited:  scripted script", "  elapsed:  *s (* observations)"])
    rows = [path.read_text().split() for path in log.iterdir()]
    assert len(rows) == 4
    assert {worker for worker, _, _ in rows} == {"gw0", "gw1"}
    assert len({kubeconfig for _, _, kubeconfig in rows}) == 4
    assert all(re.fullmatch(r"http://127\.0\.0\.1:\d+", endpoint) for _, endpoint, _ in rows)
