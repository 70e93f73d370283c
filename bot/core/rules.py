"""Pick the rules that apply to a set of answers and combine them into one outcome.

An outcome is made of up to three layers, each answered by its most specific matching rule:
`holder` (what the account holder's insurance type changes), `item` (may the account pay for
this at all) and `person` (may it pay for this person, through family sharing). A rule for a
county beats one for its prefecture, which beats its province's, which beats the national
rule; among rules for the same region, the one that names more answers wins.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from bot.core import ids
from bot.core.flow import NATIONWIDE, Flow, Rule

# How bad a verdict is when layers are combined: the worst one decides.
_SEVERITY = {"allowed": 0, "conditional": 1, "not_allowed": 2}


@dataclass(frozen=True)
class Outcome:
    verdict: str
    region: str  # the place the answers name (down to a county), NATIONWIDE when none
    rules: tuple[Rule, ...]  # in layer order: holder, item, person (absent layers left out)
    national: tuple[tuple[Rule, Rule | None], ...]  # (regional rule, national rule it replaces)
    # The most specific place whose own rules answer (the place itself, a parent, NATIONWIDE).
    answered_by: str = NATIONWIDE

    @property
    def id(self) -> str:
        return "+".join(r.id for r in self.rules)


class RuleBook:
    """Rules indexed once at start so a lookup only scans the few rules of one item."""

    def __init__(self, flow: Flow) -> None:
        self.flow = flow
        self._by_layer_item: dict[tuple[str, str | None], list[Rule]] = defaultdict(list)
        for rule in flow.rules:
            items = dict(rule.when.alternatives[0]).get(ids.ITEM)
            for item in items or (None,):
                self._by_layer_item[(rule.layer, item)].append(rule)

    def candidates(self, layer: str, answers: Mapping[str, str], region: str) -> list[Rule]:
        """Every rule of the layer that matches the answers, most specific first."""
        divisions = self.flow.divisions
        in_region = {d.code for d in divisions.chain(region)}  # county, prefecture, province
        keys = dict.fromkeys(((layer, answers.get(ids.ITEM)), (layer, None)))  # no item: one key
        found = [
            rule
            for key in keys
            for rule in self._by_layer_item.get(key, ())
            if (rule.region is None or rule.region in in_region) and rule.when.holds(answers)
        ]
        found.sort(key=lambda r: r.specificity(divisions), reverse=True)
        return found

    def best(self, layer: str, answers: Mapping[str, str], region: str) -> Rule | None:
        found = self.candidates(layer, answers, region)
        return found[0] if found else None

    def outcome(self, answers: Mapping[str, str]) -> Outcome:
        region = self.flow.region_of(answers)
        chosen: list[Rule] = []
        for layer in ("holder", "item", "person"):
            rule = self.best(layer, answers, region)
            if rule is not None:
                chosen.append(rule)
        item = next((r for r in chosen if r.layer == "item"), None)
        if item is None:
            raise LookupError(f"no item rule matches {dict(answers)}")
        if item.verdict == "not_allowed":
            # Who would use the money does not matter when the item is excluded anyway.
            chosen = [r for r in chosen if r.layer != "person"]
        national = tuple(
            (r, self.best(r.layer, answers, NATIONWIDE)) for r in chosen if r.region is not None
        )
        depth = {d.code: d.depth for d in self.flow.divisions.chain(region)}
        regional = [r.region for r in chosen if r.region is not None]
        answered_by = max(regional, key=depth.__getitem__, default=NATIONWIDE)
        return Outcome(_combine(item, chosen), region, tuple(chosen), national, answered_by)


def _combine(item: Rule, chosen: list[Rule]) -> str:
    if item.verdict == "info":
        return "info"
    verdicts = [r.verdict for r in chosen if r.verdict != "info"]
    return max(verdicts, key=_SEVERITY.__getitem__)
