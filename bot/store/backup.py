"""Consistent copies of the SQLite database while the bot runs, and putting one back.

SQLite's online backup API copies a consistent snapshot page by page even while another
connection writes, which a plain file copy of a WAL database does not guarantee.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


class BackupError(Exception):
    pass


def _check(path: Path) -> None:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        result = db.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        raise BackupError(f"{path} failed its integrity check: {result}")


def backup(database: Path, target: Path) -> int:
    """Copy `database` to `target`; returns the number of sessions in the copy."""
    if not database.exists():
        raise BackupError(f"no database at {database}")
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(database)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy, pages=1024)
        # A backup is one self-contained file: no -wal beside it to lose.
        copy.execute("PRAGMA journal_mode=DELETE")
        sessions = copy.execute("SELECT count(*) FROM sessions").fetchone()[0]
    finally:
        copy.close()
        source.close()
    _check(target)
    return sessions


def restore(copy: Path, database: Path) -> int:
    """Replace the contents of `database` with `copy`; returns the sessions restored.

    Stop the bot first: it would otherwise keep answering from what it had read.
    """
    if not copy.exists():
        raise BackupError(f"no backup at {copy}")
    _check(copy)
    database.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(copy)
    live = sqlite3.connect(database)
    try:
        source.backup(live)
        sessions = live.execute("SELECT count(*) FROM sessions").fetchone()[0]
    finally:
        live.close()
        source.close()
    return sessions
