"""Group chats: admin commands for group defaults, and joining, leaving, migrating.

Only a chat's administrators and creator (including an anonymous admin posting as the group)
may change its settings; admin status comes from the Bot API and is cached for a minute so a
burst of commands costs one lookup.
"""

from __future__ import annotations

import logging
import time

from telegram import ChatMember, ChatMemberRestricted, ChatMemberUpdated, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.core import i18n, languages
from bot.core.i18n import N_
from bot.core.regions import AmbiguousPlace, candidates_text, find_place, is_nationwide
from bot.render.text import VERDICT_WORDS
from bot.telegram.commands import set_group_menus
from bot.telegram.common import Who, who_of
from bot.telegram.menus import Menus
from bot.telegram.send import esc

log = logging.getLogger(__name__)

ADMIN_CACHE_SECONDS = 60
ADMIN_CACHE_MAX = 4096

GROUPS_ONLY = N_("这个命令只能在群里使用。私聊时直接发送 /start 即可。")
ADMINS_ONLY = N_("只有本群管理员可以使用这个命令。")
SETREGION_USAGE = N_(
    "用法：/setregion 地区名称或代码，例如 /setregion 长春 或 /setregion 220100；/setregion 全国 取消默认地区。"
)
REGION_UNKNOWN = N_("没有找到这个地区：{value}")
REGION_AMBIGUOUS = N_("“{value}”可能是这几个地方：{places}。请用全称或代码再设置一次。")
REGION_SET = N_("好的，本群的默认地区是：{region}。成员提问时会跳过地区问题，仍可以自己更改。")
REGION_CLEARED = N_("好的，本群不再设置默认地区。")
SETLANG_USAGE = N_("用法：/setlang 加语言代码，可选：{codes}")
LANG_SET = N_("好的，本群的语言已设置。")
QUIET_USAGE = N_("用法：/quiet on（只响应命令）或 /quiet off")
QUIET_ON = N_("好的，我在本群只响应命令。")
QUIET_OFF = N_("好的，我在本群也会回应对我菜单的回复。")
SETTINGS = N_("本群设置：\n默认地区：{region}\n语言：{language}\n只响应命令：{quiet}")
NOT_SET = N_("未设置")
YES = N_("是")
NO = N_("否")
STATS_FEEDBACK = N_("最近30天，有{count}次有人点了“这个答案有误？”。")
STATS = N_("本群的提问统计（不含任何成员信息）：\n最近7天：{week}\n最近30天：{month}")
STATS_LINE = N_("共{total}次；{details}")
STATS_NONE = N_("没有")
GREETING = N_(
    "大家好！我可以回答：职工医保个人账户里的钱能不能付某项费用、给哪位家人用。\n"
    "发送 /ask 打开你自己的菜单（每人一份，互不干扰）。管理员可以用 /setregion 设置本群默认地区。"
)


def setlang_locale(value: str) -> str | None:
    """What an admin typed after /setlang (zh-Hant, zh_hant, en…) -> a registered locale."""
    word = value.strip().lower().replace("_", "-")
    for lang in languages.LANGUAGES:
        if word in (lang.code.lower().replace("_", "-"), *lang.setlang_words):
            return lang.code
    return None


def setlang_codes() -> str:
    """The codes /setlang accepts, as its usage line shows them."""
    return " ".join(code.replace("_", "-") for code in i18n.available())


def first_arg(context: ContextTypes.DEFAULT_TYPE) -> str:
    return (context.args or [""])[0].strip().lower()


class AdminCache:
    """(chat, user) -> is admin, for a minute. Bounded: a stale entry is only a minute old."""

    def __init__(self) -> None:
        self._entries: dict[tuple[int, int], tuple[bool, float]] = {}

    def get(self, chat_id: int, user_id: int) -> bool | None:
        entry = self._entries.get((chat_id, user_id))
        if entry is None or entry[1] < time.monotonic():
            return None
        return entry[0]

    def put(self, chat_id: int, user_id: int, is_admin: bool) -> None:
        if len(self._entries) >= ADMIN_CACHE_MAX:
            now = time.monotonic()
            self._entries = {k: v for k, v in self._entries.items() if v[1] >= now}
            if len(self._entries) >= ADMIN_CACHE_MAX:
                self._entries.clear()
        self._entries[(chat_id, user_id)] = (is_admin, time.monotonic() + ADMIN_CACHE_SECONDS)


class AdminHandlers:
    def __init__(self, menus: Menus) -> None:
        self.menus = menus
        self.store = menus.store
        self.flow = menus.engine.flow
        self.cache = AdminCache()

    def add_to(self, application: Application) -> None:
        for name, callback in (
            ("setregion", self.setregion),
            ("setlang", self.setlang),
            ("settings", self.settings),
            ("quiet", self.quiet),
            ("stats", self.stats),
        ):
            application.add_handler(CommandHandler(name, callback))
        application.add_handler(
            ChatMemberHandler(self.membership, ChatMemberHandler.MY_CHAT_MEMBER)
        )
        application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, self.migrate))

    # --- who may ----------------------------------------------------------------------------

    async def is_admin(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
        message, chat = update.effective_message, update.effective_chat
        if message is None or chat is None:
            return False
        if message.sender_chat is not None:
            # An anonymous admin posts as the group itself; anyone else posting as a chat
            # (a linked channel) is not an admin of this group.
            return message.sender_chat.id == chat.id
        user = update.effective_user
        if user is None:
            return False
        cached = self.cache.get(chat.id, user.id)
        if cached is not None:
            return cached
        try:
            member = await context.bot.get_chat_member(chat.id, user.id)
        except TelegramError as exc:
            log.info("admin check failed in chat %s: %s", chat.id, exc)
            return False
        is_admin = member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)
        self.cache.put(chat.id, user.id, is_admin)
        return is_admin

    async def _guard(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, admin_only: bool = True
    ) -> tuple[Who, str] | None:
        """In a group, for an admin: (who, locale). Otherwise explain and return None."""
        who = who_of(update)
        message = update.effective_message
        if message is None or update.effective_chat is None:
            return None
        if who is None:  # an anonymous admin has no user; speak the group's language
            chat_id = update.effective_chat.id
            who = Who(chat_id, chat_id, None, update.effective_chat.type != ChatType.PRIVATE)
        locale = await self.menus.locale(who)
        if not who.is_group:
            await message.reply_text(esc(i18n.gettext(locale, GROUPS_ONLY)))
            return None
        if admin_only and not await self.is_admin(update, context):
            await message.reply_text(esc(i18n.gettext(locale, ADMINS_ONLY)))
            return None
        return who, locale

    # --- commands ---------------------------------------------------------------------------

    async def setregion(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        guarded = await self._guard(update, context)
        if guarded is None:
            return
        who, locale = guarded
        value = " ".join(context.args or []).strip()[:50]
        reply = update.effective_message.reply_text  # type: ignore[union-attr]
        if not value:
            await reply(esc(i18n.gettext(locale, SETREGION_USAGE)))
            return
        if is_nationwide(value):
            await self.store.update_chat(who.chat_id, region=None)
            await reply(esc(i18n.gettext(locale, REGION_CLEARED)))
            return
        try:
            place = find_place(self.flow, value)
        except AmbiguousPlace as err:
            places = candidates_text(self.flow, err)
            await reply(
                esc(i18n.gettext(locale, REGION_AMBIGUOUS).format(value=value, places=places))
            )
            return
        if place is None:
            await reply(esc(i18n.gettext(locale, REGION_UNKNOWN).format(value=value)))
            return
        await self.store.update_chat(who.chat_id, region=place.code)
        name = self.menus.renderer.region_name(place.code, locale)
        await reply(esc(i18n.gettext(locale, REGION_SET).format(region=name)))

    async def setlang(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        guarded = await self._guard(update, context)
        if guarded is None:
            return
        who, locale = guarded
        value = first_arg(context)
        reply = update.effective_message.reply_text  # type: ignore[union-attr]
        new = setlang_locale(value)
        if new is None or new not in i18n.available():
            await reply(esc(i18n.gettext(locale, SETLANG_USAGE).format(codes=setlang_codes())))
            return
        await self.store.update_chat(who.chat_id, locale=new)
        await set_group_menus(context.bot, who.chat_id, new)
        await reply(esc(i18n.gettext(new, LANG_SET)))

    async def quiet(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        guarded = await self._guard(update, context)
        if guarded is None:
            return
        who, locale = guarded
        value = first_arg(context)
        reply = update.effective_message.reply_text  # type: ignore[union-attr]
        if value not in ("on", "off"):
            await reply(esc(i18n.gettext(locale, QUIET_USAGE)))
            return
        await self.store.update_chat(who.chat_id, quiet=value == "on")
        done = QUIET_ON if value == "on" else QUIET_OFF
        await reply(esc(i18n.gettext(locale, done)))

    async def settings(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        guarded = await self._guard(update, context, admin_only=False)
        if guarded is None:
            return
        who, locale = guarded
        t = i18n.translations(locale).gettext
        current = await self.store.chat_settings(who.chat_id)
        region = (
            self.menus.renderer.region_name(current.region, locale)
            if current.region
            else t(NOT_SET)
        )
        chosen = languages.by_code(current.locale) if current.locale else None
        language = chosen.name if chosen is not None else t(NOT_SET)
        text = t(SETTINGS).format(
            region=region, language=language, quiet=t(YES) if current.quiet else t(NO)
        )
        await update.effective_message.reply_text(esc(text))  # type: ignore[union-attr]

    async def stats(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        guarded = await self._guard(update, context)
        if guarded is None:
            return
        who, locale = guarded
        t = i18n.translations(locale).gettext

        def line(counts: dict[str, int]) -> str:
            if not counts:
                return t(STATS_NONE)
            details = ", ".join(
                f"{t(VERDICT_WORDS[v])} {n}"
                for v, n in sorted(counts.items())
                if v in VERDICT_WORDS
            )
            return t(STATS_LINE).format(total=sum(counts.values()), details=details)

        week = await self.store.verdict_counts(who.chat_id, 7)
        month = await self.store.verdict_counts(who.chat_id, 30)
        text = t(STATS).format(week=line(week), month=line(month))
        wrong = sum((await self.store.feedback_counts(who.chat_id, 30)).values())
        text += "\n" + t(STATS_FEEDBACK).format(count=wrong)
        await update.effective_message.reply_text(esc(text))  # type: ignore[union-attr]

    # --- joining, leaving, migrating -------------------------------------------------------------

    async def membership(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        change: ChatMemberUpdated | None = update.my_chat_member
        if change is None:
            return
        if change.chat.type == ChatType.PRIVATE:
            if change.new_chat_member.status == ChatMemberStatus.BANNED:
                # The user blocked the bot: their session in this chat goes (README says so).
                await self.store.delete(change.chat.id, change.chat.id)
            return
        was_in, is_in = _present(change.old_chat_member), _present(change.new_chat_member)
        if is_in and not was_in:
            locale = i18n.locale_for(change.from_user.language_code if change.from_user else None)
            try:
                await context.bot.send_message(change.chat.id, esc(i18n.gettext(locale, GREETING)))
            except TelegramError as exc:
                log.info("could not greet chat %s: %s", change.chat.id, exc)
        elif was_in and not is_in:
            # Removed from the group: nothing about it is kept.
            await self.store.delete_chat(change.chat.id)

    async def migrate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is not None and message.migrate_to_chat_id:
            await self.store.move_chat(message.chat.id, message.migrate_to_chat_id)


_PRESENT = {ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER, ChatMember.RESTRICTED}


def _present(member: ChatMember) -> bool:
    """In the chat: a restricted bot may also have been removed (is_member false)."""
    if isinstance(member, ChatMemberRestricted):
        return member.is_member
    return member.status in _PRESENT
