"""The CLI reference as Markdown, rendered from the parser (``docs/cli.md``).

Regenerate the page with ``python -m waitkit._cli._reference docs/cli.md``; a test
fails when the page and the parser disagree.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Final

from waitkit._cli._exit import MEANINGS, SEVERITY
from waitkit._cli._options import COMMON_GROUPS
from waitkit._cli._parser import DESCRIPTION, PROG, build_parser

if TYPE_CHECKING:
    from collections.abc import Iterator

    from waitkit._cli._command import Command

#: The width usage lines are wrapped at, whatever the terminal.
WIDTH: Final = 88

_INTRO: Final = f"""\
# Command line: `{PROG}`

{DESCRIPTION}

```console
$ pip install 'waitkit[cli,aws]'     # cli: the live view (rich); aws: aiobotocore
$ {PROG} asg-refresh web --timeout 30m
```

Each subcommand awaits one kind of resource, several at once, and exits with a code
that says how they ended. On a terminal it shows a live table (resource, status,
progress, elapsed time, last change); elsewhere, such as in CI logs, one plain line per
state change, without control characters; with `--json`, JSON lines for programs.

```{{note}}
This page is generated from the command's own parser, so it matches `waitkit --help`.
```
"""

_OUTPUT: Final = """\
## Output

| mode | when | stdout | stderr |
|---|---|---|---|
| live view | stdout is a terminal | a table redrawn in place, then the reasons of failures | |
| plain lines | stdout is not a terminal | `+3.2s web: InProgress 50% (2 to update)` per change, then `web: succeeded after 41.0s: Successful 100%` per resource | |
| `--json` | always | one JSON object per line (below) | one line per error |
| `--quiet` | | nothing (with `--json`: the result objects only) | the final line of each resource that did not succeed |

With `--json`, each state change is an object with `"event": "state"`, and each resource
ends with one `"event": "result"` object, as soon as it ends. Both carry `time` (UTC),
`resource` (the label), `waiter`, `id`, `status`, `progress` (percent or `null`),
`elapsed` (seconds) and the typed `state`; results add `outcome` (`succeeded`, `failed`,
`not_found`, `unexpected_state`, `timed_out`, `configuration_error`, `error`,
`cancelled`), `exit_code`, `message` and `changes`. An error that is no one resource's
(no region, an unknown profile) is an `"event": "error"` object. With `k8s-job --logs`,
each log line is an `"event": "log"` object (`time`, `resource`, `pod`, `container`,
`timestamp` as the kubelet wrote it, `text`), and a word about the logs (a container a pod
does not have, logs that may not be read) an `"event": "log_notice"` object with a
`message`; without `--json` they are plain `pod/container: text` lines among the changes.

```text
{"event":"state","resource":"web","waiter":"instance_refresh","id":"web/newest","status":"InProgress","progress":50.0,"elapsed":12.3,"summary":"InProgress 50% (2 to update)","state":{...}}
{"event":"result","resource":"web","status":"Successful","outcome":"succeeded","exit_code":0,"message":"Successful 100%","changes":3,"state":{...}}
```

waitkit's log events go to stderr: only errors, or all of them with `--debug` (which also
prints tracebacks). Credentials, tokens and request signatures are never printed.
"""  # noqa: E501 - Markdown tables and JSON lines are as wide as they are

_EMULATOR: Final = """\
## Examples against the emulator

Try the commands offline with the emulator (extra `emulator`). A scenario, `cloud.yaml`:

```yaml
autoscaling:
  groups:
    - name: web
      refreshes:
        - id: r-1
          timeline:
            - {at: 0, status: Pending, percentage_complete: 0, instances_to_update: 4}
            - {at: 5, status: InProgress, percentage_complete: 50, instances_to_update: 2}
            - {at: 10, status: Successful, percentage_complete: 100}
durable:
  functions:
    - name: orders
      executions:
        - name: order-1
          timeline:
            - {at: 0, status: RUNNING}
            - {at: 8, status: SUCCEEDED, result: '{"ok": true}'}
```

```console
$ waitkit emulator serve --scenario cloud.yaml --port-aws 4566 &
AWS endpoint: http://127.0.0.1:4566
$ export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing   # any value is accepted
$ waitkit asg-refresh web --endpoint-url http://127.0.0.1:4566 --region us-east-1 --min-delay 1s
$ waitkit durable --function orders --name order-1 --json \\
    --endpoint-url http://127.0.0.1:4566 --region us-east-1 --min-delay 1s
$ echo $?
0
```
"""


def _subcommands(parser: argparse.ArgumentParser) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """``(name, parser)`` of each subcommand, depth first (``emulator serve`` too)."""
    for action in parser._actions:  # noqa: SLF001 - argparse offers no public walk
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            for name, sub in action.choices.items():
                yield name, sub
                yield from ((f"{name} {n}", p) for n, p in _subcommands(sub))


def _leaf(parser: argparse.ArgumentParser) -> bool:
    return not any(isinstance(a, argparse._SubParsersAction) for a in parser._actions)  # noqa: SLF001


def _invocation(action: argparse.Action) -> str:
    if not action.option_strings:
        name = str(action.metavar or action.dest)
        return f"{name} [{name} ...]" if action.nargs == "+" else name
    flags = ", ".join(action.option_strings)
    if action.nargs == 0:
        return flags
    metavar = str(action.metavar or action.dest.upper())
    return f"{flags} {metavar} [{metavar} ...]" if action.nargs == "+" else f"{flags} {metavar}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _table(actions: list[argparse.Action]) -> list[str]:
    rows = ["| argument | meaning |", "|---|---|"]
    rows += [
        f"| `{_invocation(action)}` | {_cell(str(action.help or ''))} |"
        for action in actions
        if action.help != argparse.SUPPRESS and not isinstance(action, argparse._HelpAction)  # noqa: SLF001
    ]
    return rows


def _groups(parser: argparse.ArgumentParser) -> Iterator[tuple[str, list[argparse.Action]]]:
    for group in parser._action_groups:  # noqa: SLF001
        yield str(group.title), list(group._group_actions)  # noqa: SLF001


def _command_section(
    name: str, parser: argparse.ArgumentParser, command: Command | None
) -> list[str]:
    lines = [f"### `{PROG} {name}`", ""]
    if parser.description:
        lines += [parser.description, ""]
    lines += ["```text", parser.format_usage().strip(), "```", ""]
    for title, actions in _groups(parser):
        if title in COMMON_GROUPS:
            continue
        rows = _table(actions)
        if len(rows) > 2:  # noqa: PLR2004 - more than the header
            lines += [f"{title.capitalize()}:", "", *rows, ""]
    if any(title in COMMON_GROUPS for title, _ in _groups(parser)):
        lines += ["And the [common options](#common-options).", ""]
    if command is not None and command.examples:
        lines += ["```console"]
        for example in command.examples:
            lines += [f"$ # {example.text}", f"$ {example.command}"]
        lines += ["```", ""]
    return lines


def _common_section(parser: argparse.ArgumentParser) -> list[str]:
    lines = ["## Common options", "", "Every subcommand that waits takes these.", ""]
    for title, actions in _groups(parser):
        if title in COMMON_GROUPS:
            lines += [f"### {title[0].upper()}{title[1:]}", "", *_table(actions), ""]
    lines += [
        (
            "Durations are seconds (`90`, `0.5`) or numbers with a unit: `90s`, `30m`, `1h`, "
            "`1h30m`. An invalid one exits 3 with one line naming the option."
        ),
        "",
    ]
    return lines


def _exit_section() -> list[str]:
    lines = [
        "(cli-exit-codes)=",
        "## Exit codes",
        "",
        (
            "One table for `waitkit` and `waitkit-emulator`: the emulator's own command "
            "(`waitkit-emulator serve`, like `waitkit emulator serve`) exits 3 for an "
            "invalid scenario file or an address it cannot listen on, 130 on Ctrl-C and "
            "143 on SIGTERM, after it stopped and removed its temporary files."
        ),
        "",
        "| code | meaning |",
        "|---|---|",
    ]
    lines += [f"| {int(code)} | {meaning} |" for code, meaning in MEANINGS.items()]
    order = " < ".join(str(int(code)) for code in SEVERITY)
    lines += [
        "",
        (
            "With several resources the worst outcome wins, in this order (worst last): "
            f"{order}. A failure outranks a timeout because waiting longer cannot fix it; "
            "an API or auth error outranks both because nothing could be seen; bad usage "
            "means nothing valid was awaited; an interrupt or a SIGTERM wins over everything."
        ),
        "",
        "Errors print one line on stderr; `--debug` adds the traceback.",
        "",
    ]
    return lines


def render_reference(parser: argparse.ArgumentParser | None = None) -> str:
    """The whole ``docs/cli.md`` page for ``parser`` (default: the real one at :data:`WIDTH`)."""
    parser = parser or build_parser(width=WIDTH)
    lines = [_INTRO, "## Subcommands", ""]
    lines += ["```text", parser.format_usage().strip(), "```", ""]
    common: argparse.ArgumentParser | None = None
    for name, sub in _subcommands(parser):
        if not _leaf(sub):
            continue
        command: Command | None = sub.get_default("command")
        lines += _command_section(name, sub, command)
        if common is None and any(title in COMMON_GROUPS for title, _ in _groups(sub)):
            common = sub
    if common is not None:
        lines += _common_section(common)
    lines += [_OUTPUT, *_exit_section(), _EMULATOR]
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the reference to the given path (or stdout)."""
    args = sys.argv[1:] if argv is None else argv
    text = render_reference()
    if args:
        Path(args[0]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
