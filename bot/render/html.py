"""The Telegram form of a view: the text renderer's words as Telegram HTML.

Everything that comes from the flow, the user or a translation is escaped; only the tags
written here are markup. The answer card is built for a phone screen: the verdict in bold on
the first line, the place and the answers, the rule texts, up to three conditions and the
regional difference; further conditions, the sources (linked to the official text where one is
known), the date checked and the disclaimer go into an expandable quote, so the card's buttons
stay in view for typical answers.
"""

from __future__ import annotations

from dataclasses import replace
from html import escape

from bot.core import i18n
from bot.core.flow import NATIONWIDE, UNDATED
from bot.core.i18n import N_
from bot.core.rules import Outcome
from bot.core.view import View
from bot.render.text import (
    _NOT_IN_CARD,
    SOURCE_KIND_LABELS,
    VERDICT_LINES,
    VERDICT_WORDS,
    Renderer,
    Reply,
    format_day,
    localize,
)

SHOWN_CONDITIONS = 3
OWN_RULE = N_("{place}有自己的规定；全国规定是“{verdict}”。")
OWN_RULE_ONLY = N_("{place}有自己的规定，全国没有统一规定。")
NO_DIFFERENCE = N_("没找到{place}与全国不同的规定，按全国规定回答。")
MORE_CONDITIONS = N_("其他条件：")
DISCLAIMER = N_(
    "各地规定和执行可能不同，请以参保地医保部门为准：办理前向当地医保经办机构或国家医保服务平台核实。"
)


def esc(text: str) -> str:
    return escape(text, quote=False)


class HtmlRenderer(Renderer):
    def question(self, view: View, locale: str) -> Reply:
        reply = super().question(view, locale)
        return replace(reply, text=esc(reply.text))

    def card(self, view: View, outcome: Outcome, locale: str) -> Reply:
        t = i18n.translations(locale).gettext
        lines = [esc(line) for line in self._notice(view, locale)]
        lines.append(f"<b>{esc(t(VERDICT_LINES[outcome.verdict]))}</b>")
        summary = self.summary(view.answers, view.history, locale, _NOT_IN_CARD)
        place = self.region_name(outcome.region, locale)
        lines.append(esc(f"📍 {place} · {summary}" if summary else f"📍 {place}"))
        lines.append("")
        lines += [esc(localize(t(r.text), locale)) for r in outcome.rules]
        conditions = list(
            dict.fromkeys(localize(t(c), locale) for r in outcome.rules for c in r.conditions)
        )
        shown, more = conditions[:SHOWN_CONDITIONS], conditions[SHOWN_CONDITIONS:]
        # Headings in bold instead of blank lines between sections: every line counts on a phone.
        if shown:
            lines += [f"<b>{esc(t('条件：'))}</b>", *(f"• {esc(c)}" for c in shown)]
        lines.append(
            f"<b>{esc(t('地区差异：'))}</b>{esc(self.short_regional_note(outcome, locale))}"
        )
        quote: list[str] = []
        if outcome.national:  # the national rule in full, for whoever wants to compare
            quote += [esc(self.regional_note(outcome, locale)), ""]
        if more:
            quote += [esc(t(MORE_CONDITIONS)), *(f"• {esc(c)}" for c in more), ""]
        quote += self._sources(outcome, locale)
        checked = min(r.checked for r in outcome.rules)
        quote.append(esc(t("核对日期：") + format_day(checked, locale)))
        quote.append(esc(t(DISCLAIMER)))
        text = "\n".join(lines) + "\n<blockquote expandable>" + "\n".join(quote) + "</blockquote>"
        nav = self._nav_row(view.nav, locale)
        rows = [nav[i : i + 2] for i in range(0, len(nav), 2)]
        return Reply(text, tuple(rows), "outcome", outcome.verdict, outcome)

    def short_regional_note(self, outcome: Outcome, locale: str) -> str:
        """Whose rules answered, in short; each regional rule's national counterpart is only
        named by its verdict here (the full national text is in the quote)."""
        t = i18n.translations(locale).gettext
        notes = self._answered_above(outcome, locale)
        for regional, national in outcome.national:
            place = self.place_name(regional.region or NATIONWIDE, locale)
            if national is None:
                notes.append(t(OWN_RULE_ONLY).format(place=place))
            else:
                verdict = t(VERDICT_WORDS[national.verdict])
                notes.append(t(OWN_RULE).format(place=place, verdict=verdict))
        if outcome.region == NATIONWIDE:
            notes.append(t("以上是全国通用规定，各地细则可能不同。"))
        if not notes:
            notes.append(t(NO_DIFFERENCE).format(place=self.place_name(outcome.region, locale)))
        return " ".join(dict.fromkeys(notes))

    def _sources(self, outcome: Outcome, locale: str) -> list[str]:
        """One line per source: its title (a link to the official text when known), then who
        published it, its number and date."""
        t = i18n.translations(locale).gettext
        lines = [esc(t("来源："))]
        for src in self.flow.cited_sources(outcome.rules):
            day = format_day(src.date, locale) if src.date != UNDATED else t("日期不详")
            kind = t(SOURCE_KIND_LABELS[src.kind]) if src.kind in SOURCE_KIND_LABELS else ""
            detail = t("，").join(x for x in (t(src.publisher), src.doc_no, day, kind) if x)
            name = esc(t(src.title))
            if src.url:
                name = f'<a href="{escape(src.url, quote=True)}">{name}</a>'
            # The template's own characters are escaped; the parts put in are escaped already.
            line = esc(t("《{title}》（{detail}）")).format(title=name, detail=esc(detail))
            lines.append(f"• {line}")
        return lines
