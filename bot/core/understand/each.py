"""Two people insured one in each of two places: "我们两口子一个在宜宾一个在泸州交医保",
"兩公婆一個喺江門一個喺肇慶", "one of us is in Wenzhou and the other in Lishui".

Which place is whose is not said unless the speaker adds it ("宜宾那个是我", "我係江門嗰個",
"I'm the one in Wenzhou"), but the scope is: the two places compared. The words are grammar
lists of lexicon.yaml (`each`, `that_one_is_me`, `i_am_the_one`).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from bot.core.understand.grammar import Grammar
from bot.core.understand.matcher import Message
from bot.core.understand.places import HOLDER, RELATIVE, Place

EACH_GAP = 24  # characters between the two places: "一个在宜宾一个在泸州", "and the other in"


def one_in_each(message: Message, places: Sequence[Place], grammar: Grammar) -> None:
    """Marks the two places of "one in A, one in B" as a pair (Place.pair); a place the speaker
    says is theirs becomes the account's and the other the relative's."""
    text = message.text
    for one, two in itertools.pairwise(places):
        before = text[message.clause_start(one.hit) : one.hit.start].rstrip()
        between = text[one.hit.end : two.hit.start].strip(" ,，")
        if not (
            before.endswith(grammar.each)
            and between.endswith(grammar.each)
            and len(between) <= EACH_GAP
        ):
            continue
        one.pair, two.pair = two.codes, one.codes
        if one.role == two.role == RELATIVE and not any(
            word in before for word in (*grammar.we, *grammar.also)
        ):
            continue  # "阿爸阿媽一個喺廣州一個喺韶關": two relatives (not 我们两口子), not me
        one.role = two.role = HOLDER
        one.score = two.score = max(one.score, two.score)  # either may be the speaker's
        mine = [
            p for p in places if p.codes in (one.codes, two.codes) and _is_me(message, p, grammar)
        ]
        # "我和媳妇一个在银川一个在吴忠，她的医保在吴忠": the other one is the speaker's.
        theirs = [
            p
            for p in places
            if p not in (one, two) and p.role == RELATIVE and p.codes in (one.codes, two.codes)
        ]
        if theirs and not mine:
            mine = [two if theirs[0].codes == one.codes else one]
        if mine:
            for place in (one, two):
                place.role = HOLDER if place.codes == mine[0].codes else RELATIVE
                place.score = max(place.score, 3) if place.role == HOLDER else place.score


def _is_me(message: Message, place: Place, grammar: Grammar) -> bool:
    """ "宜宾那个是我", "我係江門嗰個", "I'm the one in Wenzhou"."""
    before = message.text[message.clause_start(place.hit) : place.hit.start].rstrip()
    after = message.text[place.hit.end : place.hit.end + 8].lstrip()
    # English "I'm the one in Wenzhou" needs nothing after the place.
    return after.startswith(grammar.that_one_is_me) or (
        before.endswith(grammar.i_am_the_one)
        and (after.startswith(grammar.that_one) or before[-1:].isascii())
    )
