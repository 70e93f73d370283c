"""Loading the question flow, regions, rules and sources into validated, immutable data.

Everything a content editor may change lives in `flows/*.yaml`; this module turns those files
into the plain objects of bot/core/model.py and refuses, with file and line, anything it
cannot use.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from bot.core import ids
from bot.core.divisions import Divisions, load_divisions
from bot.core.flowfile import Problems, as_text, line_of, read_yaml
from bot.core.model import (
    DEPENDS_ON,
    LAYERS,
    NATIONWIDE,
    OUTCOME,
    VERDICTS,
    Condition,
    Fact,
    Flow,
    Option,
    Question,
    Region,
    Rule,
    Source,
)
from bot.core.model import SOURCE_KINDS as SOURCE_KINDS
from bot.core.model import UNDATED as UNDATED
from bot.core.resources import flows_dir, package_dir

# The data types are re-exported: `from bot.core.flow import Flow` reads well at every use.
__all__ = [
    "FLOWS_DIR",
    "LAYERS",
    "NATIONWIDE",
    "OUTCOME",
    "VERDICTS",
    "Condition",
    "Fact",
    "Flow",
    "Option",
    "Question",
    "Region",
    "Rule",
    "Source",
    "flows_dir",
    "load_flow",
]

# The flow files shipped with the package; load_flow() reads FLOWS_DIR instead when it is set.
FLOWS_DIR = package_dir("bot.flows")
_ID = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_RULE_ID = re.compile(r"^[a-z0-9][a-z0-9_.]*$")
_CODE = re.compile(r"^[a-z]$")
_DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")


# --- loading ----------------------------------------------------------------------------------


def load_flow(directory: Path | None = None) -> Flow:
    """Load and validate every flow file; raise FlowError listing all problems.

    Without a directory: FLOWS_DIR from the environment, else the shipped files.
    """
    directory = directory or flows_dir()
    problems = Problems()
    divisions = load_divisions()
    regions = _load_regions(directory / "regions.yaml", divisions, problems)
    sources = _load_sources(directory / "sources.yaml", problems)
    facts = _load_facts(directory / "facts.yaml", problems)
    questions = _load_questions(directory / "questions.yaml", regions, divisions, problems)
    _check_code_ids(questions, "questions.yaml", problems)
    slots = {q.id: {o.id for o in q.options} for q in questions}
    rules = _load_rules(directory / "rules.yaml", slots, divisions, sources, facts, problems)
    problems.raise_if_any()
    return Flow(tuple(questions), regions, tuple(rules), sources, facts, divisions, directory)


def _check_code_ids(questions: list[Question], file: str, problems: Problems) -> None:
    """Every question and option id the code names (bot/core/ids.py) must exist in the flow."""
    by_id = {q.id: q for q in questions}
    # A question the code does not know is the likely new name of one it misses.
    strangers = [q for q in questions if q.id not in ids.QUESTIONS]
    for qid in ids.QUESTIONS:
        if qid in by_id:
            continue
        line = strangers[0].line if strangers else 1
        hint = f" (renamed to '{strangers[0].id}'?)" if strangers else ""
        problems.add(file, line, f"question '{qid}' is missing: the code needs it{hint}")
    for qid, option_ids in ids.OPTIONS.items():
        question = by_id.get(qid)
        if question is None:
            continue
        for oid in option_ids:
            if question.option(oid) is None:
                problems.add(
                    file,
                    question.line,
                    f"question {qid}: option '{oid}' is missing: the code needs it",
                )


def _require(
    entry: Mapping[str, Any], key: str, file: str, problems: Problems, what: str
) -> str | None:
    value = entry.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        problems.add(file, line_of(entry), f"{what}: missing '{key}'")
        return None
    return as_text(value).strip()


def _entries(data: Any, key: str, file: str, problems: Problems) -> list[Mapping[str, Any]]:
    if data is None:
        return []
    if not isinstance(data, Mapping) or not isinstance(data.get(key), list):
        problems.add(file, line_of(data, 1), f"expected a top-level list named '{key}'")
        return []
    good = []
    for item in data[key]:
        if isinstance(item, Mapping):
            good.append(item)
        else:
            problems.add(file, line_of(data), f"each entry of '{key}' must be a mapping")
    return good


def _str_list(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return tuple(as_text(v) for v in value)
    return (as_text(value),)


def _load_regions(path: Path, divisions: Divisions, problems: Problems) -> dict[str, Region]:
    file = path.name
    regions: dict[str, Region] = {}

    def add(entry: Mapping[str, Any], parent: str | None) -> None:
        code = _require(entry, "code", file, problems, "region")
        name = _require(entry, "name", file, problems, f"region {code}")
        if code is None or name is None:
            return
        if not re.fullmatch(r"\d{6}", code):
            problems.add(file, line_of(entry), f"region code '{code}' is not 6 digits")
        if code in regions:
            problems.add(file, line_of(entry), f"region code '{code}' appears twice")
        division = divisions.get(code)
        if division is None or division.name != name:
            problems.add(
                file,
                line_of(entry),
                f"region {code} {name} is not a current division (divisions.csv)",
            )
        short = as_text(entry.get("short") or name)
        regions[code] = Region(
            code=code,
            name=name,
            short=short,
            en=as_text(entry.get("en") or name),
            hant=as_text(entry.get("hant") or name),
            hant_short=as_text(entry.get("hant_short") or entry.get("hant") or short),
            aliases=_str_list(entry.get("aliases")),
            parent=parent,
        )

    for entry in _entries(read_yaml(path, problems), "regions", file, problems):
        add(entry, None)
        for city in entry.get("cities") or []:
            add(city, as_text(entry.get("code")))
    return regions


def _load_sources(path: Path, problems: Problems) -> dict[str, Source]:
    file = path.name
    sources: dict[str, Source] = {}
    for entry in _entries(read_yaml(path, problems), "sources", file, problems):
        sid = _require(entry, "id", file, problems, "source")
        title = _require(entry, "title", file, problems, f"source {sid}")
        date = _require(entry, "date", file, problems, f"source {sid}")
        if sid is None or title is None or date is None:
            continue
        if sid in sources:
            problems.add(file, line_of(entry), f"source '{sid}' appears twice")
        if date != UNDATED and not _DATE.match(date):
            problems.add(file, line_of(entry), f"source '{sid}': date '{date}' is not YYYY-MM[-DD]")
        sources[sid] = Source(
            id=sid,
            title=title,
            publisher=as_text(entry.get("publisher") or ""),
            date=date,
            doc_no=as_text(entry.get("doc_no") or ""),
            kind=as_text(entry.get("kind") or "aggregator"),
            line=line_of(entry),
            url=as_text(entry.get("url") or ""),
        )
        if sources[sid].kind not in SOURCE_KINDS:
            problems.add(
                file,
                line_of(entry),
                f"source '{sid}': kind must be one of {', '.join(SOURCE_KINDS)}",
            )
    return sources


def _load_facts(path: Path, problems: Problems) -> dict[str, Fact]:
    file = path.name
    facts: dict[str, Fact] = {}
    for entry in _entries(read_yaml(path, problems), "facts", file, problems):
        fid = _require(entry, "id", file, problems, "fact")
        text = _require(entry, "text", file, problems, f"fact {fid}")
        if fid is None or text is None:
            continue
        if fid in facts:
            problems.add(file, line_of(entry), f"fact '{fid}' appears twice")
        facts[fid] = Fact(fid, text, line_of(entry), as_text(entry.get("unused") or "").strip())
    return facts


def _condition(
    value: Any,
    file: str,
    line: int,
    slots: Mapping[str, set[str]],
    problems: Problems,
    what: str,
) -> Condition | None:
    """Parse `{slot: [values]}` (all must hold) or a list of those (any may hold)."""
    if value is None:
        return None
    alternatives_raw = value if isinstance(value, list) else [value]
    alternatives = []
    for alt in alternatives_raw:
        if not isinstance(alt, Mapping) or not alt:
            problems.add(file, line, f"{what}: a condition must be a mapping of answer: [values]")
            continue
        parts = []
        for slot, values in alt.items():
            wanted = frozenset(_str_list(values))
            if slot not in slots:
                problems.add(file, line, f"{what}: unknown question '{slot}' in condition")
            else:
                for unknown in sorted(wanted - slots[slot]):
                    problems.add(file, line, f"{what}: '{slot}' has no option '{unknown}'")
            parts.append((str(slot), wanted))
        alternatives.append(tuple(parts))
    return Condition(tuple(alternatives))


def _region_options(kind: str, regions: Mapping[str, Region], divisions: Divisions) -> list[Option]:
    """Options generated from the regions: the provinces, or every division of each province.

    For the city question a province's prefectures (and the counties it administers directly,
    such as 仙桃 or 石河子) are buttons; every other county is an unlisted option, so typing
    昆山 or a link to it keeps the county as the answer. A municipality's districts are all
    unlisted: it has no prefectures to ask about. Built as options directly (the data is
    already checked), ~3,200 of them.
    """
    if kind == "provinces":
        return [Option(r.code, r.short, place=True) for r in regions.values() if not r.is_city]
    options: list[Option] = []
    for province in (d for d in divisions if d.level == "province" and d.code in regions):
        when = Condition((((ids.PROVINCE, frozenset({province.code})),),))
        children = divisions.children(province.code)
        has_prefectures = any(d.level == "prefecture" for d in children)
        for child in children:
            for place in (child, *divisions.children(child.code)):
                label = regions[place.code].short if place.code in regions else place.short
                listed = has_prefectures and place is child
                options.append(Option(place.code, label, (), when, 0, listed, True))
    return options


def _load_questions(
    path: Path, regions: Mapping[str, Region], divisions: Divisions, problems: Problems
) -> list[Question]:
    file = path.name
    entries = _entries(read_yaml(path, problems), "questions", file, problems)
    # First pass: every question's option ids, so conditions may refer to any question.
    raw_options: dict[str, list[Mapping[str, Any] | Option]] = {}
    for entry in entries:
        qid = as_text(entry.get("id", ""))
        generated = entry.get("options_from")
        opts: list[Mapping[str, Any] | Option] = []
        if generated in ("provinces", "cities"):
            opts.extend(_region_options(generated, regions, divisions))
        elif generated is not None:
            problems.add(
                file, line_of(entry), f"question {qid}: unknown options_from '{generated}'"
            )
        opts.extend(o for o in entry.get("options") or [] if isinstance(o, Mapping))
        raw_options[qid] = opts
    slots = {
        qid: {o.id if isinstance(o, Option) else as_text(o.get("id", "")) for o in opts}
        for qid, opts in raw_options.items()
    }
    # A city question only makes sense for a province that has cities of its own.
    # A city question is asked for a province with prefectures (not for a municipality).
    provinces_with_cities = sorted(
        {
            d.parent
            for d in divisions
            if d.level == "prefecture" and d.parent and d.parent in regions
        }
    )

    questions: list[Question] = []
    seen_codes: dict[str, str] = {}
    for entry in entries:
        found = _require(entry, "id", file, problems, "question")
        code = _require(entry, "code", file, problems, f"question {found}")
        text = _require(entry, "text", file, problems, f"question {found}")
        line = line_of(entry)
        if found is None or code is None or text is None:
            continue
        qid = found
        if not _ID.match(qid):
            problems.add(file, line, f"question id '{qid}' must be lowercase ascii")
        if not _CODE.match(code):
            problems.add(file, line, f"question {qid}: code '{code}' must be one lowercase letter")
        if code in seen_codes:
            problems.add(
                file, line, f"question {qid}: code '{code}' already used by {seen_codes[code]}"
            )
        seen_codes[code] = qid
        options = _load_options(qid, raw_options[qid], file, line, slots, problems)
        ask_raw = entry.get("ask_if")
        if entry.get("options_from") == "cities" and ask_raw is None:
            ask_raw = {ids.PROVINCE: provinces_with_cities}
        questions.append(
            Question(
                id=qid,
                code=code,
                text=text,
                options=tuple(options),
                ask_if=_condition(ask_raw, file, line, slots, problems, f"question {qid}"),
                skip_if=_condition(
                    entry.get("skip_if"), file, line, slots, problems, f"question {qid}"
                ),
                line=line,
                default=_default(entry, qid, options, file, line, problems),
            )
        )
    if len({q.id for q in questions}) != len(questions):
        problems.add(file, 1, "two questions share an id")
    return questions


def _default(
    entry: Mapping[str, Any],
    qid: str,
    options: list[Option],
    file: str,
    line: int,
    problems: Problems,
) -> str | None:
    value = entry.get("default")
    if value is None:
        return None
    value = as_text(value)
    if value not in {o.id for o in options}:
        problems.add(file, line, f"question {qid}: default '{value}' is not one of its options")
    return value


def _load_options(
    qid: str,
    raw: Iterable[Mapping[str, Any] | Option],
    file: str,
    qline: int,
    slots: Mapping[str, set[str]],
    problems: Problems,
) -> list[Option]:
    options: list[Option] = []
    seen: set[str] = set()
    for entry in raw:
        if isinstance(entry, Option):  # generated from the divisions, already valid
            seen.add(entry.id)
            options.append(entry)
            continue
        line = line_of(entry, qline)
        oid = _require(entry, "id", file, problems, f"question {qid}: option")
        label = _require(entry, "label", file, problems, f"question {qid}: option {oid}")
        if oid is None or label is None:
            continue
        if not _ID.match(oid):
            problems.add(file, line, f"question {qid}: option id '{oid}' must be lowercase ascii")
        if oid in seen:
            problems.add(file, line, f"question {qid}: option '{oid}' appears twice")
        seen.add(oid)
        when = _condition(entry.get("when"), file, line, slots, problems, f"option {qid}.{oid}")
        options.append(Option(oid, label, _str_list(entry.get("aliases")), when, line))
    if not options:
        problems.add(file, qline, f"question {qid}: has no options")
    return options


def _load_rules(
    path: Path,
    slots: Mapping[str, set[str]],
    divisions: Divisions,
    sources: Mapping[str, Source],
    facts: Mapping[str, Fact],
    problems: Problems,
) -> list[Rule]:
    file = path.name
    rules: list[Rule] = []
    seen: set[str] = set()
    for entry in _entries(read_yaml(path, problems), "rules", file, problems):
        rid = _require(entry, "id", file, problems, "rule")
        line = line_of(entry)
        if rid is None:
            continue
        what = f"rule {rid}"
        if not _RULE_ID.match(rid):
            problems.add(file, line, f"{what}: id must be lowercase ascii, digits, '_' or '.'")
        if rid in seen:
            problems.add(file, line, f"{what}: id appears twice")
        seen.add(rid)
        layer = as_text(entry.get("layer", "item"))
        if layer not in LAYERS:
            problems.add(file, line, f"{what}: layer '{layer}' is not one of {', '.join(LAYERS)}")
        verdict = _require(entry, "verdict", file, problems, what) or "info"
        if verdict not in VERDICTS:
            problems.add(
                file, line, f"{what}: verdict '{verdict}' is not one of {', '.join(VERDICTS)}"
            )
        text = _require(entry, "text", file, problems, what) or ""
        checked = _require(entry, "checked", file, problems, what) or ""
        if checked and not _DATE.match(checked):
            problems.add(file, line, f"{what}: checked '{checked}' is not a YYYY-MM-DD date")
        when = _condition(entry.get("when"), file, line, slots, problems, what)
        if when is None:
            problems.add(file, line, f"{what}: missing 'when' (which answers the rule is for)")
            when = Condition(((),))
        if len(when.alternatives) != 1:
            problems.add(file, line, f"{what}: 'when' must be one mapping, not a list")
        region = entry.get("region")
        region = as_text(region) if region is not None else None
        if region is not None and region not in divisions:
            problems.add(file, line, f"{what}: unknown region code '{region}'")
            region = None
        rule_sources = _str_list(entry.get("sources"))
        if not rule_sources:
            problems.add(file, line, f"{what}: needs at least one source")
        for sid in rule_sources:
            if sid not in sources:
                problems.add(file, line, f"{what}: unknown source '{sid}'")
        rule_facts = _str_list(entry.get("facts"))
        for fid in rule_facts:
            if fid not in facts:
                problems.add(file, line, f"{what}: unknown fact '{fid}'")
        conditions = _str_list(entry.get("conditions"))
        depends_on = _str_list(entry.get("depends_on"))
        for unknown in sorted(set(depends_on) - set(DEPENDS_ON)):
            problems.add(file, line, f"{what}: depends_on '{unknown}' is not one of {DEPENDS_ON}")
        rules.append(
            Rule(
                rid,
                layer,
                when,
                region,
                verdict,
                text,
                conditions,
                rule_sources,
                rule_facts,
                checked,
                line,
                depends_on,
            )
        )
    return rules
