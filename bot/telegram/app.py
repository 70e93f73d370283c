"""The Telegram transport's builder: the PTB Application with every feature's handlers.

No business rules live here or in the feature modules: menus.py (the per-update path and the
menu's buttons and text), commands.py, language.py, forget.py, admin.py (groups), inline.py,
errors.py; webhook.py and ordering.py are how updates arrive and in which order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.config import Settings
from bot.core.engine import Engine
from bot.store.base import Store
from bot.telegram import forget, language
from bot.telegram.admin import AdminHandlers
from bot.telegram.commands import Commands, register_commands_quietly
from bot.telegram.common import BUTTON_PREFIX, STORE_FAILURES
from bot.telegram.errors import Errors
from bot.telegram.flood import FloodLimiter
from bot.telegram.forget import Forget
from bot.telegram.inline import InlineHandlers
from bot.telegram.language import Language
from bot.telegram.menus import Menus
from bot.telegram.ordering import PerUserUpdateProcessor
from bot.telegram.polling import SafeUpdatesRequest, keep_raw_updates_out_of_logs
from bot.telegram.transport import make_request

log = logging.getLogger(__name__)

PURGE_EVERY_SECONDS = 6 * 3600
# Updates in flight at once, and connections to the Bot API: equal, so a handler never waits
# for a connection and the pool never holds more than it uses (see bot/telegram/transport.py).
CONCURRENT_UPDATES = POOL_SIZE = 32
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def build_application(settings: Settings, engine: Engine, store: Store) -> Application:
    keep_raw_updates_out_of_logs()
    background: dict[str, asyncio.Task[None]] = {}

    async def purge_forever() -> None:
        while True:
            removed = await store.purge()
            if removed:
                log.info("purged %d idle sessions", removed)
            await asyncio.sleep(PURGE_EVERY_SECONDS)

    async def post_init(app: Application) -> None:
        await store.open()
        loop = asyncio.get_running_loop()
        # Neither needs to delay the first update: polling starts while they run.
        background["commands"] = loop.create_task(register_commands_quietly(app))
        background["purge"] = loop.create_task(purge_forever())
        # The typed-question reader takes about a second to build; build it in a thread now
        # rather than on the first typed message, which would hold every chat up meanwhile.
        background["reader"] = loop.create_task(_warm(app, engine))

    async def post_stop(app: Application) -> None:
        # Let a registration in flight finish while the bot's connections are still open
        # (PTB closes them in shutdown, before post_shutdown), rather than cut it in half.
        commands = background.pop("commands", None)
        if commands is not None:
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(commands, timeout=5)

    async def post_shutdown(app: Application) -> None:
        for task in background.values():
            task.cancel()
        background.clear()
        await store.close()
        # When start failed (getMe refused or unreachable) PTB skips the bot's own shutdown;
        # close its connections here (a no-op when they are already closed).
        await app.bot.shutdown()

    application = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.base_url)
        .rate_limiter(FloodLimiter(settings.flood_global_per_second))
        # Every message is Telegram HTML; texts are escaped where they are made (send.esc).
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=_NO_PREVIEW))
        .concurrent_updates(PerUserUpdateProcessor(CONCURRENT_UPDATES))
        .request(make_request(settings.http_client, POOL_SIZE, settings.http_timeout))
        .get_updates_request(
            SafeUpdatesRequest(make_request(settings.http_client, 1, settings.http_timeout))
        )
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
        .build()
    )
    add_handlers(application, Menus(engine, store, settings))
    return application


async def _warm(application: Application, engine: Engine) -> None:
    # Only once the application runs (polling or webhook started): the build holds the GIL
    # most of the time and should not delay the first getUpdates.
    while not application.running:
        await asyncio.sleep(0.05)
    await asyncio.to_thread(lambda: engine.understander)


async def _ignore(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    raise ApplicationHandlerStop


def add_handlers(application: Application, menus: Menus) -> None:
    """Every feature's handlers, in the order PTB tries them (the first match handles)."""
    commands = Commands(menus)
    lang = Language(menus)
    forgetting = Forget(menus)
    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    # An edited message is not a new command or answer: it would repeat or undo a step.
    application.add_handler(MessageHandler(filters.UpdateType.EDITED, _ignore), group=-1)
    application.add_handler(CommandHandler(["start", "ask"], commands.start))
    application.add_handler(CommandHandler("restart", commands.restart))
    application.add_handler(CommandHandler("cancel", commands.cancel))
    application.add_handler(CommandHandler("help", commands.help))
    application.add_handler(CommandHandler("language", lang.command))
    application.add_handler(CommandHandler("forget", forgetting.command))
    admin = AdminHandlers(menus)
    admin.add_to(application)
    menus.is_admin = admin.is_admin
    # Buttons by what they carry: the two /forget answers, a language, else a menu button
    # (the last one also answers forged and outdated buttons).
    application.add_handler(
        CallbackQueryHandler(forgetting.answered, pattern=BUTTON_PREFIX + forget.PATTERN)
    )
    application.add_handler(
        CallbackQueryHandler(lang.chosen, pattern=BUTTON_PREFIX + language.PATTERN)
    )
    application.add_handler(CallbackQueryHandler(menus.button))
    application.add_handler(
        InlineQueryHandler(InlineHandlers(menus.engine, menus.store).inline_query)
    )
    application.add_handler(MessageHandler(filters.COMMAND, commands.unknown))
    application.add_handler(MessageHandler(private & filters.TEXT, menus.text))
    application.add_handler(
        MessageHandler(groups & filters.TEXT & filters.REPLY, menus.group_reply)
    )
    application.add_handler(
        MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, menus.other)
    )
    errors = Errors(menus.store)
    application.add_error_handler(errors.handle)
    # The webhook answers an update that failed on the database non-2xx (webhook.py).
    application.bot_data[STORE_FAILURES] = errors.failures
