"""``waitkit k8s-job NAME... [-n NS]``: Kubernetes Jobs, with pod causes and the log tail."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from waitkit._cli._command import Example, WaitCommand, Watch
from waitkit._cli._commands._kube import add_namespace, kube_api, namespace, watch_policy
from waitkit._cli._durations import parse_duration, positive_duration
from waitkit._cli._errors import UsageError
from waitkit._core import bounded

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Sequence

    from waitkit._cli._command import Context, Say

_MAX_CAUSES_SHOWN: Final = 5
_DEFAULT_POOL: Final = 100
_POOL_PER_JOB: Final = 4
_RESERVED: Final = 16
# JobWaiter's default (waitkit.k8s._logtail.LOG_TIMEOUT); the k8s extra is imported lazily.
LOG_TIMEOUT: Final = 2.0


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("names", nargs="+", metavar="NAME", help="Job names, awaited together")
    add_namespace(parser)
    parser.add_argument(
        "--until",
        choices=("finished", "decided"),
        default="finished",
        metavar="finished|decided",
        help=(
            "finished: wait for Complete or Failed (every pod terminated); decided: return at "
            "SuccessCriteriaMet or FailureTarget (default: finished)"
        ),
    )
    parser.add_argument(
        "--fail-fast",
        action="store_true",
        help=(
            "fail when a pod is stuck on a cause that does not fix itself (ImagePullBackOff, "
            "ErrImagePull, InvalidImageName, CreateContainerConfigError...) for --fail-fast-after"
        ),
    )
    parser.add_argument(
        "--fail-fast-after",
        type=parse_duration,
        default=60.0,
        metavar="DURATION",
        help="how long such a cause may last before --fail-fast fails the Job (default: 60s)",
    )
    parser.add_argument(
        "--log-lines",
        type=int,
        default=20,
        metavar="N",
        help="lines of the failed pod's log to show on failure, 0-10000 (default: 20)",
    )
    parser.add_argument(
        "--logs",
        action="store_true",
        help=(
            "print the lines of every container of every pod of the Jobs as they are "
            "written, prefixed with pod/container, among the state changes (--json: one "
            "'log' object per line); a deleted failed pod's log tail comes from them"
        ),
    )
    parser.add_argument(
        "--log-container",
        action="append",
        metavar="NAME",
        dest="log_containers",
        help="with --logs: only this container (repeat for several; default: all)",
    )
    parser.add_argument(
        "--diagnostics-timeout",
        type=positive_duration,
        default=LOG_TIMEOUT,
        metavar="DURATION",
        help=(
            "the longest a look at the pods or the read of the failed pod's log may take; "
            "a failure is shown as a failure either way (default: 2s)"
        ),
    )
    parser.add_argument(
        "--on-suspended",
        choices=("wait", "fail"),
        default="wait",
        metavar="wait|fail",
        help="a suspended Job: keep waiting, or fail (default: wait)",
    )


async def _build(args: argparse.Namespace, context: Context) -> Sequence[Watch]:
    from waitkit.k8s import JobWaiter  # noqa: PLC0415 - extra 'k8s'

    ns = namespace(args, context)
    policy = watch_policy(context.policy)
    names: list[str] = list(dict.fromkeys(args.names))  # a Job named twice is awaited once
    if args.log_containers and not args.logs:
        msg = "--log-container applies with --logs"
        raise UsageError(msg)
    # Each followed log holds a connection: room for four containers a Job and the watches
    # (more take turns, losing no line).
    pool = max(_DEFAULT_POOL, _POOL_PER_JOB * len(names) + _RESERVED) if args.logs else None
    api = await kube_api(context, max_connections=pool)
    return [
        Watch(
            f"{ns}/{name}",
            JobWaiter(
                api,
                name,
                ns,
                until=args.until,
                fail_fast=args.fail_fast,
                fail_fast_after=args.fail_fast_after,
                log_lines=args.log_lines,
                on_log=_printer(f"{ns}/{name}", context.say) if args.logs else None,
                log_containers=args.log_containers,
                diagnostics_timeout=args.diagnostics_timeout,
                on_suspended=args.on_suspended,
                policy=policy,
            ),
        )
        for name in names
    ]


def _printer(label: str, say: Say) -> Callable[[Any], None]:
    """``on_log`` for a Job: each line as ``pod/container: text``, a notice as ``waitkit: ...``."""

    def show(line: Any) -> None:  # noqa: ANN401 - a LogLine (the k8s extra is imported lazily)
        if line.notice:
            say(label, f"waitkit: {line.text}", {"event": "log_notice", "message": line.text})
            return
        fields = {
            "event": "log",
            "pod": line.pod,
            "container": line.container,
            "timestamp": line.timestamp,
            "text": line.text,
        }
        say(label, f"{line.pod}/{line.container}: {line.text}", fields)

    return show


def _render(state: Any) -> Sequence[str]:  # noqa: ANN401 - a JobState
    """The pods' causes (while the Job had not finished) and the failed pod's log tail."""
    lines = []
    for cause in state.causes[:_MAX_CAUSES_SHOWN]:
        text = f"pod {cause.summary()}"
        if cause.restarts:
            text += f", {cause.restarts} restart{'' if cause.restarts == 1 else 's'}"
        if cause.message:
            text += f": {bounded(cause.message)}"
        lines.append(text)
    if len(state.causes) > _MAX_CAUSES_SHOWN:
        lines.append(f"... and {len(state.causes) - _MAX_CAUSES_SHOWN} more pod causes")
    if state.log_tail:
        count = len(state.log_tail)
        source = f"pod {state.failed_pod}"
        if state.log_streamed:
            source += " (streamed before the pod was deleted)"
        lines.append(f"last {count} log line{'' if count == 1 else 's'} of {source}:")
        lines += [f"  {line}" for line in state.log_tail]
    lines += list(state.details_missing)  # "log of pod P unavailable: no answer within 2.0s"
    return lines


COMMAND = WaitCommand(
    name="k8s-job",
    help="await Kubernetes Jobs",
    description=(
        "Await Kubernetes Jobs until they are Complete. Failed is a failure, shown with its "
        "reason and the last lines of the failed pod's log. While a Job runs, what its pods "
        "are stuck on (ImagePullBackOff, CrashLoopBackOff, OOMKilled, Unschedulable...) is "
        "in its state, and shown when the wait times out or --fail-fast ends it. --logs "
        "prints the pods' log lines as they are written. Jobs of one "
        "namespace share one watch. A Job that does not exist is 'not found' (exit 1). "
        "Unless --min-delay/--max-delay are given, the pauses between looks are short "
        "(0.01s to 0.05s): each look reads the watch, not the API."
    ),
    add_arguments=_add_arguments,
    build=_build,
    render=_render,
    examples=(
        Example("Await three Jobs of the batch namespace:", "waitkit k8s-job a b c -n batch"),
        Example(
            "Fail at once on image pull errors, and show 50 log lines of a failure:",
            "waitkit k8s-job etl --fail-fast --fail-fast-after 30s --log-lines 50 --timeout 1h",
        ),
        Example(
            "Print the pods' log lines as the Job runs, one JSON object per line:",
            "waitkit k8s-job etl --logs --json",
        ),
        Example(
            "Return as soon as success or failure is decided, in another cluster:",
            "waitkit k8s-job etl --until decided --context prod --json",
        ),
    ),
)
