"""A botocore without the durable-execution API: DurableExecutionWaiter refuses the client.

aioboto3 15.5 pins botocore 1.40.61, which predates the API. The refusal is tested with
the client stack under test where it lacks the API (the ``tests_aioboto3`` session), and
on every stack with a client whose model lacks the durable operations.
"""

from typing import Any

import botocore
import pytest

from waitkit import ConfigurationError
from waitkit.aws import DurableExecutionWaiter

from .conftest import DURABLE_API, STACK, client_with_model

pytestmark = pytest.mark.anyio

ARN = "arn:aws:lambda:us-east-1:123456789012:function:orders:$LATEST/durable-execution/o-1/abc"
DURABLE_OPERATIONS = (
    "GetDurableExecution",
    "GetDurableExecutionHistory",
    "GetDurableExecutionState",
    "ListDurableExecutionsByFunction",
    "StopDurableExecution",
)
#: Both ways of making the waiter. (Bad arguments are named first, on any botocore:
#: test_durable_execution.py::test_bad_arguments_fail_before_any_call runs on every stack.)
CONSTRUCTIONS = [
    {"arn": ARN},
    {"function_name": "orders", "execution_name": "o-1", "history_tail": 0},
]


def _without_durable_api(model: dict[str, Any]) -> None:
    """The lambda model as botocore 1.40.61 has it: no durable-execution operations."""
    for name in DURABLE_OPERATIONS:
        model["operations"].pop(name, None)


def _assert_refusal(error: ConfigurationError) -> None:
    message = str(error)
    assert message.startswith(f"client's botocore {botocore.__version__} has no Lambda durable")
    assert "DurableExecutionWaiter needs aiobotocore >= 3.0" in message


@pytest.mark.skipif(
    DURABLE_API,
    reason=f"{STACK} has the durable-execution API (the waiter is tested with it in "
    "test_durable_execution.py); the refusal is tested below with an older model",
)
@pytest.mark.parametrize("kwargs", CONSTRUCTIONS)
async def test_the_stack_without_the_api_is_refused_naming_the_versions(aws_client, kwargs):
    """A lambda client of this stack (aioboto3 15.5) fails at construction, before any call."""
    async with aws_client("lambda", "http://127.0.0.1:9") as client:
        with pytest.raises(ConfigurationError) as info:
            DurableExecutionWaiter(client, **kwargs)
    _assert_refusal(info.value)


@pytest.mark.parametrize("kwargs", CONSTRUCTIONS)
async def test_a_model_without_the_api_is_refused(tmp_path, kwargs):
    """On any stack, a client whose model lacks the durable operations is refused."""
    async with client_with_model(
        "lambda", "http://127.0.0.1:9", tmp_path, _without_durable_api
    ) as client:
        with pytest.raises(ConfigurationError) as info:
            DurableExecutionWaiter(client, **kwargs)
    _assert_refusal(info.value)
