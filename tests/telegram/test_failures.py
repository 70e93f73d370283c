"""Telegram failing: 429, 'not modified', blocked, server errors and timeouts."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest
from standin_botapi import StandinBotAPI
from telegram_helpers import calls_since, press, running_bot, say

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and "
    "reply markup are exactly the same as a current content and reply markup"
)


def session_version(db: Path, user_id: int) -> int | None:
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT version FROM sessions WHERE user_id = ?", (user_id,)).fetchone()
    return row[0] if row else None


async def test_not_modified_is_quietly_accepted(api: StandinBotAPI, tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    user = api.user(6001)
    async with running_bot(api, db):
        menu = await say(api, user, "/start")
        api.fail_next("editMessageText", status=400, description=NOT_MODIFIED)
        mark = len(api.calls)
        query = api.press(user, menu, button_text="北京")
        await api.wait_for_async(lambda a: query in a.callback_answers)
        # The press is answered first; the (failing) edit comes after the committed write.
        await api.wait_for_async(lambda a: calls_since(a, mark, "editMessageText"))
        assert calls_since(api, mark, "sendMessage") == []  # no apology, no second menu
        assert session_version(db, user.id) == 2  # the answer was committed


async def test_blocked_user_is_forgotten_and_logged_once(
    api: StandinBotAPI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "bot.sqlite3"
    user = api.user(6002)
    caplog.set_level(logging.INFO, logger="bot")
    async with running_bot(api, db):
        await say(api, user, "/start")
        assert session_version(db, user.id) == 1
        api.fail_next(
            "sendMessage", status=403, description="Forbidden: bot was blocked by the user"
        )
        mark = len(api.calls)
        api.send_text(user, "/restart")
        await api.wait_for_async(lambda a: calls_since(a, mark, "sendMessage"))
        await api.wait_for_async(lambda a: session_version(db, user.id) is None)
    blocked = [r for r in caplog.records if "blocked" in r.getMessage()]
    assert len(blocked) == 1


async def test_server_errors_are_retried(api: StandinBotAPI, tmp_path: Path) -> None:
    user = api.user(6003)
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        menu = await say(api, user, "/start")
        api.fail_next("editMessageText", status=502, description="Bad Gateway", count=2)
        await press(api, user, menu, button_text="北京")
        await api.wait_for_async(lambda a: "哪种医保" in a.last_message(user.id)["text"])


async def test_a_timeout_is_retried_and_nothing_is_lost(api: StandinBotAPI, tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    user = api.user(6004)
    async with running_bot(api, db, http_timeout=0.5):
        menu = await say(api, user, "/start")
        api.delay_next("editMessageText", 1.0)
        query = api.press(user, menu, button_text="北京")
        await api.wait_for_async(lambda a: query in a.callback_answers, timeout=15)
        await api.wait_for_async(lambda a: "哪种医保" in a.last_message(user.id)["text"])
        assert session_version(db, user.id) == 2
        await press(api, user, api.last_message(user.id), button_text="职工医保（在职）")
        assert session_version(db, user.id) == 3


async def test_flood_429_on_answer_and_edit_is_survived(api: StandinBotAPI, tmp_path: Path) -> None:
    user = api.user(6005)
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        menu = await say(api, user, "/start")
        api.fail_next("editMessageText", status=429, retry_after=1)
        await press(api, user, menu, button_text="北京")
        await api.wait_for_async(
            lambda a: "哪种医保" in a.last_message(user.id)["text"], timeout=15
        )
