"""Content checks over the whole flow: every path, every rule, every fact, every language.

`python -m bot check` runs these; a test runs them too and compares the outcomes of every
path with the checked-in snapshot, so a content change shows its whole effect in review.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from babel.messages.pofile import read_po

from bot.core import i18n, ids
from bot.core.engine import BEGIN, Engine
from bot.core.flow import OUTCOME, Flow, Rule
from bot.core.flowfile import Problem


def walk_paths(engine: Engine) -> Iterator[dict[str, str]]:
    """Every complete set of answers a user can give, by trying every button.

    Of the places (the city question), only those with rules of their own are walked, listed
    or not (三门县 is typed, not a button): any other place is answered exactly like "other
    city", which is walked, so the 3,000 places without rules would only repeat its paths.
    """
    ruled = {r.region for r in engine.flow.rules if r.region is not None}

    def walk(state: str, answers: dict[str, str]) -> Iterator[dict[str, str]]:
        state = engine._next(state, answers)
        if state == OUTCOME:
            yield answers
            return
        question = engine.flow.question(state)
        for option in question.visible_options(answers):
            if question.id == ids.PROVINCE or (
                option.id in ruled if option.place else option.listed
            ):
                yield from walk(state, {**answers, state: option.id})

    yield from walk(BEGIN, {})


def outcome_snapshot(engine: Engine) -> dict[str, object]:
    """Unique outcomes keyed by their rules, with how many paths reach each and one example."""
    outcomes: dict[str, dict[str, object]] = {}
    paths = Counter[str]()
    for answers in walk_paths(engine):
        outcome = engine.rules.outcome(answers)
        paths[outcome.id] += 1
        if outcome.id not in outcomes:
            outcomes[outcome.id] = {
                "verdict": outcome.verdict,
                "example": engine.payload_for(answers, limit=999),  # whole ids: for reading
            }
    for oid, entry in outcomes.items():
        entry["paths"] = paths[oid]
    rules = {
        r.id: {
            "layer": r.layer,
            "region": r.region,
            "verdict": r.verdict,
            "text": r.text,
            "conditions": list(r.conditions),
            "sources": list(r.sources),
        }
        for r in engine.flow.rules
    }
    return {
        "paths": sum(paths.values()),
        "rules": dict(sorted(rules.items())),
        "outcomes": dict(sorted(outcomes.items())),
    }


def snapshot_text(engine: Engine) -> str:
    return (
        json.dumps(outcome_snapshot(engine), ensure_ascii=False, indent=1, sort_keys=False) + "\n"
    )


def check(flow: Flow, engine: Engine | None = None, directory: Path | None = None) -> list[Problem]:
    """Everything `python -m bot check` reports, beyond what loading already refuses."""
    from bot.core.flowfile import FlowError
    from bot.core.understand import load_lexicon

    problems: list[Problem] = []
    try:
        load_lexicon(flow, (directory / "lexicon.yaml") if directory else None)
    except FlowError as exc:
        problems += exc.problems
    engine = engine or Engine(flow, understand=False)
    problems += _check_paths(flow, engine)
    problems += _check_facts(flow)
    problems += check_verdict_policy(flow)
    problems += _check_translations(flow)
    pot = i18n.LOCALES_DIR / f"{i18n.DOMAIN}.pot"
    for locale in i18n.locales():
        po = i18n.catalog_path(locale)
        if locale != i18n.DEFAULT_LOCALE and po.exists() and pot.exists():
            problems += [Problem("locales", 0, p) for p in i18n.catalog_problems(pot, po)]
    return problems


def _rule_problem(rule: Rule, message: str) -> Problem:
    return Problem("rules.yaml", rule.line, f"rule {rule.id}: {message}")


def _check_paths(flow: Flow, engine: Engine) -> list[Problem]:
    problems: list[Problem] = []
    used: set[str] = set()
    reached: set[str] = set()
    ties: dict[tuple[str, str], str] = {}
    dead_ends: dict[str, str] = {}
    for answers in walk_paths(engine):
        reached.update(answers)
        region = flow.region_of(answers)
        for layer in ("holder", "item", "person"):
            found = engine.rules.candidates(layer, answers, region)
            if not found:
                if layer == "item":
                    dead_ends.setdefault("item", engine.payload_for(answers))
                continue
            used.add(found[0].id)
            top = found[0].specificity(flow.divisions)
            for other in found[1:]:
                if other.specificity(flow.divisions) == top:
                    first, second = sorted((found[0].id, other.id))
                    key = (first, second)
                    ties.setdefault(key, engine.payload_for(answers))
    for q in flow.questions:
        if q.id not in reached:
            problems.append(Problem("questions.yaml", q.line, f"question {q.id} is never asked"))
    if "item" in dead_ends:
        problems.append(
            Problem(
                "rules.yaml", 1, f"no item rule answers the path {dead_ends['item']} (dead end)"
            )
        )
    by_id = {r.id: r for r in flow.rules}
    for (a, b), example in sorted(ties.items()):
        problems.append(
            _rule_problem(by_id[a], f"ties with rule {b} (line {by_id[b].line}) on path {example}")
        )
    for rule in flow.rules:
        if rule.id not in used:
            problems.append(
                _rule_problem(rule, "is never used: another rule always wins or no path matches")
            )
    return problems


def check_verdict_policy(flow: Flow) -> list[Problem]:
    """docs/verdict-policy.md: a conditional answer says what it depends on (the region, the
    person's status or a threshold); any other verdict depends on none of these."""
    problems = []
    for rule in flow.rules:
        if rule.verdict == "conditional" and not rule.depends_on:
            message = "is conditional but depends_on names no region, status or threshold"
            problems.append(_rule_problem(rule, message + " (else it is allowed)"))
        elif rule.verdict != "conditional" and rule.depends_on:
            message = f"is {rule.verdict} but has depends_on: only a conditional answer depends"
            problems.append(_rule_problem(rule, message))
    return problems


def _check_facts(flow: Flow) -> list[Problem]:
    """Every fact is used by a rule, or says why not; a fact said to be unused is not used."""
    used = {f for r in flow.rules for f in r.facts}
    problems = []
    for fact in flow.facts.values():
        if fact.id not in used and not fact.unused:
            message = f"fact {fact.id} is used by no rule (use it, or say why in 'unused:')"
            problems.append(Problem("facts.yaml", fact.line, message))
        elif fact.id in used and fact.unused:
            message = f"fact {fact.id} is marked unused but a rule uses it"
            problems.append(Problem("facts.yaml", fact.line, message))
    return problems


def flow_texts(flow: Flow) -> dict[str, tuple[str, int]]:
    """Every user-facing text of the flow files, with the file and line it comes from."""
    texts: dict[str, tuple[str, int]] = {}
    for q in flow.questions:
        texts.setdefault(q.text, ("questions.yaml", q.line))
        for o in q.options:
            if not o.place:
                texts.setdefault(o.label, ("questions.yaml", o.line))
    for r in flow.rules:
        for text in (r.text, *r.conditions):
            texts.setdefault(text, ("rules.yaml", r.line))
    for s in flow.sources.values():
        if s.publisher:
            texts.setdefault(s.publisher, ("sources.yaml", s.line))
    return texts


def _check_translations(flow: Flow) -> list[Problem]:
    problems: list[Problem] = []
    texts = flow_texts(flow)
    for locale in i18n.locales():
        if locale == i18n.DEFAULT_LOCALE:
            continue
        po_path = i18n.catalog_path(locale)
        if not po_path.exists():
            continue
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=locale)
        for text, (file, line) in texts.items():
            message = catalog.get(text)
            if message is None or not message.string or message.fuzzy:
                problems.append(Problem(file, line, f"no {locale} translation for {text[:30]!r}"))
    return problems
