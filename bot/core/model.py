"""The content as plain, immutable data: questions and options, regions, rules, sources, facts.

bot/core/flow.py builds these from `flows/*.yaml` (and refuses what it cannot use); everything
else in the bot reads them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.core import ids, languages
from bot.core.divisions import Divisions
from bot.core.ids import NATIONWIDE as NATIONWIDE

VERDICTS = ("allowed", "not_allowed", "conditional", "info")
# What a conditional answer may depend on (docs/verdict-policy.md).
DEPENDS_ON = ("region", "status", "threshold")
SOURCE_KINDS = ("official", "news", "aggregator")
UNDATED = "undated"
LAYERS = ("holder", "item", "person")
OUTCOME = "outcome"


@dataclass(frozen=True)
class Condition:
    """Holds when, for any one of `alternatives`, every named slot has one of the listed values.

    A slot that has not been answered never matches, so a question that depends on a skipped
    question is skipped as well.
    """

    alternatives: tuple[tuple[tuple[str, frozenset[str]], ...], ...]

    def holds(self, answers: Mapping[str, str]) -> bool:
        return any(
            all(answers.get(slot) in values for slot, values in alt) for alt in self.alternatives
        )

    def slots(self) -> set[str]:
        return {slot for alt in self.alternatives for slot, _ in alt}


@dataclass(frozen=True)
class Option:
    id: str
    label: str
    aliases: tuple[str, ...] = ()
    when: Condition | None = None
    line: int = 0
    # A place option (generated from the divisions) that is not a button: a county is chosen by
    # typing it, a link or --region, and is kept as the answer like any listed option.
    listed: bool = True
    place: bool = False

    def visible(self, answers: Mapping[str, str]) -> bool:
        return self.when is None or self.when.holds(answers)


@dataclass(frozen=True)
class Question:
    id: str
    code: str
    text: str
    options: tuple[Option, ...]
    ask_if: Condition | None
    skip_if: Condition | None
    line: int
    default: str | None = None  # assumed when a one-line question does not say
    _by_id: dict[str, Option] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # The city question has ~3,200 options: look them up by id, and keep the visible ones
        # per combination of the answers their conditions read (a handful of provinces).
        object.__setattr__(self, "_by_id", {o.id: o for o in self.options})
        slots = sorted({s for o in self.options if o.when for s in o.when.slots()})
        object.__setattr__(self, "_when_slots", tuple(slots))
        object.__setattr__(self, "_visible", {})

    def is_asked(self, answers: Mapping[str, str]) -> bool:
        if self.skip_if is not None and self.skip_if.holds(answers):
            return False
        if (self.ask_if is None or self.ask_if.holds(answers)) and self.listed_options(answers):
            return True
        # An unlisted option given by text or link (浦东新区 in 上海, which is not asked about)
        # is an answer all the same.
        chosen = self.option(answers.get(self.id, ""))
        return chosen is not None and not chosen.listed and chosen.visible(answers)

    def visible_options(self, answers: Mapping[str, str]) -> list[Option]:
        """Every option that may be the answer here, listed or not."""
        key = tuple(answers.get(s) for s in self._when_slots)  # type: ignore[attr-defined]
        cache: dict[tuple[str | None, ...], list[Option]] = self._visible  # type: ignore[attr-defined]
        found = cache.get(key)
        if found is None:
            found = [o for o in self.options if o.visible(answers)]
            if len(cache) < 256:
                cache[key] = found
        return found

    def listed_options(self, answers: Mapping[str, str]) -> list[Option]:
        """The options shown as buttons."""
        return [o for o in self.visible_options(answers) if o.listed]

    def option(self, option_id: str) -> Option | None:
        return self._by_id.get(option_id)


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    short: str
    en: str
    hant: str
    hant_short: str
    aliases: tuple[str, ...]
    parent: str | None  # the province's code for a city, None for a province

    @property
    def is_city(self) -> bool:
        return self.parent is not None

    def label(self, locale: str, short: bool = True) -> str:
        """The name in the script the language's registry entry asks for (bot/core/languages)."""
        lang = languages.by_code(locale)
        names = lang.region_names if lang is not None else "hans"
        if names == "en":
            return self.en
        if names == "hant":
            return self.hant_short if short else self.hant
        return self.short if short else self.name


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    publisher: str
    date: str
    doc_no: str
    kind: str
    line: int
    url: str = ""


@dataclass(frozen=True)
class Rule:
    id: str
    layer: str
    when: Condition
    region: str | None
    verdict: str
    text: str
    conditions: tuple[str, ...]
    sources: tuple[str, ...]
    facts: tuple[str, ...]
    checked: str
    line: int
    depends_on: tuple[str, ...] = ()  # conditional only: region, status and/or threshold

    def specificity(self, divisions: Divisions) -> tuple[int, int]:
        """County beats prefecture beats province beats national; then the rule naming more
        answers wins."""
        place = divisions.get(self.region) if self.region else None
        level = place.depth if place is not None else 0
        return level, sum(len(alt) for alt in self.when.alternatives[:1])


@dataclass(frozen=True)
class Fact:
    id: str
    text: str
    line: int
    unused: str = ""  # why no rule uses this fact (deliberately), empty when rules use it


@dataclass(frozen=True)
class Flow:
    questions: tuple[Question, ...]
    regions: Mapping[str, Region]
    rules: tuple[Rule, ...]
    sources: Mapping[str, Source]
    facts: Mapping[str, Fact]
    divisions: Divisions
    # Where the flow files were read from, so the lexicon beside them is read too.
    directory: Path | None = field(default=None, compare=False)
    _by_id: dict[str, Question] = field(init=False, repr=False, compare=False)
    _by_code: dict[str, Question] = field(init=False, repr=False, compare=False)

    def question(self, qid: str) -> Question:
        return self._by_id[qid]

    def cited_sources(self, rules: Iterable[Rule]) -> list[Source]:
        """The sources these rules cite, once each: official texts first, then news, then
        aggregator articles (in the rules' order within a kind)."""
        unique = dict.fromkeys(sid for rule in rules for sid in rule.sources)
        cited = [self.sources[sid] for sid in unique]
        return sorted(cited, key=lambda src: SOURCE_KINDS.index(src.kind))

    def question_by_code(self, code: str) -> Question | None:
        return self._by_code.get(code)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {q.id: q for q in self.questions})
        object.__setattr__(self, "_by_code", {q.code: q for q in self.questions})

    def region_of(self, answers: Mapping[str, str]) -> str:
        """The most specific place the answers name (a prefecture or county, else the province,
        else national)."""
        city = answers.get(ids.CITY)
        if city and city in self.divisions:
            return city
        return answers.get(ids.PROVINCE, NATIONWIDE)
