"""The webhook port under abuse and failure: slow and idle connections, floods of them, bodies
that are JSON but not updates, two workers without a shared secret, a database that fails."""

from __future__ import annotations

import json
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
from pathlib import Path

import pytest
from standin_botapi import StandinBotAPI
from telegram_helpers import TOKEN

ROOT = Path(__file__).resolve().parents[2]
SECRET = "webhook-guard-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Worker:
    """`python -m bot --webhook` on SQLite, its log collected."""

    def __init__(self, api: StandinBotAPI, db: Path, secret: str | None = SECRET, **env: str):
        self.port = free_port()
        environ = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_BASE_URL": api.base_url,
            "DATABASE_URL": f"sqlite:///{db}",
            "WEBHOOK_URL": f"http://127.0.0.1:{self.port}/telegram",
            "PORT": str(self.port),
            "WEBHOOK_LISTEN": "127.0.0.1",
            "LOG_LEVEL": "INFO",
            **env,
        }
        environ.pop("WEBHOOK_SECRET", None)
        if secret is not None:
            environ["WEBHOOK_SECRET"] = secret
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "--webhook"],
            cwd=ROOT,
            env=environ,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.log = ""

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_healthy(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"worker exited with {self.proc.returncode}"
            if get(self.url("/healthz"))[0] == 200:
                return
            time.sleep(0.05)
        raise AssertionError("the worker never became healthy")

    def stop(self) -> str:
        self.proc.send_signal(signal.SIGTERM)
        try:
            _, self.log = self.proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, self.log = self.proc.communicate()
        return self.log


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
    except OSError as exc:
        return 0, repr(exc)


def post(url: str, body: bytes, secret: str = SECRET) -> int:
    request = urllib.request.Request(
        url,
        data=body,
        headers={"X-Telegram-Bot-Api-Secret-Token": secret, "Content-Type": "application/json"},
    )
    return get_request(request)


def get_request(request: urllib.request.Request) -> int:
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def closed_by_server(sock: socket.socket, timeout: float = 10) -> bool:
    sock.settimeout(timeout)
    try:
        while sock.recv(4096):
            pass
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False
    return True


@pytest.fixture
def worker(api: StandinBotAPI, tmp_path: Path) -> Iterator[Worker]:
    running = Worker(api, tmp_path / "bot.sqlite3", WEBHOOK_READ_TIMEOUT="1")
    try:
        running.wait_healthy()
        yield running
    finally:
        running.stop()


def deliver(api: StandinBotAPI, worker: Worker, update_id: int) -> int:
    return post(worker.url("/telegram"), json.dumps(api.pop_update(update_id)).encode())


NOT_UPDATES = {
    "list": b"[]",
    "null": b"null",
    "number": b"5",
    "string": b'"x"',
    "no-id": b"{}",
    "text-id": b'{"update_id": "7"}',
    "deep": b"[" * 100_000 + b"]" * 100_000,
    "bad-message": b'{"update_id": 5, "message": {"chat": 7}}',
}


def test_json_that_is_not_an_update_gets_400(worker: Worker) -> None:
    statuses = {name: post(worker.url("/telegram"), body) for name, body in NOT_UPDATES.items()}
    assert statuses == dict.fromkeys(NOT_UPDATES, 400)
    assert worker.proc.poll() is None
    assert "Traceback" not in worker.stop()


def test_idle_and_half_sent_connections_do_not_take_the_port_down(
    api: StandinBotAPI, worker: Worker
) -> None:
    """300 connections that send half a request and then nothing, three times the limit."""
    user = api.user(7201)
    sockets = []
    try:
        for _ in range(300):
            sock = socket.create_connection(("127.0.0.1", worker.port))
            sock.sendall(b"POST /telegram HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n")
            sockets.append(sock)
        # Each is closed by the server: at once over the limit, after the timeout otherwise.
        assert all(closed_by_server(sock) for sock in sockets)
        assert get(worker.url("/healthz"))[0] == 200
        assert deliver(api, worker, api.send_text(user, "/start")) == 200
        api.wait_for(lambda a: a.last_message(user.id), timeout=10)
    finally:
        for sock in sockets:
            sock.close()
    log = worker.stop()
    print(f"{len(log.splitlines())} log lines for 300 abusive connections")
    assert len(log.splitlines()) < 30, log[-3000:]


def test_a_slow_body_is_cut_off(api: StandinBotAPI, worker: Worker) -> None:
    with socket.create_connection(("127.0.0.1", worker.port)) as sock:
        sock.sendall(
            b"POST /telegram HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"X-Telegram-Bot-Api-Secret-Token: " + SECRET.encode() + b"\r\n"
            b"Content-Length: 1000\r\n\r\n{"
        )
        sock.settimeout(10)
        answer = sock.recv(1024)
    assert answer == b"" or b" 408 " in answer.split(b"\r\n")[0], answer


def test_two_workers_without_a_secret_accept_each_others_updates(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    db = tmp_path / "bot.sqlite3"
    workers = [Worker(api, db, secret=None) for _ in range(2)]
    try:
        for running in workers:
            running.wait_healthy()
        registered = api.webhook["secret_token"]  # the one Telegram would send: the last set
        assert registered
        user = api.user(7211)
        for running in workers:
            update = api.pop_update(api.send_text(user, "/help"))
            assert post(running.url("/telegram"), json.dumps(update).encode(), registered) == 200
    finally:
        for running in workers:
            running.stop()


def test_health_and_updates_follow_the_database(api: StandinBotAPI, tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    running = Worker(api, db)
    user = api.user(7221)
    try:
        running.wait_healthy()
        assert deliver(api, running, api.send_text(user, "/start")) == 200
        with sqlite3.connect(db) as conn:  # the database breaks under the bot
            conn.execute("ALTER TABLE sessions RENAME TO sessions_away")
        conn.close()
        assert get(running.url("/healthz"))[0] == 503
        update = api.pop_update(api.send_text(user, "/restart"))
        mark = len(api.calls_of("sendMessage"))
        statuses = [post(running.url("/telegram"), json.dumps(update).encode()) for _ in range(3)]
        assert all(status >= 500 for status in statuses), statuses  # Telegram will retry
        apologies = api.calls_of("sendMessage")[mark:]
        assert len(apologies) == 1, apologies  # told once, not at every redelivery
        with sqlite3.connect(db) as conn:
            conn.execute("ALTER TABLE sessions_away RENAME TO sessions")
        conn.close()
        assert get(running.url("/healthz"))[0] == 200
        assert post(running.url("/telegram"), json.dumps(update).encode()) == 200
        api.wait_for(lambda a: "省份" in a.last_message(user.id)["text"], timeout=10)
    finally:
        log = running.stop()
    assert "Traceback" not in log, log[-3000:]
