"""The insurance slot: the account holder's own scheme, from how people say it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core import ids
from bot.core.flow import FLOWS_DIR, Flow
from bot.core.flowfile import FlowError
from bot.core.understand import Understander


@pytest.mark.parametrize(
    ("text", "insurance"),
    [
        # A relative's scheme in a clause naming no one right after them is theirs.
        ("孩子在南宁读书，学生医保在南宁，我在玉林交的职工医保，给孩子看牙能刷我的吗", "employee"),
        ("我爸在农村，新农合，我在成都交的职工医保，个账能给他买药吗", "employee"),
        ("老竇喺茂名鄉下，交緊新農合，我喺廣州白雲區打工，醫保可唔可以俾佢睇醫生用", None),
        ("阿爺喺梅州，醫保係梅州新農合，我喺東莞做嘢，個人賬戶俾佢交居民醫保得唔得", None),
        # ... but a clause about the card is the speaker's, and so is an English fragment.
        ("我爸住院了，个账是职工医保的，能给他用吗", "employee"),
        ("Can I give my account money to my parents? employee insurance in Yulin", "employee"),
        (
            "my dad is in Yuncheng (resident insurance) and my company pays, can my account pay",
            "employee",
        ),
        (
            "My parents live in Xi'an, both retired there. I'm employee insured, can I bind them",
            "employee",
        ),
        (
            "me in Nanjing and my husband in Hangzhou, both company insured. Can I bind him?",
            "employee",
        ),
        ("我爸妈在老家，都是新农合，我单位交的医保，个账能给他们买药吗", "employee"),
    ],
)
def test_whose_scheme(reader: Understander, text: str, insurance: str | None) -> None:
    assert reader.understand(text).answers.get(ids.INSURANCE) == insurance
    assert ids.INSURANCE not in reader.understand(text).ambiguous


@pytest.mark.parametrize(
    ("text", "insurance"),
    [
        ("我爸走了，他是在兰州退休的，个账里的钱能继承吗", "retiree"),
        ("老妈去世了，她是退休职工，医保卡里的钱怎么取出来", "retiree"),
        ("阿爷过咗身，佢系退休人员，医保卡啲钱点攞", "retiree"),
        (
            "My father passed away, he was a retired worker in Wuxi. Can the family get the balance?",
            "retiree",
        ),
        (
            "My mom died; she was on resident insurance. What happens to her account money?",
            "resident",
        ),
    ],
)
def test_a_dead_relatives_scheme_is_the_holders(
    reader: Understander, text: str, insurance: str
) -> None:
    """Who has died held the account (lexicon.yaml relative_is_holder): their scheme counts."""
    got = reader.understand(text)
    assert got.answers.get(ids.ITEM) == "inheritance"
    assert got.answers.get(ids.INSURANCE) == insurance


@pytest.mark.parametrize(
    ("text", "insurance"),
    [
        # An employer and a paying word with a place, a person or an adverb between them.
        ("我单位在渝北交的医保，个账能给我妈买药吗", "employee"),
        ("老公单位在营口交的医保，产检能用他个账吗", "employee"),
        ("公司帮我在苏州交医保，个账能买保健品吗", "employee"),
        ("單位有幫我買醫保，個賬可唔可以俾阿媽用", "employee"),
        ("公司每个月有交医保，个账能交我爸的居民医保吗", "employee"),
        (
            "my husband's company in Wuxi pays his yibao, can his account pay my clinic bill?",
            "employee",
        ),
        (
            "I work for a firm in Ordos and they pay my medical insurance, can I withdraw?",
            "employee",
        ),
        ("Company puts money into my medical account every month, can I take it out?", "employee"),
        # Working somewhere, paying for an item, a negation or an insurer say nothing.
        ("我在公司上班，个账能给我妈买药吗", None),
        ("公司楼下药店买药能刷个账吗", None),
        ("不是单位交的，是我自己交的灵活就业，个账能用吗", "flexible"),
        ("保险公司交的钱能进个账吗", None),
        ("my company doesn't pay my insurance, can I still use my account for my mom?", None),
    ],
)
def test_who_pays_says_the_scheme(reader: Understander, text: str, insurance: str | None) -> None:
    assert reader.understand(text).answers.get(ids.INSURANCE) == insurance


def test_paid_by_is_checked(flow: Flow, tmp_path: Path) -> None:
    text = (FLOWS_DIR / "lexicon.yaml").read_text(encoding="utf-8")
    assert "\npaid_by:\n  employee:\n" in text
    broken = text.replace("\npaid_by:\n  employee:\n", "\npaid_by:\n  employe:\n")
    path = tmp_path / "lexicon.yaml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(FlowError) as error:
        Understander(flow, path)
    assert "paid_by: no insurance option 'employe'" in str(error.value)


@pytest.mark.parametrize(
    ("text", "insurance"),
    [
        # A short aside between a relative and their scheme does not end the chain.
        (
            "My son (5) has resident insurance in Jinhua, I'm employee-insured, can I pay his visit?",
            "employee",
        ),
        ("我女儿（7岁）是少儿医保，我单位交的医保，个账能给她看病吗", "employee"),
        # 都/both after two people speaks of both, the account's owner too.
        ("我老公喺韶關，我喺河源，兩個都係職工醫保，佢嘅個賬可唔可以俾我睇醫生", "employee"),
        ("老婆在苏州我在无锡，都是职工医保，能用她的个账给我买药吗", "employee"),
        # Through one's job is the employees' insurance.
        (
            "My wife is insured through her job in Kunming. Can her account cover my doctor visits?",
            "employee",
        ),
        (
            "Pregnant and insured via work in Changzhi, can my account pay my prenatal visits",
            "employee",
        ),
        # A resident of a place and a premium product are not a scheme (CONVENTIONS.md).
        ("本人为在北京工作的香港居民，以后打算返香港定居，医保个人账户怎么办", None),
        (
            "can the personal account pay the employee critical illness insurance (zhigong dabing)?",
            None,
        ),
    ],
)
def test_schemes_said_in_passing(reader: Understander, text: str, insurance: str | None) -> None:
    assert reader.understand(text).answers.get(ids.INSURANCE) == insurance
