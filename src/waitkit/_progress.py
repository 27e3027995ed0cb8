"""waitkit.progress(): the CLI's progress view around any waits of a script.

Built on the instrumentation hooks: the waits started inside the block (and in the
tasks it starts) each get a row, as the ``waitkit`` command shows them: a live table on
a terminal (extra ``cli``, rich), one line per change anywhere else. The view's code is
the CLI's; it is imported when a view is opened, not with ``waitkit``.
"""

from __future__ import annotations

import contextlib
import sys
from typing import TYPE_CHECKING, TextIO

from waitkit._core import using_hooks

if TYPE_CHECKING:
    from collections.abc import Iterator

    from waitkit._cli._track import Track


@contextlib.contextmanager
def progress(*, live: bool | None = None, file: TextIO | None = None) -> Iterator[None]:
    """Show the progress of every wait started inside the block, as the CLI does.

    On a terminal a live table (one row per resource: status, progress, elapsed, last
    change; it needs the ``cli`` extra) is redrawn in place, and what the script prints
    meanwhile appears above it. Anywhere else one line per state change and one per
    end (``+3.2s web/r-1: InProgress 50%``, ``web/r-1: succeeded after 61.0s: ...``).
    The waits themselves are unchanged: results and errors are what they would be
    without the view.

    Args:
        live: ``True`` for the live table, ``False`` for lines, ``None`` (default): the
            table when ``file`` is a terminal.
        file: where to draw (default ``sys.stderr``, so standard output stays the
            script's own).

    Raises:
        ConfigurationError: ``live=True`` without rich installed.

    Example:
        >>> import io, waitkit
        >>> from waitkit.testing import ScriptedWaiter
        >>> out = io.StringIO()
        >>> with waitkit.progress(file=out):
        ...     _ = waitkit.run(ScriptedWaiter(["done"], resource_id="build-7"))
        >>> print(out.getvalue().splitlines()[0])
        +0.0s build-7: done
    """
    from waitkit._cli._rows import Rows  # noqa: PLC0415 - see the module doc
    from waitkit._cli._views import progress_reporter  # noqa: PLC0415 - see the module doc

    stream = file if file is not None else sys.stderr
    reporter = progress_reporter(stream, live=live)
    tracks: list[Track] = []
    rows = Rows(reporter, tracks)
    reporter.begin(tracks)
    try:
        with using_hooks(rows):
            yield
    finally:
        reporter.close()
