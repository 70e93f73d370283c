"""Kin words joined by a possessive: "老婆的妈妈" is a mother-in-law, "我姐的孩子" a nephew.

The lexicon lists the common pairs (老公的妈, 媳妇的爸); this composes the rest, in both
scripts and with Cantonese 嘅, so every pair need not be listed. Only pairs whose meaning does
not depend on who speaks are composed: "孩子的奶奶" is the speaker's mother or mother-in-law.
"""

from __future__ import annotations

from bot.core import ids

# (whose, who) -> the relation to the speaker. A pair not listed keeps both words (and the
# reader asks which one is meant).
_COMPOSED: dict[tuple[str, str], str] = {
    (ids.PARENT, ids.PARENT): ids.GRANDPARENT,  # 我妈的妈妈
    (ids.CHILD, ids.CHILD): ids.GRANDCHILD,  # 女儿的儿子
    (ids.SPOUSE, ids.PARENT): ids.OTHER_PERSON,  # 老婆的妈妈: an in-law
    (ids.SPOUSE, ids.SIBLING): ids.OTHER_PERSON,  # 老公的弟弟
    (ids.SPOUSE, ids.GRANDPARENT): ids.OTHER_PERSON,  # 老婆的奶奶
    (ids.CHILD, ids.SPOUSE): ids.OTHER_PERSON,  # 儿子的媳妇
    (ids.GRANDCHILD, ids.SPOUSE): ids.OTHER_PERSON,  # 孙女的老公
    (ids.SIBLING, ids.SPOUSE): ids.OTHER_PERSON,  # 我哥的老婆
    (ids.SIBLING, ids.CHILD): ids.OTHER_PERSON,  # 我姐的孩子: a nephew or niece
    (ids.PARENT, ids.SIBLING): ids.OTHER_PERSON,  # 我妈的妹妹: an aunt
}


def compose(whose: tuple[str, ...], who: tuple[str, ...]) -> str | None:
    """The relation "whose's who" names, when each word names one relation and the pair is
    known; anyone's friend or in-law (`other`) is `other`."""
    if len(whose) != 1 or len(who) != 1:
        return None
    if who[0] == ids.OTHER_PERSON:
        return ids.OTHER_PERSON
    return _COMPOSED.get((whose[0], who[0]))
