"""``waitkit botocore SERVICE WAITER --param KEY=VALUE...``: any waiter botocore defines."""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from waitkit._cli._command import Example, WaitCommand, Watch
from waitkit._cli._errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from waitkit._cli._command import Context

# Members whose values are taken as written: a number or `true` stays text.
_TEXT_TYPES = frozenset({"string", "timestamp", "blob"})


def parse_param(text: str) -> tuple[str, str]:
    """``KEY=VALUE`` -> ``(KEY, VALUE)`` (the value is converted once the operation is known)."""
    key, equals, value = text.partition("=")
    if not equals or not key.strip():
        msg = f"invalid --param {text!r}: use KEY=VALUE, e.g. FunctionName=my-fn"
        raise argparse.ArgumentTypeError(msg)
    return key.strip(), value


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("service", metavar="SERVICE", help="the service: lambda, ec2, dynamodb...")
    parser.add_argument(
        "waiter",
        metavar="WAITER",
        help="the waiter, snake_case (function_active_v2) or as in the model (FunctionActiveV2)",
    )
    parser.add_argument(
        "--param",
        "-p",
        dest="params",
        action="append",
        type=parse_param,
        default=[],
        metavar="KEY=VALUE",
        help=(
            "a parameter of the waiter's operation; repeat it. String parameters take VALUE as "
            "written; list parameters take a JSON list or collect repeated KEYs; others take "
            "VALUE as JSON (numbers, true, objects), else as a string"
        ),
    )


def _json_or_text(text: str) -> Any:  # noqa: ANN401 - any JSON value
    try:
        return json.loads(text)
    except ValueError:
        return text


def _scalar(text: str, shape: Any) -> Any:  # noqa: ANN401 - a botocore Shape; a JSON value
    if getattr(shape, "type_name", None) in _TEXT_TYPES:
        return text
    return _json_or_text(text)


def convert(key: str, texts: Sequence[str], shape: Any) -> Any:  # noqa: ANN401 - botocore Shape
    """The value of parameter ``key`` given as ``texts``, for its member ``shape`` (or None).

    Raises:
        UsageError: a parameter that is not a list is given more than once.
    """
    if getattr(shape, "type_name", None) == "list":
        if len(texts) == 1:
            whole = _json_or_text(texts[0])
            if isinstance(whole, list):
                return whole
        return [_scalar(text, shape.member) for text in texts]
    if len(texts) > 1:
        if shape is not None:
            msg = f"--param {key} is given {len(texts)} times, but {key} is not a list"
            raise UsageError(msg)
        return [_json_or_text(text) for text in texts]  # unknown: the validation names it
    return _scalar(texts[0], shape)


def _input_shape(client: Any, name: str) -> Any:  # noqa: ANN401 - botocore client and Shape
    """The input shape of the waiter's operation, or None when the waiter is unknown."""
    from botocore import xform_name  # noqa: PLC0415 - extra 'aws'

    names = list(client.waiter_names)
    resolved = name if name in names else xform_name(name)
    if resolved not in names:
        return None  # BotocoreWaiter says which names exist
    try:
        operation = client.get_waiter(resolved).config.operation
        return client.meta.service_model.operation_model(operation).input_shape
    except Exception:  # noqa: BLE001 - BotocoreWaiter reports a broken model itself
        return None


async def _build(args: argparse.Namespace, context: Context) -> Sequence[Watch]:
    from waitkit.aws import BotocoreWaiter  # noqa: PLC0415 - extra 'aws'

    client = await context.aws.client(args.service)
    given: defaultdict[str, list[str]] = defaultdict(list)
    for key, text in args.params:
        given[key].append(text)
    shape = _input_shape(client, args.waiter)
    members = getattr(shape, "members", {})
    params = {key: convert(key, texts, members.get(key)) for key, texts in given.items()}
    waiter = BotocoreWaiter(client, args.waiter, params, policy=context.policy)
    return [Watch(waiter.resource_id, waiter)]


def _render(state: Any) -> Sequence[str]:  # noqa: ANN401 - a BotocoreWaiterState
    """The acceptor that ended the wait, worded as botocore does."""
    if state.acceptor is None or state.acceptor.state == "retry":
        return []
    return [f"{state.acceptor.state}: {state.acceptor.explanation}"]


COMMAND = WaitCommand(
    name="botocore",
    help="await any waiter botocore defines (instance_running, table_exists...)",
    description=(
        "Run a botocore waiter (client.waiter_names: function_active_v2, instance_running, "
        "table_exists...) on waitkit's engine: its acceptors decide as in boto3, but "
        "--timeout replaces the model's delay and attempt count, the pauses grow with jitter, "
        "and throttling is retried instead of ending the wait. Parameters are checked against "
        "the operation's model before any call; an unknown waiter lists the service's waiters."
    ),
    add_arguments=_add_arguments,
    build=_build,
    render=_render,
    examples=(
        Example(
            "Await a Lambda function's update:",
            "waitkit botocore lambda function_updated_v2 --param FunctionName=orders",
        ),
        Example(
            "Await two EC2 instances (a list: repeat the key, or give JSON):",
            "waitkit botocore ec2 instance_running -p InstanceIds=i-0abc -p InstanceIds=i-0def",
        ),
        Example(
            "Await a DynamoDB table for up to 5 minutes, as JSON lines:",
            "waitkit botocore dynamodb table_exists -p TableName=orders --timeout 5m --json",
        ),
    ),
)
