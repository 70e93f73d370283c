"""The engine: walking, skipping, Back, changing answers, typed text, deep links."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.engine import Answer, Engine, Nav, Show, Start, Text
from bot.core.flow import OUTCOME
from bot.core.session import Session
from bot.core.view import View
from bot.render.text import Renderer, Reply

ZH = "zh_Hans"


def reply_of(engine: Engine, view: View, locale: str = ZH) -> Reply:
    """The view as the console and Telegram show it."""
    return Renderer(engine.flow).render(view, locale)


def answer_all(engine: Engine, *pairs: tuple[str, str]) -> Session:
    session = engine.new_session()
    for question, option in pairs:
        assert session.state == question, (session.state, question)
        step = engine.step(session, Answer(question, option))
        assert step.changed
        session = step.session
    return session


FULL = (
    ("province", "220000"),
    ("city", "220100"),
    ("insurance", "employee"),
    ("category", "care"),
    ("item", "outpatient"),
    ("relative", "parent"),
    ("scope", "same_province"),
)


def test_full_walk_reaches_a_card_with_source_and_verify_note(engine: Engine) -> None:
    session = answer_all(engine, *FULL)
    assert session.state == OUTCOME
    reply = reply_of(engine, engine.step(session, Show()).view)
    assert reply.kind == "outcome"
    assert reply.verdict in {"allowed", "conditional", "not_allowed", "info"}
    assert "来源：" in reply.text and "核实" in reply.text
    assert {b.code for b in reply.buttons} >= {"_item", "_person", "_region", "_restart"}


def test_province_without_cities_skips_city_question(engine: Engine) -> None:
    session = answer_all(engine, ("province", "110000"))
    assert session.state == "insurance"


def test_resident_insurance_skips_straight_to_the_card(engine: Engine) -> None:
    session = answer_all(engine, ("province", "110000"), ("insurance", "resident"))
    assert session.state == OUTCOME
    assert engine.rules.outcome(session.answers).verdict == "info"  # no account: no yes/no


def test_person_independent_item_skips_relative_and_scope(engine: Engine) -> None:
    session = answer_all(
        engine,
        ("province", "110000"),
        ("insurance", "employee"),
        ("category", "money"),
        ("item", "top_up"),
    )
    assert session.state == OUTCOME
    assert "relative" not in session.answers


def test_self_skips_scope(engine: Engine) -> None:
    session = answer_all(engine, *FULL[:5], ("relative", "self"))
    assert session.state == OUTCOME and "scope" not in session.answers


def test_item_options_follow_the_category(engine: Engine) -> None:
    session = answer_all(
        engine, ("province", "110000"), ("insurance", "employee"), ("category", "money")
    )
    codes = {b.code for b in reply_of(engine, engine.step(session, Show()).view, ZH).buttons}
    assert "item:top_up" in codes and "item:outpatient" not in codes


def test_back_undoes_exactly_the_last_answer(engine: Engine) -> None:
    session = answer_all(engine, *FULL)
    step = engine.step(session, Nav("back"))
    assert step.session.state == "scope"
    assert "scope" not in step.session.answers
    assert step.session.answers["relative"] == "parent"
    step = engine.step(step.session, Nav("back"))
    assert step.session.state == "relative"


def test_back_on_the_first_question_changes_nothing(engine: Engine) -> None:
    step = engine.step(engine.new_session(), Nav("back"))
    assert not step.changed and step.session.state == "province"


def test_change_person_keeps_region_and_item(engine: Engine) -> None:
    session = answer_all(engine, *FULL)
    step = engine.step(session, Nav("person"))
    assert step.session.state == "relative"
    assert step.session.answers["item"] == "outpatient"
    step = engine.step(step.session, Answer("relative", "self"))
    assert step.session.state == OUTCOME  # the item is remembered, nothing more to ask


def test_change_item_keeps_person_and_asks_it_again_only_if_dropped(engine: Engine) -> None:
    session = answer_all(engine, *FULL)
    step = engine.step(session, Nav("item"))
    assert step.session.state == "category"
    assert step.session.answers["relative"] == "parent"
    step = engine.step(step.session, Answer("category", "prevention"))
    step = engine.step(step.session, Answer("item", "vaccine"))
    assert step.session.state == OUTCOME
    assert step.session.answers["scope"] == "same_province"


def test_change_region_then_answer_goes_straight_back_to_the_card(engine: Engine) -> None:
    session = answer_all(engine, *FULL)
    step = engine.step(session, Nav("region"))
    assert step.session.state == "province"
    step = engine.step(step.session, Answer("province", "110000"))
    assert step.session.state == OUTCOME and "city" not in step.session.answers


def test_restart_forgets_everything(engine: Engine) -> None:
    step = engine.step(answer_all(engine, *FULL), Nav("restart"))
    assert step.session.state == "province" and step.session.answers == {}


def test_answer_for_another_question_is_stale_and_changes_nothing(engine: Engine) -> None:
    session = answer_all(engine, ("province", "110000"))
    step = engine.step(session, Answer("item", "vaccine"))
    assert not step.changed and step.session.answers == session.answers
    assert "过时" in reply_of(engine, step.view).text


def test_invisible_option_is_refused(engine: Engine) -> None:
    session = answer_all(engine, ("province", "110000"))
    step = engine.step(session, Answer("insurance", "no_such"))
    assert not step.changed


def test_typed_label_alias_and_other_script_select_options(engine: Engine) -> None:
    session = engine.new_session()
    step = engine.step(session, Text("吉林"))
    assert step.session.answers == {"province": "220000"}
    step = engine.step(step.session, Text("長春"))
    assert step.session.answers["city"] == "220100"
    step = engine.step(step.session, Text("退休"))
    assert step.session.answers["insurance"] == "retiree"
    step = engine.step(step.session, Text("返回"))
    assert step.session.state == "insurance"


def test_unknown_text_changes_nothing_and_says_so(engine: Engine) -> None:
    session = engine.new_session()
    step = engine.step(session, Text("今天天气怎么样" * 1000))
    assert not step.changed and "没看懂" in reply_of(engine, step.view).text


def test_deep_link_prefills_answers_and_implied_category(engine: Engine) -> None:
    step = engine.step(engine.new_session(), Start("p220000-c220100-iemployee-tvaccine"))
    assert step.session.answers["category"] == "prevention"
    assert step.session.state == "relative"
    step = engine.step(engine.new_session(), Start("zzz-p220000"))
    assert step.session.answers == {"province": "220000"}
    assert "无法识别" in reply_of(engine, step.view).text


def test_payload_round_trips(engine: Engine) -> None:
    session = answer_all(engine, *FULL)
    answers, bad = engine.parse_payload(engine.payload_for(session.answers))
    assert not bad and answers == session.answers


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 10_000), min_size=8, max_size=8))
def test_every_answer_fits_a_start_link_and_reproduces_the_same_card(
    engine: Engine, picks: list[int]
) -> None:
    """A shared link must bring its opener to exactly this card: within Telegram's 64
    characters of [A-Za-z0-9_-], for the longest ids too (short codes when needed)."""
    session = engine.new_session()
    for pick in picks:
        if session.state == OUTCOME:
            break
        options = engine.flow.question(session.state).visible_options(session.answers)
        answer = Answer(session.state, options[pick % len(options)].id)
        session = engine.step(session, answer).session
    payload = engine.payload_for(session.answers)
    assert len(payload) <= 64 and all(c.isascii() and (c.isalnum() or c in "_-") for c in payload)
    answers, bad = engine.parse_payload(payload)
    assert not bad
    assert engine.settle(answers).answers == session.answers


def test_long_answers_use_short_codes_and_full_ids_still_read(engine: Engine) -> None:
    answers = {
        "province": "220000", "city": "220100", "insurance": "employee", "category": "care",
        "item": "medical_consumables", "relative": "grandchild", "scope": "other_province",
    }  # fmt: skip
    payload = engine.payload_for(answers)
    assert len(payload) <= 64 and payload.startswith("c220100-")
    assert engine.parse_payload(payload) == (answers, False)
    full = engine.payload_for(answers, limit=999)
    assert "tmedical_consumables" in full and engine.parse_payload(full) == (answers, False)


def test_english_card_has_no_chinese_ui_words(engine: Engine) -> None:
    session = answer_all(engine, *FULL)
    text = reply_of(engine, engine.step(session, Show()).view, "en").text
    assert "Source" in text
    assert "来源" not in text and "条件" not in text


events = st.one_of(
    st.builds(Nav, st.sampled_from(["back", "restart", "item", "person", "region", "bogus"])),
    st.builds(Text, st.text(max_size=30)),
    st.tuples(st.integers(0, 40)).map(lambda t: ("pick", t[0])),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(events, max_size=25))
def test_any_sequence_of_events_keeps_the_session_consistent(engine: Engine, seq) -> None:
    session = engine.new_session()
    for event in seq:
        if isinstance(event, tuple):  # press the n-th visible button of the current reply
            buttons = reply_of(engine, engine.view(session)).buttons
            code = buttons[event[1] % len(buttons)].code
            event = Nav(code[1:]) if code.startswith("_") else Answer(*code.split(":", 1))
        step = engine.step(session, event)
        assert len(reply_of(engine, step.view).text) <= 4096
        session = Session.loads(step.session.dumps(), step.session.version)
        # The stored state is always what replaying the answers gives.
        replay = engine.settle(session.answers)
        assert (replay.state, replay.answers) == (session.state, session.answers)


def test_every_button_fits_telegrams_64_bytes_for_any_user(engine: Engine) -> None:
    """Worst case: a 52-bit user id (16 digits) and a version in the billions."""
    from bot.telegram.common import ButtonData

    longest = max(
        (f"{q.code}:{o.id}" for q in engine.flow.questions for o in q.options),
        key=lambda a: len(a.encode()),
    )
    data = ButtonData(2**52, 9_999_999_999, longest).encode()
    assert len(data.encode()) <= 64, data
    assert ButtonData.decode(data) == ButtonData(2**52, 9_999_999_999, longest)


def test_a_single_uncertain_place_is_not_called_several_options(engine: Engine) -> None:
    """医保要转去成都: the place one moves to may not be where the account is, so the bot
    asks, but it names the one place it saw instead of speaking of several options."""
    step = engine.step(engine.new_session(), Text("離職了醫保要轉去成都"))
    assert step.view.understood is not None
    for locale, several, place in (
        ("zh_Hans", "几个选项", "四川"),
        ("zh_Hant", "幾個選項", "四川"),
        ("en", "several options", "Sichuan"),
    ):
        text = reply_of(engine, step.view, locale).text
        assert several not in text and place in text, text
    two = engine.step(engine.new_session(), Text("从深圳换工作到杭州，医保怎么转"))
    assert "几个选项" in reply_of(engine, two.view).text


def test_a_category_said_without_its_item_asks_the_item_without_naming_options(
    engine: Engine,
) -> None:
    """ "我妈身体不舒服，能用我的医保卡吗": care, the item still open (the reader reports it
    ambiguous with no candidates); the bot asks the item question and does not speak of
    options the message never named."""
    step = engine.step(engine.new_session(), Text("我在长春，我妈身体不舒服，能用我的医保卡吗"))
    assert step.view.understood is not None
    assert step.view.understood.ambiguous.get("item") == ()
    assert step.session.answers.get("category") == "care"
    assert "item" not in step.session.answers
    for locale, several in (
        ("zh_Hans", "几个选项"),
        ("zh_Hant", "幾個選項"),
        ("en", "several options"),
    ):
        text = reply_of(engine, step.view, locale).text
        assert several not in text and "：。" not in text, text
