"""api_client(), argument validation, and the error classification table."""

from __future__ import annotations

import doctest
from pathlib import Path

import aiohttp
import pytest
from kubernetes_asyncio.client import ApiClient, Configuration
from kubernetes_asyncio.client.exceptions import ApiException

import waitkit.k8s
from waitkit import ConfigurationError, ErrorKind
from waitkit.emulator.k8s import JobPoint, JobScenario, KubernetesScenario
from waitkit.k8s import JobWaiter, KubernetesClassifier, WatchOptions, api_client
from waitkit.k8s._errors import MalformedResponseError, ObjectMissingError

from .conftest import FAST, Start

pytestmark = pytest.mark.anyio


async def test_api_client_from_kubeconfig_and_context(start: Start) -> None:
    """api_client() loads a kubeconfig (and its context), and closes the client on exit."""
    env = await start(
        KubernetesScenario(
            jobs=[JobScenario(name="etl", timeline=[JobPoint(at=0, phase="complete")])]
        )
    )
    async with api_client(kubeconfig=env.emu.kubeconfig_path) as api:
        await JobWaiter(api, "etl", policy=FAST).wait()
    assert api.rest_client.pool_manager.closed


async def test_api_client_from_kubeconfig_env(
    start: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without arguments, KUBECONFIG is read when api_client() is called (not at import)."""
    env = await start()
    monkeypatch.setenv("KUBECONFIG", str(env.emu.kubeconfig_path))
    async with api_client() as api:
        assert api.configuration.host == env.emu.k8s_endpoint


async def test_api_client_unknown_context(start: Start) -> None:
    """An unknown context is a ConfigurationError."""
    env = await start()
    with pytest.raises(ConfigurationError, match="cannot load"):
        async with api_client(kubeconfig=env.emu.kubeconfig_path, context="nope"):
            pass


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"kubeconfig": "/nonexistent/kubeconfig"}, "not a file"),
        ({"in_cluster": True, "context": "x"}, "excludes"),
        ({"in_cluster": False}, "no kubeconfig"),
        ({"in_cluster": True}, "cannot load"),
        ({"max_connections": 0}, "max_connections must be an int >= 1"),
        ({"max_connections": True}, "max_connections must be an int >= 1"),
    ],
)
async def test_api_client_bad_configuration(
    kwargs: dict[str, object], needle: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Missing files, contradictory options and no service account are ConfigurationErrors."""
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.kube/config
    with pytest.raises(ConfigurationError, match=needle):
        async with api_client(**kwargs):  # type: ignore[arg-type]
            pass


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"name": "Bad_Name"}, "name must be"),
        ({"namespace": "a/b"}, "namespace must be"),
        ({"until": "done"}, "until must be"),
        ({"on_suspended": "stop"}, "on_suspended must be"),
        ({"fail_fast": "ImagePullBackOff"}, "fail_fast must be"),
        ({"fail_fast": True, "pod_causes": False}, "needs pod_causes"),
        ({"fail_fast_after": -1}, "fail_fast_after"),
        ({"log_lines": 10_001}, "log_lines must be an integer from 0 to 10000, got 10001"),
        ({"label_selector": " "}, "label_selector must be a non-blank string or None, got ' '"),
        ({"label_selector": "a=b", "shared": False}, "shared stream only"),
        ({"watch": {"watch": False}}, "WatchOptions"),
        ({"on_log": "print"}, "on_log must be a function of a LogLine"),
        ({"on_log": print, "log_containers": "main"}, "log_containers must be a non-empty"),
        ({"on_log": print, "log_containers": []}, "log_containers must be a non-empty"),
        ({"log_containers": ["main"]}, "log_containers applies to log streams"),
    ],
)
async def test_job_waiter_validates_arguments(kwargs: dict[str, object], needle: str) -> None:
    """Each invalid argument is a ConfigurationError naming it, raised before any API call."""
    arguments: dict[str, object] = {"name": "etl", **kwargs}
    async with ApiClient(Configuration(host="http://127.0.0.1:9")) as api:
        with pytest.raises(ConfigurationError, match=needle):
            JobWaiter(api, **arguments)  # type: ignore[arg-type]


async def test_job_waiter_needs_an_api_client() -> None:
    """Anything but an ApiClient is refused."""
    with pytest.raises(ConfigurationError, match="ApiClient"):
        JobWaiter("http://cluster", "etl")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"server_timeout": 0.5}, "server_timeout"),
        ({"long_poll": 0}, "long_poll"),
        ({"read_timeout": float("nan")}, "read_timeout"),
        ({"reconnect_min_delay": 2, "reconnect_max_delay": 1}, "reconnect_max_delay"),
        ({"page_size": 0}, "page_size must be an integer >= 1, got 0"),
        ({"poll_interval": True}, "poll_interval"),
    ],
)
def test_watch_options_validate(kwargs: dict[str, object], needle: str) -> None:
    """WatchOptions refuses out-of-range values, naming the field."""
    with pytest.raises(ConfigurationError, match=needle):
        WatchOptions(**kwargs)  # type: ignore[arg-type]


def _api_error(status: int, headers: dict[str, str] | None = None, body: str = "") -> ApiException:
    error = ApiException(status=status, reason="x")
    error.headers = headers
    error.body = body
    return error


@pytest.mark.parametrize(
    ("error", "kind", "retry_after"),
    [
        (_api_error(429, {"Retry-After": "2"}), ErrorKind.THROTTLED, 2.0),
        (
            _api_error(429, body='{"kind":"Status","details":{"retryAfterSeconds":3}}'),
            ErrorKind.THROTTLED,
            3.0,
        ),
        (_api_error(429), ErrorKind.THROTTLED, None),
        (_api_error(404), ErrorKind.NOT_FOUND, None),
        (_api_error(500), ErrorKind.TRANSIENT, None),
        (_api_error(503), ErrorKind.TRANSIENT, None),
        (_api_error(504), ErrorKind.TRANSIENT, None),
        (_api_error(408), ErrorKind.TRANSIENT, None),
        (_api_error(401), ErrorKind.FATAL, None),
        (_api_error(403), ErrorKind.FATAL, None),
        (_api_error(422), ErrorKind.FATAL, None),
        (_api_error(0), ErrorKind.FATAL, None),
        (aiohttp.ServerDisconnectedError(), ErrorKind.TRANSIENT, None),
        (aiohttp.ClientPayloadError("cut"), ErrorKind.TRANSIENT, None),
        (aiohttp.ServerTimeoutError(), ErrorKind.TRANSIENT, None),
        (TimeoutError(), ErrorKind.TRANSIENT, None),
        (MalformedResponseError("half a body"), ErrorKind.TRANSIENT, None),
        (ObjectMissingError("gone"), ErrorKind.NOT_FOUND, None),
        (aiohttp.InvalidURL("x"), ErrorKind.FATAL, None),
        (ValueError("bug"), ErrorKind.FATAL, None),
    ],
)
def test_classification(error: Exception, kind: ErrorKind, retry_after: float | None) -> None:
    """Statuses and exception types map to the engine's kinds, once, with Retry-After kept."""
    classification = KubernetesClassifier().classify(error)
    assert classification.kind is kind
    assert classification.retry_after == retry_after


def test_all_is_what_the_package_exports() -> None:
    """waitkit.k8s.__all__ is a tuple of exactly its public names, which say they live there."""
    assert isinstance(waitkit.k8s.__all__, tuple)
    public = {
        name
        for name, value in vars(waitkit.k8s).items()
        if not name.startswith("_")
        and (
            getattr(value, "__module__", "") == "waitkit.k8s"
            or isinstance(value, frozenset | waitkit.Policy)
        )
    }
    assert set(waitkit.k8s.__all__) == public


def test_docstring_examples_run() -> None:
    """The examples in waitkit.k8s docstrings run and print what they say."""
    results = doctest.testmod(waitkit.k8s, optionflags=doctest.ELLIPSIS)
    assert results.attempted > 0
    assert results.failed == 0
