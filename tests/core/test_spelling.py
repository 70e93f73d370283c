"""Misspelt latin place names (bot/core/understand/spelling.py): the usual slips of every
province, prefecture and county-level city are read as that place, never as another one."""

from __future__ import annotations

import pytest
import yaml

from bot.core.divisions import load_divisions
from bot.core.flow import FLOWS_DIR
from bot.core.understand import Understander
from bot.core.understand.spelling import misspellings, slips


def test_the_usual_slips() -> None:
    assert set(slips("suzhou")) == {"suzou"}
    assert {"sijiazhuang", "shijiazuang", "sijiazuang"} <= set(slips("shijiazhuang"))
    assert "chendu" in slips("chengdu")  # a front nasal for a back one
    assert "tianjing" in slips("tianjin")  # ... and the other way round
    assert slips("xian") == ()  # too short to tell from other words
    assert misspellings("suzhou industrial park") == ("suzou industrial park",)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("I'm British, working in Suzou Industrial Park. how do I check my account?", "320500"),
        ("Im working in Shijiazuang, can my account pay my parents' premium?", "130100"),
        ("I'm in Kunmin, can I buy medicine with my personal account", "530100"),
        ("insured in Senyang, can I use the account at a pharmacy", "210100"),
        ("my yibao is from Zengzhou, can I buy a blood pressure monitor", "410100"),
        # A slip that spells another place is that place: Cangzhou is 沧州, not 常州.
        ("insured in Cangzhou, can I buy medicine", "130900"),
        ("insured in Changzhou, can I buy medicine", "320400"),
    ],
)
def test_a_misspelt_place_is_read(reader: Understander, text: str, code: str) -> None:
    got = reader.understand(text)
    assert got.region == code, got


def test_a_shared_name_misspelt_is_still_asked(reader: Understander) -> None:
    got = reader.understand("I'm insured in Suzou, can I buy medicine")
    assert got.region is None
    assert got.regions == ("320500", "341300")  # 苏州 or 宿州, as "Suzhou" is


def test_every_slip_of_a_prefecture_reads_as_its_right_spelling(reader: Understander) -> None:
    """Across all ~330 prefectures: a slip that is no other place's name gives what the right
    spelling gives, or nothing (a slip that is some other word), never a different place."""
    divisions = load_divisions()
    lexicon = yaml.safe_load((FLOWS_DIR / "lexicon.yaml").read_text(encoding="utf-8"))
    names = {d.pinyin for d in divisions} | {  # ... and the extra names (zhangjiang: 张江)
        str(w).casefold() for entry in lexicon["region_extra"] for w in entry["words"]
    }
    wrong = []
    for division in divisions:
        if division.level != "prefecture" or not division.pinyin.isalpha():
            continue
        right = reader.understand(f"insured in {division.pinyin}, can I buy medicine")
        for slip in set(misspellings(division.pinyin)) - names:
            got = reader.understand(f"insured in {slip}, can I buy medicine")
            if got.region is not None and (got.region, got.regions) != (
                right.region,
                right.regions,
            ):
                wrong.append((division.name, slip, got.region))
    assert not wrong
