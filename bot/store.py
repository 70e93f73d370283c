"""Session storage: one small row per (chat, user), written with a version check.

The interface is the same for every backend (SQLite now, PostgreSQL behind the same calls
later): `load` is one round trip, `save` is one statement that inserts or updates only if the
stored version is still the one the caller read, and returns the new version. Two presses of
one menu therefore cannot both win, and nothing about a user stays in process memory.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Protocol
from urllib.parse import urlparse

import aiosqlite

DEFAULT_URL = "sqlite:///data/bot.sqlite3"

# Forward-only migrations: (schema version, statements). Never edit a released step; add one.
MIGRATIONS: list[tuple[int, list[str]]] = [
    (
        1,
        [
            """CREATE TABLE sessions (
                chat_id INTEGER NOT NULL,
                user_id INTEGER NOT NULL,
                data TEXT NOT NULL,
                version INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                PRIMARY KEY (chat_id, user_id)
            ) WITHOUT ROWID""",
            "CREATE INDEX sessions_updated_at ON sessions (updated_at)",
        ],
    ),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]


class Store(Protocol):
    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def load(self, chat_id: int, user_id: int) -> tuple[str, int] | None:
        """The session's data and version, or None when absent or expired."""

    async def save(self, chat_id: int, user_id: int, data: str, expected: int) -> int | None:
        """Store `data` if the stored version is still `expected` (0: no live row).

        Returns the new version, or None when someone else wrote first.
        """

    async def delete(self, chat_id: int, user_id: int) -> None: ...

    async def purge(self) -> int:
        """Delete sessions idle longer than the TTL; returns how many."""


def sqlite_path(url: str) -> Path:
    """`sqlite:///data/bot.sqlite3` is relative, `sqlite:////var/lib/bot.db` absolute."""
    parsed = urlparse(url)
    if parsed.scheme != "sqlite":
        raise ValueError(f"not a sqlite URL: {url!r}")
    path = parsed.path[1:] if parsed.path.startswith("/") else parsed.path
    return Path(path or "bot.sqlite3")


class SQLiteStore:
    """SQLite through aiosqlite: WAL, autocommit, one statement per call.

    Each aiosqlite call is a hop to its worker thread, so a normal update makes exactly two:
    one read and one conditional upsert that commits. `synchronous=NORMAL` in WAL mode keeps
    every committed row across a killed process; set `SQLITE_SYNCHRONOUS=FULL` to survive a
    power cut as well, at the cost of an fsync per update.
    """

    def __init__(self, path: Path | str, ttl_seconds: float, synchronous: str = "NORMAL") -> None:
        self.path = Path(path)
        self.ttl = ttl_seconds
        self.synchronous = synchronous
        self._db: aiosqlite.Connection | None = None

    @property
    def db(self) -> aiosqlite.Connection:
        if self._db is None:
            raise RuntimeError("store is not open")
        return self._db

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = await aiosqlite.connect(self.path, isolation_level=None)
        await self._db.execute("PRAGMA journal_mode=WAL")
        await self._db.execute(f"PRAGMA synchronous={self.synchronous}")
        await self._db.execute("PRAGMA busy_timeout=5000")
        await self.migrate()

    async def migrate(self) -> None:
        rows = await self.db.execute_fetchall("PRAGMA user_version")
        current = rows[0][0]
        for version, statements in MIGRATIONS:
            if version <= current:
                continue
            await self.db.execute("BEGIN IMMEDIATE")
            try:
                for sql in statements:
                    await self.db.execute(sql)
                await self.db.execute(f"PRAGMA user_version={version}")
                await self.db.execute("COMMIT")
            except BaseException:
                await self.db.execute("ROLLBACK")
                raise

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None

    def _expiry(self) -> int:
        return int(time.time() - self.ttl)

    async def load(self, chat_id: int, user_id: int) -> tuple[str, int] | None:
        rows = await self.db.execute_fetchall(
            "SELECT data, version FROM sessions"
            " WHERE chat_id = ? AND user_id = ? AND updated_at >= ?",
            (chat_id, user_id, self._expiry()),
        )
        for data, version in rows:
            return data, version
        return None

    async def save(self, chat_id: int, user_id: int, data: str, expected: int) -> int | None:
        rows = await self.db.execute_fetchall(
            "INSERT INTO sessions (chat_id, user_id, data, version, updated_at)"
            " VALUES (?, ?, ?, 1, ?)"
            " ON CONFLICT (chat_id, user_id) DO UPDATE SET"
            "  data = excluded.data, version = sessions.version + 1,"
            "  updated_at = excluded.updated_at"
            " WHERE sessions.version = ? OR (? = 0 AND sessions.updated_at < ?)"
            " RETURNING version",
            (chat_id, user_id, data, int(time.time()), expected, expected, self._expiry()),
        )
        return rows[0][0] if rows else None

    async def delete(self, chat_id: int, user_id: int) -> None:
        await self.db.execute(
            "DELETE FROM sessions WHERE chat_id = ? AND user_id = ?", (chat_id, user_id)
        )

    async def purge(self) -> int:
        cursor = await self.db.execute(
            "DELETE FROM sessions WHERE updated_at < ?", (self._expiry(),)
        )
        return cursor.rowcount


def open_store(url: str, ttl_days: float, synchronous: str = "NORMAL") -> Store:
    """The store a DATABASE_URL names."""
    scheme = urlparse(url).scheme
    if scheme == "sqlite":
        return SQLiteStore(sqlite_path(url), ttl_days * 86400, synchronous)
    raise ValueError(f"unsupported DATABASE_URL scheme {scheme!r}; use sqlite:///path")
