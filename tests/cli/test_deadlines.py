"""Exit codes at the edges of time: an unreachable endpoint is an API error (4), not a timeout."""

from __future__ import annotations

import pytest

from .conftest import FAST


def test_an_unreachable_endpoint_exits_4_with_the_connection_error(
    cli, aws_env, refused_endpoint, monkeypatch
):
    """Refused for longer than --transient-grace before anything answered: exit 4, saying why."""
    # One attempt per call: botocore's own retries of a refused connection only add time.
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    run = cli(
        "asg-refresh",
        "web",
        "--endpoint-url",
        refused_endpoint,
        "--transient-grace",
        "0.2",
        "--timeout",
        "10m",
        *FAST,
    )
    assert run.code == 4, run.out + run.err
    output = run.out + run.err
    assert "Could not connect to the endpoint URL" in output
    assert "before any state was seen" in output


@pytest.mark.parametrize("zero", ["0", "0s"])
def test_a_zero_min_delay_is_bad_usage(cli, aws_env, zero):
    """--min-delay 0 would never back off: refused before any call, exit 3."""
    run = cli("asg-refresh", "web", "--min-delay", zero, "--region", "us-east-1")
    assert run.code == 3
    assert "--min-delay must be longer than 0" in run.err
