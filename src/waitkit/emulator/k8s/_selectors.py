"""Label and field selectors, parsed the way the API server accepts them."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

Predicate = Callable[[Mapping[str, Any]], bool]

_SET_RE = re.compile(r"^\s*([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)\s*$")


class SelectorError(ValueError):
    """A selector the API server would answer with 400 BadRequest."""


def _split_terms(text: str) -> list[str]:
    # Commas separate terms, except inside the parentheses of "in (a,b)".
    terms: list[str] = []
    depth = 0
    current = ""
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            terms.append(current)
            current = ""
        else:
            current += char
    terms.append(current)
    return [term.strip() for term in terms if term.strip()]


def _equality(term: str) -> tuple[str, str, str] | None:
    for op in ("!=", "==", "="):
        if op in term:
            key, _, value = term.partition(op)
            return key.strip(), op, value.strip()
    return None


def _label_test(key: str, op: str, values: frozenset[str]) -> Callable[[Mapping[str, str]], bool]:
    def test(labels: Mapping[str, str]) -> bool:
        if op == "exists":
            return key in labels
        if op == "!exists":
            return key not in labels
        inside = key in labels and labels[key] in values
        # "!=" and "notin" also match objects without the label, as on the API server.
        return inside if op in ("=", "==", "in") else not inside

    return test


def _label_term(term: str) -> Callable[[Mapping[str, str]], bool]:
    if match := _SET_RE.match(term):
        key, op, raw = match.groups()
        return _label_test(key, op, frozenset(v.strip() for v in raw.split(",") if v.strip()))
    if parsed := _equality(term):
        key, op, value = parsed
        if not key:
            raise SelectorError(f"unable to parse requirement: {term!r}")
        return _label_test(key, op, frozenset({value}))
    if term.startswith("!"):
        return _label_test(term[1:].strip(), "!exists", frozenset())
    if re.fullmatch(r"[A-Za-z0-9._/-]+", term):
        return _label_test(term, "exists", frozenset())
    raise SelectorError(f"unable to parse requirement: {term!r}")


def label_predicate(selector: str | None) -> Callable[[Mapping[str, str]], bool]:
    """A test on labels: ``k=v``, ``k!=v``, ``k in (a,b)``, ``k notin (a)``, ``k``, ``!k``."""
    tests = [_label_term(term) for term in _split_terms(selector or "")]
    return lambda labels: all(test(labels) for test in tests)


def _field_value(obj: Mapping[str, Any], field: str) -> str | None:
    node: Any = obj
    for part in field.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return None if node is None else str(node)


def _field_test(field: str, op: str, value: str) -> Predicate:
    def test(obj: Mapping[str, Any]) -> bool:
        return (_field_value(obj, field) == value) != (op == "!=")

    return test


def field_predicate(selector: str | None, allowed: frozenset[str]) -> Predicate:
    """A test on an object's fields; a field outside ``allowed`` is a :class:`SelectorError`."""
    tests: list[Predicate] = []
    for term in _split_terms(selector or ""):
        parsed = _equality(term)
        if parsed is None:
            raise SelectorError(f"invalid field selector: {term!r}")
        field, op, value = parsed
        if field not in allowed:
            raise SelectorError(f'field label not supported: "{field}"')
        tests.append(_field_test(field, op, value))
    return lambda obj: all(test(obj) for test in tests)


def selector_predicate(
    label_selector: str | None, field_selector: str | None, allowed_fields: frozenset[str]
) -> Predicate:
    """Both selectors ANDed, as one test on a whole object."""
    labels = label_predicate(label_selector)
    fields = field_predicate(field_selector, allowed_fields)

    def test(obj: Mapping[str, Any]) -> bool:
        return labels(obj.get("metadata", {}).get("labels") or {}) and fields(obj)

    return test
