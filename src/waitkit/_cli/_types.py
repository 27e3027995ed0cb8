"""The data a wait subcommand hands the CLI's machinery, and the machinery hands back.

The bottom of the CLI's own layers: the command interface (``_command``), the driver
(``_drive``), the reporters (``_report``, ``_live``) and the record of one resource
(``_track``) all use these types, so this module imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from waitkit._core import Waiter

if TYPE_CHECKING:
    from waitkit._cli._clients import AwsClients
    from waitkit._core import Policy


class Example(NamedTuple):
    """One example for ``--help`` and the CLI reference."""

    #: What it does, one sentence.
    text: str
    #: The command line, without the ``$`` prompt.
    command: str


#: Prints a line about a resource as it happens: ``(label, text, JSON fields)``.
Say = Callable[[str, str, dict[str, Any]], None]


class Watch(NamedTuple):
    """One resource to await: how it is named in the output, and its waiter."""

    label: str
    waiter: Waiter[Any]


@dataclass(frozen=True, slots=True)
class Context:
    """What every wait subcommand shares, built once from the common options.

    Attributes:
        policy: delays and the deadline from ``--timeout``, ``--min-delay``, ``--max-delay``.
        aws: the aiobotocore clients, one per service, created on first use and closed
            when the command ends (``--region``, ``--profile``, ``--endpoint-url``).
        kubeconfig: ``--kubeconfig`` (for the Kubernetes subcommands).
        kube_context: ``--context`` (for the Kubernetes subcommands).
        stack: closed when the command ends: enter whatever else must be cleaned up.
        say: prints a line about a resource as it happens, interleaved with the state
            changes (a Job's log line): ``say(label, text, fields)``; ``text`` for plain
            output, ``fields`` (with its ``event``) for ``--json``.
    """

    policy: Policy
    aws: AwsClients
    kubeconfig: str | None
    kube_context: str | None
    stack: AsyncExitStack
    say: Say


#: Extra lines printed under a resource's final line (not in ``--json``), e.g. a result.
Renderer = Callable[[Any], Sequence[str]]
#: A state's progress in percent, or None when it has none.
Progress = Callable[[Any], float | None]


def percentage_complete(state: object) -> float | None:
    """The default progress: the state's ``percentage_complete`` field, when it has one."""
    value = getattr(state, "percentage_complete", None)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def no_lines(state: object) -> Sequence[str]:  # noqa: ARG001 - the Renderer signature
    """The default renderer: nothing beyond the final line."""
    return ()
