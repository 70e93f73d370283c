"""What a message names, as far as the topic gate cares (topic.py decides).

Kept out of reader.py: the gate reads the matcher's hits, which topic.py (read by the lexicon
builder) may not import.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.core import ids
from bot.core.understand.lexicon import REGION, SLOTS, Lexicon
from bot.core.understand.matcher import Hit, Message
from bot.core.understand.topic import Named, decide


class Gate:
    def __init__(
        self,
        lexicon: Lexicon,
        is_beneficiary: Callable[[Message, Hit], bool],
        own_items: frozenset[str],
    ) -> None:
        self.lexicon = lexicon
        self._is_beneficiary = is_beneficiary
        self._own_items = own_items  # premiums and the account's money

    def on_topic(self, message: Message) -> bool:
        """Whether the message is about the account (topic.py): a clear answer word alone is
        not enough ("我妈前几天在青岛住院了" is chat)."""
        strong = place = item = corrects = for_someone = scheme = own_item = False
        for hit in message.hits:
            clear = [s.slot for s in hit.word.senses if not s.weak]
            place = place or REGION in clear
            if not any(slot in SLOTS for slot in clear):
                continue
            strong, corrects = True, corrects or hit.negated
            item = item or ids.ITEM in clear
            scheme = scheme or ids.INSURANCE in clear
            own_item = own_item or any(
                o in self._own_items
                for s in hit.word.senses
                if s.slot == ids.ITEM and not s.weak
                for o in s.options
            )
            if ids.RELATIVE in clear and not for_someone:  # "给我妈", "给自己"
                for_someone = hit.word.key.startswith(self.lexicon.grammar.beneficiary) or (
                    self._is_beneficiary(message, hit)
                )
        named = Named(strong, place, item, corrects, for_someone, scheme, own_item)
        return decide(self.lexicon.topic.found(message.text), named)
