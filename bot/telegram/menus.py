"""The menu: the one path every update about a user's session takes, and the menu features.

Each update is one read of the user's session row (with the user's and the chat's settings),
one engine step, one conditional write committed before anything is sent, then one send or
edit (bot/telegram/send.py: Telegram HTML and a pre-serialised keyboard). The handlers here are
the menu's own: button presses on a question or a card, typed text in a private chat, replies
to a menu in a group, and anything else sent privately. A finished answer also remembers the
user's place and insurance (a second write only when they changed).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable

from telegram import Bot, Message, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot.config import Settings
from bot.core import i18n
from bot.core.engine import Engine, Event, Show, Start, Text
from bot.core.flow import OUTCOME
from bot.core.i18n import N_
from bot.core.session import Session
from bot.core.view import View
from bot.render.html import HtmlRenderer
from bot.store.base import PRIVATE_FEEDBACK_CHAT, Loaded, Store
from bot.telegram.card import THANKS, WRONG_ACTION, with_card_buttons
from bot.telegram.common import (
    ANONYMOUS_ADMIN,
    NOT_YOURS,
    ButtonEvent,
    Pick,
    Press,
    Turn,
    Who,
    answer_press,
    choose_locale,
    event_for,
    memory_of,
    press_of,
    remembered_answers,
    who_of,
)
from bot.telegram.metrics import VERDICTS
from bot.telegram.send import Sender, call, esc
from bot.telegram.welcome import Welcome

log = logging.getLogger(__name__)

EXPIRED_BUTTON = N_("这个按钮已经失效，已为你显示当前的问题。")
MENU_CLOSED = N_("这个菜单已关闭，请使用下面的新菜单。")


class Menus:
    """Load, step, store, send: shared by every feature that shows a user their menu."""

    def __init__(self, engine: Engine, store: Store, settings: Settings) -> None:
        self.engine = engine
        self.store = store
        self.settings = settings
        self.renderer = HtmlRenderer(engine.flow)
        self.sender = Sender(engine)
        self.welcome = Welcome(engine, self.renderer)
        # Set by add_handlers (admin.py knows): whether an update comes from a chat's admin.
        self.is_admin: Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[bool]] | None = None

    # --- sending a menu ------------------------------------------------------------------------

    def _dressed(self, bot: Bot, who: Who, turn: Turn) -> Turn:
        """A card gets its share and feedback buttons (in a group, only those)."""
        if turn.view is None or turn.view.outcome is None:
            return turn
        reply = with_card_buttons(
            self.engine, turn.reply, turn.view.answers, bot.username, turn.locale, who.is_group
        )
        return Turn(reply, turn.version, turn.locale, turn.view, turn.remembered)

    async def send_menu(self, bot: Bot, who: Who, turn: Turn, reply_to: int | None = None) -> None:
        turn = self._dressed(bot, who, turn)
        await self.sender.send(bot, who.chat_id, turn.reply, who.user_id, turn.version, reply_to)

    async def send(self, update: Update, who: Who, turn: Turn) -> None:
        message = update.effective_message
        # In a group the menu answers the member who asked, so others see whose it is.
        reply_to = message.message_id if who.is_group and message is not None else None
        await self.send_menu(update.get_bot(), who, turn, reply_to)

    async def open_in_group(self, update: Update, who: Who, turn: Turn) -> None:
        """One live menu per member in a group: send the new menu, store its id in the member's
        session row, and collapse the menu it replaces.

        The id is known only once the menu is sent, so it is written after sending, conditional
        on the version the step left; the new menu's buttons carry the version that write
        commits. If someone wrote in between, the buttons are simply outdated and a press on
        them shows where the member really is.
        """
        session = turn.session
        if not who.is_group or session is None:
            await self.send(update, who, turn)
            return
        bot = update.get_bot()
        message = update.effective_message
        reply = self._dressed(bot, who, turn).reply
        reply_to = message.message_id if message is not None else None
        sent = await self.sender.send(
            bot, who.chat_id, reply, who.user_id, turn.version + 1, reply_to
        )
        if sent is None:
            return
        old = session.menu
        session.menu = sent
        written = await self.store.save(who.chat_id, who.user_id, session.dumps(), turn.version)
        if written is not None and old is not None and old != sent:
            await self.collapse(bot, who.chat_id, old, turn.locale)

    async def collapse(self, bot: Bot, chat_id: int, message_id: int, locale: str) -> None:
        """Edit a replaced menu to one line without buttons. Editing works on a message of any
        age (deleting only within 48 hours), so this is the robust way to retire it."""
        text = esc(i18n.gettext(locale, MENU_CLOSED))
        with contextlib.suppress(TelegramError):  # already closed or gone: nothing to undo
            await call(
                bot, "editMessageText", {"chat_id": chat_id, "message_id": message_id, "text": text}
            )

    async def edit_or_send(self, bot: Bot, who: Who, message: Message | None, turn: Turn) -> None:
        """Edit the menu in place; if it cannot be edited, send a new one."""
        if message is not None:
            reply = self._dressed(bot, who, turn).reply
            try:
                await self.sender.edit(
                    bot, who.chat_id, message.message_id, reply, who.user_id, turn.version
                )
                return
            except BadRequest as exc:
                if "not modified" in str(exc).lower():
                    return
                log.info("menu could not be edited (%s); sending a new one", exc)
        await self.send_menu(bot, who, turn)

    # --- the one step -------------------------------------------------------------------------

    def _turn(
        self,
        view: View,
        version: int,
        locale: str,
        remembered: str | None,
        session: Session | None = None,
    ) -> Turn:
        reply = self.renderer.render(view, locale)
        return Turn(reply, version, locale, view, remembered, session)

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

    async def advance(
        self, who: Who, event: Event | ButtonEvent, loaded: Loaded | None = None
    ) -> Turn:
        """Load (unless the caller already did), step, store. The write is committed before the
        caller sends anything."""
        if loaded is None:
            loaded = await self.store.load(who.chat_id, who.user_id)
        locale = choose_locale(loaded, who)
        session = self._session(loaded)
        chosen: Event | Pick = event.event if isinstance(event, ButtonEvent) else event
        if isinstance(event, ButtonEvent) and event.version != session.version:
            view = self.engine.step(session, Show("stale")).view
            return self._turn(view, session.version, locale, loaded.remembered)
        if isinstance(chosen, Pick):  # a quick pick starts from what is remembered
            chosen = Start("-".join(x for x in (loaded.remembered, chosen.payload) if x))
        mid_flow = bool(session.history) and session.state != OUTCOME
        if isinstance(chosen, Start) and chosen.resume and mid_flow:
            chosen = Show("resumed")  # plain /start in the middle of the flow: carry on
        if loaded.data is None and isinstance(chosen, Show):
            chosen = Start()  # nothing stored yet: begin properly (group region, first write)
        step = self.engine.step(session, self._with_group_region(chosen, loaded, who))
        if not step.changed:
            return self._turn(step.view, session.version, locale, loaded.remembered, session)
        step.session.menu = session.menu  # the engine knows nothing of menus: keep the id
        version = await self.store.save(
            who.chat_id, who.user_id, step.session.dumps(), session.version
        )
        if version is None:
            # Someone (another press, another worker) wrote first: show what they left.
            fresh = await self.store.load(who.chat_id, who.user_id)
            view = self.engine.step(self._session(fresh), Show("stale")).view
            return self._turn(view, fresh.version, locale, fresh.remembered)
        if step.view.verdict:
            VERDICTS.labels(step.view.verdict).inc()
            if who.is_group:
                await self.store.count_verdict(who.chat_id, step.view.verdict)
            memory = memory_of(self.engine, step.session.answers)
            if memory != loaded.remembered:  # only when it changed: usually no second write
                await self.store.remember(who.user_id, memory)
        return self._turn(step.view, version, locale, loaded.remembered, step.session)

    async def locale(self, who: Who) -> str:
        return choose_locale(await self.store.load(who.chat_id, who.user_id), who)

    def welcomed(self, who: Who, turn: Turn, linked: bool = False) -> Turn:
        """In a private chat, a fresh start opens with the intro: last time's answers to keep
        (a returning user) or the quick picks above the first question (a new one)."""
        view = turn.view
        if who.is_group or linked or view is None or view.question is None or view.answers:
            return turn
        remembered = remembered_answers(self.engine, turn.remembered)
        if remembered:
            reply = self.welcome.returning(remembered, turn.locale)
        else:
            reply = self.welcome.first(turn.reply, turn.locale)
        return Turn(reply, turn.version, turn.locale, view, turn.remembered)

    # --- handlers -----------------------------------------------------------------------------

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A press on a question's or a card's button (and any button no other feature owns).

        The press is answered first, before the store or a (rate-limited) edit, so the spinner
        stops at once even in a busy group; then it is carried out.
        """
        press = press_of(update)
        if press is None:
            return
        locale = i18n.locale_for(press.who.language_code)
        if not press.mine and await self._anonymous_admins(update, context, press):
            press = press.as_anonymous_admin()
        action = press.data.action if press.data is not None else ""
        event = event_for(action, self.engine) if press.data is not None else None
        if not press.mine:
            notice: str | None = NOT_YOURS
        elif action == WRONG_ACTION:
            notice = THANKS
        else:
            notice = EXPIRED_BUTTON if event is None else None
        loaded = await self._replaced(press) if notice is None else None
        if loaded is False:
            await answer_press(press, locale, MENU_CLOSED)
            return  # a menu the member replaced with a newer one: it changes nothing
        await answer_press(press, locale, notice)
        if not press.mine:
            return
        if action == WRONG_ACTION:
            await self._wrong(press.who)
            return
        if press.data is None or event is None:
            # A forged or ancient button: show where the user really is.
            turn = await self.advance(press.who, Show("stale"))
        else:
            loaded_now = loaded if isinstance(loaded, Loaded) else None
            turn = await self.advance(press.who, ButtonEvent(press.data.version, event), loaded_now)
        await self.edit_or_send(context.bot, press.who, press.message, turn)

    async def _replaced(self, press: Press) -> Loaded | bool | None:
        """In a group, read the member's row (the one read the press needs anyway) and tell
        whether the pressed menu is one they have since replaced: False if so."""
        if not press.who.is_group or press.message is None:
            return None
        loaded = await self.store.load(press.who.chat_id, press.who.user_id)
        menu = self._session(loaded).menu if loaded.data is not None else None
        if menu is not None and menu != press.message.message_id:
            return False
        return loaded

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

    async def _wrong(self, who: Who) -> None:
        """ "这个答案有误？": one more count for the answer on the user's card (if still there)."""
        session = self._session(await self.store.load(who.chat_id, who.user_id))
        if session.state != OUTCOME:
            return
        outcome = self.engine.rules.outcome(session.answers)
        chat = who.chat_id if who.is_group else PRIVATE_FEEDBACK_CHAT
        await self.store.count_feedback(chat, outcome.id)

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        who = who_of(update)
        message = update.effective_message
        if who is None or message is None or not message.text:
            return
        if self.settings.log_text:
            # Off by default: what people type about their family stays private.
            log.info("text from user %s: %r", who.user_id, message.text)
        turn = await self.advance(who, Text(message.text))
        if turn.view is not None and turn.view.notice == "not_understood":
            if turn.version:  # small talk in a conversation: one line, not the card again
                await message.reply_text(self.welcome.hint(turn.locale))
                return
            turn = self.welcomed(who, await self.advance(who, Start()))  # a first "hello"
        await self.open_in_group(update, who, turn)

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
        """Stickers, photos, voice… in a private chat: one line saying what works."""
        who = who_of(update)
        if who is None or update.effective_message is None:
            return
        loaded = await self.store.load(who.chat_id, who.user_id)
        if loaded.data is None:  # nothing going on yet: the intro says what works
            await self.send(update, who, self.welcomed(who, await self.advance(who, Start())))
            return
        hint = self.welcome.hint(choose_locale(loaded, who), not_text=True)
        await update.effective_message.reply_text(hint)
