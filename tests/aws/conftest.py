"""Fixtures for the AWS waiters: real aiobotocore clients over 127.0.0.1 (emulator, moto).

With ``WAITKIT_TEST_CLIENTS=aioboto3`` (the ``tests_aioboto3`` nox session) the clients
are made by ``aioboto3.Session`` instead, as many users make them. aioboto3 pins an
older aiobotocore and botocore, whose models lack some of what the waiters can use; the
flags below say what the installed botocore models, so a test states what it expects on
either stack. ``client_with_model`` makes a client whose model lacks what an older
botocore lacks, so the behaviour on older models is tested on the newest stack too.
"""

from __future__ import annotations

import copy
import functools
import json
import os
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import aiobotocore
import anyio
import botocore.session
import pytest
from aiobotocore.config import AioConfig
from aiobotocore.session import AioSession, get_session

from waitkit import Policy
from waitkit._core._throttle import _BUDGETS
from waitkit.extend import ThrottleBudget

#: Short delays for scripted timelines; real deadlines, real clock.
FAST = Policy(min_delay=0.02, max_delay=0.1, timeout=10, call_timeout=5, throttle_min_delay=0.05)

ClientFactory = Callable[..., AbstractAsyncContextManager[Any]]

USING_AIOBOTO3 = os.environ.get("WAITKIT_TEST_CLIENTS") == "aioboto3"

# One attempt per call: botocore's own retries would hide what waitkit does. (botocore's
# `max_attempts` counts retries; `total_max_attempts` counts the first call too.)
ONE_ATTEMPT = {"total_max_attempts": 1, "mode": "standard"}


@functools.cache
def _session() -> AioSession:
    """One botocore session for every client here: each service model is loaded once."""
    return get_session()


@functools.cache
def _botocore_session() -> botocore.session.Session:
    """The (sync) botocore session that reads the installed service models."""
    return botocore.session.get_session()


def _models(service: str, *path: str) -> bool:
    """Whether the installed botocore models ``path``: an operation, then shape members.

    ``_models("logs", "GetQueryResults", "input", "maxItems")`` follows the operation's
    input (or ``output``) shape, then each member by name (a list follows its member).
    """
    model = _botocore_session().get_service_model(service)
    operation, *members = path
    if operation not in model.operation_names:
        return False
    shape: Any = model.operation_model(operation)
    for name in members:
        if name in {"input", "output"}:
            shape = getattr(shape, f"{name}_shape")
            continue
        while shape.type_name == "list":
            shape = shape.member
        if name not in shape.members:
            return False
        shape = shape.members[name]
    return True


#: The client stack under test, for skip reasons and messages.
STACK = f"aiobotocore {aiobotocore.__version__} (botocore {botocore.__version__})"
#: aiobotocore 3 refuses a closed client; 2.x opens a new connection pool for it.
CLOSED_CLIENT_REFUSED = int(aiobotocore.__version__.split(".")[0]) >= 3
#: Lambda durable executions (botocore 1.42+; aioboto3 15.5's 1.40.61 has none).
DURABLE_API = _models("lambda", "GetDurableExecution") and _models(
    "lambda", "ListDurableExecutionsByFunction"
)
#: GetQueryResults maxItems / nextToken: LogsInsightsQuery(page_size=...).
RESULT_PAGING = _models("logs", "GetQueryResults", "input", "maxItems")
#: GetQueryResults statistics.resultCount: QueryStatistics.result_count.
RESULT_COUNT = _models("logs", "GetQueryResults", "output", "statistics", "resultCount")
#: InstanceRefresh.Strategy: InstanceRefreshState.strategy.
REFRESH_STRATEGY = _models(
    "autoscaling", "DescribeInstanceRefreshes", "output", "InstanceRefreshes", "Strategy"
)


@asynccontextmanager
async def client_with_model(
    service: str,
    endpoint_url: str,
    models: Path,
    edit: Callable[[dict[str, Any]], None],
) -> AsyncIterator[Any]:
    """A real aiobotocore client whose service model is the installed one after ``edit``.

    The edited model is written under ``models`` (a fresh directory), which the client's
    session searches before botocore's own data, as it would a model of an older botocore.
    """
    loader = _session().get_component("data_loader")
    version = loader.determine_latest_version(service, "service-2")
    model = copy.deepcopy(loader.load_service_model(service, "service-2", version))
    edit(model)
    target = models / service / version
    target.mkdir(parents=True)
    (target / "service-2.json").write_text(json.dumps(model), encoding="utf-8")
    session = get_session()
    session.set_config_variable("data_path", str(models))
    async with session.create_client(
        service,
        region_name="us-east-1",
        endpoint_url=endpoint_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=AioConfig(retries=ONE_ATTEMPT),
    ) as client:
        yield client


@asynccontextmanager
async def make_client(service: str, endpoint_url: str, **config: Any) -> AsyncIterator[Any]:
    """A real aiobotocore (or aioboto3) client with fake credentials, closed on exit."""
    retries = config.pop("retries", ONE_ATTEMPT)
    options = {
        "region_name": "us-east-1",
        "endpoint_url": endpoint_url,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
        "config": AioConfig(retries=retries, **config),
    }
    if USING_AIOBOTO3:
        import aioboto3

        async with aioboto3.Session().client(service, **options) as client:
            yield client
    else:
        async with _session().create_client(service, **options) as client:
            yield client


def quick_budget(client: object, *, min_rate: float = 50.0) -> ThrottleBudget:
    """Give ``client`` a throttle budget whose slowest pace is ``min_rate`` calls a second.

    After a throttled answer the default budget slows every wait on the client to 0.7 x
    the calls accepted in the last second, at least 0.5 a second: right against AWS, but
    a scripted test throttled a few times then takes seconds. tests/core/test_throttle.py
    pins that pace on virtual time; the tests here prove that throttling is retried, so
    they give their client a quicker budget. waitkit has no public hook for this, so it
    is put where ``budget_for(client)`` looks first.
    """
    budget = ThrottleBudget(min_rate=min_rate)
    _BUDGETS.set(client, None, budget)
    return budget


async def until_true(condition: Callable[[], bool], *, timeout: float = 10.0) -> None:
    """Return once ``condition()`` holds, checking every 10 ms (a guard, not a timing)."""
    with anyio.fail_after(timeout):
        while not condition():  # noqa: ASYNC110 - a condition nobody signals: polled
            await anyio.sleep(0.01)


@pytest.fixture
def aws_client() -> ClientFactory:
    """A factory of real clients: ``async with make(service, endpoint) as client``."""
    return make_client
