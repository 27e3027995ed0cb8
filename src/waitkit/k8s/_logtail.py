"""The failed pod's log tail: found, read and cut within a time budget; it never hides the outcome.

What explains a failure is fetched after the failure is known, so it must never turn
that failure into something else. Every call here (the pod list, the log read) runs
inside one budget: at most ``timeout`` seconds (``JobWaiter(diagnostics_timeout=...)``,
default :data:`LOG_TIMEOUT`), and at most half the time left before the wait's
deadline (or the engine's ``call_timeout``), so the verdict is still delivered in
time. Whatever goes wrong comes back as words in :attr:`LogTail.missing`
(``log of pod etl-x unavailable: no answer within 2.0s``), as the durable-execution
waiter words a missing history.

The kubelet applies ``tailLines`` first and ``limitBytes`` second, keeping the *start*
of the tail: with long lines that drops the last lines, where the traceback is. So the
tail is asked for with ``tailLines`` only and read as a stream; each line keeps its
first :data:`LOG_LINE_WIDTH` characters and only the last ``lines`` lines are kept, so
memory stays bounded whatever the lines' length.
"""

from __future__ import annotations

import codecs
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import anyio
from kubernetes_asyncio.client.exceptions import ApiException

from waitkit._core import FIELD_LIMIT, bounded, explain_budget, in_seconds, safe
from waitkit.k8s._client import open_get
from waitkit.k8s._errors import api_status, describe_error
from waitkit.k8s._pods import failed_container
from waitkit.k8s._resource import PODS

if TYPE_CHECKING:
    from kubernetes_asyncio.client import ApiClient

#: Default cap, in seconds, of the calls made to explain a failure (pod list and log read).
LOG_TIMEOUT: Final = 2.0
#: Characters of one log line kept (escaped); the rest is left out, and said so.
LOG_LINE_WIDTH: Final = FIELD_LIMIT
#: Characters a failure reason keeps (the engine cuts a longer one at its end, which
#: is where the log's last lines are): the log block fits in what the reason leaves.
REASON_CHARS: Final = 3000
_NOT_FOUND: Final = 404


@dataclass(frozen=True, slots=True)
class LogTail:
    """The failed pod, the last lines of its log, or why they could not be had."""

    pod: str | None = None
    lines: tuple[str, ...] = ()
    missing: str | None = None
    """``log of pod P unavailable: <why>`` or ``log unavailable: <why>``."""
    streamed: bool = False
    """The lines come from the wait's log streams (the pod was gone when the Job failed)."""


async def fetch_log_tail(
    api: ApiClient,
    namespace: str,
    list_pods: Callable[[], Awaitable[list[dict[str, Any]]]],
    *,
    lines: int,
    timeout: float,
    deadline: float | None,
) -> LogTail:
    """Find the pod that explains a failure and read the end of its log, within the budget.

    ``list_pods`` gives the Job's pods (from the shared watch, or one LIST). Never raises
    (but for cancellation): what could not be fetched is said in ``missing``.
    """
    limit = explain_budget(timeout, deadline=deadline)
    if limit <= 0:
        return LogTail(missing=f"{_NO_LOG}no time was left before the deadline")
    found: list[str] = []  # the pod, once known: a timeout then names it
    with anyio.move_on_after(limit):
        return await _fetch(api, namespace, list_pods, lines, found)
    # The budget ran out (had the wait's deadline come first, we would be cancelled instead).
    if found:
        return _unread(found[0], f"no answer within {in_seconds(limit)}")
    return LogTail(missing=f"{_UNLISTED}no answer within {in_seconds(limit)}")


_NO_LOG: Final = "log unavailable: "
_UNLISTED: Final = f"{_NO_LOG}the Job's pods could not be listed: "


def _unread(pod: str, why: str) -> LogTail:
    return LogTail(pod=pod, missing=f"log of pod {pod} unavailable: {why}")


async def _fetch(
    api: ApiClient,
    namespace: str,
    list_pods: Callable[[], Awaitable[list[dict[str, Any]]]],
    lines: int,
    found: list[str],
) -> LogTail:
    try:
        pods = await list_pods()
    except Exception as error:  # noqa: BLE001 - the log is a courtesy; cancellation propagates
        return LogTail(missing=_UNLISTED + bounded(describe_error(error)))
    choice = failed_container(pods)
    if choice is None:
        count = len(pods)
        if not count:
            return LogTail(missing=f"{_NO_LOG}the Job has no pods left (deleted, or none started)")
        plural = "" if count == 1 else "s"
        return LogTail(missing=f"{_NO_LOG}no failed pod among the Job's {count} pod{plural}")
    pod, container, previous = choice
    found.append(pod)
    query = [("tailLines", str(lines))]
    if container:
        query.append(("container", container))
    if previous:
        query.append(("previous", "true"))
    try:
        tail = await read_tail(api, f"{PODS.path(namespace)}/{pod}/log", query, lines=lines)
    except Exception as error:  # noqa: BLE001 - as above
        gone = isinstance(error, ApiException) and api_status(error) == _NOT_FOUND
        return _unread(pod, "pod deleted" if gone else bounded(describe_error(error)))
    return LogTail(pod=pod, lines=tail)


async def read_tail(
    api: ApiClient,
    path: str,
    query: list[tuple[str, str]],
    *,
    lines: int,
    width: int = LOG_LINE_WIDTH,
) -> tuple[str, ...]:
    """GET a pod log and keep its last ``lines`` lines, each escaped and cut to ``width``."""
    response = await open_get(api, path, query, accept="text/plain, */*")
    tail = TailBuffer(lines, width)
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    try:
        async for chunk in response.content.iter_any():
            tail.feed(decoder.decode(chunk))
        tail.feed(decoder.decode(b"", final=True))
    finally:
        response.close()
    return tail.finish()


class TailBuffer:
    r"""The last ``lines`` lines of a text fed in pieces; memory ~ ``lines * width`` characters.

    Example:
        >>> buffer = TailBuffer(2, 8)
        >>> buffer.feed("one\ntwo\nthree " + "x" * 20 + "\nfo")
        >>> buffer.feed("ur\n")
        >>> buffer.finish()
        ('three xx... (line of 26 characters)', 'four')
    """

    def __init__(self, lines: int, width: int) -> None:
        self._kept: deque[str] = deque(maxlen=lines)
        self._width = width
        self._prefix: list[str] = []
        self._prefix_length = 0
        self._length = 0

    def feed(self, text: str) -> None:
        """Add the next piece of the text."""
        *complete, rest = text.split("\n")
        for part in complete:
            self._extend(part)
            self._end_line()
        self._extend(rest)

    def finish(self) -> tuple[str, ...]:
        """The kept lines, a last line without its newline included."""
        if self._length:
            self._end_line()
        return tuple(self._kept)

    def _extend(self, part: str) -> None:
        self._length += len(part)
        room = self._width - self._prefix_length
        if room > 0 and part:
            piece = part[:room]
            self._prefix.append(piece)
            self._prefix_length += len(piece)

    def _end_line(self) -> None:
        prefix = "".join(self._prefix)
        length = self._length
        if length == len(prefix) and prefix.endswith("\r"):  # CRLF line ends
            prefix, length = prefix[:-1], length - 1
        shown = safe(prefix)
        if length > len(prefix) or len(shown) > self._width:
            shown = f"{shown[: self._width]}... (line of {length} characters)"
        self._kept.append(shown)
        self._prefix.clear()
        self._prefix_length = self._length = 0


def render_tail(
    pod: str | None,
    lines: tuple[str, ...],
    missing: tuple[str, ...],
    room: int,
    *,
    streamed: bool = False,
) -> str:
    """The log part of a failure's message, in ``room`` characters.

    The last lines that fit (at least the last one), then what could not be fetched.
    ``streamed``: the lines were streamed while the pod ran (it is gone now), and the
    header says so.
    """
    notes = "".join(f"\n  ({note})" for note in missing)
    if not lines:
        return notes
    room -= len(notes) + 80  # the header
    shown: list[str] = []
    for line in reversed(lines):
        room -= len(line) + 5
        if room < 0 and shown:
            break
        shown.append(line)
    shown.reverse()
    source = f"pod {pod} (streamed before the pod was deleted)" if streamed else f"pod {pod}"
    header = f"last log lines of {source}:"
    if len(shown) < len(lines):
        header = f"last {len(shown)} of {len(lines)} log lines of {source} (all in state.log_tail):"
    body = "\n".join(f"    {line}" for line in shown)
    return f"\n  {header}\n{body}{notes}"
