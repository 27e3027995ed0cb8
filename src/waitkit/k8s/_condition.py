"""ConditionWaiter: ``kubectl wait --for=...`` for any kind the API serves, plus ``any_of``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, final

from waitkit._core import ConfigurationError, State, Verdict, Waiter, one_look
from waitkit.k8s._errors import KUBERNETES, ObjectMissingError
from waitkit.k8s._options import WATCH_POLICY
from waitkit.k8s._resource import Resource, resolve
from waitkit.k8s._spec import Spec, SpecError, parse_spec
from waitkit.k8s._target import WaitTarget
from waitkit.k8s._validate import (
    check_api,
    check_name,
    check_namespace,
    check_options,
)
from waitkit.k8s._watch import SharedWatch, StreamKey, subscribe

if TYPE_CHECKING:
    from kubernetes_asyncio.client import ApiClient

    from waitkit._core import Policy, Target
    from waitkit.k8s._options import WatchOptions


@final
class ConditionMatch(State):
    """One entry of the object's ``status.conditions`` (timestamps left out).

    Example:
        >>> ConditionMatch(type="Ready", status="False", reason="ContainersNotReady").status
        'False'
    """

    type: str
    status: str
    reason: str | None = None
    message: str | None = None
    observed_generation: int | None = None


@final
class ConditionState(State):
    """What one look at the object showed, and which expressions hold.

    Example:
        >>> ConditionState(resource="pods", name="web", exists=True,
        ...                conditions=(ConditionMatch(type="Ready", status="True"),),
        ...                matched=("condition=Ready",)).summary()
        'pods/web Ready=True; matched condition=Ready'
    """

    resource: str
    name: str
    namespace: str | None = None
    exists: bool
    generation: int | None = None
    conditions: tuple[ConditionMatch, ...] = ()
    values: tuple[tuple[str, str | None], ...] = ()
    """``(expression, value)`` for each jsonpath expression (``None``: the path is missing)."""
    matched: tuple[str, ...] = ()
    """The expressions that hold, as given (for ``any_of``: the one(s) that ended the wait)."""
    error: str | None = None
    """Why an expression cannot be evaluated (a jsonpath with several values...)."""

    def summary(self) -> str:
        """``pods/web Ready=True; matched condition=Ready``."""
        text = f"{self.resource}/{self.name}"
        if not self.exists:
            text += " absent"
        parts = [f"{c.type}={c.status}" for c in self.conditions]
        parts += [f"{expr.split('=', 1)[1]}={value}" for expr, value in self.values]
        if parts:
            text += " " + " ".join(parts)
        if self.matched:
            text += "; matched " + ", ".join(self.matched)
        return text


@final
class ConditionWaiter(Waiter[ConditionState]):
    """``kubectl wait`` for any resource kind: conditions, jsonpath values, create, delete.

    ``for_`` takes one expression or several that must all hold (kubectl's repeated
    ``--for``); ``any_of`` takes several of which one is enough (``Complete`` or
    ``Failed``), and the state's ``matched`` says which. As in kubectl, conditions
    compare case-insensitively and a condition older than ``metadata.generation``
    (by its ``observedGeneration``) does not count.

    Args:
        api: a kubernetes_asyncio ``ApiClient``.
        kind: the resource type, as kubectl takes it (``job``, ``pods``,
            ``deployments.apps``, ``deploy``); found through API discovery.
        name: the object's name.
        namespace: its namespace (ignored for cluster-scoped kinds).
        for_: ``"condition=Ready"``, ``"condition=Available=False"``, ``"delete"``,
            ``"create"``, ``"jsonpath={.status.phase}=Running"``, or a list of them (AND).
        any_of: a list of such expressions (OR). Give ``for_`` or ``any_of``, not both.
        shared: share one stream per namespace and kind instead of watching only
            this object (``fieldSelector=metadata.name=``, the default, like kubectl).
        watch: list/watch options.
        policy: the engine policy.

    Raises:
        ConfigurationError: an invalid argument or expression.

    Example:
        >>> from waitkit.k8s import ConditionWaiter, api_client
        >>> async def main() -> None:
        ...     async with api_client() as api:
        ...         waiter = ConditionWaiter(api, "job", "etl", any_of=[
        ...             "condition=Complete", "condition=Failed"])
        ...         result = await waiter.wait(timeout=600)
        ...         print(result.state.matched)  # ('condition=Complete',)
    """

    kind: ClassVar[str] = "k8s_condition"
    # observe() long-polls the shared watch: after a poll that found nothing, look again at once.
    long_polls: ClassVar[bool] = True
    classifier = KUBERNETES

    def __init__(
        self,
        api: ApiClient,
        kind: str,
        name: str,
        namespace: str = "default",
        *,
        for_: str | Sequence[str] | None = None,
        any_of: Sequence[str] | None = None,
        shared: bool = False,
        watch: WatchOptions | None = None,
        policy: Policy | None = None,
    ) -> None:
        super().__init__(policy=WATCH_POLICY if policy is None else policy)
        owner = "ConditionWaiter"
        check_api(owner, api)
        kind_text: object = kind
        if not isinstance(kind_text, str) or not kind_text.strip():
            msg = f"{owner}: kind must be a resource type such as 'job' or 'pods', got {kind!r}"
            raise ConfigurationError(msg)
        self.api = api
        self.resource_kind = kind.strip()
        self.name = check_name(owner, "name", name)
        self.namespace = check_namespace(owner, namespace)
        if (for_ is None) == (any_of is None):
            msg = f"{owner}: give exactly one of for_ (all must hold) or any_of (one is enough)"
            raise ConfigurationError(msg)
        self.any = any_of is not None
        given = any_of if any_of is not None else ([for_] if isinstance(for_, str) else for_)
        if isinstance(given, str) or not isinstance(given, Sequence) or not given:
            argument = "any_of" if self.any else "for_"
            msg = f"{owner}: {argument} must be an expression or a non-empty list, got {given!r}"
            raise ConfigurationError(msg)
        self.specs: tuple[Spec, ...] = tuple(parse_spec(owner, text) for text in given)
        self.shared = bool(shared)
        self.options = check_options(owner, watch)

    @property
    def resource_id(self) -> str:
        """``kind/namespace/name``."""
        return f"{self.resource_kind}/{self.namespace}/{self.name}"

    def describe(self) -> str:
        """``job default/etl (condition=Complete)``."""
        joiner = " or " if self.any else " and "
        wanted = joiner.join(spec.text for spec in self.specs)
        return f"{self.resource_kind} {self.namespace}/{self.name} ({wanted})"

    def for_wait(self, deadline: float | None) -> Target[ConditionState]:
        """A fresh target per wait: its subscription, cursor and the object's first uid."""
        return _ConditionWait(self, deadline)

    async def observe(self) -> ConditionState:
        """One look outside a wait (``wait()`` and ``states()`` look through ``for_wait``)."""
        return await one_look(self.for_wait(None))

    def verdict(self, state: ConditionState) -> Verdict:
        """Success when every expression holds (``for_``) or one does (``any_of``)."""
        if state.error is not None:
            return Verdict.failure(state.error)
        if self.any and state.matched:
            return Verdict.SUCCESS
        if not self.any and len(state.matched) == len(self.specs):
            return Verdict.SUCCESS
        return Verdict.PENDING


class _ConditionWait(WaitTarget[ConditionWaiter, ConditionState]):
    """One wait on an object: its subscription, its cursor, the uid it first saw."""

    def __init__(self, waiter: ConditionWaiter, deadline: float | None) -> None:
        super().__init__(waiter, deadline)
        self.resource: Resource | None = None
        self.watch: SharedWatch | None = None
        self.cursor = -1
        self.uid: str | None = None

    async def observe(self) -> ConditionState:
        """Resolve the kind (once), then wait briefly for news of the object on its watch."""
        if self.resource is None:
            self.resource = await resolve(self.waiter.api, self.waiter.resource_kind)
        resource = self.resource
        namespace = self.waiter.namespace if resource.namespaced else None
        if self.watch is None:
            key = StreamKey(
                resource,
                namespace,
                field_selector=None if self.waiter.shared else f"metadata.name={self.waiter.name}",
                watch=self.waiter.options.watch,
            )
            self.watch = await self.stack.enter_async_context(
                subscribe(self.waiter.api, key, self.waiter.options)
            )
        self.cursor, obj = await self.watch.observe(
            (namespace or "", self.waiter.name),
            self.cursor,
            wait=self.long_poll(self.waiter.options.long_poll),
        )
        if obj is not None:
            uid = (obj.get("metadata") or {}).get("uid")
            if self.uid is None:
                self.uid = uid
            elif uid != self.uid and any(spec.kind == "delete" for spec in self.waiter.specs):
                obj = None  # recreated under the same name: the one awaited is gone (kubectl too)
        if obj is None and not any(spec.kind in ("delete", "create") for spec in self.waiter.specs):
            msg = f'{resource.display} "{self.waiter.name}" not found'
            raise ObjectMissingError(msg)
        return self._state(resource, namespace, obj)

    def _state(
        self, resource: Resource, namespace: str | None, obj: dict[str, Any] | None
    ) -> ConditionState:
        matched: list[str] = []
        values: list[tuple[str, str | None]] = []
        error = None
        for spec in self.waiter.specs:
            try:
                if spec.kind == "jsonpath" and obj is not None:
                    values.append((spec.text, spec.value_of(obj)))
                if spec.holds(obj):
                    matched.append(spec.text)
            except SpecError as problem:
                error = str(problem)
        metadata = (obj or {}).get("metadata") or {}
        generation = metadata.get("generation")
        return ConditionState(
            resource=resource.display,
            name=self.waiter.name,
            namespace=namespace,
            exists=obj is not None,
            generation=generation if isinstance(generation, int) else None,
            conditions=_conditions(obj),
            values=tuple(values),
            matched=tuple(matched),
            error=error,
        )


def _conditions(obj: dict[str, Any] | None) -> tuple[ConditionMatch, ...]:
    if obj is None:
        return ()
    found = []
    for condition in (obj.get("status") or {}).get("conditions") or []:
        if not isinstance(condition, dict):
            continue
        observed = condition.get("observedGeneration")
        found.append(
            ConditionMatch(
                type=str(condition.get("type", "")),
                status=str(condition.get("status", "")),
                reason=condition.get("reason") or None,
                message=condition.get("message") or None,
                observed_generation=observed if isinstance(observed, int) else None,
            )
        )
    return tuple(found)
