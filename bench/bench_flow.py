"""Per-update cost of this bot beside python-telegram-bot's own ConversationHandler.

Every row drives simulated users through the same flow (/start, then five button presses:
Beijing, employee, care, outpatient, myself) with `Application.process_update`, sending the same
texts and keyboards; the network is stubbed, so what is measured is dispatch, handlers, state
and reply building. Each row runs in its own process so its peak RSS is its own.
Prints figures; asserts nothing.

    python bench/bench_flow.py                 # all rows, 2,000 users
    python bench/bench_flow.py --users 500     # quicker

Rows:
  (a) trivial handler: replies like the others, remembers nothing (the floor)
  (b) ConversationHandler + PicklePersistence, default flushing (state in memory, written
      every 60 s), with 2,000 and with 200,000 conversations already in the persistence
  (c) the same, flushed after every update (200 users: it is slow)
  (d) this bot's real pipeline: handlers, engine, SQLite commit per update, rendering, with
      2,000 and with 200,000 sessions already stored
"""

from __future__ import annotations

import argparse
import asyncio
import json
import pickle
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

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
from bot.core.engine import Answer, Engine  # noqa: E402
from bot.core.flow import load_flow  # noqa: E402
from bot.render.text import Renderer, Reply  # noqa: E402
from bot.store.sqlite import SQLiteStore  # noqa: E402
from bot.telegram.app import add_handlers  # noqa: E402
from bot.telegram.menus import Menus  # noqa: E402

BOT_ID = 999
TOKEN = f"{BOT_ID}:BENCH"
PATH = [
    ("province", "110000"),
    ("insurance", "employee"),
    ("category", "care"),
    ("item", "outpatient"),
    ("relative", "self"),
]
CODES = {"province": "p", "insurance": "i", "category": "g", "item": "t", "relative": "r"}


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
            self._message_id += 1
            chat = (request_data.parameters if request_data else {}).get("chat_id", 1)
            result = {
                "message_id": self._message_id,
                "date": 0,
                "text": "x",
                "chat": {"id": int(chat), "type": "private"},
            }
        else:
            result = True
        return 200, json.dumps({"ok": True, "result": result}).encode()


# --- updates ---------------------------------------------------------------------------------


def _user(user: int) -> dict[str, Any]:
    return {"id": user, "is_bot": False, "first_name": "U", "language_code": "zh-hans"}


def message_update(update_id: int, user: int, text: str) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 0,
            "text": text,
            "from": _user(user),
            "chat": {"id": user, "type": "private", "first_name": "U"},
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
        },
    }


def callback_update(update_id: int, user: int, data: str) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "callback_query": {
            "id": str(update_id),
            "chat_instance": "c",
            "data": data,
            "from": _user(user),
            "message": {
                "message_id": 1,
                "date": 0,
                "text": "menu",
                "chat": {"id": user, "type": "private", "first_name": "U"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "B"},
            },
        },
    }


def flow_updates(users: range, data: Callable[[int, int], str]) -> list[dict[str, Any]]:
    """/start then one press per question for each user; `data(user, step)` is the button."""
    updates, uid = [], 1
    for user in users:
        updates.append(message_update(uid, user, "/start"))
        uid += 1
        for step in range(len(PATH)):
            updates.append(callback_update(uid, user, data(user, step)))
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


def script() -> list[Reply]:
    """The replies of the benchmark path, so every row sends the same texts and keyboards."""
    engine = Engine(load_flow())
    renderer = Renderer(engine.flow)
    session = engine.new_session()
    replies = [renderer.render(engine.view(session), "zh_Hans")]
    for question, option in PATH:
        step = engine.step(session, Answer(question, option))
        session = step.session
        replies.append(renderer.render(step.view, "zh_Hans"))
    return replies


def ptb_markup(reply: Reply, step: int) -> InlineKeyboardMarkup:
    """What a PTB bot builds for a menu: one InlineKeyboardButton object per button."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label, callback_data=f"s{step}|{b.code}") for b in row]
            for row in reply.rows
        ]
    )


# --- rows --------------------------------------------------------------------------------------


async def row_trivial(users: range, replies: list[Reply]) -> float:
    async def reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.callback_query is not None:
            await update.callback_query.answer()
            step = int(update.callback_query.data[1:]) + 1
            await update.callback_query.edit_message_text(
                replies[step].text, reply_markup=ptb_markup(replies[step], step)
            )
        else:
            await update.effective_chat.send_message(
                replies[0].text, reply_markup=ptb_markup(replies[0], 0)
            )

    app = builder().build()
    app.add_handler(TypeHandler(Update, reply))
    async with app:
        return await drive(app, flow_updates(users, lambda u, s: f"s{s}"))


def prefill_pickle(path: Path, stored: int) -> None:
    """Conversations of other users already in the persistence, as in production."""
    conversations = {(10_000_000 + i, 10_000_000 + i): 1 for i in range(stored)}
    user_data = {10_000_000 + i: {"q0": "p:110000"} for i in range(stored)}
    data = {
        "conversations": {"flow": conversations},
        "user_data": user_data,
        "chat_data": {},
        "bot_data": {},
        "callback_data": None,
    }
    with path.open("wb") as fh:
        pickle.dump(data, fh)


async def row_conversation(
    users: range, replies: list[Reply], path: Path, flush_every_update: bool
) -> float:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        await update.effective_chat.send_message(
            replies[0].text, reply_markup=ptb_markup(replies[0], 0)
        )
        return 0

    def answer(step: int) -> Callable[..., Any]:
        async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
            context.user_data[f"q{step}"] = update.callback_query.data
            await update.callback_query.answer()
            reply = replies[step + 1]
            await update.callback_query.edit_message_text(
                reply.text, reply_markup=ptb_markup(reply, step + 1)
            )
            return step + 1 if step + 1 < len(PATH) else ConversationHandler.END

        return handler

    app = builder().persistence(PicklePersistence(filepath=path, update_interval=60)).build()
    states = {
        step: [CallbackQueryHandler(answer(step), pattern=f"^s{step}\\|")]
        for step in range(len(PATH))
    }
    app.add_handler(
        ConversationHandler(
            entry_points=[CommandHandler("start", start)],
            states=states,
            fallbacks=[],
            name="flow",
            persistent=True,
            per_message=False,  # one flow per user, as ours
        )
    )
    if flush_every_update:

        async def flush(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            await app.update_persistence()

        app.add_handler(TypeHandler(Update, flush), group=1)
    # No `async with`: its shutdown flush (one whole-file dump per changed user) is not part
    # of the per-update cost and takes minutes at 200,000 conversations. The process exits.
    await app.initialize()
    return await drive(app, flow_updates(users, lambda u, s: f"s{s}|x"))


async def prefill_store(store: SQLiteStore, stored: int) -> None:
    data = '{"s":"insurance","a":{"province":"110000"},"h":["province"]}'
    await store.db.execute("BEGIN")
    await store.db.executemany(
        "INSERT OR IGNORE INTO sessions VALUES (?, ?, ?, 1, strftime('%s','now'))",
        ((10_000_000 + i, 10_000_000 + i, data) for i in range(stored)),
    )
    await store.db.execute("COMMIT")


async def row_ours(users: range, db: Path, stored: int) -> float:
    store = SQLiteStore(db, 30 * 86400)
    await store.open()
    await prefill_store(store, stored)
    app = builder().build()
    add_handlers(app, Menus(Engine(load_flow()), store, Settings.from_env()))
    path = [f"{CODES[q]}:{o}" for q, o in PATH]
    try:
        async with app:
            micros = await drive(app, flow_updates(users, lambda u, s: f"{u}|{s + 1}|{path[s]}"))
        # The run did the real work only if every simulated user reached an answer card.
        done = await store.db.execute_fetchall(
            'SELECT count(*) FROM sessions WHERE data LIKE \'{"s":"outcome"%\''
        )
        if done[0][0] != len(users):
            raise SystemExit(f"only {done[0][0]} of {len(users)} users reached a card")
        return micros
    finally:
        await store.close()


async def run_row(row: str, users: int, stored: int) -> dict[str, float]:
    warnings.filterwarnings("ignore", message="If 'per_message=False'")
    who = range(1, users + 1)
    with tempfile.TemporaryDirectory() as tmp:
        if row == "a":
            micros = await row_trivial(who, script())
        elif row in ("b", "c"):
            path = Path(tmp) / "p.pickle"
            prefill_pickle(path, stored)
            micros = await row_conversation(who, script(), path, row == "c")
        else:
            micros = await row_ours(who, Path(tmp) / "d.sqlite3", stored)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"us": micros, "rss_mb": rss}


ROWS = [
    ("a", "(a) trivial handler", 0, None),
    ("b", "(b) ConversationHandler + PicklePersistence", 2_000, None),
    ("b", "(b) same, 200,000 stored conversations", 200_000, None),
    ("c", "(c) (b) flushed after every update", 2_000, 200),
    ("d", "(d) this bot, SQLite, 2,000 stored sessions", 2_000, None),
    ("d", "(d) this bot, SQLite, 200,000 stored sessions", 200_000, None),
]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=1, help="take the median of several runs")
    parser.add_argument("--row", help=argparse.SUPPRESS)
    parser.add_argument("--stored", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.row:
        print(json.dumps(asyncio.run(run_row(args.row, args.users, args.stored))))
        return
    results = []
    for row, name, stored, users in ROWS:
        runs = []
        for _ in range(args.runs):
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--row",
                    row,
                    "--users",
                    str(users or args.users),
                    "--stored",
                    str(stored),
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            runs.append(json.loads(out.strip().splitlines()[-1]))
        results.append(
            (
                name,
                users or args.users,
                statistics.median(r["us"] for r in runs),
                statistics.median(r["rss_mb"] for r in runs),
            )
        )
    print(f"median of {args.runs} run(s); each row its own process; network stubbed")
    print(f"{'row':<47} {'users':>6} {'µs/update':>10} {'updates/s':>10} {'peak RSS':>9}")
    for name, users, micros, rss in results:
        print(f"{name:<47} {users:>6} {micros:>10.0f} {1e6 / micros:>10.0f} {rss:>7.0f}MB")
    by = {name: (micros, rss) for name, _, micros, rss in results}
    b = by["(b) ConversationHandler + PicklePersistence"][0]
    d2k, rss2k = by["(d) this bot, SQLite, 2,000 stored sessions"]
    d200k, rss200k = by["(d) this bot, SQLite, 200,000 stored sessions"]
    print(f"\n(d) / (b) = {d2k / b:.2f} (target ≤ 1.5)")
    print(f"(d) 200k / (d) 2k = {d200k / d2k:.2f} (target ≤ 1.2)")
    print(f"RSS growth of (d) from 2k to 200k sessions: {rss200k - rss2k:+.0f} MB (target ≤ 20)")


if __name__ == "__main__":
    main()
