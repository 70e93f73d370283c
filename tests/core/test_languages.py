"""The language registry: adding a language is one entry in bot/core/languages.py plus catalogs.

The test adds a fourth language (Japanese) the way a contributor would, without touching any
other module, and checks every place that lists languages picks it up.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from bot.core import i18n, languages
from bot.core.checks import check
from bot.core.engine import Answer, Engine
from bot.core.flow import OUTCOME, Flow
from bot.render.text import Renderer
from bot.store.base import ChatSettings, Loaded
from bot.telegram.admin import setlang_codes, setlang_locale
from bot.telegram.commands import command_lists
from bot.telegram.common import Who, choose_locale
from bot.telegram.language import language_buttons

JA = languages.Language(
    code="ja",
    name="日本語",
    babel="ja",
    telegram_prefixes=("ja",),
    command_lists=("ja",),
    region_names="en",
)
# A few entries in Japanese; the rest of the catalog is the English one (complete, so `check`
# passes: a real contributor would translate them all).
JAPANESE = {
    "你的职工医保在哪个省份参保？（账户所在地）": "職域保険はどの省で加入していますか？",
    "来源：": "出典：",
    "请选择语言：": "言語を選んでください：",
}


def _fresh_caches() -> None:
    i18n.translations.cache_clear()
    i18n.babel_locale.cache_clear()


@pytest.fixture
def with_japanese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    locales = tmp_path / "locales"
    shutil.copytree(i18n.LOCALES_DIR, locales)
    with (locales / "en" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale="ja")
    for msgid, text in JAPANESE.items():
        catalog[msgid].string = text
    (locales / "ja" / "LC_MESSAGES").mkdir(parents=True)
    with (locales / "ja" / "LC_MESSAGES" / "messages.po").open("wb") as fh:
        write_po(fh, catalog, width=0)
    monkeypatch.setattr(i18n, "LOCALES_DIR", locales)
    monkeypatch.setattr(languages, "LANGUAGES", (*languages.LANGUAGES, JA))
    _fresh_caches()
    yield
    _fresh_caches()


def test_a_fourth_language_is_one_registry_entry_plus_its_catalog(
    with_japanese: None, flow: Flow, engine: Engine
) -> None:
    # Telegram's language_code maps to it, and it counts as shipped.
    assert i18n.locale_for("ja-JP") == "ja" and i18n.locale_for("ja") == "ja"
    assert "ja" in i18n.available()
    # /language offers it, /setlang accepts it, Telegram gets a command list for it.
    assert "日本語" in [b.text for b in language_buttons(7)]
    assert setlang_locale("JA") == "ja" and "ja" in setlang_codes().split()
    assert ("ja", "ja") in command_lists()
    # A user's or a group's stored choice is honoured.
    who = Who(-100, 7, "zh-hans", True)
    assert choose_locale(Loaded(None, 0, "ja", ChatSettings()), who) == "ja"
    assert choose_locale(Loaded(None, 0, None, ChatSettings(locale="ja")), who) == "ja"
    # The menu and the card speak it: catalog texts, babel dates, region names from the entry.
    renderer = Renderer(flow)
    first = renderer.render(engine.view(engine.new_session()), "ja")
    assert "職域保険はどの省で加入していますか？" in first.text
    assert "Beijing" in [b.label for b in first.buttons]
    session = engine.new_session()
    for question, option in (("province", "110000"), ("insurance", "resident")):
        session = engine.step(session, Answer(question, option)).session
    assert session.state == OUTCOME
    card = renderer.render(engine.view(session), "ja").text
    assert "出典：" in card and "年" in card  # babel's Japanese date: 2026年11月28日
    # `python -m bot check` checks its catalog like the others'.
    assert [p for p in check(flow, engine) if "ja" in str(p)] == []


def test_without_its_catalog_a_registered_language_is_not_offered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(languages, "LANGUAGES", (*languages.LANGUAGES, JA))
    assert "ja" not in i18n.available()
    assert "日本語" not in [b.text for b in language_buttons(7)]
    assert ("ja", "ja") not in command_lists()
