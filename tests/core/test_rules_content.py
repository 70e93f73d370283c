"""What a careful reader of the sources expects, checked through the same path as
`python -m bot ask`: the verdict, the rule that decides, a key condition and the source."""

from __future__ import annotations

import pytest

from bot.cli.main import answers_for_region, outcome_json
from bot.core.engine import Engine
from bot.core.flow import FLOWS_DIR, OUTCOME

# (region, insurance, item, relative, scope) -> verdict, a rule id in the outcome, a source id,
# and a word the text or a condition must contain (None: no particular word).
CASES = [
    (
        ("吉林", "employee", "vaccine", "parent", "same_area"),
        "not_allowed",
        "vaccine.jilin",
        "S002",
        "疫苗",
    ),
    (("长春", "employee", "vaccine", "self", None), "not_allowed", "vaccine.jilin", "S002", None),
    (
        ("北京", "employee", "vaccine", "self", None),
        "conditional",
        "vaccine.national",
        "S000",
        None,
    ),
    (
        ("全国", "employee", "outpatient", "self", None),
        "allowed",
        "outpatient.national",
        "N2021",
        "定点",
    ),
    (
        ("北京", "employee", "outpatient", "parent", "same_area"),
        "allowed",
        "family.same_area",
        "N2021",
        "绑定",
    ),
    (
        ("北京", "retiree", "pharmacy_drugs", "sibling", "same_province"),
        "allowed",
        "family.extended_same_province",
        "N2024",
        None,
    ),
    (
        ("北京", "employee", "outpatient", "parent", "other_province"),
        "conditional",
        "family.other_province",
        "NHSA2026",
        None,
    ),
    (
        ("北京", "employee", "outpatient", "other", None),
        "not_allowed",
        "family.other",
        "N2024",
        None,
    ),
    (
        ("深圳", "employee", "pharmacy_drugs", "spouse", "same_area"),
        "conditional",
        "family.shenzhen",
        "SZ_FAMILY",
        "上年度在岗职工年平均工资5%",
    ),
    (
        ("北京", "employee", "cosmetic", None, None),
        "not_allowed",
        "cosmetic.national",
        "S000",
        None,
    ),
    (("北京", "employee", "fitness", None, None), "not_allowed", "fitness.national", "N2021", None),
    (
        ("北京", "employee", "health_supplements", None, None),
        "not_allowed",
        "health_supplements.national",
        "S000",
        None,
    ),
    (("北京", "employee", "top_up", None, None), "not_allowed", "top_up.national", "S004", None),
    (
        ("北京", "employee", "withdrawal", None, None),
        "conditional",
        "withdrawal.national",
        "S000",
        "去世",
    ),
    (
        ("吉林市", "employee", "withdrawal", None, None),
        "conditional",
        "withdrawal.jilin_city",
        None,
        None,
    ),
    (
        ("北京", "employee", "balance_clearing", None, None),
        "info",
        "balance_clearing.national",
        None,
        "清零",
    ),
    (
        ("北京", "employee", "balance_exhausted", None, None),
        "info",
        "balance_exhausted.national",
        "S003",
        "统筹",
    ),
    (("北京", "employee", "transfer", None, None), "allowed", "transfer.national", "S000", None),
    (("北京", "resident", None, None, None), "info", "resident.no_account", "S004", None),
    (
        ("北京", "flexible", "outpatient", "self", None),
        "conditional",
        "holder.flexible",
        None,
        None,
    ),
    (
        ("北京", "employee", "resident_premium", "parent", "same_area"),
        "allowed",
        "family.resident_premium",
        None,
        None,
    ),
    (
        ("北京", "employee", "resident_premium", "self", None),
        "not_allowed",
        "resident_premium.self",
        None,
        None,
    ),
    (
        ("北京", "employee", "critical_illness_premium", None, None),
        "allowed",
        "critical_illness_premium.national",
        "S000",
        None,
    ),
    (
        ("北京", "employee", "ltc_premium", None, None),
        "allowed",
        "ltc_premium.national",
        None,
        None,
    ),
    (
        ("上海", "employee", "offsite_care", None, None),
        "conditional",
        "offsite_care.shanghai",
        None,
        "备案",
    ),
    (
        ("北京", "employee", "physical_exam", None, None),
        "conditional",
        "physical_exam.national",
        "N2021",
        None,
    ),
    (("吉林", "employee", "check_balance", None, None), "info", "check_balance.jilin", None, None),
    (
        ("扬州", "employee", "check_balance", None, None),
        "info",
        "check_balance.jiangsu",
        None,
        "江苏医保云",
    ),
]


def ask(
    engine: Engine,
    region: str,
    insurance: str,
    item: str | None,
    relative: str | None,
    scope: str | None,
) -> dict:
    answers = answers_for_region(engine.flow, region)
    answers["insurance"] = insurance
    for slot, value in (("item", item), ("relative", relative), ("scope", scope)):
        if value:
            answers[slot] = value
    if item:
        answers.update(engine.parse_payload("t" + item)[0])
    session = engine.settle(answers)
    assert session.state == OUTCOME, (answers, session.state)
    return outcome_json(engine, engine.rules.outcome(session.answers), "zh_Hans")


@pytest.mark.parametrize(
    ("answers", "verdict", "rule", "source", "word"),
    CASES,
    ids=[f"{c[0][0]}-{c[0][2] or c[0][1]}-{c[0][3] or ''}" for c in CASES],
)
def test_careful_reader_cases(engine: Engine, answers, verdict, rule, source, word) -> None:
    result = ask(engine, *answers)
    assert result["verdict"] == verdict, result
    assert rule in result["rule_id"].split("+"), result["rule_id"]
    if source:
        assert source in {s["id"] for s in result["sources"]}, result["sources"]
    if word:
        assert word in result["text"] + "".join(result["conditions"]), word
    assert result["regional_note"] and result["checked"]


def test_every_region_the_sources_name_is_selectable(engine: Engine) -> None:
    named = [
        "220000",
        "220200",
        "220100",
        "440000",
        "440300",
        "440100",
        "441900",
        "310000",
        "510000",
        "510100",
        "510300",
        "370000",
        "371300",
        "370600",
        "330000",
        "331000",
        "331022",
        "350000",
        "610000",
        "610100",
        "320000",
        "321000",
        "410000",
        "130000",
        "140000",
        "150000",
        "340000",
        "340100",
        "340600",
        "340500",
        "230000",
        "230400",
        "360000",
        "360500",
        "210000",
        "210300",
        "650000",
        "650200",
        "659001",
        "460000",
        "469026",
    ]
    missing = [code for code in named if code not in engine.flow.regions]
    assert missing == []
    provinces = [r for r in engine.flow.regions.values() if r.parent is None]
    assert len(provinces) == 31


def test_a_region_without_rules_of_its_own_says_the_national_rule_applies(engine: Engine) -> None:
    result = ask(engine, "西藏", "employee", "outpatient", "self", None)
    assert "按全国规定" in result["regional_note"]


def test_a_regional_rule_shows_the_national_rule_beside_it(engine: Engine) -> None:
    result = ask(engine, "吉林", "employee", "vaccine", "self", None)
    assert "全国规定" in result["regional_note"]


def test_every_fact_is_used_by_a_rule_or_says_why_not(engine: Engine) -> None:
    used = {fact for rule in engine.flow.rules for fact in rule.facts}
    unused = {f.id for f in engine.flow.facts.values() if f.unused}
    assert set(engine.flow.facts) - used == unused
    assert used & unused == set()
    ids = set(engine.flow.facts)
    assert {f"R{n:02d}" for n in range(1, 79)} <= ids  # research.md, all of it


def test_the_fact_table_in_flows_is_up_to_date(engine: Engine) -> None:
    from bot.cli.main import FACT_TABLE, fact_table

    assert (FLOWS_DIR / FACT_TABLE).read_text(encoding="utf-8") == fact_table(engine.flow), (
        "run `python -m bot facts --write` and review flows/FACTS.md"
    )
