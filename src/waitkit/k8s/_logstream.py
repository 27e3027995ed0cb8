"""One container's log as a stream of lines: split, bounded, and resumed without loss or repeats.

The kubelet prefixes each line with its RFC 3339 timestamp (nanoseconds) when asked
(``timestamps=true``), and a stream is resumed with ``sinceTime``. The API server
forwards ``sinceTime`` to the kubelet in whole seconds (``metav1.Time`` as RFC 3339),
and the kubelet serves every line *not before* it: a resumed stream repeats the lines
of the last second already read. :class:`LineCursor` remembers the last timestamp
read and how many lines carried it, and lets through only what comes after.

A line is cut to :data:`MAX_LINE_CHARS`: a container that prints a gigabyte without
a newline costs that many characters, not a gigabyte.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final, final

if TYPE_CHECKING:
    from collections.abc import Iterator

#: The most characters of one log line kept; the rest is left out, and said so.
MAX_LINE_CHARS: Final = 16 * 1024
_NANOS: Final = 1_000_000_000


@final
@dataclass(frozen=True, slots=True)
class LogLine:
    """One line of a Job's pod's container log, as :class:`JobWaiter`'s ``on_log`` gets it.

    A *notice* (``notice=True``) is not a line of the log but waitkit's word about it,
    given once: a container named in ``log_containers`` that the pod does not have,
    logs the credentials may not read (403). Its ``text`` says what and why.

    Example:
        >>> line = LogLine(job="etl", pod="etl-x7k2p", container="main", text="step 3/5",
        ...                timestamp="2026-11-30T10:00:01.5Z")
        >>> f"{line.pod}/{line.container}: {line.text}"
        'etl-x7k2p/main: step 3/5'
    """

    job: str
    pod: str
    container: str
    text: str
    """The line without its newline (and without the kubelet's timestamp), cut to 16 KiB."""
    timestamp: str = ""
    """When the container wrote it, RFC 3339 with nanoseconds as the kubelet says (``""``
    for a notice)."""
    notice: bool = False


def parse_timestamp(text: str) -> int | None:
    """Nanoseconds since the epoch of an RFC 3339 timestamp (``None``: not one).

    Example:
        >>> parse_timestamp("1970-01-01T00:00:01.5Z")
        1500000000
    """
    head, dot, rest = text.partition(".")
    fraction = ""
    if dot:
        digits = len(rest) - len(rest.lstrip("0123456789"))
        fraction, zone = rest[:digits], rest[digits:]
        head += zone
    try:
        when = datetime.fromisoformat(head.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None or len(fraction) > 9:  # noqa: PLR2004 - nanoseconds at most
        return None
    seconds = int(when.timestamp())
    return seconds * _NANOS + int((fraction or "0").ljust(9, "0"))


def since_time(nanos: int) -> str:
    """``sinceTime`` to resume at ``nanos``: RFC 3339 in whole seconds, as the API forwards it."""
    return datetime.fromtimestamp(nanos // _NANOS, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class LineCursor:
    """Where one container's log was read to; decides which lines of a resumed stream are new.

    Example:
        >>> cursor = LineCursor()
        >>> [cursor.admit(n) for n in (5, 7, 7)]
        [True, True, True]
        >>> cursor.restart()  # a resumed stream sends the last second again
        >>> [cursor.admit(n) for n in (5, 7, 7, 7, 9)]
        [False, False, False, True, True]
    """

    def __init__(self) -> None:
        self.last: int | None = None
        self._same = 0
        self._repeats = 0

    def since(self) -> str | None:
        """The ``sinceTime`` to resume from (``None``: from the start)."""
        return None if self.last is None else since_time(self.last)

    def restart(self) -> None:
        """A new stream begins: it repeats every line of the last timestamp read."""
        self._repeats = self._same

    def admit(self, nanos: int) -> bool:
        """Whether the line written at ``nanos`` is new (and, if so, count it as read)."""
        last = self.last
        if last is None or nanos > last:
            self.last, self._same, self._repeats = nanos, 1, 0
            return True
        if nanos < last:
            return False
        if self._repeats:
            self._repeats -= 1
            return False
        self._same += 1
        return True


class LineSplitter:
    r"""Bytes of a log stream in, whole lines out; a line's kept part is bounded.

    Example:
        >>> splitter = LineSplitter(width=8)
        >>> list(splitter.feed(b"one\ntw")) + list(splitter.feed(b"o\n" + b"x" * 20 + b"\n"))
        ['one', 'two', 'xxxxxxxx... (line of 20 characters)']
    """

    def __init__(self, width: int = MAX_LINE_CHARS) -> None:
        self._width = width
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._kept: list[str] = []
        self._kept_length = 0
        self._length = 0

    def feed(self, chunk: bytes) -> Iterator[str]:
        """The lines ``chunk`` completes."""
        *complete, rest = self._decoder.decode(chunk).split("\n")
        for part in complete:
            self._extend(part)
            yield self._line()
        self._extend(rest)

    def finish(self) -> str | None:
        """The last line, when the stream ended without a newline (``None``: it did not)."""
        self._extend(self._decoder.decode(b"", final=True))
        return self._line() if self._length else None

    def _extend(self, part: str) -> None:
        self._length += len(part)
        room = self._width - self._kept_length
        if room > 0 and part:
            piece = part[:room]
            self._kept.append(piece)
            self._kept_length += len(piece)

    def _line(self) -> str:
        text, length = "".join(self._kept), self._length
        self._kept.clear()
        self._kept_length = self._length = 0
        if text.endswith("\r") and length == len(text):  # CRLF line ends
            text, length = text[:-1], length - 1
        if length > len(text):
            return f"{text}... (line of {length} characters)"
        return text


def split_timestamp(line: str) -> tuple[str, int | None, str]:
    """``(timestamp, nanoseconds, text)`` of a line the kubelet prefixed with its timestamp."""
    stamp, space, text = line.partition(" ")
    nanos = parse_timestamp(stamp) if space else None
    if nanos is None:
        return "", None, line
    return stamp, nanos, text
