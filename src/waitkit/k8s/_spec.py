r"""``kubectl wait --for`` expressions: parsed once, checked against an object as kubectl does.

Forms: ``create``, ``delete``, ``condition=NAME[=VALUE]`` and ``jsonpath={EXPR}[=VALUE]``
(quotes around the expression are accepted, as a shell would leave them).

jsonpath expressions are evaluated by ``jsonpath-ng`` (its extended parser, for filters
such as ``[?(@.type=="Ready")]``): kubectl's ``{.a.b}`` becomes ``$.a.b``. What differs
from kubectl's own jsonpath: ``range``/``end`` templates, and keys with escaped dots
(``labels.app\\.kubernetes\\.io/name``) are not supported; use ``['app.kubernetes.io/name']``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from jsonpath_ng.ext.parser import parse as parse_jsonpath

from waitkit._core import ConfigurationError

SpecKind = Literal["create", "delete", "condition", "jsonpath"]


class SpecError(Exception):
    """A jsonpath gave more than one value, or an object or a list (kubectl errors out too)."""


@dataclass(frozen=True, slots=True)
class Spec:
    """One parsed ``--for`` expression."""

    text: str
    kind: SpecKind
    name: str = ""
    value: str | None = None
    expression: Any = field(default=None, compare=False)

    def value_of(self, obj: dict[str, Any]) -> str | None:
        """jsonpath: the value as kubectl prints it (``None``: the path is missing)."""
        found = [match.value for match in self.expression.find(obj)]
        if not found:
            return None
        if len(found) > 1:
            msg = f"{self.text}: the jsonpath matches {len(found)} values; it must match one"
            raise SpecError(msg)
        value = found[0]
        if isinstance(value, dict | list):
            msg = f"{self.text}: the jsonpath leads to a nested object or list (not supported)"
            raise SpecError(msg)
        if isinstance(value, bool):
            return "true" if value else "false"  # Go's %v
        return "<nil>" if value is None else str(value)

    def holds(self, obj: dict[str, Any] | None) -> bool:
        """Whether the expression holds for ``obj`` (``None``: the object is absent)."""
        if self.kind == "delete" or obj is None:
            return self.kind == "delete" and obj is None
        if self.kind == "create":
            return True
        if self.kind == "condition":
            return _condition_holds(obj, self.name, self.value or "true")
        value = self.value_of(obj)
        if value is None:
            return False  # kubectl: AllowMissingKeys, keep waiting
        if self.value is None:
            return value.strip() != ""
        return value.strip() == self.value


def _observed_generation(obj: dict[str, Any], condition: dict[str, Any]) -> int | None:
    for source in (condition, obj.get("status") or {}):
        value = source.get("observedGeneration")
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def _condition_holds(obj: dict[str, Any], name: str, wanted: str) -> bool:
    """Kubectl's checkCondition, case-insensitive; the first condition of the type decides.

    A condition whose ``observedGeneration`` is older than ``metadata.generation`` does not count.
    """
    for condition in (obj.get("status") or {}).get("conditions") or []:
        if not isinstance(condition, dict):
            continue
        if str(condition.get("type", "")).casefold() != name.casefold():
            continue
        status = condition.get("status")
        if not isinstance(status, str):
            continue
        generation = (obj.get("metadata") or {}).get("generation")
        observed = _observed_generation(obj, condition)
        if isinstance(generation, int) and observed is not None and observed < generation:
            return False
        return status.casefold() == wanted.casefold()
    return False


def parse_spec(owner: str, text: object) -> Spec:
    """Parse one ``--for`` expression, or raise :class:`ConfigurationError` naming it."""
    if not isinstance(text, str) or not text.strip():
        msg = f"{owner}: a condition must be a non-empty string, got {text!r}"
        raise ConfigurationError(msg)
    text = text.strip()
    lowered = text.lower()
    if lowered in ("create", "delete"):
        return Spec(text, "create" if lowered == "create" else "delete")
    if lowered.startswith("condition="):
        name, _, value = text[len("condition=") :].partition("=")
        if not name:
            msg = f"{owner}: {text!r} names no condition (condition=NAME[=VALUE])"
            raise ConfigurationError(msg)
        return Spec(text, "condition", name=name, value=value or "true")
    if lowered.startswith("jsonpath="):
        return _parse_jsonpath(owner, text)
    msg = (
        f"{owner}: unrecognized condition {text!r}: use create, delete, condition=NAME[=VALUE]"
        " or jsonpath={EXPR}[=VALUE]"
    )
    raise ConfigurationError(msg)


def _parse_jsonpath(owner: str, text: str) -> Spec:
    rest = text[len("jsonpath=") :].strip()
    if rest[:1] in ("'", '"'):
        quote = rest[0]
        closing = rest.find(quote, 1)
        if closing < 0:
            msg = f"{owner}: {text!r} has an unclosed quote"
            raise ConfigurationError(msg)
        expression, remainder = rest[1:closing], rest[closing + 1 :]
    elif rest.startswith("{"):
        closing = rest.rfind("}")
        expression, remainder = rest[: closing + 1], rest[closing + 1 :]
    else:
        expression, sep, value = rest.partition("=")
        remainder = f"={value}" if sep else ""
    if remainder and not remainder.startswith("="):
        msg = f"{owner}: {text!r}: expected '=VALUE' after the expression"
        raise ConfigurationError(msg)
    wanted = remainder[1:].strip() if remainder else None
    inner = expression.strip()
    if inner.startswith("{") and inner.endswith("}"):
        inner = inner[1:-1].strip()
    if not inner:
        msg = f"{owner}: {text!r} has an empty jsonpath expression"
        raise ConfigurationError(msg)
    if not inner.startswith(("$", ".", "[")):
        inner = "." + inner  # kubectl's relaxed form: {status.phase}
    if not inner.startswith("$"):
        inner = "$" + inner
    try:
        compiled = parse_jsonpath(inner)
    except Exception as error:  # ply raises plain Exception besides the lexer/parser errors
        msg = f"{owner}: {text!r} is not a jsonpath expression jsonpath-ng can parse: {error}"
        raise ConfigurationError(msg) from error
    return Spec(text, "jsonpath", value=wanted, expression=compiled)
