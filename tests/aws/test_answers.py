"""Answers that do not fit the documented shape are named in words, over real HTTP.

Each case is an emulator fault (``body``: a proxy's HTML page on HTTP 200; ``edit``: a
record missing a field, an empty or null status, a huge reason) against the real client.
"""

from __future__ import annotations

import pytest

from waitkit import ProbeError, UnexpectedStateError, WaitFailedError, WaitTimeoutError
from waitkit.aws import InstanceRefreshWaiter
from waitkit.emulator import Emulator, Fault, Scenario

from .conftest import FAST

pytestmark = pytest.mark.anyio

HUGE = "x" * 200_000


def refreshes(*points: dict) -> Scenario:
    """A scenario of one group, web, with one refresh r-1 on the given timeline."""
    return Scenario.model_validate(
        {
            "autoscaling": {
                "groups": [{"name": "web", "refreshes": [{"id": "r-1", "timeline": list(points)}]}]
            }
        }
    )


IN_PROGRESS = {"after": 0, "status": "InProgress", "percentage_complete": 40}


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        pytest.param(
            Fault(kind="body", service="autoscaling"),
            "MalformedAnswerError: DescribeInstanceRefreshes answered with a body that is not "
            "its documented response (an HTML page or a proxy's answer? check the client's "
            "endpoint_url)",
            id="html-on-200",
        ),
        pytest.param(
            Fault(kind="edit", service="autoscaling", remove=["InstanceRefreshId"]),
            "MalformedAnswerError: DescribeInstanceRefreshes answered a record without "
            "InstanceRefreshId, which every record has",
            id="no-refresh-id",
        ),
        pytest.param(
            Fault(kind="edit", service="autoscaling", remove=["Status"]),
            "MalformedAnswerError: DescribeInstanceRefreshes answered a record that does not "
            "fit its documented shape: no Status where one was expected",
            id="no-status",
        ),
    ],
)
async def test_a_malformed_refresh_answer_is_a_probe_error_in_words(aws_client, fault, expected):
    """An HTML page, a missing id or a missing Status: ProbeError saying so, no internals."""
    async with (
        Emulator(refreshes(IN_PROGRESS)) as emu,
        aws_client("autoscaling", emu.aws_endpoint) as client,
    ):
        emu.faults.add(fault)
        with pytest.raises(ProbeError) as info:
            await InstanceRefreshWaiter(client, "web", "r-1", policy=FAST).wait()
    message = str(info.value)
    assert message == f"observing instance refresh web/r-1 failed: {expected}"
    for internal in ("KeyError", "ValidationError", "pydantic", "For further information"):
        assert internal not in message


async def test_an_empty_status_is_an_unknown_status(aws_client):
    """``<Status/>`` is a status the waiter does not know: the policy decides, and it is named."""
    empty = Fault(kind="edit", service="autoscaling", set={"Status": ""})
    async with (
        Emulator(refreshes(IN_PROGRESS)) as emu,
        aws_client("autoscaling", emu.aws_endpoint) as client,
    ):
        emu.faults.add(empty)
        with pytest.raises(UnexpectedStateError) as info:
            await InstanceRefreshWaiter(
                client, "web", "r-1", policy=FAST.replace(unknown_status="fail")
            ).wait()
        assert "a status the waiter does not know: '(empty status)'" in str(info.value)
        with pytest.raises(WaitTimeoutError) as timeout:
            await InstanceRefreshWaiter(client, "web", "r-1", policy=FAST).wait(timeout=1.5)
    assert "+0.0s (empty status) 40%" in str(timeout.value)


async def test_a_huge_status_reason_is_cut_in_the_message_and_kept_on_the_state(aws_client):
    """A 200 KB StatusReason: 500 characters of it in the message, all of it on the state."""
    failed = {"after": 1, "status": "Failed", "status_reason": "instances failed health checks"}
    huge = Fault(kind="edit", service="autoscaling", set={"StatusReason": HUGE}, start=0)
    async with (
        Emulator(refreshes(IN_PROGRESS, failed)) as emu,
        aws_client("autoscaling", emu.aws_endpoint) as client,
    ):
        emu.faults.add(huge)
        with pytest.raises(WaitFailedError) as info:
            await InstanceRefreshWaiter(client, "web", "r-1", policy=FAST).wait()
    assert len(str(info.value)) < 4096
    assert info.value.reason == f"Failed: {'x' * 500}... (199500 more characters)"
    assert info.value.state.status_reason == HUGE


async def test_a_rollback_says_why_it_rolled_back(aws_client):
    """RollbackSuccessful's reason carries RollbackDetails.RollbackReason."""
    points = (
        IN_PROGRESS,
        {"after": 1, "status": "RollbackInProgress", "rollback_reason": "alarm web-5xx fired"},
        {"after": 2, "status": "RollbackSuccessful", "status_reason": "rolled back to v41"},
    )
    async with (
        Emulator(refreshes(*points)) as emu,
        aws_client("autoscaling", emu.aws_endpoint) as client,
    ):
        with pytest.raises(WaitFailedError) as info:
            await InstanceRefreshWaiter(client, "web", "r-1", policy=FAST).wait()
    assert info.value.reason == (
        "RollbackSuccessful: rolled back to v41 (rolled back: alarm web-5xx fired)"
    )
    assert "(rolled back: alarm web-5xx fired)" in str(info.value)


def test_the_answer_helpers_name_each_problem():
    """Unit view of the helpers the waiters use: wrong types, invalid values, other errors."""
    from waitkit.aws._answers import MalformedAnswerError, answer_of, field, parse
    from waitkit.aws._instance_refresh import InstanceRefreshState

    with pytest.raises(MalformedAnswerError, match=r"with InstanceRefreshId=5, where a name"):
        field({"InstanceRefreshId": 5}, "InstanceRefreshId", "DescribeInstanceRefreshes")
    record = {"InstanceRefreshId": "r", "AutoScalingGroupName": "web", "Status": "x"}
    with pytest.raises(MalformedAnswerError, match=r"PercentageComplete='half' where input"):
        parse(InstanceRefreshState, {**record, "PercentageComplete": "half"}, "Describe")
    with pytest.raises(MalformedAnswerError, match=r"; and 1 more$"):
        parse(InstanceRefreshState, {"StartTime": "never"}, "Describe")
    # An error raised outside botocore's parser is not the answer's fault: left alone.
    with pytest.raises(KeyError), answer_of("Describe"):
        {}["missing"]
