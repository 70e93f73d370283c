"""A person moving from one place to another: "从深圳换工作到杭州", "转回老家盐城",
"moving from Guangzhou to Chongqing". Where the account is then is not certain (it may already
have moved), so the places named are the candidates and the bot asks, even where the message
says where it was insured ("医保在东莞交了五年，现在换工作去长沙了"): the labelling
conventions (tests/blind/BRIEF.md) count every move from A to B as an open region.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.core.understand.geography import Geography
from bot.core.understand.lexicon import Lexicon
from bot.core.understand.matcher import Hit, Message
from bot.core.understand.normal import is_name_char
from bot.core.understand.places import HOMETOWN, RELATIVE, Place


class Moves:
    def __init__(self, geography: Geography, lexicon: Lexicon) -> None:
        self.geo = geography
        self.lexicon = lexicon

    def candidates(
        self, message: Message, places: Sequence[Place], transfer: bool
    ) -> tuple[str, ...]:
        """The places of a move, most precise first; () when the message names no move.

        With the transfer item a place one goes to is enough ("醫保要轉去成都"); otherwise the
        message must say both ends ("from Shanghai to Chengdu") or a move verb ("转去柳州")."""
        own = [p for p in places if p.role != RELATIVE and not p.hit.negated]
        cues = self.lexicon.elsewhere_cues
        bound = [p for p in own if _ends_with(self._before(message, p), cues)]
        move_from = self.lexicon.grammar.move_from
        start = [
            p
            for p in own
            if _ends_with(self._before(message, p), move_from)
            or _ends_with(self._before(message, p, hometown=False), move_from)  # "from" is both
        ]
        if not bound and transfer:
            bound = self._unnamed_end(message, own, start)
        if not bound:
            return ()
        codes = {c for p in own for c in p.codes}
        precise = {c for c in codes if not any(o != c and self.geo.is_within(o, c) for o in codes)}
        # A move verb says the move by itself when another place is named ("惠州的医保，转去
        # 柳州返工"); "搬到杭州三年了，医保在杭州" names one place and no move.
        moving = len(precise) > 1 and any(
            _ends_with(self._before(message, p), self.lexicon.grammar.move_to) for p in bound
        )
        if not (transfer or start or moving):
            return ()
        return tuple(sorted(precise))

    def _unnamed_end(
        self, message: Message, own: Sequence[Place], start: Sequence[Place]
    ) -> list[Place]:
        """Where a transfer goes when no place follows a move word: where the speaker is now
        when it comes "from" elsewhere ("在宁波上班，医保想从绍兴转过来"), or the hometown
        named elsewhere when it goes back home ("户口在安徽，医保转回老家")."""
        if start:
            return [p for p in own if p not in start]
        if not any(word in message.text for word in self.lexicon.grammar.back_home):
            return []
        return [p for p in own if p.score == HOMETOWN]

    def to_someone(self, message: Message, hit: Hit) -> bool:
        """A relative one moves to is a destination, not who the money is for:
        "想把医保关系转到女儿那边去", "搬到儿子家"."""
        grammar = self.lexicon.grammar
        before = message.text[message.clause_start(hit) : hit.start].rstrip()
        for word in grammar.self_possessive:
            before = before.removesuffix(word).rstrip()
        after = message.text[hit.end : hit.end + 8].lstrip()
        for particle in grammar.possessive:
            after = after.removeprefix(particle).lstrip()
        return _ends_with(before, self.lexicon.elsewhere_cues) and after.startswith(
            grammar.their_side
        )

    def _before(self, message: Message, place: Place, hometown: bool = True) -> str:
        """The text before a place in its clause, without a hometown word: "转回老家盐城"."""
        before = message.text[message.clause_start(place.hit) : place.hit.start].rstrip()
        for word in self.lexicon.origin_cues if hometown else ():
            if before.endswith(word):
                return before.removesuffix(word).rstrip()
        return before


def _ends_with(text: str, words: Iterable[str]) -> bool:
    for word in words:
        if text.endswith(word) and (
            not word.isascii() or len(text) == len(word) or not is_name_char(text[-len(word) - 1])
        ):
            return True
    return False
