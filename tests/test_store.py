"""Contract tests for the session store. Every backend must pass the same suite."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store import (
    SCHEMA_VERSION,
    ChatSettings,
    SQLiteStore,
    Store,
    open_store,
    sqlite_path,
)

TTL = 3600.0


@pytest.fixture(params=["sqlite"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    s = SQLiteStore(tmp_path / "bot.sqlite3", TTL)
    await s.open()
    yield s
    await s.close()


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
