"""The flood policy: how fast the bot may post, and what one 429 holds back.

Telegram's published limits (core.telegram.org/bots/faq): about one message a second in one chat
(short bursts are tolerated), 20 messages a minute in one group, and about 30 messages a second
across all chats for bulk notifications; with `allow_paid_broadcast` (paid in Stars) up to 1000
a second. PTB's `AIORateLimiter` applies the 30/s cap to every call that names a chat, so at 300
active users each reply queued behind everyone else's (p50 10 s), and a single 429 halted every
call of every chat until it expired. This limiter (PTB's `BaseRateLimiter` extension point):

- paces each chat: new messages 1/s with a burst of 3; in groups edits count too, and the group
  also has at most 20 in any minute. Always on. Edits in a private chat answer that user's own
  presses and are not paced.
- caps the bot as a whole at `FLOOD_GLOBAL_PER_SECOND` (default 30, Telegram's bulk limit; 0 =
  no cap; up to 1000 for bots that pay for broadcasts) — but a reply in the chat whose update is
  being handled only counts against the cap, it never waits for it: nobody's answer queues behind
  unrelated chats. Sends outside an update (broadcasts, jobs) wait for the cap.
- on a 429, backs off only the chat the refused call was for, for the `retry_after` Telegram gave,
  then retries; other chats carry on. A 429 for a call that names no chat can only concern the
  bot as a whole, so that one pauses every call.

Every step is O(1): a token bucket per chat kept only while it is not full again.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import logging
import time
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.constants import FloodLimit
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

# The chat whose update the current task is handling (set by the update processor).
REPLYING_TO: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "replying_to", default=None
)

CHAT_PER_SECOND = float(FloodLimit.MESSAGES_PER_SECOND_PER_CHAT)
CHAT_BURST = 3.0
GROUP_PER_MINUTE = int(FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP)
DEFAULT_GLOBAL_PER_SECOND = float(FloodLimit.MESSAGES_PER_SECOND)
PAID_PER_SECOND = float(FloodLimit.PAID_MESSAGES_PER_SECOND)
_NOT_POSTING = frozenset({"sendchataction", "sendinvoice"})

Callback = Callable[..., Coroutine[Any, Any, Any]]


class Bucket:
    """A token bucket that hands out reservations: `reserve` says how long to wait."""

    __slots__ = ("capacity", "rate", "stamp", "tokens")

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.stamp = now

    def _refill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def reserve(self, now: float) -> float:
        """Take a token; the seconds until it is really there (0: go now)."""
        self._refill(now)
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate

    def spend(self, now: float) -> None:
        """Count a call that does not wait (a reply): later broadcasts wait longer instead."""
        self._refill(now)
        self.tokens -= 1

    def idle(self, now: float) -> bool:
        return self.tokens + (now - self.stamp) * self.rate >= self.capacity


class Window:
    """At most `limit` calls in any `period` seconds (a group's 20 a minute, exactly: a token
    bucket of 20 refilling 20/min would let 40 through in the first minute)."""

    __slots__ = ("limit", "period", "times")

    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        self.times: deque[float] = deque()  # when each recent (or reserved) call goes out

    def reserve(self, now: float) -> float:
        times = self.times
        while times and times[0] <= now - self.period:
            times.popleft()
        at = now if len(times) < self.limit else max(now, times[-self.limit] + self.period)
        times.append(at)
        return at - now

    def idle(self, now: float) -> bool:
        return not self.times or self.times[-1] <= now - self.period


class Buckets:
    """One limiter per chat, dropped once it is idle again, so idle chats cost no memory."""

    def __init__(self, make: Callable[[float], Bucket | Window]) -> None:
        self._make = make
        self._buckets: dict[int | str, Bucket | Window] = {}
        self._prune_at = 1024

    def reserve(self, key: int | str, now: float) -> float:
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self._prune_at:
                self._prune(now)
            bucket = self._buckets[key] = self._make(now)
        return bucket.reserve(now)

    def _prune(self, now: float) -> None:
        # Amortised O(1): a sweep only after the table has doubled since the last one.
        self._buckets = {k: b for k, b in self._buckets.items() if not b.idle(now)}
        self._prune_at = max(1024, 2 * len(self._buckets))

    def __len__(self) -> int:
        return len(self._buckets)


def _chat_key(chat_id: object) -> int | str | None:
    if chat_id is None:
        return None
    if isinstance(chat_id, int):
        return chat_id
    text = str(chat_id)
    return int(text) if text.lstrip("-").isdigit() else text


def _is_group(chat: int | str) -> bool:
    return isinstance(chat, str) or chat < 0  # @username or a negative (group/channel) id


def _posts(endpoint: str) -> bool:
    name = endpoint.lower()
    if name in _NOT_POSTING:
        return False
    return name.startswith(("send", "copymessage", "forwardmessage"))


def _seconds(exc: RetryAfter) -> float:
    value = getattr(exc, "_retry_after", None)
    if value is None:
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


class FloodLimiter(BaseRateLimiter[int]):
    def __init__(
        self,
        global_per_second: float = DEFAULT_GLOBAL_PER_SECOND,
        max_retries: int = 3,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self._max_retries = max_retries
        now = clock()
        self._global = (
            Bucket(global_per_second, global_per_second, now) if global_per_second else None
        )
        self._paid = Bucket(PAID_PER_SECOND, PAID_PER_SECOND, now)
        self.chats = Buckets(lambda t: Bucket(CHAT_PER_SECOND, CHAT_BURST, t))
        self.groups = Buckets(lambda t: Window(GROUP_PER_MINUTE, 60.0))
        self.blocked: dict[int | str, float] = {}  # chat -> monotonic time its 429 ends
        self.blocked_all = 0.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def pace(self, chat: int | str | None, endpoint: str, data: dict[str, Any]) -> float:
        """Seconds this call must wait under the pacing rules (reserving its place)."""
        if chat is None:
            return 0.0
        group = _is_group(chat)
        if not (_posts(endpoint) or (group and endpoint.lower().startswith("edit"))):
            return 0.0
        now = self._clock()
        wait = self.chats.reserve(chat, now)
        if group:
            wait = max(wait, self.groups.reserve(chat, now))
        if data.get("allow_paid_broadcast"):
            wait = max(wait, self._paid.reserve(now))
        elif self._global is not None:
            if REPLYING_TO.get() == chat:
                self._global.spend(now)
            else:
                wait = max(wait, self._global.reserve(now))
        return wait

    async def _until_allowed(self, chat: int | str | None) -> None:
        """Wait out a 429 back-off that applies to this call (its chat's, or everyone's)."""
        while True:
            now = self._clock()
            until = self.blocked_all
            if chat is not None and chat in self.blocked:
                if self.blocked[chat] <= now:
                    del self.blocked[chat]
                else:
                    until = max(until, self.blocked[chat])
            if until <= now:
                return
            await asyncio.sleep(until - now)

    def back_off(self, chat: int | str | None, seconds: float) -> None:
        until = self._clock() + seconds
        if chat is None:
            self.blocked_all = max(self.blocked_all, until)
            return
        if len(self.blocked) >= 1024:  # forget back-offs that have ended
            now = self._clock()
            self.blocked = {k: t for k, t in self.blocked.items() if t > now}
        self.blocked[chat] = max(self.blocked.get(chat, 0.0), until)

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        chat = _chat_key(data.get("chat_id"))
        retries = self._max_retries if rate_limit_args is None else rate_limit_args
        attempt = 0
        while True:
            await self._until_allowed(chat)
            wait = self.pace(chat, endpoint, data)
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                # A 429 means Telegram refused the call: repeating it cannot post twice.
                seconds = _seconds(exc)
                self.back_off(chat, seconds)
                if attempt >= retries:
                    raise
                attempt += 1
                log.info(
                    "%s: flood limit for %s; retrying in %.0f s",
                    endpoint,
                    "this chat" if chat is not None else "the bot",
                    seconds,
                )
