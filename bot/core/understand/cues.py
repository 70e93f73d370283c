"""Cue words around a place in a message: whether one stands right before it ("医保在长春",
"my insurance is still back in Jiamusi") or right after it ("长春的医保", "湖南人"). Pure text
tests, kept apart from places.py, which weighs what they say."""

from __future__ import annotations

from collections.abc import Iterable, Set

from bot.core.understand.grammar import Grammar
from bot.core.understand.matcher import Hit
from bot.core.understand.wordsets import word_set

CUE_REACH = 3  # "医保是老家湖南的": a cue word may sit this many characters before a region


def cue_before(
    before: str,
    cues: Iterable[str],
    reach: int = CUE_REACH,
    gaps: Set[str] | None = None,
    words: Grammar | None = None,
) -> bool:
    """A cue word ending at most `reach` characters before the place; with `gaps`, only these
    may stand between ("医保在长春", "医保是老家长春的"; not "个人账户能在郑州药店用"), or with
    `words`, a run of its English gap words ending in in/from/at ("is still back in")."""
    before = before.rstrip()
    found = word_set(cues) if isinstance(cues, tuple) else None
    if found is None:  # not a lexicon list: look for each cue in turn
        return _cue_before_each(before, cues, reach, gaps, words)
    if gaps is None:
        # Any occurrence ending within `reach` of the end will do (the last one of its cue ends
        # at least as late), so only the tail needs reading.
        edge = len(before) - 1 - reach
        return any(last >= edge for last, _ in found.ends(before, max(0, edge + 1 - found.longest)))
    return any(_gap_fits(before[end:], gaps, words) for end in found.last_ends(before).values())


def _cue_before_each(
    before: str, cues: Iterable[str], reach: int, gaps: Set[str] | None, words: Grammar | None
) -> bool:
    for cue in cues:
        at = before.rfind(cue)
        if at < 0:
            continue
        gap = before[at + len(cue) :]
        if gaps is None and len(gap) <= reach:
            return True
        if gaps is not None and _gap_fits(gap, gaps, words):
            return True
    return False


def _gap_fits(gap: str, gaps: Set[str], words: Grammar | None) -> bool:
    return gap.strip() in gaps or english_gap(gap, words)


def english_gap(gap: str, grammar: Grammar | None) -> bool:
    tokens = gap.split()
    return (
        grammar is not None
        and len(tokens) > 1
        and tokens[-1] in ("in", "from", "at")
        and all(t in grammar.location_gap_words for t in tokens[:-1])
    )


def cue_after(after: str, cues: Iterable[str], possessive: Iterable[str]) -> bool:
    rest = after.lstrip()
    for particle in possessive:
        rest = rest.removeprefix(particle).lstrip()
    if isinstance(cues, tuple):
        return rest.startswith(cues)  # one call, not one per cue
    return any(rest.startswith(cue) for cue in cues)


def is_origin(after: str, grammar: Grammar) -> bool:
    """A region followed by 人 and a pause is a hometown ("我是湖南人，在深圳上班"), not
    人社/人民医院."""
    for suffix in grammar.origin_suffix:
        if after.startswith(suffix):
            rest = after[len(suffix) :]
            return not rest or not rest[0].isalnum() or rest.startswith(grammar.origin_followers)
    return False


def introduces(text: str, hit: Hit, possessive: Iterable[str]) -> bool:
    """ "仙桃的，个账…", "张家口的 个账…": a message opening with a place and 的 says where
    the speaker is from, before anyone else is named."""
    if text[: hit.start].strip():
        return False
    for particle in possessive:
        rest = text[hit.end :]
        if rest.startswith(particle):
            following = rest[len(particle) : len(particle) + 1]
            return not following or not following.isalnum()
    return False
