"""Scenario files: YAML and JSON load into the same model; invalid ones name the bad field."""

from __future__ import annotations

import doctest
import json
import textwrap

import pytest

from waitkit.emulator import Emulator, Scenario, ScenarioError
from waitkit.emulator.aws import _scenario as aws_scenario

pytestmark = pytest.mark.anyio

YAML_SCENARIO = textwrap.dedent(
    """
    speed: 10
    seed: 7
    autoscaling:
      groups:
        - name: web
          refreshes:
            - id: r-1
              timeline:
                - {at: 0, status: InProgress, percentage_complete: 10}
                - {after: 2, status: Successful, percentage_complete: 100}
    durable:
      functions:
        - name: orders
          executions:
            - name: order-1
              timeline: [{at: 0, status: RUNNING}]
    logs:
      max_concurrent_queries: 4
      malformed_queries: ["oops"]
      queries:
        - match: errors
          rows: [{fields: {"@message": "E1"}, ingested_at: 5}]
    faults:
      - {kind: throttle, service: logs, operation: StartQuery, rate: 5, burst: 2}
    """
)


def test_yaml_and_json_load_the_same(tmp_path) -> None:
    """The same scenario written as YAML and as JSON gives equal models."""
    yaml_path = tmp_path / "cloud.yaml"
    yaml_path.write_text(YAML_SCENARIO)
    from_yaml = Scenario.from_file(yaml_path)
    json_path = tmp_path / "cloud.json"
    json_path.write_text(json.dumps(from_yaml.model_dump(mode="json", exclude_unset=True)))
    from_json = Scenario.from_file(json_path)
    assert from_yaml == from_json
    assert from_yaml.speed == 10
    assert from_yaml.autoscaling.groups[0].refreshes[0].timeline[1].after == 2
    assert from_yaml.logs.queries[0].rows[0].ingested_at == 5
    assert from_yaml.faults[0].rate == 5


def test_empty_file_is_an_empty_scenario(tmp_path) -> None:
    """An empty YAML file is a valid, empty scenario."""
    path = tmp_path / "empty.yml"
    path.write_text("")
    assert Scenario.from_file(path) == Scenario()


@pytest.mark.parametrize(
    ("data", "field", "problem"),
    [
        (
            {
                "autoscaling": {
                    "groups": [
                        {"name": "web", "refreshes": [{"timeline": [{"at": 0, "status": "Done"}]}]}
                    ]
                }
            },
            "autoscaling.groups.0.refreshes.0.timeline.0.status",
            "Input should be",
        ),
        (
            {"logs": {"queries": [{"timeline": [{"status": "Running"}]}]}},
            "logs.queries.0.timeline.0",
            "exactly one of 'at'",
        ),
        ({"speed": 0}, "speed", "greater than 0"),
        ({"spede": 2}, "spede", "Extra inputs are not permitted"),
        ({"faults": [{"kind": "explode"}]}, "faults.0.kind", "Input should be"),
        (
            {"durable": {"functions": [{"name": "bad name!"}]}},
            "durable.functions.0.name",
            "should match pattern",
        ),
    ],
)
def test_invalid_scenarios_name_the_field(tmp_path, data, field, problem) -> None:
    """A bad value raises ScenarioError (a ValueError) naming the field's dotted path."""
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_file(path)
    message = str(caught.value)
    assert f"{field}: " in message
    assert problem in message
    assert str(path) in message
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        ("cloud.toml", "speed = 1", "use a .yaml, .yml or .json file"),
        ("cloud.yaml", "speed: [1", "is not valid yaml"),
        ("cloud.json", "{speed: 1}", "is not valid json"),
    ],
)
def test_unreadable_files(tmp_path, name, text, problem) -> None:
    """Wrong suffixes and syntax errors are ScenarioErrors too."""
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ScenarioError, match=problem):
        Scenario.from_file(path)


def test_missing_file(tmp_path) -> None:
    """A missing file is a ScenarioError naming the path."""
    with pytest.raises(ScenarioError, match="cannot read scenario"):
        Scenario.from_file(tmp_path / "nope.yaml")


async def test_loaded_scenario_drives_the_emulator(tmp_path, aws_client) -> None:
    """A scenario file loaded from disk is what the emulator serves."""
    path = tmp_path / "cloud.yaml"
    path.write_text(YAML_SCENARIO)
    async with Emulator(Scenario.from_file(path)) as emu, aws_client(emu, "autoscaling") as client:
        answer = await client.describe_instance_refreshes(AutoScalingGroupName="web")
    assert answer["InstanceRefreshes"][0]["InstanceRefreshId"] == "r-1"
    assert answer["InstanceRefreshes"][0]["PercentageComplete"] == 10


def test_the_aws_scenario_models_docstring_examples_run():
    """The examples in the AWS scenario models' docstrings run and show what they claim."""
    result = doctest.testmod(aws_scenario)
    assert result.attempted > 0
    assert result.failed == 0
