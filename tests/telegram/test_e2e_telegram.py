"""End to end: the real python-telegram-bot Application, over HTTP, against the stand-in."""

from __future__ import annotations

from pathlib import Path

from standin_botapi import StandinBotAPI
from telegram_helpers import TOKEN, press, running_bot, say


async def test_pressing_the_first_button_of_every_menu_reaches_an_answer_card(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    user = api.user(1001, language_code="zh-hans")
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        menu = await say(api, user, "/start")
        assert "省份" in menu["text"]
        for _ in range(10):
            if "来源" in api.last_message(user.id)["text"]:
                break
            await press(api, user, api.last_message(user.id), index=0)
        card = api.last_message(user.id)
        assert card["text"].startswith("✅") or card["text"].startswith(("❌", "⚠️", "ℹ️"))
        assert "来源：" in card["text"] and "核实" in card["text"]
        labels = [text for text, _ in api.buttons(card)]
        assert "🔍 问另一项" in labels and "🔄 重新开始" in labels
        # The menu was edited in place: one message from the bot for the whole walk.
        assert len(api.messages(user.id)) == 1
        assert api.unanswered_callbacks() == []
        assert {c for c, _ in api.my_commands} >= {"", "en"} or api.my_commands


async def test_full_walk_with_chosen_answers_gives_the_expected_rule(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    user = api.user(1002, language_code="en")
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        await say(api, user, "/start")
        for label in (
            "Jilin",
            "Changchun",
            "Employee (in work)",
            "Medical care, medicines",
            "Outpatient visit",
            "Parents",
            "Same city (pooling area)",
        ):
            await press(api, user, api.last_message(user.id), button_text=label)
        card = api.last_message(user.id)["text"]
        assert "Source" in card
        assert "Changchun" in card


async def test_button_from_an_outdated_menu_gets_a_notice_and_the_current_question(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    user = api.user(1003)
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        old = await say(api, user, "/start")
        await press(api, user, old, button_text="北京")
        # The same message was edited; press its old button data again (as a slow client would).
        stale_data = api.buttons(old)[0][1]
        query = await press(api, user, api.last_message(user.id), data=stale_data)
        text = api.last_message(user.id)["text"]
        assert "过时" in text and "哪种医保" in text
        assert query in api.callback_answers


async def test_forged_button_data_is_answered_and_changes_nothing(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    user = api.user(1004)
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        menu = await say(api, user, "/start")
        for forged in ("x", "1004|0|p:999999", "1004|0|_nope", "💥" * 16, "1|2|3|4"):
            query = await press(api, user, menu, data=forged)
            assert query in api.callback_answers
        assert "省份" in api.last_message(user.id)["text"]


async def test_someone_elses_button_is_refused(api: StandinBotAPI, tmp_path: Path) -> None:
    owner, other = api.user(1005), api.user(1006)
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        menu = await say(api, owner, "/start")
        data = api.buttons(menu)[0][1]
        query = await press(api, other, menu, data=data, chat=owner.private_chat)
        assert "/ask" in api.callback_answers[query]["text"]
        assert "省份" in api.last_message(owner.id)["text"]


async def test_typed_text_selects_an_option_and_nonsense_gets_a_hint(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    user = api.user(1007)
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        await say(api, user, "/start")
        reply = await say(api, user, "吉林")
        assert "城市" in reply["text"]
        reply = await say(api, user, "🙂" * 3000)
        # Small talk mid-conversation: one line with an example, not the menu again.
        assert "直接打字" in reply["text"] and len(reply["text"].splitlines()) == 1
        assert api.buttons(reply) == []


async def test_cancel_and_help_and_unknown_command(api: StandinBotAPI, tmp_path: Path) -> None:
    user = api.user(1008)
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        await say(api, user, "/start")
        await say(api, user, "北京")
        assert "/start" in (await say(api, user, "/cancel"))["text"]
        assert "省份" in (await say(api, user, "/start"))["text"]
        assert "/restart" in (await say(api, user, "/help"))["text"]
        assert "/help" in (await say(api, user, "/frobnicate"))["text"]


async def test_session_survives_a_restart_of_the_application(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    user = api.user(1009)
    db = tmp_path / "bot.sqlite3"
    async with running_bot(api, db):
        menu = await say(api, user, "/start")
        await press(api, user, menu, button_text="北京")
    async with running_bot(api, db):
        await press(api, user, api.last_message(user.id), button_text="职工医保（在职）")
        assert "做什么" in api.last_message(user.id)["text"]


def test_token_is_what_the_stand_in_saw(api: StandinBotAPI) -> None:
    assert TOKEN.split(":")[0].isdigit()


async def test_a_typed_question_reaches_the_card_asking_only_what_is_missing(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    user = api.user(1010)
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        reply = await say(api, user, "我在长春，能用我的医保卡给我妈买流感疫苗吗？")
        assert "我理解的是" in reply["text"] and "长春" in reply["text"]
        asked = [reply["text"].splitlines()[-1]]
        while "来源" not in api.last_message(user.id)["text"]:
            menu = api.last_message(user.id)
            await press(api, user, menu, index=0)
            asked.append(api.last_message(user.id)["text"].splitlines()[-1])
        card = api.last_message(user.id)["text"]
        assert card.startswith("❌") and "长春" in card and "疫苗" in card and "父母" in card
        # Only insurance and the mother's scope were missing: two presses, not seven.
        assert len(asked) == 3, asked


async def test_typed_text_inside_the_menu_still_selects_options(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    user = api.user(1011)
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        await say(api, user, "/start")
        for text in ("北京", "退休", "看病、买药", "门诊看病"):
            await say(api, user, text)
        reply = await say(api, user, "我自己")
        assert "来源" in reply["text"] and "北京" in reply["text"]
