"""/language: a small menu; the choice is remembered for this user in every chat."""

from __future__ import annotations

import contextlib

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.core import i18n, languages
from bot.core.engine import Show
from bot.core.i18n import N_
from bot.telegram.commands import set_private_menu
from bot.telegram.common import NOT_YOURS, ButtonData, Who, answer_press, press_of, who_of
from bot.telegram.menus import EXPIRED_BUTTON, Menus
from bot.telegram.send import esc

CHOOSE_LANGUAGE = N_("请选择语言：")
LANGUAGE_SET = N_("好的，以后用简体中文和你交流。")
# A language button's action is `!<locale>`.
PATTERN = r"!\w+$"


class Language:
    def __init__(self, menus: Menus) -> None:
        self.menus = menus

    async def command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        who = who_of(update)
        if who is None or update.effective_message is None:
            return
        locale = await self.menus.locale(who)
        await update.effective_message.reply_text(
            esc(i18n.gettext(locale, CHOOSE_LANGUAGE)),
            reply_markup=InlineKeyboardMarkup([language_buttons(who.user_id)]),
        )

    async def chosen(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answered first (the spinner stops at once), then the language is set."""
        press = press_of(update)
        if press is None:
            return
        wanted = press.data.action[1:] if press.data is not None else ""
        if not press.mine or press.data is None:
            await answer_press(press, i18n.locale_for(press.who.language_code), NOT_YOURS)
            return
        if wanted not in i18n.available():
            await answer_press(press, i18n.locale_for(press.who.language_code), EXPIRED_BUTTON)
            return
        await answer_press(press, wanted, LANGUAGE_SET)
        await self._set(press.who, wanted, press.message, context.bot)

    async def _set(self, who: Who, locale: str, message: Message | None, bot: Bot) -> None:
        await self.menus.store.set_user_locale(who.user_id, locale)
        if not who.is_group:  # the command menu of this chat follows the choice
            await set_private_menu(bot, who.chat_id, locale)
        if message is not None:
            with contextlib.suppress(BadRequest):
                await message.edit_text(esc(i18n.gettext(locale, LANGUAGE_SET)))
            # Show the user's current menu again, now in the new language.
            turn = await self.menus.advance(who, Show())
            await self.menus.send_menu(bot, who, turn)


def language_buttons(user_id: int) -> list[InlineKeyboardButton]:
    """One button per registered language that has its catalog, in registry order."""
    return [
        InlineKeyboardButton(
            lang.name, callback_data=ButtonData(user_id, 0, f"!{lang.code}").encode()
        )
        for lang in languages.LANGUAGES
        if lang.code in i18n.available()
    ]
