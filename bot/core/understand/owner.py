"""Whose account pays: someone else's card used for the speaker or a third person.

"老公医保在石家庄，我在邯郸，他的个账能给我买药不": the account is the husband's, so his place
is the account's, the speaker's place is where the money is spent, and the husband is not the
one the money is for. "她的个账用完了，能用我的吗" uses the speaker's own account: no owner.
Words come from lexicon.yaml `card_owner` (use, card, account) and `grammar.possessive`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.core import ids
from bot.core.understand.lexicon import Lexicon
from bot.core.understand.matcher import Hit, Message
from bot.core.understand.normal import ends_with_word


@dataclass(frozen=True)
class Owner:
    """The words naming the account's owner (我哥, 他, his) and where the message names them
    again: the same kin ("我爸在西安退休…爸的个账") or a pronoun whose last named relative
    is them ("我老公在阜阳交的医保…他的个账"; not 她 in "婆婆…她医保在南充")."""

    hit: Hit
    names: frozenset[int]  # start offsets of the hits naming the owner
    kin: Hit | None = None  # the kin word naming them (老公 for "老公…他的个账"), if any

    def refers(self, hit: Hit) -> bool:
        return hit.start in self.names


class Owners:
    """Finds the owner of the account a message asks to use, if it is not the speaker's."""

    def __init__(self, lexicon: Lexicon, beneficiary: Callable[[Message, Hit], bool]) -> None:
        """`beneficiary(message, hit)`: whether a relative is who the money is for (给我妈)."""
        self.lexicon = lexicon
        self._beneficiary = beneficiary

    def find(self, message: Message) -> Owner | None:
        owner = None
        for hit in message.hits:
            if not hit.names_person or hit.negated:
                continue
            if not (self._owns(message, hit) or self._asks_for(message, hit)):
                continue
            if not _is_other(hit):
                return None  # "能用我的吗": the speaker's own account is used
            owner = owner or hit
        if owner is None:
            return None
        relatives = [
            h
            for h in message.hits
            if _is_other(h) and h.senses(ids.RELATIVE)
            if h is owner or not self._beneficiary(message, h)
        ]
        kin = owner if owner.senses(ids.RELATIVE) else None
        if kin is None:  # 他: the first relative named before it ...
            # ... that is not who the money is for ("外婆住院，妈妈问能不能用她的医保给外婆付")
            paid_for = [
                h
                for h in message.hits
                if h.start > owner.start and self._beneficiary(message, h)
                if h.senses(ids.RELATIVE)
            ]
            candidates = [
                h
                for h in relatives
                if h.start < owner.start
                and not any(
                    p.senses(ids.RELATIVE) == h.senses(ids.RELATIVE) and not self._other_sex(p, h)
                    for p in paid_for
                )
                and self._same_sex(owner, h, strict=True)
            ]
            candidates = [h for h in candidates if self._same_sex(owner, h)] or candidates
            # ... or the one just named in its clause ("Can my husband pay with his account")
            # (not "granny's" in "can my wife pay granny's premium from her account").
            near = [
                h
                for h in candidates
                if h.clause == owner.clause
                and not message.text[h.end :].startswith(self.lexicon.grammar.possessive)
            ]
            chosen = near[-1:] or candidates[:1]
            kin = chosen[0] if chosen else None
        names = {owner.start}
        for hit in message.hits:
            if (
                kin is not None
                and hit.senses(ids.RELATIVE) == kin.senses(ids.RELATIVE)
                and not self._other_sex(kin, hit)  # "my mum … my dad": not the same person
            ):
                names.add(hit.start)
            elif hit.person == "third_person":
                last = [h for h in relatives if h.end <= hit.start]
                # "…for my son's flu shot, he's insured in Wuxi too": he is the son, though
                # the money is for him; not "her" (mum's) card.
                kin_before = [h for h in message.hits if _is_kin(h) and h.end <= hit.start]
                fitting = [h for h in kin_before if self._same_sex(hit, h)]
                if fitting and fitting[-1] not in last:
                    continue
                if (last and last[-1].start in names) or (not last and owner.person):
                    names.add(hit.start)
        return Owner(owner, frozenset(names), kin)

    def _other_sex(self, one: Hit, two: Hit) -> bool:
        grammar = self.lexicon.grammar
        keys = {one.word.key, two.word.key}
        return bool(keys & set(grammar.male_kin)) and bool(keys & set(grammar.female_kin))

    def _same_sex(self, pronoun: Hit, kin: Hit, strict: bool = False) -> bool:
        """ "his" is not the wife's, "她" not the husband's; unless `strict`, 他 (written for
        anyone, but mostly a man) is not a woman's either."""
        grammar = self.lexicon.grammar
        key = pronoun.word.key
        if key in grammar.he or (not strict and key.startswith("他")):
            return kin.word.key not in grammar.female_kin
        if key in grammar.she:
            return kin.word.key not in grammar.male_kin
        return True

    def _asks_for(self, message: Message, hit: Hit) -> bool:
        """ "帮我爸问一下，他退休了医保在洛阳": asking for someone about their own account."""
        grammar = self.lexicon.grammar
        before = message.lead_in(hit, grammar.self_possessive)
        after = message.text[hit.end : hit.end + 6].lstrip()
        # English asks first: "asking for my dad" (the "my" is no one asked for)
        asked = bool(hit.senses(ids.RELATIVE)) and before.endswith(grammar.asking_for)
        if not (
            asked or (before.endswith(grammar.ask_for) and after.startswith(grammar.ask_words))
        ):
            return False
        # "帮我老公问下，我能不能给他交居民医保": the speaker then acts, with their own account.
        return not any(
            h.person == "first_person" and not self._beneficiary(message, h)
            for h in message.hits
            if h.start > hit.end + 2
        )

    def speaker_pays(self, message: Message) -> bool:
        """ "老伴的个账用完了，能用我的给她买药吗": the speaker's own account is the one used."""
        return any(
            h.names_person and not _is_other(h) and self._owns(message, h)
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
        for particle in (*lex.grammar.possessive, *lex.grammar.determiners):
            owned = owned.removeprefix(particle).lstrip()
        # "Not mine, my grandpa's - he's retired in Wuhu", "这个账户是我爸的。": the account
        # is left out, but whose it is ends the clause.
        elided = bool(hit.senses(ids.RELATIVE)) and owned != after
        elided = elided and (not owned or not owned[0].isalnum())
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
        theirs = hit.word.key.endswith(lex.grammar.possessive) or owned != after
        if used and hit.person == "third_person" and theirs and not owned[:1].isalnum():
            return True  # "家庭共济能不能把我绑上去用他的": his account, left out
        if hit.word.key == "mine" and any(ends_with_word(before, w) for w in lex.grammar.to_mine):
            return True  # "can I bind him to mine", "top up hers from mine"
        has_particle = owned != after or hit.person is not None  # "他个账", "佢個賬"
        if (
            hit.senses(ids.RELATIVE)
            and not hit.word.key.isascii()
            and not self._beneficiary(message, hit)
        ):  # "为啥我妈卡里的余额一直在涨": her card, 的 left out
            has_particle = has_particle or after.startswith(
                tuple(w for w in lex.account_words if "卡" in w or "账" in w or "帐" in w)
            )
        return elided or (has_particle and owned.startswith(lex.account_words))

    @staticmethod
    def _past_insurance(message: Message, at: int, owned: str) -> str:
        """ "用我哥的职工医保个账": the scheme named before the card is still theirs."""
        for hit in message.hits:
            if hit.start == at and hit.senses(ids.INSURANCE):
                return owned[hit.end - hit.start :].lstrip()
        return owned


def _is_kin(hit: Hit) -> bool:
    return bool(hit.senses(ids.RELATIVE)) and _is_other(hit)


def _is_other(hit: Hit) -> bool:
    if hit.person is not None:
        return hit.person == "third_person"
    return is_other_person(hit)


def is_other_person(hit: Hit) -> bool:
    """A relative other than the speaker (本人 and 我自己 are the speaker)."""
    return any(ids.SELF not in s.options for s in hit.senses(ids.RELATIVE))
