"""The bot process is killed with SIGKILL mid-flow and started again: nothing is lost."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from standin_botapi import StandinBotAPI
from telegram_helpers import TOKEN

ROOT = Path(__file__).resolve().parents[2]


def start_bot(api: StandinBotAPI, db: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": api.base_url,
        "DATABASE_URL": f"sqlite:///{db}",
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen([sys.executable, "-m", "bot"], cwd=ROOT, env=env)


def press_and_wait(api: StandinBotAPI, user, label: str) -> dict:
    before = api.last_message(user.id)
    query = api.press(user, before, button_text=label)
    api.wait_for(lambda a: query in a.callback_answers, timeout=20)
    # The press is answered first; the menu is edited after the answer was committed.
    api.wait_for(lambda a: a.last_message(user.id)["text"] != before["text"], timeout=20)
    return api.last_message(user.id)


def test_sigkill_mid_flow_then_continue_on_the_same_menu(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    with StandinBotAPI() as api:
        user = api.user(2001)
        bot = start_bot(api, db)
        try:
            api.send_text(user, "/start")
            api.wait_for(lambda a: a.last_message(user.id) is not None, timeout=30)
            press_and_wait(api, user, "吉林")
            press_and_wait(api, user, "长春")
            menu = press_and_wait(api, user, "职工医保（在职）")
            assert "做什么" in menu["text"]
        finally:
            bot.send_signal(signal.SIGKILL)
            bot.wait(timeout=10)
        assert bot.returncode == -signal.SIGKILL

        bot = start_bot(api, db)
        try:
            # The same menu message, its next button: the bot knows where the user was.
            menu = press_and_wait(api, user, "看病、买药")
            assert "哪一项" in menu["text"]
            assert "吉林" in menu["text"] and "长春" in menu["text"]
            press_and_wait(api, user, "门诊看病")
            press_and_wait(api, user, "我自己")
            card = api.last_message(user.id)["text"]
            assert "来源：" in card and "长春" in card
        finally:
            bot.terminate()
            try:
                bot.wait(timeout=15)
            except subprocess.TimeoutExpired:
                bot.kill()
        assert api.violations == []
        assert api.unanswered_callbacks() == []


def test_sigkill_under_load_loses_no_committed_answer(tmp_path: Path) -> None:
    """Many users mid-flow, the process killed while they press: every answer the bot had
    confirmed (by editing the menu, which happens only after the commit) is still there."""
    import sqlite3

    db = tmp_path / "bot.sqlite3"
    labels = ["北京", "职工医保（在职）", "看病、买药", "门诊看病", "我自己"]
    with StandinBotAPI() as api:
        users = [api.user(2100 + i) for i in range(24)]
        bot = start_bot(api, db)
        try:
            for user in users:
                api.send_text(user, "/start")
            api.wait_for(lambda a: all(a.last_message(u.id) for u in users), timeout=60)
            # Everybody presses as fast as the bot answers; kill it in the middle of that.
            for step in range(3):
                for user in users:
                    api.press(user, api.last_message(user.id), button_text=labels[step])
                if step == 2:
                    time.sleep(0.05)
                    break
                # Presses are answered first; wait for every menu to show the next question.
                api.wait_for(
                    lambda a, step=step: all(
                        labels[step + 1] in [text for text, _ in a.buttons(a.last_message(u.id))]
                        for u in users
                    ),
                    timeout=60,
                )
        finally:
            bot.send_signal(signal.SIGKILL)
            bot.wait(timeout=10)
        # What the users saw: a menu edited to the next question means that answer is committed.
        seen = {u.id: api.last_message(u.id)["text"] for u in users}
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            stored = dict(conn.execute("SELECT user_id, data FROM sessions"))
        for user in users:
            answers = json.loads(stored[user.id])["a"]
            assert answers.get("province") == "110000" and answers.get("insurance") == "employee"
            if "具体是哪一项" in seen[user.id]:  # the third press was confirmed to this user
                assert answers.get("category") == "care", user.id
        # And the restarted bot carries on for everyone from where they are.
        bot = start_bot(api, db)
        try:
            for user in users:
                api.send_text(user, "/start")
            api.wait_for(
                lambda a: all(
                    "省份" not in (a.last_message(u.id) or {}).get("text", "省份") for u in users
                ),
                timeout=60,
            )
        finally:
            bot.terminate()
            bot.wait(timeout=15)
