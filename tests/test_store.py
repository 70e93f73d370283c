"""Contract tests for the session store. Every backend must pass the same suite."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store import SCHEMA_VERSION, SQLiteStore, Store, open_store, sqlite_path

TTL = 3600.0


@pytest.fixture(params=["sqlite"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    s = SQLiteStore(tmp_path / "bot.sqlite3", TTL)
    await s.open()
    yield s
    await s.close()


async def test_missing_session_loads_as_none(store: Store) -> None:
    assert await store.load(1, 2) is None


async def test_save_then_load_returns_data_and_version(store: Store) -> None:
    assert await store.save(1, 2, '{"x":1}', 0) == 1
    assert await store.load(1, 2) == ('{"x":1}', 1)
    assert await store.save(1, 2, '{"x":2}', 1) == 2
    assert await store.load(1, 2) == ('{"x":2}', 2)


async def test_sessions_are_per_chat_and_user(store: Store) -> None:
    await store.save(1, 2, "a", 0)
    await store.save(1, 3, "b", 0)
    await store.save(9, 2, "c", 0)
    assert [await store.load(*k) for k in ((1, 2), (1, 3), (9, 2))] == [
        ("a", 1),
        ("b", 1),
        ("c", 1),
    ]


async def test_write_with_an_old_version_loses_and_changes_nothing(store: Store) -> None:
    await store.save(1, 2, "first", 0)
    assert await store.save(1, 2, "second", 1) == 2
    assert await store.save(1, 2, "late", 1) is None
    assert await store.save(1, 2, "new-but-stale", 0) is None
    assert await store.load(1, 2) == ("second", 2)


async def test_two_racing_writes_have_exactly_one_winner(store: Store) -> None:
    await store.save(5, 5, "start", 0)
    results = await asyncio.gather(*(store.save(5, 5, f"w{i}", 1) for i in range(8)))
    assert sum(r is not None for r in results) == 1
    data, version = await store.load(5, 5)
    assert version == 2 and data == f"w{results.index(2)}"


async def test_expired_session_is_gone_and_purged(store: Store, monkeypatch) -> None:
    await store.save(1, 2, "old", 0)
    later = time.time() + TTL + 10
    monkeypatch.setattr(time, "time", lambda: later)
    assert await store.load(1, 2) is None
    assert await store.save(1, 2, "fresh", 0) is not None  # an expired row may be replaced
    monkeypatch.setattr(time, "time", lambda: later + TTL + 10)
    assert await store.purge() == 1
    assert await store.load(1, 2) is None


async def test_delete(store: Store) -> None:
    await store.save(1, 2, "x", 0)
    await store.delete(1, 2)
    assert await store.load(1, 2) is None


async def test_sqlite_survives_reopen_and_records_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "db" / "bot.sqlite3"
    first = SQLiteStore(path, TTL)
    await first.open()
    await first.save(1, 2, "kept", 0)
    await first.close()
    second = SQLiteStore(path, TTL)
    await second.open()
    assert await second.load(1, 2) == ("kept", 1)
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
