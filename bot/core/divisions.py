"""Every current administrative division of mainland China, found by code or by any name.

The data is `flows/divisions.csv` (code, name, short, level, parent, pinyin): 31 province-level,
333 prefecture-level and 2,847 county-level divisions (省直辖县级 and 兵团 cities included, their
parent being the province), generated once by `tools/divisions/generate.py` from the 民政部 table;
`flows/divisions.meta.yaml` says which edition. The bot has no runtime dependency for it.

Use::

    from bot.core.divisions import AmbiguousPlace, load_divisions

    places = load_divisions()            # read once per process (cached), ~10 ms
    places.get("330100")                 # Division(code='330100', name='杭州市', short='杭州', ...)
    places.find("suzhou")                # every candidate: (苏州市, 宿州市, 肃州区)
    places.resolve("昆山")               # the one division, None when unknown,
                                         # AmbiguousPlace(candidates) when several fit
    places.chain("320583")               # (昆山市, 苏州市, 江苏省): county -> prefecture -> province
    places.children("320000")            # the prefectures (and 省直辖 counties) of 江苏省
    places.describe(d)                   # "昆山市（江苏省苏州市）", for lists of candidates

A name is matched after folding case, width, spaces and punctuation; traditional characters are
read through OpenCC (t2s). The tiers are tried in order and the first that matches anything
answers: the code, the full official name, the short name, then the toneless pinyin of the short
name ("hangzhou"). Several matches in a tier are all returned: the caller asks, never guesses.
"""

from __future__ import annotations

import csv
import functools
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import opencc

from bot.core.flowfile import normalize
from bot.core.resources import flows_dir, package_dir

DIVISIONS_FILE = package_dir("bot.flows") / "divisions.csv"  # the shipped table
LEVELS = ("province", "prefecture", "county")
_CODE = re.compile(r"^\d{6}$")


class Division(NamedTuple):
    code: str
    name: str  # full official name: 杭州市
    short: str  # everyday name: 杭州 (kept longer where it would clash: 朝阳区, 吉林市)
    level: str  # province | prefecture | county
    parent: str | None  # None for a province; a province for 省直辖 counties
    pinyin: str  # toneless, lowercase, of `short`: hangzhou

    @property
    def depth(self) -> int:
        """1 province, 2 prefecture, 3 county: how specific a rule for this place is."""
        return LEVELS.index(self.level) + 1


class AmbiguousPlace(LookupError):
    """Several divisions fit what the user gave; `candidates` lists them all, by code."""

    def __init__(self, text: str, candidates: tuple[Division, ...]) -> None:
        self.text = text
        self.candidates = candidates
        super().__init__(f"{text!r} fits {len(candidates)} places")


class Divisions:
    """The table, indexed once; every lookup is a dictionary read."""

    def __init__(self, rows: list[Division]) -> None:
        self._by_code = {d.code: d for d in rows}
        self._children: dict[str, list[Division]] = defaultdict(list)
        self._tiers: tuple[dict[str, list[Division]], ...] = ({}, {}, {})
        for d in rows:
            if d.parent:
                self._children[d.parent].append(d)
            # The file's names are already in normal form (a test checks it): no folding here.
            for tier, key in zip(self._tiers, (d.name, d.short, d.pinyin), strict=True):
                tier.setdefault(key, []).append(d)

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self) -> Iterator[Division]:
        return iter(self._by_code.values())

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str) -> Division | None:
        return self._by_code.get(code)

    def find(self, text: str) -> tuple[Division, ...]:
        """Every division `text` may mean (empty when none): code, name, short name or pinyin."""
        text = text.strip()
        if _CODE.match(text):
            found = self._by_code.get(text)
            return (found,) if found else ()
        key = normalize(text)
        if not key:
            return ()
        found_list = self._lookup(key)
        if not found_list and not key.isascii():
            found_list = self._lookup(normalize(_t2s().convert(text)))
        return tuple(sorted(found_list, key=lambda d: d.code))

    def _lookup(self, key: str) -> list[Division]:
        for tier in self._tiers:
            if key in tier:
                return tier[key]
        return []

    def resolve(self, text: str) -> Division | None:
        """The one division `text` names; None when unknown; AmbiguousPlace when several fit."""
        found = self.find(text)
        if len(found) > 1:
            raise AmbiguousPlace(text, found)
        return found[0] if found else None

    def chain(self, code: str) -> tuple[Division, ...]:
        """The division and its parents, most specific first: county, prefecture, province."""
        out: list[Division] = []
        current = self._by_code.get(code)
        while current is not None:
            out.append(current)
            current = self._by_code.get(current.parent) if current.parent else None
        return tuple(out)

    def province(self, code: str) -> Division | None:
        chain = self.chain(code)
        return chain[-1] if chain else None

    def children(self, code: str) -> tuple[Division, ...]:
        """Divisions directly under `code`, by code (a province's prefectures and 省直辖 counties)."""
        return tuple(self._children.get(code, ()))

    def describe(self, division: Division) -> str:
        """The full name with where it is: 昆山市（江苏省苏州市）; a province is just its name."""
        parents = "".join(d.name for d in reversed(self.chain(division.code)[1:]))
        return f"{division.name}（{parents}）" if parents else division.name


@functools.cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@functools.cache
def _s2t() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


def traditional(text: str) -> str:
    """A simplified name in traditional characters (OpenCC s2t), for the zh_Hant interface."""
    return str(_s2t().convert(text))


def read_divisions(path: Path | None = None) -> Divisions:
    """Read the CSV (no caching: tests use this to read other files); FLOWS_DIR's if set."""
    path = path or flows_dir() / DIVISIONS_FILE.name
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        if next(reader) != list(Division._fields):
            raise ValueError(f"{path.name}: header must be {','.join(Division._fields)}")
        rows = [
            Division(code, name, short, level, parent or None, pinyin)
            for code, name, short, level, parent, pinyin in reader
        ]
    return Divisions(rows)


@functools.cache
def load_divisions() -> Divisions:
    """The bot's table, read on first use and shared by the whole process."""
    return read_divisions()
