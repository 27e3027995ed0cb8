"""The subcommand interface: what a module under ``_commands`` provides and imports.

There are two kinds of subcommand:

- a :class:`WaitCommand` (``asg-refresh``, ``durable``, ...) declares its own arguments
  and turns the parsed arguments and a :class:`Context` into ``(label, waiter)``
  pairs. The shared machinery (``_drive``) adds the common options, builds the policy
  and the clients, drives every waiter, reports progress and picks the exit code.
- any other :class:`Command` (``emulator``) configures its parser and runs itself.

The types a subcommand module needs are imported from here; they are defined lower down
(``_types``, ``_drive``), so the driver never imports this module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from waitkit._cli._drive import WaitCommand
from waitkit._cli._types import Context, Example, Say, Watch

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

__all__ = ("Command", "Context", "Example", "Say", "WaitCommand", "Watch")


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
