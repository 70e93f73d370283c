"""The everyday commands: /start and /ask, /restart, /cancel, /help, an unknown command; and
what Telegram shows before anyone talks to the bot: command menus and descriptions.

Command lists differ per scope: private chats get the personal commands, groups the group ones,
a group's administrators also the admin commands. Telegram keys lists and descriptions by a
two-letter language code (bot/core/languages.py says which code each language fills), so a
language it cannot tell apart (zh-Hant) or a language picked with /language gets a list for
that one chat instead.
"""

from __future__ import annotations

import logging

from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeChatAdministrators,
    BotCommandScopeDefault,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes

from bot.core import i18n, languages
from bot.core.engine import Start
from bot.core.i18n import N_
from bot.telegram.common import START_FROM_INLINE, who_of
from bot.telegram.menus import Menus
from bot.telegram.send import esc

log = logging.getLogger(__name__)

DESCRIPTIONS = {
    "start": N_("开始提问"),
    "help": N_("使用说明"),
    "language": N_("切换语言"),
    "restart": N_("从头开始"),
    "cancel": N_("结束并清除当前问答"),
    "forget": N_("删除关于我的全部数据"),
    "ask": N_("打开你自己的菜单"),
    "settings": N_("查看本群设置"),
    "setregion": N_("设置本群默认地区（管理员）"),
    "setlang": N_("设置本群语言（管理员）"),
    "quiet": N_("只响应命令：on 或 off（管理员）"),
    "stats": N_("本群的提问和反馈统计（管理员）"),
}
PRIVATE = ("start", "help", "language", "restart", "cancel", "forget")
GROUP = ("ask", "help", "settings")
GROUP_ADMIN = (*GROUP, "setregion", "setlang", "quiet", "stats")
# The profile text of an empty chat (≤ 512 characters) and the share/preview line (≤ 120).
ABOUT = N_(
    "职工医保个人账户里的钱，能不能付这笔费用？能不能给家人用？你那里有没有特别规定？\n\n"
    "点“开始”，按几个按钮；或者直接打字问，比如“长春 给我妈买药”。"
    "每个答案都写明依据，附官方文件的出处。\n\n"
    "也可以在任何聊天里输入 {inline} 加问题，把答案发给家人。结果仅供参考，请以当地医保部门为准。"
)
SHORT_ABOUT = N_("问医保个人账户能不能付：买药、疫苗、体检、给家人用……每个答案附官方出处。")
CANCELLED = N_("好的，已结束并删除这次问答。发送 /start 可以重新开始。")
UNKNOWN_COMMAND = N_("不认识这个命令。发送 /help 查看可用的命令。")


class Commands:
    def __init__(self, menus: Menus) -> None:
        self.menus = menus

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/start [payload] and /ask: a new session (opening with the intro in a private
        chat), or the current one resumed."""
        who = who_of(update)
        if who is None:
            return
        payload = context.args[0][:64] if context.args else ""
        if payload == START_FROM_INLINE:
            payload = ""  # inline mode's results button: just open the chat
        turn = await self.menus.advance(who, Start(payload, resume=not payload))
        await self.menus.open_in_group(
            update, who, self.menus.welcomed(who, turn, linked=bool(payload))
        )
        if not who.is_group:
            loaded = await self.menus.store.load(who.chat_id, who.user_id)
            if loaded.user_locale is not None or not command_list_codes(turn.locale):
                await set_private_menu(context.bot, who.chat_id, turn.locale)

    async def restart(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        who = who_of(update)
        if who is not None:
            await self.menus.open_in_group(update, who, await self.menus.advance(who, Start()))

    async def cancel(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        who = who_of(update)
        if who is None or update.effective_message is None:
            return
        locale = await self.menus.locale(who)
        await self.menus.store.delete(who.chat_id, who.user_id)
        await update.effective_message.reply_text(esc(i18n.gettext(locale, CANCELLED)))

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        who = who_of(update)
        if who is not None and update.effective_message is not None:
            text = self.menus.welcome.help(await self.menus.locale(who), context.bot.username)
            await update.effective_message.reply_text(text)

    async def unknown(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        who = who_of(update)
        if who is None or update.effective_message is None:
            return
        if who.is_group:
            return  # in a group, a command for another bot or a typo is not ours to answer
        text = i18n.gettext(await self.menus.locale(who), UNKNOWN_COMMAND)
        await update.effective_message.reply_text(esc(text))


def commands(names: tuple[str, ...], locale: str) -> list[BotCommand]:
    return [BotCommand(name, i18n.gettext(locale, DESCRIPTIONS[name])) for name in names]


async def register_commands(application: Application) -> None:
    """Every scope's command list and the descriptions, in each language Telegram keys."""
    bot = application.bot
    scopes: tuple[tuple[BotCommandScope, tuple[str, ...]], ...] = (
        (BotCommandScopeDefault(), PRIVATE),
        (BotCommandScopeAllPrivateChats(), PRIVATE),
        (BotCommandScopeAllGroupChats(), GROUP),
        (BotCommandScopeAllChatAdministrators(), GROUP_ADMIN),
    )
    for locale, code in command_lists():
        for scope, names in scopes:
            await bot.set_my_commands(commands(names, locale), scope=scope, language_code=code)
        about = i18n.gettext(locale, ABOUT).format(inline=f"@{bot.username}")
        await bot.set_my_description(about, language_code=code)
        await bot.set_my_short_description(i18n.gettext(locale, SHORT_ABOUT), language_code=code)


def command_lists() -> list[tuple[str, str | None]]:
    """(locale, Telegram command-list language code) for every language with a catalog."""
    return [
        (lang.code, code)
        for lang in languages.LANGUAGES
        if lang.code in i18n.available()
        for code in lang.command_lists
    ]


def command_list_codes(locale: str) -> tuple[str | None, ...]:
    language = languages.by_code(locale)
    return language.command_lists if language is not None else ()


async def register_commands_quietly(application: Application) -> None:
    try:
        await register_commands(application)
    except TelegramError as exc:  # menus still work; only the lists and descriptions are missing
        log.warning("could not register the command lists and descriptions: %s", exc)


async def set_private_menu(bot: Bot, chat_id: int, locale: str) -> None:
    """The private command list in `locale`, for this one chat."""
    try:
        await bot.set_my_commands(commands(PRIVATE, locale), scope=BotCommandScopeChat(chat_id))
    except TelegramError as exc:
        log.info("could not set the command list of chat %s: %s", chat_id, exc)


async def set_group_menus(bot: Bot, chat_id: int, locale: str) -> None:
    """A group's own lists (members' and admins') in the language its admins chose."""
    try:
        await bot.set_my_commands(commands(GROUP, locale), scope=BotCommandScopeChat(chat_id))
        await bot.set_my_commands(
            commands(GROUP_ADMIN, locale), scope=BotCommandScopeChatAdministrators(chat_id)
        )
    except TelegramError as exc:
        log.info("could not set the command lists of chat %s: %s", chat_id, exc)


async def drop_private_menu(bot: Bot, chat_id: int) -> None:
    """After /forget: the chat falls back to the lists keyed by language code."""
    try:
        await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id))
    except TelegramError as exc:
        log.info("could not delete the command list of chat %s: %s", chat_id, exc)
