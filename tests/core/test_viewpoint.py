"""Whose account it is, and who the money is for seen from the account holder (viewpoint.py,
owner.py): kin words said by the speaker are turned when the account is someone else's."""

from __future__ import annotations

import pytest

from bot.core.flow import Flow
from bot.core.understand import Understander
from bot.core.understand.viewpoint import turned


@pytest.mark.parametrize(
    ("text", "relative"),
    [
        # a spouse's account: the spouse's parents are the holder's parents, ours are theirs
        ("用老公的个账给婆婆买药可以吗", "parent"),
        ("用我老公嘅醫保卡俾家婆買藥得唔得", "parent"),
        ("婆婆在成都住院，她医保在南充，用老公的个账给她付住院费行不行", "parent"),
        ("我想用媳妇的个人账户给我妈买药", "other"),
        ("宝妈求助，娃打疫苗能用我老公的医保个账付吗", "child"),
        # a parent's account: the speaker's child is a grandchild; the side decides 奶奶
        ("用我妈的医保卡给我儿子买药行不", "grandchild"),
        ("my mum wants to use her medical account to pay for my son's flu shot", "grandchild"),
        ("外婆住院了，妈妈问能不能用她的医保给外婆付", "parent"),
        ("妈妈用她的卡给奶奶买药可以吗", "other"),
        # a child's or a sibling's account
        ("用儿子的医保卡给老伴买药可以不", "parent"),
        ("用我哥的个账给我爸买药可以吗", "parent"),
        # the speaker says they are the child's grandparent
        ("小孩摔了要去门诊缝针，我是孩子奶奶，用我的卡行不", "grandchild"),
    ],
)
def test_kin_is_seen_from_the_account_holder(
    reader: Understander, text: str, relative: str
) -> None:
    assert reader.understand(text).answers.get("relative") == relative


def test_a_pronoun_names_the_holder_not_the_one_paid_for(reader: Understander) -> None:
    # 他 is the husband, not the child just named; "his" is not the wife's.
    got = reader.understand("我老公在阜阳交的医保，我在阜阳带孩子，用他的个账给孩子看病可以吗")
    assert (got.region, got.answers.get("relative")) == ("341200", "child")
    got = reader.understand(
        "my MIL is in hospital in Nanning. Can my husband pay her share with his geren zhanghu?"
        " he works in Shenzhen and has yibao there"
    )
    assert (got.region, got.answers.get("relative")) == ("440300", "parent")
    got = reader.understand(
        "My father-in-law passed away in Taiyuan, he was retired there. My wife is asking who"
        " gets the money left in his personal account."
    )
    assert got.region == "140100" and "relative" not in got.answers


def test_only_turns_the_words_decide(flow: Flow) -> None:
    lexicon = Understander(flow).lexicon
    # a mother's account for a grandmother of unknown side: left as said
    assert turned("parent", "妈妈", "grandparent", "grandma", False, lexicon.grammar) is None
    assert turned("parent", "妈妈", "grandparent", "外婆", False, lexicon.grammar) == "parent"
    assert turned("spouse", "老公", "other", "朋友", False, lexicon.grammar) is None


@pytest.mark.parametrize(
    ("text", "scope", "region"),
    [
        # both insured in one place, "we" with the insurance named between
        ("我和我妹医保都在赣州，想用我个账给她交居民医保", "same_area", "360700"),
        ("俩人都是银川的医保，老婆产检能刷我个账吗", "same_area", "640100"),
        ("妹妹医保也是赣州的，能用我赣州的个账给她买药吗", "same_area", "360700"),
        # the holder and the one paid for, named together
        ("妈妈和外婆都是海口的医保，妈妈想用她的医保给外婆付住院的钱", "same_area", "460100"),
        # one in each place: compared with each other; the speaker's, when said, is the account's
        ("我和老公医保一个在温州一个在丽水，能绑家庭共济不", "same_province", None),
        (
            "我们两口子一个在宜宾一个在泸州交医保，宜宾那个是我，能用我个账给她买药不",
            "same_province",
            "511500",
        ),
        # 成都 is a place, not 都交医保 ("we all pay")
        ("我跟我爸一个在成都交医保一个在绵阳交，能给他买药吗", "same_province", None),
    ],
)
def test_where_the_relative_is_insured(
    reader: Understander, text: str, scope: str, region: str | None
) -> None:
    got = reader.understand(text)
    assert (got.answers.get("scope"), got.region) == (scope, region)
