"""``waitkit asg-refresh GROUP... [--refresh-id ID | --start ...]``: instance refreshes.

With ``--start`` the command starts a refresh on each group (StartInstanceRefresh),
then awaits the refresh it started: a deploy step needs no second tool. Stopping the
command (Ctrl-C, SIGTERM, a timeout) stops the waiting, not the refresh: an instance
refresh is the deployment itself, and cancelling it is a decision of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from waitkit._cli._command import Example, WaitCommand, Watch
from waitkit._cli._commands._asg_start import add_start_arguments, start_request
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
    add_start_arguments(parser)


async def _build(args: argparse.Namespace, context: Context) -> Sequence[Watch]:
    from waitkit.aws import InstanceRefreshWaiter  # noqa: PLC0415 - extra 'aws'

    groups: list[str] = list(dict.fromkeys(args.groups))  # a group named twice is awaited once
    if args.refresh_id is not None and len(groups) > 1:
        msg = "--refresh-id needs exactly one GROUP (refresh ids belong to one group)"
        raise UsageError(msg)
    request = start_request(args)  # checked before any call
    client = await context.aws.client("autoscaling")
    if request is not None:
        watches = []
        for group in groups:
            # One group at a time: a refresh already running (InstanceRefreshInProgress)
            # stops the command before later groups start theirs.
            started = await client.start_instance_refresh(AutoScalingGroupName=group, **request)
            refresh_id = started["InstanceRefreshId"]
            waiter = InstanceRefreshWaiter(client, group, refresh_id, policy=context.policy)
            watches.append(Watch(f"{group}/{refresh_id}", waiter))
        return watches
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
        "--refresh-id, each group's newest refresh is awaited. With --start, a refresh is "
        "started on each group first (StartInstanceRefresh, with the preferences given as "
        "flags or a JSON file) and that refresh is awaited; stopping the command stops the "
        "waiting, not the refresh."
    ),
    add_arguments=_add_arguments,
    build=_build,
    examples=(
        Example("Await the refresh in progress on two groups:", "waitkit asg-refresh web api"),
        Example(
            "Await one refresh for up to 30 minutes, as JSON lines:",
            "waitkit asg-refresh web --refresh-id 0f1e2d3c --timeout 30m --json",
        ),
        Example(
            "Start a refresh (90% healthy, skip up-to-date instances), then await it:",
            "waitkit asg-refresh web --start --min-healthy-percentage 90 --skip-matching "
            "--timeout 1h",
        ),
        Example(
            "Start with preferences from a file (as the AWS CLI's --preferences):",
            "waitkit asg-refresh web --start --preferences prefs.json",
        ),
    ),
)
