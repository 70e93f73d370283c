"""Finding the lexicon's words in a message: one Aho-Corasick automaton over the normal form.

pyahocorasick finds every word in one pass (thousands of words, microseconds per message);
where words overlap the longest wins, Latin words need word boundaries, and a negation marks
the word right after it.
"""

from __future__ import annotations

import re
import string
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

import ahocorasick

from bot.core import ids
from bot.core.understand.lexicon import Lexicon, Sense, Word
from bot.core.understand.normal import Normalizer

# How far (in characters) a negation reaches forward to the thing it negates. English needs
# more room: "not for my mom".
CJK_NEGATION_REACH = 3
LATIN_NEGATION_REACH = 9
# Where a clause ends: punctuation, symbols and line breaks (not spaces, apostrophes, hyphens).
_BREAK = re.compile(r"[^\w\s'\-]|\n")
PERSONS = ("first_person", "third_person")
# normal.is_word_char as a set: _bounded runs for every word the automaton finds
_WORD_CHARS = frozenset(string.ascii_letters + string.digits)


class Hit(NamedTuple):
    """A word found in the message (the longest one where words overlap). A named tuple, not
    a frozen dataclass: a long message makes dozens, and a frozen dataclass's __init__ (one
    object.__setattr__ per field) was a twentieth of reading one."""

    start: int
    end: int
    word: Word
    clause: int  # index of the clause (text between punctuation) it sits in
    negated: bool = False

    def senses(self, slot: str) -> tuple[Sense, ...]:
        return self.word.by_slot.get(slot, ())

    @property
    def places(self) -> tuple[str, ...]:
        """The division codes a place name means (several for 通州, taizhou: ask)."""
        return self.word.places

    @property
    def context_places(self) -> tuple[str, ...]:
        """Divisions it means only where another place confirms them (北京朝阳)."""
        return self.word.context_places

    @property
    def person(self) -> str | None:
        """The kind of person word: "first_person" (我, I), "third_person" (她, she) or None."""
        kind = self.word.kind
        return kind if kind in PERSONS else None

    @property
    def names_person(self) -> bool:
        """A pronoun (我, she) or a relative (老婆, my mom): someone a place can be said of."""
        return self.person is not None or bool(self.senses(ids.RELATIVE))


@dataclass(frozen=True)
class Message:
    text: str  # normalized
    hits: list[Hit]
    clause_starts: list[int]

    def clause_start(self, hit: Hit) -> int:
        return self.clause_starts[hit.clause]

    def lead_in(self, hit: Hit, possessives: Iterable[str]) -> str:
        """The clause's text before a hit without the speaker's possessives right before it
        ("帮我的" -> "帮"), so a marker is found whether or not 我的/my was said."""
        before = self.text[self.clause_start(hit) : hit.start].rstrip()
        for word in possessives:
            before = before.removesuffix(word).rstrip()
        return before

    def persons(self, lo: int, hi: int) -> list[Hit]:
        """The words naming a person between two offsets, in order."""
        return [h for h in self.hits if lo <= h.start and h.end <= hi and h.names_person]


class Matcher:
    """The automaton over every word of a lexicon."""

    def __init__(self, lexicon: Lexicon, normalize: Normalizer) -> None:
        self._normalize = normalize
        self._automaton = ahocorasick.Automaton()
        for key, word in lexicon.words.items():
            self._automaton.add_word(key, word)
        self._automaton.make_automaton()

    def read(self, text: str) -> Message:
        normalized = self._normalize(text)
        breaks = [m.start() for m in _BREAK.finditer(normalized)]
        hits = _negate(self._hits(normalized, breaks), normalized)
        return Message(normalized, hits, [0, *(b + 1 for b in breaks)])

    def _hits(self, text: str, breaks: list[int]) -> list[Hit]:
        """Every lexicon word in the text; where words overlap the longest one wins."""
        found: list[tuple[int, int, Word]] = []
        for last, word in self._automaton.iter(text):
            start, end = last - len(word.key) + 1, last + 1
            if not (word.left_boundary or word.right_boundary) or _bounded(text, start, end, word):
                found.append((start, end, word))
        kept = _longest(found, len(text))
        return [
            Hit(s, e, w, bisect_right(breaks, s), negated=w.kind == "denial") for s, e, w in kept
        ]


def _longest(found: list[tuple[int, int, Word]], size: int) -> list[tuple[int, int, Word]]:
    """Keep the longest of overlapping words, then the leftmost: 九价疫苗 over 疫苗.

    A word that loses to an overlapping word of its own question (or an ignored phrase that
    loses) also hides the words inside it: in 老公的妈妈, 老公的妈 beats 妈妈, and the 妈 inside
    妈妈 must not come back as "parent". In 山东省内, 省内 beats 山东省 but 山东 still counts.
    """
    found = sorted(found, key=lambda f: (f[0] - f[1], f[0]))
    owner: list[Word | None] = [None] * size
    kept: list[tuple[int, int, Word]] = []
    hidden_end = [0] * (size + 1)  # the furthest end of a hidden word starting at each index
    longest = 0
    for start, end, word in found:
        winners = {id(w): w for w in owner[start:end] if w is not None}.values()
        if winners:
            slots = {s.slot for s in word.senses}
            if word.kind == "ignore" or any(s.slot in slots for w in winners for s in w.senses):
                hidden_end[start] = max(hidden_end[start], end)
                longest = max(longest, end - start)
        elif max(hidden_end[max(0, start - longest) : start + 1]) < end:
            owner[start:end] = [word] * (end - start)
            kept.append((start, end, word))
    kept.sort(key=lambda f: f[0])
    return kept


def _negate(hits: list[Hit], text: str) -> list[Hit]:
    """A negation negates the next word found right after it in the same clause; a Chinese
    one not across a space, which in chat ends a thought: "能刷个账不 佛山的"."""
    result: list[Hit] = []
    pending: Hit | None = None
    for hit in hits:
        if pending is not None and hit.word.kind == "word" and _reaches(pending, hit, text):
            hit = Hit(hit.start, hit.end, hit.word, hit.clause, negated=True)
        if hit.word.kind == "negation":
            pending = hit
        elif hit.word.kind not in PERSONS:
            pending = None
        elif pending is not None and pending.word.key.isascii() and _reaches(pending, hit, text):
            # "not my own mom": my (own) is on the way to mom; reach on from there
            pending = Hit(pending.start, hit.end, pending.word, pending.clause)
        result.append(hit)
    return result


def _reaches(negation: Hit, hit: Hit, text: str) -> bool:
    if negation.word.key.isascii():
        reach = LATIN_NEGATION_REACH
    elif text[negation.end : hit.start].strip() != text[negation.end : hit.start]:
        return False
    else:
        reach = CJK_NEGATION_REACH
    return negation.clause == hit.clause and hit.start - negation.end <= reach


def _bounded(text: str, start: int, end: int, word: Word) -> bool:
    """Latin words need word boundaries: 'an' must not match inside 'changchun'."""
    if word.left_boundary and start > 0 and text[start - 1] in _WORD_CHARS:
        return False
    if not word.right_boundary or end >= len(text) or text[end] not in _WORD_CHARS:
        return True
    # Allow a plural: "masks", "vaccines", "parents".
    plural = text[end] == "s" and word.key[-1].isalpha() and len(word.key) > 2  # not i -> is
    return plural and (end + 1 >= len(text) or text[end + 1] not in _WORD_CHARS)
