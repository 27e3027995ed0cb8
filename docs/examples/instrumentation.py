"""Instrumentation: hooks of your own, and OpenTelemetry spans for every wait.

The test suite runs ``main()`` on a virtual clock with the OpenTelemetry SDK's
in-memory exporter; ``python docs/examples/instrumentation.py`` runs it for real (it
needs ``waitkit[otel]`` and ``opentelemetry-sdk``).
"""

from __future__ import annotations

import anyio

from waitkit import ErrorKind, Policy, wait_all
from waitkit.testing import ScriptedError, ScriptedWaiter

POLICY = Policy(min_delay=1, max_delay=1)


def waiters() -> list[ScriptedWaiter]:
    """Two builds; one is throttled once on its way."""
    throttled = ScriptedError(ErrorKind.THROTTLED, "slow down")
    return [
        ScriptedWaiter(["QUEUED", "RUNNING", "done"], resource_id="build-1", policy=POLICY),
        ScriptedWaiter(["QUEUED", throttled, "done"], resource_id="build-2", policy=POLICY),
    ]


# docs-start hooks
import waitkit  # noqa: E402 - the page shows the import with the class


class Metrics(waitkit.WaitHooks):
    """Counts retries by kind and records how long each wait took, by outcome."""

    def __init__(self) -> None:
        self.retries: dict[str, int] = {}
        self.durations: list[tuple[str, str, float]] = []

    def on_retry(self, wait: waitkit.WaitStarted, retry: waitkit.Retrying) -> None:  # noqa: ARG002
        self.retries[retry.kind.value] = self.retries.get(retry.kind.value, 0) + 1

    def on_finish(self, wait: waitkit.WaitStarted, finish: waitkit.WaitFinished) -> None:
        self.durations.append((wait.resource, finish.outcome, finish.elapsed))


# docs-end hooks


async def with_hooks() -> None:
    """Count what the waits did."""
    # docs-start use-hooks
    metrics = Metrics()
    with waitkit.using_hooks(metrics):  # or, for the whole process: waitkit.set_hooks([metrics])
        await wait_all(waiters(), timeout=60)
    print(metrics.retries)  # {'throttled': 1}
    print(sorted(metrics.durations))  # [('build-1', 'succeeded', 2.0), ('build-2', ...)]
    # docs-end use-hooks


async def with_opentelemetry() -> None:
    """One span per wait, in the SDK's in-memory exporter."""
    # docs-start otel
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from waitkit.otel import OpenTelemetryHooks

    exporter = InMemorySpanExporter()  # in a service: an OTLP exporter
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))

    with waitkit.using_hooks(OpenTelemetryHooks(tracer_provider=provider)):
        await wait_all(waiters(), timeout=60)
    for span in exporter.get_finished_spans():
        attributes = span.attributes or {}
        events = [e.name for e in span.events]
        print(span.name, attributes["waitkit.resource"], attributes["waitkit.outcome"], events)
    # waitkit.wait scripted build-1 succeeded ['waitkit.state_changed', ...]
    # docs-end otel


async def main() -> None:
    """Both."""
    await with_hooks()
    await with_opentelemetry()


if __name__ == "__main__":
    anyio.run(main)
