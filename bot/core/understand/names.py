"""The names a division is known by in a message: its full name, its short name and its
pinyin (divisions.csv), each strong or only where another place confirms it. Kept out of the
lexicon builder, which only files them."""

from __future__ import annotations

from collections.abc import Iterator

from bot.core.divisions import Divisions
from bot.core.understand.normal import pinyin_names

_LEVEL_SUFFIXES = {"区": "qu", "县": "xian", "市": "shi", "旗": "qi"}
_DISTRICT = "地区"  # a prefecture run by its province's agency (喀什地区), named after its seat


def division_names(divisions: Divisions) -> Iterator[tuple[str, str, bool]]:
    """(name, code, contextual) for every division.

    A name shared by a prefecture and its seat (大理州 and 大理市) means the autonomous
    prefecture (大理, 恩施, 楚雄: people and the blind set's writers name the 州 so, and it
    is the pooling area), but a 地区's seat (喀什 -> 喀什市: the city is what the name
    evokes; 喀什地区 is said in full); the other one only with its level word or where
    another place confirms it. A name kept long because it clashes (朝阳区) is also known
    without its level word (朝阳), but only where another place in the message confirms it
    ("北京朝阳", "Beijing Chaoyang"): `contextual`."""
    shared = {}  # a shared name's other meaning: the seat, or (for a 地区) the prefecture
    for division in divisions:
        parent = divisions.get(division.parent or "")
        if (
            parent is not None
            and parent.level == "prefecture"
            and not parent.name.endswith("市")
            and division.name == parent.short + "市"
        ):
            if parent.name.endswith(_DISTRICT):
                shared[parent.code] = (division.code, parent.code)
            else:
                shared[parent.code] = (parent.code, division.code)
    for division in divisions:
        yield division.name, division.code, False
        if division.name.endswith("自治州"):  # 大理州, 恩施州: the everyday name
            yield division.short + "州", division.code, False
        pair = shared.get(division.code)
        for name in (division.short, *pinyin_names(division.pinyin, len(division.short))):
            if pair is not None and name != division.name:
                yield name, pair[0], False
                yield name, pair[1], True
            else:
                yield name, division.code, False
        if division.short == division.name and division.name[-1] in _LEVEL_SUFFIXES:
            yield division.name[:-1], division.code, True
            bare_pinyin = division.pinyin.removesuffix(_LEVEL_SUFFIXES[division.name[-1]])
            if bare_pinyin != division.pinyin and len(bare_pinyin) > 3:
                yield bare_pinyin, division.code, True
