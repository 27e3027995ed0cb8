"""botocore waiter acceptors: the model's rules, matched exactly as ``botocore.waiter`` does.

First match wins; ``path``, ``pathAll``, ``pathAny`` (JMESPath over the response),
``status`` (the HTTP status) and ``error`` (the AWS error code, or any error).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol, cast, final

import jmespath  # type: ignore[import-untyped]  # a botocore dependency without type hints
from botocore.exceptions import WaiterConfigError
from jmespath.exceptions import JMESPathError  # type: ignore[import-untyped]
from pydantic import BaseModel, ConfigDict

from waitkit._core import ConfigurationError

if TYPE_CHECKING:
    from botocore.waiter import AcceptorConfig, SingleWaiterConfig

AcceptorState = Literal["success", "failure", "retry"]
MatcherKind = Literal["path", "pathAll", "pathAny", "status", "error"]

_PATH_MATCHERS: Final = frozenset({"path", "pathAll", "pathAny"})


class PathExpression(Protocol):
    """A compiled JMESPath expression (jmespath ships no type hints)."""

    def search(self, value: object) -> object: ...


@final
class Acceptor(BaseModel):
    """One acceptor of a botocore waiter model: when ``matcher`` matches, the wait is ``state``.

    Example:
        >>> from waitkit.aws import Acceptor
        >>> acceptor = Acceptor(
        ...     state="failure", matcher="path", argument="Table.TableStatus", expected="DELETING"
        ... )
        >>> acceptor.explanation
        'For expression "Table.TableStatus" we matched expected path: "DELETING"'
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    state: AcceptorState
    matcher: MatcherKind
    #: What the matcher compares with: a JSON value, an HTTP status, an error code or a bool.
    expected: object
    #: The JMESPath expression of ``path``, ``pathAll`` and ``pathAny`` matchers.
    argument: str | None = None

    @property
    def explanation(self) -> str:
        """What matched, worded as botocore's ``AcceptorConfig.explanation``."""
        if self.matcher == "path":
            return f'For expression "{self.argument}" we matched expected path: "{self.expected}"'
        if self.matcher == "pathAll":
            return (
                f'For expression "{self.argument}" all members matched expected path: '
                f'"{self.expected}"'
            )
        if self.matcher == "pathAny":
            return (
                f'For expression "{self.argument}" we matched expected path: '
                f'"{self.expected}" at least once'
            )
        if self.matcher == "status":
            return f"Matched expected HTTP status code: {self.expected}"
        return f"Matched expected service error code: {self.expected}"


def is_error_response(response: Mapping[str, Any]) -> bool:
    """Whether ``response`` has an ``Error`` with a ``Code`` (``is_valid_waiter_error``)."""
    error = response.get("Error")
    return isinstance(error, dict) and "Code" in error


def matches(
    acceptor: Acceptor, response: Mapping[str, Any], expression: PathExpression | None = None
) -> bool:
    """Whether ``acceptor`` matches ``response``, exactly as ``botocore.waiter.AcceptorConfig``.

    Args:
        acceptor: the acceptor.
        response: a parsed response, or a ClientError's ``response`` for an error.
        expression: the compiled ``acceptor.argument`` (compiled here when omitted).

    Example:
        >>> from waitkit.aws._acceptors import Acceptor, matches
        >>> retry = Acceptor(state="retry", matcher="error", expected="ResourceNotFoundException")
        >>> matches(retry, {"Error": {"Code": "ResourceNotFoundException"}})
        True
    """
    if acceptor.matcher == "status":
        metadata = response.get("ResponseMetadata", {})
        return bool(metadata.get("HTTPStatusCode") == acceptor.expected)
    if acceptor.matcher == "error":
        return _error_matches(acceptor.expected, response)
    if is_error_response(response):
        return False  # path matchers never look at error responses
    if expression is None:
        expression = compile_path(str(acceptor.argument))
    try:
        result = expression.search(response)
    except JMESPathError:
        # e.g. `length(Items)` when the answer has no Items: botocore's wait() crashes with
        # the JMESPathTypeError; an expression that cannot apply does not match here.
        return False
    return _path_matches(acceptor.matcher, acceptor.expected, result)


def _path_matches(matcher: str, expected: object, result: object) -> bool:
    if matcher == "path":
        return bool(result == expected)
    # pathAll / pathAny need a non-empty list; an empty one never matches.
    if not isinstance(result, list) or not result:
        return False
    if matcher == "pathAll":
        return all(element == expected for element in result)
    return any(element == expected for element in result)


def _error_matches(expected: object, response: Mapping[str, Any]) -> bool:
    # True: any error; False: no error; else that error code.
    error = response.get("Error", {})
    if expected is True:
        return "Error" in response and "Code" in error
    if expected is False:
        return "Error" not in response
    return isinstance(error, Mapping) and bool(error.get("Code", "") == expected)


def search(expression: PathExpression, response: Mapping[str, Any]) -> object:
    try:
        return expression.search(response)
    except JMESPathError:
        return None


def compile_path(argument: str) -> PathExpression:
    return cast("PathExpression", jmespath.compile(argument))


def acceptors_of(config: SingleWaiterConfig, name: str) -> tuple[Acceptor, ...]:
    try:
        raw: list[AcceptorConfig] = list(config.acceptors)
        acceptors = tuple(
            Acceptor(state=a.state, matcher=a.matcher, expected=a.expected, argument=a.argument)
            for a in raw
        )
        for acceptor in acceptors:
            if acceptor.matcher in _PATH_MATCHERS:
                compile_path(str(acceptor.argument))
    except (WaiterConfigError, JMESPathError, ValueError) as error:
        msg = f"name {name!r}: the waiter model has an acceptor waitkit cannot run ({error})"
        raise ConfigurationError(msg) from error
    if acceptors and all(a.state != "success" for a in acceptors):
        msg = f"name {name!r}: the waiter model has no success acceptor"
        raise ConfigurationError(msg)
    return acceptors
