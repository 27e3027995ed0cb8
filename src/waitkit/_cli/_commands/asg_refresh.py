"""``waitkit asg-refresh GROUP... [--refresh-id ID]``: Auto Scaling instance refreshes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from waitkit._cli._command import Example, WaitCommand, Watch
from waitkit._cli._errors import UsageError

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

    from waitkit._cli._command import Context


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "groups", nargs="+", metavar="GROUP", help="Auto Scaling group names, awaited together"
    )
    parser.add_argument(
        "--refresh-id",
        metavar="ID",
        help=(
            "the InstanceRefreshId to await (one GROUP only; default: each group's newest refresh)"
        ),
    )


async def _build(args: argparse.Namespace, context: Context) -> Sequence[Watch]:
    from waitkit.aws import InstanceRefreshWaiter  # noqa: PLC0415 - extra 'aws'

    groups: list[str] = list(dict.fromkeys(args.groups))  # a group named twice is awaited once
    if args.refresh_id is not None and len(groups) > 1:
        msg = "--refresh-id needs exactly one GROUP (refresh ids belong to one group)"
        raise UsageError(msg)
    client = await context.aws.client("autoscaling")
    return [
        Watch(
            group if args.refresh_id is None else f"{group}/{args.refresh_id}",
            InstanceRefreshWaiter(client, group, args.refresh_id, policy=context.policy),
        )
        for group in groups
    ]


COMMAND = WaitCommand(
    name="asg-refresh",
    help="await Auto Scaling instance refreshes",
    description=(
        "Await the instance refresh of each Auto Scaling group until it is Successful "
        "(Failed, Cancelled, RollbackFailed and RollbackSuccessful are failures). Without "
        "--refresh-id, each group's newest refresh is awaited."
    ),
    add_arguments=_add_arguments,
    build=_build,
    examples=(
        Example("Await the refresh in progress on two groups:", "waitkit asg-refresh web api"),
        Example(
            "Await one refresh for up to 30 minutes, as JSON lines:",
            "waitkit asg-refresh web --refresh-id 0f1e2d3c --timeout 30m --json",
        ),
    ),
)
