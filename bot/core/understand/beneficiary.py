"""Who the money is for when a message names several relatives.

Two relatives named at once are asked about ("给我爸和我老婆买药"), but most messages that name
several people say clearly which one the money is for; the others are context:
"儿子儿媳都在上海上班，孙女跟我在西宁…给孙女交居民医保", "my son and his wife live in Nanchang…
pay my son's hospital bill". This narrows the relatives found, in this order:

- a relative of someone else is not the speaker's: "his wife", "她的妈妈" (drop);
- a relative the speaker says they are is not the one the money is for: "I am grandma" (drop);
- of those left, the one the money is marked for wins when only one is: "给岳母", "for my dad",
  "Dad's physio", or a pronoun so marked ("帮她交", "his vaccines") standing for the last
  relative named before it.

Nothing is guessed: when no single relative is marked, all candidates stay and the bot asks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from bot.core import ids
from bot.core.understand.lexicon import Lexicon, Sense
from bot.core.understand.matcher import Hit, Message
from bot.core.understand.normal import ends_with_word
from bot.core.understand.places import Evidence

SELF_REACH = 24  # "i want to get a flu shot": the cue within this before the care
ITEM_REACH = 3  # "my son's hospital bill": the item follows the possessive within this
SPEAKER_IS = ("我是", "我系", "i am", "i'm", "im")  # "我是孩子奶奶", "I am grandma"
# ... also "作为奶奶", "当妈的我", "as a grandma" (whole words): the speaker says who they are
SPEAKER_SAYS = (*SPEAKER_IS, "俺是", "本人是", "作为", "作為", "当", "as")
THEIR = ("his", "her", "their", "他的", "她的", "佢嘅")  # "I'm her son"
HERE = ("here", "在此", "在这", "喺度")  # "Vietnamese wife here": the speaker introducing themself
SPEAKER = ("我", "俺")  # right after a relative: "爷爷我的医保卡", "当妈的我想问"
# Who the one the money is for is, when the speaker says who they are to a child: "我是孩子
# 奶奶…给孩子看病" is a grandchild, "我是孩子舅舅…" a nephew.
SEEN_FROM = {ids.GRANDPARENT: ids.GRANDCHILD, ids.OTHER_PERSON: ids.OTHER_PERSON}
PLURAL = ("他们", "她们", "佢哋", "佢地", "they", "them", "their")  # stand for several people


class Beneficiaries:
    def __init__(self, lexicon: Lexicon, is_beneficiary: Callable[[Message, Hit], bool]) -> None:
        self.lexicon = lexicon
        self._is_beneficiary = is_beneficiary

    def narrow(
        self, message: Message, found: Sequence[Evidence], theirs: bool = False
    ) -> list[Evidence]:
        """The relative evidence, without the relatives the money is clearly not for (`theirs`:
        the account is someone else's, who is named, so a weak word is no one the money is for:
        "Bro my grandpa wants to use HIS account for my gym")."""
        if theirs:
            found = [e for e in found if not e.sense.weak]
        found = [e for e in self._not_the_speaker(message, found) if not self._intro(message, e)]
        if any(w in message.text for w in self.lexicon.grammar.unmarried):
            found = [_unmarried(e) for e in found]
        if len(_options(found)) < 2:
            return list(found)
        context = [e for e in found if _counts(e) and self._context(message, e.hit)]
        kept = [e for e in found if e not in context]
        # "for her mom's medicine": someone else's relative the money is for is "other".
        kept += [
            Evidence(e.hit, Sense(ids.RELATIVE, (ids.OTHER_PERSON,)))
            for e in context
            if self._theirs(message, e.hit) and self._for(message, e.hit)
        ]
        if not _options(kept):
            kept = list(found)  # nothing left to choose from: keep what was said
        kept = self._not_only_looked_after(message, kept)
        if len(_options(kept)) < 2:
            return kept
        marked = self._marked(message, [e for e in kept if _counts(e)])
        if len(marked) != 1:
            return kept
        return [e for e in kept if not _counts(e) or set(e.sense.options) <= marked]

    def _not_only_looked_after(self, message: Message, found: Sequence[Evidence]) -> list[Evidence]:
        """ "岳母来帮我们带娃，她身体不舒服": a relative only looked after by another one named is
        why that one is there, not who the money is for (unless the money is marked for them)."""
        cared = self.lexicon.grammar.looks_after
        looked_after = [
            e
            for e in found
            if _counts(e)
            and _ends_with_any(message.text[message.clause_start(e.hit) : e.hit.start], cared)
            and not self._for(message, e.hit)
        ]
        rest = _options([e for e in found if e not in looked_after])
        if not looked_after or not rest or _options(looked_after) <= rest:
            return list(found)
        return [e for e in found if e not in looked_after]

    def speaker_gets(
        self, message: Message, item_category: Mapping[str, str], money: str | None
    ) -> list[Evidence]:
        """Care the speaker says they get themself ("我想去打九价", "my own prenatal visits"):
        weak evidence for `self`, which a relative named outweighs."""
        grammar = self.lexicon.grammar
        found: list[Evidence] = []
        for hit in message.hits:
            items = [o for s in hit.senses(ids.ITEM) if not s.weak for o in s.options]
            if not items or any(item_category.get(o) == money for o in items) or hit.negated:
                continue
            before = message.text[
                max(message.clause_start(hit), hit.start - SELF_REACH) : hit.start
            ]
            for cue in grammar.i_will:
                at = before.rfind(cue)
                if at < 0 or (cue.isascii() and at > 0 and before[at - 1].isalnum()):
                    continue
                gap = before[at + len(cue) :]
                said = gap + hit.word.key  # "我想买药": buying, maybe for someone else
                if not any(w in said for w in grammar.not_for_me) and len(gap) <= _gap(cue):
                    found.append(Evidence(hit, Sense(ids.RELATIVE, (ids.SELF,), weak=True)))
                    break
        return found

    def _not_the_speaker(self, message: Message, found: Sequence[Evidence]) -> list[Evidence]:
        """Without the relatives the speaker says they are ("我是全职妈妈", "爷爷我", "我是孩子
        奶奶"), even when no one else is named: that is who asks, not who the money is for. A
        child named by a speaker who is its grandparent is a grandchild."""
        # "my colleague says it goes to zero", "near my daughter": who told the speaker or
        # where they live, unless a pronoun later may stand for them ("我妈说她想…").
        speaker = [
            e
            for e in found
            if _counts(e)
            and ids.SELF not in e.sense.options
            and (
                self._speaker_is(message, e.hit)
                or (
                    not any(
                        h.person == "third_person" and h.start > e.hit.start for h in message.hits
                    )
                    and (
                        self._says(message, e.hit, self.lexicon.grammar.hearsay)
                        or self._a_place(message, e.hit)
                    )
                    and not self._for(message, e.hit)
                )
            )
        ]
        if not speaker:
            return list(found)
        seen_from = {SEEN_FROM[o] for e in speaker for o in e.sense.options if o in SEEN_FROM}
        kept = []
        for e in found:
            if e in speaker:
                continue
            if _counts(e) and e.sense.options == (ids.CHILD,) and len(seen_from) == 1:
                e = Evidence(e.hit, Sense(ids.RELATIVE, tuple(seen_from)), e.own)
            kept.append(e)
        return kept

    def _a_place(self, message: Message, hit: Hit) -> bool:
        """ "女儿那里", "儿子家", "老公工作的城市", "near my daughter": where someone lives."""
        grammar = self.lexicon.grammar
        after = message.text[hit.end : hit.end + 12]
        for particle in grammar.possessive:
            after = after.removeprefix(particle)
        after = after.lstrip()
        for place in sorted(grammar.their_place, key=len, reverse=True):
            if _starts_with_word(after, (place,)):
                # "我妈家里的血压计" is hers, not where she is
                return not after.removeprefix(place).lstrip().startswith(grammar.possessive)
        before = message.text[message.clause_start(hit) : hit.start].rstrip()
        for word in grammar.self_possessive:
            before = before.removesuffix(word).rstrip()
        return any(ends_with_word(before, w) for w in grammar.beside)

    def _intro(self, message: Message, evidence: Evidence) -> bool:
        """ "本人台灣人，在平潭工作": the speaker says who they are, not that it is for them."""
        if not (
            evidence.sense.weak
            and evidence.sense.options == (ids.SELF,)
            and evidence.hit.word.key in self.lexicon.grammar.introducing
        ):
            return False
        after = message.text[evidence.hit.end :].lstrip()
        return after.startswith(self.lexicon.grammar.introduces)

    def _speaker_is(self, message: Message, hit: Hit) -> bool:
        """ "我是孩子奶奶", "作为奶奶", "I am grandma", "爷爷我的医保卡", "当妈的我"."""
        earlier = [h for h in message.hits if h.end <= hit.start and h.clause == hit.clause]
        later = [h for h in message.hits if h.start >= hit.end and h.clause == hit.clause]
        start, end = hit.start, hit.end
        joins = ("", *self.lexicon.grammar.possessive)
        if (
            earlier
            and earlier[-1].senses(ids.RELATIVE)
            and message.text[earlier[-1].end : hit.start] in joins
        ):
            start = earlier[-1].start  # "孩子(的)奶奶": one person named by two words
        elif later and later[0].senses(ids.RELATIVE) and later[0].start == hit.end:
            end = later[0].end
        lead = message.text[message.clause_start(hit) : start].rstrip()
        for word in THEIR:  # "I'm her son": the speaker is her son
            if ends_with_word(lead, word):
                lead = lead[: len(lead) - len(word)].rstrip()
                break
        if any(ends_with_word(lead, word) for word in SPEAKER_SAYS):
            return True
        if _starts_with_word(message.text[end:].lstrip(), HERE) and not any(
            h.names_person for h in earlier
        ):
            return True  # "Vietnamese wife here, married to…", "宝妈在此"
        after = message.text[end:].lstrip().removeprefix("的")
        return lead in ("", *SPEAKER_SAYS) and after.startswith(SPEAKER)

    def _context(self, message: Message, hit: Hit) -> bool:
        """ "his wife", "她的妈妈" (someone else's relative); "媳妇问…" (who asks)."""
        grammar = self.lexicon.grammar
        return self._theirs(message, hit) or (
            self._says(message, hit, (*grammar.hearsay, *grammar.ask_words))
            and not self._for(message, hit)
        )

    def _says(self, message: Message, hit: Hit, verbs: tuple[str, ...]) -> bool:
        """ "媳妇问", "我妈也说", "some moms here say": the relative speaks."""
        after = message.text[hit.end : hit.end + 24]
        if after.startswith("s ") and hit.word.key.isascii():
            after = after[1:]  # "some moms here say", "my colleagues said"
        after = after.lstrip()
        for gap in self.lexicon.grammar.speaker_gaps:
            if after.startswith(gap) and not after.startswith(verbs):
                after = after.removeprefix(gap).lstrip()
                break
        return after.startswith(verbs) and not (
            after[:1].isalpha() and after.isascii() and not _starts_with_word(after, verbs)
        )

    def _theirs(self, message: Message, hit: Hit) -> bool:
        """A relative right after a third person: "his wife", "她的妈妈"."""
        owner = self._possessor(message, hit)
        return owner is not None and owner.person == "third_person"

    def _possessor(self, message: Message, hit: Hit) -> Hit | None:
        earlier = [h for h in message.hits if h.end <= hit.start and h.clause == hit.clause]
        if not earlier:
            return None
        gap = message.text[earlier[-1].end : hit.start].strip()
        return earlier[-1] if gap in ("", "'s", *self.lexicon.grammar.possessive) else None

    def _marked(self, message: Message, evidence: Sequence[Evidence]) -> set[str]:
        """The options the money is marked for: 给/帮/for before, or 's + an item after."""
        marked: set[str] = set()
        previous: Evidence | None = None
        for e in sorted(evidence, key=lambda e: e.hit.start):
            # "我自己买" says it is for oneself; "给我爸和我岳父" marks both.
            if (
                e.sense.options == (ids.SELF,)
                or self._for(message, e.hit)
                or (previous is not None and self._joined(message, previous, e))
            ):
                marked.update(e.sense.options)
                previous = e
        relatives = {id(e.hit): e for e in evidence}
        for index, hit in enumerate(message.hits):
            if hit.person != "third_person":
                continue
            plural = hit.word.key in PLURAL  # "their premium": the last several named
            following = message.hits[index + 1] if index + 1 < len(message.hits) else None
            if (
                following is not None
                and following.senses(ids.RELATIVE)
                and self._possessor(message, following) is hit
            ):
                continue  # "for her mom": her mother, not her
            if not self._for(message, hit):
                continue
            before = [relatives[id(h)] for h in message.hits[:index] if id(h) in relatives]
            if plural and before:
                group = self._group(message, before)  # "我爸妈和我儿子…给他们": all of them
                if len(group) > 1:
                    marked.update(o for e in group for o in e.sense.options)
                    continue
                before = [e for e in before if self._plural(message, e.hit)]
            if before:
                marked.update(self._antecedent(message, before).sense.options)
        return marked

    def _antecedent(self, message: Message, before: Sequence[Evidence]) -> Evidence:
        """Whom a pronoun stands for: the last relative named, but not one only looked after
        by another ("婆婆来家里帮忙带娃，她是…给她买药": 婆婆; "my MIL looks after our son… her")."""
        cared = self.lexicon.grammar.looks_after
        kept = [
            e
            for e in before
            if not _ends_with_any(message.text[message.clause_start(e.hit) : e.hit.start], cared)
        ]
        return (kept or before)[-1]

    def _group(self, message: Message, before: Sequence[Evidence]) -> list[Evidence]:
        """The relatives joined with the last one named: "我爸妈和我儿子"."""
        group = [before[-1]]
        for e in reversed(before[:-1]):
            if not self._joined(message, e, group[0]):
                break
            group.insert(0, e)
        return group

    def _plural(self, message: Message, hit: Hit) -> bool:
        """ "in-laws", "my parents", "公婆", "爸妈": several people a plural pronoun may stand for."""
        key = hit.word.key
        if key.isascii():
            return key.endswith("s") or message.text[hit.end : hit.end + 1] == "s"
        return key.endswith(self.lexicon.grammar.plural_kin)

    def _joined(self, message: Message, one: Evidence, two: Evidence) -> bool:
        gap = message.text[one.hit.end : two.hit.start].strip()
        for word in self.lexicon.grammar.self_possessive:
            gap = gap.removesuffix(word).strip()
        joins = self.lexicon.coordinators
        return gap in joins or (not gap and one.hit.word.key.endswith(tuple(joins)))  # "我自己和"

    def _needs(self, message: Message, hit: Hit) -> bool:
        """ "外孙女要打疫苗", "my son needs a flu shot": the relative is the one getting care."""
        after = message.text[hit.end : hit.end + 24]
        stripped = after.lstrip()
        word = next((w for w in self.lexicon.grammar.needs if stripped.startswith(w)), None)
        if word is None and not hit.word.key.isascii():
            return self._cared_for(message, hit)
        if word is None:
            return False
        start = hit.end + len(after) - len(stripped) + len(word)
        following = next((h for h in message.hits if h.start >= start), None)
        return (
            following is not None
            and following.clause == hit.clause
            and following.start - start <= _needs_gap(word)
            and any(not s.weak for s in following.senses(ids.ITEM))
        )

    def _cared_for(self, message: Message, hit: Hit) -> bool:
        """ "她家孩子打疫苗", "他老婆生孩子住院", "她家孩子看病": care named right after someone
        else's relative (only care words between; not "孩子的奶奶住院", which asks whose)."""
        if not self._theirs(message, hit):
            return False
        at = hit.end
        for following in (h for h in message.hits if h.start >= hit.end):
            items = following.senses(ids.ITEM)
            if following.start - at > 0 or not items or following.clause != hit.clause:
                break
            if any(not s.weak for s in items):
                return True
            at = following.end
        return at > hit.end

    def _for(self, message: Message, hit: Hit) -> bool:
        owner = self._possessor(message, hit)
        if owner is not None and owner.person == "third_person" and self._for(message, owner):
            return True  # "for her mom", "给她妈妈"
        if hit.word.key.startswith(self.lexicon.grammar.beneficiary) or self._is_beneficiary(
            message, hit
        ):
            return True
        if self._needs(message, hit):
            return True
        after = message.text[hit.end : hit.end + 2 + ITEM_REACH]
        owned = after.removeprefix("'s").removeprefix("的")
        if owned == after and hit.word.key not in ("his", "her", "their"):
            return False
        start = hit.end + len(after) - len(owned)
        following = next((h for h in message.hits if h.start >= start), None)
        # "my son's hospital bill"; not "孩子的奶奶住院" (the grandmother's stay)
        return (
            following is not None
            and bool(following.senses(ids.ITEM))
            and following.start <= start + ITEM_REACH
        )


def _needs_gap(word: str) -> int:
    return 12 if word.isascii() else 2


def _ends_with_any(text: str, words: Sequence[str]) -> bool:
    """ "帮忙带|娃", "looks after our |son": one of words, then at most a possessive."""
    text = text.rstrip()
    for suffix in ("我的", "我", "our", "my", "the", "his", "her"):
        if text.endswith(suffix) and not text.endswith(tuple(words)):
            text = text.removesuffix(suffix).rstrip()
            break
    return any(ends_with_word(text, w) for w in words)


def _unmarried(evidence: Evidence) -> Evidence:
    """对象 (a spouse or a partner) when the message says they are not married: a partner."""
    options = evidence.sense.options
    if ids.SPOUSE in options and ids.OTHER_PERSON in options:
        sense = Sense(ids.RELATIVE, (ids.OTHER_PERSON,), evidence.sense.weak)
        return Evidence(evidence.hit, sense, evidence.own, evidence.narrows)
    return evidence


def _gap(cue: str) -> int:
    """How much may stand between a cue and the care: "我想去|打九价", "i want to |get a |flu shot"."""
    return 12 if cue.isascii() else 3


def _starts_with_word(text: str, words: tuple[str, ...]) -> bool:
    """ "says it" starts with "says", "sayonara" does not."""
    return any(
        text.startswith(w) and not (w.isascii() and len(text) > len(w) and text[len(w)].isalnum())
        for w in words
    )


def _counts(evidence: Evidence) -> bool:
    return not evidence.hit.negated and not evidence.narrows and not evidence.sense.weak


def _options(found: Sequence[Evidence]) -> set[str]:
    return {o for e in found if _counts(e) for o in e.sense.options}
