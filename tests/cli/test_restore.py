"""`python -m bot restore`: a bad copy never touches the live database."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from unittest.mock import patch

import pytest

from bot.cli.main import main
from bot.store.backup import backup
from bot.store.sqlite import MIGRATIONS, SCHEMA_VERSION, SQLiteStore

ROOT = Path(__file__).resolve().parents[2]


def make_live(db: Path, sessions: int = 50) -> None:
    async def fill() -> None:
        store = SQLiteStore(db, 86400)
        await store.open()
        for user in range(1, sessions + 1):
            await store.save(user, user, "{}", 0)
        await store.close()

    asyncio.run(fill())


def restore_cli(db: Path, copy: Path) -> subprocess.CompletedProcess[str]:
    """`python -m bot restore` in this process (the CLI as is, minus the interpreter start)."""
    env = {"DATABASE_URL": f"sqlite:///{db}"}
    err, out = io.StringIO(), io.StringIO()
    with (
        patch.dict(os.environ, env),
        contextlib.redirect_stderr(err),
        contextlib.redirect_stdout(out),
    ):
        code = main(["restore", str(copy)])
    return subprocess.CompletedProcess(["restore"], code, out.getvalue(), err.getvalue())


def restore_process(db: Path, copy: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    return subprocess.run(
        [sys.executable, "-m", "bot", "restore", str(copy)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def files_of(db: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in db.parent.glob(db.name + "*") if p.is_file()}


def foreign_db(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        conn.execute("INSERT INTO notes (body) VALUES ('another application')")
    conn.close()


def newer_schema(path: Path) -> None:
    make_live(path, 1)
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    conn.close()


def truncated(path: Path, source: Path) -> None:
    backup(source, path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


BAD_COPIES = {
    "empty": lambda p, live: p.touch(),
    "random": lambda p, live: p.write_bytes(os.urandom(8192)),
    "text": lambda p, live: p.write_text("SQLite format 3\0 but not really\n" * 100),
    "foreign": lambda p, live: foreign_db(p),
    "newer": lambda p, live: newer_schema(p),
    "truncated": truncated,
    "directory": lambda p, live: p.mkdir(),
}


@pytest.mark.parametrize("kind", sorted(BAD_COPIES))
def test_a_bad_copy_leaves_the_live_database_byte_for_byte(tmp_path: Path, kind: str) -> None:
    db = tmp_path / "live.db"
    make_live(db)
    copy = tmp_path / f"{kind}.db"
    BAD_COPIES[kind](copy, db)
    before = files_of(db)
    result = restore_cli(db, copy)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr
    assert files_of(db) == before
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM sessions").fetchone()[0] == 50
    conn.close()


def test_restoring_the_database_onto_itself_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "live.db"
    make_live(db)
    before = files_of(db)
    result = restore_cli(db, db)
    assert result.returncode != 0 and result.stderr.startswith("error: "), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert files_of(db) == before


def test_a_live_path_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    good = tmp_path / "good.db"
    make_live(good, 3)
    live = tmp_path / "live.db"
    live.write_text("my notes, not a database\n")
    result = restore_cli(live, good)
    assert result.returncode != 0 and result.stderr.startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr
    assert live.read_text() == "my notes, not a database\n"


def test_a_good_copy_replaces_the_live_one_and_keeps_it_beside(tmp_path: Path) -> None:
    db = tmp_path / "live.db"
    make_live(db, 50)
    copy = tmp_path / "copy.db"
    make_live(copy, 7)
    result = restore_cli(db, copy)
    assert result.returncode == 0, result.stderr
    assert "7 sessions" in result.stdout
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM sessions").fetchone()[0] == 7
    conn.close()
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("live.db.before-restore")]
    assert len(kept) == 1, list(tmp_path.iterdir())
    with sqlite3.connect(kept[0]) as conn:
        assert conn.execute("SELECT count(*) FROM sessions").fetchone()[0] == 50
    conn.close()
    assert not (tmp_path / "live.db-wal").exists() or (tmp_path / "live.db-wal").stat().st_size == 0


def test_a_copy_of_an_older_schema_is_restored_and_migrates(tmp_path: Path) -> None:
    db = tmp_path / "live.db"
    make_live(db, 2)
    old = tmp_path / "old.db"
    with sqlite3.connect(old) as conn:
        for sql in MIGRATIONS[0][1]:
            conn.execute(sql)
        conn.execute("PRAGMA user_version=1")
        conn.execute("INSERT INTO sessions VALUES (5, 5, '{}', 1, strftime('%s','now'))")
    conn.close()
    result = restore_cli(db, old)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT user_id FROM sessions").fetchall() == [(5,)]
    conn.close()


def test_the_restore_command_of_an_empty_file_is_one_error_line(tmp_path: Path) -> None:
    """The real process: exit code and stderr as an operator sees them."""
    db = tmp_path / "live.db"
    make_live(db)
    (tmp_path / "e.db").touch()
    before = files_of(db)
    result = restore_process(db, tmp_path / "e.db")
    assert result.returncode == 1, result
    assert result.stderr.startswith("error: ") and len(result.stderr.splitlines()) == 1
    assert files_of(db) == before
