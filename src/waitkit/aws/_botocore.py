"""BotocoreWaiter: run any waiter botocore's models define on waitkit's engine.

botocore's ``waiters-2.json`` models (392 waiters across 178 services) say which
operation to call and which *acceptors* judge its response. The acceptors keep the
semantics of ``botocore.waiter`` exactly (``_acceptors.py``; an error no acceptor
matches ends the wait); this module replaces botocore's fixed delay and attempt count
with the engine: Smithy jitter, a strict deadline, throttling that is retried instead
of fatal, typed states.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, cast, final

from botocore import xform_name
from botocore.exceptions import ClientError, ParamValidationError, WaiterConfigError
from botocore.validate import validate_parameters
from pydantic import Field

from waitkit._core import (
    ConfigurationError,
    Policy,
    State,
    ThrottleBudget,
    Verdict,
    Waiter,
    budget_for,
)
from waitkit.aws._acceptors import (
    Acceptor,
    PathExpression,
    acceptors_of,
    compile_path,
    is_error_response,
    matches,
    search,
)
from waitkit.aws._answers import answer_of
from waitkit.aws._errors import GENERIC_AWS

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from aiobotocore.client import AioBaseClient
    from botocore.waiter import SingleWaiterConfig


#: The longest sleep between polls when the caller gives no policy: Smithy's default
#: ``maxDelay``, which the Smithy-based SDKs (JS v3, Go v2) use for these same waiters.
DEFAULT_MAX_DELAY: Final = 120.0

# Parameters whose values never go into logs or messages.
_SECRET_HINTS: Final = ("token", "secret", "password", "credential", "signature")
_MAX_VALUE_TEXT: Final = 60
_MAX_RESOURCE_TEXT: Final = 200


@final
class BotocoreWaiterState(State):
    """One poll of a botocore waiter: the response, what the acceptors saw, what matched.

    Attributes:
        response: the parsed response (or, for an error an acceptor matched, the parsed
            error response with its ``Error``), without botocore's ``ResponseMetadata``
            (request ids and headers change on every call).
        http_status: the HTTP status of the response.
        error_code: the AWS error code when the call failed, else ``None``.
        error_message: the AWS error message when the call failed, else ``None``.
        observed: the value of each JMESPath expression the acceptors look at, by
            expression (empty for error responses, which path matchers never match).
        acceptor: the first acceptor that matched, or ``None`` (botocore keeps waiting).
    """

    response: dict[str, Any]
    http_status: int | None = None
    error_code: str | None = None
    error_message: str | None = None
    observed: dict[str, object] = Field(default_factory=dict)
    acceptor: Acceptor | None = None

    def summary(self) -> str:
        """``Table.TableStatus='CREATING' [retry]``, ``error ResourceNotFoundException [retry]``."""
        if self.error_code is not None:
            seen = f"error {self.error_code}"
        elif self.observed:
            seen = " ".join(
                f"{expression}={value!r}" for expression, value in self.observed.items()
            )
        else:
            seen = f"HTTP {self.http_status}"
        outcome = self.acceptor.state if self.acceptor is not None else "no match"
        return f"{seen} [{outcome}]"


@final
class BotocoreWaiter(Waiter[BotocoreWaiterState]):
    """Any botocore waiter (``client.waiter_names``), run on waitkit's engine.

    Each observation is one call of the waiter's operation with ``params``; its
    acceptors are evaluated like botocore's (first match wins). Unlike botocore's
    ``waiter.wait()``:

    - the wait has a strict deadline and Smithy jitter instead of a fixed delay and an
      attempt count. Without a ``policy``, ``min_delay`` is the model's ``delay``,
      ``max_delay`` 120 s (at least ``delay``) and the timeout ``delay * maxAttempts``;
    - throttling and transient errors (5xx, connection failures) that no acceptor
      matches are retried; any other unmatched error ends the wait at once, as in
      botocore: :class:`~waitkit.ResourceNotFoundError` for a not-found code, else
      :class:`~waitkit.ProbeError` with the ``ClientError`` as ``__cause__``;
    - a ``failure`` acceptor raises :class:`~waitkit.WaitFailedError` whose reason is
      botocore's explanation; success returns a :class:`~waitkit.WaitResult` whose
      state holds the last response.

    Args:
        client: an aiobotocore client (or aioboto3's), already entered.
        name: the waiter's name, snake_case (``"function_active_v2"``) or as in the
            model (``"FunctionActiveV2"``).
        params: the operation's parameters, validated against its input shape.
        policy: how long and how often; default derived from the model (above).

    Raises:
        ConfigurationError: an unknown waiter name (the message lists the client's
            ``waiter_names``), invalid parameters, or ``WaiterConfig`` among them.

    Example::

        waiter = BotocoreWaiter(ec2, "instance_running", {"InstanceIds": [instance_id]})
        result = await waiter.wait(timeout=300)
        result.state.response["Reservations"][0]["Instances"][0]["State"]["Name"]  # 'running'
    """

    kind = "botocore_waiter"
    classifier = GENERIC_AWS

    def __init__(
        self,
        client: AioBaseClient,
        name: str,
        params: Mapping[str, Any] | None = None,
        *,
        policy: Policy | None = None,
    ) -> None:
        service = _service_name(client)
        self.service: str = service
        #: The snake_case name (``"function_active_v2"``).
        self.name: str = _resolve_name(client, service, name)
        #: The name in the model (``"FunctionActiveV2"``).
        self.model_name: str
        self.model_name, config = _waiter_config(client, self.name)
        #: The operation each observation calls (``"GetFunction"``).
        self.operation: str = config.operation
        #: The model's fixed delay (s) and attempt count, which botocore would use.
        self.delay: float = float(config.delay)
        self.max_attempts: int = int(config.max_attempts)
        self.acceptors: tuple[Acceptor, ...] = acceptors_of(config, self.name)
        self.params: Mapping[str, Any] = _validate_params(client, self.operation, params)
        self._expressions: tuple[PathExpression | None, ...] = tuple(
            compile_path(a.argument) if a.argument is not None else None for a in self.acceptors
        )
        # The distinct expressions the acceptors read, for the state's `observed`.
        self._observed: dict[str, PathExpression] = {}
        for acceptor, expression in zip(self.acceptors, self._expressions, strict=True):
            if acceptor.argument is not None and expression is not None:
                self._observed.setdefault(acceptor.argument, expression)
        self._client = client
        self._call: Callable[..., Awaitable[dict[str, Any]]] = getattr(
            client, xform_name(self.operation)
        )
        self._resource = _render_resource(self.service, self.name, self.params)
        super().__init__(policy=self.default_policy() if policy is None else policy)

    def throttle_budget(self) -> ThrottleBudget | None:
        """Waits on the same client share one pace when the API throttles."""
        return budget_for(self._client)

    def default_policy(self) -> Policy:
        """The policy derived from the model: ``delay`` to 120 s, ``delay * maxAttempts`` total."""
        return Policy(
            timeout=self.delay * self.max_attempts,
            min_delay=self.delay,
            max_delay=max(self.delay, DEFAULT_MAX_DELAY),
        )

    @property
    def resource_id(self) -> str:
        """``lambda.function_active_v2(FunctionName='my-fn')``, secrets left out."""
        return self._resource

    def describe(self) -> str:
        """``botocore waiter lambda.function_active_v2(FunctionName='my-fn')``."""
        return f"botocore waiter {self._resource}"

    async def observe(self) -> BotocoreWaiterState:
        """One call of the operation, judged by the acceptors.

        An error no acceptor matches is re-raised for the classifier: throttling and
        transient errors are retried, anything else ends the wait (botocore's implicit
        failure).
        """
        try:
            with answer_of(self.operation):
                response = await self._call(**self.params)
        except ClientError as error:
            acceptor = self._first_match(error.response)
            if acceptor is None:
                raise
            return self._state(error.response, acceptor)
        return self._state(response, self._first_match(response))

    def verdict(self, state: BotocoreWaiterState) -> Verdict:
        """The matched acceptor's state; no match keeps waiting, as in botocore."""
        acceptor = state.acceptor
        if acceptor is None:
            if state.error_code is not None:
                # A successful call whose output carries Error.Code: botocore fails here too.
                return Verdict.failure(
                    f"An error occurred ({state.error_code}): {state.error_message or 'Unknown'}"
                )
            return Verdict.PENDING
        if acceptor.state == "success":
            return Verdict.SUCCESS
        if acceptor.state == "failure":
            return Verdict.failure(acceptor.explanation)
        return Verdict.PENDING

    # ------------------------------------------------------------------ internals
    def _first_match(self, response: Mapping[str, Any]) -> Acceptor | None:
        for acceptor, expression in zip(self.acceptors, self._expressions, strict=True):
            if matches(acceptor, response, expression):
                return acceptor
        return None

    def _state(self, response: Mapping[str, Any], acceptor: Acceptor | None) -> BotocoreWaiterState:
        metadata = response.get("ResponseMetadata") or {}
        status = metadata.get("HTTPStatusCode")
        error = response.get("Error") if is_error_response(response) else None
        observed = (
            {}
            if error is not None
            else {argument: search(expr, response) for argument, expr in self._observed.items()}
        )
        return BotocoreWaiterState(
            response={k: v for k, v in response.items() if k != "ResponseMetadata"},
            http_status=int(status) if status is not None else None,
            error_code=None if error is None else str(error.get("Code", "")),
            error_message=None if error is None else str(error.get("Message", "")),
            observed=observed,
            acceptor=acceptor,
        )


def botocore_waiter(
    client: AioBaseClient,
    name: str,
    /,
    *,
    policy: Policy | None = None,
    **params: Any,  # noqa: ANN401 - the operation's own parameters, validated against its model
) -> BotocoreWaiter:
    """A :class:`BotocoreWaiter` for ``client``'s waiter ``name``, calling it with ``params``.

    ``client`` and ``name`` are positional-only, so an operation parameter may be
    called ``name`` (EKS ``cluster_active`` takes ``name=``).

    Args:
        client: an aiobotocore client (or aioboto3's), already entered.
        name: the waiter's snake_case name (``client.waiter_names``) or its model name.
        policy: how long and how often; default from the model's delay and attempts.
        **params: the parameters of the waiter's operation.

    Raises:
        ConfigurationError: an unknown waiter or invalid parameters, before any call.

    Example::

        async with session.create_client("lambda") as lambda_client:
            result = await botocore_waiter(
                lambda_client, "function_active_v2", FunctionName="my-fn"
            ).wait(timeout=120)
            print(result.state.response["Configuration"]["State"])  # Active
    """
    return BotocoreWaiter(client, name, params, policy=policy)


# ---------------------------------------------------------------------- construction helpers
def _service_name(client: object) -> str:
    try:
        return str(client.meta.service_model.service_name)  # type: ignore[attr-defined]
    except AttributeError:
        msg = f"client must be an aiobotocore client, got {type(client).__name__}"
        raise ConfigurationError(msg) from None


def _resolve_name(client: AioBaseClient, service: str, name: object) -> str:
    names = list(client.waiter_names)
    if not isinstance(name, str):
        msg = f"name must be a string (one of {service}'s waiters {names}), got {name!r}"
        raise ConfigurationError(msg)
    if name in names:
        return name
    if xform_name(name) in names:  # the model's name, "FunctionActiveV2"
        return xform_name(name)
    if not names:
        msg = f"name {name!r}: the {service} client defines no botocore waiters"
    else:
        msg = f"name must be one of the {service} client's waiter_names {names}, got {name!r}"
    raise ConfigurationError(msg)


def _waiter_config(client: AioBaseClient, name: str) -> tuple[str, SingleWaiterConfig]:
    try:
        waiter = client.get_waiter(name)
    except (ValueError, WaiterConfigError) as error:
        msg = f"name {name!r}: botocore cannot load this waiter ({error})"
        raise ConfigurationError(msg) from error
    # botocore-stubs type Waiter.config as a dict; it is a SingleWaiterConfig.
    return waiter.name, cast("SingleWaiterConfig", waiter.config)


def _validate_params(
    client: AioBaseClient, operation: str, params: Mapping[str, Any] | None
) -> Mapping[str, Any]:
    raw: object = {} if params is None else params  # checked: callers may not be type-checked
    if not isinstance(raw, Mapping):
        msg = f"params must be a mapping of {operation} parameters, got {type(raw).__name__}"
        raise ConfigurationError(msg)
    if "WaiterConfig" in raw:
        msg = (
            "params: WaiterConfig is botocore's delay and attempt count; give waitkit a "
            "policy=Policy(min_delay=..., max_delay=...) and wait(timeout=...) instead"
        )
        raise ConfigurationError(msg)
    checked = {str(key): value for key, value in raw.items()}
    model = client.meta.service_model.operation_model(operation)
    # Always validated, even on a client created with Config(parameter_validation=False):
    # botocore resolves that switch into the client's serializer and does not expose it.
    if model.input_shape is not None:
        try:
            validate_parameters(checked, model.input_shape)
        except ParamValidationError as error:
            msg = f"params are invalid for {operation}: {error}"
            raise ConfigurationError(msg) from error
    return MappingProxyType(checked)  # read-only: one waiter may serve many waits


def _render_resource(service: str, name: str, params: Mapping[str, Any]) -> str:
    shown = []
    for key, value in params.items():
        if any(hint in key.lower() for hint in _SECRET_HINTS):
            continue  # NextToken, SecretId...: never in logs
        text = repr(value)
        if len(text) > _MAX_VALUE_TEXT:
            text = text[: _MAX_VALUE_TEXT - 3] + "..."
        shown.append(f"{key}={text}")
    text = f"{service}.{name}({', '.join(shown)})"
    if len(text) > _MAX_RESOURCE_TEXT:
        text = text[: _MAX_RESOURCE_TEXT - 4] + "...)"
    return text
