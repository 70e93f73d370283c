"""What the running bot writes to its log at default settings (LOG_LEVEL=INFO, LOG_TEXT=0)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from standin_botapi import StandinBotAPI
from telegram_helpers import TOKEN

from bot.telegram.commands import command_lists

ROOT = Path(__file__).resolve().parents[2]
SECRET = "能给我妈妈买糖尿病药吗-SECRET-5521"


def test_default_log_has_no_text_no_traceback_and_one_line_per_failed_poll(
    tmp_path: Path,
) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("LOG_LEVEL", "LOG_TEXT")},
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.sqlite3'}",
    }
    with StandinBotAPI() as api:
        env["TELEGRAM_BASE_URL"] = api.base_url
        user = api.user(7101)
        bot = subprocess.Popen(
            [sys.executable, "-m", "bot"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True
        )
        try:
            api.wait_for(lambda a: a.calls_of("getUpdates"), timeout=30)
            # Three in a row: more than the transport's own retries absorb (RETRY_ATTEMPTS).
            api.fail_next("getUpdates", status=502, description="Bad Gateway", count=3)
            api.send_text(user, "/start")
            api.wait_for(lambda a: a.last_message(user.id), timeout=30)
            api.send_text(user, SECRET)  # a typed question, with what people type about family
            api.wait_for(lambda a: len(a.messages(user.id)) >= 2, timeout=30)
            menu = api.last_message(user.id)
            query = api.press(user, menu, index=0)
            api.wait_for(lambda a: query in a.callback_answers, timeout=30)
        finally:
            bot.terminate()
            _, log = bot.communicate(timeout=30)
    lines = log.splitlines()
    assert SECRET not in log
    assert "Traceback" not in log, log
    assert [line for line in lines if " ERROR " in line or " CRITICAL " in line] == [], log
    failed_polls = [line for line in lines if " WARNING " in line and "Bad Gateway" in line]
    assert len(failed_polls) == 1, log
    assert [line for line in lines if " transitions" in line] == [], log


def test_stopping_right_after_start_lets_the_command_lists_finish(
    tmp_path: Path,
) -> None:
    """A stop while the command lists are still being registered lets them finish (no warning
    about a closed connection)."""
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("LOG_LEVEL", "LOG_TEXT")},
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.sqlite3'}",
    }
    with StandinBotAPI() as api:
        env["TELEGRAM_BASE_URL"] = api.base_url
        bot = subprocess.Popen(
            [sys.executable, "-m", "bot"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True
        )
        try:
            api.wait_for(lambda a: a.calls_of("getUpdates"), timeout=30)
        finally:
            bot.terminate()
            _, log = bot.communicate(timeout=30)
        registered = api.calls_of("setMyShortDescription")
    assert [line for line in log.splitlines() if " WARNING " in line] == [], log
    assert "Traceback" not in log, log
    assert len(registered) == len(command_lists()), registered  # finished, not cut off
