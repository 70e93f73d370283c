"""The JSON form of a view (`python -m bot ask --json`, scripts): plain data, localized texts."""

from __future__ import annotations

from typing import Any

from bot.core import i18n
from bot.core.flow import Flow
from bot.core.rules import Outcome
from bot.core.view import View
from bot.render.text import Renderer, localize


class JsonRenderer:
    def __init__(self, flow: Flow) -> None:
        self.flow = flow
        self.text = Renderer(flow)

    def render(self, view: View, locale: str) -> dict[str, Any]:
        if view.outcome is not None:
            return {
                "kind": "outcome",
                **self.outcome(view.outcome, locale),
                "assumed": list(view.assumed),
            }
        assert view.question is not None
        question = view.question
        return {
            "kind": "question",
            "question": question.id,
            "text": i18n.gettext(locale, question.text),
            "options": [
                {"id": oid, "label": self.text.option_label(question, opt, locale)}
                for oid in view.options
                if (opt := question.option(oid)) is not None
            ],
            "answers": dict(view.answers),
            "notice": view.notice,
            "corrections": list(view.corrections),
            "locale": locale,
        }

    def place(self, code: str, locale: str) -> dict[str, Any]:
        """A place: code, its own name, level (national when none) and the name with its parents."""
        place = self.flow.divisions.get(code)
        return {
            "code": code,
            "name": self.text.place_name(code, locale),
            "level": place.level if place is not None else "national",
            "path": self.text.region_name(code, locale),
        }

    def outcome(self, outcome: Outcome, locale: str) -> dict[str, Any]:
        t = i18n.translations(locale).gettext
        flow = self.flow
        sources = flow.cited_sources(outcome.rules)
        return {
            "verdict": outcome.verdict,
            "rule_id": outcome.id,
            "rules": [{"id": r.id, "layer": r.layer, "verdict": r.verdict} for r in outcome.rules],
            "region": self.place(outcome.region, locale),
            "answered_by": self.place(outcome.answered_by, locale),
            "text": "\n".join(localize(t(r.text), locale) for r in outcome.rules),
            "conditions": list(
                dict.fromkeys(localize(t(c), locale) for r in outcome.rules for c in r.conditions)
            ),
            "regional_note": self.text.regional_note(outcome, locale),
            "sources": [
                {
                    "id": s.id,
                    "title": s.title,
                    "publisher": s.publisher,
                    "date": s.date,
                    "doc_no": s.doc_no or None,
                    "kind": s.kind,
                    "url": s.url or None,
                }
                for s in sources
            ],
            "checked": min(r.checked for r in outcome.rules),
            "locale": locale,
        }
