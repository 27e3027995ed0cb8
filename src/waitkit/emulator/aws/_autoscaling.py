"""Emulated Auto Scaling instance refreshes (query protocol).

Operations: ``StartInstanceRefresh``, ``DescribeInstanceRefreshes``,
``CancelInstanceRefresh``, ``RollbackInstanceRefresh``. A refresh is *observed*
each time a DescribeInstanceRefreshes page includes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from waitkit.emulator.aws._cursor import TimelineCursor, soonest
from waitkit.emulator.aws._paging import decode_token, encode_token
from waitkit.emulator.aws._protocols import AwsError, Value
from waitkit.emulator.aws._scenario import (
    AutoScalingGroupScenario,
    AutoScalingScenario,
    InstanceRefreshScenario,
    RefreshPoint,
    RefreshStatus,
)
from waitkit.emulator.aws._service import ScriptedService

if TYPE_CHECKING:
    from collections.abc import Mapping

    from waitkit.emulator.aws._service import Operation

TERMINAL: frozenset[str] = frozenset(
    {"Successful", "Failed", "Cancelled", "RollbackFailed", "RollbackSuccessful"}
)
_ROLLBACK: frozenset[str] = frozenset(
    {"RollbackInProgress", "RollbackFailed", "RollbackSuccessful"}
)
_CANCELLABLE: frozenset[str] = frozenset({"Pending", "InProgress", "Baking"})
_ROLLBACKABLE: frozenset[str] = frozenset({"Pending", "InProgress", "Baking", "Cancelling"})
_MAX_RECORDS = 100
_DEFAULT_RECORDS = 50


class _RefreshState(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: RefreshStatus = "Pending"
    status_reason: str | None = None
    percentage_complete: int = 0
    instances_to_update: int = 0
    warm_pool_percentage_complete: int | None = None
    warm_pool_instances_to_update: int | None = None
    rollback_reason: str | None = None
    percentage_complete_on_rollback: int | None = None
    instances_to_update_on_rollback: int | None = None


@dataclass
class _Refresh:
    id: str
    group: str
    created: float
    order: int
    strategy: str
    preferences: Value
    desired_configuration: Value
    cursor: TimelineCursor[RefreshPoint]
    rollback_started: float | None = None

    def state(self, now: float) -> _RefreshState:
        return _RefreshState().model_copy(update=self.cursor.fields(now))

    def end_time(self, now: float) -> float | None:
        status = self.state(now).status
        if status not in TERMINAL:
            return None
        # The end is when the terminal status was first reached.
        for point, when in reversed(self.cursor.reached(now)):
            if point.status is not None:
                return when
        return now  # pragma: no cover - a terminal status always comes from a point


class AutoScalingService(ScriptedService[AutoScalingScenario, dict[str, Value]]):
    """The Auto Scaling groups and their instance refreshes.

    Run-time methods: :meth:`add_group`, :meth:`add_refresh`.
    """

    name = "autoscaling"
    protocol = "query"
    unknown_operation = (
        "InvalidAction",
        "The action {operation} is not valid for this web service.",
    )

    def _load(self, scenario: AutoScalingScenario) -> None:
        self._groups: dict[str, AutoScalingGroupScenario] = {}
        self._refreshes: list[_Refresh] = []
        for group in scenario.groups:
            self.add_group(group)

    # ------------------------------------------------------------ run-time controls

    def add_group(self, group: AutoScalingGroupScenario) -> None:
        """Add (or replace) a group and create its scripted refreshes."""
        self._groups[group.name] = group
        for refresh in group.refreshes:
            self.add_refresh(group.name, refresh)

    def add_refresh(self, group: str, refresh: InstanceRefreshScenario) -> str:
        """Create a refresh in an existing group; its ``created`` counts from the emulator start.

        Returns:
            The InstanceRefreshId.
        """
        if group not in self._groups:
            raise KeyError(group)
        refresh_id = refresh.id or self._new_uuid()
        self._refreshes.append(
            _Refresh(
                id=refresh_id,
                group=group,
                created=refresh.created,
                order=len(self._refreshes),
                strategy=refresh.strategy,
                preferences=refresh.preferences,
                desired_configuration=refresh.desired_configuration,
                cursor=TimelineCursor(refresh.timeline, origin=refresh.created),
            )
        )
        return refresh_id

    def next_due(self, now: float) -> float | None:
        """The next scenario time a refresh appears or moves by time alone."""
        return soonest(
            now,
            [t for r in self._refreshes for t in (r.created, r.cursor.next_due(now))],
        )

    def status(self, refresh_id: str) -> str:
        """The current status of a refresh (without counting an observation)."""
        return self._find(refresh_id).state(self._clock.now()).status

    # ------------------------------------------------------------ operations

    def _operations(self) -> Mapping[str, Operation[dict[str, Value]]]:
        return {
            "StartInstanceRefresh": self._start,
            "DescribeInstanceRefreshes": self._describe,
            "CancelInstanceRefresh": self._cancel,
            "RollbackInstanceRefresh": self._rollback,
        }

    def _start(self, params: dict[str, Value]) -> dict[str, Value]:
        group = self._group(params)
        now = self._clock.now()
        if self._active(group.name, now, None) is not None:
            raise AwsError(
                "InstanceRefreshInProgress",
                f"An Instance Refresh is already in progress and blocks the execution of this "
                f"Instance Refresh for AutoScalingGroup {group.name}.",
            )
        strategy = params.get("Strategy") or "Rolling"
        refresh = InstanceRefreshScenario(
            created=now,
            strategy="ReplaceRootVolume" if strategy == "ReplaceRootVolume" else "Rolling",
            timeline=group.on_start,
        )
        refresh_id = self.add_refresh(group.name, refresh)
        started = self._refreshes[-1]
        started.preferences = params.get("Preferences")
        started.desired_configuration = params.get("DesiredConfiguration")
        return {"InstanceRefreshId": refresh_id}

    def _describe(self, params: dict[str, Value]) -> dict[str, Value]:
        group = self._group(params)
        wanted = params.get("InstanceRefreshIds")
        now = self._clock.now()
        refreshes = self._existing(group.name, now)
        if isinstance(wanted, list):
            refreshes = [r for r in refreshes if r.id in wanted]
        refreshes.sort(key=lambda r: (r.created, r.order), reverse=True)
        max_records = _int_param(params, "MaxRecords", _DEFAULT_RECORDS)
        if not 1 <= max_records <= _MAX_RECORDS:
            raise AwsError(
                "ValidationError",
                f"1 validation error detected: Value '{max_records}' at 'maxRecords' failed to "
                f"satisfy constraint: Member must have value less than or equal to {_MAX_RECORDS}",
            )
        offset = _offset(params.get("NextToken"))
        page = refreshes[offset : offset + max_records]
        result: dict[str, Value] = {"InstanceRefreshes": [self._render(r, now) for r in page]}
        if offset + max_records < len(refreshes):
            result["NextToken"] = encode_token("asg", offset + max_records)
        return result

    def _cancel(self, params: dict[str, Value]) -> dict[str, Value]:
        group = self._group(params)
        now = self._clock.now()
        refresh = self._must_be_active(group.name, now, _CANCELLABLE)
        refresh.cursor.switch(group.on_cancel, now=now)
        return {"InstanceRefreshId": refresh.id}

    def _rollback(self, params: dict[str, Value]) -> dict[str, Value]:
        group = self._group(params)
        now = self._clock.now()
        refresh = self._must_be_active(group.name, now, _ROLLBACKABLE)
        if not refresh.desired_configuration:
            raise AwsError(
                "IrreversibleInstanceRefresh",
                "The instance refresh cannot be rolled back because it was started without a "
                "desired configuration.",
            )
        refresh.cursor.switch(group.on_rollback, now=now)
        refresh.rollback_started = now
        return {"InstanceRefreshId": refresh.id}

    # ------------------------------------------------------------ helpers

    def _render(self, refresh: _Refresh, now: float) -> dict[str, Value]:
        state = refresh.state(now)
        end = refresh.end_time(now)
        refresh.cursor.observe()  # after reading: this read shows the points reached before it
        warm: dict[str, Value] | None = None
        if state.warm_pool_percentage_complete is not None:
            warm = {
                "PercentageComplete": state.warm_pool_percentage_complete,
                "InstancesToUpdate": state.warm_pool_instances_to_update or 0,
            }
        rendered: dict[str, Value] = {
            "InstanceRefreshId": refresh.id,
            "AutoScalingGroupName": refresh.group,
            "Status": state.status,
            "StatusReason": state.status_reason,
            "StartTime": self._wall(refresh.created),
            "EndTime": None if end is None else self._wall(end),
            "PercentageComplete": state.percentage_complete,
            "InstancesToUpdate": state.instances_to_update,
            "ProgressDetails": {
                "LivePoolProgress": {
                    "PercentageComplete": state.percentage_complete,
                    "InstancesToUpdate": state.instances_to_update,
                },
                "WarmPoolProgress": warm,
            },
            "Preferences": refresh.preferences,
            "DesiredConfiguration": refresh.desired_configuration,
            "Strategy": refresh.strategy,
        }
        if state.status in _ROLLBACK or state.rollback_reason is not None:
            started = refresh.rollback_started if refresh.rollback_started is not None else now
            rendered["RollbackDetails"] = {
                "RollbackReason": state.rollback_reason,
                "RollbackStartTime": self._wall(started),
                "PercentageCompleteOnRollback": state.percentage_complete_on_rollback,
                "InstancesToUpdateOnRollback": state.instances_to_update_on_rollback,
            }
            if refresh.rollback_started is None:
                refresh.rollback_started = started
        return rendered

    def _group(self, params: dict[str, Value]) -> AutoScalingGroupScenario:
        name = params.get("AutoScalingGroupName")
        if not isinstance(name, str) or not name:
            raise AwsError(
                "ValidationError",
                "1 validation error detected: Value null at 'autoScalingGroupName' failed to "
                "satisfy constraint: Member must not be null",
            )
        group = self._groups.get(name)
        if group is None:
            raise AwsError(
                "ValidationError",
                f"AutoScalingGroup name not found - AutoScalingGroup {name} not found",
            )
        return group

    def _must_be_active(self, group: str, now: float, statuses: frozenset[str]) -> _Refresh:
        """The newest refresh of ``group`` in ``statuses``, else the error AWS answers."""
        refresh = self._active(group, now, statuses)
        if refresh is None:
            raise AwsError(
                "ActiveInstanceRefreshNotFound",
                f"No in progress or pending Instance Refresh found for Auto Scaling group {group}",
            )
        return refresh

    def _active(self, group: str, now: float, statuses: frozenset[str] | None) -> _Refresh | None:
        """The newest refresh of ``group`` in ``statuses`` (``None``: any non-terminal one)."""
        for refresh in sorted(
            self._existing(group, now), key=lambda r: (r.created, r.order), reverse=True
        ):
            status = refresh.state(now).status
            if (statuses is None and status not in TERMINAL) or (
                statuses is not None and status in statuses
            ):
                return refresh
        return None

    def _existing(self, group: str, now: float) -> list[_Refresh]:
        """The refreshes of ``group`` created by ``now`` (a scenario may create some later)."""
        return [r for r in self._refreshes if r.group == group and r.created <= now]

    def _find(self, refresh_id: str) -> _Refresh:
        for refresh in self._refreshes:
            if refresh.id == refresh_id:
                return refresh
        raise KeyError(refresh_id)


def _int_param(params: dict[str, Value], name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    try:
        return int(str(raw))
    except ValueError as exc:
        raise AwsError("ValidationError", f"Invalid value for {name}: {raw!r}") from exc


def _offset(token: Value) -> int:
    offset = decode_token("asg", token)
    if offset is None:
        raise AwsError("InvalidNextToken", "The token provided is not valid.")
    return offset
