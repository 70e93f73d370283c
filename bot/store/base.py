"""What every store offers: the interface the adapters use and the small records it returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

DEFAULT_URL = "sqlite:///data/bot.sqlite3"
STATS_KEEP_DAYS = 31
# "This answer is wrong" counts are read by the operator, who may look only now and then.
FEEDBACK_KEEP_DAYS = 366
# Feedback from private chats is counted under this chat id, so no user id is ever stored.
PRIVATE_FEEDBACK_CHAT = 0


class StoreUnavailable(Exception):
    """The database cannot be used at all (read-only, unreachable): say so and stop."""


@dataclass(frozen=True)
class ChatSettings:
    region: str | None = None
    locale: str | None = None
    quiet: bool = False


@dataclass(frozen=True)
class Loaded:
    """Everything one update needs, read in one round trip."""

    data: str | None  # the session, or None when absent or expired
    version: int  # 0 when there is no live session
    user_locale: str | None
    chat: ChatSettings
    # The user's last place and insurance as a start payload ("p220000-c220100-iemployee"),
    # offered again on their next question; None when nothing is remembered.
    remembered: str | None = None


class Store(Protocol):
    # The exceptions that mean "the database failed" (not a bug): the update may work later.
    failures: tuple[type[BaseException], ...]

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def load(self, chat_id: int, user_id: int) -> Loaded: ...

    async def save(self, chat_id: int, user_id: int, data: str, expected: int) -> int | None:
        """Store `data` if the stored version is still `expected` (0: no live row).

        Returns the new version, or None when someone else wrote first.
        """

    async def delete(self, chat_id: int, user_id: int) -> None: ...

    async def set_user_locale(self, user_id: int, locale: str | None) -> None: ...

    async def remember(self, user_id: int, answers: str | None) -> None:
        """Keep (or with None, drop) the user's last place and insurance for their next visit."""

    async def chat_settings(self, chat_id: int) -> ChatSettings: ...

    async def update_chat(self, chat_id: int, **fields: object) -> ChatSettings:
        """Change some of region, locale, quiet; returns the settings after the change."""

    async def move_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: its settings, sessions and statistics follow."""

    async def delete_chat(self, chat_id: int) -> None: ...

    async def forget_user(self, user_id: int) -> None:
        """Delete every row about the user: sessions in every chat, their language and the
        place and insurance remembered for them."""

    async def count_verdict(self, chat_id: int, verdict: str) -> None: ...

    async def verdict_counts(self, chat_id: int, days: int) -> dict[str, int]: ...

    async def ping(self) -> None:
        """Raise unless the store can be read and written right now (for /healthz)."""

    async def count_feedback(self, chat_id: int, rule: str) -> None:
        """One "this answer is wrong" press for a rule: a count, no text and no user id."""

    async def feedback_counts(self, chat_id: int | None, days: int) -> dict[str, int]:
        """Presses per rule in the last `days` days, for one chat or (None) for all chats."""

    async def purge(self) -> int:
        """Delete sessions idle longer than the TTL and old statistics; returns sessions deleted."""
