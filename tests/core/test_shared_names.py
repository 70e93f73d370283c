"""A place name shared by several divisions (朝阳区, 白云区, "Fuzhou"): what in the message picks
one (bot/core/understand/shared.py), and what leaves the bot asking."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.flow import FLOWS_DIR, Flow
from bot.core.flowfile import FlowError
from bot.core.understand import Understander


@pytest.mark.parametrize(
    ("text", "region"),
    [
        # The dialect: only the candidate in its provinces.
        ("侬晓得伐医保个人账户里的钞票好拿出来伐，我是宝山退休的", "310113"),
        ("醫保個人帳戶可以幫老公買商業保險嗎？我哋兩個都喺白雲區參保", "440111"),
        # Another place of the same city; of the same province towards a well-known city.
        ("朝阳区的，我妈在海淀参保，个账能给她买药不", "110105"),
        ("My brother works in Xiamen and I'm in Fuzhou, can I pay his clinic visits?", "350100"),
        # Nobody means 三沙's 南沙区.
        ("南沙的医保个账能买药吗", "440115"),
    ],
)
def test_the_message_picks_a_shared_name(reader: Understander, text: str, region: str) -> None:
    assert reader.understand(text).region == region


@pytest.mark.parametrize(
    ("text", "regions"),
    [
        ("白云区的，个人账户能交长护险吗", {"440111", "520113"}),  # nothing picks one
        ("阿拉是普陀区的，个账好买药伐", {"310107", "330903"}),  # both speak Wu
        # Away from the city people think of first, or between equals: still asked.
        ("I'm in Suzhou, my parents are insured in Hefei", {"320500", "341300"}),
        ("Taizhou here, my mom is insured in Nanjing", {"321200", "331000"}),
        # Words of two dialects say nothing.
        ("侬好，我喺宝山区参保，个账好买药伐", {"230506", "310113"}),
    ],
)
def test_nothing_decisive_leaves_it_asked(
    reader: Understander, text: str, regions: set[str]
) -> None:
    got = reader.understand(text)
    assert (got.region, set(got.regions)) == (None, regions)


def test_shared_names_are_checked(flow: Flow, tmp_path: Path) -> None:
    text = (FLOWS_DIR / "lexicon.yaml").read_text(encoding="utf-8")
    assert '\n      provinces: ["440000", "450000"]\n' in text
    broken = text.replace(
        '\n      provinces: ["440000", "450000"]\n', '\n      provinces: ["440100"]\n'
    )
    path = tmp_path / "lexicon.yaml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(FlowError) as error:
        Understander(flow, path)
    assert "shared_names.dialects.cantonese: no province '440100'" in str(error.value)
