"""Understanding a typed message: which answers does it already give?

People type before they look at buttons ("我在长春，能用我的医保卡给我妈买流感疫苗吗？"). The
`Understander` finds the words of `flows/lexicon.yaml` (and every region name of
`flows/regions.yaml`) in a message with one Aho-Corasick automaton, keeps the longest word where
words overlap, and turns what it found into answers. It never guesses: two different options
for one question, or an option under a negation, are reported so the bot can ask instead.

Built once from the Flow; `understand()` is pure and takes microseconds.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ahocorasick
import opencc
import yaml

from bot.core.flow import FLOWS_DIR, Flow, Region
from bot.core.flowfile import Problems, line_of, read_yaml

LEXICON_FILE = "lexicon.yaml"
MAX_CHARS = 500  # longer messages are cut: nobody states their question after 500 characters
REGION = "region"  # the internal slot for province and city names
SLOTS = ("insurance", "category", "item", "relative", "scope")
# How far (in characters) a negation reaches forward to the thing it negates. English needs
# more room: "not for my mom".
CJK_NEGATION_REACH = 3
LATIN_NEGATION_REACH = 6
CUE_REACH = 3  # "医保是老家湖南的": a cue word may sit this many characters before a region
# A region followed by 人 and a pause is a hometown ("我是湖南人，在深圳上班"), not 人社/人民医院.
_ORIGIN_AFTER = re.compile(r"人(?:$|[^\w]|在|但|现在|可|,)")
# Where a clause ends: punctuation, symbols and line breaks (not spaces, apostrophes, hyphens).
_BREAK = re.compile(r"[^\w\s'\-]|\n")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
_NOT_WORD = re.compile(r"[\W_]+")
_SPACES = re.compile(r"[^\S\n]+")
_NEWLINES = re.compile(r" ?\n[\s]*")

_KNOWN_KEYS = {
    "negations",
    "ignore",
    "region_cues",
    "third_person",
    "first_person",
    "coordinators",
    "item_absorbs",
    "card_owner",
    "premium_verbs",
    "region_extra",
    *SLOTS,
}


# --- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Understanding:
    """What a message says, as answers the flow can use.

    answers:   question id -> option id, only for questions the message answers unambiguously
               (a city also sets its province; a city regions.yaml does not list sets its
               province and city "other" when the province has cities; an item sets its
               category).
    ambiguous: question id -> the candidate option ids when the message names several.
    negated:   question id -> option ids the message names under a negation ("不是给我自己").
    matched:   the words found, in message order, for debugging and logs.
    """

    answers: dict[str, str] = field(default_factory=dict)
    ambiguous: dict[str, tuple[str, ...]] = field(default_factory=dict)
    negated: dict[str, tuple[str, ...]] = field(default_factory=dict)
    matched: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.answers or self.ambiguous or self.negated)


EMPTY = Understanding()


# --- the lexicon ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sense:
    """One meaning of a word: some options of one slot; weak senses yield to strong ones."""

    slot: str
    options: tuple[str, ...]
    weak: bool = False
    # For a region: the word names a city that regions.yaml does not list (南京 -> 江苏).
    unlisted: bool = False


@dataclass(frozen=True)
class Word:
    """A normalized word in the automaton, with everything it may mean."""

    key: str
    kind: str  # "word", "negation" or "ignore"
    senses: tuple[Sense, ...]
    left_boundary: bool  # starts with a latin letter or digit: needs a word boundary there
    right_boundary: bool
    by_slot: Mapping[str, tuple[Sense, ...]] = field(default_factory=dict)  # senses per slot


@dataclass(frozen=True)
class Lexicon:
    words: Mapping[str, Word]
    insurance_cues: tuple[str, ...]
    speaker_cues: tuple[str, ...]
    origin_cues: tuple[str, ...]
    together_cues: tuple[str, ...]
    coordinators: frozenset[str]
    third_person: tuple[str, ...]
    first_person: tuple[str, ...]
    alone: Mapping[str, tuple[str, str]]  # word -> (slot, option) when it is the whole message
    absorbs: Mapping[str, frozenset[str]]  # item -> items it stands for when named together
    use_words: tuple[str, ...]  # 用/拿/刷 before someone's card: "用孩子的医保卡"
    card_words: tuple[str, ...]
    account_words: tuple[str, ...]  # 的 + one of these after a relative: "我老公的个账"
    into_words: tuple[str, ...]  # ... unless money goes into it: "转到我老婆的卡上"
    premium_verbs: tuple[str, ...]  # 交/缴 before a relative's resident insurance


class _Normalizer:
    """One normal form for lexicon words and messages: NFKC, casefolded, simplified Chinese."""

    def __init__(self) -> None:
        self._t2s = opencc.OpenCC("t2s")
        self._s2t = opencc.OpenCC("s2t")

    def __call__(self, text: str) -> str:
        text = unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES)
        text = self._t2s.convert(text)
        text = _SPACES.sub(" ", text)
        return _NEWLINES.sub("\n", text).strip()

    def variants(self, word: str) -> set[str]:
        """The word's normal forms, also of its traditional spelling (OpenCC s2t)."""
        return {self(word), self(self._s2t.convert(word))} - {""}


def _bare(text: str) -> str:
    """Without punctuation and spaces: how a one-word answer is compared."""
    return _NOT_WORD.sub("", text)


def _is_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


class _LexiconBuilder:
    """Reads lexicon.yaml against the flow, collecting every problem with its line."""

    def __init__(self, flow: Flow, path: Path, normalize: _Normalizer) -> None:
        self.flow = flow
        self.file = path.name
        self.path = path
        self.normalize = normalize
        self.problems = Problems()
        self.senses: dict[str, list[Sense]] = {}
        self.kinds: dict[str, dict[str, int]] = {}  # key -> {kind: first line}
        self.key_lines: dict[str, int] = {}
        self.alone: dict[str, tuple[str, str]] = {}

    def build(self) -> Lexicon:
        data = read_yaml(self.path, self.problems)
        self.problems.raise_if_any()
        if not isinstance(data, Mapping):
            self.problems.add(self.file, 1, "expected a mapping of sections (negations, item, ...)")
            self.problems.raise_if_any()
        self.key_lines = _top_level_lines(self.path)
        for key in data:
            if key not in _KNOWN_KEYS:
                self._problem(key, f"unknown section '{key}'")
        self._add_regions()
        self._add_region_extra(data.get("region_extra"))
        for slot in SLOTS:
            self._add_slot(slot, data.get(slot))
        self._add_plain("negations", data.get("negations"), "negation", required=True)
        self._add_plain("ignore", data.get("ignore"), "ignore", required=False)
        cues = data.get("region_cues") or {}
        if not isinstance(cues, Mapping):
            self._problem("region_cues", "region_cues must map kinds of cue to lists of words")
            cues = {}
        owner = data.get("card_owner") or {}
        if not isinstance(owner, Mapping):
            self._problem("card_owner", "card_owner must map use and card to lists of words")
            owner = {}
        self._check_conflicts()
        self.problems.raise_if_any()
        return Lexicon(
            words=self._words(),
            insurance_cues=self._texts("region_cues", cues.get("insurance")),
            speaker_cues=self._texts("region_cues", cues.get("speaker")),
            origin_cues=self._texts("region_cues", cues.get("origin")),
            together_cues=self._texts("region_cues", cues.get("together")),
            coordinators=frozenset(self._texts("coordinators", data.get("coordinators"))),
            third_person=self._texts("third_person", data.get("third_person")),
            first_person=self._texts("first_person", data.get("first_person")),
            alone=self.alone,
            absorbs=self._absorbs(data.get("item_absorbs")),
            use_words=self._texts("card_owner", owner.get("use")),
            card_words=self._texts("card_owner", owner.get("card")),
            account_words=self._texts("card_owner", owner.get("account")),
            into_words=self._texts("card_owner", owner.get("into")),
            premium_verbs=self._texts("premium_verbs", data.get("premium_verbs")),
        )

    # --- sections -----------------------------------------------------------------------------

    def _add_regions(self) -> None:
        """Every name of every region; one-character names (京, 新) would match everywhere."""
        for region in self.flow.regions.values():
            for name in _region_names(region):
                if len(name) > 1 or name.isascii():
                    self._add(name, "word", Sense(REGION, (region.code,)), 0, check=False)

    def _add_region_extra(self, section: Any) -> None:
        for entry in self._entries("region_extra", section):
            code = str(entry.get("code", "")).strip()
            if code not in self.flow.regions:
                self.problems.add(self.file, line_of(entry), f"region_extra: unknown code '{code}'")
                continue
            for word in self._word_list(entry, "words"):
                if any(
                    s.slot == REGION
                    for key in self.normalize.variants(word)
                    for s in self.senses.get(key, ())
                ):
                    self.problems.add(
                        self.file, line_of(entry), f"region_extra: '{word}' already names a region"
                    )
                region = self.flow.regions[code]
                unlisted = not region.is_city and not _is_municipality(region)
                self._add(word, "word", Sense(REGION, (code,), unlisted=unlisted), line_of(entry))

    def _add_slot(self, slot: str, section: Any) -> None:
        options = {o.id for o in self.flow.question(slot).options}
        for entry in self._entries(slot, section):
            line = line_of(entry)
            oid = str(entry.get("id", "")).strip()
            if oid not in options:
                self.problems.add(self.file, line, f"{slot}: no option '{oid}' in questions.yaml")
                continue
            unknown = set(entry) - {"id", "words", "weak", "alone"}
            for key in sorted(map(str, unknown)):
                self.problems.add(self.file, line, f"{slot}.{oid}: unknown key '{key}'")
            for weak, key in ((False, "words"), (True, "weak")):
                for word in self._word_list(entry, key):
                    self._add(word, "word", Sense(slot, (oid,), weak), line)
            for word in self._word_list(entry, "alone"):
                for key in self.normalize.variants(word):
                    self.alone[_bare(key)] = (slot, oid)

    def _add_plain(self, section: str, words: Any, kind: str, required: bool) -> None:
        texts = self._texts(section, words)
        if required and not texts:
            self._problem(section, f"'{section}' must list at least one word")
        for word in texts:
            self._add(word, kind, None, self.key_lines.get(section, 1))

    def _absorbs(self, section: Any) -> dict[str, frozenset[str]]:
        if section is None:
            return {}
        line = self.key_lines.get("item_absorbs", 1)
        if not isinstance(section, Mapping):
            self.problems.add(self.file, line, "item_absorbs must map an item to a list of items")
            return {}
        items = {o.id for o in self.flow.question("item").options}
        result: dict[str, frozenset[str]] = {}
        for item, absorbed in section.items():
            named = [str(item), *(absorbed if isinstance(absorbed, list) else [absorbed])]
            for unknown in [str(i) for i in named if str(i) not in items]:
                self.problems.add(self.file, line, f"item_absorbs: no item '{unknown}'")
            result[str(item)] = frozenset(map(str, named[1:]))
        return result

    # --- helpers ------------------------------------------------------------------------------

    def _add(
        self, word: str, kind: str, sense: Sense | None, line: int, check: bool = True
    ) -> None:
        keys = self.normalize.variants(word)
        if not keys and check:
            self.problems.add(self.file, line, f"'{word}' has no letters left after normalizing")
        for key in keys:
            self.kinds.setdefault(key, {}).setdefault(kind, line)
            if sense is not None:
                self.senses.setdefault(key, []).append(sense)

    def _check_conflicts(self) -> None:
        """A word must not be both a negation, an ignored word and a meaning at once."""
        for key, kinds in self.kinds.items():
            if len(kinds) > 1:
                line = max(kinds.values())
                names = " and ".join(sorted(kinds))
                self.problems.add(self.file, line, f"'{key}' is listed as {names} at once")

    def _words(self) -> dict[str, Word]:
        words: dict[str, Word] = {}
        for key, kinds in self.kinds.items():
            kind = next(iter(kinds))
            senses = _merge_senses(self.senses.get(key, []))
            by_slot: dict[str, tuple[Sense, ...]] = {}
            for sense in senses:
                by_slot[sense.slot] = (*by_slot.get(sense.slot, ()), sense)
            words[key] = Word(
                key=key,
                kind=kind,
                senses=senses,
                left_boundary=_is_word_char(key[0]),
                right_boundary=_is_word_char(key[-1]),
                by_slot=by_slot,
            )
        return words

    def _entries(self, section: str, value: Any) -> list[Mapping[str, Any]]:
        if value is None:
            return []
        if not isinstance(value, list):
            self._problem(section, f"'{section}' must be a list of '- id: ...' entries")
            return []
        good = []
        for entry in value:
            if isinstance(entry, Mapping):
                good.append(entry)
            else:
                self._problem(section, f"{section}: every entry must be a mapping, not '{entry}'")
        return good

    def _word_list(self, entry: Mapping[str, Any], key: str) -> list[str]:
        value = entry.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(w, str | int) for w in value):
            self.problems.add(self.file, line_of(entry), f"'{key}' must be a list of words")
            return []
        return [str(w) for w in value]

    def _texts(self, section: str, value: Any) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(w, str | int) for w in value):
            self._problem(section, f"'{section}' must be a list of words")
            return ()
        return tuple(k for w in value for k in sorted(self.normalize.variants(str(w))))

    def _problem(self, section: str, message: str) -> None:
        self.problems.add(self.file, self.key_lines.get(section, 1), message)


def _region_names(region: Region) -> set[str]:
    return {
        region.name,
        region.short,
        region.en,
        region.hant,
        region.hant_short,
        *region.aliases,
    }


def _is_municipality(region: Region) -> bool:
    """北京市, 上海市, 天津市, 重庆市: a province that is one city."""
    return not region.is_city and region.name.endswith("市")


def _merge_senses(senses: Iterable[Sense]) -> tuple[Sense, ...]:
    """One sense per (slot, weak): a word listed under two options of a slot means either."""
    regions = [s for s in senses if s.slot == REGION][:1]  # a name names one region
    merged: dict[tuple[str, bool], list[str]] = {}
    for sense in senses:
        if sense.slot == REGION:
            continue
        options = merged.setdefault((sense.slot, sense.weak), [])
        options.extend(o for o in sense.options if o not in options)
    # A word that is strong evidence for a slot is not also weak evidence for it.
    strong = {slot for slot, weak in merged if not weak}
    return (
        *regions,
        *(
            Sense(slot, tuple(options), weak)
            for (slot, weak), options in merged.items()
            if not (weak and slot in strong)
        ),
    )


def _top_level_lines(path: Path) -> dict[str, int]:
    """Line of each top-level key, so problems in plain lists can name a line too."""
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): k.start_mark.line + 1 for k, _ in node.value}


def load_lexicon(flow: Flow, path: Path | None = None) -> Lexicon:
    """Read and check lexicon.yaml; raise FlowError naming file and line of every problem."""
    return _LexiconBuilder(flow, path or FLOWS_DIR / LEXICON_FILE, _Normalizer()).build()


# --- matching ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Hit:
    """A word found in the message (the longest one where words overlap)."""

    start: int
    end: int
    word: Word
    clause: int  # index of the clause (text between punctuation) it sits in
    negated: bool = False

    def senses(self, slot: str) -> tuple[Sense, ...]:
        return self.word.by_slot.get(slot, ())

    @property
    def region(self) -> str | None:
        senses = self.word.by_slot.get(REGION)
        return senses[0].options[0] if senses else None

    @property
    def place(self) -> _Id:
        """A region's identity: its code, plus the name when it is an unlisted city."""
        sense = self.word.by_slot[REGION][0]
        return sense.options[0], self.word.key if sense.unlisted else ""


@dataclass(frozen=True)
class _Message:
    text: str  # normalized
    hits: list[_Hit]
    clause_starts: list[int]

    def clause_start(self, hit: _Hit) -> int:
        return self.clause_starts[hit.clause]


_Id = tuple[str, str]  # a place: region code, plus the name of an unlisted city


@dataclass(frozen=True)
class _Evidence:
    """A sense found in the message; `own` is False for "我妈在外地" (about a relative)."""

    hit: _Hit
    sense: Sense
    own: bool = True


@dataclass
class _Place:
    """A region named in the message and what it seems to be."""

    index: int  # of its hit in the message
    hit: _Hit
    code: str
    score: int  # how likely it is the account's region (see _region_score)
    role: str  # HOLDER, RELATIVE (where a relative is) or TOGETHER (where both are)


HOLDER, RELATIVE, TOGETHER = "holder", "relative", "together"
OFFSITE = "offsite_care"  # the item for care away from where the account is
OTHER_CITY = "other"  # the city option "省内其他城市"
RESIDENT, RESIDENT_PREMIUM = "resident", "resident_premium"
PREMIUM_REACH = 6  # "给她交今年的居民医保": 交 within this many characters before
OTHER, SPEAKER = "other", "speaker"
# Between a relative and a region, these make the region the relative's: "我妈在长春".
_LOCATION_GAPS = frozenset({"", "在", "都在", "人在", "住在", "现在在", "是", "都是", "是在"})
# A clause that starts like this continues the previous clause's subject:
# "我爸妈都在老家，是新农合" -> 新农合 is theirs.
_SUBJECTLESS = ("是", "也是", "都是", "参加的是", "交的是", "参保的是", "买的是")


class Understander:
    """Built once per flow; `understand()` is then pure and fast."""

    def __init__(self, flow: Flow, lexicon_path: Path | None = None) -> None:
        self.flow = flow
        self._normalize = _Normalizer()
        self.lexicon = _LexiconBuilder(
            flow, lexicon_path or FLOWS_DIR / LEXICON_FILE, self._normalize
        ).build()
        self._automaton = ahocorasick.Automaton()
        for key, word in self.lexicon.words.items():
            self._automaton.add_word(key, word)
        self._automaton.make_automaton()
        self._order = {q.id: {o.id: i for i, o in enumerate(q.options)} for q in flow.questions}
        self._item_category = _item_categories(flow)
        self._scope_condition = flow.question("scope").ask_if
        self._provinces_with_cities = {r.parent for r in flow.regions.values() if r.parent}
        # The city option for "a city of the province not listed in regions.yaml".
        city_ids = {o.id for o in flow.question("city").options}
        self._other_city = OTHER_CITY if OTHER_CITY in city_ids else None
        care = self._item_category.get(OFFSITE)
        self._care_items = frozenset(i for i, c in self._item_category.items() if c == care)

    # --- the entry point ----------------------------------------------------------------------

    def understand(self, text: str) -> Understanding:
        """Answers, ambiguities and negations found in one message (pure, no I/O)."""
        message = self._read(text[:MAX_CHARS])
        alone = self.lexicon.alone.get(_bare(message.text))
        if alone is not None:  # "自己" typed as an answer
            return Understanding(answers={alone[0]: alone[1]}, matched=(message.text,))
        if not message.hits:
            return EMPTY
        answers: dict[str, str] = {}
        ambiguous: dict[str, tuple[str, ...]] = {}
        negated: dict[str, tuple[str, ...]] = {}
        places = self._places(message)
        self._resolve_region(places, answers, ambiguous, negated)
        holder = self._holder_place(places, answers)
        inferred = {
            "scope": self._scope_from_places(places, holder),
            "item": [
                *self._offsite_from_places(message, places, holder),
                *self._premium_for_someone_else(message),
            ],
        }
        for slot in SLOTS:
            found = [*self._slot_senses(message, slot), *inferred.get(slot, [])]
            self._resolve_slot(slot, found, answers, ambiguous, negated)
        self._imply_category(answers, ambiguous)
        self._gate_scope(answers, ambiguous, negated)
        return Understanding(
            answers=self._ordered(answers),
            ambiguous=self._ordered(ambiguous),
            negated=self._ordered(negated),
            matched=tuple(h.word.key for h in message.hits),
        )

    # --- finding words ------------------------------------------------------------------------

    def _read(self, text: str) -> _Message:
        normalized = self._normalize(text)
        breaks = [m.start() for m in _BREAK.finditer(normalized)]
        hits = _negate(self._hits(normalized, breaks))
        return _Message(normalized, hits, [0, *(b + 1 for b in breaks)])

    def _hits(self, text: str, breaks: list[int]) -> list[_Hit]:
        """Every lexicon word in the text; where words overlap the longest one wins."""
        found: list[tuple[int, int, Word]] = []
        for last, word in self._automaton.iter(text):
            start, end = last - len(word.key) + 1, last + 1
            if _bounded(text, start, end, word):
                found.append((start, end, word))
        kept = _longest(found, len(text))
        return [_Hit(s, e, w, bisect_right(breaks, s)) for s, e, w in kept]

    # --- regions ------------------------------------------------------------------------------

    def _places(self, message: _Message) -> list[_Place]:
        places = []
        for index, hit in enumerate(message.hits):
            code = hit.region
            if code is not None:
                score = self._region_score(message, index)
                role = self._region_role(message, index)
                places.append(_Place(index, hit, code, score, role))
        # "长春还是吉林市的个账": places joined by 和/还是/或者 share their cues.
        for left, right in itertools.pairwise(places):
            gap = message.text[left.hit.end : right.hit.start].strip()
            if gap in self.lexicon.coordinators:
                left.score = right.score = max(left.score, right.score)
        return places

    def _resolve_region(
        self,
        places: list[_Place],
        answers: dict[str, str],
        ambiguous: dict[str, tuple[str, ...]],
        negated: dict[str, tuple[str, ...]],
    ) -> None:
        """Province and city of the account: a city implies its province."""
        scored: dict[_Id, int] = {}
        denied: set[str] = set()
        for place in places:
            ident = place.hit.place
            if place.hit.negated:
                if not ident[1]:  # "不在南京了" says nothing about all of 江苏
                    denied.add(place.code)
            elif place.role != RELATIVE:
                scored[ident] = max(place.score, scored.get(ident, place.score))
        for code in sorted(denied - {code for code, _ in scored}):
            slot = "city" if self.flow.regions[code].is_city else "province"
            negated[slot] = (*negated.get(slot, ()), code)
        if scored:
            self._pick_region(scored, answers, ambiguous)

    def _pick_region(
        self,
        scored: Mapping[_Id, int],
        answers: dict[str, str],
        ambiguous: dict[str, tuple[str, ...]],
    ) -> None:
        """The best-cued province wins; several equally cued ones are asked about."""
        groups: dict[str, int] = {}
        for (code, _), score in scored.items():
            province = self.flow.regions[code].parent or code
            groups[province] = max(score, groups.get(province, score))
        best = max(groups.values())
        provinces = sorted(p for p, s in groups.items() if s == best)
        if len(provinces) > 1:
            ambiguous["province"] = tuple(provinces)
            return
        province = answers["province"] = provinces[0]
        cities: dict[str, int] = {}
        for (code, unlisted), score in scored.items():
            city = self._city_option(province, code, unlisted)
            if city is not None:
                cities[city] = max(score, cities.get(city, score))
        if cities:
            top = max(cities.values())
            named = self._sorted("city", (c for c, s in cities.items() if s == top))
            if len(named) == 1:
                answers["city"] = named[0]
            else:
                ambiguous["city"] = named

    def _city_option(self, province: str, code: str, unlisted: str) -> str | None:
        """The city answer a place gives: its own code, or 'other' for 南京 in 江苏."""
        if self.flow.regions[code].parent == province:
            return code
        if unlisted and code == province and province in self._provinces_with_cities:
            return self._other_city
        return None

    def _region_score(self, message: _Message, index: int) -> int:
        """2: said with an insurance word; -1: a hometown; 1: where the speaker is; else 0."""
        hit = message.hits[index]
        before = message.text[self._floor(message, index) : hit.start]
        after = message.text[hit.end : hit.end + 8]
        lex = self.lexicon
        if _cue_before(before, lex.insurance_cues) or _cue_after(after, lex.insurance_cues):
            return 2
        if _cue_before(before, lex.origin_cues) or _ORIGIN_AFTER.match(after):
            return -1
        if _cue_before(before, lex.speaker_cues, reach=1):
            return 1
        return 0

    def _region_role(self, message: _Message, index: int) -> str:
        """Whose place is it: "我妈在长春" is the mother's, "我俩都在广州" is both's."""
        hit = message.hits[index]
        before = message.text[self._floor(message, index) : hit.start]
        if _cue_before(before, self.lexicon.together_cues, reach=0):
            return TOGETHER
        following = message.hits[index + 1] if index + 1 < len(message.hits) else None
        if (
            following is not None
            and _is_other_person(following)
            and message.text[hit.end : following.start] == "的"
        ):
            return RELATIVE  # "我在青岛的老婆"
        previous = message.hits[index - 1] if index else None
        if (
            previous is not None
            and previous.clause == hit.clause
            and _is_other_person(previous)
            and message.text[previous.end : hit.start] in _LOCATION_GAPS
        ):
            return RELATIVE
        return HOLDER

    @staticmethod
    def _floor(message: _Message, index: int) -> int:
        """Where the text that belongs to a place starts: its clause, after any earlier place."""
        hit = message.hits[index]
        floor = message.clause_start(hit)
        for previous in reversed(message.hits[:index]):
            if previous.clause != hit.clause:
                break
            if previous.region is not None:
                return max(floor, previous.end)
        return floor

    @staticmethod
    def _holder_place(places: Sequence[_Place], answers: Mapping[str, str]) -> _Id | None:
        """The account's place, as precisely as the message names it."""
        if answers.get("city", OTHER_CITY) != OTHER_CITY:
            return answers["city"], ""
        province = answers.get("province")
        if province is None:
            return None
        own = [p for p in places if p.role != RELATIVE and not p.hit.negated and p.code == province]
        best = max((p.score for p in own), default=0)
        unlisted = {p.hit.place for p in own if p.score == best and p.hit.place[1]}
        return unlisted.pop() if len(unlisted) == 1 else (province, "")

    def _scope_from_places(self, places: Sequence[_Place], holder: _Id | None) -> list[_Evidence]:
        """Where a relative is, compared with the account's place, says the scope."""
        found = []
        for place in places:
            if place.hit.negated:
                continue
            if place.role == TOGETHER:
                scope = self._compare(place.hit.place, place.hit.place)
            elif place.role == RELATIVE and holder is not None:
                scope = self._compare(holder, place.hit.place)
            else:
                continue
            if scope is not None:
                found.append(_Evidence(place.hit, Sense("scope", (scope,))))
        return found

    def _offsite_from_places(
        self, message: _Message, places: Sequence[_Place], holder: _Id | None
    ) -> list[_Evidence]:
        """Care in a place other than the account's is offsite: "我三门县参保的，在杭州看病"."""
        if holder is None or not self._care_items:
            return []
        best = max(p.score for p in places)
        found = []
        for place in places:
            if place.role == RELATIVE or place.hit.negated or place.score >= best:
                continue
            if self._compare(holder, place.hit.place) not in ("same_province", "other_province"):
                continue
            following = message.hits[place.index + 1 : place.index + 2]
            if following and self._is_care_right_after(message, place.hit, following[0]):
                found.append(_Evidence(following[0], Sense("item", (OFFSITE,))))
        return found

    def _is_care_right_after(self, message: _Message, place: _Hit, hit: _Hit) -> bool:
        items = {o for s in hit.senses("item") for o in s.options}
        near = hit.clause == place.clause and hit.start - place.end <= 2
        return near and bool(items) and items <= self._care_items

    def _compare(self, holder: _Id, other: _Id) -> str | None:
        """The scope between two places; None when the message is not precise enough."""
        one, two = self.flow.regions[holder[0]], self.flow.regions[other[0]]
        if (one.parent or one.code) != (two.parent or two.code):
            return "other_province"
        if not (_is_one_area(one, holder) and _is_one_area(two, other)):
            return None  # "都在湖南": the same province, maybe not the same city
        return "same_area" if holder == other else "same_province"

    # --- other slots --------------------------------------------------------------------------

    def _slot_senses(self, message: _Message, slot: str) -> list[_Evidence]:
        found = []
        for index, hit in enumerate(message.hits):
            senses = hit.senses(slot)
            if not senses:
                continue
            # "我妈是居民医保", "我妈在外地": about the relative, not the account holder.
            about_person = slot == "insurance" or (
                slot == "item" and any(OFFSITE in s.options for s in senses)
            )
            own = not (about_person and self._about_someone_else(message, index))
            if slot == "insurance" and not own:
                continue
            if slot == "relative" and self._owns_the_card(message, hit):
                continue
            found.extend(_Evidence(hit, sense, own) for sense in senses)
        return found

    def _owns_the_card(self, message: _Message, hit: _Hit) -> bool:
        """Whether a relative owns the account: "能用孩子的医保卡吗", "我老公的个账".

        After 用/拿/刷 any card word will do; without one only an account itself (个账, 医保卡),
        since "我妈的医保在外省" is still about the mother as the one the money is for."""
        before = message.text[message.clause_start(hit) : hit.start]
        before = before.removesuffix("我的").removesuffix("我")
        after = message.text[hit.end : hit.end + 6]
        lex = self.lexicon
        if before.endswith(lex.use_words):
            return after.removeprefix("的").startswith(lex.card_words)
        if before.endswith(lex.into_words):  # "转到我老婆的卡上": she receives the money
            return False
        return after.startswith("的") and after[1:].startswith(lex.account_words)

    def _premium_for_someone_else(self, message: _Message) -> list[_Evidence]:
        """A relative's resident insurance, paid for, is the premium item: "给她交今年的居民医保"."""
        found = []
        for index, hit in enumerate(message.hits):
            if not any(RESIDENT in s.options for s in hit.senses("insurance")):
                continue
            before = message.text[
                max(message.clause_start(hit), hit.start - PREMIUM_REACH) : hit.start
            ]
            if any(v in before for v in self.lexicon.premium_verbs) and self._about_someone_else(
                message, index
            ):
                found.append(_Evidence(hit, Sense("item", (RESIDENT_PREMIUM,))))
        return found

    def _about_someone_else(self, message: _Message, index: int) -> bool:
        """Whether an insurance word describes a relative ("我妈是居民医保"), not the holder."""
        hit = message.hits[index]
        start = message.clause_start(hit)
        person = self._last_person(message, start, hit.start)
        if person is None and hit.clause > 0:
            lead = message.text[start : hit.start].strip()
            if lead.startswith(_SUBJECTLESS):
                previous_start = message.clause_starts[hit.clause - 1]
                person = self._last_person(message, previous_start, start)
        return person == OTHER

    def _last_person(self, message: _Message, lo: int, hi: int) -> str | None:
        """Who was spoken of last in text[lo:hi]: OTHER (a relative, 他/她) or SPEAKER (我)."""
        masked = list(message.text[lo:hi])
        last, person = -1, None
        for hit in message.hits:
            if hit.end <= lo or hit.start >= hi:
                continue
            masked[max(hit.start, lo) - lo : hit.end - lo] = "\0" * (
                min(hit.end, hi) - max(hit.start, lo)
            )
            relatives = hit.senses("relative")
            if relatives:
                last = hit.start - lo
                person = OTHER if _is_other_person(hit) else SPEAKER
        rest = "".join(masked)
        for words, who in (
            (self.lexicon.first_person, SPEAKER),
            (self.lexicon.third_person, OTHER),
        ):
            at = max((rest.rfind(w) for w in words), default=-1)
            if at > last:
                last, person = at, who
        return person

    def _resolve_slot(
        self,
        slot: str,
        found: Sequence[_Evidence],
        answers: dict[str, str],
        ambiguous: dict[str, tuple[str, ...]],
        negated: dict[str, tuple[str, ...]],
    ) -> None:
        """Strong words decide; weak ones only when no strong word was found."""
        positive = [e for e in found if not e.hit.negated]
        strong = [e.sense for e in positive if not e.sense.weak]
        chosen = strong or [e.sense for e in positive]
        candidates = {o for s in chosen for o in s.options}
        if slot == "item":
            candidates = self._absorb(positive, candidates)
        denied = {o for e in found if e.hit.negated for o in e.sense.options} - candidates
        if denied:
            negated[slot] = self._sorted(slot, denied)
        if len(candidates) == 1:
            answers[slot] = next(iter(candidates))
        elif candidates:
            ambiguous[slot] = self._sorted(slot, candidates)

    def _absorb(self, positive: Sequence[_Evidence], candidates: set[str]) -> set[str]:
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
        """The item decides the category (questions.yaml: the item option's `when`)."""
        items = [answers["item"]] if "item" in answers else list(ambiguous.get("item", ()))
        categories = {self._item_category[i] for i in items if i in self._item_category}
        if not categories:
            return
        answers.pop("category", None)
        ambiguous.pop("category", None)
        if len(categories) == 1:
            answers["category"] = categories.pop()
        else:  # 奶粉还是退烧药: prevention or care, ask
            ambiguous["category"] = self._sorted("category", categories)

    def _gate_scope(
        self,
        answers: dict[str, str],
        ambiguous: dict[str, tuple[str, ...]],
        negated: dict[str, tuple[str, ...]],
    ) -> None:
        """Scope is where a close relative is insured: meaningless without one."""
        if self._scope_condition is None:
            return
        relatives = [answers["relative"]] if "relative" in answers else []
        relatives += ambiguous.get("relative", ())
        close = bool(relatives) and all(
            self._scope_condition.holds({"relative": r}) for r in relatives
        )
        if not close:
            for found in (answers, ambiguous, negated):
                found.pop("scope", None)

    # --- ordering -----------------------------------------------------------------------------

    def _sorted(self, slot: str, options: Iterable[str]) -> tuple[str, ...]:
        order = self._order.get(slot, {})
        return tuple(sorted(options, key=lambda o: (order.get(o, len(order)), o)))

    def _ordered(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Slots in the order the flow asks them, so printing is stable."""
        return {q: values[q] for q in self._order if q in values}


# --- small helpers ----------------------------------------------------------------------------


def _longest(found: list[tuple[int, int, Word]], size: int) -> list[tuple[int, int, Word]]:
    """Keep the longest of overlapping words, then the leftmost: 九价疫苗 over 疫苗.

    A word that loses to an overlapping word of its own question (or an ignored phrase that
    loses) also hides the words inside it: in 老公的妈妈, 老公的妈 beats 妈妈, and the 妈 inside
    妈妈 must not come back as "parent". In 山东省内, 省内 beats 山东省 but 山东 still counts.
    """
    found = sorted(found, key=lambda f: (f[0] - f[1], f[0]))
    owner: list[Word | None] = [None] * size
    kept: list[tuple[int, int, Word]] = []
    hidden: list[tuple[int, int]] = []
    for start, end, word in found:
        winners = {id(w): w for w in owner[start:end] if w is not None}.values()
        if winners:
            slots = {s.slot for s in word.senses}
            if word.kind == "ignore" or any(s.slot in slots for w in winners for s in w.senses):
                hidden.append((start, end))
        elif not any(s <= start and end <= e for s, e in hidden):
            owner[start:end] = [word] * (end - start)
            kept.append((start, end, word))
    kept.sort(key=lambda f: f[0])
    return kept


def _negate(hits: list[_Hit]) -> list[_Hit]:
    """A negation negates the next word found right after it in the same clause."""
    result: list[_Hit] = []
    pending: _Hit | None = None
    for hit in hits:
        if pending is not None and hit.word.kind == "word" and _reaches(pending, hit):
            hit = _Hit(hit.start, hit.end, hit.word, hit.clause, negated=True)
        pending = hit if hit.word.kind == "negation" else None
        result.append(hit)
    return result


def _reaches(negation: _Hit, hit: _Hit) -> bool:
    reach = LATIN_NEGATION_REACH if negation.word.key.isascii() else CJK_NEGATION_REACH
    return negation.clause == hit.clause and hit.start - negation.end <= reach


def _bounded(text: str, start: int, end: int, word: Word) -> bool:
    """Latin words need word boundaries: 'an' must not match inside 'changchun'."""
    if word.left_boundary and start > 0 and _is_word_char(text[start - 1]):
        return False
    if not word.right_boundary or end >= len(text) or not _is_word_char(text[end]):
        return True
    # Allow a plural: "masks", "vaccines", "parents".
    plural = text[end] == "s" and word.key[-1].isalpha()
    return plural and (end + 1 >= len(text) or not _is_word_char(text[end + 1]))


def _is_one_area(region: Region, place: _Id) -> bool:
    """A city (listed or not) or a municipality: roughly one 统筹区."""
    return region.is_city or bool(place[1]) or _is_municipality(region)


def _is_other_person(hit: _Hit) -> bool:
    """A relative other than the speaker (本人 and 我自己 are the speaker)."""
    return any("self" not in s.options for s in hit.senses("relative"))


def _cue_before(before: str, cues: Iterable[str], reach: int = CUE_REACH) -> bool:
    for cue in cues:
        at = before.rfind(cue)
        if at >= 0 and len(before) - (at + len(cue)) <= reach:
            return True
    return False


def _cue_after(after: str, cues: Iterable[str]) -> bool:
    rest = after[1:] if after.startswith("的") else after
    return any(rest.startswith(cue) for cue in cues)


def _item_categories(flow: Flow) -> dict[str, str]:
    """item id -> its category, when the item option's `when` names exactly one."""
    result: dict[str, str] = {}
    for option in flow.question("item").options:
        if option.when is None:
            continue
        categories = {
            value
            for alternative in option.when.alternatives
            for slot, values in alternative
            if slot == "category"
            for value in values
        }
        if len(categories) == 1:
            result[option.id] = categories.pop()
    return result
