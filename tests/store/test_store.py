"""Contract tests for the session store. Every backend must pass the same suite.

The `store` fixture runs each contract test on SQLite and on PostgreSQL. The PostgreSQL server
comes from `pg_server` (TEST_DATABASE_URL, or a throwaway local server); without one the
PostgreSQL cases are skipped with a reason (`pytest -rs`), and in CI they fail instead.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from pg_server import clean_schema, postgres_dsn  # noqa: F401  (registers the session fixture)

from bot.store import postgres as store_pg
from bot.store import sqlite as sqlite_store
from bot.store.base import ChatSettings, Store
from bot.store.factory import open_store
from bot.store.postgres import PostgresStore
from bot.store.sqlite import SCHEMA_VERSION, SQLiteStore, sqlite_path

TTL = 3600.0


@pytest.fixture
async def pg_url(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """A DSN whose tables live in a fresh schema, dropped after the test.

    The server fixture is looked up through `request` (as in `store`, where SQLite cases must not
    start or skip on PostgreSQL) because an argument named like the imported fixture reads to the
    linter as a redefinition of the import.
    """
    async with clean_schema(request.getfixturevalue("postgres_dsn")) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    if request.param == "sqlite":
        s = SQLiteStore(tmp_path / "bot.sqlite3", TTL)
        await s.open()
        yield s
        await s.close()
        return
    # Not via `pg_url`: an async fixture cannot be requested from inside another one.
    async with clean_schema(request.getfixturevalue("postgres_dsn")) as url:
        p = PostgresStore(url, TTL)
        await p.open()
        yield p
        await p.close()


async def session(store: Store, chat_id: int, user_id: int) -> tuple[str, int] | None:
    loaded = await store.load(chat_id, user_id)
    return None if loaded.data is None else (loaded.data, loaded.version)


async def test_missing_session_loads_as_none(store: Store) -> None:
    loaded = await store.load(1, 2)
    assert loaded.data is None and loaded.version == 0
    assert loaded.user_locale is None and loaded.chat == ChatSettings()


async def test_save_then_load_returns_data_and_version(store: Store) -> None:
    assert await store.save(1, 2, '{"x":1}', 0) == 1
    assert await session(store, 1, 2) == ('{"x":1}', 1)
    assert await store.save(1, 2, '{"x":2}', 1) == 2
    assert await session(store, 1, 2) == ('{"x":2}', 2)


async def test_sessions_are_per_chat_and_user(store: Store) -> None:
    await store.save(1, 2, "a", 0)
    await store.save(1, 3, "b", 0)
    await store.save(9, 2, "c", 0)
    assert [await session(store, *k) for k in ((1, 2), (1, 3), (9, 2))] == [
        ("a", 1),
        ("b", 1),
        ("c", 1),
    ]


async def test_write_with_an_old_version_loses_and_changes_nothing(store: Store) -> None:
    await store.save(1, 2, "first", 0)
    assert await store.save(1, 2, "second", 1) == 2
    assert await store.save(1, 2, "late", 1) is None
    assert await store.save(1, 2, "new-but-stale", 0) is None
    assert await session(store, 1, 2) == ("second", 2)


async def test_two_racing_writes_have_exactly_one_winner(store: Store) -> None:
    await store.save(5, 5, "start", 0)
    results = await asyncio.gather(*(store.save(5, 5, f"w{i}", 1) for i in range(8)))
    assert sum(r is not None for r in results) == 1
    data, version = await session(store, 5, 5)  # type: ignore[misc]
    assert version == 2 and data == f"w{results.index(2)}"


async def test_expired_session_is_gone_and_purged(store: Store, monkeypatch) -> None:
    await store.save(1, 2, "old", 0)
    later = time.time() + TTL + 10
    monkeypatch.setattr(time, "time", lambda: later)
    assert await session(store, 1, 2) is None
    assert await store.save(1, 2, "fresh", 0) is not None  # an expired row may be replaced
    monkeypatch.setattr(time, "time", lambda: later + TTL + 10)
    assert await store.purge() == 1
    assert await session(store, 1, 2) is None


async def test_delete(store: Store) -> None:
    await store.save(1, 2, "x", 0)
    await store.delete(1, 2)
    assert await session(store, 1, 2) is None


async def test_sqlite_survives_reopen_and_records_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "db" / "bot.sqlite3"
    first = SQLiteStore(path, TTL)
    await first.open()
    await first.save(1, 2, "kept", 0)
    await first.close()
    second = SQLiteStore(path, TTL)
    await second.open()
    assert await session(second, 1, 2) == ("kept", 1)
    await second.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_database_url_parsing() -> None:
    assert sqlite_path("sqlite:///data/bot.sqlite3") == Path("data/bot.sqlite3")
    assert sqlite_path("sqlite:////var/lib/bot.db") == Path("/var/lib/bot.db")
    assert isinstance(open_store("sqlite:///x.db", 30), SQLiteStore)
    with pytest.raises(ValueError, match="unsupported"):
        open_store("mysql://x", 30)


async def test_load_brings_the_users_language_and_the_chats_settings(store: Store) -> None:
    await store.set_user_locale(7, "en")
    await store.update_chat(-100, region="220100", locale="zh_Hant")
    loaded = await store.load(-100, 7)
    assert loaded.user_locale == "en"
    assert loaded.chat == ChatSettings("220100", "zh_Hant", False)
    assert (await store.update_chat(-100, quiet=True)).region == "220100"
    assert (await store.chat_settings(-100)).quiet is True


async def test_verdict_counts_are_per_chat_and_hold_no_user(store: Store) -> None:
    for verdict in ("allowed", "allowed", "not_allowed"):
        await store.count_verdict(-5, verdict)
    await store.count_verdict(-6, "info")
    assert await store.verdict_counts(-5, 7) == {"allowed": 2, "not_allowed": 1}
    assert await store.verdict_counts(-6, 30) == {"info": 1}


async def test_migrated_group_keeps_settings_sessions_and_stats(store: Store) -> None:
    await store.update_chat(-1, region="310000")
    await store.save(-1, 42, "s", 0)
    await store.count_verdict(-1, "allowed")
    await store.move_chat(-1, -1001)
    assert (await store.chat_settings(-1001)).region == "310000"
    assert await session(store, -1001, 42) == ("s", 1)
    assert await store.verdict_counts(-1001, 7) == {"allowed": 1}
    assert await store.chat_settings(-1) == ChatSettings()


async def test_removed_group_leaves_nothing(store: Store) -> None:
    await store.update_chat(-2, region="310000")
    await store.save(-2, 42, "s", 0)
    await store.count_verdict(-2, "allowed")
    await store.delete_chat(-2)
    assert await store.chat_settings(-2) == ChatSettings()
    assert await session(store, -2, 42) is None
    assert await store.verdict_counts(-2, 30) == {}


async def test_forget_user_removes_every_row_about_them(store: Store) -> None:
    await store.set_user_locale(42, "en")
    await store.save(42, 42, "private", 0)
    await store.save(-3, 42, "group", 0)
    await store.save(-3, 43, "someone else", 0)
    await store.forget_user(42)
    assert await session(store, 42, 42) is None and await session(store, -3, 42) is None
    assert (await store.load(42, 42)).user_locale is None
    assert await session(store, -3, 43) == ("someone else", 1)


async def test_remembered_place_and_insurance_load_with_the_session_and_are_forgotten(
    store: Store,
) -> None:
    assert (await store.load(42, 42)).remembered is None
    await store.set_user_locale(42, "en")
    await store.remember(42, "p220000-c220100-iemployee")
    loaded = await store.load(-3, 42)  # remembered for the user in every chat
    assert loaded.remembered == "p220000-c220100-iemployee" and loaded.user_locale == "en"
    await store.set_user_locale(42, "zh_Hant")  # changing the language keeps it
    assert (await store.load(42, 42)).remembered == "p220000-c220100-iemployee"
    await store.remember(42, "p110000-iretiree")
    assert (await store.load(42, 42)).remembered == "p110000-iretiree"
    assert (await store.load(42, 43)).remembered is None
    await store.forget_user(42)
    assert (await store.load(42, 42)).remembered is None


async def test_remembered_answers_expire_with_an_idle_user(store: Store, monkeypatch) -> None:
    await store.remember(8, "p220000")
    later = time.time() + TTL + 10
    monkeypatch.setattr(time, "time", lambda: later)
    await store.purge()
    assert (await store.load(8, 8)).remembered is None


async def test_feedback_counts_per_rule_per_chat_and_in_total(store: Store) -> None:
    for rule in ("r.vaccine", "r.vaccine", "r.gym"):
        await store.count_feedback(-5, rule)
    await store.count_feedback(0, "r.vaccine")  # a private chat: no user id is kept
    assert await store.feedback_counts(-5, 7) == {"r.vaccine": 2, "r.gym": 1}
    assert await store.feedback_counts(0, 7) == {"r.vaccine": 1}
    assert await store.feedback_counts(None, 30) == {"r.vaccine": 3, "r.gym": 1}
    await store.move_chat(-5, -1005)
    assert await store.feedback_counts(-1005, 7) == {"r.vaccine": 2, "r.gym": 1}
    await store.delete_chat(-1005)
    assert await store.feedback_counts(None, 30) == {"r.vaccine": 1}


async def test_old_feedback_is_purged(store: Store, monkeypatch) -> None:
    await store.count_feedback(-5, "r.old")
    later = time.time() + 400 * 86400
    monkeypatch.setattr(time, "time", lambda: later)
    await store.count_feedback(-5, "r.new")
    await store.purge()
    assert await store.feedback_counts(None, 1000) == {"r.new": 1}


async def test_moving_onto_a_chat_with_rows_lets_the_moved_rows_win(store: Store) -> None:
    """Like SQLite's UPDATE OR REPLACE: clashing rows of the new chat give way, others stay."""
    await store.update_chat(-1001, region="110000", quiet=True)
    await store.save(-1001, 42, "target's", 0)
    await store.save(-1001, 43, "target only", 0)
    await store.update_chat(-1, region="310000")
    await store.save(-1, 42, "moved", 0)
    await store.move_chat(-1, -1001)
    assert await store.chat_settings(-1001) == ChatSettings("310000", None, False)
    assert await session(store, -1001, 42) == ("moved", 1)
    assert await session(store, -1001, 43) == ("target only", 1)
    assert await session(store, -1, 42) is None


async def test_moving_a_chat_onto_itself_changes_nothing(store: Store) -> None:
    await store.update_chat(-7, region="310000")
    await store.save(-7, 1, "s", 0)
    await store.move_chat(-7, -7)
    assert (await store.chat_settings(-7)).region == "310000"
    assert await session(store, -7, 1) == ("s", 1)


async def test_update_chat_rejects_unknown_settings(store: Store) -> None:
    with pytest.raises(ValueError, match="unknown"):
        await store.update_chat(-1, colour="red")


# PostgreSQL only: behaviour that SQLite gets from having a single writer.


def test_open_store_selects_postgres_for_postgresql_urls() -> None:
    for url in ("postgresql://bot@db.internal/bot", "postgres://bot:secret@localhost:5433/bot"):
        store = open_store(url, 30)
        assert isinstance(store, PostgresStore)
        assert store.dsn == url and store.ttl == 30 * 86400


def test_postgres_migrations_are_numbered_like_sqlite_ones() -> None:
    """A schema version must mean the same tables on both backends."""
    assert [v for v, _ in store_pg.MIGRATIONS] == [v for v, _ in sqlite_store.MIGRATIONS]
    assert store_pg.SCHEMA_VERSION == SCHEMA_VERSION


async def test_postgres_survives_reopen_and_records_schema_version(pg_url: str) -> None:
    first = PostgresStore(pg_url, TTL)
    await first.open()
    await first.save(-100123, 7, "kept", 0)
    await first.close()
    second = PostgresStore(pg_url, TTL)
    await second.open()
    assert await session(second, -100123, 7) == ("kept", 1)
    assert await second.schema_version() == SCHEMA_VERSION
    await second.close()


async def test_postgres_migrations_started_at_once_apply_each_step_once(pg_url: str) -> None:
    workers = [PostgresStore(pg_url, TTL, max_size=2) for _ in range(6)]
    await asyncio.gather(*(w.open() for w in workers))
    try:
        await asyncio.gather(*(w.migrate() for w in workers))  # and again: nothing to do
        rows = await workers[0].pool.fetch("SELECT version FROM schema_migrations ORDER BY 1")
        assert [r["version"] for r in rows] == [v for v, _ in store_pg.MIGRATIONS]
        assert await workers[1].save(1, 2, "works", 0) == 1
    finally:
        await asyncio.gather(*(w.close() for w in workers))


async def _wait_for_blocked(con: asyncpg.Connection, count: int) -> None:
    """Until `count` other backends wait on a lock: the racing saves really overlap.

    `con` must not be inside a transaction: pg_stat_activity is a snapshot per transaction.
    """
    for _ in range(500):
        waiting = await con.fetchval(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        if waiting >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"only {waiting} of {count} saves are waiting on the row lock")


async def test_postgres_racing_saves_from_two_workers_have_exactly_one_winner(
    pg_url: str,
) -> None:
    """Eight saves on eight pooled connections of two processes' pools, all blocked on the same
    row until it is released: they then contend for real, and exactly one version 1 wins."""
    workers = [PostgresStore(pg_url, TTL, max_size=4) for _ in range(2)]
    for w in workers:
        await w.open()
    try:
        assert await workers[0].save(-5, 5, "start", 0) == 1
        blocker = await asyncpg.connect(pg_url)
        watcher = await asyncpg.connect(pg_url)
        try:
            tx = blocker.transaction()
            await tx.start()
            await blocker.execute("SELECT 1 FROM sessions WHERE chat_id = -5 FOR UPDATE")
            racing = [asyncio.create_task(workers[i % 2].save(-5, 5, f"w{i}", 1)) for i in range(8)]
            await _wait_for_blocked(watcher, 8)
            await tx.rollback()
            results = await asyncio.gather(*racing)
        finally:
            await blocker.close()
            await watcher.close()
        assert sorted(results, key=lambda r: r or 0) == [None] * 7 + [2]
        assert await session(workers[1], -5, 5) == (f"w{results.index(2)}", 2)
    finally:
        for w in workers:
            await w.close()


async def test_postgres_racing_first_saves_have_exactly_one_winner(pg_url: str) -> None:
    """No row yet (expected 0): the concurrent INSERTs conflict and only one is kept."""
    workers = [PostgresStore(pg_url, TTL, max_size=4) for _ in range(2)]
    for w in workers:
        await w.open()
    try:
        for round_ in range(10):
            results = await asyncio.gather(
                *(workers[i % 2].save(round_, 1, f"w{i}", 0) for i in range(8))
            )
            assert sorted(results, key=lambda r: r or 0) == [None] * 7 + [1]
    finally:
        for w in workers:
            await w.close()


async def test_postgres_load_and_save_are_one_statement_each(pg_url: str) -> None:
    """No second round trip: no separate read before the upsert, no pool reset query after."""
    store = PostgresStore(pg_url, TTL, max_size=1)
    await store.open()
    try:
        seen: list[str] = []
        async with store.pool.acquire() as con:
            con.add_query_logger(lambda record: seen.append(record.query))
        await store.load(1, 2)
        await store.save(1, 2, "x", 0)  # prepares and caches both statements
        seen.clear()
        loaded = await store.load(1, 2)
        assert await store.save(1, 2, "y", loaded.version) == 2
        assert len(seen) == 2, seen
        assert "LEFT JOIN" in seen[0] and "ON CONFLICT" in seen[1]
    finally:
        await store.close()


async def test_sqlite_hot_write_waits_off_the_loop_when_another_writer_holds_the_lock(
    tmp_path: Path,
) -> None:
    """The per-update write runs on the loop's thread but never blocks it on a lock."""
    import threading

    store = SQLiteStore(tmp_path / "bot.sqlite3", TTL)
    await store.open()
    held = threading.Event()
    release = threading.Event()

    def hold_the_write_lock() -> None:
        other = sqlite3.connect(tmp_path / "bot.sqlite3", isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        held.set()
        release.wait(5)
        other.execute("COMMIT")
        other.close()

    holder = threading.Thread(target=hold_the_write_lock)
    holder.start()
    held.wait(5)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while not release.is_set():
            ticks += 1
            await asyncio.sleep(0.01)

    async def release_later() -> None:
        await asyncio.sleep(0.2)
        release.set()

    results = await asyncio.gather(store.save(1, 2, "x", 0), ticker(), release_later())
    holder.join()
    assert results[0] == 1  # written once the lock was free
    assert ticks >= 5  # and the loop kept running meanwhile
    assert await session(store, 1, 2) == ("x", 1)
    await store.close()
