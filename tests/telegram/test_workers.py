"""Two bot processes in webhook mode on one PostgreSQL database, updates alternating at random.

Also: a wrong webhook secret gets 403 and changes nothing; /healthz and /metrics answer.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import aiohttp
import asyncpg
import pytest
from pg_server import clean_schema, postgres_dsn  # noqa: F401  (registers the session fixture)
from standin_botapi import StandinBotAPI, StandinUser
from telegram_helpers import TOKEN

ROOT = Path(__file__).resolve().parents[2]
SECRET = "s3cret-for-tests"
USERS = 16
PATH_LABELS = ["北京", "职工医保（在职）", "看病、买药", "门诊看病", "我自己"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_worker(api: StandinBotAPI, database_url: str, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": api.base_url,
        "DATABASE_URL": database_url,
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
        "WEBHOOK_SECRET": SECRET,
        "PORT": str(port),
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen([sys.executable, "-m", "bot", "--webhook"], cwd=ROOT, env=env)


def wait_healthy(port: int, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"worker on port {port} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"worker on port {port} never became healthy")


async def post(
    session: aiohttp.ClientSession, port: int, update: dict, secret: str = SECRET
) -> int:
    async with session.post(
        f"http://127.0.0.1:{port}/telegram",
        json=update,
        headers={"X-Telegram-Bot-Api-Secret-Token": secret},
    ) as response:
        return response.status


async def test_two_workers_share_one_database(
    api: StandinBotAPI, request: pytest.FixtureRequest
) -> None:
    rng = random.Random(7)
    async with clean_schema(request.getfixturevalue("postgres_dsn")) as url:
        ports = [free_port(), free_port()]
        workers = [start_worker(api, url, port) for port in ports]
        try:
            for port, proc in zip(ports, workers, strict=True):
                await asyncio.to_thread(wait_healthy, port, proc)
            users = [api.user(5000 + i) for i in range(USERS)]
            racers = set(users[::4])
            async with aiohttp.ClientSession() as http:
                await run_users(api, http, ports, users, racers, rng)
                await check_wrong_secret(api, http, ports, users[0])
                await check_health_and_metrics(http, ports[0])
            await check_database(url, users)
        finally:
            for proc in workers:
                proc.send_signal(signal.SIGTERM)
            for proc in workers:
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
    assert api.unanswered_callbacks() == []


async def deliver(
    api: StandinBotAPI, http: aiohttp.ClientSession, port: int, update_id: int
) -> None:
    assert await post(http, port, api.pop_update(update_id)) == 200


async def run_users(
    api: StandinBotAPI,
    http: aiohttp.ClientSession,
    ports: list[int],
    users: list[StandinUser],
    racers: set[StandinUser],
    rng: random.Random,
) -> None:
    """Every user walks the flow; updates of all users interleave and pick a worker at random."""

    async def walk(user: StandinUser) -> None:
        await deliver(api, http, rng.choice(ports), api.send_text(user, "/start"))
        await api.wait_for_async(lambda a: a.last_message(user.id) is not None, timeout=20)
        for step, label in enumerate(PATH_LABELS):
            menu = api.last_message(user.id)
            if user in racers and step == 1:
                # The same menu pressed twice, each press arriving at a different worker at once.
                first = api.press(user, menu, button_text=label)
                second = api.press(user, menu, button_text=label)
                await asyncio.gather(
                    deliver(api, http, ports[0], api.update_id_of_query(first)),
                    deliver(api, http, ports[1], api.update_id_of_query(second)),
                )
            else:
                query = api.press(user, menu, button_text=label)
                await deliver(api, http, rng.choice(ports), api.update_id_of_query(query))
            await api.wait_for_async(lambda a: a.unanswered_callbacks() == [], timeout=20)

    await asyncio.gather(*(walk(user) for user in users))
    for user in users:
        card = api.last_message(user.id)["text"]
        assert "来源：" in card and "门诊" in card, (user.id, card)


async def check_wrong_secret(
    api: StandinBotAPI, http: aiohttp.ClientSession, ports: list[int], user: StandinUser
) -> None:
    before = len(api.calls)
    update_id = api.send_text(user, "/restart")
    update = api.pop_update(update_id)
    assert await post(http, ports[0], update, secret="wrong") == 403
    assert await post(http, ports[1], update, secret="") == 403
    await asyncio.sleep(0.3)
    assert [m for m, _ in api.calls[before:] if m in ("sendMessage", "editMessageText")] == []
    assert "来源：" in api.last_message(user.id)["text"]  # the card is still there


async def check_health_and_metrics(http: aiohttp.ClientSession, port: int) -> None:
    async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
        assert response.status == 200
    async with http.get(f"http://127.0.0.1:{port}/metrics") as response:
        text = await response.text()
    assert response.status == 200
    for name in (
        "bot_updates_total",
        "bot_update_seconds_bucket",
        "bot_verdicts_total",
        "bot_webhook_rejected_total 1.0",
    ):
        assert name in text, name


async def check_database(url: str, users: list[StandinUser]) -> None:
    """One session row per user, at the answer card, each press counted exactly once."""
    con = await asyncpg.connect(url)
    try:
        rows = await con.fetch("SELECT user_id, data, version FROM sessions")
    finally:
        await con.close()
    by_user = {row["user_id"]: row for row in rows}
    assert set(by_user) == {u.id for u in users}
    for user in users:
        data = json.loads(by_user[user.id]["data"])
        assert data["s"] == "outcome"
        # /start wrote version 1, then exactly one winning write per press: the racing pair
        # of a racer added one, not two.
        assert by_user[user.id]["version"] == 1 + len(PATH_LABELS)
