"""The argparse parser: ``waitkit [--version] COMMAND ...``, one subparser per command.

argparse (stdlib) rather than click or typer: the CLI must start, and ``--help`` must
work, with only waitkit's core dependencies installed, and argparse's parser is data
the reference page is rendered from.
"""

from __future__ import annotations

import argparse
import functools
from typing import TYPE_CHECKING, NoReturn

from waitkit._cli._exit import MEANINGS, ExitCode

if TYPE_CHECKING:
    from collections.abc import Sequence

    from waitkit._cli._command import Command, Example

PROG = "waitkit"
DESCRIPTION = (
    "Await long-running infrastructure operations: AWS Auto Scaling instance refreshes, "
    "Lambda durable executions, and more, several at once."
)


class CliParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors exit 3 with one line."""

    def error(self, message: str) -> NoReturn:
        """``waitkit asg-refresh: error: ... (see --help)`` on stderr; exit 3."""
        self.exit(ExitCode.USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


class _Formatter(argparse.HelpFormatter):
    """Fills prose lines; keeps indented lines (examples, exit codes) as written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        lines: list[str] = []
        for line in text.splitlines():
            if line.startswith(" ") or not line:
                lines.append(indent + line)
            else:
                lines.append(super()._fill_text(line, width, indent))
        return "\n".join(lines)


def _formatter(width: int | None) -> type[argparse.HelpFormatter]:
    # A fixed width makes the rendered reference independent of the terminal.
    return functools.partial(_Formatter, width=width)  # type: ignore[return-value]


def format_examples(examples: Sequence[Example]) -> str:
    """The examples as an epilog for ``--help``."""
    if not examples:
        return ""
    lines = ["examples:"]
    for example in examples:
        lines += [f"  {example.text}", f"    $ {example.command}"]
    return "\n".join(lines)


def _exit_codes() -> str:
    lines = ["exit codes:"]
    lines += [f"  {int(code):>3}  {meaning.replace('`', '')}" for code, meaning in MEANINGS.items()]
    return "\n".join(lines)


def build_parser(
    commands: Sequence[Command] | None = None, *, width: int | None = None
) -> CliParser:
    """The whole parser; each subparser's ``command`` default is its :class:`Command`.

    Args:
        commands: the subcommands (default: the registered ones).
        width: wrap help at this width (default: the terminal's).
    """
    if commands is None:
        from waitkit._cli._commands import COMMANDS  # noqa: PLC0415 - commands import the framework

        commands = COMMANDS
    from waitkit import __version__  # noqa: PLC0415 - waitkit imports are cheap but circular-prone

    formatter = _formatter(width)
    parser = CliParser(
        prog=PROG, description=DESCRIPTION, epilog=_exit_codes(), formatter_class=formatter
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(
        title="commands", metavar="COMMAND", dest="command_name", required=True
    )
    for command in commands:
        sub = subparsers.add_parser(
            command.name,
            help=command.help,
            description=command.description,
            epilog=format_examples(command.examples),
            formatter_class=formatter,
        )
        sub.set_defaults(command=command)
        command.configure(sub)
    return parser
