"""/forget: ask first, then delete every row about the user (sessions, language, everywhere)."""

from __future__ import annotations

import contextlib

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.core import i18n
from bot.core.i18n import N_
from bot.telegram.commands import drop_private_menu
from bot.telegram.common import NOT_YOURS, ButtonData, Who, answer_press, press_of, who_of
from bot.telegram.menus import Menus
from bot.telegram.send import esc

FORGET_ASK = N_(
    "要删除我保存的关于你的全部信息吗？包括你在所有聊天里的问答进度和语言设置。删除后无法恢复。"
)
FORGET_YES = N_("🗑 确定删除")
FORGET_NO = N_("取消")
FORGOTTEN = N_("已删除我保存的关于你的全部信息。发送 /start 可以重新开始。")
FORGET_KEPT = N_("好的，什么都没有删除。")
# The two buttons' actions.
PATTERN = r"!(forget|keep)$"


class Forget:
    def __init__(self, menus: Menus) -> None:
        self.menus = menus

    async def command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        who = who_of(update)
        if who is None or update.effective_message is None:
            return
        t = i18n.translations(await self.menus.locale(who)).gettext
        buttons = [
            InlineKeyboardButton(
                t(FORGET_YES), callback_data=ButtonData(who.user_id, 0, "!forget").encode()
            ),
            InlineKeyboardButton(
                t(FORGET_NO), callback_data=ButtonData(who.user_id, 0, "!keep").encode()
            ),
        ]
        await update.effective_message.reply_text(
            esc(t(FORGET_ASK)), reply_markup=InlineKeyboardMarkup([buttons])
        )

    async def answered(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answered first (the spinner stops at once), then the rows are deleted."""
        press = press_of(update)
        if press is None:
            return
        locale = i18n.locale_for(press.who.language_code)
        if not press.mine or press.data is None:
            await answer_press(press, locale, NOT_YOURS)
            return
        confirmed = press.data.action == "!forget"
        await answer_press(press, locale, FORGOTTEN if confirmed else FORGET_KEPT)
        await self._forget(press.who, confirmed, press.message, locale)

    async def _forget(
        self, who: Who, confirmed: bool, message: Message | None, locale: str
    ) -> None:
        if confirmed:
            await self.menus.store.forget_user(who.user_id)
            if message is not None and not who.is_group:  # the chat's own command list too
                await drop_private_menu(message.get_bot(), who.chat_id)
        text = FORGOTTEN if confirmed else FORGET_KEPT
        if message is not None:
            with contextlib.suppress(BadRequest):
                await message.edit_text(esc(i18n.gettext(locale, text)))
