"""Finding who pays (lexicon.yaml `paid_by`, payers.py) in a message.

An employer named and, a few characters later in the same clause, a paying word is the
employees' insurance, with a place, a person or an adverb between them that no single word
could span: "单位在渝北交的医保", "他单位在武汉交的", "company in Ordos and they pay my medical
insurance". Working somewhere without a paying word ("公司在杭州", "我在单位上班") says nothing
(CONVENTIONS.md: where one works gives the place, not the scheme); neither does a paying word
inside an item ("公司楼下药店买药") or near a negation ("单位没给我交").
"""

from __future__ import annotations

from bisect import bisect_right

from bot.core import ids
from bot.core.understand.lexicon import Sense, Word
from bot.core.understand.matcher import Hit, Message
from bot.core.understand.normal import whole_words
from bot.core.understand.payers import Payer

CJK_REACH = 8  # "单位在乌鲁木齐市交的": characters between the payer and the paying word
LATIN_REACH = 24  # "company in Ordos and they pay"
NEGATION_REACH = 3  # "不是单位交的": a negation this close before the payer
# An item starting this close after the paying word is what is paid: "单位交的体检费", "my
# company pays for my gym".
CJK_ITEM_GAP = 1
LATIN_ITEM_GAP = 9


def paid_by(message: Message, entries: tuple[Payer, ...]) -> list[Hit]:
    """One hit per employer-pays phrase, spanning both words, with the option's sense."""
    found: list[Hit] = []
    text = message.text
    for entry in entries:
        sense = Sense(ids.INSURANCE, (entry.option,))
        for payer in entry.payers:
            start = text.find(payer)
            while start >= 0:
                hit = _paid(message, entry, start, start + len(payer), sense)
                if hit is not None:
                    found.append(hit)
                start = text.find(payer, start + 1)
    return found


def _paid(message: Message, entry: Payer, start: int, end: int, sense: Sense) -> Hit | None:
    text = message.text
    if not whole_words(text, start, end) or any(
        text.find(n, max(0, start - len(n) + 1), end + len(n) - 1) >= 0 for n in entry.not_payers
    ):
        return None
    reach = LATIN_REACH if text[start:end].isascii() else CJK_REACH
    clause = _clause(message, start)
    for pays in entry.pays:
        at = text.find(pays, end, end + reach + len(pays))
        if at < 0 or not whole_words(text, at, at + len(pays)):
            continue
        stop = at + len(pays)
        if any(word in text[start:at] for word in entry.not_between):
            continue  # "my company doesn't pay"
        after = stop + (LATIN_ITEM_GAP if text[at:stop].isascii() else CJK_ITEM_GAP)
        if _clause(message, at) != clause or _blocked(message, start - NEGATION_REACH, after):
            continue
        word = Word(text[start:stop], "word", (sense,), False, False, {ids.INSURANCE: (sense,)})
        return Hit(start, stop, word, clause)
    return None


def _clause(message: Message, position: int) -> int:
    return bisect_right(message.clause_starts, position) - 1


def _blocked(message: Message, start: int, stop: int) -> bool:
    """A negation before or between, or an item at or right after the paying word."""
    for hit in message.hits:
        if hit.end <= start or hit.start >= stop:
            continue
        if hit.word.kind == "negation" or hit.negated:
            return True
        if any(not sense.weak for sense in hit.senses(ids.ITEM)):
            return True
    return False
