"""Running the real bot against the stand-in Bot API, and playing a user there."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from standin_botapi import StandinBotAPI, StandinUser

from bot.config import Settings
from bot.core.engine import Engine
from bot.core.flow import load_flow
from bot.store.sqlite import SQLiteStore
from bot.telegram.app import build_application

TOKEN = "123456:TEST-TOKEN"
_inline_ids = itertools.count(1)


def settings_for(api: StandinBotAPI, db: Path, **overrides: Any) -> Settings:
    base = Settings.from_env()
    return replace(
        base, token=TOKEN, base_url=api.base_url, database_url=f"sqlite:///{db}", **overrides
    )


@contextlib.asynccontextmanager
async def running_bot(
    api: StandinBotAPI,
    db: Path,
    flows: Path | None = None,
    engine: Engine | None = None,
    **overrides: Any,
) -> AsyncIterator[Any]:
    """The real Application, polling the stand-in over HTTP, on a real SQLite file.

    `flows` runs it on another copy of the flow files (the shipped ones by default); `engine`
    on a given engine.
    """
    settings = settings_for(api, db, **overrides)
    store = SQLiteStore(db, settings.session_ttl_days * 86400)
    flow = load_flow(flows) if flows is not None else load_flow()
    engine = engine or Engine(flow)
    app = build_application(settings, engine, store)
    await app.initialize()
    await app.post_init(app)
    await app.start()
    # As run_polling does in production: a failed getUpdates goes to the error handlers.
    await app.updater.start_polling(
        poll_interval=0.0,
        timeout=1,
        error_callback=lambda exc: app.create_task(app.process_error(update=None, error=exc)),
    )
    # The bot builds its typed-question reader in a thread once it runs; wait for it, so tests
    # with short timeouts do not race the build (test_warm_reader checks that it happens).
    for _ in range(600):
        if engine.reader_ready:
            break
        await asyncio.sleep(0.05)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.post_stop(app)
        await app.post_shutdown(app)
        await app.shutdown()


def calls_since(api: StandinBotAPI, mark: int, *methods: str) -> list[tuple[str, dict]]:
    return [(m, p) for m, p in api.calls[mark:] if m in methods]


async def say(api: StandinBotAPI, user: StandinUser, text: str, chat: Any = None) -> dict:
    """Send a message and wait for the bot's reply in that chat."""
    chat_id = user.id if chat is None else chat["id"]
    mark = len(api.calls)
    api.send_text(user, text, chat=chat)
    await api.wait_for_async(lambda a: calls_since(a, mark, "sendMessage"))
    return api.last_message(chat_id)


async def press(
    api: StandinBotAPI, user: StandinUser, message: dict, edits: bool = True, **how: Any
) -> str:
    """Press a button and wait until the bot has answered the query and updated the chat.

    The bot answers first and works after, so with `edits` this also waits for the edit or
    new message that follows (not after an alert such as "this is someone else's menu").
    """
    mark = len(api.calls)
    query_id = api.press(user, message, **how)
    await api.wait_for_async(lambda a: query_id in a.callback_answers)
    if edits and str(api.callback_answers[query_id].get("show_alert")).lower() != "true":
        await api.wait_for_async(lambda a: calls_since(a, mark, "editMessageText", "sendMessage"))
    return query_id


async def inline(api: StandinBotAPI, user: StandinUser, query: str) -> dict:
    """Type `@bot query` as `user`; return the bot's answerInlineQuery (results decoded)."""
    query_id = f"iq{next(_inline_ids)}"
    api.queue_update(
        {"inline_query": {"id": query_id, "from": user.as_dict(), "query": query, "offset": ""}}
    )
    await api.wait_for_async(lambda a: query_id in a.inline_answers)
    answer = dict(api.inline_answers[query_id])
    for key in ("results", "button"):
        if isinstance(answer.get(key), str):
            answer[key] = json.loads(answer[key])
    return answer
