"""``python -m waitkit.emulator serve --scenario FILE``: run the emulator until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from typing import TYPE_CHECKING

from waitkit.emulator._scenario import Scenario, ScenarioError
from waitkit.emulator._server import serve

if TYPE_CHECKING:
    from collections.abc import Sequence

    from waitkit.emulator._server import Emulator


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
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


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``waitkit-emulator`` and ``python -m waitkit.emulator``."""
    args = _parser().parse_args(argv)
    try:
        scenario = Scenario.from_file(args.scenario) if args.scenario else Scenario()
    except ScenarioError as exc:
        print(exc, file=sys.stderr)  # noqa: T201
        return 2
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            serve(
                scenario,
                host=args.host,
                aws_port=args.port_aws,
                k8s_port=args.port_k8s,
                on_ready=_announce,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
