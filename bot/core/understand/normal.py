"""The one normal form of lexicon words and messages: NFKC, casefolded, simplified Chinese
(OpenCC t2s), one kind of apostrophe, single spaces."""

from __future__ import annotations

import functools
import re
import unicodedata

import opencc

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
# 帐 as 账: OpenCC reads 帳戶 as 帐户, where people in the mainland write 账户 (帐篷 aside).
_FOLD = str.maketrans({"帐": "账"})
_NOT_WORD = re.compile(r"[\W_]+")
_SPACES = re.compile(r"[^\S\n]+")
_NEWLINES = re.compile(r" ?\n[\s]*")


class Normalizer:
    """One normal form for lexicon words and messages: NFKC, casefolded, simplified Chinese."""

    def __init__(self) -> None:
        self._t2s = _opencc("t2s")
        self._s2t = _opencc("s2t")

    def __call__(self, text: str) -> str:
        text = unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES)
        text = self._t2s.convert(text).translate(_FOLD)
        text = _SPACES.sub(" ", text)
        return _NEWLINES.sub("\n", text).strip()

    def variants(self, word: str) -> set[str]:
        """The word's normal forms, also of its traditional spelling (OpenCC s2t)."""
        return {self(word), self(self._s2t.convert(word))} - {""}

    def variants_of_many(self, words: list[str]) -> list[set[str]]:
        """variants() of thousands of names (every division) in two OpenCC calls, not 20,000."""
        joined = "\n".join(words)
        plain = self(joined).split("\n")
        converted = self(self._s2t.convert(joined)).split("\n")
        if not (len(plain) == len(converted) == len(words)):  # a name with a line break
            return [self.variants(w) for w in words]
        return [{a, b} - {""} for a, b in zip(plain, converted, strict=True)]


@functools.cache
def _opencc(config: str) -> opencc.OpenCC:
    """Loading a converter's dictionaries takes ~0.1 s: once per process."""
    return opencc.OpenCC(config)


def bare(text: str) -> str:
    """Without punctuation and spaces: how a one-word answer is compared."""
    return _NOT_WORD.sub("", text)


def is_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()
