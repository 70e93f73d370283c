"""The Telegram transport: python-telegram-bot handlers around the engine and the store.

No business rules live here. Each update is one read of the user's session row, one engine
step, one conditional write (committed before anything is sent), then one send or edit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import i18n
from bot.config import Settings
from bot.engine import NAV_ACTIONS, Answer, Engine, Event, Nav, Show, Start, Text
from bot.i18n import N_
from bot.render import Reply
from bot.session import Session
from bot.store import Store

log = logging.getLogger(__name__)

MAX_TEXT = 4096
MAX_CALLBACK_BYTES = 64
PURGE_EVERY_SECONDS = 6 * 3600

COMMANDS = (
    ("start", N_("开始提问")),
    ("help", N_("使用说明")),
    ("restart", N_("从头开始")),
    ("cancel", N_("结束并清除当前问答")),
)
HELP = N_(
    "我可以帮你查：职工医保个人账户里的钱，能不能用来付某项费用、给某位家人用、在你所在的地区是否有特别规定。\n\n"
    "点按钮回答几个问题，就能看到适用的规定、条件和出处。\n\n"
    "命令：\n/start 开始或继续\n/restart 从头开始\n/cancel 结束并删除这次问答\n/help 本说明\n\n"
    "我只保存你的选择（不保存聊天内容），闲置30天后自动删除。结果仅供参考，请以当地医保部门为准。"
)
NOT_YOURS = N_("这是别人的菜单。请发送 /ask 打开你自己的菜单。")
EXPIRED_BUTTON = N_("这个按钮已经失效，已为你显示当前的问题。")
CANCELLED = N_("好的，已结束并删除这次问答。发送 /start 可以重新开始。")
UNKNOWN_COMMAND = N_("不认识这个命令。发送 /help 查看可用的命令。")
ONLY_TEXT = N_("我只看得懂文字和按钮。")
ERROR = N_("抱歉，出了点问题，你的进度没有丢失。请再试一次，或发送 /start。")


@dataclass(frozen=True)
class ButtonData:
    """What a button carries: whose menu, which version of it, and what it does."""

    owner: int
    version: int
    action: str

    def encode(self) -> str:
        return f"{self.owner}|{self.version}|{self.action}"

    @classmethod
    def decode(cls, data: str | None) -> ButtonData | None:
        if not data or len(data.encode()) > MAX_CALLBACK_BYTES:
            return None
        parts = data.split("|")
        if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
            return None
        return cls(int(parts[0]), int(parts[1]), parts[2])


def event_for(action: str, engine: Engine) -> Event | None:
    """Turn a button's action code back into an engine event (None if it is not one)."""
    if action.startswith("_"):
        return Nav(action[1:]) if action[1:] in NAV_ACTIONS else None
    code, sep, option = action.partition(":")
    question = engine.flow.question_by_code(code)
    return Answer(question.id, option) if sep and question is not None else None


def fit(text: str) -> str:
    """Never exceed the Bot API's message length (it counts UTF-16 code units)."""
    if len(text.encode("utf-16-le")) // 2 <= MAX_TEXT:
        return text
    while len(text.encode("utf-16-le")) // 2 > MAX_TEXT - 1:
        text = text[: len(text) - 64]
    return text + "…"


class BotHandlers:
    def __init__(self, engine: Engine, store: Store, settings: Settings) -> None:
        self.engine = engine
        self.store = store
        self.settings = settings

    # --- helpers ---------------------------------------------------------------------------

    def _question_code(self, qid: str) -> str:
        return self.engine.flow.question(qid).code

    def markup(self, reply: Reply, owner: int, version: int) -> InlineKeyboardMarkup:
        rows = []
        for row in reply.rows:
            buttons = []
            for button in row:
                action = button.code
                if not action.startswith("_"):
                    qid, _, option = action.partition(":")
                    action = f"{self._question_code(qid)}:{option}"
                data = ButtonData(owner, version, action).encode()
                buttons.append(InlineKeyboardButton(button.label, callback_data=data))
            rows.append(buttons)
        return InlineKeyboardMarkup(rows)

    async def _load(self, chat_id: int, user_id: int) -> Session:
        row = await self.store.load(chat_id, user_id)
        if row is None:
            return self.engine.new_session()
        return Session.loads(*row)

    async def advance(
        self, chat_id: int, user_id: int, event: Event | ButtonEvent, locale: str
    ) -> tuple[Reply, int]:
        """Load, step, store. Returns the reply and the version its buttons must carry."""
        session = await self._load(chat_id, user_id)
        if isinstance(event, ButtonEvent):
            if event.version != session.version:
                step = self.engine.step(session, Show("stale"), locale)
                return step.reply, session.version
            event = event.event
        step = self.engine.step(session, event, locale)
        if not step.changed:
            return step.reply, session.version
        version = await self.store.save(chat_id, user_id, step.session.dumps(), session.version)
        if version is None:
            # Someone (another press, another worker) wrote first: show what they left.
            fresh = await self._load(chat_id, user_id)
            return self.engine.step(fresh, Show("stale"), locale).reply, fresh.version
        return step.reply, version

    async def _send(self, update: Update, reply: Reply, owner: int, version: int) -> None:
        message = update.effective_message
        chat = update.effective_chat
        if chat is None:
            return
        markup = self.markup(reply, owner, version)
        reply_to = message.message_id if message and chat.type != ChatType.PRIVATE else None
        await chat.send_message(fit(reply.text), reply_markup=markup, reply_to_message_id=reply_to)

    @staticmethod
    def _ids(update: Update) -> tuple[int, int] | None:
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None:
            return None
        return chat.id, user.id

    @staticmethod
    def _locale(update: Update) -> str:
        user = update.effective_user
        return i18n.locale_for(user.language_code if user else None)

    # --- handlers --------------------------------------------------------------------------

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        ids = self._ids(update)
        if ids is None:
            return
        payload = context.args[0] if context.args else ""
        locale = self._locale(update)
        event: Event = Start(payload[:64])
        if not payload:
            current = await self._load(*ids)
            if current.history and current.state != "outcome":
                event = Show("resumed")
        reply, version = await self.advance(*ids, event, locale)
        await self._send(update, reply, ids[1], version)

    async def restart(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        ids = self._ids(update)
        if ids is None:
            return
        reply, version = await self.advance(*ids, Start(), self._locale(update))
        await self._send(update, reply, ids[1], version)

    async def cancel(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        ids = self._ids(update)
        if ids is None or update.effective_message is None:
            return
        await self.store.delete(*ids)
        await update.effective_message.reply_text(i18n.gettext(self._locale(update), CANCELLED))

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message is not None:
            await update.effective_message.reply_text(i18n.gettext(self._locale(update), HELP))

    async def unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message is not None:
            text = i18n.gettext(self._locale(update), UNKNOWN_COMMAND)
            await update.effective_message.reply_text(text)

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        ids = self._ids(update)
        message = update.effective_message
        if ids is None or message is None:
            return
        event: Event = Text(message.text) if message.text else Show(ONLY_TEXT)
        reply, version = await self.advance(*ids, event, self._locale(update))
        await self._send(update, reply, ids[1], version)

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        locale = i18n.locale_for(query.from_user.language_code)
        data = ButtonData.decode(query.data)
        event = event_for(data.action, self.engine) if data else None
        message = query.message if isinstance(query.message, Message) else None
        answer: str | None = None
        try:
            if data is not None and data.owner != query.from_user.id:
                answer = NOT_YOURS
                return
            chat_id = message.chat.id if message else query.from_user.id
            if data is None or event is None:
                # A forged or ancient button: say so, and show where the user really is.
                answer = EXPIRED_BUTTON
                pressed: Event | ButtonEvent = Show("stale")
            else:
                pressed = ButtonEvent(data.version, event)
            reply, version = await self.advance(chat_id, query.from_user.id, pressed, locale)
            await self._show(query.from_user.id, message, reply, version, context)
        finally:
            # Every callback query is answered, or the user's button keeps spinning.
            with contextlib.suppress(TelegramError):
                await query.answer(
                    i18n.gettext(locale, answer) if answer else None, show_alert=answer == NOT_YOURS
                )

    async def _show(
        self,
        owner: int,
        message: Message | None,
        reply: Reply,
        version: int,
        context: ContextTypes.DEFAULT_TYPE,
    ) -> None:
        """Edit the menu in place; if it cannot be edited, send a new one."""
        markup = self.markup(reply, owner, version)
        if message is not None:
            try:
                await message.edit_text(fit(reply.text), reply_markup=markup)
                return
            except BadRequest as exc:
                if "not modified" in str(exc).lower():
                    return
                log.info("menu could not be edited (%s); sending a new one", exc)
        await context.bot.send_message(
            owner if message is None else message.chat.id, fit(reply.text), reply_markup=markup
        )

    async def other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, voice… in a private chat: say what works, show the question."""
        ids = self._ids(update)
        if ids is None:
            return
        reply, version = await self.advance(*ids, Show(ONLY_TEXT), self._locale(update))
        await self._send(update, reply, ids[1], version)

    async def error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        update_id = update.update_id if isinstance(update, Update) else None
        if isinstance(context.error, Forbidden):
            log.info("update %s: bot blocked or kicked (%s)", update_id, context.error)
            return
        log.error("update %s failed", update_id, exc_info=context.error)
        if isinstance(update, Update) and update.effective_chat is not None:
            with contextlib.suppress(TelegramError):
                text = i18n.gettext(self._locale(update), ERROR)
                await update.effective_chat.send_message(text)


@dataclass(frozen=True)
class ButtonEvent:
    """A button press: the event plus the session version its menu was drawn for."""

    version: int
    event: Event


async def register_commands(application: Application) -> None:
    """Register the command list in every shipped language."""
    for locale in i18n.available():
        commands = [BotCommand(c, i18n.gettext(locale, d)) for c, d in COMMANDS]
        code = None if locale == i18n.DEFAULT_LOCALE else locale.split("_")[0]
        if locale == "zh_Hant":
            continue  # Telegram has one "zh" code; the default list serves Chinese users
        await application.bot.set_my_commands(commands, language_code=code)


def build_application(settings: Settings, engine: Engine, store: Store) -> Application:
    handlers = BotHandlers(engine, store, settings)
    purge_task: dict[str, asyncio.Task[None]] = {}

    async def purge_forever() -> None:
        while True:
            removed = await store.purge()
            if removed:
                log.info("purged %d idle sessions", removed)
            await asyncio.sleep(PURGE_EVERY_SECONDS)

    async def post_init(app: Application) -> None:
        await store.open()
        await register_commands(app)
        purge_task["task"] = asyncio.get_running_loop().create_task(purge_forever())

    async def post_shutdown(app: Application) -> None:
        task = purge_task.pop("task", None)
        if task is not None:
            task.cancel()
        await store.close()

    application = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.base_url)
        .rate_limiter(AIORateLimiter(max_retries=3))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    add_handlers(application, handlers)
    return application


def add_handlers(application: Application, handlers: BotHandlers) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler(["start", "ask"], handlers.start))
    application.add_handler(CommandHandler("restart", handlers.restart))
    application.add_handler(CommandHandler("cancel", handlers.cancel))
    application.add_handler(CommandHandler("help", handlers.help))
    application.add_handler(CallbackQueryHandler(handlers.button))
    application.add_handler(MessageHandler(filters.COMMAND, handlers.unknown_command))
    application.add_handler(MessageHandler(private & filters.TEXT, handlers.text))
    application.add_handler(
        MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, handlers.other)
    )
    application.add_error_handler(handlers.error)
