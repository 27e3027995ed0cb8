"""waitkit.otel on scripted waits (virtual time): retry events, timeouts, parent spans."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from waitkit import ErrorKind, Policy, WaitTimeoutError, using_hooks
from waitkit.otel import OpenTelemetryHooks
from waitkit.testing import ScriptedError, ScriptedWaiter

pytestmark = pytest.mark.anyio

STEADY = Policy(min_delay=10, max_delay=10, jitter="none")


@pytest.fixture
def traced():
    """A provider keeping spans in memory, and its hooks."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield provider, exporter
    provider.shutdown()


async def test_retries_are_events_and_a_timeout_is_an_error(traced):
    """Each retried error is a 'waitkit.retrying' event; a timed-out span has status ERROR."""
    provider, exporter = traced
    throttled = ScriptedError(ErrorKind.THROTTLED, "slow down")
    waiter = ScriptedWaiter(["a", throttled, "a"], policy=STEADY, resource_id="r")
    with using_hooks(OpenTelemetryHooks(tracer_provider=provider)), pytest.raises(WaitTimeoutError):
        await waiter.wait(timeout=60)
    (span,) = exporter.get_finished_spans()
    names = [e.name for e in span.events]
    assert names[:2] == ["waitkit.state_changed", "waitkit.retrying"]
    retry = span.events[1].attributes
    assert (retry["waitkit.error_kind"], retry["waitkit.error"]) == ("throttled", "ScriptedError")
    assert span.attributes["waitkit.outcome"] == "timed_out"
    assert span.status.status_code is StatusCode.ERROR
    assert "waitkit.previous" not in span.events[0].attributes


async def test_the_span_is_a_child_of_the_current_span(traced):
    """A wait started inside a span of the application is traced as its child."""
    provider, exporter = traced
    with (
        using_hooks(OpenTelemetryHooks(tracer_provider=provider)),
        provider.get_tracer("app").start_as_current_span("deploy") as parent,
    ):
        await ScriptedWaiter(["done"], policy=STEADY).wait(timeout=10)
    wait_span = next(s for s in exporter.get_finished_spans() if s.name.startswith("waitkit"))
    assert wait_span.parent is not None
    assert wait_span.parent.span_id == parent.get_span_context().span_id
