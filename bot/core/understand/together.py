"""Places said of the speaker and a relative at once (and where "there" is a relative's): "俺们都是淄博的", "我哋都喺湛江",
"we live in Shenzhen", "她在岳阳，我也在岳阳", "He's in Lanzhou, me too".

Such a place is where both are (places.TOGETHER): the account's place and, for the relative,
the same area. The words are grammar lists of lexicon.yaml (`we`, `also`, `me_too`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.core import ids
from bot.core.understand.grammar import Grammar
from bot.core.understand.matcher import Hit, Message
from bot.core.understand.normal import is_name_char
from bot.core.understand.wordsets import word_set

# What may follow "me too" in its clause: nothing, a pause or a sentence particle.
_CLAUSE_END = re.compile(r"[\s,.;:!?，。；：！？、…~～)）]|[啊呀哦的嘛呢哈啦吧咯嘞喔噢]|$")
# ... and what must follow "baby too" (a pause, not "my wife also lives in Hangzhou").
_PAUSE = re.compile(r"\s*(?:[,.;:!?，。；：！？、…~～)）]|[啊呀哦的嘛呢哈啦吧咯嘞喔噢]|$)")


def said_of_us(before: str, grammar: Grammar, adverb: bool = True) -> bool:
    """Whether the text before a place ends with "we" and where we are: "俺们都是", "we live in".

    Chinese needs an adverb (都, 也, 一起: 我们都在) unless `adverb` is False; a bare 我们在 is as
    often "we here" (我们这边) as the household. English "we live in" is said of the household."""
    for at, word in _occurrences_of_any(before, grammar.we):
        gap = before[at + len(word) :].strip()
        for noun in grammar.our_insurance:  # "我俩医保都在", "我們醫保都在揭陽"
            if gap.startswith(noun):
                gap = gap[len(noun) :].strip()
                break
        gap, has_adverb = _strip_adverbs(gap, grammar.also)
        if (has_adverb or word.isascii() or not adverb) and gap in grammar.location_gaps:
            return True
    return False


def me_too_after(text: str, grammar: Grammar) -> bool:
    """Whether the text after a relative's place says the speaker is there too, ending its
    clause: "，我也是", "，我都系", ", me too", "and me also"."""
    for at, phrase in _occurrences_of_any(text, grammar.me_too):
        if _CLAUSE_END.match(text, at + len(phrase)):
            return True
    return False


def they_too(message: Message, start: int, end: int, grammar: Grammar) -> bool:
    """Whether a relative named between `start` and `end` (after the speaker's place) is
    there too: "I'm insured in Jiaxing, baby too", "... and so is my wife", "宝宝也是"."""
    for hit in message.hits:
        if not (start <= hit.start and hit.end <= end) or not any(
            ids.SELF not in s.options for s in hit.senses(ids.RELATIVE)
        ):
            continue
        after = message.text[hit.end :].lstrip()  # not cut at the next place: "也在广东"
        for phrase in grammar.they_too:
            if after.startswith(phrase) and _PAUSE.match(after, len(phrase)):
                return True
        before = message.text[start : hit.start].rstrip()
        for word in grammar.self_possessive:
            before = before.removesuffix(word).rstrip()
        if before.endswith(grammar.so_is):
            return True
    return False


def they_there(message: Message, hit: Hit, grammar: Grammar, kin: bool) -> bool:
    """ "They" (they're, 他们, 佢哋) is the last person named before `hit` in its clause, with
    no "too" between: "they're both insured in", "他们一家都在"; not "他们也在瓦房店" (also
    there, like me). With `kin` (the clause is about others only), also several relatives said
    to be there both: "my parents are both insured in Baoding" (not "我同老公都喺中山")."""
    start = message.clause_start(hit)
    persons = message.persons(start, hit.start)
    if not persons:
        return False
    last = persons[-1]
    between = f"{message.text[last.end : hit.start]} {hit.word.key}"  # or "both insured in"
    if any(w in between for w in (*grammar.too, *grammar.we)):
        return False
    if last.word.key in grammar.they:
        return True
    return kin and _several(message, last, grammar) and any(w in between for w in grammar.both)


def _several(message: Message, hit: Hit, grammar: Grammar) -> bool:
    """ "my parents", "grandparents", "爸妈", "公婆": a word naming several people (not
    "两公婆", the speaker and the spouse)."""
    if any(ids.SPOUSE in s.options for s in hit.senses(ids.RELATIVE)):
        return False
    key = hit.word.key
    if key.isascii():
        return key.endswith("s") or message.text[hit.end : hit.end + 1] == "s"
    return key.endswith(grammar.plural_kin)


def insured_there(message: Message, index: int, grammar: Grammar) -> bool:
    """ "is in hospital in Hefei and insured there", "from Taizhou and insured there": said
    after the place, before any other, "there" is where someone is insured."""
    hit = message.hits[index]
    following = (h.start for h in message.hits[index + 1 :] if h.places)
    after = message.text[hit.end : min(next(following, len(message.text)), hit.end + 48)]
    found = word_set(grammar.insured_there)
    if found is None:
        return any(word in after for word in grammar.insured_there)
    return next(found.ends(after), None) is not None


def _strip_adverbs(gap: str, adverbs: Iterable[str]) -> tuple[str, bool]:
    """ "都是" -> ("是", True), "both in" -> ("in", True)."""
    found = True
    stripped = False
    while found:
        found = False
        for adverb in adverbs:
            if gap.startswith(adverb) and (
                not adverb.isascii() or len(gap) == len(adverb) or not gap[len(adverb)].isalnum()
            ):
                gap = gap[len(adverb) :].strip()
                found = stripped = True
    return gap, stripped


def _occurrences_of_any(text: str, words: tuple[str, ...]) -> list[tuple[int, str]]:
    """Where any of `words` stands in `text` (wordsets.py: one pass, not one per word), in no
    particular order; a latin word only as a whole word."""
    found = word_set(words)
    if found is None:
        return [(at, word) for word in words for at in _occurrences(text, word)]
    return [
        (last + 1 - len(word), word)
        for last, word in found.ends(text)
        if _whole(text, last + 1 - len(word), word)
    ]


def _whole(text: str, at: int, word: str) -> bool:
    end = at + len(word)
    return not word.isascii() or (
        (at == 0 or not is_name_char(text[at - 1]))
        and (end == len(text) or not is_name_char(text[end]))
    )


def _occurrences(text: str, word: str) -> list[int]:
    """Where `word` stands in `text`, last first; a latin word only as a whole word."""
    found = []
    at = text.rfind(word)
    while at >= 0:
        if _whole(text, at, word):
            found.append(at)
        at = text.rfind(word, 0, at)
    return found
