"""The attack of issue 16 kept as generated tests: any callback data, every update type, every
chat member status, in streams through the real handlers (see test_fuzz.py for the harness).

After each stream: nothing reached the error handler, every callback query was answered, every
call kept to the Bot API's limits, no group menu was edited by anyone but its owner, and a
bot that was removed from a group (or restricted out of it) keeps nothing about the group.
"""

from __future__ import annotations

import asyncio
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes
from test_fuzz import CHATS, ENGINE, USERS, CheckingRequest, run_stream
from update_payloads import BOT_ID, OTHER_KINDS, STATUSES, membership, other_update

from bot.config import Settings
from bot.store.sqlite import SQLiteStore
from bot.telegram.app import add_handlers
from bot.telegram.menus import Menus

GROUPS = [c for c in CHATS if c["type"] in ("group", "supergroup")]
PRESENT = {"creator", "administrator", "member", "restricted"}
FAST = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

digits = st.characters(categories=["Nd", "No"])
callback_data = st.one_of(
    st.text(max_size=80),
    st.text(alphabet=st.one_of(digits, st.sampled_from("|0123456789:!_pix")), max_size=30),
    st.builds(
        lambda o, v, a: f"{o}|{v}|{a}",
        st.one_of(st.sampled_from(USERS).map(str), st.text(digits, min_size=1, max_size=3)),
        st.one_of(st.integers(0, 9).map(str), st.text(digits, min_size=1, max_size=2)),
        st.sampled_from(["i:employee", "p:110000", "_back", "!forget", "!en", "x", ""]),
    ),
)


def user_of(uid: int) -> dict[str, Any]:
    return {"id": uid, "is_bot": False, "first_name": "U", "language_code": "zh-hans"}


@st.composite
def a_press(draw: st.DrawFn) -> dict[str, Any]:
    """A press with any data, on a menu owned by someone (maybe not the presser)."""
    presser = draw(st.sampled_from(USERS))
    owner = draw(st.sampled_from(USERS))
    chat = draw(st.sampled_from(CHATS[:4]))
    markup = {"inline_keyboard": [[{"text": "x", "callback_data": f"{owner}|1|p:110000"}]]}
    message = {
        "message_id": 5,
        "date": 0,
        "chat": chat,
        "text": "menu",
        "from": {"id": BOT_ID, "is_bot": True, "first_name": "B"},
        **({"reply_markup": markup} if draw(st.booleans()) else {}),
    }
    query = {
        "id": str(draw(st.integers(1, 10**9))),
        "from": user_of(presser),
        "chat_instance": "c",
        "data": draw(callback_data),
        "message": message,
    }
    return {"callback_query": query}


@st.composite
def an_odd_update(draw: st.DrawFn) -> dict[str, Any]:
    user = user_of(draw(st.sampled_from(USERS)))
    chat = draw(st.sampled_from(CHATS[:4]))
    choice = draw(st.sampled_from(["press", "member", "other", "start"]))
    if choice == "press":
        return draw(a_press())
    if choice == "member":
        kind = draw(st.sampled_from(["my_chat_member", "chat_member"]))
        old, new = draw(st.sampled_from(STATUSES)), draw(st.sampled_from(STATUSES))
        return membership(kind, chat, user, old, new)
    if choice == "other":
        return other_update(draw(st.sampled_from(OTHER_KINDS)), chat, user, draw(st.text()))
    text = draw(st.sampled_from(["/start", "/ask", "/setregion 上海", "/language", "/forget"]))
    message = {"message_id": draw(st.integers(1, 10**6)), "date": 0, "chat": chat,
               "from": user, "text": text,
               "entities": [{"type": "bot_command", "offset": 0,
                             "length": len(text.split()[0])}]}  # fmt: skip
    return {"message": message}


async def run_marked(
    updates: list[dict[str, Any]],
) -> tuple[CheckingRequest, list[str], Path, list[int]]:
    """run_stream, also noting where in the calls each update's own calls begin."""
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
    marks = []
    try:
        async with app:
            for number, raw in enumerate(updates, start=1):
                marks.append(len(request.calls))
                await app.process_update(Update.de_json({"update_id": number, **raw}, app.bot))
    finally:
        await store.close()
    marks.append(len(request.calls))
    return request, errors, tmp / "fuzz.sqlite3", marks


def edits_of_others(request: CheckingRequest, updates: list[dict[str, Any]], marks: list[int]
                    ) -> list[str]:  # fmt: skip
    """Edits of a group menu made while handling a press by someone who does not own it."""
    problems = []
    for i, update in enumerate(updates):
        query = update.get("callback_query")
        if query is None or query["message"]["chat"]["id"] > 0:
            continue
        markup = query["message"].get("reply_markup")
        owner = markup["inline_keyboard"][0][0]["callback_data"].split("|")[0] if markup else None
        if owner == str(query["from"]["id"]):
            continue
        edits = [
            m
            for m, p in request.calls[marks[i] : marks[i + 1]]
            if m.startswith("edit") and str(p.get("message_id")) == "5"
        ]
        if edits:
            problems.append(f"{query['from']['id']} edited {owner}'s menu: {query['data']!r}")
    return problems


@FAST
@given(st.lists(a_press(), min_size=1, max_size=6))
def test_any_callback_data_is_answered(presses: list[dict[str, Any]]) -> None:
    request, errors, _, marks = asyncio.run(run_marked(presses))
    assert errors == []
    assert request.problems == []
    queries = {p["callback_query"]["id"] for p in presses}
    assert queries <= request.answered, queries - request.answered
    assert edits_of_others(request, presses, marks) == []


@FAST
@given(st.lists(an_odd_update(), min_size=1, max_size=10))
def test_every_update_type_and_member_status(updates: list[dict[str, Any]]) -> None:
    request, errors, db = asyncio.run(run_stream(updates))
    assert errors == []
    assert request.problems == []
    queries = {u["callback_query"]["id"] for u in updates if "callback_query" in u}
    assert queries <= request.answered, queries - request.answered
    # A group whose last word is "the bot left" (and nothing after it) keeps no rows.
    for group in GROUPS:
        last = [i for i, u in enumerate(updates) if _chat_id(u) == group["id"]]
        if not last:
            continue
        final = updates[last[-1]]
        change = final.get("my_chat_member")
        if (change and change["new_chat_member"]["status"] in ("left", "kicked")) or (
            change and change["new_chat_member"].get("is_member") is False
        ):
            with sqlite3.connect(db) as conn:
                rows = conn.execute(
                    "SELECT count(*) FROM chats WHERE chat_id = ?", (group["id"],)
                ).fetchone()[0]
            conn.close()
            assert rows == 0, group


def _chat_id(update: dict[str, Any]) -> int | None:
    payload = next(iter(update.values()))
    if isinstance(payload, dict):
        chat = payload.get("chat") or (payload.get("message") or {}).get("chat")
        if isinstance(chat, dict):
            return int(chat["id"])
    return None
