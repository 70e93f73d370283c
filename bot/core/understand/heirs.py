"""Who gets a dead holder's money (the inheritance item): the relative slot is the heir.

The relative slot is who benefits from the holder's money (CONVENTIONS.md); when the holder
dies that is the heir. "我要是走了，个账的钱能留给我闺女吗", "if I die, wife or kids?": the
speaker is the holder and the relatives named are the heirs, as said. "我爸走了…这钱我们做子女的
能继承吗", "老公走了…我能继承吗", "can us kids get it?": a relative is the holder and the speaker
claims, so the heir is the speaker seen from the holder (a dead father's child, a dead
husband's wife). "转到我妈的卡上" after the father died names his widow. Nothing is guessed:
"家属能领吗", "can we inherit it?" (who "we" are is not said) name no heir.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.core import ids
from bot.core.understand.grammar import Grammar
from bot.core.understand.lexicon import Lexicon, Sense
from bot.core.understand.matcher import Hit, Message
from bot.core.understand.owner import Owner, is_other_person
from bot.core.understand.places import Evidence
from bot.core.understand.viewpoint import turned

DEATH_REACH = 8  # "我爸上个月走了": a relative this close before a death word is who died
CLAIM_REACH = 12  # "我能继承吗": the claim this close after the claimant ...
LATIN_CLAIM_REACH = 48  # "me and my brother both want to know how we claim it"

# The holder's relation to the speaker -> the speaker's relation to the holder.
_INVERSE: Mapping[str, str] = {
    ids.PARENT: ids.CHILD,
    ids.CHILD: ids.PARENT,
    ids.SPOUSE: ids.SPOUSE,
    ids.SIBLING: ids.SIBLING,
    ids.GRANDPARENT: ids.GRANDCHILD,
    ids.GRANDCHILD: ids.GRANDPARENT,
}


class Heirs:
    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        items = lexicon.holder_items  # inheritance: the relative named is the holder
        kin = sorted(
            (w for w in lexicon.words.values() if _kin(w.by_slot.get(ids.RELATIVE, ()))),
            key=lambda w: len(w.key),
            reverse=True,
        )
        # The relative inside a death word: "妈走了", "late husband", "lost my dad".
        self._dead_kin: dict[str, tuple[str, str]] = {}
        for word in lexicon.words.values():
            if not any(set(s.options) & items for s in word.by_slot.get(ids.ITEM, ())):
                continue
            inside = next((k for k in kin if k.key in word.key and k.key != word.key), None)
            if inside is not None:
                options = _kin(inside.by_slot[ids.RELATIVE])
                if len(options) == 1:
                    self._dead_kin[word.key] = (options[0], inside.key)
        self._items = items

    def find(
        self, message: Message, owner: Owner | None, found: Sequence[Evidence]
    ) -> list[Evidence]:
        """The relative evidence of a message about a dead holder's money: `found` (the
        relatives read as usual) when the speaker is the holder, else the heirs seen from the
        relative who died."""
        dead = self._dead(message, owner)
        grammar = self.lexicon.grammar
        if dead is None:  # the speaker's own death, or no one's: "人走了之后由谁继承"
            return [
                e
                for e in found
                if ids.SELF not in e.sense.options
                and (self._given_to(message, e.hit) or self._choice(message, e.hit))
            ]
        relation, word, dead_hit = dead
        heirs: list[Evidence] = []
        claimant = self._claimant(message, grammar)
        if claimant is not None and relation in _INVERSE:
            heirs.append(Evidence(claimant, Sense(ids.RELATIVE, (_INVERSE[relation],))))
        for hit in message.hits:
            if hit is dead_hit or not is_other_person(hit) or hit.start < (dead_hit or hit).start:
                continue
            if not self._given_to(message, hit):
                continue
            for sense in hit.senses(ids.RELATIVE):
                options = tuple(
                    turned(relation, word, o, hit.word.key, False, grammar) or o
                    for o in sense.options
                )
                heirs.append(Evidence(hit, Sense(ids.RELATIVE, options, sense.weak)))
        return heirs

    def _dead(self, message: Message, owner: Owner | None) -> tuple[str, str, Hit | None] | None:
        """The relative who died (their relation to the speaker, their word, their hit)."""
        if owner is not None and owner.kin is not None:
            options = _kin(owner.kin.senses(ids.RELATIVE))
            if len(options) == 1:
                return options[0], owner.kin.word.key, owner.kin
        deaths = [
            h for h in message.hits if any(set(s.options) & self._items for s in h.senses(ids.ITEM))
        ]
        if any(_own_death(d.word.key) for d in deaths):
            return None  # "我要是走了", "if I die", "after my death"
        for death in deaths:
            if death.word.key in self._dead_kin:
                relation, word = self._dead_kin[death.word.key]
                return relation, word, None
            before = [
                h
                for h in message.hits
                if h.end <= death.start
                and h.clause == death.clause
                and death.start - h.end <= DEATH_REACH
                and is_other_person(h)
            ]
            if before:
                options = _kin(before[-1].senses(ids.RELATIVE))
                if len(options) == 1:
                    return options[0], before[-1].word.key, before[-1]
        if owner is not None:
            return ("", "", None)  # someone else's account, whose relation is not said
        return None

    def _claimant(self, message: Message, grammar: Grammar) -> Hit | None:
        """The speaker claiming the money, alone ("我能继承吗", "can I claim it") or as the
        holder's children ("我们做子女的", "us kids", "我们姐弟俩咋分"); not a bare "we"."""
        text = message.text
        for hit in message.hits:
            if hit.person != "first_person" or self._possessive(message, hit):
                continue
            reach = LATIN_CLAIM_REACH if hit.word.key.isascii() else CLAIM_REACH
            after = text[hit.end : hit.end + reach]
            plural = after.startswith(grammar.heir_plural) or hit.word.key in grammar.heir_plural
            group = any(w in after for w in grammar.heir_group)
            if (group or not plural) and any(w in after for w in grammar.heir_claims):
                return hit
        if any(w in text for w in grammar.heir_group_alone):
            return next((h for h in message.hits if h.person == "first_person"), message.hits[0])
        return None

    def _given_to(self, message: Message, hit: Hit) -> bool:
        """ "留给我闺女", "转到我妈的卡上", "go to my kids": the money goes to them."""
        grammar = self.lexicon.grammar
        before = message.lead_in(hit, grammar.self_possessive)
        return before.endswith(grammar.heir_to)

    def _choice(self, message: Message, hit: Hit) -> bool:
        """ "配偶還是子女", "wife or kids?": heirs asked between."""
        text = message.text
        for other in message.hits:
            if other is hit or not other.senses(ids.RELATIVE):
                continue
            first, second = sorted((hit, other), key=lambda h: h.start)
            if text[first.end : second.start].strip() in self.lexicon.grammar.heir_or:
                return True
        return False

    def _possessive(self, message: Message, hit: Hit) -> bool:
        """ "my dad", "我爸", "我的卡": the speaker as someone's owner, not a claimant."""
        if hit.word.key in ("my", "mine"):
            return True
        after = message.text[hit.end :]
        if after.startswith(self.lexicon.grammar.possessive):
            return True
        following = next((h for h in message.hits if h.start >= hit.end), None)
        return (
            following is not None
            and not message.text[hit.end : following.start].strip()
            and bool(following.senses(ids.RELATIVE))
        )


def _own_death(key: str) -> bool:
    return "我" in key or bool({"i", "my", "me"} & set(key.split()))


def _kin(senses: Sequence[Sense]) -> tuple[str, ...]:
    return tuple(o for s in senses if not s.weak for o in s.options if o != ids.SELF)
