"""InstanceRefreshWaiter: await an EC2 Auto Scaling instance refresh.

Waiters on the same group share one ``DescribeInstanceRefreshes`` per round (an
:class:`~waitkit.extend.ObservationHub` per (client, group)); each wait's target (``for_wait``)
subscribes for the wait, and each look is answered by a round younger than its
waiter's ``min_delay``. botocore has no paginator for
this operation, so ``NextToken`` is followed by hand.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, final

from waitkit._core import (
    HubRegistry,
    HubWait,
    ObservationHub,
    Policy,
    State,
    ThrottleBudget,
    Verdict,
    Waiter,
    bounded,
    budget_for,
    one_look,
)
from waitkit.aws._answers import answer_of, field, parse
from waitkit.aws._errors import AwsClassifier, ResourceMissingError, error_code
from waitkit.aws._shapes import AWS_RESPONSE, AwsShape
from waitkit.aws._validate import require_client, require_name

if TYPE_CHECKING:
    from types_aiobotocore_autoscaling.client import AutoScalingClient

    from waitkit._core import Target

PENDING: Final = frozenset({"Pending", "InProgress", "Baking", "Cancelling", "RollbackInProgress"})
SUCCESS: Final = frozenset({"Successful"})
FAILURE: Final = frozenset({"Failed", "Cancelled", "RollbackFailed", "RollbackSuccessful"})

# DescribeInstanceRefreshes answers at most 100 records a page.
_MAX_RECORDS: Final = 100
# The key of "the group's newest refresh" (when no refresh id is given).
_NEWEST: Final = ""
_OPERATION: Final = "DescribeInstanceRefreshes"


@final
class RollbackDetails(AwsShape):
    """Why and how far a refresh is being rolled back."""

    rollback_reason: str | None = None
    rollback_start_time: datetime | None = None
    percentage_complete_on_rollback: int | None = None
    instances_to_update_on_rollback: int | None = None


@final
class InstanceRefreshState(State):
    """One observation of an instance refresh (an ``InstanceRefresh`` record).

    ``strategy`` is ``None`` on botocore versions that do not model it (absent on older
    botocore: 1.40.61, pinned by aioboto3 15.5, drops it from the answer).
    """

    model_config = AWS_RESPONSE

    instance_refresh_id: str
    auto_scaling_group_name: str
    status: str
    status_reason: str | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    percentage_complete: int | None = None
    instances_to_update: int | None = None
    strategy: str | None = None
    rollback_details: RollbackDetails | None = None

    def summary(self) -> str:
        """``InProgress 40% (3 to update)``, plus the status reason when there is one."""
        text = self.status or "(empty status)"
        if self.percentage_complete is not None:
            text += f" {self.percentage_complete}%"
        if self.instances_to_update:
            text += f" ({self.instances_to_update} to update)"
        if self.status_reason:
            text += f": {self.status_reason}"
        return text

    def failure_reason(self) -> str:
        """The status, its reason and, after a rollback, why it was rolled back (each cut)."""
        reason = self.status
        if self.status_reason:
            reason += f": {bounded(self.status_reason)}"
        rollback = self.rollback_details
        if rollback is not None and rollback.rollback_reason:
            reason += f" (rolled back: {bounded(rollback.rollback_reason)})"
        return reason


def _group_missing(error: Exception) -> bool:
    # AWS answers DescribeInstanceRefreshes for a missing group with a 400 ValidationError
    # (not modeled). waitkit builds the request itself, so no other validation can fail.
    return error_code(error) == "ValidationError"  # type: ignore[arg-type]


_CLASSIFIER: Final = AwsClassifier(not_found=_group_missing)
_HUBS: HubRegistry[str, Mapping[str, Any]] = HubRegistry()


@final
class _GroupRefreshes:
    """The shared source of one group: one ``DescribeInstanceRefreshes`` (paged) per round."""

    def __init__(self, client: AutoScalingClient, group: str) -> None:
        self._client = client
        self._group = group

    async def fetch(self, keys: Collection[str]) -> Mapping[str, Mapping[str, Any]]:
        ids = sorted(key for key in keys if key != _NEWEST)
        found: dict[str, Mapping[str, Any]] = {}
        if _NEWEST in keys or len(ids) > _MAX_RECORDS:
            # Newest first, so the first record is the group's newest refresh.
            await self._pages(found, ids=None, wanted=set(ids))
        else:
            await self._pages(found, ids=ids, wanted=set(ids))
        return found

    async def _pages(
        self, found: dict[str, Mapping[str, Any]], *, ids: list[str] | None, wanted: set[str]
    ) -> None:
        kwargs: dict[str, Any] = {"AutoScalingGroupName": self._group, "MaxRecords": _MAX_RECORDS}
        if ids is not None:
            kwargs["InstanceRefreshIds"] = ids
        while True:
            with answer_of(_OPERATION):
                page = await self._client.describe_instance_refreshes(**kwargs)
            for record in page.get("InstanceRefreshes", []):
                if _NEWEST not in found:
                    found[_NEWEST] = record
                found[field(record, "InstanceRefreshId", _OPERATION)] = record
            token = page.get("NextToken")
            if not token or (ids is None and wanted <= found.keys()):
                return
            kwargs["NextToken"] = token

    async def aclose(self) -> None:
        """Nothing to release: the client belongs to the caller."""


@final
class InstanceRefreshWaiter(Waiter[InstanceRefreshState]):
    """Wait for an Auto Scaling instance refresh to finish.

    ======================================================================  =========
    status                                                                  verdict
    ======================================================================  =========
    Pending, InProgress, Baking, Cancelling, RollbackInProgress             pending
    Successful                                                              success
    Failed, Cancelled, RollbackFailed, RollbackSuccessful                   failure
    anything else, an empty ``<Status/>`` among them                        unknown
    ======================================================================  =========

    A failure's reason is the status, its ``StatusReason`` and, after a rollback, the
    ``RollbackDetails.RollbackReason``, each cut to 500 characters (the state keeps
    them whole). An answer that is not the documented XML (an HTML page on HTTP 200, a
    record without ``InstanceRefreshId`` or ``Status``) raises :class:`~waitkit.ProbeError`
    saying so.

    Args:
        client: an aiobotocore ``autoscaling`` client you hold (it is not closed here).
        asg_name: the Auto Scaling group.
        refresh_id: the ``InstanceRefreshId`` from ``StartInstanceRefresh``; ``None`` for
            the group's newest refresh (AWS allows one active refresh per group, so this
            is "the refresh in progress", or the last one if none is).
        policy: delays and bounds (default: waitkit's default policy).

    A group that does not exist raises :class:`~waitkit.ResourceNotFoundError`; so does
    a refresh id the group does not list (give ``Policy(not_found_grace=...)`` right
    after ``StartInstanceRefresh`` if the listing lags).

    Example:
        >>> from waitkit.aws import InstanceRefreshWaiter
        >>> async def deploy(client) -> None:
        ...     started = await client.start_instance_refresh(AutoScalingGroupName="web")
        ...     rid = started["InstanceRefreshId"]
        ...     waiter = InstanceRefreshWaiter(client, "web", refresh_id=rid)
        ...     result = await waiter.wait(timeout=1800)
        ...     print(result.state.percentage_complete)
    """

    kind = "instance_refresh"
    classifier = _CLASSIFIER

    def __init__(
        self,
        client: AutoScalingClient,
        asg_name: str,
        refresh_id: str | None = None,
        *,
        policy: Policy | None = None,
    ) -> None:
        super().__init__(policy=policy)
        require_client(client, "autoscaling", "InstanceRefreshWaiter")
        self._client = client
        self._group = require_name("asg_name", asg_name, max_length=255)
        self._key = _NEWEST if refresh_id is None else require_name("refresh_id", refresh_id)

    def throttle_budget(self) -> ThrottleBudget | None:
        """Waits on the same client share one pace when the API throttles."""
        return budget_for(self._client)

    @property
    def resource_id(self) -> str:
        """``group/refresh-id`` (``group/newest`` without an id)."""
        return f"{self._group}/{self._key or 'newest'}"

    def for_wait(self, deadline: float | None) -> Target[InstanceRefreshState]:
        """A fresh target per wait: it subscribes to the group's shared rounds for the wait."""
        del deadline  # each look is one hub answer; the engine bounds it
        return HubWait(
            self, hub=self._hub, key=self._key, max_age=self.policy.min_delay, read=self._read
        )

    async def observe(self) -> InstanceRefreshState:
        """One look outside a wait: subscribe, take one round's answer, leave."""
        return await one_look(self.for_wait(None))

    def _hub(self) -> ObservationHub[str, Mapping[str, Any]]:
        # One hub per (client, group) while anyone waits on it; each look asks for an
        # answer younger than its own min_delay, so waiters polling together share each
        # round and none is handed another's old one.
        return _HUBS.get(
            self._client,
            self._group,
            lambda: ObservationHub(_GroupRefreshes(self._client, self._group)),
        )

    async def _read(self, record: Mapping[str, Any] | None) -> InstanceRefreshState:
        """The refresh in the group's round (``None``: the group does not list it)."""
        if record is None:
            what = f"instance refresh {self._key}" if self._key else "any instance refresh"
            msg = f"Auto Scaling group {self._group} does not list {what}"
            raise ResourceMissingError(msg)
        return parse(InstanceRefreshState, record, _OPERATION)

    def verdict(self, state: InstanceRefreshState) -> Verdict:
        """Map the status (table above); unknown statuses follow the policy."""
        if state.status in PENDING:
            return Verdict.PENDING
        if state.status in SUCCESS:
            return Verdict.SUCCESS
        if state.status in FAILURE:
            return Verdict.failure(state.failure_reason())
        return Verdict.unknown(state.status or "(empty status)")
