"""Whether a message is about the account at all: the topic gate (lexicon.yaml `topic`).

Chat names the same things a question does: "我妈前几天在青岛住院了，陪我聊聊天" names a parent
and a hospital stay, "公积金账户余额怎么查" a balance, "南昌职工医保住院报销比例" the insurance.
A clear answer word alone therefore does not make a message a question about the account.
It is one when

- it names the account itself (个账, 账户, 卡里的钱, balance), or
- it names the medical insurance (医保, 医保卡, yibao) together with a place, a clear answer
  word, a question of ability (能, 可以, can) or a verb of using or paying, or
- it says a clear answer word together with a verb of using or paying ("能给她用吗", "can I
  use it for gym"), or it rules an answer out ("not for me, for my sister"), or it spends on
  someone ("想给孩子打疫苗", "能给孙女交学费吗"), or
- it names a scheme and a premium or the account's money and asks whether one may ("Can
  flexible workers in Sanya make up missed months?");

and never when it speaks of another account or scheme (公积金, 养老金, car insurance) without
using the medical one's account (a likeness, "像充话费那样", does not count), nor when it asks
about the insurance but not the account (报销比例, a new card) or about something no account
pays for (a pet: 给猫, vet). Asking something else about the insurance (好过广州, 断缴了有啥
影响, 一年交多少钱, 医保局电话) is chat unless the account or whether one may is asked too
("社区说要问医保局…医保卡能给他打疫苗不"). Words are found
in the normal form in one pass, leftmost and longest first, so an `other` or `none` phrase
(车险, 交学费, 提前) hides the shorter words inside it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import ahocorasick

from bot.core.understand.normal import whole_words

ACCOUNT = "account"  # the account itself
MEDICAL = "medical"  # the medical insurance or its card
ASK = "ask"  # using or paying
MODAL = "modal"  # whether one may
OTHER = "other"  # another account or scheme
NEVER = "never"  # about the insurance, not the account
NONE = "none"  # phrases that contain a word above but mean something else (交学费)
FILLER = "filler"  # may stand around known words typed alone as an answer: 都, 上班, both
ASIDE = "aside"  # asks something else about the insurance: 好过广州, 有啥影响, 一年交多少
LIKE = "like"  # an `other` word right after one is a comparison: 像充话费那样
KINDS = (ACCOUNT, MEDICAL, ASK, MODAL, OTHER, NEVER, NONE, FILLER, ASIDE, LIKE)
LIKE_GAP = 3  # "像充话费", "like a bank card": at most this many characters between


@dataclass(frozen=True)
class TopicWords:
    """The gate's words by kind, in one Aho-Corasick automaton (pyahocorasick, as the matcher)."""

    automaton: Any = None
    kinds: Mapping[str, frozenset[str]] = field(default_factory=dict)  # 个账: account, medical
    fillers: tuple[str, ...] = ()  # longest first

    def found(self, text: str) -> frozenset[str]:
        """The kinds of gate word in a normalized text: leftmost, then longest, words win."""
        if self.automaton is None:
            return frozenset()
        spans = sorted(
            (end + 1 - len(word), -len(word), word)
            for end, word in self.automaton.iter(text)
            if whole_words(text, end + 1 - len(word), end + 1)
        )
        kinds: set[str] = set()
        reached = 0
        like_end = -LIKE_GAP - 1
        for start, minus_length, word in spans:
            if start < reached:  # inside a longer word found before: 交学费 hides 交
                continue
            found = self.kinds[word]
            reached = start - minus_length
            if LIKE in found:
                like_end = reached
            elif OTHER in found and 0 <= start - like_end <= LIKE_GAP:
                continue  # "能转钱进去吗，像充话费那样": the other account is only a likeness
            kinds |= found
        return frozenset(kinds)


@dataclass(frozen=True)
class Named:
    """What else a message names, as far as the gate cares."""

    strong: bool = False  # a clear answer word of some question other than the place
    place: bool = False  # a place
    item: bool = False  # a clear item word (疫苗, 体检)
    corrects: bool = False  # an answer ruled out: "不是给我自己", "not for me"
    for_someone: bool = False  # a relative the money is for: "给孩子", "for my mom"
    scheme: bool = False  # a clear insurance scheme: 灵活就业, flexible workers
    own_item: bool = False  # an item only the insurance has: a premium or the account's money


def decide(kinds: frozenset[str], named: Named) -> bool:
    """Whether a message is about the account (see the module's docstring)."""
    if NEVER in kinds:
        return False
    if ASIDE in kinds and not kinds & {ACCOUNT, MODAL}:
        return False  # "深圳医保好过广州吗", "断缴了有啥影响": about the insurance, not the account
    if OTHER in kinds and not (MEDICAL in kinds and kinds & {ACCOUNT, ASK}):
        return False  # "车险跟医保是一回事吗": comparing schemes, not using the account
    if ACCOUNT in kinds:
        return True
    if MEDICAL in kinds and (named.strong or named.place or kinds & {MODAL, ASK}):
        return True  # "现在的医保在合肥", "yibao for gym?"
    if named.scheme and named.own_item and MODAL in kinds:
        return True  # "Can flexible workers in Sanya make up missed months?"
    # "想给孩子打疫苗": spending on someone, or asking whether one may ("能给孙女交学费吗").
    spends = named.for_someone and (named.item or MODAL in kinds)
    return named.strong and (ASK in kinds or named.corrects or spends)


def read_topic(
    value: Any,
    texts: Callable[[str, Any], tuple[str, ...]],
    problem: Callable[[str, str], None],
) -> TopicWords:
    """lexicon.yaml `topic`: a mapping of kind -> words (normalized by `texts`)."""
    if not isinstance(value, Mapping):
        problem("topic", f"topic must map kinds of word ({', '.join(KINDS)}) to lists of words")
        return TopicWords()
    kinds: dict[str, set[str]] = {}
    fillers = sorted(texts("topic", value.get(FILLER)), key=len, reverse=True)
    for kind, words in value.items():
        if kind not in KINDS:
            problem("topic", f"topic: unknown kind '{kind}' (known: {', '.join(KINDS)})")
            continue
        if kind == FILLER:
            continue
        for word in texts("topic", words):  # a word may be of two kinds: 个账 is both
            kinds.setdefault(word, set()).add(str(kind))
    if not kinds:
        return TopicWords(fillers=tuple(fillers))
    automaton = ahocorasick.Automaton()
    for word in kinds:
        automaton.add_word(word, word)
    automaton.make_automaton()
    frozen = {word: frozenset(k) for word, k in kinds.items()}
    return TopicWords(automaton, frozen, tuple(fillers))
