"""Inline mode: `@bot 吉林 父母 疫苗` in any chat offers the matching answer card.

The query is read with the same lexicon as typed questions; what it leaves out is filled with
each question's default and the card says what was assumed. Every result carries a button that
opens the guided menu in a private chat with the understood answers (a deep link). Nothing is
read from or written to the store: inline queries are stateless.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.ext import ContextTypes

from bot.core import i18n, ids
from bot.core.engine import Engine
from bot.core.flow import OUTCOME
from bot.core.i18n import N_
from bot.render.text import VERDICT_LINES, Renderer
from bot.telegram.common import fit

log = logging.getLogger(__name__)

OPEN_MENU = N_("在私聊中一步步问")
GUIDED_TITLE = N_("打开引导菜单")
GUIDED_TEXT = N_("点下面的按钮，和我私聊，一步步查个人账户能不能付。")
GUIDED_HINT = N_("例如：吉林 父母 疫苗")
CACHE_SECONDS = 300


class InlineHandlers:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.renderer = Renderer(engine.flow)

    def _deep_link(self, username: str, answers: dict[str, str]) -> str:
        payload = self.engine.payload_for(answers)
        return f"https://t.me/{username}?start={payload}" if payload else f"https://t.me/{username}"

    async def inline_query(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.inline_query
        if query is None:
            return
        locale = i18n.locale_for(query.from_user.language_code)
        t = i18n.translations(locale).gettext
        understood = (
            self.engine.understander.understand(query.query[:256])
            if self.engine.understander is not None
            else None
        )
        answers = dict(understood.answers) if understood is not None else {}
        username = context.bot.username
        results = []
        if ids.ITEM in answers:
            session, assumed = self.engine.complete(answers)
            if session.state == OUTCOME:
                results.append(self._card(session, assumed, answers, locale, username))
        button = InlineKeyboardMarkup(
            [[InlineKeyboardButton(t(OPEN_MENU), url=self._deep_link(username, answers))]]
        )
        results.append(
            InlineQueryResultArticle(
                id="guided-"
                + hashlib.sha1(self.engine.payload_for(answers).encode()).hexdigest()[:16],
                title=t(GUIDED_TITLE),
                description=t(GUIDED_HINT),
                input_message_content=InputTextMessageContent(t(GUIDED_TEXT)),
                reply_markup=button,
            )
        )
        await query.answer(results, cache_time=CACHE_SECONDS, is_personal=False)

    def _card(  # type: ignore[no-untyped-def]
        self, session, assumed: list[str], understood: dict[str, str], locale: str, username: str
    ):
        """The answer card; its button opens the menu with what was understood, not assumed."""
        t = i18n.translations(locale).gettext
        renderer = self.renderer
        view = dataclasses.replace(self.engine.view(session), assumed=tuple(assumed))
        outcome = view.outcome
        assert outcome is not None
        text = renderer.render(view, locale).text
        item = self.engine.flow.question(ids.ITEM)
        item_label = renderer.label_of(item, session.answers[ids.ITEM], locale)
        return InlineQueryResultArticle(
            id=hashlib.sha1(self.engine.payload_for(session.answers).encode()).hexdigest()[:32],
            title=f"{t(VERDICT_LINES[outcome.verdict])} · {item_label}",
            description=renderer.region_name(outcome.region, locale)
            + " · "
            + renderer.summary(
                session.answers,
                session.history,
                locale,
                (ids.PROVINCE, ids.CITY, ids.CATEGORY, ids.ITEM),
            ),
            input_message_content=InputTextMessageContent(fit(text)),
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton(t(OPEN_MENU), url=self._deep_link(username, understood))]]
            ),
        )
