"""/forget, backups under load, and upgrading a database made by the first schema."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from standin_botapi import StandinBotAPI
from telegram_helpers import press, running_bot, say

from bot.store.backup import backup, restore
from bot.store.sqlite import MIGRATIONS, SCHEMA_VERSION, SQLiteStore

ROOT = Path(__file__).resolve().parents[2]
GROUP = {"id": -1009876, "type": "supergroup", "title": "G"}


def rows_mentioning(db: Path, user_id: int) -> dict[str, int]:
    """Every row of every table that holds the user's id in any integer column."""
    found = {}
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            where = " OR ".join(f"{c} = ?" for c in columns)
            count = conn.execute(
                f"SELECT count(*) FROM {table} WHERE {where}", [user_id] * len(columns)
            ).fetchone()[0]
            found[table] = count
    return found


async def test_forget_asks_first_then_leaves_no_row_about_the_user(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    db = tmp_path / "bot.sqlite3"
    user, other = api.user(4001), api.user(4002)
    async with running_bot(api, db):
        await say(api, user, "/start")
        await press(api, user, api.last_message(user.id), button_text="北京")
        await say(api, user, "/ask", chat=GROUP)
        await say(api, other, "/ask", chat=GROUP)
        await say(api, user, "/language")
        await press(api, user, api.last_message(user.id), button_text="English")
        assert sum(rows_mentioning(db, user.id).values()) >= 3
        question = await say(api, user, "/forget")
        await press(api, user, question, index=1)  # "cancel" first: nothing is deleted
        assert sum(rows_mentioning(db, user.id).values()) >= 3
        question = await say(api, user, "/forget")
        await press(api, user, question, index=0)
        assert (
            "deleted" in api.last_message(user.id)["text"].lower()
            or "删除" in (api.last_message(user.id)["text"])
        )
    assert sum(rows_mentioning(db, user.id).values()) == 0, rows_mentioning(db, user.id)
    assert rows_mentioning(db, other.id)["sessions"] == 1


async def test_backup_under_load_restores_a_consistent_copy(tmp_path: Path) -> None:
    db = tmp_path / "live.sqlite3"
    store = SQLiteStore(db, 86400)
    await store.open()
    stop = asyncio.Event()

    async def writer(user: int) -> None:
        version = 0
        while not stop.is_set():
            version = await store.save(1, user, f'{{"n":{version}}}', version) or version
            await asyncio.sleep(0)

    writers = [asyncio.create_task(writer(u)) for u in range(20)]
    await asyncio.sleep(0.3)
    copy = tmp_path / "backup.sqlite3"
    sessions = await asyncio.to_thread(backup, db, copy)
    await asyncio.sleep(0.1)
    stop.set()
    await asyncio.gather(*writers)
    await store.close()
    assert sessions == 20
    target = tmp_path / "restored.sqlite3"
    assert restore(copy, target) == 20
    with sqlite3.connect(target) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for data, version in conn.execute("SELECT data, version FROM sessions"):
            assert data == f'{{"n":{version - 1}}}'  # each row is one whole committed write


def test_backup_and_restore_commands(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}

    async def make() -> None:
        store = SQLiteStore(db, 86400)
        await store.open()
        await store.save(1, 1, "{}", 0)
        await store.close()

    asyncio.run(make())
    copy = tmp_path / "copy.sqlite3"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "backup", str(copy)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and "1 sessions" in result.stdout, result.stderr
    db.unlink()
    result = subprocess.run(
        [sys.executable, "-m", "bot", "restore", str(copy)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM sessions").fetchone()[0] == 1
    result = subprocess.run(
        [sys.executable, "-m", "bot", "restore", str(tmp_path / "nope")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1 and "no backup" in result.stderr


async def test_a_database_made_by_the_first_schema_migrates_without_loss(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite3"
    with sqlite3.connect(db) as conn:  # exactly what release 1 created
        for sql in MIGRATIONS[0][1]:
            conn.execute(sql)
        conn.execute("PRAGMA user_version=1")
        conn.executemany(
            "INSERT INTO sessions VALUES (?, ?, ?, ?, strftime('%s','now'))",
            [(u, u, '{"s":"province","a":{},"h":[]}', 3) for u in range(1, 51)],
        )
    store = SQLiteStore(db, 86400)
    await store.open()
    for user in range(1, 51):
        loaded = await store.load(user, user)
        assert loaded.version == 3 and loaded.data and loaded.user_locale is None
    assert await store.save(7, 7, "new", 3) == 4
    await store.close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
