"""The options every wait subcommand shares, and the policy they make."""

from __future__ import annotations

import argparse
from typing import Final

from waitkit._cli._durations import format_duration, parse_duration, timeout_duration
from waitkit._core import DEFAULT_POLICY, ConfigurationError, Policy

#: Titles of the common option groups (the reference documents them once).
WAITING: Final = "waiting"
OUTPUT: Final = "output"
AWS: Final = "AWS"
KUBERNETES: Final = "Kubernetes"
COMMON_GROUPS: Final = (WAITING, OUTPUT, AWS, KUBERNETES)


def _default(value: float | None) -> str:
    return format_duration(value)


def add_common_options(parser: argparse.ArgumentParser) -> None:
    """Add the waiting, output, AWS and Kubernetes options to a wait subcommand."""
    waiting = parser.add_argument_group(WAITING)
    waiting.add_argument(
        "--timeout",
        type=timeout_duration,
        default=DEFAULT_POLICY.timeout,
        metavar="DURATION",
        help=(
            "how long to wait for each resource: seconds or 90s, 30m, 1h30m; "
            f"'none' for no bound (default: {format_duration(DEFAULT_POLICY.timeout)})"
        ),
    )
    waiting.add_argument(
        "--min-delay",
        type=parse_duration,
        default=DEFAULT_POLICY.min_delay,
        metavar="DURATION",
        help=f"the shortest pause between looks (default: {_default(DEFAULT_POLICY.min_delay)})",
    )
    waiting.add_argument(
        "--max-delay",
        type=parse_duration,
        default=DEFAULT_POLICY.max_delay,
        metavar="DURATION",
        help=f"the longest pause between looks (default: {_default(DEFAULT_POLICY.max_delay)})",
    )
    waiting.add_argument(
        "--transient-grace",
        type=parse_duration,
        default=DEFAULT_POLICY.transient_grace,
        metavar="DURATION",
        help=(
            "how long API errors (5xx, refused or dropped connections) are ridden out "
            "before the command gives up with exit 4 "
            f"(default: {_default(DEFAULT_POLICY.transient_grace)})"
        ),
    )

    output = parser.add_argument_group(OUTPUT)
    output.add_argument(
        "--json",
        action="store_true",
        help="JSON lines on stdout: one object per state change, then one result per resource",
    )
    output.add_argument(
        "--quiet",
        "-q",
        action="store_true",
        help="no progress; only problems, on stderr (with --json: only the result objects)",
    )
    output.add_argument(
        "--debug",
        action="store_true",
        help="show tracebacks and waitkit's log events (on stderr)",
    )

    aws = parser.add_argument_group(AWS)
    aws.add_argument("--region", help="the AWS region (default: from the environment or profile)")
    aws.add_argument("--profile", help="the named profile of the AWS config files")
    aws.add_argument(
        "--endpoint-url",
        metavar="URL",
        help="send AWS requests to this endpoint (e.g. the emulator's)",
    )

    kube = parser.add_argument_group(KUBERNETES)
    kube.add_argument("--kubeconfig", metavar="FILE", help="the kubeconfig file to use")
    kube.add_argument(
        "--context", dest="kube_context", metavar="NAME", help="the kubeconfig context to use"
    )


def policy_from(args: argparse.Namespace) -> Policy:
    """The policy the common options describe (raises ConfigurationError when invalid)."""
    if args.min_delay <= 0:
        msg = f"--min-delay must be longer than 0, got {format_duration(args.min_delay)}"
        raise ConfigurationError(msg)
    if args.min_delay > args.max_delay:
        msg = (
            f"--min-delay ({format_duration(args.min_delay)}) is longer than "
            f"--max-delay ({format_duration(args.max_delay)})"
        )
        raise ConfigurationError(msg)
    return DEFAULT_POLICY.replace(
        timeout=args.timeout,
        min_delay=args.min_delay,
        max_delay=args.max_delay,
        transient_grace=args.transient_grace,
    )
