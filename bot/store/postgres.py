"""PostgreSQL store on an asyncpg pool: the same contract as `bot.store.sqlite.SQLiteStore`.

Selected by `DATABASE_URL=postgresql://…` (see `bot.store.factory.open_store`) so that several worker
processes on several machines can share one database. The semantics are those of the SQLite
store, statement for statement:

* `load` is one query: the session (if still live) LEFT JOINed with the user's language and the
  chat's settings.
* `save` is one conditional upsert that only writes when the stored version is still the one the
  caller read, so two presses of one menu, even on two machines, cannot both win.
* Times are the same `time.time()` based integers as in SQLite, so the TTL and the statistics'
  day buckets agree between backends (and tests can move the clock).
* Migrations are the same forward-only numbered steps, recorded in `schema_migrations` instead of
  `PRAGMA user_version`, each applied in a transaction that holds an advisory lock, so two workers
  starting at once cannot both run a step.
"""

from __future__ import annotations

import asyncio
import hashlib
import time

import asyncpg

from bot.store.base import (
    FEEDBACK_KEEP_DAYS,
    STATS_KEEP_DAYS,
    ChatSettings,
    Loaded,
    StoreUnavailable,
)

# Forward-only migrations, numbered like `bot.store.sqlite.MIGRATIONS` so a schema version means the same
# thing on both backends (a test checks the numbering). Never edit a released step; add one.
MIGRATIONS: list[tuple[int, list[str]]] = [
    (
        1,
        [
            # Telegram ids exceed 32 bits (supergroups are -100…); times are Unix seconds.
            """CREATE TABLE sessions (
                chat_id BIGINT NOT NULL,
                user_id BIGINT NOT NULL,
                data TEXT NOT NULL,
                version INTEGER NOT NULL,
                updated_at BIGINT NOT NULL,
                PRIMARY KEY (chat_id, user_id)
            )""",
            "CREATE INDEX sessions_updated_at ON sessions (updated_at)",
        ],
    ),
    (
        2,
        [
            # A user's own language choice (/language); nothing else about them.
            """CREATE TABLE users (
                user_id BIGINT PRIMARY KEY,
                locale TEXT,
                updated_at BIGINT NOT NULL
            )""",
            # Group defaults set by the chat's admins.
            """CREATE TABLE chats (
                chat_id BIGINT PRIMARY KEY,
                region TEXT,
                locale TEXT,
                quiet BOOLEAN NOT NULL DEFAULT FALSE,
                updated_at BIGINT NOT NULL
            )""",
            # Answer cards shown per chat, day and verdict: counts only, no user ids.
            """CREATE TABLE verdicts (
                chat_id BIGINT NOT NULL,
                day INTEGER NOT NULL,
                verdict TEXT NOT NULL,
                count INTEGER NOT NULL,
                PRIMARY KEY (chat_id, day, verdict)
            )""",
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
                chat_id BIGINT NOT NULL,
                day INTEGER NOT NULL,
                rule TEXT NOT NULL,
                count INTEGER NOT NULL,
                PRIMARY KEY (chat_id, day, rule)
            )""",
        ],
    ),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]

PING_TIMEOUT_SECONDS = 2.0  # /healthz answers within this, also while the server hangs

# One database-wide advisory lock key for schema changes, derived from a fixed name so every
# worker of this bot computes the same key and other applications are unlikely to collide with it.
MIGRATION_LOCK_KEY = int.from_bytes(
    hashlib.sha256(b"yibao-account-bot:schema_migrations").digest()[:8], "big", signed=True
)

_CHAT_FIELDS = ("region", "locale", "quiet")

_LOAD = (
    "SELECT s.data, s.version, u.locale, c.region, c.locale, c.quiet, u.remembered"
    " FROM (SELECT $1::bigint AS chat_id, $2::bigint AS user_id) AS k"
    " LEFT JOIN sessions AS s ON s.chat_id = k.chat_id AND s.user_id = k.user_id"
    "  AND s.updated_at >= $3"
    " LEFT JOIN users AS u ON u.user_id = k.user_id"
    " LEFT JOIN chats AS c ON c.chat_id = k.chat_id"
)

# Under READ COMMITTED a concurrent writer of the same row waits for the first one's row lock and
# then re-checks the WHERE clause against the committed row, so of N racing saves with the same
# `expected` exactly one sees its version and the rest return no row.
_SAVE = (
    "INSERT INTO sessions AS s (chat_id, user_id, data, version, updated_at)"
    " VALUES ($1, $2, $3, 1, $4)"
    " ON CONFLICT (chat_id, user_id) DO UPDATE SET"
    "  data = EXCLUDED.data, version = s.version + 1, updated_at = EXCLUDED.updated_at"
    " WHERE s.version = $5::integer OR ($5::integer = 0 AND s.updated_at < $6)"
    " RETURNING s.version"
)

# Only the fields the caller names change, decided inside the statement: two admins changing
# different settings at once both keep their change, and it is one round trip.
_UPDATE_CHAT = (
    "INSERT INTO chats AS c (chat_id, region, locale, quiet, updated_at)"
    " VALUES ($1, $2, $3, $4, $5)"
    " ON CONFLICT (chat_id) DO UPDATE SET"
    "  region = CASE WHEN $6::boolean THEN EXCLUDED.region ELSE c.region END,"
    "  locale = CASE WHEN $7::boolean THEN EXCLUDED.locale ELSE c.locale END,"
    "  quiet = CASE WHEN $8::boolean THEN EXCLUDED.quiet ELSE c.quiet END,"
    "  updated_at = EXCLUDED.updated_at"
    " RETURNING c.region, c.locale, c.quiet"
)


def _today() -> int:
    return int(time.time() // 86400)


def _rowcount(status: str) -> int:
    """asyncpg reports `DELETE 3`; SQLite's cursor.rowcount is the number."""
    return int(status.rsplit(" ", 1)[-1])


async def _keep_session(connection: asyncpg.Connection) -> None:
    """Pool reset hook that sends nothing.

    asyncpg's default reset runs `pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`
    on every release: a second round trip after each one-statement call. This store never
    changes session state (only transaction-scoped advisory locks, no cursors, LISTEN or SET),
    and asyncpg still rolls back an unfinished transaction before calling this hook.
    """


class PostgresStore:
    """PostgreSQL through an asyncpg pool: autocommit, one statement per hot-path call.

    asyncpg prepares each statement once per connection and caches it, so after the first use
    `load` and `save` are a single Bind/Execute round trip each. Connections come from a pool
    because one worker serves many chats at once; `max_size` bounds what one process takes from
    the server's `max_connections`.
    """

    failures: tuple[type[BaseException], ...] = (
        asyncpg.PostgresError,
        asyncpg.InterfaceError,
        OSError,  # connection refused or reset
        TimeoutError,
        StoreUnavailable,
    )

    def __init__(self, dsn: str, ttl_seconds: float, max_size: int = 10) -> None:
        self.dsn = dsn
        self.ttl = ttl_seconds
        self.max_size = max_size
        self._pool: asyncpg.Pool | None = None

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("store is not open")
        return self._pool

    async def open(self) -> None:
        self._pool = await asyncpg.create_pool(
            self.dsn, min_size=1, max_size=self.max_size, reset=_keep_session
        )
        try:
            await self.migrate()
        except BaseException:
            await self.close()
            raise

    async def migrate(self) -> None:
        """Apply pending steps, one transaction each, like the SQLite store.

        The advisory lock is taken before the version is read, so a second worker starting at the
        same moment waits, then sees the step recorded and skips it. The lock is transaction-scoped
        and is released by COMMIT or ROLLBACK, never left on a pooled connection.
        """
        async with self.pool.acquire() as con:
            while True:
                async with con.transaction():
                    await con.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK_KEY)
                    # Checked rather than CREATE … IF NOT EXISTS, which needs CREATE on the schema
                    # even when the table exists: an up-to-date database may be opened by a role
                    # that can only read and write rows.
                    if await con.fetchval("SELECT to_regclass('schema_migrations')") is None:
                        await con.execute(
                            "CREATE TABLE schema_migrations ("
                            " version INTEGER PRIMARY KEY,"
                            " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
                        )
                    current = await con.fetchval(
                        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations"
                    )
                    pending = [step for step in MIGRATIONS if step[0] > current]
                    if not pending:
                        return
                    version, statements = pending[0]
                    for sql in statements:
                        await con.execute(sql)
                    await con.execute(
                        "INSERT INTO schema_migrations (version) VALUES ($1)", version
                    )

    async def schema_version(self) -> int:
        """The highest applied step: what SQLite calls `PRAGMA user_version`."""
        return int(
            await self.pool.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
        )

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()

    def _expiry(self) -> int:
        return int(time.time() - self.ttl)

    async def ping(self) -> None:
        """A round trip to a table the bot uses, bounded in time (the pool reconnects)."""
        await asyncio.wait_for(
            self.pool.fetchval("SELECT 1 FROM sessions LIMIT 1"), PING_TIMEOUT_SECONDS
        )

    async def load(self, chat_id: int, user_id: int) -> Loaded:
        row = await self.pool.fetchrow(_LOAD, chat_id, user_id, self._expiry())
        assert row is not None  # the key row always exists; the joins may be empty
        data, version, user_locale, region, chat_locale, quiet, remembered = row
        chat = ChatSettings(region, chat_locale, bool(quiet))
        return Loaded(data, version or 0, user_locale, chat, remembered)

    async def save(self, chat_id: int, user_id: int, data: str, expected: int) -> int | None:
        version = await self.pool.fetchval(
            _SAVE, chat_id, user_id, data, int(time.time()), expected, self._expiry()
        )
        return None if version is None else int(version)

    async def delete(self, chat_id: int, user_id: int) -> None:
        await self.pool.execute(
            "DELETE FROM sessions WHERE chat_id = $1 AND user_id = $2", chat_id, user_id
        )

    async def set_user_locale(self, user_id: int, locale: str | None) -> None:
        await self.pool.execute(
            "INSERT INTO users (user_id, locale, updated_at) VALUES ($1, $2, $3)"
            " ON CONFLICT (user_id) DO UPDATE SET locale = EXCLUDED.locale,"
            " updated_at = EXCLUDED.updated_at",
            user_id,
            locale,
            int(time.time()),
        )

    async def remember(self, user_id: int, answers: str | None) -> None:
        await self.pool.execute(
            "INSERT INTO users (user_id, remembered, updated_at) VALUES ($1, $2, $3)"
            " ON CONFLICT (user_id) DO UPDATE SET remembered = EXCLUDED.remembered,"
            " updated_at = EXCLUDED.updated_at",
            user_id,
            answers,
            int(time.time()),
        )

    async def chat_settings(self, chat_id: int) -> ChatSettings:
        row = await self.pool.fetchrow(
            "SELECT region, locale, quiet FROM chats WHERE chat_id = $1", chat_id
        )
        if row is None:
            return ChatSettings()
        return ChatSettings(row["region"], row["locale"], bool(row["quiet"]))

    async def update_chat(self, chat_id: int, **fields: object) -> ChatSettings:
        unknown = set(fields) - set(_CHAT_FIELDS)
        if unknown:
            raise ValueError(f"unknown chat settings: {sorted(unknown)}")
        # For a new row the unnamed fields take ChatSettings' defaults, as in SQLite.
        fresh = {name: getattr(ChatSettings(), name) for name in _CHAT_FIELDS} | fields
        row = await self.pool.fetchrow(
            _UPDATE_CHAT,
            chat_id,
            fresh["region"],
            fresh["locale"],
            bool(fresh["quiet"]),
            int(time.time()),
            "region" in fields,
            "locale" in fields,
            "quiet" in fields,
        )
        assert row is not None  # an upsert without WHERE always returns its row
        return ChatSettings(row["region"], row["locale"], bool(row["quiet"]))

    async def _transaction(self, statements: list[tuple[str, tuple[object, ...]]]) -> None:
        async with self.pool.acquire() as con, con.transaction():
            for sql, params in statements:
                await con.execute(sql, *params)

    async def move_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """SQLite's `UPDATE OR REPLACE`: where the new chat already has a row with the same key,
        the moved row wins; the new chat's other rows stay."""
        if old_chat_id == new_chat_id:
            return  # the deletes below would otherwise remove the rows being "moved"
        ids = (new_chat_id, old_chat_id)
        await self._transaction(
            [
                (
                    "DELETE FROM chats WHERE chat_id = $1"
                    " AND EXISTS (SELECT 1 FROM chats WHERE chat_id = $2)",
                    ids,
                ),
                ("UPDATE chats SET chat_id = $1 WHERE chat_id = $2", ids),
                (
                    "DELETE FROM sessions AS t WHERE t.chat_id = $1 AND EXISTS"
                    " (SELECT 1 FROM sessions AS o WHERE o.chat_id = $2 AND o.user_id = t.user_id)",
                    ids,
                ),
                ("UPDATE sessions SET chat_id = $1 WHERE chat_id = $2", ids),
                (
                    "DELETE FROM verdicts AS t WHERE t.chat_id = $1 AND EXISTS"
                    " (SELECT 1 FROM verdicts AS o WHERE o.chat_id = $2"
                    "  AND o.day = t.day AND o.verdict = t.verdict)",
                    ids,
                ),
                ("UPDATE verdicts SET chat_id = $1 WHERE chat_id = $2", ids),
                (
                    "DELETE FROM feedback AS t WHERE t.chat_id = $1 AND EXISTS"
                    " (SELECT 1 FROM feedback AS o WHERE o.chat_id = $2"
                    "  AND o.day = t.day AND o.rule = t.rule)",
                    ids,
                ),
                ("UPDATE feedback SET chat_id = $1 WHERE chat_id = $2", ids),
            ]
        )

    async def delete_chat(self, chat_id: int) -> None:
        await self._transaction(
            [
                ("DELETE FROM chats WHERE chat_id = $1", (chat_id,)),
                ("DELETE FROM sessions WHERE chat_id = $1", (chat_id,)),
                ("DELETE FROM verdicts WHERE chat_id = $1", (chat_id,)),
                ("DELETE FROM feedback WHERE chat_id = $1", (chat_id,)),
            ]
        )

    async def forget_user(self, user_id: int) -> None:
        await self._transaction(
            [
                ("DELETE FROM sessions WHERE user_id = $1", (user_id,)),
                ("DELETE FROM users WHERE user_id = $1", (user_id,)),
                # In a private chat the chat id is the user id: its settings are about them too.
                ("DELETE FROM chats WHERE chat_id = $1", (user_id,)),
                ("DELETE FROM verdicts WHERE chat_id = $1", (user_id,)),
            ]
        )

    async def count_verdict(self, chat_id: int, verdict: str) -> None:
        await self.pool.execute(
            "INSERT INTO verdicts AS v (chat_id, day, verdict, count) VALUES ($1, $2, $3, 1)"
            " ON CONFLICT (chat_id, day, verdict) DO UPDATE SET count = v.count + 1",
            chat_id,
            _today(),
            verdict,
        )

    async def verdict_counts(self, chat_id: int, days: int) -> dict[str, int]:
        rows = await self.pool.fetch(
            "SELECT verdict, SUM(count) FROM verdicts WHERE chat_id = $1 AND day > $2"
            " GROUP BY verdict",
            chat_id,
            _today() - days,
        )
        return {verdict: int(count) for verdict, count in rows}

    async def count_feedback(self, chat_id: int, rule: str) -> None:
        await self.pool.execute(
            "INSERT INTO feedback AS f (chat_id, day, rule, count) VALUES ($1, $2, $3, 1)"
            " ON CONFLICT (chat_id, day, rule) DO UPDATE SET count = f.count + 1",
            chat_id,
            _today(),
            rule,
        )

    async def feedback_counts(self, chat_id: int | None, days: int) -> dict[str, int]:
        rows = await self.pool.fetch(
            "SELECT rule, SUM(count) FROM feedback WHERE ($1::bigint IS NULL OR chat_id = $1)"
            " AND day > $2 GROUP BY rule",
            chat_id,
            _today() - days,
        )
        return {rule: int(count) for rule, count in rows}

    async def purge(self) -> int:
        expiry = self._expiry()
        status = await self.pool.execute("DELETE FROM sessions WHERE updated_at < $1", expiry)
        await self.pool.execute(
            "DELETE FROM users AS u WHERE u.updated_at < $1"
            " AND NOT EXISTS (SELECT 1 FROM sessions AS s WHERE s.user_id = u.user_id)",
            expiry,
        )
        await self.pool.execute("DELETE FROM verdicts WHERE day <= $1", _today() - STATS_KEEP_DAYS)
        await self.pool.execute(
            "DELETE FROM feedback WHERE day <= $1", _today() - FEEDBACK_KEEP_DAYS
        )
        return _rowcount(status)
