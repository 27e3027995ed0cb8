"""``waitkit durable (--arn ARN... | --function F --name N...)``: Lambda durable executions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from waitkit._cli._command import Example, WaitCommand, Watch
from waitkit._cli._errors import UsageError

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

    from waitkit._cli._command import Context

_MAX_EVENTS_SHOWN = 5


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    which = parser.add_argument_group("executions (give --arn, or --function and --name)")
    which.add_argument(
        "--arn", nargs="+", metavar="ARN", help="durable execution ARNs (from Invoke)"
    )
    which.add_argument("--function", metavar="F", help="the function of the named executions")
    which.add_argument(
        "--name", nargs="+", metavar="N", help="execution names (DurableExecutionName)"
    )
    parser.add_argument(
        "--history-tail",
        type=int,
        default=20,
        metavar="N",
        help="history events to fetch when an execution fails, 0-1000 (default: 20)",
    )


def _targets(args: argparse.Namespace) -> list[dict[str, str]]:
    """The waiters' identifying arguments, one dict per execution."""
    if args.arn is not None:
        if args.function is not None or args.name is not None:
            msg = "give either --arn, or --function and --name, not both"
            raise UsageError(msg)
        return [{"arn": arn} for arn in dict.fromkeys(args.arn)]
    if args.function is None or args.name is None:
        msg = "give --arn ARN..., or --function F with --name N..."
        raise UsageError(msg)
    return [
        {"function_name": args.function, "execution_name": name}
        for name in dict.fromkeys(args.name)
    ]


async def _build(args: argparse.Namespace, context: Context) -> Sequence[Watch]:
    from waitkit.aws import DurableExecutionWaiter  # noqa: PLC0415 - extra 'aws'

    targets = _targets(args)
    client = await context.aws.client("lambda")
    watches = []
    for target in targets:
        waiter = DurableExecutionWaiter(
            client, **target, history_tail=args.history_tail, policy=context.policy
        )
        watches.append(Watch(target.get("arn") or waiter.resource_id, waiter))
    return watches


def _render(state: Any) -> Sequence[str]:  # noqa: ANN401 - a DurableExecutionState
    """The result of a success; the last events of a failure (its error is in its summary)."""
    lines = []
    if state.result is not None:
        lines.append(f"result: {state.result}")
    events = state.history_tail[-_MAX_EVENTS_SHOWN:]
    if events:
        lines.append("last events: " + ", ".join(_event(event) for event in events))
    lines += list(state.details_missing)  # "history unavailable: AccessDeniedException: ..."
    return lines


def _event(event: Any) -> str:  # noqa: ANN401 - an ExecutionEvent
    return f"{event.event_type} {event.name}" if event.name else str(event.event_type)


COMMAND = WaitCommand(
    name="durable",
    help="await Lambda durable executions",
    description=(
        "Await Lambda durable executions until they SUCCEEDED (FAILED, TIMED_OUT and "
        "STOPPED are failures, shown with the error and the last history events). Name "
        "them by ARN, or by function and execution name."
    ),
    add_arguments=_add_arguments,
    build=_build,
    render=_render,
    examples=(
        Example(
            "Await two executions of one function:",
            "waitkit durable --function orders --name order-1 order-2",
        ),
        Example(
            "Await an execution by ARN, quietly (only the exit code):",
            "waitkit durable --arn 'arn:aws:lambda:...:durable-execution/order-1/...' --quiet",
        ),
    ),
)
