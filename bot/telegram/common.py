"""Small pieces every Telegram feature module shares: button data, who an update is from."""

from __future__ import annotations

import contextlib
import re
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, replace

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot.core import i18n, ids
from bot.core.engine import NAV_ACTIONS, Answer, Engine, Event, Nav, Page
from bot.core.i18n import N_
from bot.core.session import Session
from bot.core.view import View
from bot.render.text import Reply
from bot.store.base import Loaded

MAX_TEXT = 4096
MAX_CALLBACK_BYTES = 64
# Button data is `owner|version|action`; features register callback handlers by action pattern.
BUTTON_PREFIX = r"^[0-9]+\|[0-9]+\|"  # ASCII digits: \d also matches "²" and "٣"
# Who an anonymous group admin's messages come from; their presses come from their own account.
ANONYMOUS_ADMIN = 1087968824
NOT_YOURS = N_("这是别人的菜单。请发送 /ask 打开你自己的菜单。")
# The most asked items: quick picks under /start and the results of an empty inline query.
POPULAR_ITEMS = ids.POPULAR_ITEMS
# What is remembered per user and offered again ("上次：吉林·长春·在职").
PLACE_AND_INSURANCE = (ids.PROVINCE, ids.CITY, ids.INSURANCE)
# The start parameter of inline mode's results button: open the chat, nothing pre-selected.
START_FROM_INLINE = "inline"
VERDICT_EMOJI = {"allowed": "✅", "not_allowed": "❌", "conditional": "⚠️", "info": "ℹ️"}
_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{0,60}")


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
        # isdigit() alone accepts "²" or "①", which int() then refuses: ASCII digits only.
        if len(parts) != 3 or not all(p.isascii() and p.isdigit() for p in parts[:2]):
            return None
        return cls(int(parts[0]), int(parts[1]), parts[2])


STORE_FAILURES = "store_failures"  # the StoreFailures in Application.bot_data


class StoreFailures:
    """Updates whose handling failed on the database, remembered for a while (bounded).

    The webhook answers such an update with a non-2xx status so that Telegram delivers it
    again; the user is told once that something went wrong, not at every redelivery.
    """

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._failed: OrderedDict[int, None] = OrderedDict()
        self._apologised: OrderedDict[int, None] = OrderedDict()

    def _remember(self, ids: OrderedDict[int, None], update_id: int) -> None:
        ids[update_id] = None
        while len(ids) > self.size:
            ids.popitem(last=False)

    def failed(self, update_id: int) -> None:
        self._remember(self._failed, update_id)

    def take(self, update_id: int) -> bool:
        """Did this update fail on the store? (Forgets it: the next delivery starts afresh.)"""
        if update_id not in self._failed:
            return False
        del self._failed[update_id]
        return True

    def first_apology(self, update_id: int) -> bool:
        """True the first time it is asked for an update, False for its redeliveries."""
        if update_id in self._apologised:
            return False
        self._remember(self._apologised, update_id)
        return True


@dataclass(frozen=True)
class ButtonEvent:
    """A button press: the event plus the session version its menu was drawn for."""

    version: int
    event: Event | Pick


@dataclass(frozen=True)
class Pick:
    """A quick pick or "keep last time's answers": start afresh from the remembered place and
    insurance plus `payload` (a start payload, e.g. `tvaccine`; empty for "keep")."""

    payload: str


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
    view: View | None = None  # what the reply shows
    remembered: str | None = None  # the user's remembered place and insurance, as read
    session: Session | None = None  # the session as stored at `version` (None: not known)


def event_for(action: str, engine: Engine) -> Event | Pick | None:
    """Turn a button's action code back into an engine event (None if it is not one)."""
    if action.startswith("_page:"):
        page = action[len("_page:") :]
        return Page(int(page)) if page.isdigit() and len(page) < 3 else None
    if action.startswith("_"):
        return Nav(action[1:]) if action[1:] in NAV_ACTIONS else None
    if action.startswith(">"):
        return Pick(action[1:]) if _PAYLOAD.fullmatch(action[1:]) else None
    code, sep, option = action.partition(":")
    question = engine.flow.question_by_code(code)
    return Answer(question.id, option) if sep and question is not None else None


def remembered_answers(engine: Engine, payload: str | None) -> dict[str, str]:
    """The remembered place and insurance as answers (what no longer exists is left out)."""
    if not payload:
        return {}
    answers, _ = engine.parse_payload(payload)
    return {k: v for k, v in answers.items() if k in PLACE_AND_INSURANCE}


def memory_of(engine: Engine, answers: Mapping[str, str]) -> str | None:
    """What to remember of a finished answer: its place and insurance, as a start payload."""
    kept = {k: v for k, v in answers.items() if k in PLACE_AND_INSURANCE}
    return engine.payload_for(kept) or None


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
    message: Message | None  # the message the press may edit (None: send a new one)
    owner: int | None = None  # whose menu the message is, read from the buttons it carries

    @property
    def mine(self) -> bool:
        """False when someone pressed a button on another member's menu.

        In a group the owner is read from the buttons the message really carries, so forged
        data cannot make one member's press rewrite another's menu; a press whose data is not
        ours is nobody's there.
        """
        if self.who.is_group:
            if self.data is None or self.data.owner != self.who.user_id:
                return False
            return self.owner is None or self.owner == self.who.user_id
        return self.data is None or self.data.owner == self.who.user_id

    def as_anonymous_admin(self) -> Press:
        """The press of an admin on the menu an anonymous admin (posting as the group) opened."""
        return replace(self, who=replace(self.who, user_id=ANONYMOUS_ADMIN))


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
    owner = menu_owner(message.reply_markup) if message is not None else None
    if who.is_group and owner is None:
        message = None  # whose menu it is cannot be told: never edit it, send a new one
    return Press(query, who, ButtonData.decode(query.data), message, owner)


def menu_owner(markup: InlineKeyboardMarkup | None) -> int | None:
    """Whose menu a message is, from the first of our buttons it carries."""
    for row in markup.inline_keyboard if markup is not None else ():
        for button in row:
            data = button.callback_data if isinstance(button.callback_data, str) else None
            decoded = ButtonData.decode(data)
            if decoded is not None:
                return decoded.owner
    return None


async def answer_press(press: Press, locale: str, notice: str | None) -> None:
    """Every callback query is answered, or the user's button keeps spinning."""
    with contextlib.suppress(TelegramError):
        await press.query.answer(
            i18n.gettext(locale, notice) if notice else None, show_alert=notice == NOT_YOURS
        )
