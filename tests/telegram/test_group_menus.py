"""In a group, one live menu per member: a new /ask closes the member's previous menu."""

from __future__ import annotations

from pathlib import Path

from standin_botapi import StandinBotAPI, StandinUser
from telegram_helpers import calls_since, press, running_bot

GROUP = {"id": -1001234567777, "type": "supergroup", "title": "家人群"}
CLOSED = "这个菜单已关闭，请使用下面的新菜单。"


async def ask(api: StandinBotAPI, user: StandinUser, closes: int | None = None) -> dict:
    """/ask in the group; return the new menu (and wait until the menu `closes` is edited)."""
    mark = len(api.calls)
    api.send_text(user, "/ask", chat=GROUP)
    await api.wait_for_async(lambda a: calls_since(a, mark, "sendMessage"))
    if closes is not None:
        await api.wait_for_async(
            lambda a: any(
                p.get("message_id") == closes for _, p in calls_since(a, mark, "editMessageText")
            )
        )
    return api.messages(GROUP["id"])[-1]


def message(api: StandinBotAPI, message_id: int) -> dict:
    return next(m for m in api.messages(GROUP["id"]) if m["message_id"] == message_id)


async def test_a_second_ask_closes_the_first_menu_and_the_second_works(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    alice, bob = api.user(3101, "Alice"), api.user(3102, "Bob")
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        first = await ask(api, alice)
        bobs = await ask(api, bob)
        assert api.buttons(first) and api.buttons(bobs)
        second = await ask(api, alice, closes=first["message_id"])
        closed = message(api, first["message_id"])
        assert closed["text"] == CLOSED and not closed.get("reply_markup")
        # Bob's menu is his own: untouched.
        assert message(api, bobs["message_id"]) == bobs
        # The new menu works.
        await press(api, alice, second, button_text="吉林", chat=GROUP)
        assert "城市" in message(api, second["message_id"])["text"]
        # A third /ask closes the second menu, not Bob's.
        third = await ask(api, alice, closes=second["message_id"])
        assert message(api, second["message_id"])["text"] == CLOSED
        assert api.buttons(third) and message(api, bobs["message_id"]) == bobs


async def test_a_press_on_a_replaced_menu_gets_a_notice_and_changes_nothing(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    alice = api.user(3111, "Alice")
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        first = await ask(api, alice)
        # The old menu cannot be collapsed (Telegram refuses the edit): it keeps its buttons.
        api.fail_next("editMessageText", status=400, description="Bad Request: injected")
        second = await ask(api, alice, closes=first["message_id"])
        assert api.buttons(message(api, first["message_id"]))
        mark = len(api.calls)
        query = await press(api, alice, first, button_text="吉林", chat=GROUP, edits=False)
        assert api.callback_answers[query]["text"] == CLOSED
        assert not calls_since(api, mark, "editMessageText", "sendMessage")
        # Nothing was applied: the live menu still asks for the province, and works.
        await press(api, alice, second, button_text="上海", chat=GROUP)
        assert "上海" in message(api, second["message_id"])["text"]
        assert "省份" in message(api, first["message_id"])["text"]
