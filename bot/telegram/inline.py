"""Inline mode: `@bot 吉林 父母 疫苗` in any chat offers the matching answer card.

The query is read with the same lexicon as typed questions; what it leaves out is taken from the
user's last place and insurance (if remembered), else each question's default, and the card says
so. An empty query offers the most asked questions. Results depend on who asks (their language,
their remembered place), so Telegram caches them per user (`is_personal`), never across users.
The results button opens the private chat with what was understood (a start parameter); each
card carries a link that reproduces exactly that card for whoever opens it.

One read per query (the user's language and remembered answers); nothing is written.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Mapping

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.core import i18n, ids
from bot.core.engine import Engine
from bot.core.flow import OUTCOME
from bot.core.i18n import N_
from bot.core.session import Session
from bot.render.html import HtmlRenderer
from bot.render.text import VERDICT_WORDS
from bot.store.base import Store
from bot.telegram.common import (
    PLACE_AND_INSURANCE,
    POPULAR_ITEMS,
    START_FROM_INLINE,
    VERDICT_EMOJI,
    Who,
    choose_locale,
    remembered_answers,
)
from bot.telegram.send import esc, fit_html

log = logging.getLogger(__name__)

OPEN_MENU = N_("在私聊中一步步问")
OPEN_CARD = N_("在私聊中打开这个答案")
ASSUMED = N_("未说明的按默认：{what}")
FROM_MEMORY = N_("按你上次的选择：{what}")
CACHE_SECONDS = 300
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
# "发给家人" on a card fills in its start payload: answered with exactly that card.
_PAYLOAD = re.compile(r"[a-z][A-Za-z0-9_]*(?:-[a-z][A-Za-z0-9_]*)*")
TITLE_CHARS = 30  # what a phone shows of a result's title on one line


class InlineHandlers:
    def __init__(self, engine: Engine, store: Store) -> None:
        self.engine = engine
        self.store = store
        self.renderer = HtmlRenderer(engine.flow)

    def deep_link(self, username: str, answers: Mapping[str, str]) -> str:
        payload = self.engine.payload_for(answers)
        return f"https://t.me/{username}?start={payload}" if payload else f"https://t.me/{username}"

    async def inline_query(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.inline_query
        if query is None:
            return
        user = query.from_user
        loaded = await self.store.load(user.id, user.id)
        locale = choose_locale(loaded, Who(user.id, user.id, user.language_code, False))
        t = i18n.translations(locale).gettext
        text = query.query.strip()[:256]
        said = self._read(text)
        remembered = remembered_answers(self.engine, loaded.remembered)
        if any(slot in said for slot in (ids.PROVINCE, ids.CITY)):
            remembered = {k: v for k, v in remembered.items() if k not in (ids.PROVINCE, ids.CITY)}
        base = {**remembered, **said}
        asks = [base]
        if ids.ITEM not in said:  # offer the most asked items (each implies its category)
            asks = [
                {**base, **self.engine.parse_payload(self.engine.payload_for({ids.ITEM: item}))[0]}
                for item in POPULAR_ITEMS
            ]
        username = context.bot.username
        results = []
        for answers in asks:
            session, assumed = self.engine.complete(answers)
            if session.state == OUTCOME:
                memory = [q for q in remembered if q not in said and q in session.answers]
                results.append(self._card(session, assumed, memory, locale, username))
        start = self.engine.payload_for(said) or START_FROM_INLINE
        button = InlineQueryResultsButton(text=t(OPEN_MENU), start_parameter=start)
        await query.answer(results, cache_time=CACHE_SECONDS, is_personal=True, button=button)

    def _read(self, text: str) -> dict[str, str]:
        """The answers a query gives: a card's payload exactly, else the typed words."""
        if _PAYLOAD.fullmatch(text):
            answers, bad = self.engine.parse_payload(text)
            if answers and not bad:
                return answers
        if not text or self.engine.understander is None:
            return {}
        return dict(self.engine.understander.understand(text).answers)

    def _names(self, session: Session, questions: list[str], locale: str) -> str:
        renderer = self.renderer
        names = []
        for qid in questions:
            if qid == ids.PROVINCE and ids.CITY in questions:
                continue  # the city's name says it
            question = self.engine.flow.question(qid)
            option = question.option(session.answers.get(qid, ""))
            if option is not None:
                names.append(renderer.option_label(question, option, locale))
        return " · ".join(names)

    def _card(
        self,
        session: Session,
        assumed: list[str],
        memory: list[str],
        locale: str,
        username: str,
    ) -> InlineQueryResultArticle:
        """The answer card, verdict first; its link opens exactly this card in a private chat."""
        t = i18n.translations(locale).gettext
        renderer = self.renderer
        view = self.engine.view(session)
        outcome = view.outcome
        assert outcome is not None  # the caller checked that the session is at its card
        verdict_line, _, rest = renderer.render(view, locale).text.partition("\n")
        notes = []
        if memory:
            notes.append(esc(t(FROM_MEMORY).format(what=self._names(session, memory, locale))))
        if assumed:
            notes.append(esc(t(ASSUMED).format(what=self._names(session, assumed, locale))))
        text = "\n".join([verdict_line, *notes, rest])
        item = self.engine.flow.question(ids.ITEM)
        item_label = renderer.label_of(item, session.answers[ids.ITEM], locale)
        word = f"{t(VERDICT_WORDS[outcome.verdict])} {VERDICT_EMOJI[outcome.verdict]}"
        if len(item_label) + len(word) + 3 > TITLE_CHARS:
            word = VERDICT_EMOJI[outcome.verdict]  # the item's name matters more than the word
        room = TITLE_CHARS - len(word) - 3
        if len(item_label) > room:
            item_label = item_label[: room - 1] + "…"
        people = [q for q in (ids.RELATIVE, ids.SCOPE) if q in session.answers]
        description = " · ".join(
            x
            for x in (
                renderer.region_name(outcome.region, locale),
                self._names(session, [*people, *PLACE_AND_INSURANCE[2:]], locale),
            )
            if x
        )
        payload = self.engine.payload_for(session.answers)
        return InlineQueryResultArticle(
            id=hashlib.sha1(f"{payload}/{locale}".encode()).hexdigest()[:32],
            title=f"{item_label} · {word}",
            description=description,
            input_message_content=InputTextMessageContent(
                fit_html(text), parse_mode=ParseMode.HTML, link_preview_options=_NO_PREVIEW
            ),
            reply_markup=InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton(
                            t(OPEN_CARD), url=self.deep_link(username, session.answers)
                        )
                    ]
                ]
            ),
        )
