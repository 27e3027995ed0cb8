"""The skeleton every emulated AWS service shares: built from its scenario, answers by operation.

A service is made from its part of the scenario with the emulator's clocks and random
source, tells the scenario clock when it next changes by time alone (``next_due``),
and answers one operation at a time from its table of operations. What each service
adds is its resources, its operations and its wire protocol.
"""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

from waitkit.emulator.aws._protocols import AwsError, Protocol, Reply, Value

if TYPE_CHECKING:
    import random
    from datetime import datetime

    from waitkit.emulator._clock import ScenarioClock

ScenarioT = TypeVar("ScenarioT")
#: What an operation answers: a JSON-like result, or (rest-json) a whole reply.
AnswerT = TypeVar("AnswerT", dict[str, Value], Reply)
Operation = Callable[[dict[str, Value]], AnswerT]


class ScriptedService(ABC, Generic[ScenarioT, AnswerT]):
    """An emulated AWS service whose resources follow the timelines of a scenario.

    Attributes:
        name: the service's name in request counters and faults (``autoscaling``).
        protocol: the wire protocol its requests and answers speak.
    """

    name: ClassVar[str]
    protocol: ClassVar[Protocol]
    #: The error code and message (``{operation}`` filled in) of an operation it lacks.
    unknown_operation: ClassVar[tuple[str, str]]

    def __init__(
        self,
        scenario: ScenarioT,
        *,
        clock: ScenarioClock,
        wall: Callable[[float], datetime],
        rng: random.Random,
    ) -> None:
        self._clock = clock
        self._wall = wall
        self._rng = rng
        self._load(scenario)
        self._handlers: Mapping[str, Operation[AnswerT]] = self._operations()

    @abstractmethod
    def _load(self, scenario: ScenarioT) -> None:
        """Take in the scenario's resources (run once, by the constructor)."""

    @abstractmethod
    def _operations(self) -> Mapping[str, Operation[AnswerT]]:
        """Each operation the service answers, by name."""

    @abstractmethod
    def next_due(self, now: float) -> float | None:
        """The next scenario time something changes by time alone (None: nothing does)."""

    def handle(self, operation: str, params: dict[str, Value]) -> AnswerT:
        """Answer one operation (raises :class:`AwsError`)."""
        handler = self._handlers.get(operation)
        if handler is None:
            code, message = self.unknown_operation
            raise AwsError(code, message.format(operation=operation))
        return handler(params)

    def reply(self, operation: str, params: dict[str, Value]) -> Reply:
        """:meth:`handle`'s answer as a :class:`Reply`, whatever the protocol."""
        return _as_reply(self.handle(operation, params))

    def _new_uuid(self) -> str:
        """A random (version 4) UUID from the emulator's seeded random source."""
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))


def _as_reply(answer: dict[str, Value] | Reply) -> Reply:
    return answer if isinstance(answer, Reply) else Reply(answer)
