"""Turning the words found in a message into answers: which answers does it already give?

People type before they look at buttons ("我在长春，能用我的医保卡给我妈买流感疫苗吗？"). The
`Understander` finds the words of `flows/lexicon.yaml` (and every region name of
`flows/regions.yaml`) with the matcher and turns what it found into answers. It never guesses:
two different options for one question, or an option under a negation, are reported so the bot
can ask instead.

Built once from the Flow; `understand()` is pure and takes microseconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.core import ids
from bot.core.divisions import Divisions, load_divisions
from bot.core.flow import Flow
from bot.core.resources import flows_dir
from bot.core.understand.away import Away, gate_scope
from bot.core.understand.beneficiary import Beneficiaries
from bot.core.understand.chains import Chains
from bot.core.understand.each import one_in_each
from bot.core.understand.gate import Gate
from bot.core.understand.geography import Geography
from bot.core.understand.heirs import Heirs
from bot.core.understand.items import Items
from bot.core.understand.kin import compose
from bot.core.understand.lexicon import LEXICON_FILE, REGION, SLOTS, LexiconBuilder, Sense
from bot.core.understand.matcher import Hit, Matcher, Message
from bot.core.understand.moves import Moves
from bot.core.understand.normal import Normalizer, bare, without
from bot.core.understand.owner import Owner, Owners
from bot.core.understand.paid import paid_by
from bot.core.understand.places import Evidence, Places, Region
from bot.core.understand.premium import LaterPremium
from bot.core.understand.theirs import card_is_theirs, said_of_owner
from bot.core.understand.viewpoint import turn_evidence

MAX_CHARS = 500  # longer messages are cut: nobody states their question after 500 characters
PREMIUM_REACH = 6  # "给她交今年的居民医保": 交 within this many characters before
LATIN_PREMIUM_REACH = 24  # "pay my son's resident medical insurance"


@dataclass(frozen=True)
class Understanding:
    """What a message says, as answers the flow can use.

    answers:   question id -> option id, only for questions the message answers unambiguously
               (a city also sets its province; a city regions.yaml does not list sets its
               province and city "other" when the province has cities; an item sets its
               category).
    ambiguous: question id -> the candidate option ids when the message names several; no
               candidates when it names none but plainly asks about it (a category
               said without its item: "她身体不舒服能用我的卡吗").
    negated:   question id -> option ids the message names under a negation ("不是给我自己").
    region:    the account's place as a division code (divisions.csv), as precisely as the
               message names it (常熟 -> 320581), when it names one place.
    regions:   the candidate division codes when the place's name fits several (taizhou).
    matched:   the words found, in message order, for debugging and logs.
    """

    answers: dict[str, str] = field(default_factory=dict)
    ambiguous: dict[str, tuple[str, ...]] = field(default_factory=dict)
    negated: dict[str, tuple[str, ...]] = field(default_factory=dict)
    matched: tuple[str, ...] = ()
    region: str | None = None
    regions: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.answers or self.ambiguous or self.negated)


EMPTY = Understanding()


class Understander:
    """Built once per flow; `understand()` is then pure and fast."""

    def __init__(
        self, flow: Flow, lexicon_path: Path | None = None, divisions: Divisions | None = None
    ) -> None:
        self.flow = flow
        normalize = Normalizer()
        divisions = divisions if divisions is not None else load_divisions()
        self.lexicon = LexiconBuilder(
            flow, lexicon_path or flows_dir() / LEXICON_FILE, normalize, divisions
        ).build()
        self._matcher = Matcher(self.lexicon, normalize)
        self._order = {q.id: {o.id: i for i, o in enumerate(q.options)} for q in flow.questions}
        self._item_category = _item_categories(flow)
        self._scope_condition = flow.question(ids.SCOPE).ask_if
        care = self._item_category.get(ids.OFFSITE_CARE)
        self._care_items = frozenset(i for i, c in self._item_category.items() if c == care)
        geography = Geography(flow, divisions)
        self._places = Places(geography, self.lexicon)
        # Premiums and the account's money exist only in the insurance (topic.py).
        own = {self._item_category.get(i) for i in (ids.RESIDENT_PREMIUM, ids.WITHDRAWAL)}
        own_items = frozenset(i for i, c in self._item_category.items() if c in own)
        self._gate = Gate(self.lexicon, self._places.is_beneficiary, own_items)
        self._away = Away(geography, self.lexicon, self._care_items)
        self._owners = Owners(self.lexicon, self._places.is_beneficiary)
        self._beneficiaries = Beneficiaries(self.lexicon, self._places.is_beneficiary)
        self._items = Items(self.lexicon, self._item_category)
        self._moves = Moves(self._places.geo, self.lexicon)
        self._chains = Chains(self.lexicon, self._places)
        self._later_premium = LaterPremium(self.lexicon)
        self._heirs = Heirs(self.lexicon)

    # --- the entry point ----------------------------------------------------------------------

    def understand(self, text: str) -> Understanding:
        """Answers, ambiguities and negations found in one message (pure, no I/O)."""
        message = self._matcher.read(text[:MAX_CHARS])
        alone = self.lexicon.alone.get(bare(message.text))
        if alone is not None:  # "自己" typed as an answer
            return Understanding(answers={alone[0]: alone[1]}, matched=(message.text,))
        if not message.hits or not (self._gate.on_topic(message) or self._only_words(message)):
            return EMPTY  # "岳阳今天下雨没": a place, but nothing about the account
        answers: dict[str, str] = {}
        ambiguous: dict[str, tuple[str, ...]] = {}
        negated: dict[str, tuple[str, ...]] = {}
        places = self._places.find(message)
        one_in_each(message, places, self.lexicon.grammar)  # "一个在宜宾一个在泸州"
        owner = self._owners.find(message)
        if owner is not None:
            card_is_theirs(message, places, owner, self.lexicon)
        holder = self._places.resolve_region(places, answers, ambiguous, negated)
        inferred = {
            ids.RELATIVE: []
            if owner is not None
            else self._beneficiaries.speaker_gets(
                message, self._item_category, self._item_category.get(ids.WITHDRAWAL)
            ),
            ids.SCOPE: self._away.scope(message, places, holder),
            ids.ITEM: [
                *self._away.offsite(message, places, holder),
                *self._premium_for_someone_else(message),
                *self._later_premium.find(
                    message, lambda i: self._a_relatives_insurance(message, i)
                ),
            ],
        }
        relatives: list[Evidence] = []
        for slot in SLOTS:
            found = [*self._slot_senses(message, slot, owner), *inferred.get(slot, [])]
            if slot == ids.RELATIVE:  # "儿子儿媳都在上海…给孙女交": the others are context
                found = self._beneficiaries.narrow(message, found, owner is not None)
                found = relatives = turn_evidence(message, found, owner, self.lexicon.grammar)
            elif slot == ids.ITEM:  # "在药店买维生素": the pharmacy is where
                found = self._items.narrow(message, found)
            self._resolve_slot(slot, found, answers, ambiguous, negated)
        moved = (
            self._moves.candidates(message, places, answers.get(ids.ITEM) == ids.TRANSFER)
            # (the category an item implies counts: "Going to Beijing for surgery" is care)
            if answers.get(ids.CATEGORY, self._item_category.get(answers.get(ids.ITEM, "")))
            in (None, self._item_category.get(ids.TRANSFER))
            else ()
        )
        if moved:
            holder = self._moved(moved, answers, ambiguous)
        if answers.get(ids.ITEM) in self.lexicon.holder_items:
            # "我爸走了，他医保在哈尔滨": the relative is the account holder, not who it is for;
            # who it is for is the heir (heirs.py).
            answers.pop(ids.RELATIVE, None)
            ambiguous.pop(ids.RELATIVE, None)
            heirs = self._heirs.find(message, owner, relatives)
            self._resolve_slot(ids.RELATIVE, heirs, answers, ambiguous, {})
            if not holder.codes:
                holder = self._places.resolve_region(places, answers, ambiguous, negated, True)
            self._holders_scheme(message, answers, ambiguous, negated)
        self._imply_category(answers, ambiguous)
        if ids.ITEM in answers:  # "艾灸，养生那种不是治病": the item says what it is
            negated.pop(ids.CATEGORY, None)
            self._items.unlike(answers[ids.ITEM], negated)
        gate_scope(self._scope_condition, answers, ambiguous, negated)
        return Understanding(
            answers=self._ordered(answers),
            ambiguous=self._ordered(ambiguous),
            negated=self._ordered(negated),
            matched=tuple(h.word.key for h in message.hits),
            region=holder.code,
            regions=holder.codes if len(holder.codes) > 1 else (),
        )

    def _holders_scheme(
        self,
        message: Message,
        answers: dict[str, str],
        ambiguous: dict[str, tuple[str, ...]],
        negated: dict[str, tuple[str, ...]],
    ) -> None:
        """ "我爸走了，他是在兰州退休的": the relative holds the account, so their scheme is the
        holder's (read before as someone else's)."""
        if ids.INSURANCE in answers or ids.INSURANCE in ambiguous:
            return
        theirs = [Evidence(h, s) for h in message.hits for s in h.senses(ids.INSURANCE)]
        self._resolve_slot(ids.INSURANCE, theirs, answers, ambiguous, negated)

    def _moved(
        self,
        codes: tuple[str, ...],
        answers: dict[str, str],
        ambiguous: dict[str, tuple[str, ...]],
    ) -> Region:
        """A move's places are the candidates of where the account is: ask."""
        for slot in (ids.PROVINCE, ids.CITY):
            answers.pop(slot, None)
            ambiguous.pop(slot, None)
        if len(codes) > 1:
            self._places.geo.answers(codes, answers, ambiguous)
        provinces = tuple(sorted({self._places.geo.province(c) for c in codes}))
        if not (set(ambiguous) & {ids.PROVINCE, ids.CITY}):
            # One place, or several in one city: only where the account is going is known.
            ambiguous[ids.PROVINCE] = provinces
            answers.pop(ids.CITY, None)
            answers.pop(ids.PROVINCE, None)
        return Region(codes if len(codes) > 1 else ())

    def _only_words(self, message: Message) -> bool:
        """Known words typed alone ("长春", "我在长春", "本人", "给我妈", "我和我妈都在长春") are an
        answer; with other words and nothing about the account ("岳阳今天下雨没") it is chat."""
        rest = list(message.text)
        for hit in message.hits:
            rest[hit.start : hit.end] = " " * (hit.end - hit.start)
        lex = self.lexicon
        fillers = [*lex.grammar.place_fillers, *lex.grammar.beneficiary, *lex.coordinators]
        if not any(hit.senses(ids.ITEM) for hit in message.hits):  # "我老婆在药店上班" is chat
            fillers += lex.topic.fillers  # "我在北京上班，我爸妈在湖南": where people are
        return not without("".join(rest), fillers)

    def _slot_senses(self, message: Message, slot: str, owner: Owner | None) -> list[Evidence]:
        found: list[Evidence] = []
        kin = self._composed_kin(message) if slot == ids.RELATIVE else {}
        for index, hit in enumerate(message.hits):
            senses = kin[index] if index in kin else hit.senses(slot)
            if not senses:
                continue
            # "我妈是居民医保", "我妈在外地": about the relative, not the account holder.
            about_person = slot == ids.ITEM and any(ids.OFFSITE_CARE in s.options for s in senses)
            if slot == ids.ITEM and self._where_insured(message, index):
                continue
            if slot == ids.ITEM and self._someone_elses_empty_account(message, index):
                continue
            own = not (about_person and self._chains.about_someone_else(message, hit))
            if slot == ids.INSURANCE and not self._holders(message, hit, owner):
                continue
            if slot == ids.SCOPE and self._places.they_both(message, hit, kin=True):
                continue  # "they're both insured in Shangqiu": not with the speaker
            if slot == ids.RELATIVE and (
                self._is_owner(message, hit, owner) or self._moves.to_someone(message, hit)
            ):
                continue
            found.extend(Evidence(hit, sense, own) for sense in senses)
        if slot == ids.INSURANCE:  # "单位在渝北交的医保": who pays says the scheme
            for hit in paid_by(message, self.lexicon.paid_by):
                if self._holders(message, hit, owner):
                    found.extend(Evidence(hit, sense) for sense in hit.senses(slot))
        # "儿子在外地上大学" says where he is, not that care is away; next to something other
        # than care it says nothing ("my mother is in a different province, pay her premium").
        care = any(set(e.sense.options) <= self._care_items for e in found if e.own)
        return [e for e in found if e.own or not e.sense.weak or care]

    def _holders(self, message: Message, hit: Hit, owner: Owner | None) -> bool:
        """Whether an insurance word is said of the account holder: of the owner when it is
        someone else's account, else not of a relative ("我妈是居民医保", "my retired mom")."""
        kin = self._chains.describes(message, hit)
        if kin is not None:
            return owner is not None and owner.refers(kin)
        if owner is not None:
            return said_of_owner(message, hit, owner, self.lexicon) or self._chains.both(
                message, hit
            )
        return not self._chains.about_someone_else(message, hit)

    def _composed_kin(self, message: Message) -> dict[int, tuple[Sense, ...]]:
        """ "老婆的妈妈": two kin words joined by a possessive name one person (kin.py); the
        first word then names nobody the money is for."""
        composed: dict[int, tuple[Sense, ...]] = {}
        hits = message.hits
        for index in range(len(hits) - 1):
            whose, who = hits[index], hits[index + 1]
            if message.text[whose.end : who.start] not in self.lexicon.grammar.possessive:
                continue
            options = [
                tuple(o for s in h.senses(ids.RELATIVE) if not s.weak for o in s.options)
                for h in (whose, who)
            ]
            relation = compose(options[0], options[1])
            if relation is not None:
                composed[index] = ()
                composed[index + 1] = (Sense(ids.RELATIVE, (relation,)),)
        return composed

    def _where_insured(self, message: Message, index: int) -> bool:
        """ "我在沭阳交医保": a weak premium word right after a place says where someone is
        insured, not that a premium is paid; so does a strong one ("她在临沂交居民医保，她打HPV
        疫苗…") when the message asks about another item and nobody is paid for
        ("给我妈在贵阳交居民医保")."""
        hit = message.hits[index]
        previous = message.hits[index - 1] if index > 0 else None
        senses = hit.senses(ids.ITEM)
        if not (
            senses
            and all(s.options == (ids.RESIDENT_PREMIUM,) for s in senses)
            and previous is not None
            and bool(previous.senses(REGION))
            and message.text[previous.end : hit.start] in ("", *self.lexicon.grammar.possessive)
        ):
            return False
        if all(s.weak for s in senses):
            return True
        # A strong one (交居民医保) is only read so when the message asks about something else.
        before = message.text[message.clause_start(hit) : previous.start]
        paid_for = any(w in before for w in self.lexicon.grammar.beneficiary)
        asks_else = any(
            o != ids.RESIDENT_PREMIUM and not s.weak
            for other in message.hits
            for s in other.senses(ids.ITEM)
            for o in s.options
        )
        return asks_else and not paid_for

    def _someone_elses_empty_account(self, message: Message, index: int) -> bool:
        """ "她的个账用完了，能用我的吗": a relative's empty account, said before the speaker
        offers their own, is why they ask, not what they ask about (unlike "我妈个账用完了怎么办",
        where the mother's account is the one asked about)."""
        hit = message.hits[index]
        if not any(s.options == (ids.BALANCE_EXHAUSTED,) for s in hit.senses(ids.ITEM)):
            return False
        later_speaker = any(h.person == "first_person" for h in message.hits[index + 1 :])
        return later_speaker and self._chains.about_someone_else(message, message.hits[index])

    def _is_owner(self, message: Message, hit: Hit, owner: Owner | None) -> bool:
        """The account's owner is not who the money is for: "他的个账能给我买药不"."""
        if owner is not None:
            if all(s.options == (ids.SELF,) for s in hit.senses(ids.RELATIVE)):
                return True  # someone else's account used for oneself: no relative
            return hit is owner.hit or (
                owner.refers(hit) and not self._places.is_beneficiary(message, hit)
            )
        return self._owns_the_card(message, hit) and not self._owners.speaker_pays(message)

    def _owns_the_card(self, message: Message, hit: Hit) -> bool:
        """Whether a relative owns the account: "能用孩子的医保卡吗", "我老公的个账".

        After 用/拿/刷 any card word will do; without one only an account itself (个账, 医保卡),
        since "我妈的医保在外省" is still about the mother as the one the money is for."""
        lex = self.lexicon
        before = message.text[message.clause_start(hit) : hit.start].rstrip()
        for word in lex.grammar.self_possessive:
            before = before.removesuffix(word)
        before = before.rstrip()  # "use my wife's yibao"
        after = message.text[hit.end : hit.end + 24]
        owned = after
        for particle in lex.grammar.possessive:
            owned = owned.removeprefix(particle)
        possessed = owned != after
        owned = owned.lstrip()  # "my laogong's geren zhanghu"
        if before.endswith(lex.use_words):
            return owned.startswith(lex.card_words)
        if before.endswith(lex.into_words):  # "转到我老婆的卡上": she receives the money
            return False
        return possessed and owned.startswith(lex.account_words)

    def _premium_for_someone_else(self, message: Message) -> list[Evidence]:
        """A relative's resident insurance, paid for, is the premium item: "给她交今年的居民医保"."""
        found = []
        for index, hit in enumerate(message.hits):
            resident = any(ids.RESIDENT in s.options for s in hit.senses(ids.INSURANCE))
            if not (resident or self._a_relatives_insurance(message, index)):
                continue
            before = message.text[
                max(message.clause_start(hit), hit.start - _premium_reach(hit)) : hit.start
            ]
            # "她在乡下交的新农合" says which insurance she has, "我交了孩子的医保" that it is
            # paid; "给她交新农合" asks about paying it.
            paid = any(
                v in before and not any(f"{v}{done}" in before for done in "的了咗嘅过")
                for v in self.lexicon.premium_verbs
            )
            if paid and self._chains.about_someone_else(message, message.hits[index]):
                found.append(Evidence(hit, Sense(ids.ITEM, (ids.RESIDENT_PREMIUM,))))
        return found

    def _a_relatives_insurance(self, message: Message, index: int) -> bool:
        """ "交孩子的医保": an insurance word owned by a relative right before it. Only a resident's
        premium can be paid for a relative, so paying it is the resident premium."""
        hit = message.hits[index]
        if index == 0 or hit.word.key not in self.lexicon.insurance_cues:
            return False
        previous = message.hits[index - 1]
        gap = message.text[previous.end : hit.start].rstrip()  # "pay my mom's yibao"
        return bool(previous.senses(ids.RELATIVE)) and gap in self.lexicon.grammar.possessive

    def _resolve_slot(
        self,
        slot: str,
        found: Sequence[Evidence],
        answers: dict[str, str],
        ambiguous: dict[str, tuple[str, ...]],
        negated: dict[str, tuple[str, ...]],
    ) -> None:
        """Strong words decide; weak ones only when no strong word was found."""
        positive = [e for e in found if not e.hit.negated and not e.narrows]
        strong = [e.sense for e in positive if not e.sense.weak]
        chosen = strong or [e.sense for e in positive]
        candidates = {o for s in chosen for o in s.options}
        for narrowing in (e for e in found if e.narrows and len(candidates) > 1):
            candidates = candidates & set(narrowing.sense.options) or candidates
        if slot == ids.ITEM:
            candidates = self._absorb(positive, candidates)
        denied = {o for e in found if e.hit.negated for o in e.sense.options} - candidates
        if denied:
            negated[slot] = self._sorted(slot, denied)
        if len(candidates) == 1:
            answers[slot] = next(iter(candidates))
        elif candidates:
            ambiguous[slot] = self._sorted(slot, candidates)

    def _absorb(self, positive: Sequence[Evidence], candidates: set[str]) -> set[str]:
        """lexicon.yaml item_absorbs: "在外地出差，买点感冒药" is offsite_care, and
        "出国定居了，钱能取出来吗" is emigration, not plain withdrawal."""
        for item, absorbed in self.lexicon.absorbs.items():
            named = any(item in e.sense.options and e.own for e in positive)
            if named and candidates and candidates <= absorbed | {item}:
                return {item}
        return candidates

    def _imply_category(
        self, answers: dict[str, str], ambiguous: dict[str, tuple[str, ...]]
    ) -> None:
        """The item decides the category (questions.yaml: the item option's `when`); a category
        said without an item ("她身体不舒服", "交保险") leaves the item to ask (the conventions)."""
        items = [answers[ids.ITEM]] if ids.ITEM in answers else list(ambiguous.get(ids.ITEM, ()))
        categories = {self._item_category[i] for i in items if i in self._item_category}
        if not categories:
            if ids.CATEGORY in answers:  # open, with no candidate named: the item question
                ambiguous[ids.ITEM] = ()
            return
        answers.pop(ids.CATEGORY, None)
        ambiguous.pop(ids.CATEGORY, None)
        if len(categories) == 1:
            answers[ids.CATEGORY] = categories.pop()
        else:  # 奶粉还是退烧药: prevention or care, ask
            ambiguous[ids.CATEGORY] = self._sorted(ids.CATEGORY, categories)

    # --- ordering -----------------------------------------------------------------------------

    def _sorted(self, slot: str, options: Iterable[str]) -> tuple[str, ...]:
        order = self._order.get(slot, {})
        return tuple(sorted(options, key=lambda o: (order.get(o, len(order)), o)))

    def _ordered(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Slots in the order the flow asks them, so printing is stable."""
        return {q: values[q] for q in self._order if q in values}


def _item_categories(flow: Flow) -> dict[str, str]:
    """item id -> its category, when the item option's `when` names exactly one."""
    result: dict[str, str] = {}
    for option in flow.question(ids.ITEM).options:
        if option.when is None:
            continue
        categories = {
            value
            for alternative in option.when.alternatives
            for slot, values in alternative
            if slot == ids.CATEGORY
            for value in values
        }
        if len(categories) == 1:
            result[option.id] = categories.pop()
    return result


def _premium_reach(hit: Hit) -> int:
    return LATIN_PREMIUM_REACH if hit.word.key.isascii() else PREMIUM_REACH
