"""Process types and health, as an operator meets them: real processes, real HTTP.

`poll` always polls and `webhook` always serves the webhook; a process type given settings that
contradict it says so in one line and exits 2. `/healthz` follows the store in every mode: a
database another process has locked, a deleted database file or a stopped PostgreSQL server
turn it to 503 with the reason, and it recovers when the store does.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pg_server import Unavailable, throwaway_server, unavailable
from standin_botapi import StandinBotAPI
from telegram_helpers import TOKEN

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bot_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("WEBHOOK_URL", "METRICS_PORT")}
    return {**env, "TELEGRAM_BOT_TOKEN": TOKEN, "LOG_LEVEL": "WARNING", **overrides}


def run_bot(*args: str, code: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    command = ["-c", code, *args] if code else ["-m", "bot", *args]
    return subprocess.run(
        [sys.executable, *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        env=bot_env(**env),
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def test_worker_with_webhook_settings_refuses_in_one_line(tmp_path: Path) -> None:
    line = one_line_error(
        run_bot("poll", WEBHOOK_URL="https://bot.example.org/telegram", DATABASE_URL="sqlite:///x")
    )
    assert "WEBHOOK_URL is set" in line and "python -m bot webhook" in line
    assert not (ROOT / "x").exists()


def test_web_without_webhook_url_refuses_in_one_line() -> None:
    line = one_line_error(run_bot("webhook", WEBHOOK_URL=""))
    assert "WEBHOOK_URL is not set" in line


@pytest.mark.parametrize("mode", ["poll", "webhook"])
def test_a_process_type_without_a_token_says_so_in_one_line(mode: str) -> None:
    line = one_line_error(run_bot(mode, TELEGRAM_BOT_TOKEN="", WEBHOOK_URL="https://x.org/t"))
    assert "TELEGRAM_BOT_TOKEN is not set" in line


def test_postgresql_without_the_extra_names_the_extra() -> None:
    # `None` in sys.modules makes `import asyncpg` fail exactly as if it were not installed.
    code = (
        "import sys; sys.modules['asyncpg'] = None; "
        "from bot.cli.main import main; sys.exit(main(sys.argv[1:]))"
    )
    line = one_line_error(run_bot("poll", code=code, DATABASE_URL="postgresql://u@127.0.0.1/db"))
    assert "pip install 'yibao-account-bot[postgres]'" in line


def test_health_without_an_endpoint_to_ask_is_one_line() -> None:
    line = one_line_error(run_bot("health", METRICS_PORT=""))
    assert "METRICS_PORT" in line


def test_an_unknown_database_scheme_is_one_line() -> None:
    line = one_line_error(run_bot("poll", DATABASE_URL="mysql://u@h/db"))
    assert "unsupported DATABASE_URL scheme 'mysql'" in line


# --- health over HTTP ---------------------------------------------------------------------


def get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def wait_for_status(port: int, proc: subprocess.Popen[bytes], status: int) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"the bot exited with {proc.returncode}"
        try:
            got, body = get(port, "/healthz")
        except OSError:
            got, body = 0, ""
        if got == status:
            return body
        time.sleep(0.1)
    raise AssertionError(f"/healthz never answered {status}")


@contextmanager
def bot_process(*args: str, **env: str) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen([sys.executable, "-m", "bot", *args], cwd=ROOT, env=bot_env(**env))
    try:
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert proc.returncode == 0


def test_polling_serves_health_and_metrics_that_follow_sqlite(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    port = free_port()
    with (
        StandinBotAPI() as api,
        bot_process(
            "poll",
            TELEGRAM_BASE_URL=api.base_url,
            DATABASE_URL=f"sqlite:///{db}",
            METRICS_PORT=str(port),
        ) as proc,
    ):
        assert wait_for_status(port, proc, 200) == "ok\n"
        user = api.user(3001)
        api.send_text(user, "/start")
        api.wait_for(lambda a: a.last_message(user.id) is not None, timeout=30)
        # The reply can arrive before the handler has returned and its time is recorded.
        deadline = time.monotonic() + 10
        while True:
            status, metrics = get(port, "/metrics")
            if "bot_update_seconds_count 1.0" in metrics or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert status == 200
        assert 'bot_updates_total{kind="message"} 1.0' in metrics
        assert "bot_update_seconds_count 1.0" in metrics

        # Another process holds the write lock: the bot could not save an answer now.
        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        assert "locked" in wait_for_status(port, proc, 503)
        holder.execute("ROLLBACK")
        holder.close()
        wait_for_status(port, proc, 200)

        healthy = run_bot("health", METRICS_PORT=str(port))  # the image's HEALTHCHECK
        assert (healthy.returncode, healthy.stdout) == (0, "ok\n"), healthy.stderr

        # The database file is gone (a volume not mounted, a mistaken rm).
        for path in tmp_path.glob("bot.sqlite3*"):
            path.unlink()
        assert "unable to open database file" in wait_for_status(port, proc, 503)
        sick = run_bot("health", METRICS_PORT=str(port))
        assert sick.returncode == 1 and "unhealthy (503): store:" in sick.stderr


def test_webhook_health_follows_sqlite(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    port = free_port()
    with (
        StandinBotAPI() as api,
        bot_process(
            "webhook",
            TELEGRAM_BASE_URL=api.base_url,
            DATABASE_URL=f"sqlite:///{db}",
            WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram",
            PORT=str(port),
        ) as proc,
    ):
        wait_for_status(port, proc, 200)
        for path in tmp_path.glob("bot.sqlite3*"):
            path.unlink()
        assert "store:" in wait_for_status(port, proc, 503)


def test_polling_health_follows_a_postgresql_server_that_stops() -> None:
    port = free_port()
    try:
        server = throwaway_server()
        dsn = server.__enter__()
    except Unavailable as exc:
        unavailable(str(exc))
    with (
        StandinBotAPI() as api,
        bot_process(
            "poll", TELEGRAM_BASE_URL=api.base_url, DATABASE_URL=dsn, METRICS_PORT=str(port)
        ) as proc,
    ):
        try:
            wait_for_status(port, proc, 200)
        finally:
            server.__exit__(None, None, None)  # stops the server and deletes it
        assert "store:" in wait_for_status(port, proc, 503)


def _one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """Exit 1 and a single `error:` line: no traceback, no leaked-connection warnings."""
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "Unclosed" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert not [line for line in lines if " ERROR " in line], result.stderr
    errors = [line for line in lines if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    return errors[0]


@pytest.mark.parametrize("mode", ["poll", "webhook"])
def test_an_unreachable_bot_api_is_one_line_at_start(mode: str, tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    env = {"TELEGRAM_BASE_URL": f"http://127.0.0.1:{port}/bot"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    if mode == "webhook":
        env |= {"WEBHOOK_URL": "http://127.0.0.1:1/telegram", "PORT": str(free_port())}
    line = _one_error_line(run_bot(mode, **env))
    assert f"127.0.0.1:{port}" in line and "TELEGRAM_BASE_URL" in line


def test_a_token_telegram_refuses_is_one_line_at_start(tmp_path: Path) -> None:
    with StandinBotAPI() as api:
        api.fail_next("getMe", status=401, description="Unauthorized", count=20)
        result = run_bot(
            "poll",
            TELEGRAM_BASE_URL=api.base_url,
            DATABASE_URL=f"sqlite:///{tmp_path / 'bot.sqlite3'}",
        )
    assert "TELEGRAM_BOT_TOKEN" in _one_error_line(result)
