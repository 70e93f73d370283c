"""A PostgreSQL server for the store's contract tests.

The PostgreSQL store must pass the same suite as the SQLite one against a real server, not a
mock: upserts under concurrency, advisory locks and transactions are exactly what a fake would get
wrong. So the session fixture `postgres_dsn` provides, in this order:

1. `TEST_DATABASE_URL` when set (an existing server; the user needs CREATE on the database);
2. otherwise a throwaway server started from the local binaries (`initdb`/`pg_ctl` on PATH or
   Debian's /usr/lib/postgresql/<version>/bin): a temporary data directory, trust auth, listening
   only on 127.0.0.1 on a free port with its Unix socket inside the temporary directory, durability
   switched off for speed; stopped and deleted when the test session ends.

Without binaries the PostgreSQL tests are skipped with "PostgreSQL not available: <reason>"
(shown by `pytest -rs`), except when `CI` is set: there a missing server fails every PostgreSQL
test, because CI (`.ci/run`) installs Debian's postgresql package and a skip would hide a broken
backend. Each test gets its own schema (`clean_schema`), dropped afterwards.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg
import pytest

ENV_URL = "TEST_DATABASE_URL"
DATABASE = "bot_test"
SUPERUSER = "postgres"
START_ATTEMPTS = 3  # a free port can be taken between choosing it and the server binding it

# The data is thrown away at the end of the session, so nothing needs to reach the disk.
_SERVER_CONF = """
listen_addresses = '127.0.0.1'
unix_socket_directories = '{socket_dir}'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
"""


class Unavailable(Exception):
    """No PostgreSQL server can be started here; the message says why."""


def in_ci() -> bool:
    """CI services set CI=true; `.ci/run` sets CI=1. Empty, 0 or false mean a developer box."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def find_bindir() -> Path:
    """The directory with initdb and pg_ctl: PATH first, then Debian's versioned directories."""
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).resolve().parent
    candidates = [*glob.glob("/usr/lib/postgresql/*/bin"), "/usr/local/pgsql/bin"]

    def version(path: str) -> tuple[int, ...]:
        name = Path(path).parent.name
        return tuple(int(part) for part in name.split(".") if part.isdigit()) or (0,)

    for candidate in sorted(candidates, key=version, reverse=True):
        if (Path(candidate) / "initdb").is_file() and (Path(candidate) / "pg_ctl").is_file():
            return Path(candidate)
    raise Unavailable(
        "no initdb/pg_ctl on PATH or in /usr/lib/postgresql/*/bin"
        " (install Debian's postgresql package, or set TEST_DATABASE_URL)"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_user() -> pwd.struct_passwd | None:
    """The OS user to run the server as: None for ourselves, `postgres` when we are root.

    initdb and postgres refuse to run as root, so as root the data directory is handed to the
    `postgres` user that Debian's package creates.
    """
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(SUPERUSER)
    except KeyError:
        raise Unavailable(
            "running as root and there is no 'postgres' OS user to run the server as"
        ) from None


def _as_user(user: pwd.struct_passwd | None, cmd: list[str]) -> list[str]:
    if user is None:
        return cmd
    if shutil.which("runuser"):
        return ["runuser", "-u", user.pw_name, "--", *cmd]
    return ["su", user.pw_name, "-s", "/bin/sh", "-c", shlex.join(cmd)]


def _run(cmd: list[str], what: str) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip()[-2000:]
        raise Unavailable(f"{what} failed ({result.returncode}): {output}")


def _temp_base(user: pwd.struct_passwd | None) -> str | None:
    """A temporary directory the server user can reach (root's TMPDIR may be private)."""
    base = tempfile.gettempdir()
    if user is not None and not os.stat(base).st_mode & 0o001:
        return "/tmp"
    return base


@contextlib.contextmanager
def throwaway_server() -> Iterator[str]:
    """Start a private server, yield a DSN for an empty database, then stop and delete it."""
    bindir = find_bindir()
    user = _server_user()
    root = Path(tempfile.mkdtemp(prefix="bot-pg-", dir=_temp_base(user)))
    data = root / "data"
    log = root / "server.log"
    started = False
    try:
        if user is not None:
            os.chown(root, user.pw_uid, user.pw_gid)
        _run(
            _as_user(
                user,
                [
                    str(bindir / "initdb"),
                    "--pgdata",
                    str(data),
                    "--username",
                    SUPERUSER,
                    "--auth",
                    "trust",
                    "--encoding",
                    "UTF8",
                    "--no-locale",
                    "--no-sync",
                ],
            ),
            "initdb",
        )
        with (data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(_SERVER_CONF.format(socket_dir=root))
        for attempt in range(1, START_ATTEMPTS + 1):
            port = _free_port()
            start = [str(bindir / "pg_ctl"), "--pgdata", str(data), "--log", str(log)]
            start += ["--wait", "--timeout", "60", "--options", f"-p {port}", "start"]
            try:
                _run(_as_user(user, start), "pg_ctl start")
            except Unavailable as exc:
                if attempt == START_ATTEMPTS:
                    tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
                    raise Unavailable(f"{exc}\n{tail}") from None
                continue
            started = True
            break
        createdb = [str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port)]
        _run([*createdb, "-U", SUPERUSER, DATABASE], "createdb")
        yield f"postgresql://{SUPERUSER}@127.0.0.1:{port}/{DATABASE}"
    finally:
        if started:
            stop = [str(bindir / "pg_ctl"), "--pgdata", str(data), "--mode", "immediate"]
            subprocess.run(
                _as_user(user, [*stop, "--wait", "stop"]), capture_output=True, check=False
            )
        shutil.rmtree(root, ignore_errors=True)


def unavailable(reason: str) -> None:
    """Skip visibly on a developer's machine; fail in CI, where PostgreSQL must be present."""
    if in_ci():
        pytest.fail(f"PostgreSQL not available in CI: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL not available: {reason}")


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    """A DSN for a database the tests may create schemas in, for the whole session."""
    url = os.environ.get(ENV_URL)
    if url:
        yield url
        return
    with contextlib.ExitStack() as stack:
        try:
            dsn = stack.enter_context(throwaway_server())
        except Unavailable as exc:
            reason = str(exc)
        else:
            yield dsn
            return
    unavailable(reason)  # outside the except block: no chained traceback in the report


def with_search_path(dsn: str, schema: str) -> str:
    """The DSN with `search_path` set; asyncpg sends unknown query parameters as settings."""
    parts = urlsplit(dsn)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "search_path"]
    query.append(("search_path", schema))
    return urlunsplit(parts._replace(query=urlencode(query)))


@contextlib.asynccontextmanager
async def clean_schema(dsn: str) -> AsyncIterator[str]:
    """A new empty schema for one test, as a DSN whose unqualified names land in it.

    A schema rather than TRUNCATE: the migration tests need a database without the tables, and a
    shared TEST_DATABASE_URL is never touched outside the test's own schema.
    """
    schema = f"test_{uuid.uuid4().hex[:16]}"
    con = await asyncpg.connect(dsn)
    try:
        await con.execute(f'CREATE SCHEMA "{schema}"')
    finally:
        await con.close()
    try:
        yield with_search_path(dsn, schema)
    finally:
        con = await asyncpg.connect(dsn)
        try:
            await con.execute(f'DROP SCHEMA "{schema}" CASCADE')
        finally:
            await con.close()
