"""The places of someone else's account: "老公医保在石家庄，我在邯郸，他的个账能给我买药不" —
the account is the husband's, so his place is the account's and the speaker's is where the
money is spent (kept apart from places.py, which reads whose place each one is)."""

from __future__ import annotations

from bot.core import ids
from bot.core.understand.cues import cue_before
from bot.core.understand.lexicon import Lexicon
from bot.core.understand.matcher import Hit, Message
from bot.core.understand.owner import Owner
from bot.core.understand.places import HOLDER, RELATIVE, TOGETHER, Place
from bot.core.understand.together import said_of_us


def card_is_theirs(message: Message, places: list[Place], owner: Owner, lexicon: Lexicon) -> None:
    """ "老公医保在石家庄，我在邯郸，他的个账能给我买药不": the account is the relative's, so
    their place is the account's and the speaker's is where the money is spent."""
    for place in places:
        before = message.text[message.clause_start(place.hit) : place.hit.start]
        group = _group(message, place.hit, lexicon)
        # "妈妈和外婆都是海口的医保", "we all live in Xuzhou" (with grandma's card): the owner
        # and others; "我老婆係大陸人，我哋喺東莞，佢想用佢嘅醫保卡": "we" include the owner.
        if said_of_us(before, lexicon.grammar, adverb=False) or _alone(message, place.hit):
            place.role = TOGETHER  # "…HIS account to pay for my gym. Weifang. legit?"
        elif any(owner.refers(h) for h in group):
            others = any(h.senses(ids.RELATIVE) and not owner.refers(h) for h in group)
            # "… my dad's premium? Both in Tangshan"; not "我同老公都係中山醫保" (the two)
            both = cue_before(before, lexicon.together_cues, reach=0) and not any(
                h.person == "first_person" for h in group
            )
            place.role = TOGETHER if others or both else HOLDER
        elif place.role in (HOLDER, TOGETHER):
            place.role = RELATIVE  # "我和娃的医保在柳州": not the owner's


def _alone(message: Message, hit: Hit) -> bool:
    """A place that is a clause of its own ("Weifang.", "潍坊的。") after the first."""
    following = message.clause_starts[hit.clause + 1 : hit.clause + 2]
    end = following[0] if following else len(message.text)
    rest = message.text[hit.end : end].strip(" ,.;!?，。；！？的")
    return (
        hit.clause > 0
        and not message.text[message.clause_start(hit) : hit.start].strip()
        and not rest
    )


def said_of_owner(message: Message, hit: Hit, owner: Owner, lexicon: Lexicon) -> bool:
    """Whether the last person named before `hit` (in its clause, else the clause before),
    with anyone joined to them by 和/同/and, is the owner: "老公医保在石家庄", "我爸在西安
    退休", "我同老公都係中山醫保"; not "My husband works in Karamay and I'm in Urumqi"."""
    return any(owner.refers(h) for h in _group(message, hit, lexicon))


def _group(message: Message, hit: Hit, lexicon: Lexicon) -> list[Hit]:
    """The last person named before `hit` (in its clause, else the clause before), with
    anyone joined to them by 和/同/and."""
    start = message.clause_start(hit)
    spans = [(start, hit.start)]
    if hit.clause > 0:
        spans.append((message.clause_starts[hit.clause - 1], start))
    for lo, hi in spans:
        persons = message.persons(lo, hi)
        if not persons:
            continue
        group = [persons.pop()]
        while persons:
            gap = message.text[persons[-1].end : group[-1].start].strip()
            if gap and gap not in lexicon.coordinators:
                break
            group.append(persons.pop())
        return group
    return []
