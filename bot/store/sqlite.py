"""Storage: sessions, per-user and per-chat settings, and anonymous group statistics.

The interface is the same for every backend (SQLite here, PostgreSQL behind the same calls):
`load` is one round trip that returns the session row together with the user's and the chat's
settings; `save` is one statement that inserts or updates the session only if the stored
version is still the one the caller read, and returns the new version. Two presses of one menu
therefore cannot both win, and nothing about a user stays in process memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import time
from pathlib import Path
from urllib.parse import urlparse

import aiosqlite

from bot.store.base import (
    FEEDBACK_KEEP_DAYS,
    STATS_KEEP_DAYS,
    ChatSettings,
    Loaded,
    StoreUnavailable,
)

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
    (
        2,
        [
            # A user's own language choice (/language); nothing else about them.
            """CREATE TABLE users (
                user_id INTEGER PRIMARY KEY,
                locale TEXT,
                updated_at INTEGER NOT NULL
            )""",
            # Group defaults set by the chat's admins.
            """CREATE TABLE chats (
                chat_id INTEGER PRIMARY KEY,
                region TEXT,
                locale TEXT,
                quiet INTEGER NOT NULL DEFAULT 0,
                updated_at INTEGER NOT NULL
            )""",
            # Answer cards shown per chat, day and verdict: counts only, no user ids.
            """CREATE TABLE verdicts (
                chat_id INTEGER NOT NULL,
                day INTEGER NOT NULL,
                verdict TEXT NOT NULL,
                count INTEGER NOT NULL,
                PRIMARY KEY (chat_id, day, verdict)
            ) WITHOUT ROWID""",
            "CREATE INDEX sessions_user ON sessions (user_id)",
        ],
    ),
    (
        3,
        [
            # The user's last place and insurance (a start payload), offered on their next
            # question; expires with the users row, deleted by /forget.
            "ALTER TABLE users ADD COLUMN remembered TEXT",
            # "This answer is wrong" presses per chat (0 for every private chat), day and rule:
            # counts only, no text and no user id.
            """CREATE TABLE feedback (
                chat_id INTEGER NOT NULL,
                day INTEGER NOT NULL,
                rule TEXT NOT NULL,
                count INTEGER NOT NULL,
                PRIMARY KEY (chat_id, day, rule)
            ) WITHOUT ROWID""",
        ],
    ),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]


def sqlite_path(url: str) -> Path:
    """`sqlite:///data/bot.sqlite3` is relative, `sqlite:////var/lib/bot.db` absolute."""
    parsed = urlparse(url)
    if parsed.scheme != "sqlite":
        raise ValueError(f"not a sqlite URL: {url!r}")
    path = parsed.path[1:] if parsed.path.startswith("/") else parsed.path
    return Path(path or "bot.sqlite3")


def _unavailable(path: Path, exc: BaseException) -> str:
    if "readonly" in str(exc) or isinstance(exc, PermissionError):
        return (
            f"the database {path} is read-only: the bot must be able to write to it and its folder"
        )
    return f"cannot use the database {path}: {exc}"


PING_TIMEOUT_SECONDS = 1.0


def _ping(path: Path, timeout: float) -> None:
    uri = f"{path.resolve().as_uri()}?mode=rw"
    with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=timeout)) as con:
        con.execute("BEGIN IMMEDIATE")
        try:
            con.execute("SELECT 1 FROM sessions LIMIT 1").fetchall()
        finally:
            con.execute("ROLLBACK")


def _today() -> int:
    return int(time.time() // 86400)


_CHAT_FIELDS = ("region", "locale", "quiet")
_UPDATE_CHAT_SQL = (
    "INSERT INTO chats AS c (chat_id, region, locale, quiet, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)"
    " ON CONFLICT (chat_id) DO UPDATE SET"
    "  region = CASE WHEN ?6 THEN excluded.region ELSE c.region END,"
    "  locale = CASE WHEN ?7 THEN excluded.locale ELSE c.locale END,"
    "  quiet = CASE WHEN ?8 THEN excluded.quiet ELSE c.quiet END,"
    "  updated_at = excluded.updated_at"
    " RETURNING region, locale, quiet"
)
_SAVE_SQL = (
    "INSERT INTO sessions (chat_id, user_id, data, version, updated_at)"
    " VALUES (?, ?, ?, 1, ?)"
    " ON CONFLICT (chat_id, user_id) DO UPDATE SET"
    "  data = excluded.data, version = sessions.version + 1,"
    "  updated_at = excluded.updated_at"
    " WHERE sessions.version = ? OR (? = 0 AND sessions.updated_at < ?)"
    " RETURNING version"
)
# One statement brings the session with the user's language and the chat's settings.
_LOAD_SQL = (
    "SELECT s.data, s.version, u.locale, c.region, c.locale, c.quiet, u.remembered"
    " FROM (SELECT ? AS chat_id, ? AS user_id) AS k"
    " LEFT JOIN sessions AS s ON s.chat_id = k.chat_id AND s.user_id = k.user_id"
    "  AND s.updated_at >= ?"
    " LEFT JOIN users AS u ON u.user_id = k.user_id"
    " LEFT JOIN chats AS c ON c.chat_id = k.chat_id"
)


class SQLiteStore:
    """SQLite: WAL, autocommit, one statement per call.

    The per-update read and write run on a connection of the event loop's own thread; all
    other work (migrations, settings, statistics, purges, checkpoints) goes through aiosqlite's
    worker thread. Measured on this project's 2-core machines, an aiosqlite round trip costs
    140-280 µs of thread hand-over while the conditional upsert itself takes ~35 µs, so the hot
    path does its two small statements in place (see bench/README.md).

    That connection never waits for a lock (busy_timeout=0): if another writer holds the
    database, the write is handed to aiosqlite, which waits in its thread instead of stalling
    the loop. It never checkpoints either: with `synchronous=NORMAL` a WAL commit writes but
    does not fsync, and the checkpoints (which do) run in aiosqlite's thread. Every committed
    row survives a killed process; set `SQLITE_SYNCHRONOUS=FULL` to survive a power cut as
    well, at the cost of an fsync per update.
    """

    CHECKPOINT_EVERY = 500  # hot-path commits between two background checkpoints
    failures: tuple[type[BaseException], ...] = (sqlite3.Error, StoreUnavailable)

    def __init__(self, path: Path | str, ttl_seconds: float, synchronous: str = "NORMAL") -> None:
        self.path = Path(path)
        self.ttl = ttl_seconds
        self.synchronous = synchronous
        self._db: aiosqlite.Connection | None = None
        self._hot: sqlite3.Connection | None = None
        self._commits = 0
        self._checkpoint: asyncio.Task[None] | None = None

    @property
    def db(self) -> aiosqlite.Connection:
        if self._db is None:
            raise RuntimeError("store is not open")
        return self._db

    @property
    def hot(self) -> sqlite3.Connection:
        if self._hot is None:
            raise RuntimeError("store is not open")
        return self._hot

    async def open(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Owner only; SQLite gives the -wal and -shm files the database file's mode.
            os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
            self._db = await aiosqlite.connect(self.path, isolation_level=None)
            await self._db.execute("PRAGMA journal_mode=WAL")
            await self._db.execute(f"PRAGMA synchronous={self.synchronous}")
            await self._db.execute("PRAGMA busy_timeout=5000")
            await self._db.execute("PRAGMA secure_delete=ON")  # deleted rows are zeroed
            await self.migrate()
            await self._db.execute("BEGIN IMMEDIATE")  # can we write at all? fail now if not
            await self._db.execute("ROLLBACK")
        except (OSError, sqlite3.Error) as exc:
            await self.close()
            raise StoreUnavailable(_unavailable(self.path, exc)) from exc
        self._hot = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._hot.execute(f"PRAGMA synchronous={self.synchronous}")
        self._hot.execute("PRAGMA busy_timeout=0")
        self._hot.execute("PRAGMA wal_autocheckpoint=0")
        self._hot.execute("PRAGMA secure_delete=ON")

    async def migrate(self) -> None:
        rows = list(await self.db.execute_fetchall("PRAGMA user_version"))
        current = rows[0][0]
        for version, statements in MIGRATIONS:
            if version <= current:
                continue
            await self.db.execute("BEGIN IMMEDIATE")
            try:
                # Another process may have migrated between our read and our lock: read again.
                rows = list(await self.db.execute_fetchall("PRAGMA user_version"))
                if rows[0][0] >= version:
                    await self.db.execute("COMMIT")
                    continue
                for sql in statements:
                    await self.db.execute(sql)
                await self.db.execute(f"PRAGMA user_version={version}")
                await self.db.execute("COMMIT")
            except BaseException:
                await self.db.execute("ROLLBACK")
                raise

    async def close(self) -> None:
        if self._checkpoint is not None:
            await asyncio.gather(self._checkpoint, return_exceptions=True)
            self._checkpoint = None
        if self._hot is not None:
            self._hot.close()
            self._hot = None
        if self._db is not None:
            await self._db.close()
            self._db = None

    def _expiry(self) -> int:
        return int(time.time() - self.ttl)

    async def ping(self) -> None:
        """Open the file afresh, take the write lock and read a table, in a thread.

        A fresh connection (never one that creates the file) notices what the open ones cannot:
        the file deleted or its volume gone. The write lock fails while another process holds
        the database or the file is read-only; nothing is written.
        """
        if self._hot is None:
            raise RuntimeError("store is not open")
        await asyncio.to_thread(_ping, self.path, PING_TIMEOUT_SECONDS)

    async def load(self, chat_id: int, user_id: int) -> Loaded:
        row = self.hot.execute(_LOAD_SQL, (chat_id, user_id, self._expiry())).fetchone()
        data, version, user_locale, region, chat_locale, quiet, remembered = row
        chat = ChatSettings(region, chat_locale, bool(quiet))
        return Loaded(data, version or 0, user_locale, chat, remembered)

    async def save(self, chat_id: int, user_id: int, data: str, expected: int) -> int | None:
        params = (chat_id, user_id, data, int(time.time()), expected, expected, self._expiry())
        try:
            rows = self.hot.execute(_SAVE_SQL, params).fetchall()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            rows = list(await self.db.execute_fetchall(_SAVE_SQL, params))  # waits off the loop
        self._after_commit()
        return rows[0][0] if rows else None

    def _after_commit(self) -> None:
        self._commits += 1
        if self._commits >= self.CHECKPOINT_EVERY and self._checkpoint is None:
            self._commits = 0
            self._checkpoint = asyncio.get_running_loop().create_task(self._run_checkpoint())

    async def _run_checkpoint(self) -> None:
        try:
            await self.db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            self._checkpoint = None

    async def delete(self, chat_id: int, user_id: int) -> None:
        await self.db.execute(
            "DELETE FROM sessions WHERE chat_id = ? AND user_id = ?", (chat_id, user_id)
        )

    async def set_user_locale(self, user_id: int, locale: str | None) -> None:
        await self.db.execute(
            "INSERT INTO users (user_id, locale, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET locale = excluded.locale,"
            " updated_at = excluded.updated_at",
            (user_id, locale, int(time.time())),
        )

    async def remember(self, user_id: int, answers: str | None) -> None:
        await self.db.execute(
            "INSERT INTO users (user_id, remembered, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET remembered = excluded.remembered,"
            " updated_at = excluded.updated_at",
            (user_id, answers, int(time.time())),
        )

    async def chat_settings(self, chat_id: int) -> ChatSettings:
        rows = await self.db.execute_fetchall(
            "SELECT region, locale, quiet FROM chats WHERE chat_id = ?", (chat_id,)
        )
        for region, locale, quiet in rows:
            return ChatSettings(region, locale, bool(quiet))
        return ChatSettings()

    async def update_chat(self, chat_id: int, **fields: object) -> ChatSettings:
        unknown = set(fields) - set(_CHAT_FIELDS)
        if unknown:
            raise ValueError(f"unknown chat settings: {sorted(unknown)}")
        # One statement that changes only the named settings: two admins changing different
        # ones at once both keep their change. A new row takes ChatSettings' defaults.
        fresh = {name: getattr(ChatSettings(), name) for name in _CHAT_FIELDS} | fields
        rows = await self.db.execute_fetchall(
            _UPDATE_CHAT_SQL,
            (
                chat_id,
                fresh["region"],
                fresh["locale"],
                int(bool(fresh["quiet"])),
                int(time.time()),
                "region" in fields,
                "locale" in fields,
                "quiet" in fields,
            ),
        )
        region, locale, quiet = next(iter(rows))
        return ChatSettings(region, locale, bool(quiet))

    async def _transaction(self, statements: list[tuple[str, tuple[object, ...]]]) -> None:
        await self.db.execute("BEGIN IMMEDIATE")
        try:
            for sql, params in statements:
                await self.db.execute(sql, params)
            await self.db.execute("COMMIT")
        except BaseException:
            await self.db.execute("ROLLBACK")
            raise

    async def move_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        ids = (new_chat_id, old_chat_id)
        await self._transaction(
            [
                ("UPDATE OR REPLACE chats SET chat_id = ? WHERE chat_id = ?", ids),
                ("UPDATE OR REPLACE sessions SET chat_id = ? WHERE chat_id = ?", ids),
                ("UPDATE OR REPLACE verdicts SET chat_id = ? WHERE chat_id = ?", ids),
                ("UPDATE OR REPLACE feedback SET chat_id = ? WHERE chat_id = ?", ids),
            ]
        )

    async def delete_chat(self, chat_id: int) -> None:
        await self._transaction(
            [
                ("DELETE FROM chats WHERE chat_id = ?", (chat_id,)),
                ("DELETE FROM sessions WHERE chat_id = ?", (chat_id,)),
                ("DELETE FROM verdicts WHERE chat_id = ?", (chat_id,)),
                ("DELETE FROM feedback WHERE chat_id = ?", (chat_id,)),
            ]
        )

    async def forget_user(self, user_id: int) -> None:
        await self._transaction(
            [
                ("DELETE FROM sessions WHERE user_id = ?", (user_id,)),
                ("DELETE FROM users WHERE user_id = ?", (user_id,)),
                # In a private chat the chat id is the user id: its settings are about them too.
                ("DELETE FROM chats WHERE chat_id = ?", (user_id,)),
                ("DELETE FROM verdicts WHERE chat_id = ?", (user_id,)),
            ]
        )
        # The old versions of the rows still sit in the -wal file until a checkpoint, which a
        # quiet bot may not reach for days: fold it into the (zeroed) pages and empty it now.
        await self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    async def count_verdict(self, chat_id: int, verdict: str) -> None:
        await self.db.execute(
            "INSERT INTO verdicts (chat_id, day, verdict, count) VALUES (?, ?, ?, 1)"
            " ON CONFLICT (chat_id, day, verdict) DO UPDATE SET count = verdicts.count + 1",
            (chat_id, _today(), verdict),
        )

    async def verdict_counts(self, chat_id: int, days: int) -> dict[str, int]:
        rows = await self.db.execute_fetchall(
            "SELECT verdict, SUM(count) FROM verdicts WHERE chat_id = ? AND day > ?"
            " GROUP BY verdict",
            (chat_id, _today() - days),
        )
        return {verdict: int(count) for verdict, count in rows}

    async def count_feedback(self, chat_id: int, rule: str) -> None:
        await self.db.execute(
            "INSERT INTO feedback (chat_id, day, rule, count) VALUES (?, ?, ?, 1)"
            " ON CONFLICT (chat_id, day, rule) DO UPDATE SET count = feedback.count + 1",
            (chat_id, _today(), rule),
        )

    async def feedback_counts(self, chat_id: int | None, days: int) -> dict[str, int]:
        rows = await self.db.execute_fetchall(
            "SELECT rule, SUM(count) FROM feedback WHERE (?1 IS NULL OR chat_id = ?1)"
            " AND day > ?2 GROUP BY rule",
            (chat_id, _today() - days),
        )
        return {rule: int(count) for rule, count in rows}

    async def purge(self) -> int:
        expiry = self._expiry()
        cursor = await self.db.execute("DELETE FROM sessions WHERE updated_at < ?", (expiry,))
        removed = cursor.rowcount
        await self.db.execute(
            "DELETE FROM users WHERE updated_at < ?"
            " AND user_id NOT IN (SELECT user_id FROM sessions)",
            (expiry,),
        )
        await self.db.execute("DELETE FROM verdicts WHERE day <= ?", (_today() - STATS_KEEP_DAYS,))
        await self.db.execute(
            "DELETE FROM feedback WHERE day <= ?", (_today() - FEEDBACK_KEEP_DAYS,)
        )
        return removed
