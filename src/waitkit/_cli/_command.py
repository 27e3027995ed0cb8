"""The subcommand interface: what a module under ``_commands`` provides.

There are two kinds of subcommand:

- a :class:`WaitCommand` (``asg-refresh``, ``durable``, ...) declares its own arguments
  and turns the parsed arguments and a :class:`Context` into ``(label, waiter)``
  pairs. The shared machinery adds the common options, builds the policy and the
  clients, drives every waiter, reports progress and picks the exit code.
- any other :class:`Command` (``emulator``) configures its parser and runs itself.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from waitkit._cli._options import add_common_options
from waitkit._core._waiter import Waiter

if TYPE_CHECKING:
    from waitkit._cli._clients import AwsClients
    from waitkit._cli._exit import ExitCode
    from waitkit._cli._track import Track
    from waitkit._core._policy import Policy


class Example(NamedTuple):
    """One example for ``--help`` and the CLI reference."""

    #: What it does, one sentence.
    text: str
    #: The command line, without the ``$`` prompt.
    command: str


class Command(Protocol):
    """A ``waitkit`` subcommand."""

    @property
    def name(self) -> str:
        """The subcommand's name: ``asg-refresh``."""
        ...

    @property
    def help(self) -> str:
        """One line for the list of subcommands."""
        ...

    @property
    def description(self) -> str:
        """A paragraph for the subcommand's ``--help`` and the reference."""
        ...

    @property
    def examples(self) -> Sequence[Example]:
        """Examples, shown in ``--help`` and the reference."""
        ...

    def configure(self, parser: argparse.ArgumentParser) -> None:
        """Add the subcommand's arguments to its parser."""
        ...

    def run(self, args: argparse.Namespace) -> int:
        """Run (synchronously, from ``main``) and return the exit code."""
        ...


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
#: Runs once every resource has ended: may print a summary, and returns the exit code.
Finish = Callable[[Sequence["Track"], argparse.Namespace], "ExitCode"]


def percentage_complete(state: object) -> float | None:
    """The default progress: the state's ``percentage_complete`` field, when it has one."""
    value = getattr(state, "percentage_complete", None)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def no_lines(state: object) -> Sequence[str]:  # noqa: ARG001 - the Renderer signature
    """The default renderer: nothing beyond the final line."""
    return ()


@dataclass(frozen=True, slots=True, kw_only=True)
class WaitCommand:
    """A subcommand that awaits resources; a module defines one and registers it.

    Attributes:
        name: the subcommand's name.
        help: one line for the list of subcommands.
        description: a paragraph for ``--help``.
        add_arguments: adds the subcommand's own arguments (the common options are
            added by the framework).
        build: turns the parsed arguments and the shared :class:`Context` into the
            resources to await. It may raise :class:`~waitkit.ConfigurationError`
            (exit 3); clients come from ``context.aws.client("service")``.
        render: extra lines under a finished resource (gets the last state, or None).
        progress: the progress in percent of a state (default: ``percentage_complete``).
        finish: runs after every resource ended, inside the command (its context is still
            open): may print a summary; returns the exit code (default: the worst outcome).
        examples: shown in ``--help`` and the reference.
    """

    name: str
    help: str
    description: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    build: Callable[[argparse.Namespace, Context], Awaitable[Sequence[Watch]]]
    render: Renderer = no_lines
    progress: Progress = percentage_complete
    finish: Finish | None = None
    examples: Sequence[Example] = field(default=())

    def configure(self, parser: argparse.ArgumentParser) -> None:
        """The subcommand's own arguments, then the common options."""
        self.add_arguments(parser)
        add_common_options(parser)

    def run(self, args: argparse.Namespace) -> int:
        """Await every resource; the exit code is the worst outcome."""
        from waitkit._cli._run import run_wait_command  # noqa: PLC0415 - _run imports Context

        return run_wait_command(self, args)
