"""Reading what an AWS API answered, and naming in words an answer that does not fit.

A proxy's HTML page on HTTP 200, a record without its id, a missing or null field:
botocore and pydantic report these as ``KeyError: 'DescribeInstanceRefreshesResult'``
or a validation dump. At this boundary they become :class:`MalformedAnswerError`, whose
message says what the service answered where what was expected; the engine raises it
as :class:`~waitkit.ProbeError` (the original error is its ``__cause__``).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, Final, TypeVar

from pydantic import BaseModel, ValidationError

from waitkit._core import bounded

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from types import TracebackType

ModelT = TypeVar("ModelT", bound=BaseModel)

# Where botocore turns a body into a dict; an error raised in there is the body's fault.
_PARSERS: Final = ("botocore/parsers.py", "aiobotocore/parsers.py")
_SHOWN_PROBLEMS: Final = 3


class MalformedAnswerError(Exception):
    """The service answered, but not in the shape its API documents."""


@contextlib.contextmanager
def answer_of(operation: str) -> Iterator[None]:
    """Around a client call: an error raised in botocore's parser becomes MalformedAnswerError.

    A body that is not even XML or JSON is botocore's ``ResponseParserError`` (a cut
    connection looks the same, so that one stays transient); a body that parses but has
    no result element (an HTML page is valid XML) fails inside the parser with
    ``KeyError`` or the like.
    """
    try:
        yield
    except (KeyError, AttributeError, TypeError, IndexError, ValueError) as error:
        if not _raised_in_parser(error.__traceback__):
            raise
        raise not_documented(operation) from error


def not_documented(operation: str) -> MalformedAnswerError:
    """The error for an answer whose body is not the operation's response at all."""
    msg = (
        f"{operation} answered with a body that is not its documented response "
        "(an HTML page or a proxy's answer? check the client's endpoint_url)"
    )
    return MalformedAnswerError(msg)


def field(record: Mapping[str, Any], name: str, operation: str) -> str:
    """``record[name]``, a non-empty string, or :class:`MalformedAnswerError` naming it."""
    value = record.get(name)
    if isinstance(value, str) and value:
        return value
    if value is None:
        msg = f"{operation} answered a record without {name}, which every record has"
    else:
        given = bounded(repr(value), 60)
        msg = f"{operation} answered a record with {name}={given}, where a name was expected"
    raise MalformedAnswerError(msg)


def parse(model: type[ModelT], record: object, operation: str) -> ModelT:
    """``model`` validated from ``record``, or :class:`MalformedAnswerError` in words."""
    try:
        return model.model_validate(record)
    except ValidationError as error:
        problems = [_problem(detail) for detail in error.errors()[:_SHOWN_PROBLEMS]]
        more = error.error_count() - len(problems)
        listed = "; ".join(problems) + (f"; and {more} more" if more > 0 else "")
        msg = f"{operation} answered a record that does not fit its documented shape: {listed}"
        raise MalformedAnswerError(msg) from error


def _problem(detail: Any) -> str:  # noqa: ANN401 - pydantic's ErrorDetails
    where = ".".join(str(part) for part in detail.get("loc", ())) or "the record"
    if detail.get("type") == "missing":
        return f"no {where} where one was expected"
    given = bounded(repr(detail.get("input")), 60)
    return f"{where}={given} where {detail.get('msg', 'another value').lower()}"


def _raised_in_parser(traceback: TracebackType | None) -> bool:
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename.replace("\\", "/").endswith(_PARSERS):
            return True
        traceback = traceback.tb_next
    return False
