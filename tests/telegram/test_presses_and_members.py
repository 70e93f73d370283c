"""Odd presses, other members' menus, membership changes and edits, end to end."""

from __future__ import annotations

import itertools
import sqlite3
import time
from pathlib import Path

import pytest
from standin_botapi import StandinBotAPI, StandinUser
from telegram_helpers import calls_since, press, running_bot, say

GROUP = {"id": -1001555000111, "type": "supergroup", "title": "家人群"}
ANONYMOUS_ADMIN_BOT = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "StandinBot"}
_ids = itertools.count(700_000)


def sessions(db: Path, chat_id: int) -> int:
    with sqlite3.connect(db) as conn:
        count = conn.execute("SELECT count(*) FROM sessions WHERE chat_id = ?", (chat_id,))
        result = count.fetchone()[0]
    conn.close()
    return int(result)


def chat_rows(db: Path, chat_id: int) -> int:
    with sqlite3.connect(db) as conn:
        result = conn.execute("SELECT count(*) FROM chats WHERE chat_id = ?", (chat_id,))
        count = result.fetchone()[0]
    conn.close()
    return int(count)


async def ask_in_group(api: StandinBotAPI, user: StandinUser, text: str = "/ask") -> dict:
    mark = len(api.calls)
    api.send_text(user, text, chat=GROUP)
    await api.wait_for_async(lambda a: calls_since(a, mark, "sendMessage"))
    return api.messages(GROUP["id"])[-1]


async def pressed(api: StandinBotAPI, user: StandinUser, menu: dict, data: str) -> dict:
    """Press `menu` with forged `data`; return the answer once the query is answered (and,
    as presses are answered before the work, once the menu was shown again, unless refused)."""
    mark = len(api.calls)
    query = api.press(user, menu, data=data)
    await api.wait_for_async(lambda a: query in a.callback_answers)
    if str(api.callback_answers[query].get("show_alert")).lower() != "true":
        await api.wait_for_async(lambda a: calls_since(a, mark, "editMessageText", "sendMessage"))
    return api.callback_answers[query]


@pytest.mark.parametrize("data", ["²|2|i:employee", "1001|①|x", "٣|1|p:110000", "7001|²|_back"])
async def test_unicode_digits_in_callback_data_are_answered(
    api: StandinBotAPI, tmp_path: Path, data: str
) -> None:
    user = api.user(7001)
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        menu = await say(api, user, "/start")
        await pressed(api, user, menu, data)
        # The bot is still well: the next press of the real button works.
        await press(api, user, api.last_message(user.id), button_text="北京")
        assert "哪种医保" in api.last_message(user.id)["text"]


@pytest.mark.parametrize("forged", ["x", "old:format", "{bob}|1|p:110000", "{bob}|0|!forget"])
async def test_a_press_by_someone_else_never_edits_the_owners_menu(
    api: StandinBotAPI, tmp_path: Path, forged: str
) -> None:
    alice, bob = api.user(7011, "Alice"), api.user(7012, "Bob")
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        menu = await ask_in_group(api, alice)
        before = dict(api.messages(GROUP["id"])[-1])
        mark = len(api.calls)
        answer = await pressed(api, bob, menu, forged.format(bob=bob.id))
        assert answer.get("text")  # Bob is told why nothing happened
        edits = [
            p
            for p in calls_since(api, mark, "editMessageText", "editMessageReplyMarkup")
            if int(p["message_id"]) == menu["message_id"]
        ]
        assert edits == []
        after = next(m for m in api.messages(GROUP["id"]) if m["message_id"] == menu["message_id"])
        assert after["text"] == before["text"]
        # Alice's menu still works for Alice.
        await press(api, alice, menu, button_text="北京", chat=GROUP)


async def test_an_anonymous_admin_can_use_ask_and_press_from_their_account(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    admin, member = api.user(7041), api.user(7042)
    api.set_member_status(GROUP["id"], admin.id, "administrator")
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        mark = len(api.calls)
        api.queue_update(
            {
                "message": {
                    "message_id": next(_ids),
                    "date": int(time.time()),
                    "chat": GROUP,
                    "from": ANONYMOUS_ADMIN_BOT,
                    "sender_chat": GROUP,
                    "text": "/ask",
                    "entities": [{"type": "bot_command", "offset": 0, "length": 4}],
                }
            }
        )
        await api.wait_for_async(lambda a: calls_since(a, mark, "sendMessage"))
        menu = api.messages(GROUP["id"])[-1]
        assert "省份" in menu["text"]
        # A member who is not an admin may not use it…
        query = api.press(member, menu, button_text="北京")
        await api.wait_for_async(lambda a: query in a.callback_answers)
        assert "/ask" in api.callback_answers[query]["text"]
        # …the admin pressing from their own account may.
        await press(api, admin, menu, button_text="北京", chat=GROUP)
        current = next(
            m for m in api.messages(GROUP["id"]) if m["message_id"] == menu["message_id"]
        )
        assert "哪种医保" in current["text"]


async def test_an_edited_message_is_not_taken_as_a_new_command(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    db = tmp_path / "bot.sqlite3"
    user = api.user(7051)
    async with running_bot(api, db):
        menu = await say(api, user, "/start")
        await press(api, user, menu, button_text="北京")
        mark = len(api.calls)
        for text in ("/cancel", "/restart", "长春"):
            api.queue_update(
                {
                    "edited_message": {
                        "message_id": next(_ids),
                        "date": int(time.time()),
                        "edit_date": int(time.time()),
                        "chat": user.private_chat(),
                        "from": user.as_dict(),
                        "text": text,
                        **(
                            {
                                "entities": [
                                    {"type": "bot_command", "offset": 0, "length": len(text)}
                                ]
                            }
                            if text.startswith("/")
                            else {}
                        ),
                    }
                }
            )
        reply = await say(api, user, "/help")  # the user's updates run in order
        assert "/forget" in reply["text"]
        assert len(calls_since(api, mark, "sendMessage")) == 1
        assert sessions(db, user.id) == 1
