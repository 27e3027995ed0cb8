"""A wait subcommand: what it declares, and how it is driven.

:class:`WaitCommand` is what a subcommand module declares; :func:`drive_command`
builds its waiters, awaits them together, reports and picks the exit code.

Every resource is awaited in a task of one task group (``waiter.states()``, so each
distinct state is reported as it appears); no task outlives the command. Ctrl-C
cancels the task group: each wait's clean-up runs, the reporter closes, and the
command exits 130. SIGTERM does the same and exits 143.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import traceback
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import anyio

from waitkit._cli._clients import AwsClients
from waitkit._cli._errors import UsageError, describe, exit_code_for
from waitkit._cli._exit import ExitCode, worst
from waitkit._cli._options import add_common_options, policy_from
from waitkit._cli._report import Reporter, write_line
from waitkit._cli._signals import Terminated, terminable
from waitkit._cli._track import Track
from waitkit._cli._types import (
    Context,
    Example,
    Progress,
    Renderer,
    Watch,
    no_lines,
    percentage_complete,
)
from waitkit._cli._views import make_reporter
from waitkit._core import redact, safe

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator

#: Runs once every resource has ended: may print a summary, and returns the exit code.
Finish = Callable[[Sequence[Track], argparse.Namespace], ExitCode]


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
        return drive_command(self, args)


def drive_command(command: WaitCommand, args: argparse.Namespace) -> int:
    """Drive ``command``'s waits to their end from synchronous code; return the exit code."""
    reporter = make_reporter(json_lines=args.json, quiet=args.quiet, terminal=sys.stdout.isatty())
    tracks: list[Track] = []
    try:
        code = anyio.run(_drive_in_loop, command, args, reporter, tracks)
    except KeyboardInterrupt:
        write_line(sys.stderr, "waitkit: interrupted")
        return ExitCode.INTERRUPTED
    except Terminated:
        write_line(sys.stderr, "waitkit: terminated")
        return ExitCode.TERMINATED
    except Exception as error:  # noqa: BLE001 - every error becomes one line and an exit code
        cause = _unwrap(error)
        reporter.error(describe(cause))
        if args.debug:
            show_traceback(cause)
        return exit_code_for(cause)
    if args.debug:
        for track in tracks:
            if track.error is not None:
                show_traceback(track.error)
    return code


async def _drive_in_loop(
    command: WaitCommand, args: argparse.Namespace, reporter: Reporter, tracks: list[Track]
) -> ExitCode:
    policy = policy_from(args)
    async with terminable(), AsyncExitStack() as stack:
        clients = AwsClients(
            stack, region=args.region, profile=args.profile, endpoint_url=args.endpoint_url
        )
        context = Context(
            policy=policy,
            aws=clients,
            kubeconfig=args.kubeconfig,
            kube_context=args.kube_context,
            stack=stack,
            say=reporter.say,
        )
        watches = await command.build(args, context)
        if not watches:
            msg = "nothing to wait for"
            raise UsageError(msg)
        tracks.extend(
            Track(safe(label), waiter, command.progress, command.render)
            for label, waiter in watches
        )
        with reporter:
            reporter.begin(tracks)
            await drive(tracks, reporter)
        if command.finish is not None:
            return command.finish(tracks, args)
    return worst(ExitCode.INTERRUPTED if t.exit_code is None else t.exit_code for t in tracks)


async def drive(tracks: Sequence[Track], reporter: Reporter) -> None:
    """Await every track's waiter at once; return when all have ended."""
    async with anyio.create_task_group() as outer:
        if reporter.refresh_interval is not None:
            outer.start_soon(_tick, reporter, reporter.refresh_interval)
        async with anyio.create_task_group() as waits:
            for track in tracks:
                waits.start_soon(_drive_one, track, reporter)
        outer.cancel_scope.cancel()  # stops the ticker


async def _drive_one(track: Track, reporter: Reporter) -> None:
    states = cast("AsyncGenerator[Any, None]", track.waiter.states())
    try:
        async with contextlib.aclosing(states):
            async for state in states:
                track.observed(state)
                reporter.changed(track)
    except Exception as error:  # noqa: BLE001 - the outcome of this resource; cancellation passes
        track.failed(error)
    else:
        track.succeeded()
    finally:
        if track.outcome is None:  # cancelled: the only way out without an outcome
            track.cancelled()
        reporter.ended(track)


async def _tick(reporter: Reporter, interval: float) -> None:
    while True:
        await anyio.sleep(interval)
        reporter.refresh()


def _unwrap(error: BaseException) -> BaseException:
    """The one exception inside (nested) single-exception groups."""
    while isinstance(error, BaseExceptionGroup) and len(error.exceptions) == 1:
        error = error.exceptions[0]
    return error


def show_traceback(error: BaseException) -> None:
    """``--debug``: the traceback on stderr, redacted."""
    text = "".join(traceback.format_exception(error))
    sys.stderr.write(redact(text))
    sys.stderr.flush()
