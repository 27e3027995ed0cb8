"""``main()``: parse, configure logging, run the subcommand, return its exit code."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from waitkit._cli._exit import ExitCode
from waitkit._cli._logging import configure_logging
from waitkit._cli._parser import build_parser

if TYPE_CHECKING:
    from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``waitkit`` console script and ``python -m waitkit._cli``.

    Args:
        argv: the arguments (default: ``sys.argv[1:]``).

    Returns:
        The exit code (see ``waitkit --help``); the console script exits with it.
    """
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:  # --help, --version and usage errors (exit 3)
        return exit_.code if isinstance(exit_.code, int) else ExitCode.USAGE
    except KeyboardInterrupt:
        return ExitCode.INTERRUPTED
    restore = configure_logging(debug=bool(getattr(args, "debug", False)))
    try:
        return int(args.command.run(args))
    except KeyboardInterrupt:
        sys.stderr.write("waitkit: interrupted\n")
        return ExitCode.INTERRUPTED
    finally:
        restore()
