"""First contact end to end: descriptions and command menus, /start and /help, the HTML card,
sharing, returning users, less noise, answering presses first, and "这个答案有误？"."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

from standin_botapi import StandinBotAPI, StandinUser
from telegram_helpers import calls_since, inline, press, running_bot, say

GROUP = {"id": -1009876543210, "type": "supergroup", "title": "一家人"}
PARENTS_PHARMACY = ("吉林", "长春", "职工医保（在职）", "看病、买药", "药店买药", "父母")
SAME_CITY = "和我同一个城市（统筹区）"


def labels(message: dict | None) -> list[str]:
    return [text for text, _ in StandinBotAPI.buttons(message)]


def button(message: dict, prefix: str) -> dict:
    rows = message["reply_markup"]["inline_keyboard"]
    return next(b for row in rows for b in row if b["text"].startswith(prefix))


async def walk(api: StandinBotAPI, user: StandinUser, *taps: str, chat: dict | None = None) -> int:
    """Press the buttons with these labels on the user's menu; return how many presses."""
    where = user.id if chat is None else chat["id"]
    for label in taps:
        menu = api.last_message(where)
        await press(api, user, menu, button_text=label)
    return len(taps)


def phone_lines(text: str, cells: int = 40) -> int:
    """Lines a phone shows: ~20 Chinese characters (two cells each) or ~40 Latin ones a line."""
    lines = 0
    for line in text.split("\n"):
        width = sum(2 if ord(ch) > 0x2E80 else 1 for ch in line)
        lines += max(1, -(-width // cells))
    return lines


def before_the_quote(message: dict) -> str:
    quote = next(e for e in message["entities"] if e["type"] == "expandable_blockquote")
    return message["text"].encode("utf-16-le")[: quote["offset"] * 2].decode("utf-16-le")


async def test_descriptions_and_command_menus_per_scope_and_language(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        await api.wait_for_async(lambda a: len(a.descriptions) >= 6)
        await api.wait_for_async(lambda a: len(a.my_commands) >= 12)
    assert "长春 给我妈买药" in api.descriptions[("description", "")]
    assert "@standin_bot" in api.descriptions[("description", "zh")]
    assert api.descriptions[("description", "en")].startswith("May the money")
    assert all(len(api.descriptions[("short_description", c)]) <= 120 for c in ("", "zh", "en"))

    def names(scope: str, code: str) -> list[str]:
        return [c["command"] for c in api.my_commands[(json.dumps({"type": scope}), code)]]

    private = ["start", "help", "language", "restart", "cancel", "forget"]
    assert names("all_private_chats", "") == names("default", "en") == private
    assert names("all_group_chats", "zh") == ["ask", "help", "settings"]
    assert names("all_chat_administrators", "en") == [
        "ask", "help", "settings", "setregion", "setlang", "quiet", "stats",
    ]  # fmt: skip
    english = api.my_commands[(json.dumps({"type": "all_group_chats"}), "en")]
    assert english[0]["description"] == "Open a menu of your own"


async def test_zh_hant_users_and_a_language_choice_get_their_own_command_menu(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    user = api.user(5101, language_code="zh-hant")
    own = (json.dumps({"type": "chat", "chat_id": user.id}, sort_keys=True), "")
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        await say(api, user, "/start")
        await api.wait_for_async(lambda a: own in a.my_commands)
        assert api.my_commands[own][0] == {"command": "start", "description": "開始提問"}
        choice = await say(api, user, "/language")
        shown = len(api.messages(user.id))
        await press(api, user, choice, button_text="English")
        await api.wait_for_async(lambda a: len(a.messages(user.id)) == shown + 1)  # the menu
        await api.wait_for_async(lambda a: a.my_commands[own][0]["description"] == "Ask a question")
        await press(api, user, await say(api, user, "/forget"), index=0)
        await api.wait_for_async(lambda a: own not in a.my_commands)


async def test_start_opens_with_what_it_does_an_example_and_quick_picks(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    user = api.user(5102)
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        menu = await say(api, user, "/start")
        lines = menu["text"].split("\n")
        assert "职工医保个人账户" in lines[0] and "长春 给我妈买药" in lines[1]
        assert "仅供参考" in lines[2] and "省份" in menu["text"]
        assert menu["parse_mode"] == "HTML" and menu["entities"][0]["type"] == "bold"
        assert labels(menu)[:5] == [
            "💊 药店买药",
            "🩺 门诊看病",
            "💉 疫苗",
            "📋 体检",
            "💴 取现、提现",
        ]
        assert "⬅️ 返回" not in labels(menu)  # nothing behind the first question
        help_text = (await say(api, user, "/help"))["text"]
        for part in ("/start", "长春 给我妈买药", "@standin_bot", "/ask", "/setregion"):
            assert part in help_text


async def test_the_card_is_html_and_its_link_gives_a_new_user_the_same_card(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    asker, newcomer = api.user(5103), api.user(5104, language_code="zh-hans")
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        await say(api, asker, "/start")
        await walk(api, asker, *PARENTS_PHARMACY, SAME_CITY)
        card = api.last_message(asker.id)
        assert card["parse_mode"] == "HTML"
        assert card["text"].startswith(("✅", "❌", "⚠️", "ℹ️"))
        assert card["entities"][0]["type"] == "bold"
        assert card["entities"][0]["offset"] == 0
        kinds = {e["type"] for e in card["entities"]}
        assert "expandable_blockquote" in kinds and "text_link" in kinds
        share = button(card, "📤")
        assert share["url"].startswith("https://t.me/standin_bot?start=")
        family = button(card, "👪")["switch_inline_query_chosen_chat"]
        assert family["query"] == share["url"].split("?start=")[1]
        assert "这个答案有误？" in labels(card) and "🔍 问另一项" in labels(card)
        # A forwarded card keeps its URL button: whoever opens it sees exactly this answer.
        opened = await say(api, newcomer, "/start " + share["url"].split("?start=")[1])
        assert opened["text"] == card["text"] and opened["entities"] == card["entities"]
        assert len(api.messages(newcomer.id)) == 1  # no question asked, no tap needed
        # "Send to family" fills in the same payload: inline mode answers with this card.
        answer = await inline(api, newcomer, family["query"])
        sent = answer["results"][0]["input_message_content"]["message_text"]
        assert sent.startswith("<b>") and "长春" in sent


async def test_typical_cards_show_their_buttons_within_15_phone_lines(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    """The most asked items, for oneself, in Changchun: what comes before the expandable part."""
    user = api.user(5105)
    counts = []
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        for item in ("pharmacy_drugs", "outpatient", "vaccine", "physical_exam", "withdrawal"):
            card = await say(api, user, f"/start c220100-iemployee-t{item}-rself-ssame_area")
            assert "来源：" not in before_the_quote(card)  # the sources are in the quote
            counts.append(phone_lines(before_the_quote(card)))
    print("phone lines before the expandable part:", counts)
    assert sorted(counts)[len(counts) // 2] <= 15, counts


async def test_a_returning_user_reaches_the_parents_pharmacy_card_in_four_taps(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    user = api.user(5106)
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        await say(api, user, "/start")
        first_time = await walk(api, user, *PARENTS_PHARMACY, SAME_CITY)
        assert first_time == 7
        # Next visit: /start (one tap in the menu), then three buttons.
        welcome = await say(api, user, "/start")
        assert "上次：吉林 · 长春 · 职工医保（在职）" in welcome["text"]
        assert labels(welcome)[:2] == ["✅ 沿用", "✏️ 更改"]
        taps = 1 + await walk(api, user, "💊 药店买药", "父母", SAME_CITY)
        card = api.last_message(user.id)
        assert "长春" in card["text"] and "父母" in card["text"] and "来源" in card["text"]
        print("taps to the parents' pharmacy card, returning user:", taps)
        assert taps <= 4
        # Keep goes on after the remembered answers; Change asks the province again.
        await say(api, user, "/start")
        await walk(api, user, "✅ 沿用")
        assert "做什么" in api.last_message(user.id)["text"]
        await say(api, user, "/restart")
        assert "省份" in api.last_message(user.id)["text"]


async def test_small_talk_and_stickers_get_one_line_not_the_card(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    user = api.user(5107)
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        first = await say(api, user, "你好")  # nothing going on yet: the intro
        assert "长春 给我妈买药" in first["text"]
        await walk(api, user, "📋 体检", "北京", "职工医保（在职）")
        messages = len(api.messages(user.id))
        hint = await say(api, user, "哈哈谢谢")
        assert "\n" not in hint["text"] and api.buttons(hint) == []
        mark = len(api.calls)
        api.queue_update(
            {
                "message": {
                    "message_id": 77,
                    "date": int(time.time()),
                    "chat": {"id": user.id, "type": "private", "first_name": "U"},
                    "from": user.as_dict(),
                    "sticker": {
                        "file_id": "s1",
                        "file_unique_id": "s1u",
                        "type": "regular",
                        "width": 512,
                        "height": 512,
                        "is_animated": False,
                        "is_video": False,
                    },
                }
            }
        )
        await api.wait_for_async(lambda a: calls_since(a, mark, "sendMessage"))
        sticker_hint = api.last_message(user.id)
        assert "文字和按钮" in sticker_hint["text"] and "\n" not in sticker_hint["text"]
        assert len(api.messages(user.id)) == messages + 2  # two lines, no card again


async def test_a_press_is_answered_before_the_edit_even_when_the_edit_waits(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    """In a busy group the edit waits for the group's 20/min budget; the spinner must not."""
    member = api.user(5108)
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        mark = len(api.calls)
        api.send_text(member, "/ask", chat=GROUP)
        await api.wait_for_async(lambda a: calls_since(a, mark, "sendMessage"))
        menu = api.last_message(GROUP["id"])
        api.delay_next("editMessageText", 3.0)
        mark = len(api.calls)
        query = api.press(member, menu, button_text="吉林")
        await api.wait_for_async(lambda a: query in a.callback_answers)
        answered = time.perf_counter()
        await api.wait_for_async(lambda a: calls_since(a, mark, "editMessageText"))
        methods = [
            m for m, _ in api.calls[mark:] if m in ("answerCallbackQuery", "editMessageText")
        ]
        assert methods[0] == "answerCallbackQuery", methods
        await api.wait_for_async(lambda a: "城市" in a.last_message(GROUP["id"])["text"], 10)
        print(f"edit arrived {time.perf_counter() - answered:.2f} s after the answer")


async def test_a_finished_group_menu_collapses_to_its_card(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    member = api.user(5109)
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        mark = len(api.calls)
        api.send_text(member, "/ask", chat=GROUP)
        await api.wait_for_async(lambda a: calls_since(a, mark, "sendMessage"))
        await walk(
            api, member, "北京", "职工医保（在职）", "预防、保健、美容健身", "体检", chat=GROUP
        )
        card = api.last_message(GROUP["id"])
        assert "来源" in card["text"]
        assert labels(card) == ["💬 私聊继续", "👪 发给家人", "这个答案有误？"]
        assert "?start=" in button(card, "💬")["url"]


async def test_this_answer_is_wrong_counts_per_answer_without_anyone_s_id(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    db = tmp_path / "bot.sqlite3"
    admin, user = api.user(5110), api.user(5111)
    api.set_member_status(GROUP["id"], admin.id, "administrator")
    async with running_bot(api, db):
        await say(api, user, "/start c220100-iemployee-tvaccine-rself")
        query = await press(
            api, user, api.last_message(user.id), button_text="这个答案有误？", edits=False
        )
        assert "谢谢" in api.callback_answers[query]["text"]
        mark = len(api.calls)
        api.send_text(admin, "/ask", chat=GROUP)
        await api.wait_for_async(lambda a: calls_since(a, mark, "sendMessage"))
        await walk(
            api, admin, "北京", "职工医保（在职）", "预防、保健、美容健身", "体检", chat=GROUP
        )
        card = api.last_message(GROUP["id"])
        await press(api, admin, card, button_text="这个答案有误？", edits=False)

        def counts() -> list[tuple[int, str, int]]:
            with sqlite3.connect(db) as conn:
                return conn.execute("SELECT chat_id, rule, count FROM feedback").fetchall()

        await api.wait_for_async(lambda a: len(counts()) == 2)
        assert {chat for chat, _, _ in counts()} == {0, GROUP["id"]}  # private: chat 0
        assert all((n == 1 and "vaccine" in r) or "exam" in r for _, r, n in counts())
        mark = len(api.calls)
        api.send_text(admin, "/stats", chat=GROUP)
        await api.wait_for_async(lambda a: calls_since(a, mark, "sendMessage"))
        assert "有1次有人点了“这个答案有误？”" in api.last_message(GROUP["id"])["text"]


async def test_texts_from_users_are_escaped_in_html(api: StandinBotAPI, tmp_path: Path) -> None:
    admin = api.user(5112)
    api.set_member_status(GROUP["id"], admin.id, "administrator")
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        mark = len(api.calls)
        api.send_text(admin, "/setregion <b>&nope", chat=GROUP)
        await api.wait_for_async(lambda a: calls_since(a, mark, "sendMessage"))
        reply = api.last_message(GROUP["id"])
        assert "<b>&nope" in reply["text"] and not reply.get("entities")


async def test_inline_mode_uses_the_remembered_place(api: StandinBotAPI, tmp_path: Path) -> None:
    user = api.user(5113)
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        await say(api, user, "/start c220100-iretiree-tphysical_exam")
        answer = await inline(api, user, "疫苗")
        card = answer["results"][0]
        assert "长春" in card["description"]
        assert "按你上次的选择" in card["input_message_content"]["message_text"]
