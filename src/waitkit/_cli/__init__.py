"""The ``waitkit`` command line (extra ``waitkit[cli]`` for the live view).

Each subcommand is a small module in :mod:`waitkit._cli._commands`; the shared
machinery (options, clients, the driver of the waits, the reporters, exit codes) lives beside it.
"""

from __future__ import annotations

from waitkit._cli._main import main

__all__ = ("main",)
