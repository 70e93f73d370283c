"""Places in a message: which one is the account's, whose the others are, and the scope.

A message may name several places ("我在长春工作但是医保在吉林市", "我医保在杭州，她医保在河北");
cues around each say whether it is where the account is insured, where the speaker happens to
be, or a hometown, and the sentence's subject says whose place it is: the speaker's (我, I), a
relative's (我妈, 她, she) or both's (我和老婆都在, 也在). Comparing the account's place with a
relative's gives the scope (same city, same province, another province).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core import ids
from bot.core.understand.cues import cue_after, cue_before, introduces, is_origin
from bot.core.understand.geography import Geography
from bot.core.understand.lexicon import Lexicon, Sense
from bot.core.understand.matcher import Hit, Message
from bot.core.understand.owner import is_other_person
from bot.core.understand.shared import SharedNamePicker, spoken_in
from bot.core.understand.together import (
    insured_there,
    me_too_after,
    said_of_us,
    they_there,
    they_too,
)

HOLDER, RELATIVE, TOGETHER = "holder", "relative", "together"
SPEAKER, OTHER, BOTH = "speaker", "other", "both"
INSURED = 2  # the score of a place said with an insurance word
GONE = -2  # the score of a place one goes to or stays at for a while: never the account's
HOMETOWN = -1  # ... of a hometown (or where the card is only used): the account's if alone
_QUALIFIER_GAPS = frozenset({",", "，", "、"})  # "Guyuan, Ningxia": the second says which


@dataclass(frozen=True)
class Evidence:
    """A sense found in the message; `own` is False for "我妈在外地" (about a relative)."""

    hit: Hit
    sense: Sense
    own: bool = True
    # Only narrows what other evidence found: "都在江苏" (same city or same province) makes
    # "不在一个城市" the same province, but says nothing by itself.
    narrows: bool = False


@dataclass
class Place:
    """A region named in the message and what it seems to be."""

    index: int  # of its hit in the message
    hit: Hit
    codes: tuple[str, ...]  # the divisions it may be (several: 通州, taizhou)
    score: int  # how likely it is the account's region (see _region_score)
    role: str  # HOLDER, RELATIVE (where a relative is) or TOGETHER (where both are)
    alternatives: tuple[str, ...] = ()  # ... if another place confirms one (北京朝阳)
    pair: tuple[str, ...] = ()  # the other place of "一个在A一个在B" (each.py)


@dataclass(frozen=True)
class Region:
    """The account's place: one division, or the candidates when the name fits several."""

    codes: tuple[str, ...] = ()

    @property
    def code(self) -> str | None:
        return self.codes[0] if len(self.codes) == 1 else None


class Places:
    """Reads the places of a message against the divisions and the flow's regions."""

    def __init__(self, geography: Geography, lexicon: Lexicon) -> None:
        self.geo = geography
        self.lexicon = lexicon
        self.shared = SharedNamePicker(geography, lexicon.shared_names, lexicon.grammar)

    def find(self, message: Message) -> list[Place]:
        places = []
        for index, hit in enumerate(message.hits):
            if hit.places or hit.context_places:
                score = self._region_score(message, index)
                role = self._region_role(message, index)
                places.append(Place(index, hit, hit.places, score, role, hit.context_places))
        for place in places:
            codes = self.shared.by_level(message, place.hit, (*place.codes, *place.alternatives))
            place.codes = codes or place.codes
            inside = self.shared.named_inside(message, place.hit, place.codes)
            place.codes = (inside,) if inside else place.codes  # "太原小店": 小店区
            if self.shared.is_town(message, place.hit):  # "东莞长安镇" is no 长安区
                place.codes = place.alternatives = ()
        self._narrow(message, places)
        places = [p for p in places if p.codes]
        # "重庆江北…也在江北": a name said again short is the same place.
        for index, place in enumerate(places):
            key = place.hit.word.key
            for earlier in places[:index]:
                if earlier.hit.word.key != key and earlier.hit.word.key.endswith(key):
                    place.codes = earlier.codes
        for left, right in itertools.pairwise(places):
            gap = message.text[left.hit.end : right.hit.start].strip()
            # "长春还是吉林市的个账": places joined by 和/还是/或者 share their cues; so do
            # "江苏苏州常熟", one inside the next.
            if gap in self.lexicon.coordinators or (not gap and self._nested(left, right)):
                # A cue said of one is said of both: "老家湖北黄冈的" is a hometown too.
                scores = {left.score, right.score} - {0} or {0}
                left.score = right.score = max(scores)
                if not gap:  # "我哋兩公婆都喺佛山南海": one place, said of the same people
                    right.role = left.role
            elif gap in _QUALIFIER_GAPS and self._within(left, right):
                # "He was insured in Guyuan, Ningxia": the province after a comma only says
                # which Guyuan; it is the same place, said of the same person.
                right.score, right.role = left.score, left.role
        for index, place in enumerate(places):
            # "女儿在大理读书，医保也在大理": 也 is "there too", said of her, not "like me";
            # "她在岳阳，我也在岳阳" is like me.
            if (
                place.role == TOGETHER
                and any(p.role == RELATIVE and p.codes == place.codes for p in places[:index])
                and self._clause_subject(message, place.hit) not in (SPEAKER, BOTH)
                and not self._like_me(message, place.hit)
            ):
                place.role = RELATIVE
            # "爷爷在老家绥化，医保在绥化，我在大庆": the same place again, said of no one, is
            # still the relative's.
            if (
                place.role == HOLDER
                and any(
                    p.role == RELATIVE
                    and p.codes == place.codes
                    and p.hit.clause < place.hit.clause
                    for p in places[:index]
                )
                and self._clause_subject(message, place.hit) is None
            ):
                place.role = RELATIVE
            following = places[index + 1].hit.start if index + 1 < len(places) else None
            # "He's in Lanzhou, me too", "佢係東莞醫保，我都係".
            if place.role == RELATIVE and me_too_after(
                message.text[place.hit.end : following], self.lexicon.grammar
            ):
                place.role = TOGETHER
            # "I'm insured in Jiaxing, baby too", "宝宝也是": the relative is there as well.
            if place.role == HOLDER and they_too(
                message, place.hit.end, following or len(message.text), self.lexicon.grammar
            ):
                place.role = TOGETHER
        return places

    def _together_after(self, message: Message, hit: Hit) -> bool:
        """ "she's insured in Suzhou too", "他医保也是苏州的"; not "我妈在阿克苏市也是职工医保",
        where 也 says the same scheme, not the same place."""
        rest = message.text[hit.end : hit.end + 12]
        said = rest.lstrip()
        if not said.startswith(self.lexicon.together_after):  # one test for the whole list
            return False
        word = next(w for w in self.lexicon.together_after if said.startswith(w))
        at = hit.end + len(rest) - len(said) + len(word)
        return not any(h.start == at and h.senses(ids.INSURANCE) for h in message.hits)

    def they_both(self, message: Message, hit: Hit, kin: bool = False) -> bool:
        """ "they're both insured in", "他们一家都在" (with `kin`, "my parents are both in"): the
        relatives' place, not the speaker's too (together.py)."""
        start = message.clause_start(hit)
        of_others = kin and self.subject(message, start, hit.start) == OTHER
        return they_there(message, hit, self.lexicon.grammar, of_others)

    def _like_me(self, message: Message, hit: Hit) -> bool:
        """ "his insurance is also Xi'an like mine": compared with the speaker's."""
        after = message.text[hit.end : hit.end + 16].lstrip(" ,，")
        return after.startswith(self.lexicon.grammar.like_me)

    def _clause_subject(self, message: Message, hit: Hit) -> str | None:
        return self.subject(message, message.clause_start(hit), hit.start)

    def _within(self, inner: Place, outer: Place) -> bool:
        return bool(inner.codes) and all(
            any(self.geo.is_within(c, o) for o in outer.codes) for c in inner.codes
        )

    def _nested(self, one: Place, two: Place) -> bool:
        return any(
            self.geo.is_within(a, b) or self.geo.is_within(b, a)
            for a in one.codes
            for b in two.codes
        )

    def _narrow(self, message: Message, places: list[Place]) -> None:
        """Another place in the message picks the candidate: "Taizhou, Jiangsu", "长春朝阳区";
        else a neighbouring name that fits only one way: "Suzhou Wujiang"."""

        @functools.cache
        def spoken() -> frozenset[str]:
            return spoken_in(message, self.lexicon.shared_names.dialects)

        for index, place in enumerate(places):
            if len(place.codes) < 2 and not place.alternatives:
                continue
            single = {c for p in places if p is not place and len(p.codes) == 1 for c in p.codes}
            near = {
                c
                for p in places[max(index - 1, 0) : index + 2]
                if p is not place and self._touching(message, p, place)
                for c in p.codes
            }
            # A province's name stays the province unless a neighbour says otherwise: "天津河北"
            # is 河北区, "身份证是河北的，医保在天津" is not.
            province = len(place.codes) == 1 and self.geo.province(place.codes[0]) == place.codes[0]
            # A neighbour first: "阿克苏库车" is 阿克苏地区 whatever 阿克苏市 is said later.
            for others in (near,) if province else (near, single):
                fitting = self._fitting(place, others)
                if fitting:
                    place.codes = fitting
                    break
            else:  # a city or province around, or the dialect (shared.py)
                if len(place.codes) > 1:
                    place.codes = self.shared.pick(place.codes, single, spoken())

    @staticmethod
    def _touching(message: Message, one: Place, two: Place) -> bool:
        """Named side by side: "Suzhou Wujiang", "天津河北"."""
        first, second = sorted((one, two), key=lambda p: p.hit.start)
        return not message.text[first.hit.end : second.hit.start].strip(" ,")

    def _fitting(self, place: Place, others: set[str]) -> tuple[str, ...]:
        # The name's first meanings before its contextual ones: "湖南长沙" is 长沙市, though
        # 长沙县 lies in 湖南 too.
        for candidates in (place.codes, place.alternatives):
            fitting = tuple(
                c
                for c in candidates
                if any(self.geo.is_within(c, o) or self.geo.is_within(o, c) for o in others)
            )
            if fitting:
                return fitting
        return ()

    # --- the account's place ------------------------------------------------------------------

    def resolve_region(
        self,
        places: list[Place],
        answers: dict[str, str],
        ambiguous: dict[str, tuple[str, ...]],
        negated: dict[str, tuple[str, ...]],
        relatives_too: bool = False,
    ) -> Region:
        """The account's place, and the province and city answers it gives (`relatives_too`:
        the relative is the account holder, as when the holder has died)."""
        own = [
            p
            for p in places
            if not p.hit.negated and p.score > GONE and (relatives_too or p.role != RELATIVE)
        ]
        region = self._pick(own)
        if region.codes:
            self.geo.answers(region.codes, answers, ambiguous)
        chosen = set(region.codes)
        for place in places:
            # "我唔系广东人": a hometown denied says nothing about the account.
            if (
                place.hit.negated
                and place.score >= 0
                and len(place.codes) == 1
                and place.codes[0] not in chosen
            ):
                denied = self.geo.negated_answer(place.codes[0])
                if denied is not None:
                    slot, code = denied
                    negated[slot] = (*negated.get(slot, ()), code)
        return region

    def _pick(self, own: Sequence[Place]) -> Region:
        """The best-cued place wins, made precise by any place named inside it ("江苏…常熟");
        several equally cued places that are not one inside another are asked about."""
        if not own:
            return Region()
        best = max(p.score for p in own)
        chosen = {c for p in own if p.score == best for c in p.codes}
        inside = {
            c
            for p in own
            if p.score != best and len(p.codes) == 1
            for c in p.codes
            if any(self.geo.is_within(c, top) for top in chosen)
        }
        chosen |= inside
        # Keep the most precise: 常熟 over 苏州 over 江苏.
        precise = {
            c for c in chosen if not any(o != c and self.geo.is_within(o, c) for o in chosen)
        }
        return Region(tuple(sorted(precise)))

    # --- whose place --------------------------------------------------------------------------

    def _region_score(self, message: Message, index: int) -> int:
        """3: the message opens with it ("仙桃的，…"); 2: said with an insurance word;
        -1: a hometown; GONE: where one goes or stays a while; 1: where the speaker is; else 0."""
        hit = message.hits[index]
        before = message.text[self._floor(message, index) : hit.start]
        after = message.text[hit.end : hit.end + (20 if hit.word.key.isascii() else 8)]
        lex = self.lexicon
        grammar = lex.grammar
        if introduces(message.text, hit, grammar.possessive):
            return 3
        # "个账在燕郊药店", "account in Shanghai hospitals"
        used_there = after.lstrip().removeprefix("的").startswith(grammar.use_places)
        if insured_there(message, index, grammar):
            return INSURED  # "my brother is in hospital in Hefei and insured there"
        if before.rstrip().endswith(grammar.used_in):
            return -1  # "can I use my yibao in Shanghai?": where it is used, not insured
        if (
            cue_before(before, lex.insurance_cues, gaps=grammar.location_gaps, words=grammar)
            and not used_there
        ) or cue_after(after, lex.insurance_cues, (*grammar.possessive, *grammar.for_me)):
            return INSURED  # "长春的医保", "公司在广州给我交的医保", "Hangzhou pays my yibao"
        stays = after.startswith(grammar.sojourn) or cue_before(before, grammar.sojourn_before, 0)
        goes = cue_before(before, lex.elsewhere_cues, reach=0)
        if stays or (goes and not cue_before(before, grammar.returning, reach=0)):
            return GONE  # where one goes or stays: "要去北京住院", "在三亚过冬", "moving to"
        if (
            cue_before(before, lex.origin_cues)
            or is_origin(after, grammar)
            or cue_before(before, grammar.returning, reach=0)
        ):
            return -1  # a hometown, or where one goes back to: "老家湖南的", "回泉州了"
        if cue_before(before, lex.speaker_cues, reach=1):
            return 1
        return 0

    def _region_role(self, message: Message, index: int) -> str:
        """Whose place is it: "我妈在长春" is the mother's, "我俩都在广州" is both's."""
        hit = message.hits[index]
        before = message.text[self._floor(message, index) : hit.start]
        if (
            cue_before(before, self.lexicon.together_cues, reach=0)
            or self._together_after(message, hit)
            or self._like_me(message, hit)
            or said_of_us(before, self.lexicon.grammar)
        ):
            # "They're both insured in Shantou, I'm in Guangzhou": both of them, not with me.
            return RELATIVE if self.they_both(message, hit, kin=True) else TOGETHER
        last = hit  # "老家河北保定的我妈": the places named one inside the next, then 的
        for inner in message.hits[index + 1 :]:
            if not (inner.places or inner.context_places) or inner.start > last.end:
                break
            last = inner
        following = next((h for h in message.hits if h.start >= last.end), None)
        if (
            following is not None
            and is_other_person(following)
            and message.text[last.end : following.start] in self.lexicon.grammar.possessive
        ):
            return RELATIVE  # "我在青岛的老婆"
        if cue_before(before, self.lexicon.holder_cues, reach=0):
            return HOLDER  # "my step-mum lives with us in Chengdu"
        previous = message.hits[index - 1] if index > 0 else None
        if (
            previous is not None
            and is_other_person(previous)
            and message.text[previous.end : hit.start].strip() in self.lexicon.grammar.relative_in
        ):
            return RELATIVE  # "for my mother in Shanghai", "my son who lives in Hefei"
        if before.rstrip().endswith(self.lexicon.grammar.treated_in) and any(
            is_other_person(h) or h.person == "third_person"
            for h in message.hits[: message.hits.index(hit)]
        ):  # "it's for my mother-in-law: can I pay her hospital bill in Xi'an"
            return RELATIVE  # where she is treated, not where the account is
        subject = self.subject(message, message.clause_start(hit), hit.start)
        if subject is None and hit.clause > 0:
            lead = message.text[message.clause_start(hit) : hit.start].strip()
            start = message.clause_starts[hit.clause - 1]
            # "我哥是居民医保，参保在奎屯": where someone's scheme was just named continues it.
            earlier = [h for h in message.hits if start <= h.start < message.clause_start(hit)]
            # "我媽七十幾歲了，醫保在餘姚": a clause only about someone, then where "the
            # insurance" is (not "my kid's swimming classes? Insured in Foshan").
            if lead.startswith(self.lexicon.grammar.continues_subject) or (
                lead.startswith(self.lexicon.insurance_cues)
                and (
                    any(h.senses(ids.INSURANCE) for h in earlier)
                    or not any(h.places or h.senses(ids.ITEM) for h in earlier)
                )
            ):
                subject = self.subject(message, start, message.clause_start(hit))
        lead = message.text[message.clause_start(hit) : hit.start].strip()
        if (  # "给我妈买药，都是济南的", "我老婆是新农合，我是职工，都在丰城": the two of us
            subject in (None, SPEAKER)
            and hit.clause > 0
            and lead.startswith(self.lexicon.grammar.all_of_us)
            and any(is_other_person(h) for h in message.hits if h.end <= hit.start)
        ):
            return TOGETHER
        return {OTHER: RELATIVE, BOTH: TOGETHER}.get(subject or SPEAKER, HOLDER)

    def subject(
        self, message: Message, lo: int, hi: int, beneficiaries: bool = False
    ) -> str | None:
        """Who text[lo:hi] speaks of last: SPEAKER (我, I), OTHER (a relative, 她, she), BOTH
        ("我和老婆都…", "my wife and I"), or None when it names no one. A relative the money
        is for ("给我妈", "for my son") is not where anyone is, unless `beneficiaries`."""
        persons: list[tuple[str, int, int]] = []  # (who, start, end)
        for hit in message.hits:
            if hit.start < lo or hit.end > hi:
                continue
            if hit.senses(ids.RELATIVE):
                if not beneficiaries and self.is_beneficiary(message, hit):
                    continue
                who, start = (OTHER if is_other_person(hit) else SPEAKER), hit.start
                if persons and persons[-1][0] == SPEAKER and who == OTHER:
                    gap = message.text[persons[-1][2] : hit.start].strip()
                    if gap in self.lexicon.grammar.possessive or not gap:
                        start = persons.pop()[1]  # "我老妈", "my mum": not the speaker
                persons.append((who, start, hit.end))
            elif hit.person is not None:
                who = SPEAKER if hit.person == "first_person" else OTHER
                persons.append((who, hit.start, hit.end))
        if not persons:
            return None
        who, start, _ = persons[-1]
        if len(persons) > 1:
            previous_who, _, previous_end = persons[-2]
            gap = message.text[previous_end:start].strip()
            if previous_who != who and gap in self.lexicon.coordinators:
                return BOTH
        return who

    def is_beneficiary(self, message: Message, hit: Hit) -> bool:
        grammar = self.lexicon.grammar
        before = message.lead_in(hit, grammar.self_possessive)
        for marker in grammar.beneficiary:
            if before.endswith(marker):
                edge = len(before) - len(marker) - 1
                if not marker.isascii() or edge < 0 or not before[edge].isalnum():
                    return True
        return False

    @staticmethod
    def _floor(message: Message, index: int) -> int:
        """Where the text that belongs to a place starts: its clause, after any earlier place."""
        hit = message.hits[index]
        floor = message.clause_start(hit)
        for previous in reversed(message.hits[:index]):
            if previous.clause != hit.clause:
                break
            if previous.places:
                return max(floor, previous.end)
        return floor
