"""`python -m bot understand`: slots with option ids, the place as a division, ambiguity and
negation, in a JSON form scripts can rely on."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
TOP_KEYS = ["text", "locale", "region", "answers", "ambiguous", "negated", "matched"]
PLACE_KEYS = ["code", "name", "level", "province", "prefecture", "county"]


def understand(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main(["understand", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_a_county_with_its_prefecture_and_province(capsys: pytest.CaptureFixture[str]) -> None:
    data = understand(capsys, "我医保在常熟交的，能用个人账户给我妈在药店买降压药吗")
    assert list(data) == TOP_KEYS
    region = data["region"]
    assert list(region) == PLACE_KEYS
    assert region["code"] == "320581" and region["name"] == "常熟市"
    assert region["level"] == "county"
    assert region["prefecture"] == {"code": "320500", "name": "苏州市"}
    assert region["province"] == {"code": "320000", "name": "江苏省"}
    answers = {slot: a["id"] for slot, a in data["answers"].items()}
    assert answers == {
        "province": "320000",
        "city": "320581",  # the county itself: its rules, else 苏州's, else 江苏's
        "category": "care",
        "item": "pharmacy_drugs",
        "relative": "parent",
    }
    assert data["answers"]["item"]["label"] == "药店买药"
    assert data["ambiguous"] == {} and data["negated"] == {}


def test_a_shared_name_is_ambiguous_not_guessed(capsys: pytest.CaptureFixture[str]) -> None:
    data = understand(capsys, "I'm insured in Taizhou, can I top up my account?", "--lang", "en")
    assert data["region"] is None
    assert [p["code"] for p in data["ambiguous"]["region"]] == ["321200", "331000"]
    assert [p["province"]["name"] for p in data["ambiguous"]["region"]] == ["Jiangsu", "Zhejiang"]
    assert data["answers"]["item"] == {"id": "top_up", "label": "Top up the account"}


def test_negation_and_relatives_place(capsys: pytest.CaptureFixture[str]) -> None:
    data = understand(capsys, "不是给我自己，是给我妈，我在杭州，她医保在河北")
    assert data["negated"] == {"relative": ["self"]}
    assert data["region"]["code"] == "330100"
    assert data["answers"]["scope"]["id"] == "other_province"


def test_traditional_names(capsys: pytest.CaptureFixture[str]) -> None:
    data = understand(capsys, "我在瀋陽，能幫我媽買藥嗎", "--lang", "zh-Hant")
    assert data["region"]["name"] == "瀋陽市"
    assert data["answers"]["relative"]["label"] == "父母"


def test_nothing_understood(capsys: pytest.CaptureFixture[str]) -> None:
    data = understand(capsys, "扬州早茶推荐一下")
    assert data["region"] is None and data["answers"] == {} and data["matched"] == []
    assert main(["understand", "扬州早茶推荐一下"]) == 0
    assert capsys.readouterr().out.strip() == "(nothing understood)"


def test_text_form_from_the_shell() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "understand", "我在景洪，老汉儿在宜宾老家参保的，能给他用吗"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "region     532801 景洪市 (云南省 西双版纳傣族自治州)"
    assert "relative   parent 父母" in lines
    assert "scope      other_province 外省" in lines
