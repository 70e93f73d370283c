"""Where a relative is compared with the account's place (the scope), and care in a place
other than the account's (offsite care): both read from the places found (places.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.core import ids
from bot.core.model import Condition
from bot.core.understand.geography import Geography
from bot.core.understand.lexicon import Lexicon, Sense
from bot.core.understand.matcher import Hit, Message
from bot.core.understand.places import GONE, INSURED, RELATIVE, TOGETHER, Evidence, Place, Region

FIRST = "first_person"
OFFSITE_REACH = 6  # characters between a place and the care named there: "燕郊的药店"


class Away:
    """The scope and offsite care of a message's places."""

    def __init__(self, geography: Geography, lexicon: Lexicon, care_items: frozenset[str]) -> None:
        self.geo = geography
        self.lexicon = lexicon
        self._care_items = care_items

    def scope(self, message: Message, places: Sequence[Place], holder: Region) -> list[Evidence]:
        """Where a relative is, compared with the account's place, says the scope; where they
        are insured outweighs where they live ("我弟也在泉州但医保在厦门"); where they are
        treated says nothing ("娃在郑州住院")."""
        theirs = [
            p
            for p in places
            if p.role in (TOGETHER, RELATIVE)
            and not p.hit.negated
            and not (
                p.role == RELATIVE
                and p.score < INSURED
                and self._treated_there(message, p)
                and not self._hometown(message, p)
            )
            and not (
                p.role == RELATIVE and p.score < INSURED and self._studies_away(message, p, holder)
            )
        ]
        if holder.code is None:  # "我和老公医保一个在温州一个在丽水": the two compared
            pairs = {self.geo.compare(p.codes[0], p.pair[0]) for p in places if _paired(p)}
            scope = pairs.pop() if len(pairs) == 1 else None
            if scope is not None:
                return [Evidence(places[0].hit, Sense(ids.SCOPE, (scope,)))]
        insured = [e for p in theirs if p.score >= INSURED for e in self._compared(p, holder)]
        if any(not e.narrows for e in insured):
            return insured
        return [e for p in theirs for e in self._compared(p, holder)]

    def _studies_away(self, message: Message, place: Place, holder: Region) -> bool:
        """ "闺女在石家庄上大学，我在唐山", "my daughter studies in Xiamen": where they study away
        from the account's place, unless they are then said to be insured there or through the
        school (学校交的, "he has resident insurance there"), before the speaker speaks again."""
        grammar = self.lexicon.grammar
        if holder.code is not None and any(
            self.geo.compare(holder.code, c) == ids.SAME_AREA for c in place.codes
        ):
            return False  # "闺女在银川上小学" with the account in 银川: she lives at home
        # ... up to the speaker or the next place: "studies in Wuhan but her insurance is with
        # mine back in Yichang" (Yichang's words)
        speaker = (
            h.start
            for h in message.hits
            if h.start > place.hit.end and (h.person == FIRST or h.places)
        )
        after = message.text[place.hit.end : next(speaker, len(message.text))]
        before = message.text[message.clause_start(place.hit) : place.hit.start].rstrip()
        near = after[:8].lstrip()
        for particle in grammar.possessive:
            near = near.removeprefix(particle)
        studies = near.startswith(grammar.studying) or before.endswith(grammar.studying_in)
        return studies and not any(w in after for w in grammar.school_insured)

    def _hometown(self, message: Message, place: Place) -> bool:
        """ "我妈在老家信阳住院": treated in her hometown, where she lives and is insured."""
        before = message.text[message.clause_start(place.hit) : place.hit.start].rstrip()
        return before.endswith(self.lexicon.origin_cues)

    def _treated_there(self, message: Message, place: Place) -> bool:
        """ "娃在郑州住院", "我妈在长沙的医院", "is in hospital in Yantai"."""
        grammar = self.lexicon.grammar
        after = message.text[place.hit.end : place.hit.end + 8].lstrip()
        for particle in grammar.possessive:
            after = after.removeprefix(particle).lstrip()
        before = message.text[message.clause_start(place.hit) : place.hit.start].rstrip()
        following = message.hits[place.index + 1 : place.index + 2]
        treated_next = bool(following) and (
            following[0].clause == place.hit.clause
            and following[0].start - place.hit.end <= 8
            and message.text[following[0].start :].startswith(grammar.use_places)
        )
        return (
            # "娃在郑州住院", "我爸在北京301住院了" (the next word, a few characters on)
            after.startswith(grammar.use_places)
            or treated_next
            or before.endswith(grammar.treated_in)
            or before.endswith(grammar.visiting)  # "她来厦门玩": not where she is insured
        )

    def _compared(self, place: Place, holder: Region) -> list[Evidence]:
        if holder.code is None:
            # "我俩都在广州": together, wherever that is; so is the same shared name said twice
            # ("my husband's account is in Suzhou ... son is insured in Suzhou too").
            same_name = bool(holder.codes) and set(place.codes) == set(holder.codes)
            scope = ids.SAME_AREA if place.role == TOGETHER or same_name else None
        else:
            # Two places compared outweigh 也: "南通的…她医保也在苏州" is same province.
            scopes = {self.geo.compare(holder.code, c) for c in place.codes}
            scope = scopes.pop() if len(scopes) == 1 else None
        if scope is not None:
            return [Evidence(place.hit, Sense(ids.SCOPE, (scope,)))]
        if holder.code is not None and self._same_province(holder.code, place.codes):
            within = Sense(ids.SCOPE, (ids.SAME_AREA, ids.SAME_PROVINCE))
            return [Evidence(place.hit, within, narrows=True)]
        return []

    def _same_province(self, holder: str, codes: Sequence[str]) -> bool:
        province = self.geo.province(holder)
        return bool(codes) and all(self.geo.province(c) == province for c in codes)

    def offsite(self, message: Message, places: Sequence[Place], holder: Region) -> list[Evidence]:
        """Care in a place other than the account's is offsite: "我三门县参保的，在杭州看病"
        (the account's place may be one of several: "insured in Taizhou ... Shanghai")."""
        if not self._care_items:
            return []
        found = self._outside(message)
        if not holder.codes:
            # "要去北京住院", "我在三亚过冬，个账能买药吗": away from wherever the account is.
            return found + [
                Evidence(p.hit, Sense(ids.ITEM, (ids.OFFSITE_CARE,)))
                for p in places
                if p.score == GONE
                and p.role != RELATIVE
                and not p.hit.negated
                and self._away_for_care(message, p.hit)
            ]
        best = max(p.score for p in places)
        for place in places:
            if place.role == RELATIVE or place.hit.negated or place.score >= best:
                continue
            scopes = {self.geo.compare(h, c) for h in holder.codes for c in place.codes}
            if not scopes <= {ids.SAME_PROVINCE, ids.OTHER_PROVINCE}:
                continue
            following = message.hits[place.index + 1 : place.index + 2]
            previous = message.hits[place.index - 1] if place.index > 0 else None
            if following and self._is_care_right_after(place.hit, following[0]):
                found.append(Evidence(following[0], Sense(ids.ITEM, (ids.OFFSITE_CARE,))))
            elif (
                self._falls_ill_there(message, place.hit)
                or (previous is not None and self._is_care_right_before(message, place, previous))
                or self._used_here(message)
                or (place.score == GONE and self._away_for_care(message, place.hit))
                or self._used_in(message, place.hit)
            ):
                found.append(Evidence(place.hit, Sense(ids.ITEM, (ids.OFFSITE_CARE,))))
        return found

    def _away_for_care(self, message: Message, place: Hit) -> bool:
        """Gone to or staying at a place, and care or the card used, nothing else asked: "在三亚
        过冬，老头子要开药", "回四川养老…个账能在内地用吗", "wintering in Sanya … meds"."""
        items = {o for h in message.hits for s in h.senses(ids.ITEM) for o in s.options}
        if not items <= self._care_items:
            return False  # "去深圳工作了，余额咋转": a move, not care
        stays = message.text[place.end :].lstrip().startswith(self.lexicon.grammar.sojourn)
        return bool(items) or (stays and self._uses(message.text))

    def _outside(self, message: Message) -> list[Evidence]:
        """Care right at a place outside the mainland's insurance, said of no relative: "个账
        可以喺澳門藥房用嗎", "pharmacies in Hong Kong"; not "幫在台灣的爸媽買藥"."""
        text = message.text
        for word in self.lexicon.grammar.outside:
            at = text.find(word)
            while at >= 0:
                end = at + len(word)
                if not word.isascii() or not _inside_a_word(text, at, end):
                    care = self._care_at(message, at, end)
                    if care is not None:
                        return [Evidence(care, Sense(ids.ITEM, (ids.OFFSITE_CARE,)))]
                at = text.find(word, end)
        return []

    def _care_at(self, message: Message, at: int, end: int) -> Hit | None:
        """Care named right after text[at:end] ("澳門藥房") or right before it ("pharmacies
        in Macau"), in its clause, with no relative before it or between."""
        clause = max((s for s in message.clause_starts if s <= at), default=0)
        care_in = self.lexicon.grammar.care_in
        for hit in message.hits:
            if hit.start < clause or not self._is_care(hit):
                continue
            after = end <= hit.start <= end + OFFSITE_REACH
            before = hit.end <= at and message.text[hit.end : at].strip() in care_in
            if not (after or before):
                continue
            span = (clause, hit.start) if after else (clause, at)
            if not any(
                h.senses(ids.RELATIVE) and span[0] <= h.start < span[1] for h in message.hits
            ):
                return hit
        return None

    def _is_care(self, hit: Hit) -> bool:
        items = {o for s in hit.senses(ids.ITEM) for o in s.options}
        return bool(items) and items <= self._care_items

    def _is_care_right_before(self, message: Message, place: Place, hit: Hit) -> bool:
        """Care named just before the place: "pharmacies in Sanya", "hospital in Beijing"."""
        items = {o for s in hit.senses(ids.ITEM) for o in s.options}
        gap = message.text[hit.end : place.hit.start].strip()
        care = bool(items) and items <= self._care_items
        return care and hit.clause == place.hit.clause and gap in self.lexicon.grammar.care_in

    def _used_in(self, message: Message, place: Hit) -> bool:
        """The card used in the place: "can I use my yibao in Shanghai?"."""
        before = message.text[message.clause_start(place) : place.start].rstrip()
        return before.endswith(self.lexicon.grammar.used_in)

    def _used_here(self, message: Message) -> bool:
        """Care or the card used "here"/"there", the speaker being away from the account's
        place: "I'm working in Guangzhou now, can I use it at pharmacies here?"; not "she is
        insured there" (no care and no use in that clause)."""
        text = message.text
        for word in self.lexicon.grammar.here:
            at = text.find(word)
            while at >= 0:
                end = at + len(word)
                whole = not word.isascii() or (
                    (at == 0 or not text[at - 1].isalnum())
                    and (end == len(text) or not text[end].isalnum())
                )
                if whole and self._care_or_use_in_clause(message, at):
                    return True
                at = text.find(word, end)
        return False

    def _care_or_use_in_clause(self, message: Message, at: int) -> bool:
        start = max((s for s in message.clause_starts if s <= at), default=0)
        end = min((s for s in message.clause_starts if s > at), default=len(message.text))
        care = any(
            start <= h.start < end
            and {o for s in h.senses(ids.ITEM) for o in s.options} & self._care_items
            for h in message.hits
        )
        return care or self._uses(message.text[start:end])

    def _uses(self, text: str) -> bool:
        """Whether the text says the card or the account is used (use, 刷, 用)."""
        return any(w in text for w in self.lexicon.use_words if not w.isascii()) or any(
            re.search(rf"\b{re.escape(w)}\b", text) for w in self.lexicon.use_words if w.isascii()
        )

    def _is_care_right_after(self, place: Hit, hit: Hit) -> bool:
        """Care named shortly after the place: "回湛江看病", "在乌鲁木齐的药店买药"."""
        items = {o for s in hit.senses(ids.ITEM) for o in s.options}
        near = hit.clause == place.clause and hit.start - place.end <= OFFSITE_REACH
        return near and bool(items) and items <= self._care_items

    def _falls_ill_there(self, message: Message, place: Hit) -> bool:
        """Falling ill in a place is care there: "去大理玩的时候生病了"."""
        end = next((s - 1 for s in message.clause_starts if s > place.end), len(message.text))
        after = message.text[place.end : min(end, place.end + OFFSITE_REACH + 6)]
        return any(word in after for word in self.lexicon.grammar.sick_words)


def _paired(place: Place) -> bool:
    return len(place.codes) == 1 and len(place.pair) == 1


def _inside_a_word(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is part of a longer latin word ("macaron" is not Macau)."""
    return (start > 0 and text[start - 1].isalnum()) or (end < len(text) and text[end].isalnum())


def gate_scope(
    condition: Condition | None,
    answers: dict[str, str],
    ambiguous: dict[str, tuple[str, ...]],
    negated: dict[str, tuple[str, ...]],
) -> None:
    """Scope is where a close relative is insured: meaningless without one (questions.yaml:
    the scope question's ask_if). Who is still open ("家里老人在龙井": parents or
    grandparents), one place is not yet an answer; places that differ ("阿嬷在汕头，阿母在潮州")
    still are a question."""
    if condition is None:
        return
    relatives = [answers[ids.RELATIVE]] if ids.RELATIVE in answers else []
    relatives += ambiguous.get(ids.RELATIVE, ())
    close = bool(relatives) and all(condition.holds({ids.RELATIVE: r}) for r in relatives)
    if len(relatives) > 1:
        answers.pop(ids.SCOPE, None)
    if not close:
        for found in (answers, ambiguous, negated):
            found.pop(ids.SCOPE, None)
