"""Translations with babel's gettext catalogs.

The source language is simplified Chinese: a msgid is the zh-Hans text itself, written in the
code (marked with `N_`/`gettext`) or in `flows/*.yaml`. Catalogs are compiled in memory from
the `.po` files when first used, so no stale binary catalog can ever ship.
"""

from __future__ import annotations

import io
import re
from functools import cache
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from bot.core import languages
from bot.core.resources import package_dir

LOCALES_DIR = package_dir("bot.locales")
DOMAIN = "messages"
DEFAULT_LOCALE = languages.DEFAULT.code


def N_(message: str) -> str:
    """Mark a string for extraction without translating it here."""
    return message


def locales() -> tuple[str, ...]:
    """Every language in the registry (bot/core/languages.py), catalog or not."""
    return tuple(lang.code for lang in languages.LANGUAGES)


def locale_for(language_code: str | None) -> str:
    """Map a Telegram `language_code` (or a locale name) to a shipped locale."""
    if not language_code:
        return DEFAULT_LOCALE
    code = language_code.replace("_", "-").lower()
    for lang in languages.LANGUAGES:
        if code in lang.telegram_tags:
            return lang.code
    for lang in languages.LANGUAGES:
        if any(code == p or code.startswith(p + "-") for p in lang.telegram_prefixes):
            return lang.code
    return DEFAULT_LOCALE


def catalog_path(locale: str) -> Path:
    lang = languages.by_code(locale)
    return LOCALES_DIR / (lang.catalog if lang is not None else f"{locale}/LC_MESSAGES/{DOMAIN}.po")


def available() -> tuple[str, ...]:
    """Locales that have a catalog (zh_Hans needs none: its msgids are the texts)."""
    return tuple(loc for loc in locales() if loc == DEFAULT_LOCALE or catalog_path(loc).exists())


@cache
def translations(locale: str) -> NullTranslations:
    """The compiled catalog for a locale; built once per process, shared by every update."""
    po_path = catalog_path(locale)
    if not po_path.exists():
        # zh_Hans needs no catalog (its msgids are the texts); a missing one falls back to it.
        return NullTranslations()
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return Translations(buf, domain=DOMAIN)


@cache
def babel_locale(locale: str) -> Locale:
    lang = languages.by_code(locale)
    return Locale.parse(lang.babel if lang is not None else locale)


def gettext(locale: str, message: str) -> str:
    return translations(locale).gettext(message)


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{[a-z_]*(?::[0-9.]+)?\}", text))


def catalog_problems(pot_path: Path, po_path: Path) -> list[str]:
    """Every message of the template must be translated in the catalog: not missing, not
    empty, not fuzzy, and with exactly the msgid's {placeholders}."""
    with pot_path.open("rb") as fh:
        template = read_po(fh)
    with po_path.open("rb") as fh:
        catalog = read_po(fh)
    problems = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id)
        short = str(message.id)[:40]
        if found is None or not found.string:
            problems.append(f"{po_path}: missing translation for {short!r}")
        elif found.fuzzy:
            problems.append(f"{po_path}: fuzzy translation for {short!r}")
        elif _placeholders(str(message.id)) != _placeholders(str(found.string)):
            problems.append(f"{po_path}: placeholders differ for {short!r}")
    return problems
