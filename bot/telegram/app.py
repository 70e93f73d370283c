"""The Telegram transport: python-telegram-bot handlers around the engine and the store.

No business rules live here. Each update is one read of the user's session row (with the
user's and the chat's settings), one engine step, one conditional write committed before
anything is sent, then one send or edit.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import warnings

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.config import Settings
from bot.core import i18n
from bot.core.engine import OUTCOME, Engine, Event, Show, Start, Text
from bot.core.i18n import N_
from bot.core.session import Session
from bot.core.view import View
from bot.render.text import Button, Renderer, Reply
from bot.store.base import Loaded, Store
from bot.telegram.admin import ADMIN_COMMANDS, AdminHandlers
from bot.telegram.common import (
    ButtonData,
    ButtonEvent,
    Turn,
    Who,
    choose_locale,
    event_for,
    fit,
    who_of,
)
from bot.telegram.inline import InlineHandlers
from bot.telegram.metrics import ERRORS, VERDICTS
from bot.telegram.ordering import PerUserUpdateProcessor

log = logging.getLogger(__name__)
# Menus go out through Bot.do_api_request with a pre-serialised keyboard (see `keyboard`);
# PTB suggests its typed methods for that, which is right in general and measured slow here.
warnings.filterwarnings(
    "ignore", message=r"Please use 'Bot\.(sendMessage|editMessageText)'", category=PTBUserWarning
)

PURGE_EVERY_SECONDS = 6 * 3600
# A callback_data placeholder that JSON keeps as the six characters \u0000 (a NUL never
# appears in a label or an action), replaced by `owner|version|` when a menu is sent.
_PLACEHOLDER = "\x00"
_SLOT = "\\u0000"
LANGUAGE_NAMES = {"zh_Hans": "简体中文", "zh_Hant": "繁體中文", "en": "English"}

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
NOT_YOURS = N_("这是别人的菜单。请发送 /ask 打开你自己的菜单。")
EXPIRED_BUTTON = N_("这个按钮已经失效，已为你显示当前的问题。")
CANCELLED = N_("好的，已结束并删除这次问答。发送 /start 可以重新开始。")
UNKNOWN_COMMAND = N_("不认识这个命令。发送 /help 查看可用的命令。")
ONLY_TEXT = N_("我只看得懂文字和按钮。")
ERROR = N_("抱歉，出了点问题，你的进度没有丢失。请再试一次，或发送 /start。")
CHOOSE_LANGUAGE = N_("请选择语言：")
FORGET_ASK = N_(
    "要删除我保存的关于你的全部信息吗？包括你在所有聊天里的问答进度和语言设置。删除后无法恢复。"
)
FORGET_YES = N_("🗑 确定删除")
FORGET_NO = N_("取消")
FORGOTTEN = N_("已删除我保存的关于你的全部信息。发送 /start 可以重新开始。")
FORGET_KEPT = N_("好的，什么都没有删除。")
LANGUAGE_SET = N_("好的，以后用简体中文和你交流。")


class BotHandlers:
    def __init__(self, engine: Engine, store: Store, settings: Settings) -> None:
        self.engine = engine
        self.store = store
        self.settings = settings
        self.renderer = Renderer(engine.flow)

    def _turn(self, view: View, version: int, locale: str) -> Turn:
        return Turn(self.renderer.render(view, locale), version, locale)

    # --- the one path every menu update takes -------------------------------------------------

    def keyboard(self, reply: Reply, owner: int, version: int) -> str:
        """The reply's inline keyboard as Bot API JSON, with this owner's and version's data.

        Building PTB's InlineKeyboardButton objects and serialising them again costs ~15 µs
        a button (a 32-province menu: ~500 µs, more than all the rest of an update), so each
        distinct keyboard is serialised once and only the `owner|version|` prefix is filled in.
        """
        return self._keyboard_template(reply.rows).replace(_SLOT, f"{owner}|{version}|")

    @functools.lru_cache(maxsize=2048)  # noqa: B019 - one handler object lives as long as the app
    def _keyboard_template(self, rows: tuple[tuple[Button, ...], ...]) -> str:
        keyboard = [
            [{"text": b.label, "callback_data": _PLACEHOLDER + self._action(b.code)} for b in row]
            for row in rows
        ]
        return json.dumps({"inline_keyboard": keyboard}, ensure_ascii=False, separators=(",", ":"))

    def _action(self, code: str) -> str:
        """`item:vaccine` -> `t:vaccine`: the one-letter question code keeps buttons short."""
        if code.startswith("_"):
            return code
        qid, _, option = code.partition(":")
        return f"{self.engine.flow.question(qid).code}:{option}"

    async def send_menu(self, bot: Bot, who: Who, turn: Turn, reply_to: int | None = None) -> None:
        params: dict[str, object] = {
            "chat_id": who.chat_id,
            "text": fit(turn.reply.text),
            "reply_markup": self.keyboard(turn.reply, who.user_id, turn.version),
        }
        if reply_to is not None:
            params["reply_parameters"] = json.dumps(
                {"message_id": reply_to, "allow_sending_without_reply": True}
            )
        await _call(bot, "sendMessage", params)

    async def edit_menu(self, bot: Bot, who: Who, message_id: int, turn: Turn) -> None:
        params = {
            "chat_id": who.chat_id,
            "message_id": message_id,
            "text": fit(turn.reply.text),
            "reply_markup": self.keyboard(turn.reply, who.user_id, turn.version),
        }
        await _call(bot, "editMessageText", params)

    def _session(self, loaded: Loaded) -> Session:
        if loaded.data is None:
            return self.engine.new_session()
        return Session.loads(loaded.data, loaded.version)

    def _with_group_region(self, event: Event, loaded: Loaded, who: Who) -> Event:
        """A new session in a group starts from the region an admin set for the group."""
        region = loaded.chat.region
        if not who.is_group or not region or not isinstance(event, Start) or event.payload:
            return event
        return Start(self.engine.payload_for_region(region))

    async def advance(self, who: Who, event: Event | ButtonEvent) -> Turn:
        """Load, step, store. The write is committed before the caller sends anything."""
        loaded = await self.store.load(who.chat_id, who.user_id)
        locale = choose_locale(loaded, who)
        session = self._session(loaded)
        if isinstance(event, ButtonEvent):
            if event.version != session.version:
                view = self.engine.step(session, Show("stale")).view
                return self._turn(view, session.version, locale)
            event = event.event
        mid_flow = bool(session.history) and session.state != OUTCOME
        if isinstance(event, Start) and event.resume and mid_flow:
            event = Show("resumed")  # plain /start in the middle of the flow: carry on
        if loaded.data is None and isinstance(event, Show):
            event = Start()  # nothing stored yet: begin properly (group region, first write)
        event = self._with_group_region(event, loaded, who)
        step = self.engine.step(session, event)
        if not step.changed:
            return self._turn(step.view, session.version, locale)
        version = await self.store.save(
            who.chat_id, who.user_id, step.session.dumps(), session.version
        )
        if version is None:
            # Someone (another press, another worker) wrote first: show what they left.
            fresh = await self.store.load(who.chat_id, who.user_id)
            view = self.engine.step(self._session(fresh), Show("stale")).view
            return self._turn(view, fresh.version, locale)
        if step.view.verdict:
            VERDICTS.labels(step.view.verdict).inc()
            if who.is_group:
                await self.store.count_verdict(who.chat_id, step.view.verdict)
        return self._turn(step.view, version, locale)

    async def _send(self, update: Update, who: Who, turn: Turn) -> None:
        message = update.effective_message
        # In a group the menu answers the member who asked, so others see whose it is.
        reply_to = message.message_id if who.is_group and message is not None else None
        await self.send_menu(update.get_bot(), who, turn, reply_to)

    async def _edit_or_send(self, bot: Bot, who: Who, message: Message | None, turn: Turn) -> None:
        """Edit the menu in place; if it cannot be edited, send a new one."""
        if message is not None:
            try:
                await self.edit_menu(bot, who, message.message_id, turn)
                return
            except BadRequest as exc:
                if "not modified" in str(exc).lower():
                    return
                log.info("menu could not be edited (%s); sending a new one", exc)
        await self.send_menu(bot, who, turn)

    async def locale(self, who: Who) -> str:
        return choose_locale(await self.store.load(who.chat_id, who.user_id), who)

    # --- commands --------------------------------------------------------------------------

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/start [payload] and /ask: a new session, or the current one resumed."""
        who = who_of(update)
        if who is None:
            return
        payload = context.args[0][:64] if context.args else ""
        await self._send(update, who, await self.advance(who, Start(payload, resume=not payload)))

    async def restart(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        who = who_of(update)
        if who is not None:
            await self._send(update, who, await self.advance(who, Start()))

    async def cancel(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        who = who_of(update)
        if who is None or update.effective_message is None:
            return
        locale = await self.locale(who)
        await self.store.delete(who.chat_id, who.user_id)
        await update.effective_message.reply_text(i18n.gettext(locale, CANCELLED))

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        who = who_of(update)
        if who is not None and update.effective_message is not None:
            text = i18n.gettext(await self.locale(who), HELP)
            await update.effective_message.reply_text(text)

    async def language(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/language: a small menu; the choice is remembered for this user everywhere."""
        who = who_of(update)
        if who is None or update.effective_message is None:
            return
        locale = await self.locale(who)
        buttons = [
            InlineKeyboardButton(name, callback_data=ButtonData(who.user_id, 0, f"!{loc}").encode())
            for loc, name in LANGUAGE_NAMES.items()
            if loc in i18n.available()
        ]
        await update.effective_message.reply_text(
            i18n.gettext(locale, CHOOSE_LANGUAGE), reply_markup=InlineKeyboardMarkup([buttons])
        )

    async def unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        who = who_of(update)
        if who is None or update.effective_message is None:
            return
        if who.is_group:
            return  # in a group, a command for another bot or a typo is not ours to answer
        text = i18n.gettext(await self.locale(who), UNKNOWN_COMMAND)
        await update.effective_message.reply_text(text)

    # --- typed messages --------------------------------------------------------------------

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        who = who_of(update)
        message = update.effective_message
        if who is None or message is None:
            return
        if (
            self.settings.log_text
        ):  # off by default: what people type about their family stays private
            log.info("text from user %s: %r", who.user_id, message.text)
        event: Event = Text(message.text) if message.text else Show(ONLY_TEXT)
        await self._send(update, who, await self.advance(who, event))

    async def group_reply(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """In a group, text only reaches us as a reply to one of our menus (privacy mode)."""
        message = update.effective_message
        who = who_of(update)
        if who is None or message is None or message.reply_to_message is None:
            return
        if message.reply_to_message.from_user is None or (
            message.reply_to_message.from_user.id != context.bot.id
        ):
            return
        loaded = await self.store.load(who.chat_id, who.user_id)
        if loaded.chat.quiet or loaded.data is None:
            return  # quiet groups: commands only; no session: the reply was to someone else's menu
        await self.text(update, context)

    async def other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, voice… in a private chat: say what works, show the question."""
        who = who_of(update)
        if who is not None:
            await self._send(update, who, await self.advance(who, Show(ONLY_TEXT)))

    # --- buttons ---------------------------------------------------------------------------

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        message = query.message if isinstance(query.message, Message) else None
        chat = message.chat if message is not None else None
        who = Who(
            chat.id if chat is not None else query.from_user.id,
            query.from_user.id,
            query.from_user.language_code,
            chat is not None and chat.type in (ChatType.GROUP, ChatType.SUPERGROUP),
        )
        data = ButtonData.decode(query.data)
        notice: str | None = None
        locale = i18n.locale_for(who.language_code)
        try:
            if data is not None and data.owner != query.from_user.id:
                notice = NOT_YOURS
                return
            if data is not None and data.action in ("!forget", "!keep"):
                notice = await self._forget(who, data.action == "!forget", message, locale)
                return
            if data is not None and data.action.startswith("!"):
                locale = await self._set_language(who, data.action[1:], message)
                notice = LANGUAGE_SET if locale == data.action[1:] else EXPIRED_BUTTON
                return
            event = event_for(data.action, self.engine) if data is not None else None
            if event is None:
                # A forged or ancient button: say so, and show where the user really is.
                notice = EXPIRED_BUTTON
                turn = await self.advance(who, Show("stale"))
            else:
                turn = await self.advance(who, ButtonEvent(data.version, event))  # type: ignore[union-attr]
            locale = turn.locale
            await self._edit_or_send(context.bot, who, message, turn)
        finally:
            # Every callback query is answered, or the user's button keeps spinning.
            with contextlib.suppress(TelegramError):
                await query.answer(
                    i18n.gettext(locale, notice) if notice else None,
                    show_alert=notice == NOT_YOURS,
                )

    async def forget(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/forget: ask first, then delete every row about the user."""
        who = who_of(update)
        if who is None or update.effective_message is None:
            return
        t = i18n.translations(await self.locale(who)).gettext
        buttons = [
            InlineKeyboardButton(
                t(FORGET_YES), callback_data=ButtonData(who.user_id, 0, "!forget").encode()
            ),
            InlineKeyboardButton(
                t(FORGET_NO), callback_data=ButtonData(who.user_id, 0, "!keep").encode()
            ),
        ]
        await update.effective_message.reply_text(
            t(FORGET_ASK), reply_markup=InlineKeyboardMarkup([buttons])
        )

    async def _forget(self, who: Who, confirmed: bool, message: Message | None, locale: str) -> str:
        if confirmed:
            await self.store.forget_user(who.user_id)
        text = FORGOTTEN if confirmed else FORGET_KEPT
        if message is not None:
            with contextlib.suppress(BadRequest):
                await message.edit_text(i18n.gettext(locale, text))
        return text

    async def _set_language(self, who: Who, locale: str, message: Message | None) -> str:
        if locale not in i18n.available():
            return i18n.locale_for(who.language_code)
        await self.store.set_user_locale(who.user_id, locale)
        if message is not None:
            with contextlib.suppress(BadRequest):
                await message.edit_text(i18n.gettext(locale, LANGUAGE_SET))
        # Show the user's current menu again, now in the new language.
        if message is not None:
            await self.send_menu(message.get_bot(), who, await self.advance(who, Show()))
        return locale

    async def error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        update_id = update.update_id if isinstance(update, Update) else None
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
        log.error("update %s failed", update_id, exc_info=context.error)
        if isinstance(update, Update) and update.effective_chat is not None:
            with contextlib.suppress(TelegramError):
                who = who_of(update)
                locale = i18n.locale_for(who.language_code if who else None)
                await update.effective_chat.send_message(i18n.gettext(locale, ERROR))


SEND_ATTEMPTS = 3
CONCURRENT_UPDATES = 64


async def _call(bot: Bot, method: str, params: dict[str, object]) -> None:
    """One Bot API call, tried again after a timeout or a server error.

    RetryAfter is waited out by the rate limiter; BadRequest and Forbidden are final, so they
    go straight to the caller. The session was committed before, so nothing is lost either way.
    """
    for attempt in range(1, SEND_ATTEMPTS + 1):
        try:
            await bot.do_api_request(method, api_kwargs=params)
            return
        except BadRequest:
            raise
        except (TimedOut, NetworkError) as exc:
            if attempt == SEND_ATTEMPTS:
                raise
            log.info("%s failed (%s); trying again", method, exc)
            await asyncio.sleep(0.2 * attempt)


async def register_commands(application: Application) -> None:
    """Register the command list for each language Telegram can tell apart.

    Telegram keys command lists by a two-letter language code, so zh-Hans is the default list
    (and "zh"), English has its own; zh-Hant users see the default list.
    """

    bot = application.bot
    for locale, code in ((i18n.DEFAULT_LOCALE, None), (i18n.DEFAULT_LOCALE, "zh"), ("en", "en")):
        if locale not in i18n.available():
            continue
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


async def register_commands_quietly(application: Application) -> None:
    try:
        await register_commands(application)
    except TelegramError as exc:  # menus still work; only the command list is missing
        log.warning("could not register the command list: %s", exc)


def build_application(settings: Settings, engine: Engine, store: Store) -> Application:
    handlers = BotHandlers(engine, store, settings)
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

    async def post_shutdown(app: Application) -> None:
        commands = background.pop("commands", None)
        if commands is not None:
            # Let a registration in flight finish rather than cut a request in half.
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(commands, timeout=5)
        for task in background.values():
            task.cancel()
        background.clear()
        await store.close()

    application = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.base_url)
        .rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(PerUserUpdateProcessor(CONCURRENT_UPDATES))
        .read_timeout(settings.http_timeout)
        .write_timeout(settings.http_timeout)
        .connect_timeout(settings.http_timeout)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    add_handlers(application, handlers)
    return application


def add_handlers(application: Application, handlers: BotHandlers) -> None:

    admin = AdminHandlers(handlers)
    inline = InlineHandlers(handlers.engine)
    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    application.add_handler(CommandHandler(["start", "ask"], handlers.start))
    application.add_handler(CommandHandler("restart", handlers.restart))
    application.add_handler(CommandHandler("cancel", handlers.cancel))
    application.add_handler(CommandHandler("help", handlers.help))
    application.add_handler(CommandHandler("language", handlers.language))
    application.add_handler(CommandHandler("forget", handlers.forget))
    admin.add_to(application)
    application.add_handler(CallbackQueryHandler(handlers.button))
    application.add_handler(InlineQueryHandler(inline.inline_query))
    application.add_handler(MessageHandler(filters.COMMAND, handlers.unknown_command))
    application.add_handler(MessageHandler(private & filters.TEXT, handlers.text))
    application.add_handler(
        MessageHandler(groups & filters.TEXT & filters.REPLY, handlers.group_reply)
    )
    application.add_handler(
        MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, handlers.other)
    )
    application.add_error_handler(handlers.error)
