"""Finding any word of a lexicon list in a text in one pass.

The reader asks the same questions of many lists (lexicon.yaml's cue and grammar lists hold
tens of words each) at every place of a message: "does a cue word end right before it?", "where
does 'we' stand in this clause?". Looking for each word in turn (an rfind per word, per place)
made those lists most of the time a long message took. pyahocorasick, already the matcher's
automaton, finds every word of a list at once; one automaton per list is built on first use
and kept as long as the list (lexicon lists are tuples made once per reader).
"""

from __future__ import annotations

from collections.abc import Iterator

import ahocorasick

_KEPT = 1024  # readers built again and again (the tests) leave old lists behind: forget them


class WordSet:
    """The words of one list, found together."""

    def __init__(self, words: tuple[str, ...]) -> None:
        self.longest = max(len(w) for w in words)
        self._automaton = ahocorasick.Automaton()
        for word in words:
            self._automaton.add_word(word, word)
        self._automaton.make_automaton()

    def ends(self, text: str, start: int = 0) -> Iterator[tuple[int, str]]:
        """(index of its last character, word) of every occurrence starting at `start` or
        later, overlapping ones included, by where they end."""
        return self._automaton.iter(text, start)  # type: ignore[no-any-return]

    def last_ends(self, text: str) -> dict[str, int]:
        """Where the last occurrence of each word found ends (as rfind would find it)."""
        return {word: last + 1 for last, word in self._automaton.iter(text)}


_SETS: dict[int, tuple[tuple[str, ...], WordSet | None]] = {}


def word_set(words: tuple[str, ...]) -> WordSet | None:
    """The WordSet of a list, found by the list's identity (hashing a list of ninety words on
    every call would cost more than the search); None for a list it cannot hold (empty, or
    with an empty word), which the caller then reads word by word. The entry keeps the list
    alive, so its id is not reused while the entry exists."""
    entry = _SETS.get(id(words))
    if entry is None or entry[0] is not words:
        if len(_SETS) >= _KEPT:
            _SETS.clear()
        entry = (words, WordSet(words) if words and all(words) else None)
        _SETS[id(words)] = entry
    return entry[1]
