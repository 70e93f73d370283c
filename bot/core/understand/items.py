"""What the money is for, when a message names several items but asks about one.

Most messages that name two items say clearly which one they ask about; the other is where or
why ("在药店买维生素", "钱用不完，能给弟弟买药吗", "囤的口罩用完了，个账能买口罩吗"). This drops, from
the item evidence, what only says where or why:

- a shop (药店, pharmacy) is where something else named is bought: "vitamins at the pharmacy";
- the account's money named only by a hint (用不完, next year), unless it is empty, is why one
  asks about paying for something: "钱用不完，能给弟弟买药吗", "pay their premium for next year";
- "用完了", "不够用" said with no word for the account or its money in the clause are about
  something else ("疫情那会囤的口罩用完了") when something to pay for is named.

Nothing is guessed: two things to pay for ("买药和维生素") are still asked about.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.core import ids
from bot.core.understand.lexicon import Lexicon
from bot.core.understand.matcher import Message
from bot.core.understand.normal import bare
from bot.core.understand.places import Evidence

ACCOUNT_REACH = 24  # "my medical account is empty": the account within this of "empty"


class Items:
    def __init__(self, lexicon: Lexicon, item_category: Mapping[str, str]) -> None:
        self.lexicon = lexicon
        self._shops = frozenset(bare(w) for w in lexicon.grammar.shops)
        self._money = item_category.get(ids.WITHDRAWAL)
        self._item_category = item_category
        self._account = (*lexicon.card_words, *lexicon.grammar.account_money)

    def unlike(self, item: str, negated: dict[str, tuple[str, ...]]) -> None:
        """lexicon.yaml item_unlike: "中药调理，不是看病" says what the item is, it does not ask
        the bot to rule a clinic visit out."""
        contrasted = self.lexicon.unlike.get(item, frozenset())
        kept = tuple(o for o in negated.get(ids.ITEM, ()) if o not in contrasted)
        if kept:
            negated[ids.ITEM] = kept
        else:
            negated.pop(ids.ITEM, None)

    def narrow(self, message: Message, found: Sequence[Evidence]) -> list[Evidence]:
        """The item evidence without what only says where something is bought or why."""
        positive = [e for e in found if not e.hit.negated and not e.narrows]
        strong = [e for e in positive if not e.sense.weak]
        dropped: set[int] = set()
        paid = [e for e in strong if not self._is_money(e) and not self._is_shop(e)]
        if paid:
            dropped |= {id(e) for e in strong if self._is_shop(e)}
            dropped |= {
                id(e)
                for e in strong
                if ids.BALANCE_EXHAUSTED in e.sense.options and not self._of_account(message, e)
            }
        elif not strong and any(not self._is_money(e) for e in positive):
            # an empty account hinted at ("花光了…看病咋办") is still what one asks about
            dropped |= {
                id(e)
                for e in positive
                if self._is_money(e) and ids.BALANCE_EXHAUSTED not in e.sense.options
            }
        return [e for e in found if id(e) not in dropped]

    def _is_shop(self, evidence: Evidence) -> bool:
        return (
            evidence.sense.options == (ids.PHARMACY_DRUGS,)
            and bare(evidence.hit.word.key) in self._shops
        )

    def _is_money(self, evidence: Evidence) -> bool:
        return all(self._item_category.get(o) == self._money for o in evidence.sense.options)

    def _of_account(self, message: Message, evidence: Evidence) -> bool:
        """ "个账用完了", "卡里的钱不够用", "used up all the money in my account", "个人账户的钱，
        用完了…": the account's money is named in the clause (or the one before, when the
        clause starts with it)."""
        hit = evidence.hit
        start = message.clause_start(hit)
        if not message.text[start : hit.start].strip() and hit.clause > 0:
            start = message.clause_starts[hit.clause - 1]
        end = len(message.text)
        if hit.clause + 1 < len(message.clause_starts):
            end = message.clause_starts[hit.clause + 1]
        said = message.text[
            max(start, hit.start - ACCOUNT_REACH) : min(end, hit.end + ACCOUNT_REACH)
        ]
        return any(word in said for word in self._account)
