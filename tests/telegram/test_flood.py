"""The flood policy: per-chat and per-group pacing, the global cap, and 429s that hold back only
the chat they concern."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from standin_botapi import StandinBotAPI
from telegram_helpers import calls_since, running_bot, say

from bot.telegram.flood import REPLYING_TO, FloodLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_private_chat_gets_a_short_burst_then_one_message_a_second() -> None:
    clock = Clock()
    limiter = FloodLimiter(global_per_second=0, clock=clock)
    waits = [limiter.pace(7, "sendMessage", {}) for _ in range(5)]
    assert waits[:3] == [0, 0, 0]
    assert waits[3] == pytest.approx(1.0) and waits[4] == pytest.approx(2.0)
    assert limiter.pace(8, "sendMessage", {}) == 0  # another chat is not held back
    assert limiter.pace(7, "editMessageText", {}) == 0  # edits answer the user's own presses
    assert limiter.pace(7, "sendChatAction", {}) == 0
    clock.now += 10
    assert limiter.pace(7, "sendMessage", {}) == 0


def test_a_group_gets_twenty_messages_a_minute_edits_included() -> None:
    clock = Clock()
    limiter = FloodLimiter(global_per_second=0, clock=clock)
    waits = []
    for _ in range(21):
        waits.append(limiter.pace(-100, "editMessageText", {}))
        clock.now += 1.0  # one a second: the per-chat rate is kept, the group's is not
    assert waits[:20] == [0] * 20
    assert waits[20] > 0
    assert limiter.pace(-200, "sendMessage", {}) == 0


def test_idle_chats_leave_nothing_behind() -> None:
    clock = Clock()
    limiter = FloodLimiter(global_per_second=0, clock=clock)
    for chat in range(3000):
        limiter.pace(chat, "sendMessage", {})
        clock.now += 0.01
    assert len(limiter.chats) < 2100  # refilled buckets are swept as the table grows


async def test_a_reply_never_waits_behind_unrelated_chats() -> None:
    limiter = FloodLimiter(global_per_second=2)
    done: list[str] = []

    async def call(name: str) -> bool:
        done.append(name)
        return True

    async def send(chat: int, name: str, replying: bool) -> None:
        if replying:
            REPLYING_TO.set(chat)
        data: dict[str, Any] = {"chat_id": chat}
        await limiter.process_request(call, (name,), {}, "sendMessage", data, None)

    broadcasts = [asyncio.create_task(send(c, f"broadcast {c}", False)) for c in range(1, 6)]
    await asyncio.sleep(0)
    await asyncio.create_task(send(99, "reply", True))
    assert "broadcast 5" not in done  # the cap holds the broadcasts back, not the reply
    await asyncio.gather(*broadcasts)
    assert done[-1] == "broadcast 5"


async def test_a_429_in_one_chat_does_not_hold_back_another(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    """#16: after one chat got retry_after, another user's /help waited for it."""
    first, second = api.user(6201), api.user(6202)
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        await say(api, first, "/start")
        await say(api, second, "/start")
        mark = len(api.calls)
        api.fail_next("sendMessage", status=429, retry_after=3)
        api.send_text(first, "/help")
        await api.wait_for_async(lambda a: calls_since(a, mark, "sendMessage"))
        api.send_text(second, "/help")
        await api.wait_for_async(lambda a: len(calls_since(a, mark, "sendMessage")) == 3)
        chats = [int(p["chat_id"]) for _, p in calls_since(api, mark, "sendMessage")]
    # The first chat's retry comes after the second chat's reply, which did not wait for it.
    assert chats == [first.id, second.id, first.id]
