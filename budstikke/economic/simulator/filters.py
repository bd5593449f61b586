"""e-conomic's collection `filter` and `sort` grammar, parsed strictly as the real API does.

`filter=name$eq:Joe$and:(city$like:*port$or:customerNumber$lt:40)`: conditions `field$op:value`
joined by `$and:`/`$or:` with parentheses; `$$ $( $) $* $, $[ $]` escape those characters in
values; string matching is case-insensitive; `$like` without `*` means "contains"; `$in`/`$nin`
take `[1,2,3]` on number fields only (at most 200 values). A field that does not support
filtering or sorting, or a malformed expression, is a 400.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

STRING, INTEGER, NUMBER, BOOLEAN, DATETIME = "string", "integer", "number", "boolean", "datetime"
_OPERATORS = {"eq", "ne", "gt", "gte", "lt", "lte", "like", "in", "nin", "null"}
_ESCAPABLE = "$()*,[]"
_CONDITION = re.compile(r"([A-Za-z][A-Za-z0-9.]*)\$([A-Za-z]+):")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_IN_VALUES = 200

Record = Mapping[str, Any]
Predicate = Callable[[Record], bool]


class QueryError(ValueError):
    """A filter or sort the API refuses (400)."""


@dataclass(frozen=True)
class _Char:
    char: str
    escaped: bool


def _typed(kind: str, field: str, text: str) -> Any:
    if kind == STRING:
        return text.casefold()
    if kind == INTEGER:
        if not re.fullmatch(r"-?\d+", text):
            raise QueryError(f"The value '{text}' of {field} is not a whole number.")
        return int(text)
    if kind == NUMBER:
        try:
            return Decimal(text)
        except InvalidOperation as exc:
            raise QueryError(f"The value '{text}' of {field} is not a number.") from exc
    if kind == BOOLEAN:
        if text.lower() not in ("true", "false"):
            raise QueryError(f"The value '{text}' of {field} is not true or false.")
        return text.lower() == "true"
    if _TIMESTAMP.match(text):
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    if _DATE.match(text):
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    raise QueryError(
        f"The value '{text}' of {field} is not a date-time in UTC written like "
        "2026-01-02T03:04:05Z."
    )


def comparable(kind: str, value: Any) -> Any:
    """A stored value in the form filter values are compared with."""
    if value is None:
        return False if kind == BOOLEAN else None
    if kind == STRING:
        return str(value).casefold()
    if kind == NUMBER:
        return Decimal(str(value))
    return value


def _like(chars: Sequence[_Char]) -> re.Pattern[str]:
    wildcard = any(c.char == "*" and not c.escaped for c in chars)
    body = "".join(
        ".*" if c.char == "*" and not c.escaped else re.escape(c.char.casefold()) for c in chars
    )
    return re.compile(body if wildcard else f".*{body}.*", re.DOTALL)


def _condition(field: str, kind: str, op: str, chars: Sequence[_Char]) -> Predicate:
    text = "".join(c.char for c in chars)

    def stored(record: Record) -> Any:
        return comparable(kind, record.get(field))

    if op == "null":
        if text:
            raise QueryError("$null takes no value.")
        return lambda record: record.get(field) in (None, "")
    if op == "like":
        if kind != STRING:
            raise QueryError(f"$like is only allowed on text fields, not on {field}.")
        pattern = _like(chars)
        return lambda record: (
            (value := stored(record)) is not None and bool(pattern.fullmatch(value))
        )
    if op in ("in", "nin"):
        if kind not in (INTEGER, NUMBER):
            raise QueryError(f"${op} is only allowed on number fields, not on {field}.")
        if len(chars) < 2 or chars[0] != _Char("[", False) or chars[-1] != _Char("]", False):
            raise QueryError(f"${op} takes a list like [1,2,3].")
        items = [item for item in text[1:-1].split(",") if item != ""]
        if len(items) > MAX_IN_VALUES:
            raise QueryError(f"${op} takes at most {MAX_IN_VALUES} values.")
        values = {_typed(kind, field, item.strip()) for item in items}
        if op == "in":
            return lambda record: stored(record) in values
        return lambda record: stored(record) not in values
    if kind == BOOLEAN and op not in ("eq", "ne"):
        raise QueryError(f"${op} is not allowed on {field}.")
    wanted = _typed(kind, field, text)
    compare: dict[str, Callable[[Any], bool]] = {
        "eq": lambda value: value == wanted,
        "ne": lambda value: value != wanted,
        "gt": lambda value: value is not None and value > wanted,
        "gte": lambda value: value is not None and value >= wanted,
        "lt": lambda value: value is not None and value < wanted,
        "lte": lambda value: value is not None and value <= wanted,
    }
    test = compare[op]
    return lambda record: test(stored(record))


class _Parser:
    def __init__(self, text: str, fields: Mapping[str, str]) -> None:
        self.text = text
        self.fields = fields
        self.at = 0

    def parse(self) -> Predicate:
        if not self.text:
            raise QueryError("The filter is empty.")
        predicate = self._or()
        if self.at != len(self.text):
            raise QueryError(f"Unexpected '{self.text[self.at]}' at position {self.at} of filter.")
        return predicate

    def _joined(self, separator: str) -> bool:
        if self.text.startswith(separator, self.at):
            self.at += len(separator)
            return True
        return False

    def _or(self) -> Predicate:
        terms = [self._and()]
        while self._joined("$or:"):
            terms.append(self._and())
        if len(terms) == 1:
            return terms[0]
        return lambda record: any(term(record) for term in terms)

    def _and(self) -> Predicate:
        terms = [self._term()]
        while self._joined("$and:"):
            terms.append(self._term())
        if len(terms) == 1:
            return terms[0]
        return lambda record: all(term(record) for term in terms)

    def _term(self) -> Predicate:
        if self.text.startswith("(", self.at):
            self.at += 1
            inner = self._or()
            if not self.text.startswith(")", self.at):
                raise QueryError("A parenthesis in the filter is not closed.")
            self.at += 1
            return inner
        match = _CONDITION.match(self.text, self.at)
        if match is None:
            raise QueryError(f"Expected field$operator:value at position {self.at} of filter.")
        field, op = match.group(1), match.group(2)
        if field not in self.fields:
            raise QueryError(f"Filtering on property '{field}' is not supported.")
        if op not in _OPERATORS:
            raise QueryError(f"Unknown filter operator '${op}'.")
        self.at = match.end()
        return _condition(field, self.fields[field], op, self._value())

    def _value(self) -> list[_Char]:
        chars: list[_Char] = []
        text = self.text
        while self.at < len(text):
            char = text[self.at]
            if char == ")":
                break
            if char == "$":
                if text.startswith(("$and:", "$or:"), self.at):
                    break
                following = text[self.at + 1 : self.at + 2]
                if following == "" or following not in _ESCAPABLE:
                    raise QueryError(f"'$' at position {self.at} of filter must be escaped as $$.")
                chars.append(_Char(following, True))
                self.at += 2
                continue
            chars.append(_Char(char, False))
            self.at += 1
        return chars


def parse_filter(text: str, fields: Mapping[str, str]) -> Predicate:
    """A predicate over stored records; `fields` maps each filterable field to its kind."""
    return _Parser(text, fields).parse()


def sort_records[R: Record](records: Sequence[R], text: str, fields: Mapping[str, str]) -> list[R]:
    """Records ordered by `sort=name`, `-name` (descending), `~number` (alphabetical)."""
    keys: list[tuple[str, bool, bool]] = []
    for item in text.split(","):
        spec = item.strip()
        descending = alphabetical = False
        while spec[:1] in ("-", "~"):
            descending |= spec[0] == "-"
            alphabetical |= spec[0] == "~"
            spec = spec[1:]
        if spec not in fields:
            raise QueryError(f"Sorting on property '{spec or item}' is not supported.")
        keys.append((spec, descending, alphabetical))
    ordered = list(records)
    for field, descending, alphabetical in reversed(keys):
        kind = STRING if alphabetical else fields[field]

        def key(record: R, field: str = field, kind: str = kind) -> tuple[bool, Any]:
            value = comparable(kind, record.get(field))
            return (value is None, value if value is not None else 0)

        present = [r for r in ordered if record_has(r, field)]
        missing = [r for r in ordered if not record_has(r, field)]
        present.sort(key=key, reverse=descending)
        ordered = present + missing
    return ordered


def record_has(record: Record, field: str) -> bool:
    return record.get(field) is not None
