"""Places in a message: which one is the account's, whose the others are, and the scope.

A message may name several places ("我在长春工作但是医保在吉林市", "我妈在长春"); cues around
each say whether it is where the account is insured, where the speaker happens to be, a
hometown, or where a relative is. Comparing the account's place with a relative's gives the
scope (same city, same province, another province).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.core.flow import Flow, Region
from bot.core.understand.lexicon import Grammar, Lexicon, Sense, is_municipality
from bot.core.understand.matcher import Hit, Id, Message

CUE_REACH = 3  # "医保是老家湖南的": a cue word may sit this many characters before a region
HOLDER, RELATIVE, TOGETHER = "holder", "relative", "together"
OFFSITE = "offsite_care"  # the item for care away from where the account is
OTHER_CITY = "other"  # the city option "省内其他城市"
Sorter = Callable[[str, Iterable[str]], tuple[str, ...]]


@dataclass(frozen=True)
class Evidence:
    """A sense found in the message; `own` is False for "我妈在外地" (about a relative)."""

    hit: Hit
    sense: Sense
    own: bool = True


@dataclass
class Place:
    """A region named in the message and what it seems to be."""

    index: int  # of its hit in the message
    hit: Hit
    code: str
    score: int  # how likely it is the account's region (see _region_score)
    role: str  # HOLDER, RELATIVE (where a relative is) or TOGETHER (where both are)


class Places:
    """Reads the places of a message against the flow's regions."""

    def __init__(
        self, flow: Flow, lexicon: Lexicon, care_items: frozenset[str], sort: Sorter
    ) -> None:
        self.flow = flow
        self.lexicon = lexicon
        self._care_items = care_items
        self._sorted = sort
        self._provinces_with_cities = {r.parent for r in flow.regions.values() if r.parent}
        # The city option for "a city of the province not listed in regions.yaml".
        city_ids = {o.id for o in flow.question("city").options}
        self._other_city = OTHER_CITY if OTHER_CITY in city_ids else None

    def find(self, message: Message) -> list[Place]:
        places = []
        for index, hit in enumerate(message.hits):
            code = hit.region
            if code is not None:
                score = self._region_score(message, index)
                role = self._region_role(message, index)
                places.append(Place(index, hit, code, score, role))
        # "长春还是吉林市的个账": places joined by 和/还是/或者 share their cues.
        for left, right in itertools.pairwise(places):
            gap = message.text[left.hit.end : right.hit.start].strip()
            if gap in self.lexicon.coordinators:
                left.score = right.score = max(left.score, right.score)
        return places

    def resolve_region(
        self,
        places: list[Place],
        answers: dict[str, str],
        ambiguous: dict[str, tuple[str, ...]],
        negated: dict[str, tuple[str, ...]],
    ) -> None:
        """Province and city of the account: a city implies its province."""
        scored: dict[Id, int] = {}
        denied: set[str] = set()
        for place in places:
            ident = place.hit.place
            if place.hit.negated:
                if not ident[1]:  # "不在南京了" says nothing about all of 江苏
                    denied.add(place.code)
            elif place.role != RELATIVE:
                scored[ident] = max(place.score, scored.get(ident, place.score))
        for code in sorted(denied - {code for code, _ in scored}):
            slot = "city" if self.flow.regions[code].is_city else "province"
            negated[slot] = (*negated.get(slot, ()), code)
        if scored:
            self._pick_region(scored, answers, ambiguous)

    def _pick_region(
        self,
        scored: Mapping[Id, int],
        answers: dict[str, str],
        ambiguous: dict[str, tuple[str, ...]],
    ) -> None:
        """The best-cued province wins; several equally cued ones are asked about."""
        groups: dict[str, int] = {}
        for (code, _), score in scored.items():
            province = self.flow.regions[code].parent or code
            groups[province] = max(score, groups.get(province, score))
        best = max(groups.values())
        provinces = sorted(p for p, s in groups.items() if s == best)
        if len(provinces) > 1:
            ambiguous["province"] = tuple(provinces)
            return
        province = answers["province"] = provinces[0]
        cities: dict[str, int] = {}
        for (code, unlisted), score in scored.items():
            city = self._city_option(province, code, unlisted)
            if city is not None:
                cities[city] = max(score, cities.get(city, score))
        if cities:
            top = max(cities.values())
            named = self._sorted("city", (c for c, s in cities.items() if s == top))
            if len(named) == 1:
                answers["city"] = named[0]
            else:
                ambiguous["city"] = named

    def _city_option(self, province: str, code: str, unlisted: str) -> str | None:
        """The city answer a place gives: its own code, or 'other' for 南京 in 江苏."""
        if self.flow.regions[code].parent == province:
            return code
        if unlisted and code == province and province in self._provinces_with_cities:
            return self._other_city
        return None

    def _region_score(self, message: Message, index: int) -> int:
        """2: said with an insurance word; -1: a hometown; 1: where the speaker is; else 0."""
        hit = message.hits[index]
        before = message.text[self._floor(message, index) : hit.start]
        after = message.text[hit.end : hit.end + 8]
        lex = self.lexicon
        grammar = lex.grammar
        if _cue_before(before, lex.insurance_cues) or _cue_after(
            after, lex.insurance_cues, grammar.possessive
        ):
            return 2
        if _cue_before(before, lex.origin_cues) or _is_origin(after, grammar):
            return -1
        if _cue_before(before, lex.speaker_cues, reach=1):
            return 1
        return 0

    def _region_role(self, message: Message, index: int) -> str:
        """Whose place is it: "我妈在长春" is the mother's, "我俩都在广州" is both's."""
        hit = message.hits[index]
        before = message.text[self._floor(message, index) : hit.start]
        if _cue_before(before, self.lexicon.together_cues, reach=0):
            return TOGETHER
        following = message.hits[index + 1] if index + 1 < len(message.hits) else None
        if (
            following is not None
            and is_other_person(following)
            and message.text[hit.end : following.start] in self.lexicon.grammar.possessive
        ):
            return RELATIVE  # "我在青岛的老婆"
        previous = message.hits[index - 1] if index else None
        if (
            previous is not None
            and previous.clause == hit.clause
            and is_other_person(previous)
            and message.text[previous.end : hit.start] in self.lexicon.grammar.location_gaps
        ):
            return RELATIVE
        return HOLDER

    @staticmethod
    def _floor(message: Message, index: int) -> int:
        """Where the text that belongs to a place starts: its clause, after any earlier place."""
        hit = message.hits[index]
        floor = message.clause_start(hit)
        for previous in reversed(message.hits[:index]):
            if previous.clause != hit.clause:
                break
            if previous.region is not None:
                return max(floor, previous.end)
        return floor

    @staticmethod
    def holder_place(places: Sequence[Place], answers: Mapping[str, str]) -> Id | None:
        """The account's place, as precisely as the message names it."""
        if answers.get("city", OTHER_CITY) != OTHER_CITY:
            return answers["city"], ""
        province = answers.get("province")
        if province is None:
            return None
        own = [p for p in places if p.role != RELATIVE and not p.hit.negated and p.code == province]
        best = max((p.score for p in own), default=0)
        unlisted = {p.hit.place for p in own if p.score == best and p.hit.place[1]}
        return unlisted.pop() if len(unlisted) == 1 else (province, "")

    def scope(self, places: Sequence[Place], holder: Id | None) -> list[Evidence]:
        """Where a relative is, compared with the account's place, says the scope."""
        found = []
        for place in places:
            if place.hit.negated:
                continue
            if place.role == TOGETHER:
                scope = self._compare(place.hit.place, place.hit.place)
            elif place.role == RELATIVE and holder is not None:
                scope = self._compare(holder, place.hit.place)
            else:
                continue
            if scope is not None:
                found.append(Evidence(place.hit, Sense("scope", (scope,))))
        return found

    def offsite(
        self, message: Message, places: Sequence[Place], holder: Id | None
    ) -> list[Evidence]:
        """Care in a place other than the account's is offsite: "我三门县参保的，在杭州看病"."""
        if holder is None or not self._care_items:
            return []
        best = max(p.score for p in places)
        found = []
        for place in places:
            if place.role == RELATIVE or place.hit.negated or place.score >= best:
                continue
            if self._compare(holder, place.hit.place) not in ("same_province", "other_province"):
                continue
            following = message.hits[place.index + 1 : place.index + 2]
            if following and self._is_care_right_after(message, place.hit, following[0]):
                found.append(Evidence(following[0], Sense("item", (OFFSITE,))))
        return found

    def _is_care_right_after(self, message: Message, place: Hit, hit: Hit) -> bool:
        items = {o for s in hit.senses("item") for o in s.options}
        near = hit.clause == place.clause and hit.start - place.end <= 2
        return near and bool(items) and items <= self._care_items

    def _compare(self, holder: Id, other: Id) -> str | None:
        """The scope between two places; None when the message is not precise enough."""
        one, two = self.flow.regions[holder[0]], self.flow.regions[other[0]]
        if (one.parent or one.code) != (two.parent or two.code):
            return "other_province"
        if not (_is_one_area(one, holder) and _is_one_area(two, other)):
            return None  # "都在湖南": the same province, maybe not the same city
        return "same_area" if holder == other else "same_province"

    # --- other slots --------------------------------------------------------------------------


def _is_one_area(region: Region, place: Id) -> bool:
    """A city (listed or not) or a municipality: roughly one 统筹区."""
    return region.is_city or bool(place[1]) or is_municipality(region)


def is_other_person(hit: Hit) -> bool:
    """A relative other than the speaker (本人 and 我自己 are the speaker)."""
    return any("self" not in s.options for s in hit.senses("relative"))


def _cue_before(before: str, cues: Iterable[str], reach: int = CUE_REACH) -> bool:
    for cue in cues:
        at = before.rfind(cue)
        if at >= 0 and len(before) - (at + len(cue)) <= reach:
            return True
    return False


def _cue_after(after: str, cues: Iterable[str], possessive: Iterable[str]) -> bool:
    rest = after
    for particle in possessive:
        rest = rest.removeprefix(particle)
    return any(rest.startswith(cue) for cue in cues)


def _is_origin(after: str, grammar: Grammar) -> bool:
    """A region followed by 人 and a pause is a hometown ("我是湖南人，在深圳上班"), not
    人社/人民医院."""
    for suffix in grammar.origin_suffix:
        if after.startswith(suffix):
            rest = after[len(suffix) :]
            return not rest or not rest[0].isalnum() or rest.startswith(grammar.origin_followers)
    return False
