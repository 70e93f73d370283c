"""The everyday commands: /start and /ask, /restart, /cancel, /help, an unknown command; and
the command list Telegram shows in its menu."""

from __future__ import annotations

import logging

from telegram import (
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes

from bot.core import i18n, languages
from bot.core.engine import Start
from bot.core.i18n import N_
from bot.telegram.admin import ADMIN_COMMANDS
from bot.telegram.common import who_of
from bot.telegram.menus import Menus

log = logging.getLogger(__name__)

COMMANDS = (
    ("start", N_("开始提问")),
    ("ask", N_("在群里打开你自己的菜单")),
    ("language", N_("切换语言")),
    ("help", N_("使用说明")),
    ("restart", N_("从头开始")),
    ("cancel", N_("结束并清除当前问答")),
    ("forget", N_("删除关于我的全部数据")),
)
HELP = N_(
    "我可以帮你查：职工医保个人账户里的钱，能不能用来付某项费用、给某位家人用、在你所在的地区是否有特别规定。\n\n"
    "点按钮回答几个问题，就能看到适用的规定、条件和出处。\n\n"
    "命令：\n/start 开始或继续\n/ask 在群里打开你自己的菜单\n/restart 从头开始\n/cancel 结束并删除这次问答\n"
    "/language 切换语言\n/forget 删除关于你的全部数据\n/help 本说明\n\n"
    "我只保存你的选择（不保存聊天内容），闲置30天后自动删除。结果仅供参考，请以当地医保部门为准。"
)
CANCELLED = N_("好的，已结束并删除这次问答。发送 /start 可以重新开始。")
UNKNOWN_COMMAND = N_("不认识这个命令。发送 /help 查看可用的命令。")


class Commands:
    def __init__(self, menus: Menus) -> None:
        self.menus = menus

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/start [payload] and /ask: a new session, or the current one resumed."""
        who = who_of(update)
        if who is None:
            return
        payload = context.args[0][:64] if context.args else ""
        turn = await self.menus.advance(who, Start(payload, resume=not payload))
        await self.menus.send(update, who, turn)

    async def restart(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        who = who_of(update)
        if who is not None:
            await self.menus.send(update, who, await self.menus.advance(who, Start()))

    async def cancel(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        who = who_of(update)
        if who is None or update.effective_message is None:
            return
        locale = await self.menus.locale(who)
        await self.menus.store.delete(who.chat_id, who.user_id)
        await update.effective_message.reply_text(i18n.gettext(locale, CANCELLED))

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        who = who_of(update)
        if who is not None and update.effective_message is not None:
            text = i18n.gettext(await self.menus.locale(who), HELP)
            await update.effective_message.reply_text(text)

    async def unknown(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        who = who_of(update)
        if who is None or update.effective_message is None:
            return
        if who.is_group:
            return  # in a group, a command for another bot or a typo is not ours to answer
        text = i18n.gettext(await self.menus.locale(who), UNKNOWN_COMMAND)
        await update.effective_message.reply_text(text)


async def register_commands(application: Application) -> None:
    """Register the command list for each language Telegram can tell apart.

    Telegram keys command lists by a two-letter language code, so each registered language
    names the lists it fills (bot/core/languages.py): zh-Hans is the default list and "zh",
    English has "en"; zh-Hant users see the default list.
    """

    bot = application.bot
    for locale, code in command_lists():
        user_commands = [BotCommand(c, i18n.gettext(locale, d)) for c, d in COMMANDS]
        admin_commands = user_commands + [
            BotCommand(c, i18n.gettext(locale, d)) for c, d in ADMIN_COMMANDS
        ]
        await bot.set_my_commands(user_commands, language_code=code)
        await bot.set_my_commands(
            user_commands, scope=BotCommandScopeAllGroupChats(), language_code=code
        )
        await bot.set_my_commands(
            admin_commands, scope=BotCommandScopeAllChatAdministrators(), language_code=code
        )


def command_lists() -> list[tuple[str, str | None]]:
    """(locale, Telegram command-list language code) for every language with a catalog."""
    return [
        (lang.code, code)
        for lang in languages.LANGUAGES
        if lang.code in i18n.available()
        for code in lang.command_lists
    ]


async def register_commands_quietly(application: Application) -> None:
    try:
        await register_commands(application)
    except TelegramError as exc:  # menus still work; only the command list is missing
        log.warning("could not register the command list: %s", exc)
