"""``waitkit emulator serve --scenario FILE``: run the local cloud until Ctrl-C."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import anyio

from waitkit._cli._command import Example
from waitkit._cli._drive import show_traceback
from waitkit._cli._errors import MissingExtraError, describe
from waitkit._cli._exit import ExitCode
from waitkit._cli._report import write_line
from waitkit._cli._signals import Terminated, terminable

if TYPE_CHECKING:
    from waitkit.emulator import Emulator


def _announce(emulator: Emulator) -> None:
    write_line(sys.stdout, f"AWS endpoint: {emulator.aws_endpoint}")
    write_line(sys.stdout, f"Kubernetes endpoint: {emulator.k8s_endpoint}")
    write_line(sys.stdout, f"kubeconfig: {emulator.kubeconfig_path}")


def _fail(error: Exception, *, debug: bool) -> int:
    """One line (and the traceback with ``--debug``); bad configuration, exit 3."""
    write_line(sys.stderr, f"waitkit: error: {describe(error)}")
    if debug:
        show_traceback(error)
    return ExitCode.USAGE


@dataclass(frozen=True, slots=True)
class EmulatorCommand:
    """``emulator serve``: delegates to :func:`waitkit.emulator.serve`."""

    name: str = "emulator"
    help: str = "run the local AWS + Kubernetes emulator"
    description: str = (
        "Run waitkit's local cloud (extra 'emulator') until Ctrl-C or SIGTERM: real AWS and "
        "Kubernetes endpoints whose resources follow a scenario file. Point the other commands "
        "at it with --endpoint-url."
    )
    examples: Sequence[Example] = field(
        default=(
            Example(
                "Serve a scenario on a fixed port:",
                "waitkit emulator serve --scenario cloud.yaml --port-aws 4566",
            ),
        )
    )

    def configure(self, parser: argparse.ArgumentParser) -> None:
        """``serve`` and its options."""
        actions = parser.add_subparsers(
            title="actions", metavar="ACTION", dest="action", required=True
        )
        serve = actions.add_parser(
            "serve",
            help="serve a scenario until interrupted",
            description="Serve a scenario until interrupted; prints the endpoints when ready.",
            formatter_class=parser.formatter_class,
        )
        serve.add_argument(
            "--scenario", metavar="FILE", help="a YAML or JSON scenario (default: empty)"
        )
        serve.add_argument("--host", default="127.0.0.1", help="the address to listen on")
        serve.add_argument(
            "--port-aws", type=int, default=0, metavar="N", help="the AWS port (default: any)"
        )
        serve.add_argument(
            "--port-k8s",
            type=int,
            default=0,
            metavar="N",
            help="the Kubernetes port (default: any)",
        )
        serve.add_argument("--debug", action="store_true", help="show tracebacks")

    def run(self, args: argparse.Namespace) -> int:
        """Load the scenario and serve it until Ctrl-C (exit 130) or SIGTERM (exit 143)."""
        try:
            from waitkit.emulator import Scenario, ScenarioError, serve  # noqa: PLC0415
        except ImportError as exc:
            error: Exception = MissingExtraError("emulator", "the emulator")
            error.__cause__ = exc
            return _fail(error, debug=args.debug)
        try:
            scenario = Scenario.from_file(args.scenario) if args.scenario else Scenario()
        except (ScenarioError, OSError) as exc:
            return _fail(exc, debug=args.debug)

        async def serve_until_stopped() -> None:
            async with terminable():  # SIGTERM: stop serving and clean up, as Ctrl-C does
                await serve(
                    scenario,
                    host=args.host,
                    aws_port=args.port_aws,
                    k8s_port=args.port_k8s,
                    on_ready=_announce,
                )

        try:
            anyio.run(serve_until_stopped)
        except KeyboardInterrupt:
            return ExitCode.INTERRUPTED
        except Terminated:
            return ExitCode.TERMINATED
        except OSError as exc:  # the port is taken, the address is not ours
            return _fail(exc, debug=args.debug)
        return ExitCode.SUCCESS  # pragma: no cover - serve() returns only when cancelled


COMMAND = EmulatorCommand()
