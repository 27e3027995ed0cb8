"""DurableExecutionWaiter: await a Lambda durable execution.

Executions of one function share paginated ``ListDurableExecutionsByFunction`` calls
(an :class:`~waitkit.extend.ObservationHub` per (client, function)); each wait's target
(``for_wait``) subscribes for the wait, and each look is answered by a round younger
than its waiter's ``min_delay`` (how a round lists them: ``_durable_listing.py``; the
states: ``_durable_state.py``). When an execution
has finished, its result, error and the tail of its history are fetched once
(``GetDurableExecution``: the listing carries no result or error). So a thousand
executions, running or already finished, cost one or two list pages a round, not a
thousand calls.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, final

import botocore

from waitkit._core import (
    ConfigurationError,
    HubRegistry,
    HubWait,
    ObservationHub,
    Policy,
    ThrottleBudget,
    Verdict,
    Waiter,
    budget_for,
    explain,
    one_look,
    require_int,
)
from waitkit.aws._answers import answer_of, field, parse
from waitkit.aws._durable_listing import PAGE, FunctionExecutions
from waitkit.aws._durable_state import (
    FAILURE,
    RUNNING,
    SUCCEEDED,
    DurableExecutionState,
)
from waitkit.aws._errors import AwsClassifier, ResourceMissingError, describe_error
from waitkit.aws._validate import require_client, require_name

if TYPE_CHECKING:
    from types_aiobotocore_lambda.client import LambdaClient

    from waitkit._core import Target


# From botocore's model of DurableExecutionArn and DurableExecutionName.
_ARN: Final = re.compile(
    r"arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:function:(?P<function>[a-zA-Z0-9_-]+)"
    r":(?:\$LATEST(?:\.PUBLISHED)?|[0-9]+)/durable-execution/(?P<name>[a-zA-Z0-9_-]+)"
    r"/[a-zA-Z0-9_-]+"
)
_NAME: Final = re.compile(r"[a-zA-Z0-9_-]{1,64}")
_SHORT_NAME: Final = re.compile(r"[a-zA-Z0-9_-]{1,34}")  # leaves room in 64 for the stamp
_FUNCTION: Final = re.compile(r"[a-zA-Z0-9_-]{1,64}|arn:[^\s]{1,200}")
_LIST: Final = "ListDurableExecutionsByFunction"
_GET: Final = "GetDurableExecution"


def unique_execution_name(name: str, *, now: datetime | None = None) -> str:
    """A durable execution name no earlier run used: ``test-{name}-{YYYYMMDD}T{HHMMSS}-{8 hex}``.

    Durable execution names are idempotency keys (the same name returns the same
    execution), so tests and scripts that run repeatedly need fresh ones.

    Args:
        name: what the execution is for; 1-34 of ``[a-zA-Z0-9_-]`` (the whole name
            may have at most 64 characters).
        now: the timestamp to use (default: the current UTC time).

    Example:
        >>> from datetime import UTC, datetime
        >>> from waitkit.aws import unique_execution_name
        >>> when = datetime(2026, 11, 22, 3, 4, 5, tzinfo=UTC)
        >>> unique_execution_name("checkout", now=when)[:30]
        'test-checkout-20261122T030405-'
    """
    _require_pattern("name", name, _SHORT_NAME, "1 to 34 characters of [a-zA-Z0-9_-]")
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S")
    return f"test-{name}-{stamp}-{secrets.token_hex(4)}"


def _require_durable_api(client: object) -> None:
    model = getattr(getattr(client, "meta", None), "service_model", None)
    operations = getattr(model, "operation_names", ())
    if "ListDurableExecutionsByFunction" in operations and "GetDurableExecution" in operations:
        return
    require_client(client, "lambda", "DurableExecutionWaiter")
    msg = (
        f"client's botocore {botocore.__version__} has no Lambda durable-execution API; "
        "DurableExecutionWaiter needs aiobotocore >= 3.0 (aioboto3 15.5 pins botocore "
        "1.40.61, which predates it)"
    )
    raise ConfigurationError(msg)


_CLASSIFIER: Final = AwsClassifier()
_HUBS: HubRegistry[str, Mapping[str, Any]] = HubRegistry()


@final
class DurableExecutionWaiter(Waiter[DurableExecutionState]):
    """Wait for a Lambda durable execution to finish.

    =====================================  ===================================================
    status                                 verdict
    =====================================  ===================================================
    RUNNING                                pending
    SUCCEEDED                              success; ``state.result`` holds the result
    FAILED, TIMED_OUT, STOPPED             failure; ``state.error`` and ``state.history_tail``
    =====================================  ===================================================

    Give either ``arn`` (from ``Invoke``'s ``X-Amz-Durable-Execution-Arn`` header) or
    ``function_name`` and ``execution_name`` (the ``X-Amz-Durable-Execution-Name`` you
    invoked with; see :func:`unique_execution_name`).

    Args:
        client: an aiobotocore ``lambda`` client you hold, with the durable-execution API
            (aiobotocore >= 3.0); it is not closed here.
        arn: the execution's ARN.
        function_name: the function's name (with ``execution_name``).
        execution_name: the execution's name (with ``function_name``).
        history_tail: how many of the last history events to attach on failure (0-1000).
        policy: delays and bounds. ``TooManyRequestsException`` is throttling, and its
            ``Retry-After`` is honoured. Right after an asynchronous invoke the execution
            may not be listed yet: use ``Policy(not_found_grace=...)``.

    Example:
        >>> from waitkit.aws import DurableExecutionWaiter
        >>> async def run(client) -> str | None:
        ...     waiter = DurableExecutionWaiter(
        ...         client, function_name="checkout", execution_name="order-42"
        ...     )
        ...     return (await waiter.wait(timeout=900)).state.result
    """

    kind = "durable_execution"
    classifier = _CLASSIFIER

    def __init__(
        self,
        client: LambdaClient,
        *,
        arn: str | None = None,
        function_name: str | None = None,
        execution_name: str | None = None,
        history_tail: int = 20,
        policy: Policy | None = None,
    ) -> None:
        super().__init__(policy=policy)
        self._arn, self._function, self._name = _identify(arn, function_name, execution_name)
        self._history_tail = require_int("history_tail", history_tail, 0, PAGE)
        _require_durable_api(client)
        self._client = client

    def throttle_budget(self) -> ThrottleBudget | None:
        """Waits on the same client share one pace when the API throttles."""
        return budget_for(self._client)

    @property
    def resource_id(self) -> str:
        """``function/execution-name``."""
        return f"{self._function}/{self._name}"

    def for_wait(self, deadline: float | None) -> Target[DurableExecutionState]:
        """A fresh target per wait: it subscribes to the function's shared listing rounds."""
        del deadline  # each look is one hub answer; the engine bounds it
        return HubWait(
            self, hub=self._hub, key=self._name, max_age=self.policy.min_delay, read=self._read
        )

    async def observe(self) -> DurableExecutionState:
        """One look outside a wait: subscribe, take one round's answer, leave."""
        return await one_look(self.for_wait(None))

    def _hub(self) -> ObservationHub[str, Mapping[str, Any]]:
        return _HUBS.get(
            self._client,
            self._function,
            lambda: ObservationHub(FunctionExecutions(self._client, self._function)),
        )

    async def _read(self, record: Mapping[str, Any] | None) -> DurableExecutionState:
        """The execution as the function's round listed it; details once it finished."""
        if record is None or (self._arn and record.get("DurableExecutionArn") != self._arn):
            msg = f"function {self._function} lists no durable execution {self._arn or self._name}"
            raise ResourceMissingError(msg)
        status = record.get("Status")
        if status not in FAILURE and status != SUCCEEDED:
            return parse(DurableExecutionState, record, _LIST)  # running, or unknown
        arn = field(record, "DurableExecutionArn", _LIST)
        if status == SUCCEEDED:  # the result is part of the outcome: fetched, not explained
            with answer_of(_GET):
                detail = await self._client.get_durable_execution(
                    DurableExecutionArn=arn, IncludeExecutionData=True
                )
            return parse(DurableExecutionState, detail, _GET)
        return await self._failed(record, arn)

    async def _failed(self, record: Mapping[str, Any], arn: str) -> DurableExecutionState:
        """The listed failure, with its error and history tail where they can be fetched.

        Both only explain the failure, so neither may hide it: each is bounded (see
        :func:`~waitkit._core._explain.explain`) and one that fails is named instead.
        """
        fields: dict[str, Any] = dict(record)
        missing: list[str] = []
        detail, problem = await explain(
            lambda: self._client.get_durable_execution(
                DurableExecutionArn=arn, IncludeExecutionData=True
            ),
            "error details",
            describe=describe_error,
        )
        if detail is not None:
            fields.update(detail)
        elif problem:
            missing.append(problem)
        if self._history_tail:
            history, problem = await explain(
                lambda: self._client.get_durable_execution_history(
                    DurableExecutionArn=arn, ReverseOrder=True, MaxItems=self._history_tail
                ),
                "history",
                describe=describe_error,
            )
            if history is not None:
                fields["history_tail"] = list(reversed(history.get("Events", [])))
            elif problem:
                missing.append(problem)
        fields["details_missing"] = tuple(missing)
        return parse(DurableExecutionState, fields, _GET)

    def verdict(self, state: DurableExecutionState) -> Verdict:
        """RUNNING pending, SUCCEEDED success, FAILED/TIMED_OUT/STOPPED failure."""
        if state.status == RUNNING:
            return Verdict.PENDING
        if state.status == SUCCEEDED:
            return Verdict.SUCCESS
        if state.status in FAILURE:
            return Verdict.failure(state.failure_reason())
        return Verdict.unknown(state.status or "(empty status)")


def _require_pattern(argument: str, value: object, pattern: re.Pattern[str], what: str) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        msg = f"{argument} must be {what}, got {value!r}"
        raise ConfigurationError(msg)
    return value


def _identify(
    arn: object, function_name: object, execution_name: object
) -> tuple[str | None, str, str]:
    """(arn, function, name) from either an ARN or a function and a name."""
    if arn is not None:
        if function_name is not None or execution_name is not None:
            msg = "give either arn, or function_name and execution_name, not both"
            raise ConfigurationError(msg)
        text = require_name("arn", arn)
        match = _ARN.fullmatch(text)
        if match is None:
            msg = (
                "arn must be a durable execution ARN "
                f"(...:function:F:$LATEST/durable-execution/N/ID), got {text!r}"
            )
            raise ConfigurationError(msg)
        return text, match["function"], match["name"]
    if function_name is None or execution_name is None:
        msg = "give either arn, or both function_name and execution_name"
        raise ConfigurationError(msg)
    function = _require_pattern(
        "function_name", function_name, _FUNCTION, "1 to 64 characters of [a-zA-Z0-9_-] or an ARN"
    )
    name = _require_pattern(
        "execution_name", execution_name, _NAME, "1 to 64 characters of [a-zA-Z0-9_-]"
    )
    return None, function, name
