"""Kin words said from the speaker's point of view, turned to the account holder's.

The relative slot is who the money is for *as seen from the account holder*. When the account
is the speaker's that is what the speaker says; when it is someone else's the words must be
turned: "用老公的个账给婆婆付" is the husband paying for his mother (parent), "my mum wants to
use her account for my son's flu shot" is a grandmother paying for her grandchild, and "我是孩子
奶奶，用我的卡" makes the speaker's 孩子 a grandchild. Only turns that do not depend on who is
who are made; where they do (a mother's account for "奶奶": her mother or her mother-in-law?)
the side of the family must be said by the words (外婆 is the mother's side), else the word is
left as the speaker said it.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core import ids
from bot.core.understand.beneficiary import SPEAKER_IS
from bot.core.understand.grammar import Grammar
from bot.core.understand.lexicon import Sense
from bot.core.understand.matcher import Hit, Message
from bot.core.understand.owner import Owner
from bot.core.understand.places import Evidence

SPEAKER_REACH = 12  # "我是嫁过来的越南媳妇": the kin word ends the speaker's description

# (the holder's relation to the speaker, the beneficiary's) -> the beneficiary's to the holder.
_TURNED: dict[tuple[str, str], str] = {
    (ids.SPOUSE, ids.CHILD): ids.CHILD,  # our kid
    (ids.SPOUSE, ids.GRANDCHILD): ids.GRANDCHILD,
    (ids.SPOUSE, ids.PARENT): ids.OTHER_PERSON,  # my mother is his mother-in-law
    (ids.SPOUSE, ids.SIBLING): ids.OTHER_PERSON,
    (ids.SPOUSE, ids.GRANDPARENT): ids.OTHER_PERSON,
    (ids.PARENT, ids.CHILD): ids.GRANDCHILD,  # my son is my mother's grandson
    (ids.PARENT, ids.PARENT): ids.SPOUSE,  # "can my dad use his account for my mom"
    (ids.PARENT, ids.SIBLING): ids.CHILD,
    (ids.PARENT, ids.SPOUSE): ids.OTHER_PERSON,  # a child-in-law
    (ids.PARENT, ids.GRANDCHILD): ids.OTHER_PERSON,  # a great-grandchild
    (ids.CHILD, ids.SPOUSE): ids.PARENT,  # my wife is my son's mother
    (ids.CHILD, ids.CHILD): ids.SIBLING,
    (ids.CHILD, ids.GRANDCHILD): ids.CHILD,
    (ids.SIBLING, ids.PARENT): ids.PARENT,
    (ids.SIBLING, ids.SIBLING): ids.SIBLING,
    (ids.SIBLING, ids.GRANDPARENT): ids.GRANDPARENT,
    (ids.SIBLING, ids.CHILD): ids.OTHER_PERSON,  # a nephew or niece
    (ids.SIBLING, ids.SPOUSE): ids.OTHER_PERSON,
    (ids.GRANDPARENT, ids.SIBLING): ids.GRANDCHILD,
    (ids.GRANDPARENT, ids.CHILD): ids.OTHER_PERSON,  # a great-grandchild
    (ids.GRANDPARENT, ids.SPOUSE): ids.OTHER_PERSON,
}


def turned(
    holder: str, holder_word: str, option: str, word: str, in_law: bool, grammar: Grammar
) -> str | None:
    """Who `word` (the speaker's `option`; `in_law`: a spouse's parent) is to a holder the
    speaker calls `holder_word` (their `holder`); None when it stays as said (or cannot be told
    from the words)."""
    if holder == ids.SPOUSE and option == ids.OTHER_PERSON and in_law:
        return ids.PARENT  # "老公的个账给婆婆": his mother
    if holder == option and holder in (ids.PARENT, ids.GRANDPARENT):
        # "my mom … can she pay my dad's premium": her husband
        sexes = {holder_word in grammar.female_kin, word in grammar.female_kin}
        known = {holder_word, word} <= {*grammar.female_kin, *grammar.male_kin}
        return ids.SPOUSE if known and len(sexes) == 2 else None
    if {holder, option} == {ids.PARENT, ids.GRANDPARENT}:
        # "妈妈用她的医保给外婆付": the mother's own mother; "奶奶" would be her mother-in-law.
        sides = (_side(holder_word, grammar), _side(word, grammar))
        if None in sides:
            return None
        if sides[0] != sides[1]:
            return ids.OTHER_PERSON
        return ids.PARENT if holder == ids.PARENT else ids.CHILD
    return _TURNED.get((holder, option))


def _side(word: str, grammar: Grammar) -> str | None:
    if word in grammar.mother_side:
        return "mother"
    if word in grammar.father_side:
        return "father"
    return None


def turn_evidence(
    message: Message, found: Sequence[Evidence], owner: Owner | None, grammar: Grammar
) -> list[Evidence]:
    """The relative evidence seen from the account holder: turned when the account is a
    relative's ("用老公的个账给婆婆付"), or when the speaker says they are the child's
    grandparent ("我是孩子奶奶", "爷爷我的医保卡": the child is a grandchild)."""
    grandparent = _speaker_is_grandparent(message, grammar)
    if grandparent:
        return [
            Evidence(e.hit, Sense(ids.RELATIVE, (ids.GRANDCHILD,)), e.own, e.narrows)
            if e.sense.options == (ids.CHILD,)
            else e
            for e in found
            if e.hit not in grandparent
        ]
    speaker = _speaker_is(message, grammar)
    found = [e for e in found if e.hit not in speaker]
    if owner is None or owner.kin is None:
        return list(found)
    relation = [o for s in owner.kin.senses(ids.RELATIVE) if not s.weak for o in s.options]
    if len(relation) != 1:
        return list(found)
    result = []
    for e in found:
        if _holders_own(message, e.hit):
            result.append(e)  # "my husband ... for his mom's meds": already his
            continue
        in_law = e.hit.word.key in grammar.parents_in_law or _spouses_parent(
            message, e.hit, grammar
        )
        options = tuple(
            turned(relation[0], owner.kin.word.key, o, e.hit.word.key, in_law, grammar) or o
            for o in e.sense.options
        )
        result.append(Evidence(e.hit, Sense(ids.RELATIVE, options, e.sense.weak), e.own, e.narrows))
    return result


def _holders_own(message: Message, hit: Hit) -> bool:
    """A kin word right after "his"/"her"/"their" is said from the holder's side already."""
    index = message.hits.index(hit)
    previous = message.hits[index - 1] if index else None
    return (
        previous is not None
        and previous.person == "third_person"
        and previous.word.key.isascii()
        and not message.text[previous.end : hit.start].strip()
    )


def _spouses_parent(message: Message, hit: Hit, grammar: Grammar) -> bool:
    """ "老伴的妈", "老公他妈": a parent word right after a spouse word."""
    if not hit.senses(ids.RELATIVE) or not any(
        ids.PARENT in s.options for s in hit.senses(ids.RELATIVE)
    ):
        return False
    earlier = [h for h in message.hits if h.end <= hit.start]
    if not earlier:
        return False
    gap = message.text[earlier[-1].end : hit.start].strip()
    spouse = any(ids.SPOUSE in s.options for s in earlier[-1].senses(ids.RELATIVE))
    return spouse and gap in ("", "他", "她", *grammar.possessive)


def _speaker_is_grandparent(message: Message, grammar: Grammar) -> list[Hit]:
    """The grandparent words naming the speaker: "我是孩子奶奶", "我是他外婆", "爷爷我的医保卡",
    "I'm his grandma" (a word of its own)."""
    found = []
    for index, hit in enumerate(message.hits):
        if not any(ids.GRANDPARENT in s.options for s in hit.senses(ids.RELATIVE)):
            continue
        before = message.text[message.clause_start(hit) : hit.start].rstrip()
        previous = message.hits[index - 1] if index > 0 else None
        if (
            previous is not None
            and previous.end <= hit.start
            and (previous.senses(ids.RELATIVE) or previous.person == "third_person")
        ):
            # "我是孩子(的)奶奶": the child named first is whose grandparent
            gap = message.text[previous.end : hit.start].strip()
            if gap in ("", *grammar.possessive):
                before = message.text[message.clause_start(hit) : previous.start].rstrip()
        after = message.text[hit.end : hit.end + 1]
        if before.endswith(SPEAKER_IS) or (after == "我" and not before):
            found.append(hit)
    return found


def _speaker_is(message: Message, grammar: Grammar) -> list[Hit]:
    """The kin word a clause opening with 我是 ends on names the speaker: "我是嫁过来的越南媳妇"
    (not "我是给我妈问的")."""
    found = []
    for clause, start in enumerate(message.clause_starts):
        if not message.text[start:].startswith(SPEAKER_IS[:2]):  # 我是, 我系
            continue
        hits = [h for h in message.hits if h.clause == clause]
        kin = [h for h in hits if h.senses(ids.RELATIVE)]
        if not kin or kin[-1].start - start > SPEAKER_REACH:
            continue
        between = message.text[start : kin[-1].start]
        others = [h for h in hits if h.start < kin[-1].start and h.start > start]
        if not others and not any(w in between for w in grammar.beneficiary):
            found.append(kin[-1])
    return found
