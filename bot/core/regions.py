"""Finding a region by code or by any of its names, and the answers that select it."""

from __future__ import annotations

from bot.core import ids
from bot.core.flow import NATIONWIDE, Flow, Region
from bot.core.flowfile import normalize

_NATIONWIDE_WORDS = {normalize(w) for w in (NATIONWIDE, "全国", "nationwide", "national")}


def find_region(flow: Flow, value: str) -> Region | None:
    """A region given as a GB/T 2260 code or a name (full, short, any script, pinyin)."""
    wanted = normalize(value)
    if not wanted:
        return None
    for region in flow.regions.values():
        names = (
            region.code,
            region.name,
            region.short,
            region.en,
            region.hant,
            region.hant_short,
            *region.aliases,
        )
        if wanted in {normalize(n) for n in names}:
            return region
    return None


def region_answers(flow: Flow, code: str) -> dict[str, str]:
    """The province/city answers that select a region (a province with cities: 'other city')."""
    region = flow.regions.get(code)
    if region is None:
        return {ids.PROVINCE: NATIONWIDE}
    if region.parent:
        return {ids.PROVINCE: region.parent, ids.CITY: region.code}
    has_cities = any(r.parent == region.code for r in flow.regions.values())
    return {ids.PROVINCE: region.code, **({ids.CITY: ids.OTHER_CITY} if has_cities else {})}


def is_nationwide(value: str) -> bool:
    return normalize(value) in _NATIONWIDE_WORDS
