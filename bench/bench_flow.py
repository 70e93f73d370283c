"""Per-update cost of this bot beside python-telegram-bot's own ConversationHandler.

Drives N simulated users through a whole flow (/start, then five button presses) with
`Application.process_update`; the network is stubbed, so what is measured is dispatch,
handlers, engine, storage and reply rendering. Prints figures; asserts nothing.

    python bench/bench_flow.py [--users 2000] [--rows (d) pre-stored sessions]

Rows:
  (a) trivial handler: the floor of PTB's dispatch
  (b) ConversationHandler + PicklePersistence, default flushing (in memory, written later)
  (c) the same, flushed after every update
  (d) this bot: handlers, engine, SQLite commit per update, rendering
"""

from __future__ import annotations

import argparse
import asyncio
import warnings
import json
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update  # noqa: E402
from telegram.ext import (  # noqa: E402
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    PicklePersistence,
    TypeHandler,
)
from telegram.request import BaseRequest, RequestData  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.flow import load_flow  # noqa: E402
from bot.store import SQLiteStore  # noqa: E402
from bot.telegram_app import BotHandlers, add_handlers  # noqa: E402

BOT_ID = 999
TOKEN = f"{BOT_ID}:BENCH"
# One whole flow: Beijing (no city question), employee, care, outpatient, self.
PATH = ["p:110000", "i:employee", "g:care", "t:outpatient", "r:self"]


class StubRequest(BaseRequest):
    """Answers every Bot API call at once with a plausible result; no socket is opened."""

    def __init__(self) -> None:
        self._message_id = 0

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, **_: Any
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        if name == "getMe":
            result: Any = {"id": BOT_ID, "is_bot": True, "first_name": "B", "username": "b_bot"}
        elif name in ("sendMessage", "editMessageText"):
            params = request_data.parameters if request_data else {}
            self._message_id += 1
            result = {
                "message_id": self._message_id,
                "date": 0,
                "chat": {"id": params.get("chat_id", 1), "type": "private"},
                "text": "x",
            }
        else:
            result = True
        return 200, json.dumps({"ok": True, "result": result}).encode()


def message_update(update_id: int, user: int, text: str) -> dict[str, Any]:
    entities = [{"type": "bot_command", "offset": 0, "length": len(text)}] if text[0] == "/" else []
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 0,
            "chat": {"id": user, "type": "private", "first_name": "U"},
            "from": {"id": user, "is_bot": False, "first_name": "U", "language_code": "zh-hans"},
            "text": text,
            "entities": entities,
        },
    }


def callback_update(update_id: int, user: int, data: str) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "callback_query": {
            "id": str(update_id),
            "chat_instance": "c",
            "data": data,
            "from": {"id": user, "is_bot": False, "first_name": "U", "language_code": "zh-hans"},
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": user, "type": "private", "first_name": "U"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "B"},
                "text": "menu",
            },
        },
    }


def ours_updates(users: range) -> list[dict[str, Any]]:
    updates, uid = [], 1
    for user in users:
        updates.append(message_update(uid, user, "/start"))
        uid += 1
        for version, action in enumerate(PATH, start=1):
            updates.append(callback_update(uid, user, f"{user}|{version}|{action}"))
            uid += 1
    return updates


def plain_updates(users: range) -> list[dict[str, Any]]:
    updates, uid = [], 1
    for user in users:
        updates.append(message_update(uid, user, "/start"))
        uid += 1
        for step in range(len(PATH)):
            updates.append(callback_update(uid, user, f"s{step}"))
            uid += 1
    return updates


async def drive(app: Application, raw: list[dict[str, Any]]) -> float:
    """Process every update in order; returns µs per update."""
    updates = [Update.de_json(u, app.bot) for u in raw]
    start = time.perf_counter()
    for update in updates:
        await app.process_update(update)
    return (time.perf_counter() - start) / len(updates) * 1e6


def builder() -> ApplicationBuilder:
    return ApplicationBuilder().token(TOKEN).request(StubRequest()).updater(None)


# --- (a) trivial handler ---------------------------------------------------------------------


async def row_trivial(users: range) -> float:
    """Reply to each update like the others do (send, or answer and edit), remember nothing."""

    async def reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.callback_query is not None:
            await update.callback_query.answer()
            await update.callback_query.edit_message_text("question", reply_markup=keyboard(0))
        else:
            await update.effective_chat.send_message("question", reply_markup=keyboard(0))

    app = builder().build()
    app.add_handler(TypeHandler(Update, reply))
    async with app:
        return await drive(app, plain_updates(users))


# --- (b), (c) ConversationHandler + PicklePersistence -----------------------------------------


def keyboard(step: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(f"option {i}", callback_data=f"s{step}") for i in range(4)]]
    )


async def row_conversation(users: range, path: Path, flush_every_update: bool) -> float:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        await update.effective_chat.send_message("question 0", reply_markup=keyboard(0))
        return 0

    def answer(step: int) -> Callable[..., Any]:
        async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
            context.user_data[f"q{step}"] = update.callback_query.data
            await update.callback_query.answer()
            await update.callback_query.edit_message_text(
                f"question {step + 1}", reply_markup=keyboard(step + 1)
            )
            return step + 1 if step + 1 < len(PATH) else ConversationHandler.END

        return handler

    persistence = PicklePersistence(filepath=path, update_interval=60)
    app = builder().persistence(persistence).build()
    states = {
        step: [CallbackQueryHandler(answer(step), pattern=f"^s{step}$")]
        for step in range(len(PATH))
    }
    conversation = ConversationHandler(  # per_message=False on purpose: one flow per user
        entry_points=[CommandHandler("start", start)],
        states=states,
        fallbacks=[],
        name="flow",
        persistent=True,
        per_message=False,
    )
    app.add_handler(conversation)
    if flush_every_update:

        async def flush(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            await app.update_persistence()

        app.add_handler(TypeHandler(Update, flush), group=1)
    async with app:
        return await drive(app, plain_updates(users))


# --- (d) this bot --------------------------------------------------------------------------


async def prefill(store: SQLiteStore, rows: int) -> None:
    """Sessions of other users already stored, as a bot in production would have."""
    data = '{"s":"insurance","a":{"province":"110000"},"h":["province"]}'
    await store.db.execute("BEGIN")
    await store.db.executemany(
        "INSERT OR IGNORE INTO sessions VALUES (?, ?, ?, 1, strftime('%s','now'))",
        ((10_000_000 + i, 10_000_000 + i, data) for i in range(rows)),
    )
    await store.db.execute("COMMIT")


async def row_ours(users: range, db: Path, stored: int) -> float:
    settings = Settings.from_env()
    store = SQLiteStore(db, 30 * 86400)
    await store.open()
    await prefill(store, stored)
    app = builder().build()
    add_handlers(app, BotHandlers(Engine(load_flow()), store, settings))
    try:
        async with app:
            micros = await drive(app, ours_updates(users))
        # Check the run did the real work: every simulated user reached an answer card.
        done = await store.db.execute_fetchall(
            "SELECT count(*) FROM sessions WHERE data LIKE '{\"s\":\"outcome\"%'"
        )
        if done[0][0] != len(users):
            raise SystemExit(f"only {done[0][0]} of {len(users)} users reached a card")
        return micros
    finally:
        await store.close()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def main() -> None:
    warnings.filterwarnings("ignore", message="If 'per_message=False'")
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--stored", type=int, default=2000, help="sessions stored before (d)")
    args = parser.parse_args()
    users = range(1, args.users + 1)
    updates = args.users * (len(PATH) + 1)
    with tempfile.TemporaryDirectory() as tmp:
        rows = [
            ("(a) trivial handler", await row_trivial(users)),
            ("(b) ConversationHandler + PicklePersistence",
             await row_conversation(users, Path(tmp) / "b.pickle", False)),
            ("(c) same, flushed every update",
             await row_conversation(users, Path(tmp) / "c.pickle", True)),
            (f"(d) this bot, SQLite, {args.stored} stored sessions",
             await row_ours(users, Path(tmp) / "d.sqlite3", args.stored)),
        ]
    print(f"{args.users} users, {updates} updates per row, network stubbed")
    print(f"{'row':<48} {'µs/update':>10} {'updates/s':>10}")
    for name, micros in rows:
        print(f"{name:<48} {micros:>10.0f} {1e6 / micros:>10.0f}")
    print(f"peak RSS of this process: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    asyncio.run(main())
