"""English as expats and Chinese writers type it: place names typed alone, misspelt pinyin."""

from __future__ import annotations

import pytest

from bot.core.flow import Flow
from bot.core.understand import Understander
from bot.core.understand.normal import without


@pytest.fixture(scope="module")
def understander(flow: Flow) -> Understander:
    return Understander(flow)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("I work in Shijiazuang", "130100"),
        ("Im in Zhengzou, can I buy meds with my yibao?", "410100"),
        ("insured in Chongqin, can my personal account pay for glasses", "500000"),
        ("my yibao is from Wenzou", "330300"),
        ("I live in Kunmin", "530100"),
        ("I'm in Changzhou", "320400"),
    ],
)
def test_misspelt_places_are_known(understander: Understander, text: str, code: str) -> None:
    assert understander.understand(text).region == code


def test_a_slip_that_spells_another_place_is_that_place(understander: Understander) -> None:
    assert understander.understand("I'm in Cangzhou").region == "130900"  # 沧州, not 常州
    assert understander.understand("I'm in Changzou").region == "320400"


def test_fillers_are_taken_out_as_whole_words() -> None:
    # "or" (a coordinator) must not be taken out of "work", leaving "wk".
    assert without(" work in ", ["or", "in", "work"]) == ""
    assert without(" word ", ["or"]) == "word"
    assert without("我在北京上班", ["我在", "上班", "北京"]) == ""


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("I work in Hangzhou", "330100"),
        ("I'm in Guangdong province", "440000"),
        ("I'm in Shenzhen, Guangdong province", "440300"),
    ],
)
def test_a_place_typed_alone_in_english_is_an_answer(
    understander: Understander, text: str, code: str
) -> None:
    assert understander.understand(text).region == code


def test_chat_about_a_place_is_still_chat(understander: Understander) -> None:
    assert understander.understand("the weather in Shenzhen city is hot today").is_empty
