"""A waiter of your own that shares its client's throttle budget.

Twenty builds are awaited on one (fake) client whose API accepts 5 calls a second and
answers the rest "throttled". Their waits share one pace through ``budget_for(client)``.
The test suite runs this on a virtual clock; ``python docs/examples/throttle_budget.py``
takes about half a minute of real time.
"""

from __future__ import annotations

import anyio

from waitkit import ErrorKind, State, Verdict, Waiter
from waitkit.extend import Classification


class ThrottledError(Exception):
    """The fake API's "Rate exceeded"."""


class BuildState(State):
    """One build's status."""

    status: str


class BuildClient:
    """A fake build service: builds finish after 10 s; 5 calls a second (token bucket)."""

    def __init__(self) -> None:
        self.started = anyio.current_time()
        self.tokens, self.refilled = 5.0, self.started
        self.calls = self.throttled = 0

    async def get_build(self, build_id: str) -> dict[str, str]:
        now = anyio.current_time()
        self.tokens = min(5.0, self.tokens + (now - self.refilled) * 5)
        self.refilled, self.calls = now, self.calls + 1
        if self.tokens < 1:
            self.throttled += 1
            raise ThrottledError(build_id)
        self.tokens -= 1
        return {"status": "SUCCEEDED" if now - self.started >= 10 else "RUNNING"}


# docs-start waiter
from waitkit.extend import ThrottleBudget, budget_for  # noqa: E402 - shown with the class


class BuildWaiter(Waiter[BuildState]):
    kind = "build"

    def __init__(self, client: BuildClient, build_id: str) -> None:
        super().__init__()
        self.client, self.build_id = client, build_id

    async def observe(self) -> BuildState:
        answer = await self.client.get_build(self.build_id)
        return BuildState(status=answer["status"])

    def verdict(self, state: BuildState) -> Verdict:
        return Verdict.SUCCESS if state.status == "SUCCEEDED" else Verdict.PENDING

    def classify_error(self, error: Exception) -> Classification:
        if isinstance(error, ThrottledError):
            return Classification(ErrorKind.THROTTLED)
        return super().classify_error(error)

    def throttle_budget(self) -> ThrottleBudget | None:
        return budget_for(self.client)  # every wait on this client shares one pace


# docs-end waiter


async def main() -> None:
    """Twenty builds on one client: all succeed, and few calls are throttled."""
    from waitkit import wait_all

    client = BuildClient()
    results = await wait_all([BuildWaiter(client, f"b-{i}") for i in range(20)], timeout=120)
    budget = budget_for(client)
    pace = None if budget is None else budget.rate
    print([r.state.status for r in results].count("SUCCEEDED"), "builds succeeded")
    print(f"{client.throttled} of {client.calls} calls throttled, pace {pace} calls/s")


if __name__ == "__main__":
    anyio.run(main)
