"""Who the money is for when a message names several relatives (understand/beneficiary.py)."""

from __future__ import annotations

import pytest

from bot.core.understand import Understander


@pytest.mark.parametrize(
    ("text", "relative"),
    [
        ("儿子儿媳都在外地上班，孙子跟我住，能用我的个账给孙子买药吗", "grandchild"),
        (
            "my son and his wife live in Nanchang, me too. can my account pay my son's hospital bill",
            "child",
        ),
        (
            "My dad is insured in Xining, my brother and I are in Lanzhou - can my account pay for Dad's physio?",
            "parent",
        ),
        ("我妈医保在邵阳，我在广州上班，能帮她交明年的居民医保吗，我弟说要回去交", "parent"),
        (
            "my wife and I both work in Shenzhen, can I use my account for her mom's medicine?",
            "other",
        ),
        (
            "I am grandma, retired in Luzhou, my grandson lives with me. Can my account pay his hospital stay?",
            "grandchild",
        ),
    ],
)
def test_the_one_the_money_is_for_is_chosen(reader: Understander, text: str, relative: str) -> None:
    got = reader.understand(text)
    assert got.answers.get("relative") == relative, got
    assert "relative" not in got.ambiguous


@pytest.mark.parametrize(
    "text",
    [
        "给我老婆或者我儿子买药",
        "南安的，我要给我爸和我岳父都买药，个账都能用吗",
        "给我爸妈还有我老婆买口罩",
        "我自己和我儿子都想打疫苗，个账能用吗",
        "我老公和我妈都在长春，能用个账吗",  # nobody marked: ask
        "孩子的奶奶住院了能用我的个账吗",  # the grandmother's stay, not the child's
    ],
)
def test_two_people_the_money_is_for_are_asked_about(reader: Understander, text: str) -> None:
    got = reader.understand(text)
    assert "relative" in got.ambiguous and "relative" not in got.answers, got
