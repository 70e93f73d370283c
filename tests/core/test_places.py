"""Any place in China as a user gives it: ask --region, deep links, the city menu, stored sessions.

The answer uses the most specific rules that exist (county -> prefecture -> province -> national)
and names the place the user gave and the level whose rules answered.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cli.main import main
from bot.core.engine import Answer, Engine, Page, Show, Start, Text
from bot.core.session import Session
from bot.render.text import PAGE_SIZE, Renderer
from bot.telegram.common import MAX_CALLBACK_BYTES, ButtonData, event_for


def ask(capsys, *args: str) -> tuple[int, dict | None, str]:
    code = main(["ask", *args, "--json"])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 else None), err


@pytest.mark.parametrize(
    ("given", "code", "name", "level"),
    [
        ("杭州", "330100", "杭州市", "prefecture"),
        ("苏州", "320500", "苏州市", "prefecture"),
        ("青岛", "370200", "青岛市", "prefecture"),
        ("厦门", "350200", "厦门市", "prefecture"),
        ("昆山", "320583", "昆山市", "county"),
        ("义乌", "330782", "义乌市", "county"),
        ("浦东新区", "310115", "浦东新区", "county"),
        ("Hangzhou", "330100", "杭州市", "prefecture"),
        ("330100", "330100", "杭州市", "prefecture"),
        ("昌江黎族自治县", "469026", "昌江黎族自治县", "county"),
    ],
)
def test_any_place_resolves_and_is_named(capsys, given, code, name, level):
    status, data, err = ask(
        capsys, "--region", given, "--insurance", "employee", "--item", "fitness"
    )
    assert status == 0, err
    assert data["region"]["code"] == code
    assert data["region"]["name"] == name and data["region"]["level"] == level
    assert data["answered_by"]["level"] == "national"  # no rules collected for these places
    assert data["regional_note"].startswith(f"{name}：没有收集到当地的特别规定，按全国规定回答")


def test_a_city_without_rules_is_answered_by_its_provinces_rules(capsys):
    status, data, _ = ask(
        capsys,
        "--region",
        "长春",
        "--insurance",
        "employee",
        "--item",
        "vaccine",
        "--relative",
        "self",
    )
    assert status == 0
    assert data["region"] == {
        "code": "220100",
        "name": "长春市",
        "level": "prefecture",
        "path": "吉林 · 长春",
    }
    assert data["answered_by"]["code"] == "220000"
    assert data["regional_note"].startswith("长春市：没有收集到当地的特别规定，按吉林省规定回答")


def test_a_county_uses_its_prefectures_rules(capsys):
    # 永吉县 is a county of 吉林市, which has its own inheritance rule.
    status, data, _ = ask(
        capsys, "--region", "永吉县", "--insurance", "employee", "--item", "inheritance"
    )
    assert status == 0
    assert data["rule_id"] == "inheritance.jilin_city"
    assert data["region"]["code"] == "220221" and data["answered_by"]["code"] == "220200"
    assert "永吉县：没有收集到当地的特别规定，按吉林市规定回答" in data["regional_note"]


@pytest.mark.parametrize(
    ("given", "codes"),
    [
        ("taizhou", ("321200", "331000")),
        ("suzhou", ("320500", "341300", "620902")),
        ("fuzhou", ("350100", "361000")),
        ("yichun", ("230700", "360900")),
        ("昌江", ("360202", "469026")),
        ("鼓楼区", ("320106", "320302", "350102", "410204")),
    ],
)
def test_an_ambiguous_place_is_refused_with_every_candidate(capsys, given, codes):
    status, _, err = ask(capsys, "--region", given, "--insurance", "employee", "--item", "fitness")
    assert status == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and given in lines[0]
    assert all(code in lines[0] for code in codes)


def test_an_unknown_place_is_refused_with_examples(capsys):
    status, _, err = ask(capsys, "--region", "Atlantis", "--insurance", "employee")
    assert status == 2 and "unknown region" in err and "330100" in err


def test_deep_links_carry_a_county(engine: Engine):
    payload = engine.payload_for_region("320583")
    assert payload == "p320000-c320583"
    step = engine.step(engine.new_session(), Start(payload + "-iemployee-tfitness"))
    assert step.session.answers["city"] == "320583"
    assert step.view.outcome is not None and step.view.outcome.region == "320583"
    # A municipality's district too, although 上海 is never asked for a city.
    step = engine.step(engine.new_session(), Start("p310000-c310115-iemployee-tfitness"))
    assert step.view.outcome.region == "310115"
    assert engine.step(engine.new_session(), Start("p310000")).session.state != "city"


def test_a_stored_session_with_the_retired_changjiang_code_keeps_working(engine: Engine):
    stored = Session("outcome", {"province": "460000", "city": "469031", "insurance": "employee"})
    stored.answers.update(engine.parse_payload("tfitness")[0])
    step = engine.step(stored, Show())
    assert step.session.answers["city"] == "469026"
    assert step.view.outcome.region == "469026"


def _menu(engine: Engine, province: str, page: int = 0):
    session = engine.settle({"province": province})
    assert session.state == "city"
    step = engine.step(session, Page(page))
    return Renderer(engine.flow).render(step.view, "zh_Hans")


def test_the_city_menu_offers_every_prefecture_of_the_province(engine: Engine):
    reply = _menu(engine, "330000")
    labels = [b.label for b in reply.buttons]
    expected = [
        "杭州",
        "宁波",
        "温州",
        "嘉兴",
        "湖州",
        "绍兴",
        "金华",
        "衢州",
        "舟山",
        "台州",
        "丽水",
    ]
    assert labels[: len(expected)] == expected
    assert "省内其他城市 / 不确定" in labels
    assert "义乌" not in labels  # a county: typed, not a button


def test_a_long_city_menu_is_paged_and_every_button_fits(engine: Engine):
    first, second = _menu(engine, "650000"), _menu(engine, "650000", page=1)
    places = [b for b in first.buttons if b.code.startswith("city:") and b.code != "city:other"]
    later = [b for b in second.buttons if b.code.startswith("city:") and b.code != "city:other"]
    assert len(places) == PAGE_SIZE and 0 < len(later) < PAGE_SIZE
    assert {b.label for b in later}.isdisjoint({b.label for b in places})
    assert "草湖" in {b.label for b in later}
    for reply in (first, second):
        assert "省内其他城市 / 不确定" in [b.label for b in reply.buttons]
        for button in reply.buttons:
            data = ButtonData(2**63 - 1, 2**31, f"c:{button.code.partition(':')[2]}").encode()
            assert len(data.encode()) <= MAX_CALLBACK_BYTES
    nxt = next(b for b in first.buttons if b.label.startswith("下一页"))
    assert event_for(nxt.code, engine) == Page(1)
    assert event_for("_page:x", engine) is None


def test_a_county_typed_at_the_city_question_is_kept(engine: Engine):
    session = engine.settle({"province": "320000"})
    step = engine.step(session, Text("昆山"))
    assert step.session.answers["city"] == "320583" and step.session.state != "city"
    # A button still works as before.
    step = engine.step(session, Answer("city", "320500"))
    assert step.session.answers["city"] == "320500"


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_every_division_code_resolves_to_its_own_place(engine: Engine, data):
    place = data.draw(st.sampled_from(list(engine.flow.divisions)))
    session = engine.settle(engine.parse_payload(engine.payload_for_region(place.code))[0])
    assert engine.flow.region_of(session.answers) == place.code
