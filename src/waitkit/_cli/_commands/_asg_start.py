"""``asg-refresh --start``: the StartInstanceRefresh request, from flags and a JSON file.

Every value is checked here, before any call, against the ranges of the API's
``RefreshPreferences`` (research/aws.md section 3); a bad one is a usage error (exit 3)
naming the option.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
from pathlib import Path
from typing import Any, Final

from waitkit._cli._durations import parse_duration
from waitkit._cli._errors import UsageError
from waitkit._core import require_int

_STRATEGIES: Final = ("Rolling", "ReplaceRootVolume")
_PROTECTED: Final = ("Refresh", "Ignore", "Wait")
_STANDBY: Final = ("Terminate", "Ignore", "Wait")
#: CheckpointDelay and BakeTime: 0 to 172,800 s (two days); InstanceWarmup: >= 0.
_MAX_DELAY: Final = 172_800

#: The flags, with the Preferences key each sets (in the API's spelling).
PREFERENCE_FLAGS: Final = (
    ("min_healthy_percentage", "MinHealthyPercentage"),
    ("max_healthy_percentage", "MaxHealthyPercentage"),
    ("instance_warmup", "InstanceWarmup"),
    ("checkpoint_percentages", "CheckpointPercentages"),
    ("checkpoint_delay", "CheckpointDelay"),
    ("skip_matching", "SkipMatching"),
    ("auto_rollback", "AutoRollback"),
    ("scale_in_protected_instances", "ScaleInProtectedInstances"),
    ("standby_instances", "StandbyInstances"),
    ("bake_time", "BakeTime"),
)


def add_start_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``--start`` option and the preferences it sends."""
    group = parser.add_argument_group(
        "starting a refresh (--start)",
        "StartInstanceRefresh on each GROUP, then wait for the refresh it started. The "
        "preferences are the API's RefreshPreferences; flags override the keys of "
        "--preferences FILE.",
    )
    group.add_argument(
        "--start", action="store_true", help="start an instance refresh on each GROUP first"
    )
    group.add_argument("--strategy", choices=_STRATEGIES, help="the refresh strategy (Rolling)")
    group.add_argument(
        "--preferences",
        metavar="FILE",
        help="a JSON object: the Preferences of StartInstanceRefresh (as the AWS CLI's)",
    )
    group.add_argument(
        "--min-healthy-percentage", type=int, metavar="N", help="0 to 100 (AWS default 90)"
    )
    group.add_argument(
        "--max-healthy-percentage", type=int, metavar="N", help="100 to 200 (AWS default 100)"
    )
    group.add_argument(
        "--instance-warmup", type=parse_duration, metavar="DURATION", help="seconds or 5m"
    )
    group.add_argument(
        "--checkpoint-percentages",
        metavar="N,N,...",
        help="pause at these percentages, ascending, 1 to 100 (e.g. 20,50,100)",
    )
    group.add_argument(
        "--checkpoint-delay", type=parse_duration, metavar="DURATION", help="up to 2 days"
    )
    group.add_argument(
        "--skip-matching",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="skip instances that already match the desired configuration",
    )
    group.add_argument(
        "--auto-rollback",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="roll back when the refresh fails",
    )
    group.add_argument(
        "--scale-in-protected-instances", choices=_PROTECTED, help="what to do with them"
    )
    group.add_argument("--standby-instances", choices=_STANDBY, help="what to do with them")
    group.add_argument(
        "--bake-time", type=parse_duration, metavar="DURATION", help="up to 2 days, after 100%%"
    )


def start_request(args: argparse.Namespace) -> dict[str, Any] | None:
    """The StartInstanceRefresh arguments (without the group), or None without ``--start``.

    Raises:
        UsageError: a preference flag without ``--start``, or a bad value.
        ConfigurationError: an integer preference out of range (exit 3 too).
    """
    given = [f for f, _ in PREFERENCE_FLAGS if getattr(args, f) is not None]
    given += [f for f in ("strategy", "preferences") if getattr(args, f) is not None]
    if not args.start:
        if given:
            flag = "--" + given[0].replace("_", "-")
            msg = f"{flag} needs --start (it sets how the refresh that --start begins runs)"
            raise UsageError(msg)
        return None
    if args.refresh_id is not None:
        msg = "--start and --refresh-id exclude each other (--start awaits the refresh it starts)"
        raise UsageError(msg)
    preferences = _from_file(args.preferences) if args.preferences is not None else {}
    for flag, key in PREFERENCE_FLAGS:
        value = getattr(args, flag)
        if value is not None:
            preferences[key] = value
    _check(preferences)
    request: dict[str, Any] = {"Strategy": args.strategy or "Rolling"}
    if preferences:
        request["Preferences"] = preferences
    return request


def _from_file(path: str) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        msg = f"--preferences: cannot read {path}: {error.strerror or error}"
        raise UsageError(msg) from error
    except json.JSONDecodeError as error:
        msg = f"--preferences: {path} is not JSON: {error.msg} (line {error.lineno})"
        raise UsageError(msg) from error
    if not isinstance(data, dict):
        kind = type(data).__name__
        msg = f"--preferences: {path} must hold a JSON object (the Preferences), got {kind}"
        raise UsageError(msg)
    return data


def _check(preferences: dict[str, Any]) -> None:
    """Ranges of RefreshPreferences; the values a flag gives are normalised here too."""
    _integer(preferences, "MinHealthyPercentage", 0, 100, "--min-healthy-percentage")
    _integer(preferences, "MaxHealthyPercentage", 100, 200, "--max-healthy-percentage")
    low, high = preferences.get("MinHealthyPercentage"), preferences.get("MaxHealthyPercentage")
    if isinstance(low, int) and isinstance(high, int) and high - low > 100:  # noqa: PLR2004
        msg = "--max-healthy-percentage minus --min-healthy-percentage must be at most 100"
        raise UsageError(msg)
    _seconds(preferences, "InstanceWarmup", None, "--instance-warmup")
    _seconds(preferences, "CheckpointDelay", _MAX_DELAY, "--checkpoint-delay")
    _seconds(preferences, "BakeTime", _MAX_DELAY, "--bake-time")
    _checkpoints(preferences)
    for key, flag in (("SkipMatching", "--skip-matching"), ("AutoRollback", "--auto-rollback")):
        if key in preferences and not isinstance(preferences[key], bool):
            msg = f"{flag} (Preferences.{key}) must be true or false, got {preferences[key]!r}"
            raise UsageError(msg)
    _choice(preferences, "ScaleInProtectedInstances", _PROTECTED, "--scale-in-protected-instances")
    _choice(preferences, "StandbyInstances", _STANDBY, "--standby-instances")


def _integer(preferences: dict[str, Any], key: str, low: int, high: int, flag: str) -> None:
    value = preferences.get(key)
    if value is not None:
        require_int(f"{flag} (Preferences.{key})", value, low, high)


def _seconds(preferences: dict[str, Any], key: str, high: int | None, flag: str) -> None:
    value = preferences.get(key)
    if value is None:
        return
    bad = isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value)
    if bad or value < 0 or (high is not None and value > high):
        bound = f"0 to {high} s" if high is not None else ">= 0 s"
        msg = f"{flag} (Preferences.{key}) must be {bound}, got {value!r}"
        raise UsageError(msg)
    preferences[key] = math.ceil(value)  # the API takes whole seconds


def _checkpoints(preferences: dict[str, Any]) -> None:
    value = preferences.get("CheckpointPercentages")
    if value is None:
        return
    if isinstance(value, str):  # from the flag: "20,50,100"
        try:
            value = [int(part) for part in value.split(",") if part.strip()]
        except ValueError:
            value = None
    ok = (
        isinstance(value, list)
        and value
        and all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 100 for v in value)  # noqa: PLR2004
        and all(a < b for a, b in itertools.pairwise(value))
    )
    if not ok:
        msg = (
            "--checkpoint-percentages (Preferences.CheckpointPercentages) must be ascending "
            f"integers from 1 to 100, got {preferences['CheckpointPercentages']!r}"
        )
        raise UsageError(msg)
    preferences["CheckpointPercentages"] = value


def _choice(preferences: dict[str, Any], key: str, allowed: tuple[str, ...], flag: str) -> None:
    value = preferences.get(key)
    if value is not None and value not in allowed:
        msg = f"{flag} (Preferences.{key}) must be one of {', '.join(allowed)}, got {value!r}"
        raise UsageError(msg)
