"""`waitkit k8s-job --logs`: the pods' lines among the state changes, plain or JSON."""

import json

from waitkit._cli._exit import ExitCode
from waitkit.emulator import Emulator, Scenario
from waitkit.emulator.k8s import (
    ContainerState,
    JobPoint,
    JobScenario,
    KubernetesScenario,
    LogPoint,
    PodPoint,
    PodScenario,
)

from .conftest import advance_once, running

FAST = ["--min-delay", "0.02", "--max-delay", "0.1"]


def _scenario(containers: tuple[str, ...] = ("main",)) -> Scenario:
    """Job etl: its pod writes three lines, then succeeds; the Job completes after it."""
    return Scenario(
        clock="manual",
        kubernetes=KubernetesScenario(
            jobs=[JobScenario(name="etl", timeline=[JobPoint(at=5, phase="complete")])],
            pods=[
                PodScenario(
                    name="etl-1",
                    job="etl",
                    containers=list(containers),
                    logs="starting\n",
                    log_lines=[LogPoint(at=1, text="step 1\nstep 2 \x1b[31mred\x1b[0m")],
                    timeline=[
                        PodPoint(at=0, phase="Running"),
                        PodPoint(
                            at=2,
                            phase="Succeeded",
                            containers=[ContainerState(terminated="Completed", exit_code=0)],
                        ),
                    ],
                )
            ],
        ),
    )


def _streaming(emu: Emulator) -> bool:
    """The CLI's stream is open: time may move (every line is then written, and streamed)."""
    return bool(emu.kubernetes.logs.open)


def test_logs_are_printed_among_the_state_changes(cli):
    """Plain lines: pod/container prefixes, escapes made safe, before the final line."""
    with running(_scenario()) as emulator, advance_once(emulator, _streaming, 10):
        run = cli("k8s-job", "etl", "--logs", "--kubeconfig", str(emulator.kubeconfig_path), *FAST)
    assert run.code == 0, run.out + run.err
    lines = run.out.splitlines()
    logged = [line for line in lines if line.startswith("etl-1/main: ")]
    assert logged == [
        "etl-1/main: starting",
        "etl-1/main: step 1",
        "etl-1/main: step 2 \\x1b[31mred\\x1b[0m",
    ]
    final = next(i for i, line in enumerate(lines) if line.startswith("default/etl: succeeded"))
    assert lines.index(logged[-1]) < final
    assert lines[0].startswith("+")  # the first state change comes first


def test_json_gives_one_log_object_per_line(cli):
    """--json: an object per log line (pod, container, timestamp, text) among state objects."""
    with running(_scenario()) as emulator, advance_once(emulator, _streaming, 10):
        run = cli(
            "k8s-job", "etl", "--logs", "--json", "--kubeconfig", str(emulator.kubeconfig_path)
        )
    assert run.code == 0, run.out + run.err
    objects = [json.loads(line) for line in run.out.splitlines()]
    logs = [o for o in objects if o["event"] == "log"]
    assert [(o["resource"], o["pod"], o["container"], o["text"]) for o in logs] == [
        ("default/etl", "etl-1", "main", "starting"),
        ("default/etl", "etl-1", "main", "step 1"),
        ("default/etl", "etl-1", "main", "step 2 \x1b[31mred\x1b[0m"),
    ]
    assert all(o["timestamp"].endswith("Z") for o in logs)
    assert objects[-1]["event"] == "result"
    assert objects[-1]["outcome"] == "succeeded"


def test_an_unknown_container_is_one_notice_and_the_job_decides(cli):
    """--log-container naming a container the pod lacks: one 'waitkit:' line, exit 0."""
    scenario = _scenario(("main", "sidecar"))
    with running(scenario) as emulator, advance_once(emulator, _streaming, 10):
        run = cli(
            "k8s-job",
            "etl",
            "--logs",
            "--log-container",
            "main",
            "--log-container",
            "nope",
            "--kubeconfig",
            str(emulator.kubeconfig_path),
            *FAST,
        )
    assert run.code == 0, run.out + run.err
    notices = [line for line in run.out.splitlines() if line.startswith("waitkit: ")]
    notice = 'container "nope" is not in pod etl-1 (it has: main, sidecar); its log is not streamed'
    assert notices == [f"waitkit: {notice}"]
    assert "etl-1/main: step 1" in run.out.splitlines()


def test_log_container_needs_logs(cli):
    """--log-container alone is a usage error (exit 3), before any call."""
    run = cli("k8s-job", "etl", "--log-container", "main", "--kubeconfig", "/nonexistent")
    assert run.code == ExitCode.USAGE
    assert "--log-container applies with --logs" in run.err


def test_on_a_terminal_the_lines_print_above_the_live_view(terminal):
    """The live view keeps its table; the log lines are printed above it, escapes made safe."""
    with running(_scenario()) as emulator, advance_once(emulator, _streaming, 10):
        run = terminal("k8s-job", "etl", "--logs", "--kubeconfig", str(emulator.kubeconfig_path))
    assert run.code == 0, run.out
    assert "etl-1/main: step 1" in run.out
    assert "etl-1/main: step 2 \\x1b[31mred\\x1b[0m" in run.out
    assert "\x1b[31mred" not in run.out  # the container's escape is not the terminal's
