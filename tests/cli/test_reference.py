import re
from pathlib import Path

import yaml

from waitkit._cli._commands import COMMANDS
from waitkit._cli._reference import render_reference
from waitkit.emulator import Scenario

DOCS = Path(__file__).parents[2] / "docs" / "cli.md"


def test_docs_cli_md_is_up_to_date_with_the_parser():
    """docs/cli.md is what the parser renders (regenerate: `python -m waitkit._cli._reference`)."""
    assert DOCS.read_text(encoding="utf-8") == render_reference()


def test_the_reference_documents_every_command_option_and_exit_code():
    """Each subcommand, each common option and each exit code appears in the page."""
    page = render_reference()
    for command in COMMANDS:
        assert f"### `waitkit {command.name}" in page
    for option in (
        "--timeout DURATION",
        "--json",
        "--quiet",
        "--debug",
        "--region REGION",
        "--profile PROFILE",
        "--endpoint-url URL",
        "--kubeconfig FILE",
        "--context NAME",
    ):
        assert f"`{option}" in page
    for code in (0, 1, 2, 3, 4, 130, 143):
        assert f"\n| {code} | " in page


def test_the_emulator_example_scenario_is_valid():
    """The page's example scenario loads (the emulator refuses unknown keys)."""
    block = re.search(r"```yaml\n(.*?)```", render_reference(), re.DOTALL)
    assert block is not None
    scenario = Scenario.model_validate(yaml.safe_load(block.group(1)))
    assert scenario.autoscaling is not None
