"""The scenario file: everything the emulated cloud starts with, and the faults it injects.

A scenario is YAML (``.yaml``/``.yml``) or JSON (``.json``)::

    speed: 10            # scenario seconds per real second
    clock: manual        # or real (the default): manual time moves only when advanced
    seed: 7              # fixes generated ids and random faults
    autoscaling: {groups: [...]}
    durable: {functions: [...]}
    logs: {queries: [...]}
    kubernetes: {...}
    faults: [{kind: throttle, service: logs, rate: 5}]
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from waitkit.emulator._clock import ClockMode
from waitkit.emulator._faults import Fault
from waitkit.emulator.aws._scenario import AutoScalingScenario, DurableScenario, LogsScenario
from waitkit.emulator.k8s import KubernetesScenario


class ScenarioError(ValueError):
    """A scenario file that cannot be read or does not describe a valid scenario."""


class Scenario(BaseModel):
    """A whole emulated cloud.

    Example:
        >>> Scenario.model_validate({"speed": 10, "logs": {"max_concurrent_queries": 2}}).speed
        10.0
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    speed: float = Field(default=1.0, gt=0, description="scenario seconds per real second")
    clock: ClockMode = Field(
        default="real",
        description="real: time runs (times speed); manual: it moves only when advanced",
    )
    seed: int | None = Field(default=None, description="seed for generated ids and random faults")
    autoscaling: AutoScalingScenario = Field(default_factory=AutoScalingScenario)
    durable: DurableScenario = Field(default_factory=DurableScenario)
    logs: LogsScenario = Field(default_factory=LogsScenario)
    kubernetes: KubernetesScenario = Field(default_factory=KubernetesScenario)
    faults: list[Fault] = Field(default_factory=list)

    @classmethod
    def from_file(cls, path: str | Path) -> Scenario:
        """Load a YAML or JSON scenario (by the file's suffix).

        Raises:
            ScenarioError: the file is unreadable, not YAML/JSON, or names a bad field;
                the message gives the field's dotted path.
        """
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in (".json", ".yaml", ".yml"):
            raise ScenarioError(f"scenario {path}: use a .yaml, .yml or .json file")
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ScenarioError(f"cannot read scenario {path}: {exc}") from exc
        try:
            data = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
        except (ValueError, yaml.YAMLError) as exc:
            raise ScenarioError(f"scenario {path} is not valid {suffix[1:]}: {exc}") from exc
        return cls.from_data(data if data is not None else {}, source=str(path))

    @classmethod
    def from_data(cls, data: object, *, source: str = "scenario") -> Scenario:
        """Validate already-parsed data (a mapping), with the same errors as :meth:`from_file`."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            problems = "\n".join(
                f"  {'.'.join(str(part) for part in error['loc']) or '(top level)'}: {error['msg']}"
                for error in exc.errors()
            )
            raise ScenarioError(f"invalid {source}:\n{problems}") from exc
