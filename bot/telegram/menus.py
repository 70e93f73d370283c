"""The menu: the one path every update about a user's session takes, and the menu features.

Each update is one read of the user's session row (with the user's and the chat's settings),
one engine step, one conditional write committed before anything is sent, then one send or
edit. The handlers here are the menu's own: button presses on a question or a card, typed
text in a private chat, replies to a menu in a group, and anything else sent privately.
"""

from __future__ import annotations

import functools
import json
import logging
import warnings
from collections.abc import Awaitable, Callable

from telegram import Bot, Message, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes
from telegram.warnings import PTBUserWarning

from bot.config import Settings
from bot.core import i18n
from bot.core.engine import Engine, Event, Show, Start, Text
from bot.core.flow import OUTCOME
from bot.core.i18n import N_
from bot.core.session import Session
from bot.core.view import View
from bot.render.text import Button, Renderer, Reply
from bot.store.base import Loaded, Store
from bot.telegram.common import (
    ANONYMOUS_ADMIN,
    NOT_YOURS,
    ButtonEvent,
    Press,
    Turn,
    Who,
    answer_press,
    choose_locale,
    event_for,
    fit,
    press_of,
    who_of,
)
from bot.telegram.metrics import VERDICTS

log = logging.getLogger(__name__)
# Menus go out through Bot.do_api_request with a pre-serialised keyboard (see `keyboard`);
# PTB suggests its typed methods for that, which is right in general and measured slow here.
warnings.filterwarnings(
    "ignore", message=r"Please use 'Bot\.(sendMessage|editMessageText)'", category=PTBUserWarning
)

# A callback_data placeholder that JSON keeps as the six characters \u0000 (a NUL never
# appears in a label or an action), replaced by `owner|version|` when a menu is sent.
_PLACEHOLDER = "\x00"
_SLOT = "\\u0000"

EXPIRED_BUTTON = N_("这个按钮已经失效，已为你显示当前的问题。")
ONLY_TEXT = N_("我只看得懂文字和按钮。")


class Menus:
    """Load, step, store, send: shared by every feature that shows a user their menu."""

    def __init__(self, engine: Engine, store: Store, settings: Settings) -> None:
        self.engine = engine
        self.store = store
        self.settings = settings
        self.renderer = Renderer(engine.flow)
        # Set by add_handlers (admin.py knows): whether an update comes from a chat's admin.
        self.is_admin: Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[bool]] | None = None

    # --- sending a menu ------------------------------------------------------------------------

    def keyboard(self, reply: Reply, owner: int, version: int) -> str:
        """The reply's inline keyboard as Bot API JSON, with this owner's and version's data.

        Building PTB's InlineKeyboardButton objects and serialising them again costs ~15 µs
        a button (a 32-province menu: ~500 µs, more than all the rest of an update), so each
        distinct keyboard is serialised once and only the `owner|version|` prefix is filled in.
        """
        return self._keyboard_template(reply.rows).replace(_SLOT, f"{owner}|{version}|")

    @functools.lru_cache(maxsize=2048)  # noqa: B019 - one Menus object lives as long as the app
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

    async def send(self, update: Update, who: Who, turn: Turn) -> None:
        message = update.effective_message
        # In a group the menu answers the member who asked, so others see whose it is.
        reply_to = message.message_id if who.is_group and message is not None else None
        await self.send_menu(update.get_bot(), who, turn, reply_to)

    async def edit_or_send(self, bot: Bot, who: Who, message: Message | None, turn: Turn) -> None:
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

    # --- the one step -------------------------------------------------------------------------

    def _turn(self, view: View, version: int, locale: str) -> Turn:
        return Turn(self.renderer.render(view, locale), version, locale)

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

    async def locale(self, who: Who) -> str:
        return choose_locale(await self.store.load(who.chat_id, who.user_id), who)

    # --- handlers -----------------------------------------------------------------------------

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A press on a question's or a card's button (and any button no other feature owns)."""
        press = press_of(update)
        if press is None:
            return
        notice: str | None = NOT_YOURS
        locale = i18n.locale_for(press.who.language_code)
        try:
            if not press.mine and await self._anonymous_admins(update, context, press):
                press = press.as_anonymous_admin()
            if not press.mine:
                return
            event = event_for(press.data.action, self.engine) if press.data else None
            if press.data is None or event is None:
                # A forged or ancient button: say so, and show where the user really is.
                notice = EXPIRED_BUTTON
                turn = await self.advance(press.who, Show("stale"))
            else:
                notice = None
                turn = await self.advance(press.who, ButtonEvent(press.data.version, event))
            locale = turn.locale
            await self.edit_or_send(context.bot, press.who, press.message, turn)
        finally:
            await answer_press(press, locale, notice)

    async def _anonymous_admins(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, press: Press
    ) -> bool:
        """Whether an admin pressed the menu an anonymous admin opened (/ask as the group)."""
        return (
            press.who.is_group
            and press.owner == ANONYMOUS_ADMIN
            and press.data is not None
            and press.data.owner == ANONYMOUS_ADMIN
            and self.is_admin is not None
            and await self.is_admin(update, context)
        )

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        who = who_of(update)
        message = update.effective_message
        if who is None or message is None:
            return
        if self.settings.log_text:
            # Off by default: what people type about their family stays private.
            log.info("text from user %s: %r", who.user_id, message.text)
        event: Event = Text(message.text) if message.text else Show(ONLY_TEXT)
        await self.send(update, who, await self.advance(who, event))

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
            await self.send(update, who, await self.advance(who, Show(ONLY_TEXT)))


async def _call(bot: Bot, method: str, params: dict[str, object]) -> None:
    """One Bot API call. Retries happen below, in the transport, for every call alike (only
    what is safe to repeat); 429s are waited out by the flood limiter for that chat alone."""
    await bot.do_api_request(method, api_kwargs=params)
