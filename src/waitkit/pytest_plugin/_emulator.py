"""The ``emulator`` fixture: the emulator serving from its own event loop in a thread."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import threading
from collections.abc import Callable, Generator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Final, TypeVar, final

import pytest

from waitkit.pytest_plugin._options import require

if TYPE_CHECKING:
    from waitkit.emulator import Emulator, FaultInjector, RequestCounters, Scenario, ScenarioClock

T = TypeVar("T")

# Bounds on the emulator thread, so a broken emulator fails the fixture, never hangs it.
_START_BOUND: Final = 30.0
_STOP_BOUND: Final = 15.0
_CALL_BOUND: Final = 10.0


@final
class EmulatorThread:
    """An :class:`~waitkit.emulator.Emulator` serving from its own event loop in a thread.

    This is what the ``emulator`` fixture returns. Because it runs on its own loop, any
    test can use it: pytest-asyncio or anyio tests, trio tests (through clients that
    speak HTTP) and plain sync tests. Reading endpoints, counters and the clock is safe
    from any thread; change the emulated cloud through :meth:`call`, which runs on the
    emulator's loop.

    Example:
        >>> from waitkit.emulator import Fault
        >>> def test_throttled(emulator):
        ...     emulator.call(lambda emu: emu.faults.add(Fault(kind="throttle")))
        ...     assert emulator.counters.of("autoscaling") == 0
    """

    def __init__(self, scenario: Scenario, *, host: str = "127.0.0.1") -> None:
        self.scenario = scenario
        self._host = host
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._emulator: Emulator | None = None
        self._stop: asyncio.Event | None = None
        self._failure: Exception | None = None

    # ------------------------------------------------------------ life cycle

    def start(self) -> None:
        """Start the thread and wait until both endpoints listen (the fixture does this)."""
        if self._thread is not None:
            raise RuntimeError("an EmulatorThread starts once; create a new one")
        ready: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._thread = threading.Thread(
            target=asyncio.run, args=(self._serve(ready),), name="waitkit-emulator", daemon=True
        )
        self._thread.start()
        try:
            ready.result(timeout=_START_BOUND)
        except BaseException:
            self.stop()
            raise

    async def _serve(self, ready: concurrent.futures.Future[None]) -> None:
        from waitkit.emulator import Emulator  # noqa: PLC0415 - needs the emulator extra

        # Set first, so stop() can end a start that is still under way.
        self._stop = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        try:
            emulator = Emulator(self.scenario, host=self._host)
            async with emulator:
                self._emulator = emulator
                ready.set_result(None)
                await self._stop.wait()
        except Exception as error:  # noqa: BLE001 - start() or stop() re-raises it in the test
            if ready.done():
                self._failure = error
            else:
                ready.set_exception(error)

    def stop(self) -> None:
        """Stop serving and join the thread; safe to call twice (the fixture does this).

        Counters, faults and the services stay readable afterwards.

        Raises:
            TimeoutError: the emulator did not shut down within 15 seconds.
            Exception: whatever made the emulator fail while it served or shut down.
        """
        thread = self._thread
        if thread is None:
            return
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop already ended by itself
                loop.call_soon_threadsafe(stop.set)
        thread.join(_STOP_BOUND)
        if thread.is_alive():
            raise TimeoutError(f"the emulator thread did not stop within {_STOP_BOUND:.0f}s")
        failure, self._failure = self._failure, None
        if failure is not None:
            raise failure

    # ------------------------------------------------------------ what it offers

    @property
    def emulator(self) -> Emulator:
        """The emulator itself; change it only through :meth:`call` (it is not thread-safe)."""
        if self._emulator is None:
            raise RuntimeError("the emulator has not started")
        return self._emulator

    def call(self, fn: Callable[[Emulator], T], /, *, timeout: float = _CALL_BOUND) -> T:
        """Run ``fn(emulator)`` on the emulator's event loop and return its result.

        Use it for every change at run time (add a refresh, a fault, a Job), so the
        change cannot interleave with a request the emulator is serving.

        Args:
            fn: a synchronous function of the :class:`~waitkit.emulator.Emulator`.
            timeout: seconds to wait for the emulator's loop to run it.

        Example:
            >>> def test_second_refresh(emulator):
            ...     rid = emulator.call(lambda emu: emu.autoscaling.add_refresh("web", refresh))
        """
        emulator, loop, thread = self.emulator, self._loop, self._thread
        if (
            loop is None
            or thread is None
            or not thread.is_alive()
            or thread is threading.current_thread()
        ):
            # Already on the emulator's loop, or stopped (its state stays readable).
            return fn(emulator)

        async def invoke() -> T:
            return fn(emulator)

        return asyncio.run_coroutine_threadsafe(invoke(), loop).result(timeout)

    @property
    def aws_endpoint(self) -> str:
        """The AWS endpoint URL (``endpoint_url`` for every AWS client)."""
        return self.emulator.aws_endpoint

    @property
    def k8s_endpoint(self) -> str:
        """The Kubernetes API server URL."""
        return self.emulator.k8s_endpoint

    @property
    def kubeconfig_path(self) -> Path:
        """A kubeconfig for the Kubernetes endpoint, in a private temporary directory."""
        return self.emulator.kubeconfig_path

    @property
    def counters(self) -> RequestCounters:
        """Requests and injected faults per (service, operation)."""
        return self.emulator.counters

    @property
    def faults(self) -> FaultInjector:
        """The fault injector (add or clear faults through :meth:`call`)."""
        return self.emulator.faults

    @property
    def clock(self) -> ScenarioClock:
        """Scenario time, shared by every backend (move it with :meth:`advance`)."""
        return self.emulator.clock

    def advance(self, seconds: float) -> float:
        """Move scenario time forward by ``seconds`` on the emulator's loop; returns the new time.

        With ``Scenario(clock="manual")`` this is the only way time moves, so what a
        waiter sees between two looks is up to the test, not the machine's load.

        Example:
            >>> def test_refresh_finishes(emulator):  # scenario: clock="manual"
            ...     emulator.advance(30)  # every point due by 30 s is reached, watchers told
        """
        return self.call(lambda emu: emu.clock.advance(seconds))

    def advance_to_next(self) -> float | None:
        """Move scenario time to the next scripted ``at`` point (None: nothing is due by time).

        Example:
            >>> def test_steps(emulator):  # scenario: clock="manual"
            ...     while emulator.advance_to_next() is not None:
            ...         pass  # every timeline has played out
        """
        return self.call(lambda emu: emu.clock.advance_to_next())


@pytest.fixture
def waitkit_scenario() -> object:
    """The scenario of the ``emulator`` fixture; override it in a conftest or test module.

    Return a :class:`~waitkit.emulator.Scenario`, the same as a mapping, the path of a
    YAML or JSON scenario file (relative paths are relative to the current directory;
    ``Path(__file__).parent / "cloud.yaml"`` is not), or ``None`` (the default) for an
    empty scenario.
    """
    return None


@pytest.fixture
def emulator(waitkit_scenario: object) -> Generator[EmulatorThread]:
    """A fresh emulator for this test, on free ports, serving from a background thread.

    Its kubeconfig lives in a private temporary directory; both are gone after the test.
    """
    Scenario = require("waitkit.emulator", "emulator", "emulator").Scenario  # noqa: N806

    if waitkit_scenario is None:
        scenario = Scenario()
    elif isinstance(waitkit_scenario, Scenario):
        scenario = waitkit_scenario
    elif isinstance(waitkit_scenario, Mapping):
        scenario = Scenario.from_data(waitkit_scenario, source="waitkit_scenario")
    elif isinstance(waitkit_scenario, str | os.PathLike):
        scenario = Scenario.from_file(Path(waitkit_scenario))
    else:
        pytest.fail(
            "waitkit_scenario must return a Scenario, a mapping, a file path or None, "
            f"got {type(waitkit_scenario).__name__}",
            pytrace=False,
        )
    running = EmulatorThread(scenario)
    running.start()
    try:
        yield running
    finally:
        running.stop()
