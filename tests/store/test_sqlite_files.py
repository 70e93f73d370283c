"""What the SQLite files on disk hold and allow: after /forget, their mode, read-only."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from bot.store.sqlite import SQLiteStore

ROOT = Path(__file__).resolve().parents[2]
# Five significant bytes: SQLite keeps it as the 6-byte big-endian integer 00 7a 5b 3c 2d 1e.
USER = 0x7A5B3C2D1E
OTHER = 0x123456789


def traces(db: Path, user: int) -> dict[str, int]:
    """How often the user's id appears in the bytes of the database and its -wal/-shm files."""
    needles = (user.to_bytes(6, "big"), str(user).encode())
    found = {}
    for path in db.parent.glob(db.name + "*"):
        data = path.read_bytes()
        found[path.name] = sum(data.count(n) for n in needles)
    return found


async def test_after_forget_the_user_id_is_in_no_file(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    store = SQLiteStore(db, 86400)
    await store.open()
    try:
        version = 0
        for step in range(60):  # many versions of the row, as a user's answers make
            version = await store.save(USER, USER, f'{{"s":"item","n":{step}}}', version) or 0
        await store.save(-100777, USER, "{}", 0)
        await store.set_user_locale(USER, "en")
        await store.save(OTHER, OTHER, "{}", 0)
        assert sum(traces(db, USER).values()) > 0  # the check can see the id
        await store.forget_user(USER)
        assert traces(db, USER) == dict.fromkeys(traces(db, USER), 0), traces(db, USER)
        assert (await store.load(OTHER, OTHER)).version == 1  # the others' rows are untouched
    finally:
        await store.close()


async def test_the_database_files_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    db = tmp_path / "data" / "bot.sqlite3"
    old = os.umask(0o022)
    try:
        store = SQLiteStore(db, 86400)
        await store.open()
        await store.save(1, 1, "{}", 0)
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in db.parent.iterdir()}
        await store.close()
    finally:
        os.umask(old)
    assert modes and all(mode == 0o600 for mode in modes.values()), modes


def test_the_bot_refuses_to_start_on_a_read_only_database_in_one_line(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    db.touch()
    db.chmod(0o400)
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": "123456:TEST-TOKEN",
        "TELEGRAM_BASE_URL": "http://127.0.0.1:9/bot",  # never reached: the store opens first
        "DATABASE_URL": f"sqlite:///{db}",
    }
    # Root writes to any file; without the capability that allows it, the mode counts again.
    unprivileged = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]
    result = subprocess.run(
        [*(unprivileged if os.geteuid() == 0 else []), sys.executable, "-m", "bot"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "read-only" in lines[0], lines
