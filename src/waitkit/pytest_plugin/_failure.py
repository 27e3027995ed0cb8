"""How a test that failed with a waitkit error is reported: a short block, not a traceback.

pytest exports no public class for a failure's representation (``TerminalRepr`` and
``ReprFileLocation`` live in its private ``_pytest._code``), but what it reads from a
report's ``longrepr`` is small and stable: ``toterminal(writer)`` to print it, ``str()``
when pytest-xdist sends it between processes, and ``reprcrash`` (``path``, ``lineno``,
``message``, and a ``path:lineno: message`` string) for ``-ra``, ``--tb=line`` and JUnit
XML. The two classes here provide exactly that, so the plugin imports nothing private.
"""

from __future__ import annotations

import linecache
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol, cast

import pytest

from waitkit._core import ProbeError, WaitError, WaitFailedError, bounded, summarize
from waitkit.pytest_plugin._options import full_trace

if TYPE_CHECKING:
    from types import TracebackType

_STATES_SHOWN: Final = 20


class _LineWriter(Protocol):
    """The part of pytest's terminal writer the report uses."""

    def line(self, s: str = "", **markup: bool) -> None: ...


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Report a failed wait as a short block instead of a traceback chain."""
    report = yield
    excinfo = call.excinfo
    if excinfo is None or not report.failed or full_trace(item.config):
        return report
    errors = _wait_errors(excinfo.value)
    if errors:
        block = _WaitFailureRepr.build(
            excinfo.value, errors, excinfo.tb, item.path, item.config.invocation_params.dir
        )
        # Typed by pytest as its private TerminalRepr, whose protocol the block follows.
        report.longrepr = cast("Any", block)
    return report


def _wait_errors(error: BaseException) -> list[WaitError | ProbeError]:
    """The waitkit errors ``error`` consists of: itself, or every leaf of an exception group.

    Empty when anything else is involved, so other failures keep pytest's report.
    """
    if isinstance(error, WaitError | ProbeError):
        return [error]
    if not isinstance(error, BaseExceptionGroup):
        return []
    leaves: list[WaitError | ProbeError] = []
    for inner in error.exceptions:
        found = _wait_errors(inner)
        if not found:
            return []
        leaves.extend(found)
    return leaves


@dataclass(frozen=True)
class _CrashLocation:
    """Where a failed wait was awaited and its headline, as pytest's one-line summaries read it."""

    path: str
    lineno: int
    message: str

    def __str__(self) -> str:
        """``path:lineno: headline``, the form editors understand (``--tb=line``)."""
        first_line = self.message.partition("\n")[0]
        return f"{self.path}:{self.lineno}: {first_line}"


@dataclass(eq=False)
class _WaitFailureRepr:
    """A failed wait as pytest prints it, in place of the traceback chain."""

    lines: tuple[str, ...]
    # pytest's one-line summaries (-ra, --tb=line, JUnit's message) read reprcrash.
    reprcrash: _CrashLocation

    @classmethod
    def build(
        cls,
        raised: BaseException,
        errors: list[WaitError | ProbeError],
        tb: TracebackType | None,
        test_path: Path,
        cwd: Path,
    ) -> _WaitFailureRepr:
        """Describe the failed waits, located at the deepest frame of the test's own file."""
        if isinstance(raised, BaseExceptionGroup):
            waits = f"{len(errors)} failed wait{'' if len(errors) == 1 else 's'}"
            headline = f"{type(raised).__name__}: {raised.message} ({waits})"
            lines = [headline]
            for index, error in enumerate(errors, 1):
                lines.append("")
                lines.extend(_error_lines(error, prefix=f"[{index}] "))
            lines.append("")
        else:
            lines = _error_lines(errors[0])
            headline = lines[0]
        path, lineno = _where(tb, test_path)
        source = linecache.getline(path, lineno).strip()
        shown = _relative(path, cwd)
        lines.append(f"  at:       {shown}:{lineno}" + (f": {source}" if source else ""))
        lines.append("  (full traceback: --waitkit-full-trace or -vv)")
        return cls(tuple(lines), _CrashLocation(shown, lineno, headline))

    def toterminal(self, tw: _LineWriter) -> None:
        """Write the block (pytest calls this for its terminal and ``longreprtext``)."""
        for line in self.lines:
            # Headlines (the only unindented lines) stand out as pytest's "E" lines do.
            tw.line(line, red=not line.startswith(" "), bold=not line.startswith(" "))

    def __str__(self) -> str:
        """The block as plain text (pytest-xdist sends this from its workers)."""
        return "\n".join(self.lines).strip()


def _error_lines(error: WaitError | ProbeError, *, prefix: str = "") -> list[str]:
    """The headline and the fields of one failed wait."""
    observations = f"{error.attempts} observation{'' if error.attempts == 1 else 's'}"
    # The message's first line heads the block; its further lines (a failure's last log
    # lines or history events, the group a wait was part of) follow it as written.
    first, *more = str(error).splitlines() or [""]
    lines = [
        f"{prefix}{type(error).__name__}: {first}",
        *more,
        f"  awaited:  {error.waiter}",
        f"  elapsed:  {error.elapsed:.1f}s ({observations})",
        *_state_lines(error),
    ]
    if isinstance(error, WaitFailedError):
        lines.append(f"  reason:   {error.reason.splitlines()[0] if error.reason else ''}")
    cause = error.__cause__
    if cause is not None:
        text = bounded(str(cause))
        lines.append(f"  cause:    {type(cause).__name__}" + (f": {text}" if text else ""))
    return lines


def _state_lines(error: WaitError | ProbeError) -> list[str]:
    """One line per distinct state with its offset from the start of the wait."""
    label = "  states:   "
    indent = " " * len(label)
    history = error.history
    if not history:
        return [f"{label}none observed"]
    shown = history[-_STATES_SHOWN:]
    hidden = len(history) - len(shown)
    lines = [f"({hidden} earlier not shown)"] if hidden else []
    lines.extend(f"+{entry.elapsed:.1f}s  {summarize(entry.state)}" for entry in shown)
    return [(indent if i else label) + line for i, line in enumerate(lines)]


def _relative(path: str, cwd: Path) -> str:
    """``path`` relative to where pytest was started, as pytest shows locations."""
    try:
        return str(Path(path).relative_to(cwd))
    except ValueError:
        return path


def _where(tb: TracebackType | None, test_path: Path) -> tuple[str, int]:
    """The deepest frame in the test's own file, else the deepest frame at all."""
    wanted = str(test_path)
    found: tuple[str, int] | None = None
    last: tuple[str, int] = (wanted, 0)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        last = (filename, tb.tb_lineno)
        if filename == wanted:
            found = last
        tb = tb.tb_next
    return found or last
