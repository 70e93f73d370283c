"""Read the YAML files in `flows/` keeping line numbers, and collect readable load errors.

Content editors are not programmers: every problem must say which file, which line and what
is wrong, and all problems are reported at once rather than one per run.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


class LineDict(dict[str, object]):
    """A YAML mapping that remembers the line it started on (1-based)."""

    line: int = 0


# libyaml's parser when present (5x faster start-up); line numbers work the same with both.
_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_Base):  # type: ignore[misc]
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    mapping = LineDict(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    return mapping


def _construct_timestamp(loader: _LineLoader, node: yaml.ScalarNode) -> str:
    # Dates stay text: "2025-04-18" must not turn into a date object that prints differently.
    return str(loader.construct_scalar(node))


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class FlowError(Exception):
    """Raised with every problem found while loading or checking the flow files."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class Problems:
    """Collects problems so that one run reports them all."""

    items: list[Problem] = field(default_factory=list)

    def add(self, file: str, line: int, message: str) -> None:
        self.items.append(Problem(file, line, message))

    def raise_if_any(self) -> None:
        if self.items:
            raise FlowError(self.items)


def read_yaml(path: Path, problems: Problems) -> Any:
    """Parse one YAML file; a syntax error becomes a Problem with its line."""
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_LineLoader)
    except FileNotFoundError:
        problems.add(path.name, 0, "file is missing")
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else 0
        problems.add(path.name, line, f"YAML syntax: {exc.problem}")
    return None


def line_of(value: Any, default: int = 0) -> int:
    return getattr(value, "line", default)


def as_text(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def normalize(text: str) -> str:
    """Fold case, width and punctuation so typed text can be compared with labels."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\s\W_]+", "", text)
