"""The other bots of bench/wire.py, each run as its own process against the stand-in Bot API.

    python bench/wire_bots.py reference PICKLE   # ConversationHandler + PicklePersistence
    python bench/wire_bots.py floor [httpx]      # a trivial handler: the floor of a PTB bot

Both send what this bot sends for the benchmark path (bench_flow.script(): the same texts and
keyboards) with the same Bot API calls: sendMessage for /start; editMessageText and
answerCallbackQuery for each press. TELEGRAM_BOT_TOKEN and TELEGRAM_BASE_URL come from the
environment, as for the bot.
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from bench_flow import PATH, ptb_markup, script  # noqa: E402
from telegram import Update  # noqa: E402
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

from bot.telegram.transport import make_request  # noqa: E402


def builder() -> ApplicationBuilder:
    return (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_BASE_URL"])
    )


def reference(pickle_path: Path) -> Application:
    """The bot as PTB's examples write it: PTB's defaults (httpx, one update at a time)."""
    replies = script()

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

    app = builder().persistence(PicklePersistence(filepath=pickle_path, update_interval=60)).build()
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
            per_message=False,
        )
    )
    return app


def floor(http: str) -> Application:
    """The least a PTB bot can do for these updates: pre-serialised replies, no state."""
    replies = script()
    markups = [json.dumps(ptb_markup(r, i).to_dict()) for i, r in enumerate(replies)]

    async def reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is not None and query.message is not None:
            step = int(query.data[1:].split("|", 1)[0]) + 1
            params = {
                "chat_id": query.message.chat.id,
                "message_id": query.message.message_id,
                "text": replies[step].text,
                "reply_markup": markups[step],
            }
            await context.bot.do_api_request("editMessageText", api_kwargs=params)
            await query.answer()
        elif update.effective_chat is not None:
            params = {
                "chat_id": update.effective_chat.id,
                "text": replies[0].text,
                "reply_markup": markups[0],
            }
            await context.bot.do_api_request("sendMessage", api_kwargs=params)

    app = (
        builder()
        .request(make_request(http, 32, 10))
        .get_updates_request(make_request(http, 1, 10))
        .build()
    )
    app.add_handler(TypeHandler(Update, reply))
    return app


def main() -> None:
    warnings.filterwarnings("ignore")  # per_message=False; do_api_request's "use sendMessage"
    kind = sys.argv[1]
    if kind == "reference":
        app = reference(Path(sys.argv[2]))
    else:
        app = floor(sys.argv[2] if len(sys.argv) > 2 else "aiohttp")
    app.run_polling()


if __name__ == "__main__":
    main()
