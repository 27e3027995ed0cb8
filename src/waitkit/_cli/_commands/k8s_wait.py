"""``waitkit k8s-wait KIND/NAME... --for EXPR [--for EXPR...] [--any]``: ``kubectl wait``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from waitkit._cli._command import Example, WaitCommand, Watch
from waitkit._cli._commands._kube import add_namespace, kube_api, namespace, watch_policy
from waitkit._cli._errors import UsageError

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

    from waitkit._cli._command import Context


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "resources",
        nargs="+",
        metavar="KIND/NAME",
        help=(
            "the objects, as kubectl names them: job/etl deploy/web pods/web-0 ..., or a KIND "
            "then NAMEs (job etl etl-2); awaited together"
        ),
    )
    parser.add_argument(
        "--for",
        dest="expressions",
        action="append",
        required=True,
        metavar="EXPR",
        help=(
            "condition=NAME[=VALUE], jsonpath={PATH}[=VALUE], create or delete, as kubectl "
            "wait; repeat it and all must hold"
        ),
    )
    parser.add_argument(
        "--any",
        action="store_true",
        help="one --for expression holding is enough (the one that did is shown)",
    )
    add_namespace(parser)


def targets(resources: Sequence[str]) -> list[tuple[str, str]]:
    """``(kind, name)`` for each object, from ``KIND/NAME...`` or ``KIND NAME...``, deduplicated.

    Raises:
        UsageError: the forms are mixed, or a part is empty.
    """
    first = resources[0]
    if "/" in first:
        pairs = []
        for text in resources:
            kind, slash, name = text.partition("/")
            if not slash or not kind or not name or "/" in name:
                msg = f"{text!r} is not KIND/NAME (give every object as KIND/NAME, or KIND NAME...)"
                raise UsageError(msg)
            pairs.append((kind, name))
    else:
        names = resources[1:]
        if not names:
            msg = f"{first!r} needs a name: KIND/NAME, or KIND NAME..."
            raise UsageError(msg)
        for name in names:
            if "/" in name:
                msg = f"{name!r}: after a KIND give plain NAMEs, not KIND/NAME"
                raise UsageError(msg)
        pairs = [(first, name) for name in names]
    return list(dict.fromkeys(pairs))


async def _build(args: argparse.Namespace, context: Context) -> Sequence[Watch]:
    from waitkit.k8s import ConditionWaiter  # noqa: PLC0415 - extra 'k8s'

    pairs = targets(args.resources)
    ns = namespace(args, context)
    policy = watch_policy(context.policy)
    expressions: list[str] = args.expressions
    which: dict[str, Any] = {"any_of": expressions} if args.any else {"for_": expressions}
    api = await kube_api(context)
    return [
        Watch(f"{kind}/{name}", ConditionWaiter(api, kind, name, ns, policy=policy, **which))
        for kind, name in pairs
    ]


def _render(state: Any) -> Sequence[str]:  # noqa: ANN401 - a ConditionState
    """Each matched expression with what made it hold: the condition's reason and message."""
    lines = []
    values = dict(state.values)
    for expression in state.matched:
        kind, _, rest = expression.partition("=")
        detail = ""
        if kind.lower() == "condition":
            wanted = rest.partition("=")[0].lower()
            condition = next((c for c in state.conditions if c.type.lower() == wanted), None)
            if condition is not None:
                detail = f"{condition.type}={condition.status}"
                said = ": ".join(part for part in (condition.reason, condition.message) if part)
                detail += f" ({said})" if said else ""
        elif expression in values:
            detail = f"value {values[expression]!r}"
        lines.append(f"matched {expression}" + (f": {detail}" if detail else ""))
    if state.error is not None:
        lines.append(f"error: {state.error}")
    return lines


COMMAND = WaitCommand(
    name="k8s-wait",
    help="await conditions of any Kubernetes object, like kubectl wait",
    description=(
        "Await objects of any kind the API server serves until the --for expressions hold, "
        "as kubectl wait does: every --for must hold, or with --any one of them (the one "
        "that did is shown, and is the state's 'matched' in --json). Conditions compare "
        "case-insensitively and must be as new as the object's generation. An object that "
        "does not exist is 'not found' (exit 1) unless 'create' or 'delete' is awaited. "
        "Unless --min-delay/--max-delay are given, the pauses between looks are short "
        "(0.01s to 0.05s): each look reads a watch, not the API."
    ),
    add_arguments=_add_arguments,
    build=_build,
    render=_render,
    examples=(
        Example(
            "Await two Jobs' Complete condition:",
            "waitkit k8s-wait job/a job/b --for condition=complete -n batch",
        ),
        Example(
            "Await a Job's end, whichever it is, and say which (exit 0 either way):",
            "waitkit k8s-wait job etl --for condition=Complete --for condition=Failed --any",
        ),
        Example(
            "Await a Deployment's rollout for up to 5 minutes:",
            "waitkit k8s-wait deploy/web --for condition=Available --timeout 5m",
        ),
        Example(
            "Await a pod's phase (quote the jsonpath for the shell):",
            "waitkit k8s-wait pod/web-0 --for 'jsonpath={.status.phase}=Running'",
        ),
        Example("Await a namespace's deletion:", "waitkit k8s-wait namespace/old --for delete"),
    ),
)
