import anyio
import pytest

from waitkit import ConfigurationError, ErrorKind, Policy, ProbeError, WaitTimeoutError, until
from waitkit.testing import ScriptedError

pytestmark = pytest.mark.anyio


async def test_until_returns_the_first_value_satisfying_the_predicate():
    """until() polls the coroutine and returns the value the predicate accepted."""
    calls: list[float] = []

    async def fetch_rows() -> list[int]:
        calls.append(anyio.current_time())
        return list(range(len(calls)))

    rows = await until(fetch_rows, lambda r: len(r) >= 3, timeout=60)
    assert rows == [0, 1, 2]
    assert len(calls) == 3


async def test_until_times_out_with_the_last_value_and_its_name():
    """A predicate that never holds raises WaitTimeoutError carrying the last value."""

    async def queue_depth() -> int:
        return 7

    with pytest.raises(WaitTimeoutError) as info:
        await until(queue_depth, lambda depth: depth == 0, timeout=5)
    assert info.value.state == 7
    assert "until queue_depth did not finish within 5.0s" in str(info.value)


async def test_until_retries_transient_errors_and_raises_fatal_ones():
    """Connection errors are retried; other errors raise ProbeError from the original."""
    answers: list[object] = [ConnectionError("refused"), 1, 2]

    async def flaky() -> int:
        item = answers.pop(0)
        if isinstance(item, Exception):
            raise item
        return item  # type: ignore[return-value]

    assert await until(flaky, lambda v: v == 2, timeout=10) == 2

    async def broken() -> int:
        raise KeyError("missing")

    with pytest.raises(ProbeError) as info:
        await until(broken, bool, timeout=10)
    assert isinstance(info.value.__cause__, KeyError)


async def test_until_takes_a_policy_a_description_and_a_classifier():
    """Policy, description and classifier are honoured."""

    class Classifier:
        def classify(self, _error):
            from waitkit.extend import Classification

            return Classification(ErrorKind.THROTTLED, retry_after=2)

    seen: list[float] = []

    async def throttled_then_ok() -> str:
        seen.append(anyio.current_time())
        if len(seen) < 3:
            raise ScriptedError(ErrorKind.FATAL)
        return "ok"

    value = await until(
        throttled_then_ok,
        lambda v: v == "ok",
        policy=Policy(min_delay=1, max_delay=1, timeout=30),
        description="the service",
        classifier=Classifier(),
    )
    assert value == "ok"
    assert seen[2] - seen[0] == pytest.approx(4)


async def test_until_rejects_bad_arguments():
    """Non-callables and non-policies raise ConfigurationError before any call."""
    with pytest.raises(ConfigurationError, match="'observe' must be callable"):
        await until(42, bool)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="'predicate' must be callable"):
        await until(anyio.sleep, None)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="policy"):
        await until(anyio.sleep, bool, policy=5)  # type: ignore[arg-type]


def test_virtual_time_backend_rejects_unknown_names():
    """virtual_time_backend() knows asyncio and trio only."""
    from waitkit.testing import virtual_time_backend

    with pytest.raises(ValueError, match="'asyncio' or 'trio'"):
        virtual_time_backend("curio")


@pytest.mark.parametrize("call_timeout", [30, None])
async def test_until_ends_at_its_deadline_while_the_function_hangs(call_timeout):
    """A function that never returns is cancelled at the deadline, not at call_timeout."""

    async def hung() -> int:
        await anyio.sleep_forever()
        return 0  # pragma: no cover - never reached

    policy = Policy(min_delay=0.1, max_delay=1, call_timeout=call_timeout)
    start = anyio.current_time()
    with pytest.raises(WaitTimeoutError, match=r"did not finish within 0\.5s") as info:
        await until(hung, bool, timeout=0.5, policy=policy)
    assert anyio.current_time() - start == pytest.approx(0.5)
    assert "cancelled at the deadline" in str(info.value)


async def test_until_calls_a_plain_function_directly():
    """A plain (not async) function is polled like an async one: its value is the state."""
    depths = iter([3, 2, 0])
    assert await until(lambda: next(depths), lambda depth: depth == 0, timeout=30) == 0


async def test_until_refuses_a_coroutine_object_and_closes_it(recwarn):
    """until(fetch()) instead of until(fetch) is refused before any call, without a warning."""

    async def fetch() -> int:
        return 1

    pending = fetch()
    with pytest.raises(ConfigurationError, match=r"not its call \(until\(fetch\(\), \.\.\.\)\)"):
        await until(pending, bool)  # type: ignore[call-overload]
    assert pending.cr_frame is None  # closed: it can never run and never warns
    assert not [w for w in recwarn if "never awaited" in str(w.message)]


@pytest.mark.parametrize(
    "error",
    [
        pytest.param("EndpointConnectionError", id="refused"),
        pytest.param("ReadTimeoutError", id="read-timeout"),
        pytest.param("ConnectTimeoutError", id="connect-timeout"),
        pytest.param("ConnectionClosedError", id="closed"),
    ],
)
async def test_botocore_connection_errors_are_retried(error):
    """The generic classifier retries botocore's connection errors (they are not OSError)."""
    import botocore.exceptions

    raised = getattr(botocore.exceptions, error)(endpoint_url="http://127.0.0.1:9")
    answers: list[object] = [raised, "ready"]

    async def describe() -> str:
        item = answers.pop(0)
        if isinstance(item, Exception):
            raise item
        return str(item)

    assert await until(describe, lambda status: status == "ready", timeout=30) == "ready"
