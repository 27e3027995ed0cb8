"""``python -m waitkit.emulator serve --scenario FILE``: the emulator until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from typing import TYPE_CHECKING, NoReturn

from waitkit.emulator._scenario import Scenario, ScenarioError
from waitkit.emulator._server import serve

if TYPE_CHECKING:
    from collections.abc import Sequence

    from waitkit.emulator._server import Emulator


#: Exit codes, the same as the ``waitkit`` command's for the same situations.
_CONFIGURATION_ERROR = 3  # an invalid scenario file, a port that cannot be listened on
_INTERRUPTED = 130  # Ctrl-C
_TERMINATED = 143  # SIGTERM (128 + 15)


class _Parser(argparse.ArgumentParser):
    """Usage errors exit 3, as the ``waitkit`` command's do (2 means "timed out" there)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(_CONFIGURATION_ERROR, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="waitkit-emulator", description="A local AWS + Kubernetes cloud for offline tests."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("serve", help="serve a scenario until interrupted")
    run.add_argument("--scenario", metavar="FILE", help="YAML or JSON scenario (default: empty)")
    run.add_argument("--host", default="127.0.0.1", help="address to listen on")
    run.add_argument("--port-aws", type=int, default=0, metavar="N", help="AWS port (0: any)")
    run.add_argument(
        "--port-k8s", type=int, default=0, metavar="N", help="Kubernetes port (0: any)"
    )
    return parser


def _announce(emulator: Emulator) -> None:
    print(f"AWS endpoint: {emulator.aws_endpoint}", flush=True)  # noqa: T201 - the CLI's output
    print(f"Kubernetes endpoint: {emulator.k8s_endpoint}", flush=True)  # noqa: T201
    print(f"kubeconfig: {emulator.kubeconfig_path}", flush=True)  # noqa: T201


async def _serve_until_stopped(scenario: Scenario, args: argparse.Namespace) -> bool:
    """Serve until cancelled: Ctrl-C, or SIGTERM (then return True). Clean-up runs for both.

    SIGTERM's default action would kill the process with the emulator's temporary
    directory (its kubeconfig) left behind; here it cancels the server instead.
    """
    task = asyncio.current_task()
    assert task is not None  # noqa: S101 - asyncio.run runs this in a task
    loop = asyncio.get_running_loop()
    terminated = False

    def on_sigterm() -> None:
        nonlocal terminated
        terminated = True
        task.cancel()
        loop.remove_signal_handler(signal.SIGTERM)  # a second SIGTERM kills at once

    watching = sys.platform != "win32"
    if watching:
        loop.add_signal_handler(signal.SIGTERM, on_sigterm)
    try:
        await serve(
            scenario, host=args.host, aws_port=args.port_aws, k8s_port=args.port_k8s,
            on_ready=_announce,
        )  # fmt: skip
    except asyncio.CancelledError:
        if not terminated:
            raise
    finally:
        if watching and not terminated:
            loop.remove_signal_handler(signal.SIGTERM)
    return terminated


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``waitkit-emulator`` and ``python -m waitkit.emulator``.

    Exit codes: 3 an invalid scenario or an address that cannot be listened on, 130
    Ctrl-C, 143 SIGTERM (both after the emulator stopped and removed its files).
    """
    args = _parser().parse_args(argv)
    try:
        scenario = Scenario.from_file(args.scenario) if args.scenario else Scenario()
    except (ScenarioError, OSError) as exc:
        print(f"waitkit-emulator: error: {exc}", file=sys.stderr)  # noqa: T201
        return _CONFIGURATION_ERROR
    try:
        terminated = asyncio.run(_serve_until_stopped(scenario, args))
    except KeyboardInterrupt:
        return _INTERRUPTED
    except OSError as exc:  # the port is taken, the address is not ours
        print(f"waitkit-emulator: error: {exc}", file=sys.stderr)  # noqa: T201
        return _CONFIGURATION_ERROR
    return _TERMINATED if terminated else 0


if __name__ == "__main__":
    sys.exit(main())
