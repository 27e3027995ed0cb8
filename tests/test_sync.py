import anyio
import pytest

import waitkit
from waitkit import ConfigurationError, Policy, WaitFailedError, WaitTimeoutError, until
from waitkit.testing import ScriptedWaiter

FAST = Policy(min_delay=0.01, max_delay=0.01)


def test_run_a_waiter_from_synchronous_code():
    """waitkit.run(waiter) runs the wait on its own loop and returns the result."""
    result = waitkit.run(ScriptedWaiter(["Pending", "done"], policy=FAST), timeout=5)
    assert result.state.status == "done"
    assert result.attempts == 2


def test_run_raises_what_the_wait_raises():
    """Failures and timeouts come out of run() as the documented exceptions."""
    with pytest.raises(WaitFailedError):
        waitkit.run(ScriptedWaiter(["failed"], policy=FAST), timeout=5)
    with pytest.raises(WaitTimeoutError):
        waitkit.run(ScriptedWaiter(["Pending"], policy=FAST), timeout=0.05)


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_run_a_coroutine_on_either_backend(backend):
    """A coroutine (until, wait_all) runs too, on asyncio or trio."""
    answers = iter([1, 2, 3])

    async def next_answer() -> int:
        return next(answers)

    coroutine = until(next_answer, lambda v: v == 3, policy=FAST, timeout=5)
    assert waitkit.run(coroutine, backend=backend) == 3


def test_a_coroutine_past_its_timeout_is_cancelled():
    """timeout= bounds a coroutine: it is cancelled and WaitTimeoutError raised."""
    cancelled = []

    async def forever() -> None:
        try:
            await anyio.sleep(60)
        except anyio.get_cancelled_exc_class():
            cancelled.append(True)
            raise

    with pytest.raises(WaitTimeoutError, match=r"did not finish within 0\.1s"):
        waitkit.run(forever(), timeout=0.1)
    assert cancelled == [True]


def test_run_refuses_inside_a_running_loop():
    """Called from async code, run() refuses clearly and leaves no un-awaited coroutine."""

    async def inside() -> None:
        with pytest.raises(RuntimeError, match="running event loop"):
            waitkit.run(anyio.sleep(1))
        with pytest.raises(RuntimeError, match=r"await waiter\.wait"):
            waitkit.run(ScriptedWaiter(["done"]))

    anyio.run(inside)


def test_run_rejects_other_things():
    """Anything but a waiter or a coroutine is a ConfigurationError."""
    with pytest.raises(ConfigurationError, match="needs a Waiter or a coroutine"):
        waitkit.run(42)  # type: ignore[call-overload]
    with pytest.raises(ConfigurationError, match="timeout"):
        waitkit.run(anyio.sleep(1), timeout=-1)


def test_run_refuses_an_unknown_backend_and_closes_the_coroutine(recwarn):
    """An unknown backend is a ConfigurationError naming the choices; the coroutine is closed."""
    pending = anyio.sleep(1)
    with pytest.raises(ConfigurationError, match=r"backend must be one of 'asyncio', 'trio'"):
        waitkit.run(pending, backend="nope")
    assert pending.cr_frame is None
    assert not [w for w in recwarn if "never awaited" in str(w.message)]
