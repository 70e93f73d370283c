"""Updates of one user in order, different users in parallel.

python-telegram-bot processes updates one at a time by default, so every user waits for the
store write of everyone before them. This processor lets up to `max_concurrent_updates` run at
once while a user's own updates (a double tap, a message right after a press) still run in the
order Telegram sent them. A lock exists only while that user has an update in flight, so no
per-user state stays in memory.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.telegram.flood import REPLYING_TO
from bot.telegram.metrics import LATENCY, UPDATES, update_kind


def ordering_key(update: object) -> int | None:
    """Whose updates must not overtake each other: the user's, else the chat's."""
    if isinstance(update, Update):
        if update.effective_user is not None:
            return update.effective_user.id
        if update.effective_chat is not None:
            return update.effective_chat.id
    return None


class PerUserUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        # Calls made while handling this update are replies in its chat (see flood.py).
        chat = update.effective_chat if isinstance(update, Update) else None
        REPLYING_TO.set(chat.id if chat is not None else None)
        # Polling mode comes through here (the webhook calls process_update itself and counts
        # there), so /metrics has the same update counts and latencies in both modes.
        UPDATES.labels(update_kind(update)).inc()
        started = time.perf_counter()
        try:
            await self._in_order(update, coroutine)
        finally:
            LATENCY.observe(time.perf_counter() - started)

    async def _in_order(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = ordering_key(update)
        if key is None:
            await coroutine
            return
        lock, waiting = self._locks.get(key, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._locks[key] = (lock, waiting + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, waiting = self._locks[key]
            if waiting == 1:
                del self._locks[key]  # nothing about this user stays behind
            else:
                self._locks[key] = (lock, waiting - 1)

    @property
    def users_in_flight(self) -> int:
        return len(self._locks)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
