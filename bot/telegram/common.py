"""Small pieces every Telegram feature module shares: button data, who an update is from."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from telegram import CallbackQuery, Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot.core import i18n
from bot.core.engine import NAV_ACTIONS, Answer, Engine, Event, Nav
from bot.core.i18n import N_
from bot.render.text import Reply
from bot.store.base import Loaded

MAX_TEXT = 4096
MAX_CALLBACK_BYTES = 64
# Button data is `owner|version|action`; features register callback handlers by action pattern.
BUTTON_PREFIX = r"^\d+\|\d+\|"
NOT_YOURS = N_("这是别人的菜单。请发送 /ask 打开你自己的菜单。")


@dataclass(frozen=True)
class ButtonData:
    """What a button carries: whose menu, which version of it, and what it does.

    `owner|version|action` stays well inside Telegram's 64 bytes: the action is a one-letter
    question code and an ASCII option id, never a label.
    """

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


@dataclass(frozen=True)
class ButtonEvent:
    """A button press: the event plus the session version its menu was drawn for."""

    version: int
    event: Event


@dataclass(frozen=True)
class Who:
    """Whose session an update is about, and how to speak to them."""

    chat_id: int
    user_id: int
    language_code: str | None
    is_group: bool


@dataclass(frozen=True)
class Turn:
    reply: Reply
    version: int  # the version the reply's buttons must carry
    locale: str


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


def choose_locale(loaded: Loaded, who: Who) -> str:
    """The user's own choice, else the group's language, else Telegram's language_code."""
    if loaded.user_locale is not None and loaded.user_locale in i18n.locales():
        return loaded.user_locale
    if who.is_group and loaded.chat.locale is not None and loaded.chat.locale in i18n.locales():
        return loaded.chat.locale
    return i18n.locale_for(who.language_code)


def who_of(update: Update) -> Who | None:
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return None
    is_group = chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
    return Who(chat.id, user.id, user.language_code, is_group)


@dataclass(frozen=True)
class Press:
    """A button press: the query, whose menu it is about, and what the button carries."""

    query: CallbackQuery
    who: Who
    data: ButtonData | None  # None: not one of our buttons (forged, or from an old format)
    message: Message | None

    @property
    def mine(self) -> bool:
        """False when someone pressed a button on another member's menu."""
        return self.data is None or self.data.owner == self.query.from_user.id


def press_of(update: Update) -> Press | None:
    query = update.callback_query
    if query is None:
        return None
    message = query.message if isinstance(query.message, Message) else None
    chat = message.chat if message is not None else None
    who = Who(
        chat.id if chat is not None else query.from_user.id,
        query.from_user.id,
        query.from_user.language_code,
        chat is not None and chat.type in (ChatType.GROUP, ChatType.SUPERGROUP),
    )
    return Press(query, who, ButtonData.decode(query.data), message)


async def answer_press(press: Press, locale: str, notice: str | None) -> None:
    """Every callback query is answered, or the user's button keeps spinning."""
    with contextlib.suppress(TelegramError):
        await press.query.answer(
            i18n.gettext(locale, notice) if notice else None, show_alert=notice == NOT_YOURS
        )
