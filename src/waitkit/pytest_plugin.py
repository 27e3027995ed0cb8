"""waitkit's pytest plugin (registered through the ``pytest11`` entry point).

Every fixture is a plain (sync) fixture, so it works the same under pytest-asyncio
(strict or auto mode), anyio's plugin, or no async plugin at all. The clients
themselves are created by async context managers inside the test's own event loop.

Options (each also an ini setting with the same name, without ``--`` and with ``_``):
    ``--waitkit-timeout SECONDS``: the timeout of the ``waitkit_policy`` fixture.
    ``--waitkit-endpoint-url URL``: an external AWS endpoint (LocalStack, or ``aws``
    for AWS's own endpoints) used by ``waitkit_aws_client`` instead of the emulator.
    ``--waitkit-region NAME``: the AWS region of ``waitkit_aws_client``.
    ``--waitkit-aws-clients aiobotocore|aioboto3``: the library that makes the clients
    of ``waitkit_aws_client`` (default aiobotocore; aioboto3 needs ``waitkit[aioboto3]``).
    ``--waitkit-kubeconfig PATH``: a kubeconfig used by ``waitkit_k8s_client``
    instead of the emulator's.
    ``--waitkit-full-trace``: keep pytest's usual traceback for failed waits
    (``-vv`` does too).

Fixtures:
    ``waitkit_policy``: a :class:`waitkit.Policy` with that timeout.
    ``waitkit_scenario``: the emulator's scenario (override it; default: empty).
    ``emulator``: an :class:`EmulatorThread`, the emulator serving from a background thread.
    ``waitkit_aws_client``: ``async with waitkit_aws_client("autoscaling") as client``
    (an aiobotocore client, or aioboto3's with ``--waitkit-aws-clients aioboto3``).
    ``waitkit_k8s_client``: ``async with waitkit_k8s_client() as api`` (an ``ApiClient``).
    ``unique_execution_name``: fresh durable-execution names derived from the test's name.

A test that fails with a :class:`waitkit.WaitError` or :class:`waitkit.ProbeError`
is reported as a short block (what was awaited, elapsed time, attempts, the states
seen and the cause) instead of a traceback chain.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import importlib
import linecache
import os
import re
import threading
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeVar, final

import anyio
import pytest
from _pytest._code.code import ReprFileLocation, TerminalRepr

from waitkit._core._durations import seconds
from waitkit._core._errors import ConfigurationError, ProbeError, WaitError, WaitFailedError
from waitkit._core._policy import Policy
from waitkit._core._summary import summarize
from waitkit._core._text import bounded

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from contextlib import AbstractAsyncContextManager
    from types import ModuleType, TracebackType

    from _pytest._io import TerminalWriter
    from kubernetes_asyncio.client import ApiClient

    from waitkit.emulator import Emulator, FaultInjector, RequestCounters, Scenario, ScenarioClock

__all__ = (
    "AwsClientFactory",
    "EmulatorThread",
    "K8sClientFactory",
)

T = TypeVar("T")

_DEFAULT_TIMEOUT = 600.0
# Fake credentials and a fixed region for the emulator only: it accepts any key, and
# a test pointed at it must never read (or send) the developer's real credentials.
_EMULATOR_KEY = "testing"
_EMULATOR_REGION = "us-east-1"
# --waitkit-endpoint-url=aws: AWS's own endpoints, resolved by botocore as usual.
_REAL_AWS = "aws"
# --waitkit-aws-clients: the libraries that can make waitkit_aws_client's clients.
_AWS_CLIENT_LIBRARIES: Final = ("aiobotocore", "aioboto3")
# Bounds on the emulator thread, so a broken emulator fails the fixture, never hangs it.
_START_BOUND = 30.0
_STOP_BOUND = 15.0
_CALL_BOUND = 10.0
_CLOSE_BOUND = 5.0
# unique_execution_name accepts 1-34 characters of [a-zA-Z0-9_-].
_NAME_LIMIT = 34
_STATES_SHOWN = 20


# ---------------------------------------------------------------------------- options


#: (name, metavar, command-line help, ini help) of the options that take a value; each
#: ``--waitkit-<name>`` has an ini twin ``waitkit_<name>`` (the command line wins).
_VALUE_OPTIONS: Final = (
    (
        "timeout",
        "SECONDS",
        "timeout of the waitkit_policy fixture (default: ini waitkit_timeout, else 600)",
        "timeout of the waitkit_policy fixture, in seconds",
    ),
    (
        "endpoint_url",
        "URL",
        (
            "AWS endpoint of waitkit_aws_client, e.g. LocalStack's; 'aws' for AWS's own "
            "endpoints with your usual credentials (default: the in-process emulator)"
        ),
        "AWS endpoint of waitkit_aws_client ('aws': AWS's own)",
    ),
    (
        "region",
        "NAME",
        (
            "AWS region of waitkit_aws_client (default: us-east-1 for the emulator, "
            "else botocore's usual resolution)"
        ),
        "AWS region of waitkit_aws_client",
    ),
    (
        "aws_clients",
        "LIBRARY",
        (
            "library that makes waitkit_aws_client's clients: aiobotocore (default) or "
            "aioboto3 (an aioboto3.Session, as many applications hold one)"
        ),
        "library that makes waitkit_aws_client's clients: aiobotocore or aioboto3",
    ),
    (
        "kubeconfig",
        "PATH",
        "kubeconfig of waitkit_k8s_client (default: the in-process emulator's)",
        "kubeconfig of waitkit_k8s_client",
    ),
)


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register waitkit's command-line options and their ini twins."""
    group = parser.getgroup("waitkit")
    for name, metavar, option_help, ini_help in _VALUE_OPTIONS:
        group.addoption(
            f"--waitkit-{name.replace('_', '-')}",
            action="store",
            default=None,
            metavar=metavar,
            help=option_help,
        )
        parser.addini(f"waitkit_{name}", ini_help)
    group.addoption(
        "--waitkit-full-trace",
        action="store_true",
        default=None,
        help="show pytest's full traceback for failed waits instead of waitkit's summary",
    )
    parser.addini(
        "waitkit_full_trace",
        "show pytest's full traceback for failed waits",
        type="bool",
        default=False,
    )


def _setting(config: pytest.Config, name: str) -> str | None:
    """The command-line value of ``--waitkit-<name>``, else the ini value, else None."""
    value = config.getoption(name)
    if value is None:
        value = config.getini(name)
    return str(value) if value else None


def _require(module: str, extra: str, fixture: str) -> ModuleType:
    """Import an optional dependency, or fail the fixture with an install hint."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        missing = (error.name or module).partition(".")[0]
    # Outside the except block, so the report is the hint alone, not a chain of errors.
    pytest.fail(
        f"the {fixture} fixture needs {missing}, which is not installed: "
        f"pip install 'waitkit[{extra}]'",
        pytrace=False,
    )


# ---------------------------------------------------------------------------- policy


@pytest.fixture
def waitkit_policy(pytestconfig: pytest.Config) -> Policy:
    """A :class:`waitkit.Policy` whose timeout comes from ``--waitkit-timeout`` or the ini file."""
    raw = _setting(pytestconfig, "waitkit_timeout")
    if not raw:
        return Policy(timeout=_DEFAULT_TIMEOUT)
    try:
        value = float(raw)
    except ValueError:
        msg = f"--waitkit-timeout must be a number of seconds > 0, got {raw!r}"
        raise ConfigurationError(msg) from None
    return Policy(timeout=seconds("--waitkit-timeout", value, positive=True))


# ---------------------------------------------------------------------------- emulator


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
    Scenario = _require("waitkit.emulator", "emulator", "emulator").Scenario  # noqa: N806

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


# ---------------------------------------------------------------------------- clients


class AwsClientFactory(Protocol):
    """The ``waitkit_aws_client`` fixture: makes aiobotocore (or aioboto3) clients in your loop."""

    def __call__(
        self, service: str, /, **kwargs: object
    ) -> AbstractAsyncContextManager[Any]:  # the client's type depends on the service name
        """``async with factory("autoscaling") as client``; kwargs go to ``create_client``."""
        ...


class K8sClientFactory(Protocol):
    """The ``waitkit_k8s_client`` fixture: makes kubernetes_asyncio ApiClients."""

    def __call__(self, *, context: str | None = None) -> AbstractAsyncContextManager[ApiClient]:
        """``async with factory() as api``; ``context`` picks a kubeconfig context."""
        ...


@pytest.fixture
def waitkit_aws_client(request: pytest.FixtureRequest) -> AwsClientFactory:
    """Make aiobotocore clients for ``--waitkit-endpoint-url``, else for the ``emulator``.

    Against the emulator the clients get fake credentials and ``us-east-1``; against an
    external endpoint, your usual credential chain. Each ``async with`` makes and closes
    one client in the running event loop (aiobotocore needs asyncio)::

        async def test_refresh(waitkit_aws_client):
            async with waitkit_aws_client("autoscaling") as client:
                ...

    With ``--waitkit-aws-clients aioboto3`` (or the ini setting) the clients come from
    an ``aioboto3.Session`` instead, made for the test as ``aioboto3.Session().client``.
    """
    create_client = _client_maker(_setting(request.config, "waitkit_aws_clients"))
    endpoint = _setting(request.config, "waitkit_endpoint_url")
    region = _setting(request.config, "waitkit_region")
    defaults: dict[str, object] = {}
    if endpoint is None:
        # Only now, so a run against an external endpoint never starts an emulator.
        running: EmulatorThread = request.getfixturevalue("emulator")
        defaults = {
            "endpoint_url": running.aws_endpoint,
            "region_name": region or _EMULATOR_REGION,
            "aws_access_key_id": _EMULATOR_KEY,
            "aws_secret_access_key": _EMULATOR_KEY,
        }
    else:
        if endpoint != _REAL_AWS:
            defaults["endpoint_url"] = endpoint
        if region is not None:
            defaults["region_name"] = region

    def make(service: str, /, **kwargs: object) -> AbstractAsyncContextManager[Any]:
        _require_asyncio("waitkit_aws_client", "aiobotocore")
        client: AbstractAsyncContextManager[Any] = create_client(service, **{**defaults, **kwargs})
        return client

    return make


def _client_maker(library: str | None) -> Callable[..., Any]:
    """``create_client`` of a fresh aiobotocore session, or ``client`` of an aioboto3 one."""
    if library in (None, "aiobotocore"):
        session_module = _require("aiobotocore.session", "aws", "waitkit_aws_client")
        return session_module.get_session().create_client  # type: ignore[no-any-return]
    if library == "aioboto3":
        # aioboto3 pins its own aiobotocore (2.x with aioboto3 15.5): an extra of its own.
        aioboto3 = _require("aioboto3", "aioboto3", "waitkit_aws_client")
        return aioboto3.Session().client  # type: ignore[no-any-return]
    msg = (
        f"--waitkit-aws-clients must be one of {', '.join(_AWS_CLIENT_LIBRARIES)}, got {library!r}"
    )
    raise ConfigurationError(msg)


@pytest.fixture
def waitkit_k8s_client(request: pytest.FixtureRequest) -> K8sClientFactory:
    """Make kubernetes_asyncio ApiClients from ``--waitkit-kubeconfig``, else the ``emulator``.

    Your own ``KUBECONFIG`` is never used unless you pass it, so a test cannot reach a
    real cluster by accident. Each ``async with`` makes and closes one client::

        async def test_job(waitkit_k8s_client):
            async with waitkit_k8s_client() as api:
                batch = kubernetes_asyncio.client.BatchV1Api(api)
    """
    config_module = _require("kubernetes_asyncio.config", "k8s", "waitkit_k8s_client")
    kubeconfig = _setting(request.config, "waitkit_kubeconfig")
    if kubeconfig is None:
        running: EmulatorThread = request.getfixturevalue("emulator")
        path = running.kubeconfig_path
    else:
        path = Path(kubeconfig).expanduser()

    @contextlib.asynccontextmanager
    async def make(*, context: str | None = None) -> AsyncIterator[ApiClient]:
        _require_asyncio("waitkit_k8s_client", "kubernetes_asyncio")
        # persist_config=False: never write refreshed tokens back into the user's file.
        api: ApiClient = await config_module.new_client_from_config(
            config_file=str(path), context=context, persist_config=False
        )
        try:
            yield api
        finally:
            # Close even when the test is being cancelled, but never hang its teardown.
            with anyio.CancelScope(shield=True), anyio.move_on_after(_CLOSE_BOUND):
                await api.close()

    return make


def _require_asyncio(fixture: str, library: str) -> None:
    """Fail clearly when a client is made outside asyncio (e.g. on anyio's trio backend)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        return
    pytest.fail(
        f"{fixture} makes {library} clients, which need a running asyncio event loop: "
        "use it inside an async test on asyncio (with anyio's plugin, an anyio_backend "
        "fixture that returns 'asyncio')",
        pytrace=False,
    )


@pytest.fixture
def unique_execution_name(request: pytest.FixtureRequest) -> Callable[..., str]:
    """Fresh durable-execution names: ``test-{test name}-{UTC time}-{8 hex}``.

    Call it with no argument for a name derived from the test's name (cut to 34 of
    ``[a-zA-Z0-9_-]``), or with your own label instead. Every call is unique.
    """
    aws = _require("waitkit.aws", "aws", "unique_execution_name")
    default = _name_part(request.node.name)

    def make(name: str | None = None) -> str:
        return str(aws.unique_execution_name(default if name is None else _name_part(name)))

    return make


def _name_part(raw: str) -> str:
    """``test_refresh[web-1]`` -> ``refresh-web-1``: the allowed characters, at most 34."""
    name = raw.removeprefix("test_") or raw
    name = re.sub(r"[^a-zA-Z0-9_-]+", "-", name).strip("-_")
    return name[:_NAME_LIMIT].rstrip("-_") or "test"


# ---------------------------------------------------------------------------- failure output


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Report a failed wait as a short block instead of a traceback chain."""
    report = yield
    excinfo = call.excinfo
    if excinfo is None or not report.failed or _full_trace(item.config):
        return report
    errors = _wait_errors(excinfo.value)
    if errors:
        report.longrepr = _WaitFailureRepr.build(
            excinfo.value, errors, excinfo.tb, item.path, item.config.invocation_params.dir
        )
    return report


def _full_trace(config: pytest.Config) -> bool:
    return bool(
        config.getoption("waitkit_full_trace")
        or config.getini("waitkit_full_trace")
        or config.get_verbosity() >= 2  # noqa: PLR2004 - -vv
    )


def _wait_errors(error: BaseException) -> list[WaitError | ProbeError]:
    """The waitkit errors ``error`` consists of: itself, or every leaf of an exception group.

    Empty when anything else is involved, so other failures keep pytest's report.
    """
    if isinstance(error, WaitError | ProbeError):
        return [error]
    if not isinstance(error, BaseExceptionGroup):
        return []
    leaves: list[WaitError | ProbeError] = []
    for inner in error.exceptions:
        found = _wait_errors(inner)
        if not found:
            return []
        leaves.extend(found)
    return leaves


@dataclass(eq=False)
class _WaitFailureRepr(TerminalRepr):
    """A failed wait as pytest prints it, in place of the traceback chain."""

    lines: tuple[str, ...]
    # pytest's one-line summaries (-ra, --tb=line, JUnit's message) read reprcrash.
    reprcrash: ReprFileLocation

    @classmethod
    def build(
        cls,
        raised: BaseException,
        errors: list[WaitError | ProbeError],
        tb: TracebackType | None,
        test_path: Path,
        cwd: Path,
    ) -> _WaitFailureRepr:
        """Describe the failed waits, located at the deepest frame of the test's own file."""
        if isinstance(raised, BaseExceptionGroup):
            waits = f"{len(errors)} failed wait{'' if len(errors) == 1 else 's'}"
            headline = f"{type(raised).__name__}: {raised.message} ({waits})"
            lines = [headline]
            for index, error in enumerate(errors, 1):
                lines.append("")
                lines.extend(_error_lines(error, prefix=f"[{index}] "))
            lines.append("")
        else:
            lines = _error_lines(errors[0])
            headline = lines[0]
        path, lineno = _where(tb, test_path)
        source = linecache.getline(path, lineno).strip()
        shown = _relative(path, cwd)
        lines.append(f"  at:       {shown}:{lineno}" + (f": {source}" if source else ""))
        lines.append("  (full traceback: --waitkit-full-trace or -vv)")
        return cls(tuple(lines), ReprFileLocation(shown, lineno, headline))

    def toterminal(self, tw: TerminalWriter) -> None:
        """Write the block (pytest calls this; ``str()`` renders it as plain text)."""
        for line in self.lines:
            # Headlines (the only unindented lines) stand out as pytest's "E" lines do.
            tw.line(line, red=not line.startswith(" "), bold=not line.startswith(" "))


def _error_lines(error: WaitError | ProbeError, *, prefix: str = "") -> list[str]:
    """The headline and the fields of one failed wait."""
    observations = f"{error.attempts} observation{'' if error.attempts == 1 else 's'}"
    # The message's first line heads the block; its further lines (a failure's last log
    # lines or history events, the group a wait was part of) follow it as written.
    first, *more = str(error).splitlines() or [""]
    lines = [
        f"{prefix}{type(error).__name__}: {first}",
        *more,
        f"  awaited:  {error.waiter}",
        f"  elapsed:  {error.elapsed:.1f}s ({observations})",
        *_state_lines(error),
    ]
    if isinstance(error, WaitFailedError):
        lines.append(f"  reason:   {error.reason.splitlines()[0] if error.reason else ''}")
    cause = error.__cause__
    if cause is not None:
        text = bounded(str(cause))
        lines.append(f"  cause:    {type(cause).__name__}" + (f": {text}" if text else ""))
    return lines


def _state_lines(error: WaitError | ProbeError) -> list[str]:
    """One line per distinct state with its offset from the start of the wait."""
    label = "  states:   "
    indent = " " * len(label)
    history = error.history
    if not history:
        return [f"{label}none observed"]
    shown = history[-_STATES_SHOWN:]
    hidden = len(history) - len(shown)
    lines = [f"({hidden} earlier not shown)"] if hidden else []
    lines.extend(f"+{entry.elapsed:.1f}s  {summarize(entry.state)}" for entry in shown)
    return [(indent if i else label) + line for i, line in enumerate(lines)]


def _relative(path: str, cwd: Path) -> str:
    """``path`` relative to where pytest was started, as pytest shows locations."""
    try:
        return str(Path(path).relative_to(cwd))
    except ValueError:
        return path


def _where(tb: TracebackType | None, test_path: Path) -> tuple[str, int]:
    """The deepest frame in the test's own file, else the deepest frame at all."""
    wanted = str(test_path)
    found: tuple[str, int] | None = None
    last: tuple[str, int] = (wanted, 0)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        last = (filename, tb.tb_lineno)
        if filename == wanted:
            found = last
        tb = tb.tb_next
    return found or last
