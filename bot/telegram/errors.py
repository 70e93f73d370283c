"""What happens when handling an update fails: no exception ever reaches a user as silence."""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.core import i18n
from bot.core.i18n import N_
from bot.store.base import Store
from bot.telegram.common import StoreFailures, who_of
from bot.telegram.metrics import ERRORS
from bot.telegram.send import esc

log = logging.getLogger(__name__)

ERROR = N_("抱歉，出了点问题，你的进度没有丢失。请再试一次，或发送 /start。")


class Errors:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.failures = StoreFailures()

    async def handle(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        update_id = update.update_id if isinstance(update, Update) else None
        if update is None and isinstance(context.error, TelegramError):
            # Polling failed (PTB tries again with growing pauses): one line, no traceback.
            log.warning("getUpdates failed: %s", context.error)
            return
        if isinstance(context.error, Forbidden):
            # Blocked by the user, or removed from the group: nobody is left to answer, so
            # keep nothing about them (a Forbidden never comes back by retrying).
            log.info("update %s: bot blocked or removed (%s)", update_id, context.error)
            who = who_of(update) if isinstance(update, Update) else None
            if who is not None and who.is_group:
                await self.store.delete_chat(who.chat_id)
            elif who is not None:
                await self.store.delete(who.chat_id, who.user_id)
            return
        ERRORS.inc()
        if isinstance(context.error, self.store.failures) and update_id is not None:
            # The database failed, not the code: no traceback; the webhook has Telegram
            # deliver the update again, and the user hears about it only the first time.
            log.error("update %s failed on the database: %r", update_id, context.error)
            self.failures.failed(update_id)
            if not self.failures.first_apology(update_id):
                return
        else:
            log.error("update %s failed", update_id, exc_info=context.error)
        if isinstance(update, Update) and update.effective_chat is not None:
            with contextlib.suppress(TelegramError):
                who = who_of(update)
                locale = i18n.locale_for(who.language_code if who else None)
                await update.effective_chat.send_message(esc(i18n.gettext(locale, ERROR)))
