import json

import aiohttp
import pytest
from kubernetes_asyncio.client.exceptions import ApiException

from waitkit import ConfigurationError, ErrorKind
from waitkit.k8s import KubernetesClassifier
from waitkit.k8s._errors import (
    MalformedResponseError,
    ObjectMissingError,
    describe_error,
    retry_after,
    status_body,
)
from waitkit.k8s._spec import SpecError, parse_spec

JOB = {
    "metadata": {"name": "etl", "generation": 2},
    "status": {
        "phase": "Running",
        "ready": True,
        "nothing": None,
        "conditions": [
            {"type": "Complete", "status": "True", "observedGeneration": 2},
            {"type": "Stale", "status": "True", "observedGeneration": 1},
        ],
        "items": [{"name": "a"}, {"name": "b"}],
    },
}


@pytest.mark.parametrize(
    ("text", "holds"),
    [
        ("condition=Complete", True),
        ("condition=complete=TRUE", True),
        ("condition=Complete=False", False),
        ("condition=Stale", False),  # observedGeneration older than the object's generation
        ("condition=Missing", False),
        ("jsonpath={.status.phase}=Running", True),
        ("jsonpath='{.status.phase}'=Running", True),
        ('jsonpath="{.status.phase}"=Succeeded', False),
        ("jsonpath=status.phase=Running", True),
        ("jsonpath={.status.phase}", True),
        ("jsonpath={.status.ready}=true", True),
        ("jsonpath={.status.nothing}=<nil>", True),
        ("jsonpath={.status.absent}=x", False),
        ("create", True),
        ("delete", False),
    ],
)
def test_for_expressions_evaluate_like_kubectl(text, holds):
    """Each --for form parses and evaluates as kubectl wait does on the same object."""
    assert parse_spec("for_", text).holds(JOB) is holds


def test_delete_holds_only_once_the_object_is_gone():
    """The delete form holds for an absent object; every other form does not."""
    assert parse_spec("for_", "delete").holds(None)
    assert not parse_spec("for_", "create").holds(None)
    assert not parse_spec("for_", "condition=Complete").holds(None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "non-empty string"),
        (42, "non-empty string"),
        ("condition=", "names no condition"),
        ("ready", "unrecognized condition"),
        ("jsonpath='{.status.phase}=Running", "unclosed quote"),
        ("jsonpath={.status.phase}Running", "expected '=VALUE'"),
        ("jsonpath={}", "empty jsonpath expression"),
        ("jsonpath={.status[}", "jsonpath-ng can parse"),
    ],
)
def test_bad_for_expressions_name_the_problem(text, message):
    """A malformed --for is a ConfigurationError naming the argument and the problem."""
    with pytest.raises(ConfigurationError, match=message) as info:
        parse_spec("for_", text)
    assert str(info.value).startswith("for_:")


def test_jsonpaths_to_several_values_or_objects_are_refused():
    """Like kubectl, a jsonpath must lead to exactly one scalar."""
    with pytest.raises(SpecError, match="matches 2 values"):
        parse_spec("for_", "jsonpath={.status.items[*].name}=a").holds(JOB)
    with pytest.raises(SpecError, match="nested object or list"):
        parse_spec("for_", "jsonpath={.status.items}=x").holds(JOB)


def api_error(status: int, body: dict | None = None, headers: dict | None = None) -> ApiException:
    """An ApiException as kubernetes_asyncio raises it for an HTTP answer."""
    error = ApiException(status=status, reason="Reason")
    error.body = json.dumps(body).encode() if body is not None else None
    error.headers = headers
    return error


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (api_error(429), ErrorKind.THROTTLED),
        (api_error(404), ErrorKind.NOT_FOUND),
        (api_error(408), ErrorKind.TRANSIENT),
        (api_error(503), ErrorKind.TRANSIENT),
        (api_error(401), ErrorKind.FATAL),
        (api_error(403), ErrorKind.FATAL),
        (api_error(422), ErrorKind.FATAL),
        (ApiException(status=0, reason="no request"), ErrorKind.FATAL),
        (aiohttp.ServerDisconnectedError(), ErrorKind.TRANSIENT),
        (aiohttp.ClientPayloadError("cut"), ErrorKind.TRANSIENT),
        (TimeoutError(), ErrorKind.TRANSIENT),
        (MalformedResponseError("not json"), ErrorKind.TRANSIENT),
        (ObjectMissingError("gone"), ErrorKind.NOT_FOUND),
        (ValueError("a bug"), ErrorKind.FATAL),
    ],
    ids=lambda v: f"{type(v).__name__}-{getattr(v, 'status', '')}",
)
def test_errors_are_classified_by_status_and_type(error, kind):
    """HTTP statuses and exception types map to the documented kinds, never message text."""
    assert KubernetesClassifier().classify(error).kind is kind


def test_retry_after_from_the_header_or_the_status_body():
    """Retry-After wins; else the Status' details.retryAfterSeconds; dates and junk are ignored."""
    assert retry_after(api_error(429, headers={"Retry-After": "2"})) == 2.0
    status = {"kind": "Status", "details": {"retryAfterSeconds": 3}}
    assert (
        retry_after(api_error(429, status, {"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"})) == 3.0
    )
    assert retry_after(api_error(429, {"details": {"retryAfterSeconds": -1}})) is None
    assert retry_after(api_error(429)) is None


def test_status_bodies_and_descriptions():
    """The Status message is read from the body; a non-JSON body reads as empty."""
    error = api_error(
        403, {"kind": "Status", "reason": "Forbidden", "message": "jobs is forbidden"}
    )
    assert status_body(error)["reason"] == "Forbidden"
    assert describe_error(error) == "HTTP 403 Forbidden: jobs is forbidden"
    garbled = ApiException(status=500, reason="Oops")
    garbled.body = "<html>proxy error</html>"
    assert status_body(garbled) == {}
    assert describe_error(garbled) == "HTTP 500 : Oops"
    assert describe_error(ValueError("x")) == "ValueError: x"
