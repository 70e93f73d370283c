"""The one normal form of lexicon words and messages: NFKC, casefolded, Latin letters without
tone marks, simplified Chinese (OpenCC t2s), one kind of apostrophe, single spaces."""

from __future__ import annotations

import functools
import re
import unicodedata

import opencc

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
# 帐 as 账: OpenCC reads 帳戶 as 帐户, where people in the mainland write 账户 (帐篷 aside);
# 衞 (Hong Kong's form of 衛, as in 衞生院) is left as it is by t2s.
_FOLD = str.maketrans({"帐": "账", "衞": "卫"})
_NOT_WORD = re.compile(r"[\W_]+")
_SPACES = re.compile(r"[^\S\n]+")
# Combining marks on Latin letters (pinyin tones), not the kana voicing marks.
_TONES = re.compile(r"(?<=[a-z])[\u0300-\u036f]+")
_NEWLINES = re.compile(r" ?\n[\s]*")


class Normalizer:
    """One normal form for lexicon words and messages: NFKC, casefolded, simplified Chinese."""

    def __init__(self) -> None:
        self._t2s = _opencc("t2s")
        self._s2t = _opencc("s2t")

    def __call__(self, text: str) -> str:
        text = unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES)
        if not text.isascii():  # tone marks off: "Guǎngzhōu" is guangzhou
            text = _TONES.sub("", unicodedata.normalize("NFD", text))
            text = unicodedata.normalize("NFC", text)
            # (OpenCC only ever changes Chinese characters: English text skips it)
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


def without(text: str, fillers: list[str]) -> str:
    """The text, bare, with the fillers taken out: Latin ones only as whole words ("or" is
    not taken out of "work"), longest first."""
    for filler in sorted(fillers, key=len, reverse=True):
        if filler.isascii():
            text = re.sub(rf"(?<![\w']){re.escape(filler)}(?![\w'])", " ", text)
    text = bare(text)
    for filler in fillers:
        if not filler.isascii():
            text = text.replace(bare(filler), "")
    return text


def is_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


def whole_words(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] does not cut a latin word at either end: 'use' is not inside
    'because', 'pay' not inside 'payroll'; Chinese needs no boundary."""
    if start > 0 and is_word_char(text[start]) and is_word_char(text[start - 1]):
        return False
    return not (end < len(text) and is_word_char(text[end - 1]) and is_word_char(text[end]))


def ends_with_word(text: str, word: str) -> bool:
    """ "i am" ends "so i am" but not "miami"; Chinese words need no boundary."""
    if not text.endswith(word):
        return False
    before = text[: len(text) - len(word)]
    return not (word.isascii() and before and before[-1].isalnum())


def is_name_char(char: str) -> bool:
    """A character inside a latin word or pinyin name, apostrophe included (xi'an)."""
    return is_word_char(char) or char == "'"


# A pinyin syllable without tone: an optional initial and a final. Loose (it accepts a few
# syllables Mandarin lacks), which is fine for splitting a place's known pinyin.
_SYLLABLE = re.compile(
    r"(?:[bpmfdtnlgkhjqxrzcsyw]|zh|ch|sh)?"
    r"(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|van|ai|ei|ao|ou|an|en|er|in|ia|ie|iu"
    r"|ua|uo|ui|un|ue|ve|vn|a|o|e|i|u|v)"
)


@functools.cache
def pinyin_spellings(pinyin: str, syllables: int) -> tuple[str, ...]:
    """How people also write a place's pinyin: syllables apart ("guang zhou") and, before a
    vowel, with an apostrophe ("pu'er"), when the pinyin splits into its characters' number of
    syllables in exactly one way (no pinyin library needed for ~3,200 names)."""
    if syllables < 2 or not pinyin.isascii() or not pinyin.isalpha():
        return ()
    splits = _splits(pinyin, syllables)
    if not splits:
        return ()
    marks = [p[0] + "".join(("'" if s[0] in "aeo" else "") + s for s in p[1:]) for p in splits]
    if len(splits) > 1:
        # "jingan" splits two ways (jing an, jin gan): only the apostrophe says which, so
        # "jing'an" is safe to know; spaced syllables are not.
        return tuple(dict.fromkeys(m for m in marks if m != pinyin))
    return tuple(dict.fromkeys(s for s in (" ".join(splits[0]), marks[0]) if s != pinyin))


def _splits(text: str, count: int) -> list[tuple[str, ...]]:
    if count == 1:
        return [(text,)] if _SYLLABLE.fullmatch(text) else []
    found = []
    for end in range(1, min(len(text), 6) + 1):
        head = text[:end]
        if _SYLLABLE.fullmatch(head):
            found += [(head, *rest) for rest in _splits(text[end:], count - 1)]
            if len(found) > 1:
                return found
    return found


def pinyin_names(pinyin: str, syllables: int) -> tuple[str, ...]:
    """A place's pinyin and its other spellings (ü, written v in the table, typed u too)."""
    names = (pinyin, *pinyin_spellings(pinyin, syllables))
    return tuple(dict.fromkeys((*names, *(n.replace("v", "u") for n in names))))
