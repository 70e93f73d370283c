"""Polling survives what Telegram (or something in between) may send: unreadable updates,
garbled answers, cut connections, and says so without anyone's message text in the log."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from standin_botapi import StandinBotAPI
from telegram_helpers import calls_since, running_bot, say

SECRET = "SECRET-家人的病情-4711"
POISONS: dict[str, dict[str, Any]] = {
    "chat without type": {
        "message": {"message_id": 1, "date": 0, "chat": {"id": 9}, "text": SECRET}
    },
    "message is a string": {"message": SECRET},
    "sender without name": {"callback_query": {"id": "1", "from": {"id": SECRET}}},
    "date out of range": {
        "message": {
            "message_id": 1,
            "date": 10**20,
            "chat": {"id": 9, "type": "private"},
            "text": SECRET,
        }
    },
}


def logged(caplog: pytest.LogCaptureFixture) -> str:
    formatter = logging.Formatter()
    lines = []
    for record in caplog.records:
        lines.append(record.getMessage())
        if record.exc_info:
            lines.append(formatter.formatException(record.exc_info))
    return "\n".join(lines)


@pytest.mark.parametrize("kind", sorted(POISONS))
async def test_a_poison_update_is_skipped_and_the_next_one_answered(
    api: StandinBotAPI, tmp_path: Path, caplog: pytest.LogCaptureFixture, kind: str
) -> None:
    caplog.set_level(logging.INFO)
    user = api.user(7001)
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        await say(api, user, "/start")
        mark = len(api.calls)
        poison = api.queue_update(POISONS[kind])
        api.send_text(user, "/help")
        await api.wait_for_async(lambda a: calls_since(a, mark, "sendMessage"), timeout=2)
        polls = len(calls_since(api, mark, "getUpdates"))
    print(f"{kind}: {polls} getUpdates calls until the next update was answered")
    assert polls < 10
    text = logged(caplog)
    assert SECRET not in text
    assert str(poison) in text  # the skipped update is named by its id


async def test_garbled_get_updates_answers_are_retried_with_backoff(
    api: StandinBotAPI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    user = api.user(7002)
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        await say(api, user, "/start")
        mark = len(api.calls)
        api.garble_next("getUpdates", b'{"ok": true, "result": {"x": "' + SECRET.encode() + b'"}}',
                        count=10_000)  # fmt: skip
        # Two seconds of garbage: without backoff that is hundreds of calls.
        with pytest.raises(AssertionError):
            await api.wait_for_async(lambda a: False, timeout=2)
        polls = len(calls_since(api, mark, "getUpdates"))
        api.clear_faults()
        await say(api, user, "/help")
    print(f"{polls} getUpdates calls during 2 s of garbled answers")
    assert polls < 10
    assert SECRET not in logged(caplog)


async def test_cut_connections_to_get_updates_are_survived(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    user = api.user(7003)
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        await say(api, user, "/start")
        api.drop_next("getUpdates", count=3)
        reply = await say(api, user, "/help")
    assert "/forget" in reply["text"]


async def test_a_bot_api_that_refuses_connections_for_a_while_is_survived(
    api: StandinBotAPI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    user = api.user(7004)
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        await say(api, user, "/start")
        api.refuse_connections(1.5)
        api.send_text(user, "/help")
        await api.wait_for_async(lambda a: "/forget" in a.last_message(user.id)["text"], 20)
    assert "Traceback" not in logged(caplog)
