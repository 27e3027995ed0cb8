import pytest

from waitkit import ConfigurationError
from waitkit.aws import DurableExecutionWaiter

from .conftest import USING_AIOBOTO3

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(not USING_AIOBOTO3, reason="needs aioboto3's botocore (no durable API)"),
]

ARN = "arn:aws:lambda:us-east-1:123456789012:function:orders:$LATEST/durable-execution/o-1/abc"


async def test_an_old_botocore_is_refused_naming_the_versions(aws_client):
    """A lambda client whose botocore predates durable executions fails at construction."""
    async with aws_client("lambda", "http://127.0.0.1:9") as client:
        with pytest.raises(ConfigurationError, match=r"aiobotocore >= 3\.0") as info:
            DurableExecutionWaiter(client, arn=ARN)
    assert "1.40.61" in str(info.value)
