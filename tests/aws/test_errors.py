import pytest
from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    ReadTimeoutError,
)
from botocore.parsers import ResponseParserError

from waitkit import ErrorKind
from waitkit.aws import AwsClassifier
from waitkit.aws._errors import ResourceMissingError, error_code, http_status, retry_after


def client_error(code: str, status: int, headers: dict[str, str] | None = None) -> ClientError:
    """A ClientError shaped exactly as botocore builds it from a parsed error response."""
    response = {
        "Error": {"Code": code, "Message": f"{code} happened"},
        "ResponseMetadata": {"HTTPStatusCode": status, "HTTPHeaders": headers or {}},
    }
    return ClientError(response, "DescribeThings")


CASES = [
    (client_error("Throttling", 400), ErrorKind.THROTTLED),
    (client_error("ThrottlingException", 400), ErrorKind.THROTTLED),
    (client_error("TooManyRequestsException", 429), ErrorKind.THROTTLED),
    (client_error("LimitExceededException", 400), ErrorKind.THROTTLED),
    (client_error("SomethingNew", 429), ErrorKind.THROTTLED),
    (client_error("ResourceNotFoundException", 404), ErrorKind.NOT_FOUND),
    (client_error("InternalFailure", 500), ErrorKind.TRANSIENT),
    (client_error("ServiceUnavailable", 503), ErrorKind.TRANSIENT),
    (client_error("ResourceContention", 500), ErrorKind.TRANSIENT),
    (client_error("RequestTimeout", 400), ErrorKind.TRANSIENT),
    (client_error("KMSDisabledException", 502), ErrorKind.FATAL),
    (client_error("AccessDeniedException", 403), ErrorKind.FATAL),
    (client_error("ValidationError", 400), ErrorKind.FATAL),
    (client_error("", 0), ErrorKind.FATAL),
    (EndpointConnectionError(endpoint_url="http://127.0.0.1:9"), ErrorKind.TRANSIENT),
    (ConnectTimeoutError(endpoint_url="http://127.0.0.1:9"), ErrorKind.TRANSIENT),
    (ReadTimeoutError(endpoint_url="http://127.0.0.1:9"), ErrorKind.TRANSIENT),
    (ResponseParserError("truncated body"), ErrorKind.TRANSIENT),
    (ConnectionResetError(), ErrorKind.TRANSIENT),
    (TimeoutError(), ErrorKind.TRANSIENT),
    (NoCredentialsError(), ErrorKind.FATAL),
    (NoRegionError(), ErrorKind.FATAL),
    (ResourceMissingError("gone"), ErrorKind.NOT_FOUND),
    (ValueError("a bug"), ErrorKind.FATAL),
]


def case_id(error: Exception) -> str:
    """The AWS code of a ClientError, else the exception's type."""
    if isinstance(error, ClientError):
        return f"{error_code(error) or 'no-code'}-{http_status(error)}"
    return type(error).__name__


@pytest.mark.parametrize(("error", "kind"), CASES, ids=[case_id(e) for e, _ in CASES])
def test_errors_are_classified_by_code_and_type(error, kind):
    """Each botocore error type and AWS code maps to its documented kind."""
    assert AwsClassifier().classify(error).kind is kind


def test_a_service_specific_not_found_rule():
    """A waiter can say which other errors mean "not found" (Auto Scaling's ValidationError)."""
    classifier = AwsClassifier(not_found=lambda e: error_code(e) == "ValidationError")
    assert classifier.classify(client_error("ValidationError", 400)).kind is ErrorKind.NOT_FOUND
    assert classifier.classify(client_error("AccessDenied", 403)).kind is ErrorKind.FATAL


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "3"}, 3.0),
        ({"retry-after": "0.5"}, 0.5),
        ({"x-amz-retry-after": "1500"}, 1.5),
        ({"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"}, None),
        ({"Retry-After": "-4"}, None),
        ({}, None),
    ],
)
def test_retry_after_hints(headers, expected):
    """Retry-After (seconds) and x-amz-retry-after (ms) are read; dates and negatives are not."""
    error = client_error("Throttling", 400, headers)
    assert retry_after(error) == expected
    assert AwsClassifier().classify(error).retry_after == expected


def test_http_status_of_an_error_without_metadata():
    """An error response without ResponseMetadata reads as status 0."""
    assert http_status(ClientError({"Error": {"Code": "X"}}, "Op")) == 0
