"""Finding a list's words in one pass (wordsets.py) answers exactly as looking for each word in
turn did: cue_before and the together.py searches, on texts built from the lists' own words."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.understand import cues, together
from bot.core.understand.wordsets import word_set

CUES = ("医保", "医保在", "保在", "在", "insured in", "in", "the card", "的医保", "交")
GAPS = frozenset({"", "在", "是", "in", "是老家"})
PIECES = [*CUES, "长春", "我妈", " ", "，", "a", "insured", "是", "老家", "card", "ins"]

texts = st.lists(st.sampled_from(PIECES), max_size=14).map("".join)
lists = st.lists(st.sampled_from(CUES), min_size=1, max_size=6).map(tuple)


@settings(max_examples=400, deadline=None)
@given(texts, lists, st.integers(min_value=0, max_value=4))
def test_cue_before_as_with_one_search_per_cue(before: str, found: tuple[str, ...], reach: int):
    # A list (not a tuple) is read cue by cue, as before word sets existed.
    for gaps in (None, GAPS):
        assert cues.cue_before(before, found, reach, gaps) == cues.cue_before(
            before, list(found), reach, gaps
        )


@settings(max_examples=400, deadline=None)
@given(texts, lists)
def test_occurrences_as_with_one_search_per_word(text: str, words: tuple[str, ...]):
    one_pass = sorted(together._occurrences_of_any(text, words))
    each = sorted({(at, w) for w in words for at in together._occurrences(text, w)})
    assert sorted(set(one_pass)) == each


def test_a_list_with_an_empty_word_is_read_word_by_word():
    assert word_set(("医保", "")) is None
    assert cues.cue_before("我的医保在", ("医保", ""), reach=0)  # "" ends everywhere


def test_each_list_gets_its_own_automaton_and_keeps_it():
    one, two = ("医保", "在"), ("在", "医保")
    assert word_set(one) is word_set(one)
    assert word_set(one) is not word_set(two)
    rebuilt = tuple(list(one))  # equal, but another list: found by identity, built again
    assert word_set(rebuilt) is not None and word_set(rebuilt) is not word_set(one)
