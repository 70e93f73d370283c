"""The reader on places (every division, shared names, whose place, scope), kinship words and
everyday English: issue #14's cases, each one a reading that once went wrong."""

from __future__ import annotations

import pytest

from bot.core.engine import Engine, Text
from bot.core.flow import OUTCOME, Flow
from bot.core.understand import Understander, Understanding


def read(reader: Understander, text: str) -> Understanding:
    return reader.understand(text)


# --- every division ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("常熟的医保个账能买药吗", "320581"),  # a county-level city
        ("义乌这边的个人账户", "330782"),
        ("I'm insured in Yiwu", "330782"),  # pinyin: 义乌市 before 伊吾县
        ("my insurance is in Nanjing", "320100"),  # 南京 before 南靖县
        ("景洪的医保", "532801"),
        # A name shared by an autonomous prefecture and its seat is the prefecture; the seat
        # needs its level word. A 地区's name is its seat city (喀什), the 地区 said in full.
        ("恩施的医保", "422800"),
        ("湖北恩施的，退休了，艾灸理疗馆能刷个账吗", "422800"),
        ("不是门诊，是去药店买药，用个账行不行，大理的", "532900"),
        ("I freelance in Dali and pay flexible employment insurance myself", "532900"),
        ("I'm insured in Chuxiong, can my account pay my wife's checkups", "532300"),
        ("臨夏的醫保個賬可以買藥嗎", "622900"),
        ("恩施市的医保", "422801"),
        ("云南大理市的医保个账", "532901"),
        ("喀什的个人账户能买创可贴吗", "653101"),
        ("喀什地区的医保", "653100"),
        ("昌江县能用个人账户买口罩吗", "469026"),  # the level word picks 海南's, not 景德镇's
        ("北京朝阳的医保", "110105"),  # 朝阳 without 区, confirmed by 北京
        ("长春朝阳区的医保", "220104"),
        ("Taizhou, Zhejiang - can I top up my account?", "331000"),
        ("浦东新区的个账", "310115"),
        ("哈尔滨的医保", "230100"),
        ("Harbin medical insurance", "230100"),
        ("伊宁的医保卡", "654002"),  # 伊宁市 by itself, 伊宁县 only in full
        ("Chaoyang District, Beijing - can I buy medicine with my account?", "110105"),
    ],
)
def test_any_division_is_a_place(reader: Understander, text: str, code: str) -> None:
    got = read(reader, text)
    assert got.region == code, got
    assert not got.regions


def test_a_county_gives_its_province_and_itself_as_the_city(reader: Understander) -> None:
    got = read(reader, "我医保在常熟交的")
    assert got.answers["province"] == "320000"
    assert got.answers["city"] == "320581"  # every division is an answer of the city question


@pytest.mark.parametrize(
    ("text", "candidates"),
    [
        ("I'm insured in Taizhou, can I top up my account?", ("321200", "331000")),
        ("朝阳区的医保个账能买药吗", ("110105", "220104")),
        ("通州的医保", ("110112", "320612")),
        ("Chaoyang District medical account, can I buy medicine", ("110105", "220104", "440513")),
    ],
)
def test_a_shared_name_is_asked_not_guessed(
    reader: Understander, text: str, candidates: tuple[str, ...]
) -> None:
    got = read(reader, text)
    assert got.region is None
    assert got.regions == candidates
    assert "province" in got.ambiguous or "city" in got.ambiguous


@pytest.mark.parametrize(
    "text", ["岳阳今天下雨没", "扬州早茶推荐一下", "Any good hotpot places in Chongqing?"]
)
def test_a_place_in_chat_fills_nothing(reader: Understander, text: str) -> None:
    got = read(reader, text)
    assert got.is_empty and got.region is None


@pytest.mark.parametrize("text", ["长春", "我在长春", "I'm in Changchun"])
def test_a_place_typed_alone_is_an_answer(reader: Understander, text: str) -> None:
    assert read(reader, text).region == "220100"


# --- whose place ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "region", "scope"),
    [
        ("给我妈买药，我医保在杭州，她医保在河北", "330100", "other_province"),
        ("我在景洪，老汉儿在宜宾老家参保的，我的个账能给他用不", "532801", "other_province"),
        ("我跟我老妈都是在芜湖交的医保，她能用我的个人账户吗", "340200", "same_area"),
        ("我在南宁，我爸医保在柳州，能帮他付住院费吗", "450100", "same_province"),
        (
            "I work in Nanjing and my wife's insurance is in Yangzhou, can she use my account?",
            "320100",
            "same_province",
        ),
        (
            "My wife can use my account? I'm insured in Wuxi and she's insured in Wuxi too",
            "320200",
            "same_area",
        ),
        ("我医保在万州，老汉儿医保在九龙坡，个账能给他用吗", "500101", "same_area"),
    ],
)
def test_whose_place_and_the_scope(
    reader: Understander, text: str, region: str, scope: str
) -> None:
    got = read(reader, text)
    assert got.region == region, got
    assert got.answers.get("scope") == scope, got


def test_a_relatives_place_alone_is_not_the_accounts(reader: Understander) -> None:
    got = read(
        reader, "My father-in-law is in hospital in Hefei, can I pay his bill from my account?"
    )
    assert got.region is None  # "is" is not "i": the place is the father-in-law's
    assert got.answers["relative"] == "other"
    assert got.answers["item"] == "inpatient"


def test_their_card_makes_their_place_the_accounts(reader: Understander) -> None:
    got = read(reader, "我老公医保在湖州，我在上海松江上班，我能用他的个账吗")
    assert got.region == "330500"
    # The money is for the speaker, not the husband whose account it is: no relative, and so
    # no scope (the labeling conventions: someone else's account used for oneself).
    assert "relative" not in got.answers and "scope" not in got.answers
    got = read(reader, "老公医保在石家庄，我在邯郸，他的个账能给我买药不")
    assert (got.region, got.answers.get("relative")) == ("130100", None)
    got = read(reader, "我老公在南宁交的医保，我和娃的医保在柳州，能用他的钱给娃看门诊不")
    assert got.region == "450100"
    assert (got.answers["relative"], got.answers["scope"]) == ("child", "same_province")


def test_ones_own_account_used_for_a_relative_keeps_the_relative(reader: Understander) -> None:
    got = read(reader, "老伴的个账用完了，能用我的给她买药吗")
    assert got.answers["relative"] == "spouse"


def test_their_own_account_makes_them_the_holder(reader: Understander) -> None:
    """Asked about a relative's own account, or for them: they are the account holder, so
    their place and scheme are the account's and no relative is given."""
    got = read(reader, "帮我爸问一下哈，他退休了医保在洛阳，卡里的钱年底会不会清零啊")
    assert (got.region, got.answers.get("insurance")) == ("410300", "retiree")
    assert "relative" not in got.answers
    got = read(reader, "我老豆喺順德退休，佢醫保卡入面啲錢可唔可以買血壓計？")
    assert got.region == "440606" and "relative" not in got.answers
    assert "relative" not in read(reader, "女儿去美国了，她的医保个人账户怎么办").answers
    # ... but asking for them with one's own account keeps them.
    got = read(reader, "帮我妈问一下，能不能用我的个账给她买药")
    assert got.answers["relative"] == "parent"


def test_a_move_leaves_the_accounts_place_open(reader: Understander) -> None:
    """A person moving from A to B: the account may be in either (the labeling conventions),
    so both are candidates and the bot asks."""
    got = read(reader, "从青岛换工作去杭州了，个人账户的钱能转过去吗")
    assert (got.region, set(got.regions)) == (None, {"370200", "330100"})
    assert got.ambiguous["province"] == ("330000", "370000")
    # Where the insurance was paid until now does not settle it: it may have moved already.
    for text, regions in (
        ("医保一直在青岛交，现在换工作去杭州了，个人账户的钱能转过去吗", {"370200", "330100"}),
        ("溧阳的医保关系要转到苏州去，个账余额会跟着转吗", {"320481", "320500"}),
        (
            "I've been insured in Wuxi for 5 years and now I'm moving to Beijing, transfer?",
            {"320200", "110000"},
        ),
        # A move verb says the move without the transfer item or "from".
        ("我係惠州嘅職工醫保，轉去廣西柳州返工，個賬餘額點處理", {"441300", "450200"}),
    ):
        got = read(reader, text)
        assert (got.region, set(got.regions)) == (None, regions), text
    # ... but one place said with a move verb is no move.
    assert read(reader, "搬到杭州三年了，医保也在杭州交，个账能买药吗").region == "330100"
    got = read(reader, "Transferring my social insurance from Shenyang to Chengdu, balance too?")
    assert set(got.regions) == {"210100", "510100"}
    got = read(
        reader, "Moving from Shenzhen to Chengdu for a new job, can I transfer my insurance?"
    )
    assert set(got.regions) == {"440300", "510100"}
    # Only where it goes: still open.
    got = read(reader, "離職了醫保要轉去成都，個人帳戶的錢會不會就沒了")
    assert got.region is None and got.ambiguous["province"] == ("510000",)
    # Going somewhere for care is no move; a relative one moves to is not who the money is for.
    assert read(reader, "保定的，要去北京住院，个账能用吗").region == "130600"
    got = read(reader, "攀枝花退休的，想把医保关系转到女儿那边去，她在昆明")
    assert got.region == "510400" and "relative" not in got.answers


def test_where_the_account_is_used_is_not_where_it_is(reader: Understander) -> None:
    got = read(reader, "住燕郊，医保在北京朝阳交的，个账在燕郊药店能刷吗")
    assert got.region == "110105"
    assert got.answers["item"] == "offsite_care"


def test_falling_ill_elsewhere_is_care_away_from_home(reader: Understander) -> None:
    got = read(reader, "昆明的医保，去大理玩的时候生病了能刷个账吗")
    assert got.region == "530100"
    assert got.answers["item"] == "offsite_care"


def test_a_denied_hometown_is_no_negation(reader: Understander) -> None:
    got = read(reader, "我唔系广东人，喺深圳返工，个账可以俾阿妈买药吗")
    assert got.region == "440300" and not got.negated


# --- kinship, scripts, everyday English -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "relative"),
    [
        ("能给老汉儿买药吗", "parent"),
        ("幺儿看门诊能刷个账吗", "child"),
        ("武汉的，伢要打流感疫苗，能刷个账不", "child"),
        ("細佬買藥可唔可以用我個賬戶", "sibling"),
        ("我喺江門，個人賬戶可唔可以俾我阿嫲買藥", "grandparent"),
        ("给外孙买药", "grandchild"),
        ("堂客买药能用我的个账吗", "spouse"),
        ("给公公买药", "other"),
        ("岳父住院能用我的个账吗", "other"),
        ("家公住院，可唔可以用我嘅醫保個人賬戶俾錢", "other"),
        ("我婆婆（我先生的媽媽）想用我的個人帳戶買藥", "other"),
        ("my parents-in-law need medicine, can I pay for it", "other"),
        ("pay for my mother in law's medicine", "other"),
        ("My step-mum lives with us, can she use my account for outpatient visits?", "parent"),
        ("my stepson needs a flu shot, can he use my account", "child"),
        ("给姪子買藥", "other"),
    ],
)
def test_kinship_words(reader: Understander, text: str, relative: str) -> None:
    got = read(reader, text)
    assert got.answers.get("relative") == relative, got


@pytest.mark.parametrize(
    ("text", "item"),
    [
        ("Can I top up my personal account?", "top_up"),
        ("can I cash out my medical account", "withdrawal"),
        ("Does my balance carry over to next year?", "balance_clearing"),
        ("does the balance reset at year end?", "balance_clearing"),
        ("Can the account cover back-pay for the months I missed?", "flexible_backpay"),
        ("I'm going to settle abroad, what happens to my medical account?", "emigration"),
        ("I'm moving jobs, what happens to my personal account?", "transfer"),
        ("can I buy meds for my mum with my account", "pharmacy_drugs"),
        ("個人帳戶的錢能提領現金嗎", "withdrawal"),  # 帳 read as 账
        ("個人帳戶可以自己儲值嗎", "top_up"),
        ("武漢的醫保個人帳戶可以繳長照險嗎", "ltc_premium"),
        ("个账的钱能取线吗 急用", "withdrawal"),  # a typo people make
    ],
)
def test_everyday_wording(reader: Understander, text: str, item: str) -> None:
    got = read(reader, text)
    assert got.answers.get("item") == item, got


def test_a_relatives_insurance_type_is_not_a_premium(reader: Understander) -> None:
    got = read(reader, "我奶奶在乡下交的新农合，我在东莞，个账能给她买药吗")
    assert got.answers["item"] == "pharmacy_drugs"
    assert "insurance" not in got.answers  # 新农合 is hers
    assert read(reader, "能给我奶奶交新农合吗").answers["item"] == "resident_premium"


def test_working_somewhere_does_not_state_the_insurance(reader: Understander) -> None:
    assert "insurance" not in read(reader, "江阴上班的 个账的钱能取现吗").answers
    assert read(reader, "上班的").answers == {"insurance": "employee"}  # typed as the answer
    assert read(reader, "单位给交的职工医保，个账能买药吗").answers["insurance"] == "employee"


# --- round 2: causes found on the first blind set ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "region", "scope"),
    [
        # A message opening with "X的，" says where the speaker is, over a relative's place said
        # with an insurance word later.
        ("南通的，能给我老婆用个账吗，她在苏州上班医保也在苏州", "320600", "same_province"),
        # "use his/her account": the card is theirs, so their place is the account's; the money
        # is for the speaker, so no relative and no scope.
        ("My wife is insured in Wuxi and I'm in Nanjing, can I use her account?", "320200", None),
        ("Can my wife use my account? We both work in Ningbo", "330200", "same_area"),
    ],
)
def test_who_speaks_first_and_whose_card(
    reader: Understander, text: str, region: str, scope: str | None
) -> None:
    got = read(reader, text)
    assert got.region == region, got
    assert got.answers.get("scope") == scope, got


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("My account is from Wuxi but I live in Hangzhou now", "320200"),
        ("I'm insured in Pu'er", "530800"),
        ("I'm in Jiangbei, Chongqing, can I top up my account?", "500000"),  # now 两江新区
        ("永康的，个人账户能存钱吗", "330784"),
        ("我在呼市上班，个账能买药吗", "150100"),
    ],
)
def test_more_place_names(reader: Understander, text: str, code: str) -> None:
    assert read(reader, text).region == code


def test_where_one_is_insured_is_not_a_premium_paid(reader: Understander) -> None:
    got = read(reader, "我在昆山交医保，女儿在杭州读书，医保也在杭州，她能用我的个账吗")
    assert "item" not in got.answers, got
    assert got.answers["scope"] == "other_province"
    # Where she studies alone is not where she is insured (the blind labels): no scope.
    got = read(reader, "我在昆山交医保，女儿在杭州读书，她能用我的个账吗")
    assert "item" not in got.answers and "scope" not in got.answers, got
    assert read(reader, "能帮我妈交医保吗").answers["item"] == "resident_premium"


@pytest.mark.parametrize(
    ("text", "relative"),
    [
        ("我爷老子住院了，能用我个账吗", "parent"),
        ("阿弟买药能用我的个账吗", "sibling"),
        ("屋头那个能用我个账买药不", "spouse"),
        ("阿婆住院能刷我的个账吗", "grandparent"),
        ("Can my MIL use my account for her meds?", "other"),
        ("can my grandkids use my account for a flu shot", "grandchild"),
    ],
)
def test_more_kinship_words(reader: Understander, text: str, relative: str) -> None:
    assert read(reader, text).answers.get("relative") == relative


def test_two_people_named_together_are_asked(reader: Understander) -> None:
    got = read(reader, "我自己和我女儿都想打疫苗，个账能用吗")
    assert set(got.ambiguous.get("relative", ())) == {"self", "child"}, got


@pytest.mark.parametrize(
    ("text", "item"),
    [
        ("个人账户每个月进多少钱", "check_balance"),
        ("个账余额年底清不清", "balance_clearing"),
        ("要去成都上班了，医保个账咋转", "transfer"),
        ("个账的钱能取吗", "withdrawal"),
        ("What happens to my medical account if I die?", "inheritance"),
        ("My medical account is empty, what now?", "balance_exhausted"),
        ("Will I lose the balance on December 31?", "balance_clearing"),
        ("Can my account pay for Huiminbao?", "commercial_health_insurance"),
        ("個人帳戶可以繳長期照護保險嗎", "ltc_premium"),
        ("個人帳戶能在藥局買口罩嗎", "medical_consumables"),  # 藥局 is where, 口罩 is what
        ("個人帳戶能買保健食品嗎", "health_supplements"),
        ("想去德国定居，个账的钱能带走吗", "emigration"),
    ],
)
def test_more_everyday_wording(reader: Understander, text: str, item: str) -> None:
    got = read(reader, text)
    assert got.answers.get("item") == item, got


def test_the_most_precise_city_option_is_the_answer(reader: Understander) -> None:
    """The county itself, not its prefecture: the engine then answers with the county's rules,
    else its prefecture's, else its province's."""
    assert read(reader, "我在三门县参保，能给我妈买药吗").answers["city"] == "331022"
    assert read(reader, "我在临海，能给我妈买药吗").answers["city"] == "331082"


def test_a_typed_county_is_answered_by_the_most_specific_rules(flow: Flow) -> None:
    """永吉县 has no rules of its own; 吉林市, its prefecture, has one on inheritance."""
    engine = Engine(flow)
    text = "永吉县的，单位交的职工医保，个账里的钱能继承吗"
    session = engine.step(engine.settle({}), Text(text)).session
    assert session.state == OUTCOME
    assert flow.region_of(session.answers) == "220221"
    outcome = engine.rules.outcome(session.answers)
    assert outcome.answered_by == "220200"
    assert [r.id for r in outcome.rules] == ["inheritance.jilin_city"]
    session = engine.step(engine.settle({}), Text("我在常熟，能给我妈买药吗")).session
    assert flow.region_of(session.answers) == "320581"


@pytest.mark.parametrize(
    "text",
    [
        "我和老公都在广东，但不在一个市，他能用我的个账吗",
        "我在广州，我妈也在广东，不在一个市，能用我个账吗",
        "My husband and I are insured in different cities in Jiangsu, can he use my account?",
    ],
)
def test_one_province_and_not_one_city_is_the_same_province(
    reader: Understander, text: str
) -> None:
    got = read(reader, text)
    assert got.answers.get("scope") == "same_province", got
    assert "scope" not in got.ambiguous


def test_one_province_alone_says_no_scope(reader: Understander) -> None:
    assert "scope" not in read(reader, "我和我妈都在广东，她能用我的个账吗").answers


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("I am in Guang zhou, can I use my account for a flu shot?", "440100"),
        ("I live in Guǎngzhōu, can I use my account for a flu shot?", "440100"),
        ("insured in Chang Chun, can my mom use my account?", "220100"),
        ("Lüliang here, can I top up my account?", "141100"),
        ("I'm insured in Ürümqi", "650100"),
    ],
)
def test_pinyin_apart_and_with_tones(reader: Understander, text: str, code: str) -> None:
    assert read(reader, text).region == code


def test_where_a_relative_is_insured_outweighs_where_they_live(reader: Understander) -> None:
    got = read(reader, "我在泉州，我弟也在泉州但医保在厦门，能用我个账吗")
    assert got.answers.get("scope") == "same_province", got


def test_a_relative_elsewhere_is_no_care_away(reader: Understander) -> None:
    got = read(reader, "我在杭州，儿子在外地上大学，医保也在外地，能用我个账吗")
    assert "item" not in got.answers and "category" not in got.answers, got
    assert set(got.ambiguous["scope"]) == {"same_province", "other_province"}


def test_a_province_and_its_capital_is_the_capital(reader: Understander) -> None:
    assert read(reader, "我在湖南长沙，我妈在湘潭，她能用我个账吗").region == "430100"


def test_there_too_said_of_a_relative_is_their_place(reader: Understander) -> None:
    got = read(reader, "我在昆明，女兒在大理讀書，醫保也在大理，可以用我的帳戶嗎")
    assert got.region == "530100", got
    assert got.answers["scope"] == "same_province"


def test_but_both_in_continues_the_pair(reader: Understander) -> None:
    got = read(reader, "我和老公不在同一個城市參保，但都在福建")
    assert got.answers.get("scope") == "same_province", got


def test_a_place_before_a_family_word_is_no_insured_place(reader: Understander) -> None:
    assert read(reader, "湖北的家庭共济可以跨省吗").answers["item"] == "family_binding"


@pytest.mark.parametrize(
    ("text", "slot", "value"),
    [
        ("can my son use my account for braces?", "item", "outpatient"),
        ("can I buy my baby's formula with my account?", "item", "health_supplements"),
        ("Can my mom use my account? We all live in Xiamen.", "scope", "same_area"),
    ],
)
def test_more_english(reader: Understander, text: str, slot: str, value: str) -> None:
    assert read(reader, text).answers.get(slot) == value


@pytest.mark.parametrize(
    "text",
    [
        "My fridge is empty, any recipe ideas?",
        "What formula should I use in Excel?",
        "Let's do shots tonight!",
        "I'm going to relocate my desk",
        "今天去超市买菜",
        "我的手机空了",
    ],
)
def test_everyday_words_in_chat_fill_nothing(reader: Understander, text: str) -> None:
    assert read(reader, text).is_empty


def test_everyday_words_about_the_account_still_count(reader: Understander) -> None:
    assert read(reader, "my medical account is empty").answers["item"] == "balance_exhausted"
    assert read(reader, "能用个账在超市买东西吗").answers["item"] == "health_supplements"


def test_a_clause_without_subject_continues_the_last_one(reader: Understander) -> None:
    got = read(reader, "医保个账里的钱可以帮我哥交医保吗，他是新农合，在河南")
    assert got.region is None, got  # 河南 is his
    assert got.answers["item"] == "resident_premium"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "We live in Hefei. Can my 5-year-old use my account for a vaccine?",
            {"relative": "child"},
        ),
        (
            "Can I pay my mum's premium with my account? She's in Sichuan.",
            {"item": "resident_premium", "relative": "parent"},
        ),
        (
            "I work in Hangzhou. Can I pay my parents' rural insurance with my account?",
            {"item": "resident_premium", "relative": "parent"},
        ),
    ],
)
def test_english_premiums_and_children(
    reader: Understander, text: str, expected: dict[str, str]
) -> None:
    got = read(reader, text)
    assert {k: got.answers.get(k) for k in expected} == expected, got


def test_a_relative_in_another_city_is_a_scope_not_care_away(reader: Understander) -> None:
    got = read(
        reader,
        "Can my wife use my account? She's insured in another city in Guangdong, I'm in Shenzhen.",
    )
    assert "item" not in got.answers and got.answers["scope"] == "same_province", got


@pytest.mark.parametrize(
    ("text", "slot", "value"),
    [
        ("我在深圳打工，保險在老家四川，能用個人帳戶嗎", "province", "510000"),
        ("老公在隔壁市，能用我个账买药吗", "scope", "same_province"),
        ("我在上海，我阿母在屏東，能用我醫保嗎", "relative", "parent"),
    ],
)
def test_hometown_insurance_and_neighbours(
    reader: Understander, text: str, slot: str, value: str
) -> None:
    assert read(reader, text).answers.get(slot) == value


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # A province after a comma only says which place: same person, same cue.
        (
            "My father died last month. He was insured in Guyuan, Ningxia and there's still 20k"
            " in his medical insurance personal account. Can the family get it?",
            "640400",
        ),
        ("I'm in Hangzhou, my dad is insured in Guyuan, Ningxia, can I buy his medicine", "330100"),
        (
            "My mum is insured in Taizhou, Jiangsu, I'm in Shanghai, can I buy her medicine",
            "310000",
        ),
    ],
)
def test_a_province_after_a_comma_qualifies_the_place_before(
    reader: Understander, text: str, code: str | None
) -> None:
    got = read(reader, text)
    assert got.region == code, got
    assert not got.regions


# --- travelling for care: the place one goes to or stays at is not the account's --------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("我医保在沈阳，冬天去三亚住几个月，在那边买药能刷个账吗", "210100"),
        ("在海南过冬，医保是长春的，这边看病能用个人账户吗", "220100"),
        ("退休在包头，去北海旅居半年，那边药店能刷卡不", "150200"),
        ("在三亚过冬，老头子要开药，个账能不能用 我俩都是哈尔滨退休的", "230100"),
        ("拉萨这边的医保个人账户能在内地用吗，我退休了要回四川养老", "540100"),
        ("我是退休的，住在广西北海，想去海南过冬，在三亚药店买药能刷北海的卡不", "450500"),
        ("我係大連退休嘅，冬天去海南過冬，喺嗰邊睇病可唔可以用個賬", "210200"),
        ("醫保喺廣州，去澳門藥房買藥個賬用得唔得", "440100"),
        ("我住澳門，但係喺珠海買咗醫保，個賬可以喺澳門藥房用嗎", "440400"),
        (
            "Insured in Harbin, spending the winter in Sanya, can I buy medicine at pharmacies there?",
            "230100",
        ),
        (
            "We're retirees from Chifeng, Inner Mongolia, wintering in Hainan, can we see doctors there using our personal account?",
            "150400",
        ),
        (
            "Insured in Shenzhen, can I use my personal account at pharmacies in Hong Kong?",
            "440300",
        ),
        # Going somewhere for care is no move of the account (moves.py asks about those).
        (
            "Going to Beijing for surgery next month, my insurance is from Jinan."
            " Can I use my personal account there?",
            "370100",
        ),
        (
            "Retired teacher from Harbin, wintering in Sanya. Can I use my yibao to buy meds there?",
            "230100",
        ),
        ("我在三亚过冬，个账能买药吗", None),  # away from wherever the account is
        ("要去北京住院，个账能用吗", None),
    ],
)
def test_travelling_for_care_is_offsite_and_not_the_region(
    reader: Understander, text: str, code: str | None
) -> None:
    got = read(reader, text)
    assert got.region == code, got
    assert got.answers["item"] == "offsite_care", got


@pytest.mark.parametrize(
    ("text", "code", "item"),
    [
        # A relative's place outside the mainland is theirs, not care away from the account.
        ("在深圳上班的台湾人，想帮在台湾的爸妈买药，医保卡能刷吗", "440300", "pharmacy_drugs"),
        # Going back to a place leaves it a candidate for the account's place.
        (
            "Returned to Quanzhou after 8 years abroad, how do I check my account balance",
            "350500",
            "check_balance",
        ),
        # A move is no care: "去深圳工作了" with a transfer stays a transfer.
        ("长春交的医保，我要去深圳工作了，个人账户余额咋转", None, "transfer"),
    ],
)
def test_going_somewhere_without_care_is_not_offsite(
    reader: Understander, text: str, code: str | None, item: str
) -> None:
    got = read(reader, text)
    if code is not None:
        assert got.region == code, got
    assert got.answers.get("item") == item, got


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # A question's 不/没 at a pause does not deny the place said after it.
        ("姐妹们 NT和四维能刷个账不 佛山的", "440600"),
        ("吃的钙片鱼油之类 个账能买不 沧州", "130900"),
        ("门诊挂号看病能刷个人账户不 我在太原", "140100"),
        ("医保卡能买血压计没 我是南宁的", "450100"),
    ],
)
def test_a_question_particle_before_a_pause_negates_nothing(
    reader: Understander, text: str, code: str
) -> None:
    got = read(reader, text)
    assert got.region == code, got
    assert not got.negated, got


def test_a_negation_right_before_a_place_still_denies_it(reader: Understander) -> None:
    got = read(reader, "我不在南京了，个账能买药吗")
    assert got.region is None


@pytest.mark.parametrize(
    ("text", "code", "scope"),
    [
        # A clause only about a relative, then where "the insurance" is: still the relative's.
        (
            "我妈七十多了，医保在余姚，我在宁波海曙，能用我的个账帮她交长护险吗",
            "330203",
            "same_area",
        ),
        (
            "我媽七十幾歲了，醫保在餘姚，我在寧波海曙，能不能用我的個賬幫她交長護險",
            "330203",
            "same_area",
        ),
        ("我爸身体不好，医保在信阳，我在郑州上班，个账能给他买药吗", "410100", "same_province"),
        (
            "奶奶八十了，医保是在绍兴交的，我在杭州，能用我个账给她买轮椅吗",
            "330100",
            "same_province",
        ),
    ],
)
def test_where_the_insurance_is_continues_the_relative_just_named(
    reader: Understander, text: str, code: str, scope: str
) -> None:
    got = read(reader, text)
    assert got.region == code, got
    assert got.answers["scope"] == scope, got


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # Where one comes from, said as the kind of person one is, is a hometown.
        ("在珠海打工的湖南妹子，单位交的医保，我想去打九价，个账能付不", "440400"),
        ("四川小伙在深圳上班，医保个账能买药吗", "440300"),
        ("湖南籍，在深圳交医保，个账能买药吗", "440300"),
        ("河南老乡在苏州交的社保，个账能取现吗", "320500"),
    ],
)
def test_a_hometown_said_as_who_one_is_is_not_the_account(
    reader: Understander, text: str, code: str
) -> None:
    got = read(reader, text)
    assert got.region == code, got
    assert not got.regions


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # English words between an insurance word and its place: still where the account is.
        (
            "my insurance is still back in Jiamusi, I live in Kunming now, can I buy medicine here",
            "230800",
        ),
        (
            "my yibao has always been registered in Wuxi, I live in Suzhou now, can I buy medicine here",
            "320200",
        ),
        (
            "Insurance was officially based in Lanzhou, I'm in Xi'an for work, can I use my personal account at a clinic here",
            "620100",
        ),
    ],
)
def test_english_words_between_insurance_and_its_place(
    reader: Understander, text: str, code: str
) -> None:
    got = read(reader, text)
    assert got.region == code, got
    assert got.answers.get("item") == "offsite_care", got


def test_also_the_same_scheme_is_not_the_same_place(reader: Understander) -> None:
    """ "我妈在阿克苏市也是职工医保": 也 says the same scheme; her place stays hers, and "阿克苏
    库车" is the 地区 with its county, whatever 阿克苏市 is said later."""
    got = read(
        reader,
        "我在阿克苏库车上班，单位交的医保，我妈在阿克苏市也是职工医保，能用我个账给她买降压药不",
    )
    assert got.region == "652902", got
    assert got.answers["scope"] == "same_area", got


def test_two_relatives_one_in_each_place_leave_the_speakers_own(reader: Understander) -> None:
    """ "阿爸阿媽一個喺廣州一個喺韶關，我喺廣州": the pair is the parents', not "one of us"."""
    got = read(reader, "我爸妈一个在广州参保一个在韶关参保，我在广州，能给他们买药吗")
    assert got.region == "440100" and got.answers["relative"] == "parent"
