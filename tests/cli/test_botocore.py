"""`waitkit botocore` end to end against moto: botocore waiters, parameters from argv."""

import functools
import json
import re
from typing import Any

import botocore.session
import pytest

from waitkit._cli._commands.botocore import convert

from .conftest import ACCESS_KEY, FAST, SECRET_KEY


@pytest.fixture(scope="module")
def ec2(moto_endpoint: str) -> str:
    """Moto's endpoint, its EC2 backend loaded (seconds of JSON, on the first EC2 request)."""
    client("ec2", moto_endpoint).describe_instances()
    return moto_endpoint


@functools.cache
def session() -> botocore.session.Session:
    """One botocore session for the scene-setting clients (it loads each model once)."""
    return botocore.session.get_session()


def client(service: str, endpoint: str) -> Any:
    """A plain botocore client on moto, to set the scene."""
    return session().create_client(
        service,
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def instances(endpoint: str, count: int) -> list[str]:
    """Start ``count`` EC2 instances on moto (running at once); their ids."""
    started = client("ec2", endpoint).run_instances(
        ImageId="ami-12c6146b", MinCount=count, MaxCount=count
    )
    return [instance["InstanceId"] for instance in started["Instances"]]


def test_repeated_keys_build_a_list_and_success_shows_the_acceptor(cli, aws_env, ec2):
    """-p InstanceIds=a -p InstanceIds=b is a list; pathAll running succeeds (exit 0)."""
    first, second = instances(ec2, 2)
    run = cli(
        "botocore", "ec2", "instance_running", "-p", f"InstanceIds={first}",
        "--param", f"InstanceIds={second}", "--endpoint-url", ec2, *FAST,
    )  # fmt: skip
    assert run.code == 0, run.out + run.err
    label = f"ec2.instance_running(InstanceIds=['{first}', '{second}'])"
    assert run.out.splitlines()[-2].startswith(f"{label}: succeeded after")
    assert run.out.splitlines()[-1] == (
        '  success: For expression "Reservations[].Instances[].State.Name" all members '
        'matched expected path: "running"'
    )


def test_a_json_list_and_json_output(cli, aws_env, ec2):
    """A list parameter takes a JSON list; --json results carry the observed values."""
    ids = instances(ec2, 2)
    run = cli(
        "botocore", "ec2", "InstanceRunning", "-p", f"InstanceIds={json.dumps(ids)}",
        "--json", "--endpoint-url", ec2, *FAST,
    )  # fmt: skip
    assert run.code == 0, run.err
    result = [json.loads(line) for line in run.out.splitlines()][-1]
    assert result["event"] == "result"
    assert result["waiter"] == "botocore_waiter"
    assert result["state"]["observed"] == {
        "Reservations[].Instances[].State.Name": ["running", "running"]
    }
    assert result["state"]["acceptor"]["matcher"] == "pathAll"


def test_a_failure_acceptor_exits_1_and_no_match_times_out_with_2(cli, aws_env, ec2):
    """A failure acceptor (terminated) exits 1 with botocore's explanation; no match exits 2."""
    gone, alive = instances(ec2, 2)
    client("ec2", ec2).terminate_instances(InstanceIds=[gone])
    failed = cli(
        "botocore", "ec2", "instance_running", "-p", f"InstanceIds={gone}",
        "--endpoint-url", ec2, *FAST,
    )  # fmt: skip
    assert failed.code == 1
    assert failed.out.rstrip().endswith(
        'For expression "Reservations[].Instances[].State.Name" we matched expected path: '
        '"terminated" at least once'
    )
    slow = cli(
        "botocore", "ec2", "instance_stopped", "-p", f"InstanceIds={alive}",
        "--timeout", "1s", "--endpoint-url", ec2, *FAST,  # room for a first look under load
    )  # fmt: skip
    assert slow.code == 2
    assert re.search(r"timed out after \d+\.\ds: last state: .*'running'.* \[no match\]", slow.out)


def test_string_parameters_are_taken_as_written(cli, aws_env, moto_endpoint):
    """Bucket=123 stays the string '123' (JSON would make it a number); an error acceptor wins."""
    run = cli("botocore", "s3", "bucket_not_exists", "-p", "Bucket=123",
              "--endpoint-url", moto_endpoint, *FAST)  # fmt: skip
    assert run.code == 0, run.out + run.err
    assert "s3.bucket_not_exists(Bucket='123'): succeeded" in run.out
    table = cli("botocore", "dynamodb", "table_not_exists", "-p", "TableName=never-made",
                "--endpoint-url", moto_endpoint, *FAST)  # fmt: skip
    assert table.code == 0, table.out + table.err
    assert "  success: Matched expected service error code: ResourceNotFoundException" in table.out


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["dynamodb", "table_exist", "-p", "TableName=t"], "waiter_names"),
        (["dynamodb", "table_exists"], "params are invalid for DescribeTable"),
        (["dynamodb", "table_exists", "-p", "Tablename=t"], "Unknown parameter"),
        (["dynamodb", "table_exists", "-p", "TableName=a", "-p", "TableName=b"], "not a list"),
        (["dynamodb", "table_exists", "-p", "TableName"], "use KEY=VALUE"),
        (["dynamodb", "table_exists", "-p", "=x"], "use KEY=VALUE"),
        (["nosuchservice", "table_exists", "-p", "TableName=t"], "UnknownServiceError"),
        (["s3", "bucket_exists", "-p", "Bucket=b", "-p", "WaiterConfig={}"], "WaiterConfig"),
    ],
)
def test_bad_waiters_and_parameters_exit_3(cli, aws_env, argv, fragment):
    """Unknown waiters and services, bad or invalid parameters exit 3 with one line, no call."""
    # Nothing listens there: a call would end in a connection error (exit 4), not exit 3.
    run = cli("botocore", *argv, "--endpoint-url", "http://127.0.0.1:9", *FAST)
    assert run.code == 3, run.out + run.err
    assert fragment in run.err
    assert len(run.err.splitlines()) == 1
    assert ACCESS_KEY not in run.out + run.err
    assert SECRET_KEY not in run.out + run.err


def test_values_follow_the_operations_input_shape():
    """Strings stay text, lists collect or take JSON, other members parse as JSON."""
    shape = botocore.session.get_session().get_service_model("ec2")
    members = shape.operation_model("DescribeInstances").input_shape.members
    assert convert("InstanceIds", ["i-1"], members["InstanceIds"]) == ["i-1"]
    assert convert("InstanceIds", ["1", "2"], members["InstanceIds"]) == ["1", "2"]
    assert convert("InstanceIds", ['["i-1", "i-2"]'], members["InstanceIds"]) == ["i-1", "i-2"]
    assert convert("MaxResults", ["5"], members["MaxResults"]) == 5
    assert convert("DryRun", ["false"], members["DryRun"]) is False
    assert convert("NextToken", ["123"], members["NextToken"]) == "123"
    filters = '[{"Name": "tag:app", "Values": ["web"]}]'
    assert convert("Filters", [filters], members["Filters"]) == [
        {"Name": "tag:app", "Values": ["web"]}
    ]
    assert convert("Unknown", ["1", "x"], None) == [1, "x"]
    assert convert("Unknown", ["{bad"], None) == "{bad"
