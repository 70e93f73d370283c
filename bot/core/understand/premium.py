"""Paying someone's premium, said after their insurance: "她的居民医保能用我个账交吗",
"阿妈系湛江新农合，可以用我个账帮佢交吗", "我爸妈交的居民医保，我能给我爸交不".

reader.py reads the premium item where a paying verb stands before a relative's resident
insurance ("给她交今年的居民医保"). People as often name the insurance first and pay it later
in the message, with the verb and no object: for someone (给/帮/俾 + who + 交) or from the
account (个账交吗). Only a resident's premium can be paid for a relative, so where the message
names a resident insurance or a relative's insurance, such a bare paying verb is that premium.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.core import ids
from bot.core.understand.lexicon import Lexicon, Sense
from bot.core.understand.matcher import Hit, Message
from bot.core.understand.places import Evidence

PREMIUM = Sense(ids.ITEM, (ids.RESIDENT_PREMIUM,))
# From the account, the verb may pay what else the message names ("住院费能从个账里扣吗").
FROM_ACCOUNT = Sense(ids.ITEM, (ids.RESIDENT_PREMIUM,), weak=True)
BEFORE_REACH = 2  # "给/帮/俾" right before who is paid for
OBJECT_REACH = 3  # an item named right after the verb is what is paid: "给她交住院费"


class LaterPremium:
    """Finds a bare paying verb for someone, or from the account, after their insurance."""

    def __init__(self, lexicon: Lexicon) -> None:
        grammar = lexicon.grammar
        self._beneficiary = tuple(w for w in grammar.beneficiary if not w.isascii())
        self._pays = tuple(sorted(grammar.pays_for, key=len, reverse=True))
        self._ends = grammar.question_ends
        self._accounts = tuple(w for w in lexicon.card_words if not w.isascii())
        self._fillers = tuple(sorted(grammar.pay_fillers, key=len, reverse=True))

    def find(self, message: Message, relatives_insurance: Callable[[int], bool]) -> list[Evidence]:
        """Evidence of the resident premium, when the message names a resident insurance or a
        relative's insurance (`relatives_insurance(index)`: "小外孙的医保")."""
        hits = message.hits
        named = any(
            any(ids.RESIDENT in s.options for s in h.senses(ids.INSURANCE))
            or relatives_insurance(i)
            for i, h in enumerate(hits)
        )
        if not named:
            return []
        found = []
        for index, hit in enumerate(hits):
            if self._paid_for(message, index):
                found.append(Evidence(hit, PREMIUM))
            elif self._paid_from_account(message, hit):
                found.append(Evidence(hit, FROM_ACCOUNT))
        return found

    def _paid_for(self, message: Message, index: int) -> bool:
        """ "给我爸交不", "帮佢交吗", "给他交两百多块": for someone, a bare paying verb."""
        hit = message.hits[index]
        if not hit.names_person:
            return False
        before = message.text[max(0, hit.start - BEFORE_REACH) : hit.start]
        if not before.endswith(self._beneficiary):
            return False
        verb = self._verb(message.text, hit.end)
        return verb is not None and self._bare(message, index, hit.end + len(verb))

    def _paid_from_account(self, message: Message, hit: Hit) -> bool:
        """ "能用我个账交吗", "用我职工医保的钱来交": the account pays, and nothing else is
        named as paid."""
        if not hit.word.key.endswith(self._accounts):
            return False
        at = hit.end
        at += len(next((f for f in self._fillers if message.text.startswith(f, at)), ""))
        verb = self._verb(message.text, at)
        if verb is None:
            return False
        rest = message.text[at + len(verb) :].lstrip()
        return not rest or rest.startswith(self._ends)

    def _verb(self, text: str, at: int) -> str | None:
        return next((v for v in self._pays if text.startswith(v, at)), None)

    def _bare(self, message: Message, index: int, end: int) -> bool:
        """No 的/了 after the verb ("给她交的医保" says what she has) and no item right after
        it ("给她交住院费" pays the hospital)."""
        if message.text.startswith(("的", "了", "过", "钱"), end):
            return False
        later = message.hits[index + 1 :]
        return not any(h.senses(ids.ITEM) and h.start - end <= OBJECT_REACH for h in later)
