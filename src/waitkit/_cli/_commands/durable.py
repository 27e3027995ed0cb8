"""``waitkit durable (--arn ARN... | --function F --name N... [--invoke])``: durable executions.

With ``--invoke`` the command starts the executions itself (an asynchronous ``Invoke``
with a ``DurableExecutionName``) and awaits each by the ARN the invoke returned, with a
``not_found_grace`` (an execution may not be visible the moment the invoke returns).
As with ``asg-refresh --start``, stopping the command stops the waiting only.
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from waitkit._cli._command import Example, WaitCommand, Watch
from waitkit._cli._errors import UsageError

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

    from waitkit._cli._command import Context

_MAX_EVENTS_SHOWN = 5
#: After an asynchronous invoke "not found" means "not visible yet" for this long.
_INVOKE_GRACE: Final = 30.0


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    which = parser.add_argument_group("executions (give --arn, or --function and --name)")
    which.add_argument(
        "--arn", nargs="+", metavar="ARN", help="durable execution ARNs (from Invoke)"
    )
    which.add_argument("--function", metavar="F", help="the function of the named executions")
    which.add_argument(
        "--name", nargs="+", metavar="N", help="execution names (DurableExecutionName)"
    )
    start = parser.add_argument_group("invoking first (--invoke)")
    start.add_argument(
        "--invoke",
        action="store_true",
        help=(
            "invoke --function first (asynchronously, once per --name; default name: "
            "waitkit-<UTC time>-<8 hex>), then await the executions it started"
        ),
    )
    start.add_argument(
        "--payload",
        metavar="JSON|@FILE",
        help="the invocation's JSON payload, or @FILE to read it from a file (default: {})",
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
    if args.invoke:
        if args.arn is not None or args.function is None:
            msg = "--invoke needs --function F (and optionally --name N...), not --arn"
            raise UsageError(msg)
        names = list(dict.fromkeys(args.name or [_fresh_name()]))
        return [{"function_name": args.function, "execution_name": name} for name in names]
    if args.payload is not None:
        msg = "--payload needs --invoke"
        raise UsageError(msg)
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


def _fresh_name() -> str:
    """``waitkit-20261122T030405-1a2b3c4d``: names are idempotency keys, so each run's is new."""
    return f"waitkit-{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"


def _payload(text: str | None) -> bytes:
    """The payload as bytes, checked to be JSON (a Lambda payload is JSON)."""
    if text is None:
        return b"{}"
    if text.startswith("@"):
        try:
            text = Path(text[1:]).read_text(encoding="utf-8")
        except OSError as error:
            msg = f"--payload: cannot read {text[1:]}: {error.strerror or error}"
            raise UsageError(msg) from error
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        msg = f"--payload must be JSON: {error.msg} (line {error.lineno})"
        raise UsageError(msg) from error
    return text.encode()


async def _invoked(
    args: argparse.Namespace, context: Context, targets: list[dict[str, str]]
) -> Sequence[Watch]:
    from waitkit.aws import DurableExecutionWaiter  # noqa: PLC0415 - extra 'aws'

    payload = _payload(args.payload)  # checked before any call
    client = await context.aws.client("lambda")
    policy = context.policy
    if policy.not_found_grace < _INVOKE_GRACE:
        policy = policy.replace(not_found_grace=_INVOKE_GRACE)
    watches = []
    for target in targets:
        invoked = await client.invoke(
            FunctionName=target["function_name"],
            DurableExecutionName=target["execution_name"],
            InvocationType="Event",
            Payload=payload,
        )
        arn = invoked["DurableExecutionArn"]
        waiter = DurableExecutionWaiter(
            client, arn=arn, history_tail=args.history_tail, policy=policy
        )
        watches.append(Watch(f"{target['function_name']}/{target['execution_name']}", waiter))
    return watches


async def _build(args: argparse.Namespace, context: Context) -> Sequence[Watch]:
    from waitkit.aws import DurableExecutionWaiter  # noqa: PLC0415 - extra 'aws'

    targets = _targets(args)
    if args.invoke:
        return await _invoked(args, context, targets)
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
        "them by ARN, or by function and execution name. With --invoke, the function is "
        "invoked first (asynchronously, once per --name) and the executions it started are "
        "awaited; stopping the command stops the waiting, not the executions."
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
            "Invoke a function with a payload, then await its execution:",
            "waitkit durable --function orders --invoke --payload '{\"order\": 42}' --timeout 15m",
        ),
        Example(
            "Await an execution by ARN, quietly (only the exit code):",
            "waitkit durable --arn 'arn:aws:lambda:...:durable-execution/order-1/...' --quiet",
        ),
    ),
)
