"""Whose account pays: someone else's card used for the speaker or a third person.

"老公医保在石家庄，我在邯郸，他的个账能给我买药不": the account is the husband's, so his place
is the account's, the speaker's place is where the money is spent, and the husband is not the
one the money is for. "她的个账用完了，能用我的吗" uses the speaker's own account: no owner.
Words come from lexicon.yaml `card_owner` (use, card, account) and `grammar.possessive`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.core import ids
from bot.core.understand.lexicon import Lexicon
from bot.core.understand.matcher import Hit, Message


@dataclass(frozen=True)
class Owner:
    """The words naming the account's owner (我哥, 他, his) and the relative they are (我哥
    itself, or the first relative named for 他: 老公)."""

    hit: Hit
    relative: Hit | None

    def refers(self, hit: Hit) -> bool:
        """Whether a relative word names the owner: the same word, or the same kin said again
        ("我爸在西安退休…爸的个账")."""
        if self.relative is None or not hit.senses(ids.RELATIVE):
            return False
        return hit is self.relative or hit.senses(ids.RELATIVE) == self.relative.senses(
            ids.RELATIVE
        )


class Owners:
    """Finds the owner of the account a message asks to use, if it is not the speaker's."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon

    def find(self, message: Message, beneficiary: Callable[[Message, Hit], bool]) -> Owner | None:
        """`beneficiary(message, hit)`: whether a relative is who the money is for (给我妈)."""
        owner = None
        for hit in message.hits:
            if not (hit.person or hit.senses(ids.RELATIVE)) or hit.negated:
                continue
            if not self._owns(message, hit):
                continue
            if not _is_other(hit):
                return None  # "能用我的吗": the speaker's own account is used
            owner = owner or hit
        if owner is None:
            return None
        if owner.senses(ids.RELATIVE):
            return Owner(owner, owner)
        named = [
            h
            for h in message.hits
            if h.start < owner.start and _is_other(h) and h.senses(ids.RELATIVE)
            if not beneficiary(message, h)
        ]
        return Owner(owner, named[0] if named else None)

    def speaker_pays(self, message: Message) -> bool:
        """ "老伴的个账用完了，能用我的给她买药吗": the speaker's own account is the one used."""
        return any(
            (h.person or h.senses(ids.RELATIVE)) and not _is_other(h) and self._owns(message, h)
            for h in message.hits
            if not h.negated
        )

    def _owns(self, message: Message, hit: Hit) -> bool:
        """A card, account or money word after the person: "用他的卡", "他的个账", "佢个账",
        "用我的吗"."""
        lex = self.lexicon
        before = message.text[message.clause_start(hit) : hit.start].rstrip()
        after = message.text[hit.end : hit.end + 24].lstrip()
        owned = after
        for particle in lex.grammar.possessive:
            owned = owned.removeprefix(particle).lstrip()
        owned = self._past_insurance(message, hit.end + len(after) - len(owned), owned)
        for word in lex.grammar.self_possessive:
            before = before.removesuffix(word).rstrip()  # "转到我老婆的卡上"
        used = before.endswith(lex.use_words)
        if before.endswith(lex.into_words):
            return False  # "转到我老婆的卡上": money goes to her
        if used and owned.startswith(lex.card_words):
            return True  # "用我老公的卡"
        if used and hit.person == "first_person" and (owned != after or hit.word.key == "mine"):
            return True  # "能用我的吗", "use mine"
        has_particle = owned != after or hit.person is not None  # "他个账", "佢個賬"
        return (
            has_particle
            and owned.startswith(lex.account_words)
            and self._used_for_someone(message, hit)
        )

    def _used_for_someone(self, message: Message, owner: Hit) -> bool:
        """ "她的个账能给我用吗", "佢個賬嘅錢我可唔可以用": spent for someone named after it;
        "她的医保个人账户怎么办" asks about her account, for her."""
        rest = message.text[owner.end :]
        if any(h.start >= owner.end and h.person == "first_person" for h in message.hits):
            return True
        return any(
            re.search(rf"\b{re.escape(w)}\b", rest) if w.isascii() else w in rest
            for w in self.lexicon.grammar.beneficiary
        )

    @staticmethod
    def _past_insurance(message: Message, at: int, owned: str) -> str:
        """ "用我哥的职工医保个账": the scheme named before the card is still theirs."""
        for hit in message.hits:
            if hit.start == at and hit.senses(ids.INSURANCE):
                return owned[hit.end - hit.start :].lstrip()
        return owned


def _is_other(hit: Hit) -> bool:
    if hit.person is not None:
        return hit.person == "third_person"
    return any(ids.SELF not in s.options for s in hit.senses(ids.RELATIVE))
