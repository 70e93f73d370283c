"""Fuzzing the real handlers with streams of generated updates (hypothesis).

Random and odd Unicode text, 5,000-character messages, forged callback data, edited
messages, channel posts, messages without a sender, unknown chat types, commands with odd
arguments, updates duplicated and out of order. After each stream: no exception reached the
error handler, every callback query was answered, every call respected the Bot API's limits,
and every stored session is one the flow could produce.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes
from telegram.request import BaseRequest, RequestData

from bot.config import Settings
from bot.core.engine import Engine
from bot.core.flow import load_flow
from bot.core.session import Session
from bot.store.sqlite import SQLiteStore
from bot.telegram.app import add_handlers
from bot.telegram.menus import Menus

BOT_ID = 777
ENGINE = Engine(load_flow())
USERS = [11, 12, 13]
CHATS = [
    {"id": 11, "type": "private"},
    {"id": 12, "type": "private"},
    {"id": -100500, "type": "supergroup", "title": "G"},
    {"id": -42, "type": "group", "title": "g"},
    {"id": -100900, "type": "channel", "title": "C"},
    {"id": 99, "type": "weird_future_type"},
]


class CheckingRequest(BaseRequest):
    """A stubbed network that checks every call against the Bot API's limits."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.answered: set[str] = set()
        self._next_id = 1000

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def _check(self, method: str, params: dict[str, Any]) -> None:
        self.calls.append((method, params))
        text = params.get("text")
        if method in ("sendMessage", "editMessageText"):
            size = len(str(text or "").encode("utf-16-le")) // 2
            if not 1 <= size <= 4096:
                self.problems.append(f"{method}: text of {size} UTF-16 units")
        if method == "answerCallbackQuery":
            if text is not None and len(str(text)) > 200:
                self.problems.append("callback answer over 200 characters")
            self.answered.add(str(params.get("callback_query_id")))
        markup = params.get("reply_markup")
        if markup:
            rows = json.loads(markup) if isinstance(markup, str) else markup
            for row in rows.get("inline_keyboard", []):
                for button in row:
                    data = button.get("callback_data")
                    if data is not None and not 1 <= len(data.encode()) <= 64:
                        self.problems.append(f"callback_data of {len(data.encode())} bytes")

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, **_: Any
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        self._check(name, params)
        if name == "getMe":
            result: Any = {"id": BOT_ID, "is_bot": True, "first_name": "B", "username": "b_bot"}
        elif name == "getChatMember":
            result = {"status": "member", "user": {"id": 1, "is_bot": False, "first_name": "U"}}
        elif name in ("sendMessage", "editMessageText"):
            self._next_id += 1
            result = {
                "message_id": self._next_id,
                "date": 0,
                "text": "x",
                "chat": {"id": int(params.get("chat_id", 1)), "type": "private"},
            }
        else:
            result = True
        return 200, json.dumps({"ok": True, "result": result}).encode()


# --- update strategies -------------------------------------------------------------------------

odd_text = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zl", "Zp", "So", "Mn"]), max_size=40),
    st.sampled_from(
        [
            "\u202e吉林\u202c",
            "👨‍👩‍👧‍👦" * 50,
            "\x00\x01",
            "北京",
            "返回",
            "重新开始",
            "职工医保（在职）",
            "长春",
            "en",
            "🙂",
        ]
    ),
    st.integers(1000, 5000).map(lambda n: "医" * n),
)
commands = st.builds(
    lambda cmd, arg: f"/{cmd} {arg}".strip(),
    st.sampled_from(
        [
            "start",
            "ask",
            "help",
            "restart",
            "cancel",
            "language",
            "forget",
            "setregion",
            "setlang",
            "quiet",
            "stats",
            "settings",
            "nope",
            "start@b_bot",
            "ask@other_bot",
        ]
    ),
    st.one_of(
        st.just(""),
        st.text(max_size=80),
        st.sampled_from(["p220000-c220100", "zzz", "长春", "on", "en", "-" * 64, "p" * 200]),
    ),
)
callback_data = st.one_of(
    st.text(max_size=70),
    st.builds(
        lambda o, v, a: f"{o}|{v}|{a}",
        st.sampled_from([*USERS, 1, 0]),
        st.integers(0, 12),
        st.sampled_from(
            [
                "p:110000",
                "p:220000",
                "c:220100",
                "i:employee",
                "g:care",
                "t:outpatient",
                "r:self",
                "s:same_area",
                "_back",
                "_restart",
                "_item",
                "_person",
                "_region",
                "_bogus",
                "x:y",
                "!en",
                "!zh_Hant",
                "!forget",
                "!keep",
                "!nope",
                "p:999",
            ]
        ),
    ),
)


@st.composite
def an_update(draw: st.DrawFn) -> dict[str, Any]:
    user = {
        "id": draw(st.sampled_from(USERS)),
        "is_bot": False,
        "first_name": "U",
        "language_code": draw(st.sampled_from(["zh-hans", "zh-tw", "en", "ru", None])),
    }
    chat = draw(st.sampled_from(CHATS))
    kind = draw(
        st.sampled_from(
            [
                "message",
                "command",
                "callback",
                "edited_message",
                "channel_post",
                "no_sender",
                "reply",
            ]
        )
    )
    if kind == "callback":
        message = {
            "message_id": 5,
            "date": 0,
            "chat": chat,
            "text": "menu",
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "B"},
        }
        return {
            "callback_query": {
                "id": str(draw(st.integers(1, 10**9))),
                "from": user,
                "chat_instance": "c",
                "data": draw(callback_data),
                "message": message,
            }
        }
    text = draw(commands) if kind == "command" else draw(odd_text)
    message: dict[str, Any] = {
        "message_id": draw(st.integers(1, 10**6)),
        "date": 0,
        "chat": chat,
        "text": text or ".",
    }
    if text.startswith("/"):
        message["entities"] = [
            {"type": "bot_command", "offset": 0, "length": len(text.split(" ")[0])}
        ]
    if kind != "no_sender" and kind != "channel_post":
        message["from"] = user
    if kind == "reply":
        message["reply_to_message"] = {
            "message_id": 5,
            "date": 0,
            "chat": chat,
            "text": "m",
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "B"},
        }
    key = {"edited_message": "edited_message", "channel_post": "channel_post"}.get(kind, "message")
    return {key: message}


streams = st.lists(an_update(), min_size=1, max_size=12).flatmap(
    # Duplicated and shuffled: the same update twice, and updates out of order.
    lambda ups: st.permutations(ups + ups[: len(ups) // 3])
)


async def run_stream(updates: list[dict[str, Any]]) -> tuple[CheckingRequest, list[str], Path]:
    tmp = Path(tempfile.mkdtemp())
    request = CheckingRequest()
    store = SQLiteStore(tmp / "fuzz.sqlite3", 86400)
    await store.open()
    # The same stub for polling: PTB would otherwise build an HTTP client (~150 ms) per stream.
    builder = ApplicationBuilder().token(f"{BOT_ID}:FUZZ").request(request)
    app = builder.get_updates_request(request).updater(None).build()
    add_handlers(app, Menus(ENGINE, store, Settings.from_env()))
    errors: list[str] = []

    async def record(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        errors.append(repr(context.error))

    app.add_error_handler(record)
    try:
        async with app:
            for number, raw in enumerate(updates, start=1):
                await app.process_update(Update.de_json({"update_id": number, **raw}, app.bot))
    finally:
        await store.close()
    return request, errors, tmp / "fuzz.sqlite3"


@settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(streams)
def test_no_update_stream_breaks_the_bot(updates: list[dict[str, Any]]) -> None:
    request, errors, db = asyncio.run(run_stream(list(updates)))
    assert errors == []
    assert request.problems == []
    queries = {u["callback_query"]["id"] for u in updates if "callback_query" in u}
    assert queries <= request.answered, queries - request.answered
    with sqlite3.connect(db) as conn:
        for data, version in conn.execute("SELECT data, version FROM sessions"):
            session = Session.loads(data, version)
            replay = ENGINE.settle(session.answers)
            assert (replay.state, replay.answers) == (session.state, session.answers)


def test_the_harness_sees_replies_and_answers() -> None:
    """The checks above mean something only if the stubbed network sees the bot's calls."""
    user = {"id": 11, "is_bot": False, "first_name": "U", "language_code": "zh-hans"}
    chat = {"id": 11, "type": "private"}
    start = {
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": chat,
            "from": user,
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        }
    }
    press = {
        "callback_query": {
            "id": "77",
            "from": user,
            "chat_instance": "c",
            "data": "11|1|p:110000",
            "message": {"message_id": 5, "date": 0, "chat": chat, "text": "m"},
        }
    }
    request, errors, db = asyncio.run(run_stream([start, press]))
    assert errors == [] and request.answered == {"77"}
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT version FROM sessions").fetchone() == (2,)
