"""Injectable faults, per service or per operation.

A fault says *what* goes wrong; each service backend decides *how it looks on its
wire* (an AWS query ``Throttling`` error, a Lambda ``TooManyRequestsException``
with ``Retry-After``, a Kubernetes 429 ``Status``...). The injector only answers
"which faults apply to this request", so the two backends stay independent.

Kinds:

- ``throttle``: requests above ``rate`` per second (token bucket of ``burst``) are refused
  with the service's throttling error; ``retry_after`` seconds are advertised when set.
  Without ``rate``, every matching request (subject to ``probability``) is throttled.
- ``error``: answer with HTTP ``status`` (default 503) in the service's error shape.
- ``drop``: close the connection without an answer.
- ``latency``: wait ``delay`` seconds before answering.
- ``cut_watch``: a Kubernetes watch stream (or a followed pod log) is cut after
  ``after_events`` events (log lines).
- ``gone``: a Kubernetes watch answers an ``ERROR`` event with a 410 Status.
- ``truncate``: send only part of the body (a malformed response).
- ``body``: answer HTTP 200 with ``body`` as ``content_type`` instead of the service's
  answer: a proxy's or captive portal's HTML page (the default body).
- ``edit``: answer with the service's answer changed: in every object of it that has
  one of the keys of ``set``, that key gets the given value (``null``, ``""``, a 200 KB
  string); keys named in ``remove`` are taken out. An answer that does not fit its
  documented shape (a record without its id, an empty ``Status``).

``error`` takes the service's error ``code`` when given (``AccessDeniedException`` with
``status: 403``: a permission the caller lacks).

``probability`` picks a random share of matching requests; ``count`` caps how many
times the fault fires; ``start``/``stop`` bound it in scenario seconds.
"""

from __future__ import annotations

import random
from typing import Final, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, JsonValue, model_validator

FaultKind = Literal[
    "throttle", "error", "drop", "latency", "cut_watch", "gone", "truncate", "body", "edit"
]
#: What a ``body`` fault answers by default: a login page, as proxies serve them.
HTML_PAGE: Final = (
    "<html><head><title>Sign in</title></head>"
    "<body><h1>Proxy authentication required</h1></body></html>"
)
Service = Literal["autoscaling", "lambda", "logs", "kubernetes", "*"]


class Fault(BaseModel):
    """One injected fault (see the module docstring for the kinds)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: FaultKind
    service: Service = "*"
    operation: str = Field(
        default="*",
        description="AWS operation name, or Kubernetes verb (list) or verb:resource (list:pods)",
    )
    probability: float = Field(default=1.0, ge=0, le=1)
    count: int | None = Field(default=None, ge=1)
    start: float = Field(default=0.0, ge=0, description="scenario seconds")
    stop: float | None = Field(default=None, ge=0, description="scenario seconds")
    rate: float | None = Field(default=None, gt=0, description="throttle: requests per second")
    burst: int = Field(default=1, ge=1, description="throttle: bucket size")
    retry_after: float | None = Field(default=None, ge=0, description="throttle: seconds")
    status: int = Field(default=503, ge=400, le=599, description="error: HTTP status")
    delay: float = Field(default=0.0, ge=0, description="latency: seconds")
    after_events: int = Field(default=1, ge=0, description="cut_watch: events before the cut")
    code: str | None = Field(default=None, description="error: the service's error code")
    body: str = Field(default=HTML_PAGE, description="body: what is answered instead")
    content_type: str = Field(default="text/html", description="body: its content type")
    set: dict[str, JsonValue] = Field(
        default_factory=dict, description="edit: keys given new values wherever they occur"
    )
    remove: list[str] = Field(default_factory=list, description="edit: keys taken out")

    @model_validator(mode="after")
    def _window(self) -> Self:
        if self.stop is not None and self.stop < self.start:
            msg = f"stop ({self.stop}) is before start ({self.start})"
            raise ValueError(msg)
        return self

    def edited(self, value: JsonValue) -> JsonValue:
        """``value`` (an answer) with this ``edit`` fault's changes, at every depth."""
        if isinstance(value, list):
            return [self.edited(item) for item in value]
        if not isinstance(value, dict):
            return value
        changed: dict[str, JsonValue] = {}
        for key, item in value.items():
            if key in self.remove:
                continue
            changed[key] = self.set[key] if key in self.set else self.edited(item)
        return changed

    def matches(self, service: str, operation: str) -> bool:
        """Whether this fault targets the given service and operation.

        A Kubernetes request's operation is ``verb:resource``; a fault naming only the
        verb matches every resource.
        """
        verb = operation.partition(":")[0]
        return self.service in ("*", service) and self.operation in ("*", operation, verb)


class _TokenBucket:
    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate = rate
        self.capacity = float(burst)
        self.tokens = float(burst)
        self.stamp = now

    def take(self, now: float) -> bool:
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class FaultInjector:
    """Decides which faults fire for a request.

    Rates are measured in real seconds, windows (``start``/``stop``) in scenario seconds.
    """

    def __init__(self, faults: list[Fault] | None = None, *, seed: int | None = None) -> None:
        self._faults: list[Fault] = []
        self._fired: list[int] = []
        self._buckets: dict[int, _TokenBucket] = {}
        self._random = random.Random(seed)
        for fault in faults or []:
            self.add(fault)

    @property
    def faults(self) -> tuple[Fault, ...]:
        """The faults currently configured."""
        return tuple(self._faults)

    def add(self, fault: Fault) -> None:
        """Add a fault at run time."""
        self._faults.append(fault)
        self._fired.append(0)

    def clear(self) -> None:
        """Remove every fault."""
        self._faults.clear()
        self._fired.clear()
        self._buckets.clear()

    def next_due(self, now: float) -> float | None:
        """The next scenario time a fault's window opens or closes (None: no edge ahead)."""
        edges = [t for f in self._faults for t in (f.start, f.stop) if t is not None and t > now]
        return min(edges) if edges else None

    def decide(
        self, service: str, operation: str, *, scenario_now: float, real_now: float
    ) -> list[Fault]:
        """The faults that fire for one request, in configuration order."""
        fired: list[Fault] = []
        for i, fault in enumerate(self._faults):
            if not fault.matches(service, operation):
                continue
            if scenario_now < fault.start or (
                fault.stop is not None and scenario_now >= fault.stop
            ):
                continue
            if fault.count is not None and self._fired[i] >= fault.count:
                continue
            if fault.kind == "throttle" and fault.rate is not None:
                bucket = self._buckets.get(i)
                if bucket is None:
                    bucket = self._buckets[i] = _TokenBucket(fault.rate, fault.burst, real_now)
                if bucket.take(real_now):
                    continue
            elif fault.probability < 1 and self._random.random() >= fault.probability:
                continue
            self._fired[i] += 1
            fired.append(fault)
        return fired
