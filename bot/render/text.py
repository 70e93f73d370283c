"""The text form of a view (Telegram and the console): text plus rows of buttons.

The engine returns a `View` (data); this renderer words it in the user's language.

Buttons carry short ASCII action codes, never labels: `<question id>:<option id>` for an
answer and `_<action>` for navigation. A transport adds whatever it needs (Telegram adds the
owner and the session version).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from babel.dates import format_date, format_skeleton
from babel.lists import format_list
from babel.numbers import format_currency

from bot.core import i18n, ids
from bot.core.flow import NATIONWIDE, UNDATED, Flow, Option, Question, Rule
from bot.core.i18n import N_
from bot.core.regions import place_label
from bot.core.rules import Outcome
from bot.core.view import View

if TYPE_CHECKING:
    from bot.core.understand import Understanding

VERDICT_LINES = {
    "allowed": N_("✅ 可以用个人账户支付"),
    "not_allowed": N_("❌ 不能用个人账户支付"),
    "conditional": N_("⚠️ 要看条件：满足条件才可以"),
    "info": N_("ℹ️ 说明"),
}
# Readers should see which sources are government texts and which are aggregator pages.
SOURCE_KIND_LABELS = {"aggregator": N_("聚合网站文章"), "news": N_("新闻报道")}
VERDICT_WORDS = {
    "allowed": N_("可以"),
    "not_allowed": N_("不可以"),
    "conditional": N_("有条件"),
    "info": N_("说明"),
}
NOTICES = {
    "stale": N_("这个菜单已经过时了，下面是你现在所在的问题。"),
    "not_understood": N_(
        "没看懂这条消息。可以点下面的按钮，也可以直接问，比如：\n"
        "“我在长春，能用医保卡给我妈买流感疫苗吗？”\n“退休了，账户里的钱能取出来吗？”"
    ),
    "at_start": N_("已经是第一个问题了。"),
    "bad_link": N_("链接里有部分内容无法识别，已经忽略。"),
    "resumed": N_("欢迎回来，我们从上次停下的地方继续。"),
    "content_changed": N_("内容有更新，你之前的部分回答已经不适用，请从这里重新选择。"),
}
ASSUMED = N_("未说明的按默认：{what}")
NAV_LABELS = {
    "back": N_("⬅️ 返回"),
    "restart": N_("🔄 重新开始"),
    "item": N_("🔍 问另一项"),
    "person": N_("👤 换个人"),
    "region": N_("📍 换地区"),
}
# Buttons in a row share its width, so rows are packed until the widest label times the count
# would no longer fit a phone screen (measured in cells: a CJK character is two).
_ROW_CELLS = 32
_ROW_MAX = 4
# A question with more buttons than this (新疆's 27 places) shows them a page at a time.
PAGE_SIZE = 24
# Only the city question pages; the 31 provinces have always been one grid, known by heart.
PAGED_QUESTIONS = (ids.CITY,)
PAGE_LABELS = {"prev": N_("◀️ 上一页"), "next": N_("下一页 ▶️")}
# The card names the region on its own line, so its summary leaves these out.
_NOT_IN_CARD = (ids.PROVINCE, ids.CITY, ids.CATEGORY)


FIX_LABELS = {
    "region": N_("✏️ 改地区"),
    "item": N_("✏️ 改用途"),
    "person": N_("✏️ 改人"),
}


@dataclass(frozen=True)
class Button:
    code: str
    label: str


@dataclass(frozen=True)
class Reply:
    text: str
    rows: tuple[tuple[Button, ...], ...]
    kind: str  # "question" or "outcome"
    verdict: str | None = None
    outcome: Outcome | None = None

    @property
    def buttons(self) -> list[Button]:
        return [b for row in self.rows for b in row]


class Renderer:
    def __init__(self, flow: Flow) -> None:
        self.flow = flow

    # --- pieces -------------------------------------------------------------------------------

    def option_label(self, question: Question, option: Option, locale: str) -> str:
        if option.place:
            return place_label(self.flow, option.id, locale)
        return i18n.gettext(locale, option.label)

    def label_of(self, question: Question, option_id: str, locale: str) -> str:
        """An option's label by id (the bare id if the flow no longer has it)."""
        option = question.option(option_id)
        return option_id if option is None else self.option_label(question, option, locale)

    def region_name(self, code: str, locale: str) -> str:
        """A place with the places it is in: 江苏 · 苏州 · 昆山 (全国 when none)."""
        chain = self.flow.divisions.chain(code)
        if not chain:
            return i18n.gettext(locale, "全国")
        return " · ".join(place_label(self.flow, d.code, locale) for d in reversed(chain))

    def place_name(self, code: str, locale: str) -> str:
        """One place's own full name (杭州市, 浙江省), or 全国."""
        if code not in self.flow.divisions:
            return i18n.gettext(locale, "全国")
        return place_label(self.flow, code, locale, short=False)

    def summary(
        self,
        answers: Mapping[str, str],
        history: Sequence[str],
        locale: str,
        skip: tuple[str, ...] = (ids.CATEGORY,),
    ) -> str:
        """What the user has answered so far, in one line (the item says more than its category)."""
        parts = []
        for qid in history:
            if qid in skip or qid not in answers:
                continue
            question = self.flow.question(qid)
            option = question.option(answers[qid])
            if option is not None:
                parts.append(self.option_label(question, option, locale))
        return " · ".join(parts)

    def _nav_row(self, actions: Sequence[str], locale: str) -> tuple[Button, ...]:
        """Back and Start over on every question (on the first, Back says it is the first)."""
        return tuple(Button(f"_{a}", i18n.gettext(locale, NAV_LABELS[a])) for a in actions)

    @staticmethod
    def _rows(buttons: list[Button]) -> list[tuple[Button, ...]]:
        rows: list[tuple[Button, ...]] = []
        row: list[Button] = []
        widest = 0
        for button in buttons:
            width = max(widest, _cells(button.label) + 2)
            if row and (width * (len(row) + 1) > _ROW_CELLS or len(row) == _ROW_MAX):
                rows.append(tuple(row))
                row, width = [], _cells(button.label) + 2
            row.append(button)
            widest = width
        if row:
            rows.append(tuple(row))
        return rows

    def _notice(self, view: View, locale: str) -> list[str]:
        lines = self._assumed(view, locale)
        if view.notice is not None:
            lines += [i18n.gettext(locale, NOTICES.get(view.notice, view.notice)), ""]
        if view.understood is not None:
            said = self.understood(view.understood, locale)
            if said:
                lines += [said, ""]
        return lines

    def _assumed(self, view: View, locale: str) -> list[str]:
        """A one-line question's card says which answers were taken as the default."""
        names = []
        for qid in view.assumed:
            question = self.flow.question(qid)
            option = question.option(view.answers.get(qid, question.default or ""))
            if option is not None:
                names.append(self.option_label(question, option, locale))
        if not names:
            return []
        return [i18n.gettext(locale, ASSUMED).format(what=" · ".join(names))]

    def understood(self, understood: Understanding, locale: str) -> str:
        """One line saying what a typed question was understood as, and what stays open."""
        t = i18n.translations(locale).gettext
        parts = []
        for question in self.flow.questions:
            option_id = understood.answers.get(question.id)
            if option_id is None or question.id == ids.PROVINCE:
                continue  # a city names its province
            if question.id == ids.CATEGORY and ids.ITEM in understood.answers:
                continue  # an item names its category
            if question.id == ids.CITY and option_id not in self.flow.regions:
                continue
            option = question.option(option_id)
            if option is not None:
                parts.append(self.option_label(question, option, locale))
        if ids.PROVINCE in understood.answers and ids.CITY not in understood.answers:
            question = self.flow.question(ids.PROVINCE)
            province = question.option(understood.answers[ids.PROVINCE])
            if province is not None:
                parts.insert(0, self.option_label(question, province, locale))
        lines = [t("我理解的是：") + " · ".join(parts)] if parts else []
        for slot, candidates in understood.ambiguous.items():
            if not candidates:  # asked about without naming an option: the question asks it
                continue
            question = self.flow.question(slot)
            names = [self.label_of(question, c, locale) for c in candidates]
            if len(names) == 1:  # "医保要转去成都": a place one moves to may not be the account's
                lines.append(
                    t("你提到了{option}，但不确定那是不是这里要问的。请在下面选一个。").format(
                        option=names[0]
                    )
                )
                continue
            lines.append(
                t("你提到了几个选项：{options}。请在下面选一个。").format(
                    options=format_list(names, locale=i18n.babel_locale(locale))
                )
            )
        if lines:
            lines.append(t("不对的话，可以点“返回”或在结果里更改。"))
        return "\n".join(lines)

    def _corrections(self, actions: Sequence[str], locale: str) -> list[tuple[Button, ...]]:
        """After a typed question: one button per understood part, to correct it."""
        if not actions:
            return []
        return [tuple(Button(f"_{a}", i18n.gettext(locale, FIX_LABELS[a])) for a in actions)]

    # --- replies ------------------------------------------------------------------------------

    def render(self, view: View, locale: str) -> Reply:
        """The whole reply for a view: a question with its buttons, or an answer card."""
        if view.outcome is not None:
            return self.card(view, view.outcome, locale)
        return self.question(view, locale)

    def question(self, view: View, locale: str) -> Reply:
        assert view.question is not None
        lines = self._notice(view, locale)
        summary = self.summary(view.answers, view.history, locale)
        if summary:
            lines += [i18n.gettext(locale, "已选：") + summary, ""]
        lines.append(i18n.gettext(locale, view.question.text))
        question = view.question
        listed = [o for oid in view.options if (o := question.option(oid))]
        pages = self._pages(listed) if question.id in PAGED_QUESTIONS else [view.options]
        page = min(max(view.page, 0), len(pages) - 1)
        rows = self._option_rows(question.id, pages[page], locale)
        if len(pages) > 1:
            rows = (*rows, self._page_row(page, len(pages), locale))
        nav = self._nav_row(view.nav, locale)
        fixes = self._corrections(view.corrections, locale)
        return Reply("\n".join(lines), (*rows, nav, *fixes), "question")

    @staticmethod
    def _pages(listed: list[Option]) -> list[tuple[str, ...]]:
        """Place buttons split into pages; the other options ("not sure") are on every page."""
        places = [o.id for o in listed if o.place]
        others = tuple(o.id for o in listed if not o.place)
        if len(places) <= PAGE_SIZE:
            return [tuple(o.id for o in listed)]
        return [(*places[i : i + PAGE_SIZE], *others) for i in range(0, len(places), PAGE_SIZE)]

    def _page_row(self, page: int, count: int, locale: str) -> tuple[Button, ...]:
        row = []
        if page > 0:
            row.append(Button(f"_page:{page - 1}", i18n.gettext(locale, PAGE_LABELS["prev"])))
        row.append(Button("_page:" + str(page), f"{page + 1}/{count}"))
        if page < count - 1:
            row.append(Button(f"_page:{page + 1}", i18n.gettext(locale, PAGE_LABELS["next"])))
        return tuple(row)

    @functools.lru_cache(maxsize=1024)  # noqa: B019 - one renderer lives as long as the process
    def _option_rows(
        self, qid: str, option_ids: tuple[str, ...], locale: str
    ) -> tuple[tuple[Button, ...], ...]:
        """A question's buttons laid out in rows; the same for everyone at that point."""
        question = self.flow.question(qid)
        buttons = [
            Button(f"{qid}:{oid}", self.label_of(question, oid, locale)) for oid in option_ids
        ]
        return tuple(self._rows(buttons))

    def card(self, view: View, outcome: Outcome, locale: str) -> Reply:
        t = i18n.translations(locale).gettext
        lines = self._notice(view, locale)
        lines.append(t(VERDICT_LINES[outcome.verdict]))
        summary = self.summary(view.answers, view.history, locale, _NOT_IN_CARD)
        lines.append(f"📍 {self.region_name(outcome.region, locale)} · {summary}")
        lines.append("")
        lines += [localize(t(r.text), locale) for r in outcome.rules]
        conditions = [localize(t(c), locale) for r in outcome.rules for c in r.conditions]
        if conditions:
            lines += ["", t("条件：")] + [f"• {c}" for c in dict.fromkeys(conditions)]
        lines += ["", t("地区差异：") + self.regional_note(outcome, locale)]
        lines += ["", self._sources_line(outcome.rules, locale)]
        checked = min(r.checked for r in outcome.rules)
        lines.append(t("核对日期：") + format_day(checked, locale))
        lines += [
            "",
            t(
                "各地规定和执行可能不同，请以参保地医保部门为准：办理前向当地医保经办机构或国家医保服务平台核实。"
            ),
        ]
        # Two change buttons a row, so each label keeps its full width on a phone.
        nav = self._nav_row(view.nav, locale)
        rows = [nav[i : i + 2] for i in range(0, len(nav), 2)]
        return Reply("\n".join(lines), tuple(rows), "outcome", outcome.verdict, outcome)

    def regional_note(self, outcome: Outcome, locale: str) -> str:
        """Whose rules answered: the place's own, a parent's ("杭州市：…按浙江省规定回答"), or the
        national ones; and, for each regional rule, what the national rule says."""
        t = i18n.translations(locale).gettext
        notes = self._answered_above(outcome, locale)
        for regional, national in outcome.national:
            place = self.place_name(regional.region or NATIONWIDE, locale)
            if national is None:
                notes.append(t("{place}有自己的规定，全国没有统一规定。").format(place=place))
            else:
                notes.append(
                    t("以上是{place}的规定。全国规定（{verdict}）：{text}").format(
                        place=place,
                        verdict=t(VERDICT_WORDS[national.verdict]),
                        text=localize(t(national.text), locale),
                    )
                )
        if outcome.region == NATIONWIDE:
            notes.append(t("以上是全国通用规定，各地细则可能不同。"))
        return " ".join(notes)

    def _answered_above(self, outcome: Outcome, locale: str) -> list[str]:
        """ "杭州市：…按浙江省规定回答" when a higher level's rules answered for the place."""
        if outcome.region == NATIONWIDE or outcome.answered_by == outcome.region:
            return []
        return [
            i18n.gettext(locale, "{place}：没有收集到当地的特别规定，按{level}规定回答。").format(
                place=self.place_name(outcome.region, locale),
                level=self.place_name(outcome.answered_by, locale),
            )
        ]

    def _sources_line(self, rules: tuple[Rule, ...], locale: str) -> str:
        t = i18n.translations(locale).gettext
        names = []
        for src in self.flow.cited_sources(rules):
            day = format_day(src.date, locale) if src.date != UNDATED else t("日期不详")
            kind = t(SOURCE_KIND_LABELS[src.kind]) if src.kind in SOURCE_KIND_LABELS else ""
            parts = (t(src.publisher), src.doc_no, day, kind)
            detail = t("，").join(x for x in parts if x)
            names.append(t("《{title}》（{detail}）").format(title=t(src.title), detail=detail))
        return t("来源：") + format_list(names, locale=i18n.babel_locale(locale))


_MONEY = re.compile(r"\{money:([0-9]+(?:\.[0-9]+)?)\}")


def localize(text: str, locale: str) -> str:
    """Amounts in texts are written `{money:7778.40}`; babel formats them for the locale."""
    if "{money:" not in text:
        return text
    where = i18n.babel_locale(locale)
    return _MONEY.sub(lambda m: format_currency(float(m.group(1)), "CNY", locale=where), text)


def format_day(day: str, locale: str) -> str:
    """A YYYY-MM-DD or YYYY-MM date for the locale: 2026年11月28日 / Nov 28, 2026; 2024年8月."""
    where = i18n.babel_locale(locale)
    try:
        if len(day) == 7:
            value = dt.date.fromisoformat(day + "-01")
            return format_skeleton("yMMM", value, locale=where)
        return format_date(dt.date.fromisoformat(day), format="medium", locale=where)
    except ValueError:
        return day


def _cells(text: str) -> int:
    """Display width in cells: a CJK character takes two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
