"""/language: a small menu; the choice is remembered for this user in every chat."""

from __future__ import annotations

import contextlib

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.core import i18n, languages
from bot.core.engine import Show
from bot.core.i18n import N_
from bot.telegram.common import NOT_YOURS, ButtonData, Who, answer_press, press_of, who_of
from bot.telegram.menus import EXPIRED_BUTTON, Menus

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
            i18n.gettext(locale, CHOOSE_LANGUAGE),
            reply_markup=InlineKeyboardMarkup([language_buttons(who.user_id)]),
        )

    async def chosen(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        press = press_of(update)
        if press is None:
            return
        notice = NOT_YOURS
        locale = i18n.locale_for(press.who.language_code)
        try:
            if press.mine and press.data is not None:
                wanted = press.data.action[1:]
                locale = await self._set(press.who, wanted, press.message)
                notice = LANGUAGE_SET if locale == wanted else EXPIRED_BUTTON
        finally:
            await answer_press(press, locale, notice)

    async def _set(self, who: Who, locale: str, message: Message | None) -> str:
        if locale not in i18n.available():
            return i18n.locale_for(who.language_code)
        await self.menus.store.set_user_locale(who.user_id, locale)
        if message is not None:
            with contextlib.suppress(BadRequest):
                await message.edit_text(i18n.gettext(locale, LANGUAGE_SET))
            # Show the user's current menu again, now in the new language.
            turn = await self.menus.advance(who, Show())
            await self.menus.send_menu(message.get_bot(), who, turn)
        return locale


def language_buttons(user_id: int) -> list[InlineKeyboardButton]:
    """One button per registered language that has its catalog, in registry order."""
    return [
        InlineKeyboardButton(
            lang.name, callback_data=ButtonData(user_id, 0, f"!{lang.code}").encode()
        )
        for lang in languages.LANGUAGES
        if lang.code in i18n.available()
    ]
