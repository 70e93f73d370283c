"""Issue #13, item 4: what a careful reader found, each checked as a user would see it.

Each case asserts the verdict, the rule that decides it, a key condition or phrase, and a source
(through the same JSON that `python -m bot ask --json` prints).
"""

from __future__ import annotations

import re

import pytest
from test_rules_content import ask

from bot.core.engine import Engine
from bot.render.json_form import JsonRenderer


def _card(result: dict) -> str:
    return result["text"] + "\n" + "\n".join(result["conditions"])


@pytest.mark.parametrize("region", ["吉林", "长春", "吉林市"])
@pytest.mark.parametrize(
    "item",
    ["outpatient", "inpatient", "pharmacy_drugs", "medical_devices", "medical_consumables"],
)
def test_jilin_care_is_allowed_with_only_a_hedged_note(engine: Engine, region, item):
    result = ask(engine, region, "employee", item, "self", None)
    assert result["verdict"] == "allowed"
    assert result["rule_id"] == "care.jilin"
    card = _card(result)
    assert "定点" in card
    assert "年度限额" in result["text"] and "没有其他来源证实" in result["text"]
    assert not any("限额" in c for c in result["conditions"])  # not a condition to meet
    assert "N2021" in {s["id"] for s in result["sources"]}


def test_retirees_do_not_transfer_their_insurance(engine: Engine):
    result = ask(engine, "北京", "retiree", "transfer", None, None)
    assert result["verdict"] == "info"
    assert result["rule_id"] == "transfer.retiree"
    assert "异地安置" in _card(result) and "余额跟着转" not in _card(result)
    docs = {s["doc_no"] for s in result["sources"]}
    assert "医保办发〔2021〕43号" in docs
    # People in work still move their balance with their insurance, citing the same text.
    working = ask(engine, "北京", "employee", "transfer", None, None)
    assert working["verdict"] == "allowed" and working["rule_id"] == "transfer.national"
    assert "医保办发〔2021〕43号" in {s["doc_no"] for s in working["sources"]}


@pytest.mark.parametrize(
    ("relative", "scope"), [("parent", "same_area"), ("sibling", "other_province")]
)
def test_shanghai_family_sharing_needs_a_prior_years_balance(engine: Engine, relative, scope):
    result = ask(engine, "上海", "employee", "outpatient", relative, scope)
    assert result["verdict"] == "conditional"
    assert "family.shanghai" in result["rule_id"].split("+")
    assert "你的历年账户有结余" in result["conditions"]
    source = next(s for s in result["sources"] if s["id"] == "SJ2025")
    assert source["publisher"] == "上海市松江区医疗保障局" and source["date"] == "2025-07-23"
    assert source["url"].startswith("https://www.songjiang.gov.cn/")


def test_seed_001_figures_are_nowhere_in_the_rules(engine: Engine):
    for rule in engine.flow.rules:
        text = rule.text + "".join(rule.conditions)
        for figure in ("5人", "2000元", "2,000", "70%", "每年调整1次"):
            assert figure not in text, (rule.id, figure)
    result = ask(engine, "河北", "employee", "outpatient", "parent", "same_province")
    assert "有的地方对可绑人数、余额门槛或支付比例有限制，以当地规定为准" in result["conditions"]


def test_flexible_workers_account_depends_on_region_and_tier(engine: Engine):
    result = ask(engine, "北京", "flexible", "outpatient", "self", None)
    assert result["verdict"] == "conditional"
    assert result["rule_id"].startswith("holder.flexible+")
    assert "通常不设" not in result["text"]
    assert "缴费档次" in result["text"] and "深圳一档" in result["text"]
    assert {"SZ_FAMILY", "ZZ_FLEX"} <= {s["id"] for s in result["sources"]}
    assert {s["kind"] for s in result["sources"] if s["id"] == "ZZ_FLEX"} == {"aggregator"}


def test_physical_exams_are_conditional_like_vaccines(engine: Engine):
    result = ask(engine, "浙江", "employee", "physical_exam", "self", None)
    assert result["verdict"] == "conditional"
    assert result["rule_id"] == "physical_exam.national"
    assert "只有参保地明文允许时才可以，先向当地医保部门确认" in result["conditions"]
    assert "N2021" in {s["id"] for s in result["sources"]}


@pytest.mark.parametrize("item", ["balance_clearing", "inheritance", "transfer", "withdrawal"])
def test_resident_insurance_has_no_account_to_clear_inherit_or_move(engine: Engine, item):
    answers = {"province": "110000", "insurance": "resident", "item": item}
    session = engine.settle(answers)
    outcome = engine.rules.outcome(session.answers)
    result = JsonRenderer(engine.flow).outcome(outcome, "zh_Hans")
    assert result["verdict"] == "info"
    assert result["rule_id"] == "resident.no_account"
    assert result["text"].startswith("居民医保没有个人账户")
    assert "不能用个人账户支付" not in result["text"]


@pytest.mark.parametrize("item", ["withdrawal", "emigration"])
def test_jilin_city_does_not_state_opting_out_as_a_way_to_cash_out(engine: Engine, item):
    result = ask(engine, "吉林市", "employee", item, None, None)
    assert result["rule_id"] == f"{item}.jilin_city"
    assert "主动放弃参保" not in _card(result)
    assert "S002d" in {s["id"] for s in result["sources"]}


def test_fujian_windows_only_for_a_relative_insured_in_fujian_and_no_past_dates(engine: Engine):
    elsewhere = ask(engine, "福建", "employee", "resident_premium", "parent", "other_province")
    assert "resident_premium.fujian" not in elsewhere["rule_id"].split("+")
    assert "福建" not in elsewhere["text"]
    here = ask(engine, "福建", "employee", "resident_premium", "parent", "same_area")
    assert "resident_premium.fujian" in here["rule_id"].split("+")
    assert here["verdict"] == "allowed"
    fujian = here["text"].splitlines()[0]  # the Fujian rule's own sentence
    assert "福建" in fujian and not re.search(r"20\d\d", fujian)  # no dated windows, now past
    assert "每年的具体日期以福建医保部门当年的公告为准" in here["conditions"]


def test_family_account_is_not_family_sharing(engine: Engine):
    result = ask(engine, "北京", "employee", "family_binding", None, None)
    assert result["verdict"] == "info" and result["rule_id"] == "family_binding.national"
    assert "解除亲情账户不等于解除共济" in result["text"]
    for rule in engine.flow.rules:  # nowhere is 亲情账户 management given as the way to unbind
        assert "管理亲情账户" not in rule.text + "".join(rule.conditions), rule.id


@pytest.mark.parametrize(
    ("item", "relative", "scope", "rule"),
    [
        ("family_binding", None, None, "family_binding.shenzhen"),
        ("outpatient", "spouse", "same_area", "family.shenzhen"),
        ("outpatient", "sibling", "same_area", "family.shenzhen_extended"),
    ],
)
def test_shenzhen_threshold_is_the_rule_not_a_figure(engine: Engine, item, relative, scope, rule):
    result = ask(engine, "深圳", "employee", item, relative, scope)
    assert rule in result["rule_id"].split("+")
    assert "上年度在岗职工年平均工资5%" in result["text"] and "每年" in result["text"]
    assert "7,778" not in result["text"] and "7778" not in result["text"]
    assert "SZ_FAMILY" in {s["id"] for s in result["sources"]}


@pytest.mark.parametrize("region", ["北京", "上海"])
def test_retirees_are_not_told_to_keep_paying(engine: Engine, region):
    result = ask(engine, region, "retiree", "balance_exhausted", None, None)
    assert result["verdict"] == "info"
    assert "balance_exhausted.national" in result["rule_id"].split("+")
    assert "保持正常缴费" not in _card(result) and "医保要正常缴费" not in _card(result)
    assert "退休人员不再缴费" in _card(result)


def test_seed_claims_are_not_stated_as_fact(engine: Engine):
    for rule in engine.flow.rules:
        text = rule.text + "".join(rule.conditions)
        assert "20%–30%" not in text, rule.id
        if "免备案" in text or "不用备案" in text:
            assert "聚合文章" in text and ("未经" in text or "没有找到官方文件" in text), rule.id
    result = ask(engine, "福建", "employee", "offsite_care", None, None)
    assert result["rule_id"] == "offsite_care.fujian" and result["verdict"] == "conditional"
    assert "没有找到官方文件核实" in result["text"]


def test_sources_official_texts_with_numbers_and_seeds_labelled(engine: Engine):
    sources = engine.flow.sources
    numbers = {s.doc_no for s in sources.values() if s.kind == "official"}
    for doc in (
        "国办发〔2021〕14号",
        "国办发〔2024〕38号",
        "医保办发〔2021〕43号",
        "国发〔1998〕44号",
        "医保发〔2020〕37号",
    ):
        assert doc in numbers
    assert "民法典" in sources["CIVIL1045"].title and "一千零四十五" in sources["CIVIL1045"].title
    notice = sources["NHSA2026"]
    assert notice.date == "2026-01-09" and "财政部" in notice.publisher
    for sid in ("S000", "S001", "S002", "S003", "S004", "S002d", "S003a"):
        assert sources[sid].kind == "aggregator", sid
    # The one invented title is gone: the 2024 source is the Xinhua report by its own title.
    assert sources["NHSA2024"].kind == "news" and "要点需注意" in sources["NHSA2024"].title
    result = ask(engine, "北京", "employee", "outpatient", "sibling", "same_area")
    card_sources = {s["id"]: s for s in result["sources"]}
    assert "CIVIL1045" in card_sources


def test_the_card_labels_aggregator_pages(engine: Engine):
    from bot.render.text import Renderer

    line = Renderer(engine.flow)._sources_line(
        tuple(r for r in engine.flow.rules if r.id == "care.jilin"), "zh_Hans"
    )
    assert "《2025年吉林吉林医保余额使用范围》" in line and "聚合网站文章" in line
    assert "国办发〔2021〕14号" in line


def test_verdict_policy_is_enforced_by_check(tmp_path):
    import shutil

    from bot.core.checks import check_verdict_policy
    from bot.core.flow import FLOWS_DIR, load_flow

    assert check_verdict_policy(load_flow()) == []
    flows = tmp_path / "flows"
    shutil.copytree(FLOWS_DIR, flows)
    rules = flows / "rules.yaml"
    text = rules.read_text(encoding="utf-8")
    text = text.replace("    depends_on: [region]\n", "", 1)  # the first conditional loses it
    text = text.replace("    verdict: info\n", "    verdict: info\n    depends_on: [status]\n", 1)
    rules.write_text(text, encoding="utf-8")
    problems = [str(p) for p in check_verdict_policy(load_flow(flows))]
    assert any("is conditional but depends_on names no" in p for p in problems), problems
    assert any("is info but has depends_on" in p for p in problems), problems


@pytest.mark.parametrize("item", ["inheritance", "emigration", "transfer"])
def test_inheritance_emigration_transfer_follow_the_policy(engine: Engine, item):
    result = ask(engine, "北京", "employee", item, None, None)
    assert result["verdict"] == "allowed"  # open to all it concerns; the conditions are procedure
    withdrawal = ask(engine, "北京", "employee", "withdrawal", None, None)
    assert withdrawal["verdict"] == "conditional"  # only in one of three cases
