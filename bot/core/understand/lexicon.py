"""The lexicon: flows/lexicon.yaml (plus every region name) read, checked and normalized.

Every word is kept in one normal form (NFKC, casefolded, simplified Chinese) with all it may
mean; problems are collected with their line so `bot check` can name them all at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.core import ids
from bot.core.divisions import Divisions, load_divisions
from bot.core.flow import Flow, Region
from bot.core.flowfile import Problems, line_of, read_yaml
from bot.core.resources import flows_dir
from bot.core.understand.dialects import SharedNames, read_shared_names
from bot.core.understand.grammar import Grammar, build_grammar
from bot.core.understand.names import division_names
from bot.core.understand.normal import Normalizer, bare, is_word_char
from bot.core.understand.payers import Payer, read_payers
from bot.core.understand.spelling import misspelt
from bot.core.understand.topic import TopicWords, read_topic

LEXICON_FILE = "lexicon.yaml"
LEVELS_RANK = {"province": 0, "prefecture": 1}
# A level word and its pinyin: 朝阳区 is also "朝阳" (chaoyangqu, "chaoyang") in context.
REGION = "region"  # the internal slot for province and city names
SLOTS = (ids.INSURANCE, ids.CATEGORY, ids.ITEM, ids.RELATIVE, ids.SCOPE)

_KNOWN_KEYS = {
    "negations",
    "ignore",
    "region_cues",
    "third_person",
    "first_person",
    "coordinators",
    "item_absorbs",
    "item_unlike",
    "card_owner",
    "premium_verbs",
    "region_extra",
    "not_places",
    "grammar",
    "topic",
    "relative_is_holder",
    "paid_by",
    "shared_names",
    *SLOTS,
}


@dataclass(frozen=True)
class Sense:
    """One meaning of a word: some options of one slot; weak senses yield to strong ones."""

    slot: str
    options: tuple[str, ...]
    weak: bool = False


@dataclass(frozen=True)
class Word:
    """A normalized word in the automaton, with everything it may mean."""

    key: str
    kind: str  # "word", "negation", "ignore", "denial" (a word and its negation: "not me"),
    # or "first_person"/"third_person" (我, 她, she)
    senses: tuple[Sense, ...]
    left_boundary: bool  # starts with a latin letter or digit: needs a word boundary there
    right_boundary: bool
    by_slot: Mapping[str, tuple[Sense, ...]] = field(default_factory=dict)  # senses per slot
    places: tuple[str, ...] = ()  # division codes it names (several: ask which)
    context_places: tuple[str, ...] = ()  # ... it names only where another place confirms


@dataclass(frozen=True)
class Lexicon:
    words: Mapping[str, Word]
    insurance_cues: tuple[str, ...]
    speaker_cues: tuple[str, ...]
    origin_cues: tuple[str, ...]
    together_cues: tuple[str, ...]
    coordinators: frozenset[str]
    alone: Mapping[str, tuple[str, str]]  # word -> (slot, option) when it is the whole message
    absorbs: Mapping[str, frozenset[str]]  # item -> items it stands for when named together
    unlike: Mapping[str, frozenset[str]]  # item -> items a negation beside it only contrasts
    use_words: tuple[str, ...]  # 用/拿/刷 before someone's card: "用孩子的医保卡"
    card_words: tuple[str, ...]
    account_words: tuple[str, ...]  # 的 + one of these after a relative: "我老公的个账"
    into_words: tuple[str, ...]  # ... unless money goes into it: "转到我老婆的卡上"
    elsewhere_cues: tuple[str, ...]  # 去/到/to before a place: not where the account is
    holder_cues: tuple[str, ...]  # "with us in": the holder's place whoever the subject is
    together_after: tuple[str, ...]  # "she's insured in Suzhou too"
    topic: TopicWords  # words that make a message about the account or not (topic.py)
    paid_by: tuple[Payer, ...]  # an employer that pays says the scheme (payers.py, paid.py)
    holder_items: frozenset[str]  # items where the relative named is the account holder
    premium_verbs: tuple[str, ...]  # 交/缴 before a relative's resident insurance
    grammar: Grammar
    shared_names: SharedNames = field(default_factory=SharedNames)  # shared.py


class LexiconBuilder:
    """Reads lexicon.yaml against the flow, collecting every problem with its line."""

    def __init__(
        self, flow: Flow, path: Path, normalize: Normalizer, divisions: Divisions | None = None
    ) -> None:
        self.flow = flow
        self.divisions = divisions if divisions is not None else load_divisions()
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
        not_places = set(self._texts("not_places", data.get("not_places")))
        self._add_regions(not_places)
        self._add_region_extra(data.get("region_extra"))
        for slot in SLOTS:
            self._add_slot(slot, data.get(slot))
        self._add_plain("negations", data.get("negations"), "negation", required=True)
        self._add_plain("ignore", data.get("ignore"), "ignore", required=False)
        self._add_plain("first_person", data.get("first_person"), "first_person", required=True)
        self._add_plain("third_person", data.get("third_person"), "third_person", required=True)
        cues = data.get("region_cues") or {}
        if not isinstance(cues, Mapping):
            self._problem("region_cues", "region_cues must map kinds of cue to lists of words")
            cues = {}
        owner = data.get("card_owner") or {}
        if not isinstance(owner, Mapping):
            self._problem("card_owner", "card_owner must map use and card to lists of words")
            owner = {}
        self._add_misspellings(not_places)
        self._check_conflicts()
        lexicon = Lexicon(
            words=self._words(),
            insurance_cues=self._texts("region_cues", cues.get("insurance")),
            speaker_cues=self._texts("region_cues", cues.get("speaker")),
            origin_cues=self._texts("region_cues", cues.get("origin")),
            together_cues=self._texts("region_cues", cues.get("together")),
            elsewhere_cues=self._texts("region_cues", cues.get("elsewhere")),
            holder_cues=self._texts("region_cues", cues.get("holder")),
            together_after=self._texts("region_cues", cues.get("together_after")),
            topic=read_topic(data.get("topic"), self._texts, self._problem),
            paid_by=read_payers(data.get("paid_by"), self._texts, self.flow, self._problem),
            holder_items=frozenset(
                self._items("relative_is_holder", data.get("relative_is_holder"))
            ),
            coordinators=frozenset(self._texts("coordinators", data.get("coordinators"))),
            alone=self.alone,
            absorbs=self._item_map("item_absorbs", data.get("item_absorbs")),
            unlike=self._item_map("item_unlike", data.get("item_unlike")),
            use_words=self._texts("card_owner", owner.get("use")),
            card_words=self._texts("card_owner", owner.get("card")),
            account_words=self._texts("card_owner", owner.get("account")),
            into_words=self._texts("card_owner", owner.get("into")),
            premium_verbs=self._texts("premium_verbs", data.get("premium_verbs")),
            grammar=self._grammar(data.get("grammar")),
            shared_names=read_shared_names(
                data.get("shared_names"), self._texts, self.divisions, self._problem
            ),
        )
        self.problems.raise_if_any()  # also what reading the plain word lists found
        return lexicon

    # --- sections -----------------------------------------------------------------------------

    def _add_regions(self, not_places: set[str]) -> None:
        """Every division's full name, short name and pinyin (divisions.csv), and the extra
        names regions.yaml gives (English, aliases). One-character names (京, 新) would match
        everywhere, and short names that are everyday words (和平, 公安, mile) only count
        in full (和平区)."""
        names: list[str] = []
        senses: list[Sense] = []
        for name, code, contextual in division_names(self.divisions):
            if name in not_places or not (len(name) > 2 or (len(name) == 2 and not name.isascii())):
                continue
            names.append(name)
            senses.append(Sense(REGION, (code,), weak=contextual))
        for keys, sense in zip(self.normalize.variants_of_many(names), senses, strict=True):
            for key in keys:
                self.kinds.setdefault(key, {}).setdefault("word", 0)
                self.senses.setdefault(key, []).append(sense)
        for region in self.flow.regions.values():
            if region.code not in self.divisions:
                continue  # bot check reports regions.yaml codes that are not divisions
            for name in _region_names(region):
                if (len(name) > 1 or name.isascii()) and self.normalize(name) not in not_places:
                    self._add(name, "word", Sense(REGION, (region.code,)), 0, check=False)

    def _add_misspellings(self, not_places: set[str]) -> None:
        """The usual misspellings (spelling.py) of the latin names of provinces, prefectures
        and county-level cities, where they spell no other word: "Suzou", "Shijiazuang"."""
        names = [
            key
            for key, listed in self.senses.items()
            if key.isascii()
            and all(s.slot == REGION for s in listed)
            and (merged := _merge_senses(listed, self._rank))
            and not merged[0].weak
            and all(self._rank(c) <= 2 for c in merged[0].options)
        ]
        for slip, name in misspelt(names, self.kinds.keys() | not_places).items():
            self.kinds.setdefault(slip, {}).setdefault("word", 0)
            self.senses[slip] = list(self.senses[name])

    def _rank(self, code: str) -> int:
        """Which of several divisions a shared name means first: a province, a prefecture, a
        county-level city (义乌市 before 伊吾县); equals are asked about."""
        division = self.divisions.get(code)
        if division is None:
            return 9
        if division.level != "county":
            return LEVELS_RANK.get(division.level, 9)
        return 2 if division.name.endswith("市") else 3

    def _add_region_extra(self, section: Any) -> None:
        for entry in self._entries("region_extra", section):
            code = str(entry.get("code", "")).strip()
            if code not in self.divisions:
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
                self._add(word, "word", Sense(REGION, (code,)), line_of(entry))

    def _add_slot(self, slot: str, section: Any) -> None:
        options = {o.id for o in self.flow.question(slot).options}
        for entry in self._entries(slot, section):
            line = line_of(entry)
            oid = str(entry.get("id", "")).strip()
            if oid not in options:
                self.problems.add(self.file, line, f"{slot}: no option '{oid}' in questions.yaml")
                continue
            unknown = set(entry) - {"id", "words", "weak", "alone", "denied"}
            for key in sorted(map(str, unknown)):
                self.problems.add(self.file, line, f"{slot}.{oid}: unknown key '{key}'")
            for weak, key in ((False, "words"), (True, "weak")):
                for word in self._word_list(entry, key):
                    self._add(word, "word", Sense(slot, (oid,), weak), line)
            for word in self._word_list(entry, "denied"):  # "not me": rules it out
                self._add(word, "denial", Sense(slot, (oid,)), line)
            for word in self._word_list(entry, "alone"):
                for key in self.normalize.variants(word):
                    self.alone[bare(key)] = (slot, oid)

    def _add_plain(self, section: str, words: Any, kind: str, required: bool) -> None:
        texts = self._texts(section, words)
        if required and not texts:
            self._problem(section, f"'{section}' must list at least one word")
        for word in texts:
            self._add(word, kind, None, self.key_lines.get(section, 1))

    def _level_words(self, value: Any) -> dict[str, str]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self._problem("grammar", "grammar.level_words must map words to level characters")
            return {}
        return {self.normalize(str(k)): self.normalize(str(v)) for k, v in value.items()}

    def _items(self, section: str, value: Any) -> tuple[str, ...]:
        items = {o.id for o in self.flow.question(ids.ITEM).options}
        named = tuple(str(v) for v in value) if isinstance(value, list) else ()
        if value is not None and not isinstance(value, list):
            self._problem(section, f"'{section}' must be a list of item ids")
        for unknown in sorted(set(named) - items):
            self._problem(section, f"{section}: no item '{unknown}'")
        return named

    def _item_map(self, key: str, section: Any) -> dict[str, frozenset[str]]:
        """item_absorbs, item_unlike: an item -> a list of items."""
        if section is None:
            return {}
        line = self.key_lines.get(key, 1)
        if not isinstance(section, Mapping):
            self.problems.add(self.file, line, f"{key} must map an item to a list of items")
            return {}
        items = {o.id for o in self.flow.question(ids.ITEM).options}
        result: dict[str, frozenset[str]] = {}
        for item, listed in section.items():
            named = [str(item), *(listed if isinstance(listed, list) else [listed])]
            for unknown in [str(i) for i in named if str(i) not in items]:
                self.problems.add(self.file, line, f"{key}: no item '{unknown}'")
            result[str(item)] = frozenset(map(str, named[1:]))
        return result

    def _grammar(self, section: Any) -> Grammar:
        if section is None:
            self._problem("grammar", "the 'grammar' section is missing")
            section = {}
        elif not isinstance(section, Mapping):
            self._problem("grammar", "grammar must map kinds of grammar word to lists of words")
            section = {}
        for key in sorted(set(map(str, section)) - set(Grammar.__dataclass_fields__)):
            self._problem("grammar", f"grammar: unknown key '{key}'")
        return build_grammar(
            section,
            lambda key: self._texts("grammar", section.get(key)),
            self._level_words(section.get("level_words")),
        )

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
            listed = self.senses.get(key, [])
            senses = (
                tuple(listed)
                if len(listed) == 1 and not listed[0].weak
                else _merge_senses(listed, self._rank)
            )
            by_slot: dict[str, tuple[Sense, ...]] = {}
            for sense in senses:
                by_slot[sense.slot] = (*by_slot.get(sense.slot, ()), sense)
            words[key] = Word(
                key=key,
                kind=kind,
                senses=senses,
                left_boundary=is_word_char(key[0]),
                right_boundary=is_word_char(key[-1]),
                by_slot=by_slot,
                places=next((s.options for s in by_slot.get(REGION, ()) if not s.weak), ()),
                context_places=next((s.options for s in by_slot.get(REGION, ()) if s.weak), ()),
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


def is_municipality(region: Region) -> bool:
    """北京市, 上海市, 天津市, 重庆市: a province that is one city."""
    return not region.is_city and region.name.endswith("市")


def _merge_senses(senses: Iterable[Sense], rank: Callable[[str], int]) -> tuple[Sense, ...]:
    """One sense per (slot, weak): a word listed under two options of a slot means either."""
    senses = list(senses)
    # A name several divisions share (泰州/台州 "taizhou") names all of them: the reader asks.
    # Of different ranks the first wins (南京 over 南靖县 for "nanjing"); the others, and names
    # that need a confirming place, are kept as the weak region sense.
    codes = {o for s in senses if s.slot == REGION and not s.weak for o in s.options}
    if not codes:  # only a name without its level word: 伊宁 is 伊宁市 (not 伊宁县) by itself
        named = {o for s in senses if s.slot == REGION for o in s.options}
        cities = [c for c in named if rank(c) <= 2]
        codes = set(cities) if len(cities) == 1 else set()
    best = min(map(rank, codes), default=0)
    strong = sorted(c for c in codes if rank(c) == best)
    weak = sorted({o for s in senses if s.slot == REGION for o in s.options} - set(strong))
    regions = [Sense(REGION, tuple(strong))] if strong else []
    if weak:
        regions.append(Sense(REGION, tuple(weak), weak=True))
    merged: dict[tuple[str, bool], list[str]] = {}
    for sense in senses:
        if sense.slot == REGION:
            continue
        options = merged.setdefault((sense.slot, sense.weak), [])
        options.extend(o for o in sense.options if o not in options)
    # A word that is strong evidence for a slot is not also weak evidence for it.
    strong_slots = {slot for slot, weak in merged if not weak}
    return (
        *regions,
        *(
            Sense(slot, tuple(options), weak)
            for (slot, weak), options in merged.items()
            if not (weak and slot in strong_slots)
        ),
    )


def _top_level_lines(path: Path) -> dict[str, int]:
    """Line of each top-level key, so problems in plain lists can name a line too."""
    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 10x faster
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=loader)
    except (OSError, yaml.YAMLError):
        return {}
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): k.start_mark.line + 1 for k, _ in node.value}


def load_lexicon(flow: Flow, path: Path | None = None) -> Lexicon:
    """Read and check lexicon.yaml; raise FlowError naming file and line of every problem."""
    return LexiconBuilder(flow, path or flows_dir() / LEXICON_FILE, Normalizer()).build()
