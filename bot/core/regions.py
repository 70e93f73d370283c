"""Finding a place by code or by any of its names, the answers that select it, and its names.

A place is any division of `flows/divisions.csv` (see bot/core/divisions.py); regions.yaml adds
the names people use for the provinces and the cities with rules (English, abbreviations such as
京, traditional forms), which are tried when the divisions know nothing by that name.
"""

from __future__ import annotations

from bot.core import ids
from bot.core.divisions import AmbiguousPlace, Division, traditional
from bot.core.flow import NATIONWIDE, Flow, Region
from bot.core.flowfile import normalize

_NATIONWIDE_WORDS = {normalize(w) for w in (NATIONWIDE, "全国", "nationwide", "national")}
# Codes a stored session or group setting may still hold, and the division that replaced them.
RETIRED = {"469031": "469026"}  # 昌江黎族自治县: 469031 was never its code (469026 is)

__all__ = ["RETIRED", "AmbiguousPlace", "find_place", "find_region", "region_answers"]


def find_region(flow: Flow, value: str) -> Region | None:
    """A region of regions.yaml by code or any of its names (full, short, any script, alias)."""
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


def find_place(flow: Flow, value: str) -> Division | None:
    """The one division `value` names (code, full or short name, pinyin, traditional), else None.

    Raises AmbiguousPlace when several divisions fit (suzhou, 鼓楼区, 昌江): the caller lists
    them and asks, it never picks one.
    """
    value = RETIRED.get(value.strip(), value)
    found = flow.divisions.resolve(value)
    if found is None:
        region = find_region(flow, value)  # Inner Mongolia, 京, Shaanxi, ...
        found = flow.divisions.get(region.code) if region is not None else None
    return found


def candidates_text(flow: Flow, error: AmbiguousPlace) -> str:
    """The candidates of an ambiguous name on one line: 苏州市（江苏省） 320500、宿州市（安徽省） 341300."""
    return "、".join(f"{flow.divisions.describe(d)} {d.code}" for d in error.candidates)


def region_answers(flow: Flow, code: str) -> dict[str, str]:
    """The province/city answers that select a place (a province alone: 'other city')."""
    code = RETIRED.get(code, code)
    chain = flow.divisions.chain(code)
    if not chain or chain[-1].code not in flow.regions:
        return {ids.PROVINCE: NATIONWIDE}
    province = chain[-1].code
    if len(chain) > 1:
        return {ids.PROVINCE: province, ids.CITY: code}
    has_cities = bool(flow.question(ids.CITY).listed_options({ids.PROVINCE: province}))
    return {ids.PROVINCE: province, **({ids.CITY: ids.OTHER_CITY} if has_cities else {})}


def place_label(flow: Flow, code: str, locale: str, short: bool = True) -> str:
    """A place's name in the locale: regions.yaml's names where it has them, else generated
    (traditional characters through OpenCC, English as the capitalised pinyin)."""
    region = flow.regions.get(code)
    if region is not None:
        return region.label(locale, short)
    place = flow.divisions.get(code)
    if place is None:
        return code
    name = place.short if short else place.name
    if locale == "en":
        return place.pinyin.title()
    if locale == "zh_Hant":
        return traditional(name)
    return name


def is_nationwide(value: str) -> bool:
    return normalize(value) in _NATIONWIDE_WORDS
