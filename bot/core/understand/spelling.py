"""How people misspell a place's pinyin: the slips that Chinese writers of English and
expats make most ("Suzou", "Shijiazuang", "Chendu", "Tianjing"), generated for every
province, prefecture and county-level city, so that no single misspelling is listed by hand.

Two kinds of slip, one at a time (or every h dropped at once):
  - zh, ch, sh written z, c, s (southern speakers do not tell them apart): suzhou -> suzou;
  - a front nasal for a back one and the other way round (-n / -ng): chengdu -> chendu.
A slip that spells another real name (cangzhou is 沧州, not 常州 without its h) or any
other word the lexicon knows is not a misspelling of this place; the lexicon checks that
(lexicon.py), since only it knows every word.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Container, Iterable

MIN_LETTERS = 5  # shorter slips ("xian" -> "xin") collide with words and other names
_SYLLABLE = (
    r"(?:[bpmfdtnlgkhjqxrzcsyw]|zh|ch|sh)?"
    r"(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|van|ai|ei|ao|ou|an|en|er|in|ia|ie|iu"
    r"|ua|uo|ui|un|ue|ve|vn|a|o|e|i|u|v)"
)
_PINYIN = re.compile(f"(?:{_SYLLABLE})+")  # "industrial" and "park" are not pinyin
_RETROFLEX = re.compile(r"[zcs]h")
# A nasal ending a syllable: followed by a consonant that starts the next one, or the end.
_BACK_NASAL = re.compile(r"(?<=[aeiouv])ng(?=[bcdfhjklmnpqrstwxyz]|$)")
_FRONT_NASAL = re.compile(r"(?<=[aeiouv])n(?=[bcdfhjklmpqrstwxyz]|$)")


@functools.cache
def slips(token: str) -> tuple[str, ...]:
    """The usual misspellings of one pinyin word, without the word itself."""
    if len(token) < MIN_LETTERS or not token.isascii() or not _PINYIN.fullmatch(token):
        return ()
    found = [token[: m.start() + 1] + token[m.end() :] for m in _RETROFLEX.finditer(token)]
    found.append(_RETROFLEX.sub(lambda m: m.group()[0], token))
    found += [token[: m.start()] + "n" + token[m.end() :] for m in _BACK_NASAL.finditer(token)]
    found += [token[: m.start()] + "ng" + token[m.end() :] for m in _FRONT_NASAL.finditer(token)]
    return tuple(dict.fromkeys(s for s in found if s != token and len(s) >= MIN_LETTERS))


def misspellings(name: str) -> tuple[str, ...]:
    """A latin place name with one of its words misspelt: "suzhou industrial park" ->
    "suzou industrial park"."""
    words = name.split(" ")
    return tuple(
        dict.fromkeys(
            " ".join((*words[:i], slip, *words[i + 1 :]))
            for i, word in enumerate(words)
            for slip in slips(word)
        )
    )


def misspelt(names: Iterable[str], known: Container[str]) -> dict[str, str]:
    """Each usual misspelling of the latin `names` that is no `known` word, with the name it
    stands for; a slip of two names at once (a typo of both) stands for neither."""
    found: dict[str, str] = {}
    clashes: set[str] = set()
    for name in names:
        for slip in misspellings(name):
            if slip in known or slip in clashes:
                continue
            if slip in found and found[slip] != name:
                clashes.add(slip)
                del found[slip]
                continue
            found[slip] = name
    return found
