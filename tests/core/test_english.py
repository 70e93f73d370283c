"""English as expats and Chinese writers type it: place names typed alone, misspelt pinyin."""

from __future__ import annotations

import pytest

from bot.core.understand import Understander
from bot.core.understand.normal import without


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
def test_misspelt_places_are_known(reader: Understander, text: str, code: str) -> None:
    assert reader.understand(text).region == code


def test_a_slip_that_spells_another_place_is_that_place(reader: Understander) -> None:
    assert reader.understand("I'm in Cangzhou").region == "130900"  # 沧州, not 常州
    assert reader.understand("I'm in Changzou").region == "320400"


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
    reader: Understander, text: str, code: str
) -> None:
    assert reader.understand(text).region == code


def test_chat_about_a_place_is_still_chat(reader: Understander) -> None:
    assert reader.understand("the weather in Shenzhen city is hot today").is_empty


@pytest.mark.parametrize(
    "text",
    ["for my kid, not me: swimming class with the personal account ok?", "for my mom, not myself"],
)
def test_not_me_rules_the_speaker_out(reader: Understander, text: str) -> None:
    got = reader.understand(text)
    assert got.negated.get("relative") == ("self",)
    assert got.answers.get("relative") in ("child", "parent")


def test_asking_for_a_relative_about_their_account_makes_them_the_holder(
    reader: Understander,
) -> None:
    got = reader.understand(
        "moxibustion covered? asking for my dad, he's insured in Lanxi, Jinhua and would use"
        " his own account"
    )
    assert got.region == "330781" and "relative" not in got.answers
    # ... unless the speaker then pays with their own account
    got = reader.understand("asking for my dad, can I pay his meds with my account?")
    assert got.answers.get("relative") == "parent"


def test_a_relatives_yibao_paid_is_their_premium(reader: Understander) -> None:
    got = reader.understand("Can my personal account pay my mom's yibao?")
    assert got.answers.get("item") == "resident_premium"
    assert got.answers.get("relative") == "parent"


@pytest.mark.parametrize("text", ["I am in Hangzhou", "I am currently in Hangzhou"])
def test_i_am_in_a_place_is_an_answer(reader: Understander, text: str) -> None:
    assert reader.understand(text).region == "330100"
