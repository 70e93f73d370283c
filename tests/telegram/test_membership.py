"""The bot's own membership: blocked in a private chat, restricted or removed in a group."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from standin_botapi import StandinBotAPI, StandinUser
from telegram_helpers import calls_since, running_bot, say

GROUP = {"id": -1001555000222, "type": "supergroup", "title": "家人群"}
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "StandinBot"}


def count(db: Path, table: str, chat_id: int) -> int:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(f"SELECT count(*) FROM {table} WHERE chat_id = ?", (chat_id,))
        result = rows.fetchone()[0]
    conn.close()
    return int(result)


def sessions(db: Path, chat_id: int) -> int:
    return count(db, "sessions", chat_id)


def chat_rows(db: Path, chat_id: int) -> int:
    return count(db, "chats", chat_id)


async def ask_in_group(api: StandinBotAPI, user: StandinUser, text: str = "/ask") -> dict:
    mark = len(api.calls)
    api.send_text(user, text, chat=GROUP)
    await api.wait_for_async(lambda a: calls_since(a, mark, "sendMessage"))
    return api.messages(GROUP["id"])[-1]


def member_update(chat: dict, user: StandinUser, old: dict, new: dict) -> dict[str, Any]:
    return {
        "my_chat_member": {
            "chat": chat,
            "from": user.as_dict(),
            "date": int(time.time()),
            "old_chat_member": {"user": BOT_USER, **old},
            "new_chat_member": {"user": BOT_USER, **new},
        }
    }


async def test_blocking_the_bot_deletes_the_session(api: StandinBotAPI, tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    user = api.user(7021)
    async with running_bot(api, db):
        await say(api, user, "/start")
        assert sessions(db, user.id) == 1
        api.queue_update(
            member_update(
                user.private_chat(),
                user,
                {"status": "member"},
                {"status": "kicked", "until_date": 0},
            )
        )
        await api.wait_for_async(lambda a: sessions(db, user.id) == 0)


RESTRICTED = {
    "status": "restricted",
    "until_date": 0,
    **{
        f"can_{right}": False
        for right in (
            "send_messages",
            "send_audios",
            "send_documents",
            "send_photos",
            "send_videos",
            "send_video_notes",
            "send_voice_notes",
            "send_polls",
            "send_other_messages",
            "add_web_page_previews",
            "change_info",
            "invite_users",
            "pin_messages",
            "manage_topics",
            "edit_tag",
            "react_to_messages",
        )
    },
}


async def test_restricted_without_membership_counts_as_removed(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    db = tmp_path / "bot.sqlite3"
    admin = api.user(7031)
    api.set_member_status(GROUP["id"], admin.id, "administrator")
    async with running_bot(api, db):
        await ask_in_group(api, admin, "/setregion 上海")
        assert chat_rows(db, GROUP["id"]) == 1
        api.queue_update(
            member_update(GROUP, admin, {"status": "member"}, {**RESTRICTED, "is_member": False})
        )
        await api.wait_for_async(lambda a: chat_rows(db, GROUP["id"]) == 0)


async def test_restricted_but_still_a_member_keeps_the_group(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    db = tmp_path / "bot.sqlite3"
    admin = api.user(7032)
    api.set_member_status(GROUP["id"], admin.id, "administrator")
    async with running_bot(api, db):
        await ask_in_group(api, admin, "/setregion 上海")
        api.queue_update(
            member_update(GROUP, admin, {"status": "member"}, {**RESTRICTED, "is_member": True})
        )
        await api.wait_for_async(lambda a: a.pending_update_count == 0)
        settings = await ask_in_group(api, admin, "/settings")
        assert "上海" in settings["text"]
