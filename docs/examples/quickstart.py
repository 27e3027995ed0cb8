"""The quickstart: wait for any condition with until(), then write a waiter of your own.

``fetch_rows`` and the build API are in-memory stand-ins for a database and a build
service. The test suite runs this on a virtual clock; ``python
docs/examples/quickstart.py`` takes about a minute of real time (the waiter's
policy sleeps at least 2 s between looks, as a real build waiter would).
"""

from __future__ import annotations

from collections.abc import Mapping

import anyio

# docs-start waiter
from waitkit import Policy, State, Verdict, Waiter


class Build(State):
    status: str
    percent: int = 0

    def summary(self) -> str:
        return f"{self.status} {self.percent}%"


class BuildWaiter(Waiter[Build]):
    kind = "build"

    def __init__(self, api: BuildApi, build_id: str) -> None:
        super().__init__(policy=Policy(min_delay=2, max_delay=30))
        self.api, self.build_id = api, build_id

    @property
    def resource_id(self) -> str:
        return self.build_id

    async def observe(self) -> Build:
        body = await self.api.get_build(self.build_id)
        return Build(status=body["status"], percent=body["percent"])

    def verdict(self, state: Build) -> Verdict:
        if state.status == "SUCCEEDED":
            return Verdict.SUCCESS
        if state.status == "FAILED":
            return Verdict.failure("the build failed")
        if state.status in ("QUEUED", "RUNNING"):
            return Verdict.PENDING
        return Verdict.unknown(state.status)
        # docs-end waiter


class BuildApi:
    """An in-memory build service: each build moves one step further each time it is read."""

    STEPS = (("QUEUED", 0), ("RUNNING", 40), ("RUNNING", 80), ("SUCCEEDED", 100))

    def __init__(self) -> None:
        self.reads: dict[str, int] = {}

    async def get_build(self, build_id: str) -> Mapping[str, str | int]:
        """The build's current status and percentage."""
        await anyio.sleep(0.01)  # a network round-trip
        step = min(self.reads.get(build_id, 0), len(self.STEPS) - 1)
        self.reads[build_id] = step + 1
        status, percent = self.STEPS[step]
        return {"status": status, "percent": percent}


TABLE: list[str] = []


async def fetch_rows() -> list[str]:
    """Rows of a table that another process fills: one more each time it is read."""
    TABLE.append(f"row {len(TABLE)}")
    return list(TABLE)


async def wait_for_rows() -> None:
    """Wait for any condition: three rows in the table."""
    # docs-start until
    from waitkit import until

    rows = await until(fetch_rows, lambda rows: len(rows) >= 3, timeout=60)
    # docs-end until
    print(rows)


async def main() -> None:
    """Wait for the rows, then for two builds."""
    await wait_for_rows()
    api = BuildApi()
    # docs-start use-waiter
    result = await BuildWaiter(api, "b-42").wait(timeout=1800)
    print(result.state.percent, result.attempts, result.elapsed)

    async for state in BuildWaiter(api, "b-43").states(timeout=1800):
        print(state.summary())  # each *distinct* state, as it changes
    # docs-end use-waiter


def from_a_plain_script() -> None:
    """A script that is not async: waitkit.run() runs the event loop for it."""
    # docs-start plain-script
    import waitkit

    result = waitkit.run(BuildWaiter(BuildApi(), "b-44"), timeout=1800)
    print(result.state.summary())  # SUCCEEDED 100%
    # docs-end plain-script


if __name__ == "__main__":
    anyio.run(main)
    from_a_plain_script()
