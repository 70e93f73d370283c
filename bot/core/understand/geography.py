"""Divisions as the flow sees them: the province and city answers a place gives, and the scope
between two places.

A typed place may be any of the ~3,200 divisions (divisions.csv). The city question offers
every division of a province (its prefectures as buttons, its counties typed), so a typed
county is kept as the answer and the engine answers with the most specific rules (county ->
prefecture -> province -> national); with a flow that lists fewer places, the nearest listed
one or "another city of the province" is the answer.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.core import ids
from bot.core.divisions import Division, Divisions
from bot.core.flow import Flow


class Geography:
    """Division codes against the flow's regions; every answer is a few dictionary reads."""

    def __init__(self, flow: Flow, divisions: Divisions) -> None:
        self.flow = flow
        self.divisions = divisions
        self._cities = {code for code, region in flow.regions.items() if region.is_city}
        self._provinces_with_cities = {r.parent for r in flow.regions.values() if r.parent}
        self._city_ids = frozenset(o.id for o in flow.question(ids.CITY).options)
        self._other_city = ids.OTHER_CITY if ids.OTHER_CITY in self._city_ids else None

    def chain(self, code: str) -> tuple[Division, ...]:
        return self.divisions.chain(code)

    def name(self, code: str) -> str:
        division = self.divisions.get(code)
        return division.name if division is not None else ""

    def province(self, code: str) -> str:
        chain = self.divisions.chain(code)
        return chain[-1].code if chain else code

    def area(self, code: str) -> str | None:
        """Roughly the 统筹区: a prefecture, a municipality, or a county right under its
        province (仙桃, 济源); None for a province, which may hold many."""
        chain = self.divisions.chain(code)
        if not chain:
            return None
        province = chain[-1]
        if _is_municipality(province):
            return province.code
        if len(chain) == 1:
            return None
        return chain[-2].code

    def is_within(self, code: str, ancestor: str) -> bool:
        """Whether `code` is `ancestor` or lies inside it."""
        return any(d.code == ancestor for d in self.divisions.chain(code))

    def compare(self, holder: str, other: str) -> str | None:
        """The scope between two places; None when the message is not precise enough."""
        if self.province(holder) != self.province(other):
            return ids.OTHER_PROVINCE
        one, two = self.area(holder), self.area(other)
        if one is None or two is None:
            return None  # "都在湖南": the same province, maybe not the same city
        return ids.SAME_AREA if one == two else ids.SAME_PROVINCE

    def city_option(self, code: str) -> str | None:
        """The city answer a place gives: the most precise division of its chain that the
        city question offers (a county, when every division is an option, so the engine
        answers with the county's rules, else its prefecture's, else its province's), or
        "another city" in a province whose cities the flow lists, or None."""
        chain = self.divisions.chain(code)
        for division in chain[:-1]:  # most precise first; the province is not a city
            if division.code in self._city_ids or division.code in self._cities:
                return division.code
        province = chain[-1].code if chain else code
        if len(chain) > 1 and province in self._provinces_with_cities:
            return self._other_city
        return None

    def answers(
        self,
        codes: Iterable[str],
        answers: dict[str, str],
        ambiguous: dict[str, tuple[str, ...]],
    ) -> None:
        """The province and city answers of one or several candidate places."""
        codes = list(codes)
        provinces = sorted({self.province(c) for c in codes})
        if len(provinces) > 1:
            ambiguous[ids.PROVINCE] = tuple(provinces)
            return
        if provinces and provinces[0] in self.flow.regions:
            answers[ids.PROVINCE] = provinces[0]
        cities = {self.city_option(c) for c in codes}
        if len(cities) == 1:
            city = cities.pop()
            if city is not None:
                answers[ids.CITY] = city
        elif cities - {None}:
            ambiguous[ids.CITY] = tuple(sorted(c for c in cities if c is not None))

    def negated_answer(self, code: str) -> tuple[str, str] | None:
        """The flow answer a place denies ("不在南京了"), when the flow offers it."""
        if code in self._cities:
            return ids.CITY, code
        if code in self.flow.regions:
            return ids.PROVINCE, code
        return None


def _is_municipality(division: Division) -> bool:
    """北京市, 上海市, 天津市, 重庆市: a province that is one city."""
    return division.level == "province" and division.name.endswith("市")
