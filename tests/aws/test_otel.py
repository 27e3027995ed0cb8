"""waitkit.otel as a user sees it: real waits on the emulator, spans in an in-memory exporter."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

import waitkit
from waitkit import WaitFailedError, wait_all
from waitkit.aws import InstanceRefreshWaiter
from waitkit.emulator import Emulator, Scenario
from waitkit.otel import OpenTelemetryHooks

from .conftest import FAST

pytestmark = pytest.mark.anyio

ROLLING = [
    {"after": 0, "status": "Pending", "percentage_complete": 0, "instances_to_update": 4},
    {"after": 2, "status": "InProgress", "percentage_complete": 50, "instances_to_update": 2},
    {"after": 3, "status": "Successful", "percentage_complete": 100},
]
STUCK = [{"after": 0, "status": "InProgress", "percentage_complete": 30}]
FAILING = [
    {"after": 0, "status": "InProgress", "percentage_complete": 10},
    {"after": 2, "status": "Failed", "status_reason": "instances failed health checks"},
]


def groups(**timelines: list[dict]) -> Scenario:
    """One group per keyword, each with one refresh ``r-<name>``."""
    return Scenario.model_validate(
        {
            "autoscaling": {
                "groups": [
                    {"name": name, "refreshes": [{"id": f"r-{name}", "timeline": points}]}
                    for name, points in timelines.items()
                ]
            }
        }
    )


@pytest.fixture
def spans():
    """waitkit.otel registered process-wide, on a provider that keeps spans in memory."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    waitkit.set_hooks([OpenTelemetryHooks(tracer_provider=provider)])
    try:
        yield exporter
    finally:
        waitkit.set_hooks([])
        provider.shutdown()


async def test_one_span_per_wait_with_an_event_per_state_change(aws_client, spans):
    """A successful instance refresh: one span, its attributes, one event per distinct state."""
    async with (
        Emulator(groups(web=ROLLING)) as emu,
        aws_client("autoscaling", emu.aws_endpoint) as client,
    ):
        result = await InstanceRefreshWaiter(client, "web", refresh_id="r-web", policy=FAST).wait(
            timeout=30
        )
    (span,) = spans.get_finished_spans()
    assert span.name == "waitkit.wait instance_refresh"
    attributes = dict(span.attributes)
    assert attributes["waitkit.waiter"] == "instance_refresh"
    assert attributes["waitkit.resource"] == "web/r-web"
    assert attributes["waitkit.timeout"] == 30
    assert attributes["waitkit.attempts"] == result.attempts
    assert attributes["waitkit.outcome"] == "succeeded"
    assert attributes["waitkit.state"].startswith("Successful")
    assert span.status.status_code is StatusCode.UNSET
    changes = [e.attributes["waitkit.state"] for e in span.events]
    assert [c.split()[0] for c in changes] == ["Pending", "InProgress", "Successful"]
    assert {e.name for e in span.events} == {"waitkit.state_changed"}


async def test_failed_and_cancelled_waits_end_their_spans(aws_client, spans):
    """wait_all: the failure's span has status ERROR and its reason; the cancelled one ends."""
    async with (
        Emulator(groups(web=STUCK, db=FAILING)) as emu,
        aws_client("autoscaling", emu.aws_endpoint) as client,
    ):
        waiters = [
            InstanceRefreshWaiter(client, name, refresh_id=f"r-{name}", policy=FAST)
            for name in ("web", "db")
        ]
        with pytest.raises(WaitFailedError):
            await wait_all(waiters, timeout=30)
    by_resource = {s.attributes["waitkit.resource"]: s for s in spans.get_finished_spans()}
    failed, cancelled = by_resource["db/r-db"], by_resource["web/r-web"]
    assert failed.attributes["waitkit.outcome"] == "failed"
    assert failed.status.status_code is StatusCode.ERROR
    assert "health checks" in failed.attributes["waitkit.reason"]
    assert cancelled.attributes["waitkit.outcome"] == "cancelled"
    assert cancelled.status.status_code is StatusCode.UNSET
