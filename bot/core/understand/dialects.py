"""The words of lexicon.yaml `shared_names`: what picks one meaning of a place name shared by
several divisions (used by shared.py). Kept apart so the lexicon can read them without
importing the matcher."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.core.divisions import Divisions


@dataclass(frozen=True)
class Dialect:
    name: str
    provinces: frozenset[str]  # division codes of the provinces where it is spoken
    words: tuple[str, ...]  # normalized words only its speakers write


@dataclass(frozen=True)
class SharedNames:
    well_known: frozenset[str] = frozenset()  # cities people think of first (prefecture codes)
    rarely_meant: frozenset[str] = frozenset()  # divisions nobody means by a shared name
    dialects: tuple[Dialect, ...] = ()


def read_shared_names(
    value: Any,
    texts: Callable[[str, Any], tuple[str, ...]],
    divisions: Divisions,
    problem: Callable[[str, str], None],
) -> SharedNames:
    """lexicon.yaml `shared_names`: {well_known: [codes], rarely_meant: [codes],
    dialects: {name: {provinces: [codes], words: [...]}}}."""
    if value is None:
        return SharedNames()
    if not isinstance(value, Mapping):
        problem("shared_names", "shared_names must map well_known and dialects")
        return SharedNames()
    well_known = frozenset(str(code) for code in value.get("well_known") or ())
    rarely_meant = frozenset(str(code) for code in value.get("rarely_meant") or ())
    for code in sorted((well_known | rarely_meant) - {d.code for d in divisions}):
        problem("shared_names", f"shared_names: no division '{code}'")
    dialects = []
    section = value.get("dialects") or {}
    if not isinstance(section, Mapping):
        problem("shared_names", "shared_names.dialects must map a name to provinces and words")
        section = {}
    for name, entry in section.items():
        if not isinstance(entry, Mapping) or not entry.get("provinces") or not entry.get("words"):
            problem("shared_names", f"shared_names.dialects: '{name}' needs provinces and words")
            continue
        provinces = frozenset(str(code) for code in entry["provinces"])
        for code in sorted(provinces):
            division = divisions.get(code)
            if division is None or division.parent:  # a province has no parent
                problem("shared_names", f"shared_names.dialects.{name}: no province '{code}'")
        dialects.append(Dialect(str(name), provinces, texts("shared_names", entry["words"])))
    return SharedNames(well_known, rarely_meant, tuple(dialects))
