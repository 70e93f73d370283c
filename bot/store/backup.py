"""Consistent copies of the SQLite database while the bot runs, and putting one back.

SQLite's online backup API copies a consistent snapshot page by page even while another
connection writes, which a plain file copy of a WAL database does not guarantee.

`restore` touches the live database only after the copy has passed every check (an SQLite
file, intact, with this bot's tables at a schema version it can migrate), then keeps the
previous database beside it and swaps the new file in with one atomic rename.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from pathlib import Path

from bot.store.sqlite import SCHEMA_VERSION

HEADER = b"SQLite format 3\x00"
# The tables each schema version has; a file without them belongs to another application.
_TABLES = {
    1: {"sessions"},
    2: {"sessions", "users", "chats", "verdicts"},
    3: {"sessions", "users", "chats", "verdicts", "feedback"},
}


class BackupError(Exception):
    pass


def _connect_ro(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def _check(path: Path) -> int:
    """Raise BackupError unless `path` is an intact database of this bot; returns its sessions."""
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    with path.open("rb") as file:
        header = file.read(len(HEADER))
    if header != HEADER:
        raise BackupError(f"{path} is not an SQLite database")
    db = _connect_ro(path)
    try:
        result = db.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise BackupError(f"{path} failed its integrity check: {result.splitlines()[0]}")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if version > SCHEMA_VERSION:
            raise BackupError(
                f"{path} has schema version {version}; this version of the bot knows up to "
                f"{SCHEMA_VERSION}: upgrade the bot first"
            )
        if version not in _TABLES or not _TABLES[version] <= tables:
            raise BackupError(f"{path} is not a database of this bot")
        return int(db.execute("SELECT count(*) FROM sessions").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a usable database ({exc})") from exc
    finally:
        db.close()


def _copy(source_path: Path, target: Path) -> None:
    """A consistent, self-contained (no -wal beside it) copy, readable by its owner only."""
    target.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT, 0o600))
    source = sqlite3.connect(source_path)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy, pages=1024)
        copy.execute("PRAGMA journal_mode=DELETE")
    finally:
        copy.close()
        source.close()


def backup(database: Path, target: Path) -> int:
    """Copy `database` to `target`; returns the number of sessions in the copy."""
    if not database.exists():
        raise BackupError(f"no database at {database}")
    _copy(database, target)
    return _check(target)


def restore(copy: Path, database: Path) -> int:
    """Replace `database` with `copy`; returns the sessions restored.

    Stop the bot first: it would otherwise keep answering from what it had read. On any
    problem the live database is left exactly as it was.
    """
    if not copy.exists():
        raise BackupError(f"no backup at {copy}")
    if database.exists() and copy.resolve() == database.resolve():
        raise BackupError(f"{copy} is the live database itself")
    sessions = _check(copy)
    if database.exists() and database.stat().st_size > 0:
        _check(database)  # never replace a file that is not ours
    staged = database.with_name(database.name + ".restoring")
    with contextlib.suppress(FileNotFoundError):
        staged.unlink()
    try:
        _copy(copy, staged)
        _check(staged)
        if database.exists():
            stamp = time.strftime("%Y%m%d-%H%M%S")
            _copy(database, database.with_name(f"{database.name}.before-restore-{stamp}"))
            _empty_wal(database)
        os.replace(staged, database)  # atomic: readers see the old file or the new one
    finally:
        with contextlib.suppress(FileNotFoundError):
            staged.unlink()
    for suffix in ("-wal", "-shm"):  # emptied above; they belonged to the old file
        with contextlib.suppress(FileNotFoundError):
            database.with_name(database.name + suffix).unlink()
    _sync_dir(database.parent)
    return sessions


def _empty_wal(database: Path) -> None:
    """Fold the live -wal into its file so that no old WAL frame is replayed on the new one."""
    db = sqlite3.connect(database)
    try:
        busy = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
    finally:
        db.close()
    if busy:
        raise BackupError(f"{database} is in use: stop the bot first")


def _sync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
