"""Which view shows the progress: for the CLI's output options, and for waitkit.progress().

A live table needs rich (extra ``cli``), so ``_live`` is imported only here, only when a
table is wanted; everything else is a reporter of ``_report``.
"""

from __future__ import annotations

import sys
from typing import TextIO

from waitkit._cli._report import JsonReporter, PlainReporter, Reporter, write_line
from waitkit._core import ConfigurationError


def make_reporter(*, json_lines: bool, quiet: bool, terminal: bool) -> Reporter:
    """The reporter for the output options, on a terminal or not.

    A live view needs rich (extra ``cli``); without it, plain lines and a hint on stderr.
    """
    if json_lines:
        return JsonReporter(states=not quiet)
    if quiet:
        return Reporter()
    if terminal:
        try:
            from waitkit._cli._live import LiveReporter  # noqa: PLC0415 - rich is optional
        except ImportError:
            write_line(
                sys.stderr,
                "waitkit: the live view needs rich: pip install 'waitkit[cli]' "
                "(showing plain lines)",
            )
        else:
            return LiveReporter()
    return PlainReporter()


def progress_reporter(stream: TextIO, *, live: bool | None) -> Reporter:
    """The reporter of ``waitkit.progress(live=..., file=stream)``.

    ``live=None`` draws the table on a terminal when rich is installed, else lines;
    ``live=True`` without rich is a :class:`~waitkit.ConfigurationError`.
    """
    if live is False or (live is None and not stream.isatty()):
        return PlainReporter(out=stream, err=stream)
    try:
        from waitkit._cli._live import LiveReporter  # noqa: PLC0415 - rich is optional
    except ImportError as error:
        if live is None:
            return PlainReporter(out=stream, err=stream)
        msg = "progress(live=True) needs rich: pip install 'waitkit[cli]'"
        raise ConfigurationError(msg) from error
    return LiveReporter(out=stream, err=stream, force_terminal=live, auto_refresh=True)
