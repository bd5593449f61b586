"""Request classification shared by the middleware and `shield scan`: cheap, literal, anchored.

No regular expressions on the hot path: a set of path segments, a tuple of extensions and a
list of literal fragments. Each check is a handful of C-level string operations.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote_plus

DATA = Path(__file__).resolve().parent / "data"
# Every signature in a path needs one of these (a query string is always examined in full):
# a cheap character-class scan lets clean paths skip the signature list.
PATH_TRIGGERS = re.compile(
    r"\.\.|[<'\"($;|`\\%@{ +:=]|etc/|proc/|win\.ini|cmd\.exe|/bin/|_schema|shell"
)


@dataclass(frozen=True)
class ExploitRules:
    segments: frozenset[str]
    extensions: tuple[str, ...]
    hidden: bool
    exceptions: frozenset[str]


def _lines(name: str) -> list[str]:
    text = (DATA / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


@functools.cache
def exploit_rules() -> ExploitRules:
    segments: set[str] = set()
    extensions: list[str] = []
    exceptions: set[str] = set()
    hidden = False
    for line in _lines("exploit-paths.txt"):
        entry = line.lower()
        if entry == ".*":
            hidden = True
        elif entry.startswith("!"):
            exceptions.add(entry[1:])
        elif entry.startswith("*."):
            extensions.append(entry[1:])
        else:
            segments.add(entry)
    return ExploitRules(frozenset(segments), tuple(extensions), hidden, frozenset(exceptions))


@functools.cache
def injection_signatures() -> tuple[str, ...]:
    return tuple(entry.lower() for entry in _lines("injection-signatures.txt"))


def is_exploit_path(path: str) -> bool:
    """Whether a (decoded) path asks for software Budstikke does not run."""
    rules = exploit_rules()
    lowered = path.lower()
    parts = lowered.split("/")
    if not rules.segments.isdisjoint(parts):
        return True
    if lowered.endswith(rules.extensions):
        return True
    if rules.hidden and "/." in lowered:
        return any(
            part.startswith(".") and part not in rules.exceptions and part not in {".", ".."}
            for part in parts
        )
    return False


def has_injection(path: str, query: str) -> bool:
    """Whether the path or query carries an injection fragment (decoded once more, so double
    encoding does not hide it)."""
    if not query and PATH_TRIGGERS.search(path) is None:
        return False
    text = path if not query else f"{path}?{query}"
    if "%" in text or "+" in text:
        text = unquote_plus(text)
    lowered = text.lower()
    if "  " in lowered or "\t" in lowered or "\n" in lowered:
        lowered = " ".join(lowered.split())
    return any(signature in lowered for signature in injection_signatures())
