"""The one registry of the languages the bot speaks. Every place that needs the list reads it.

Adding a language is one `Language(...)` entry here plus its catalog in
locales/<code>/LC_MESSAGES/messages.po (see docs/architecture.md, "Add a language").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath


@dataclass(frozen=True)
class Language:
    code: str  # the locale id used everywhere in the bot, and the catalog's folder name
    name: str  # the language's name in itself, for the /language menu and /settings
    babel: str  # babel's locale identifier (dates, money, lists)
    # Telegram sends IETF tags in `language_code` ("zh-tw", "en-us"); exact tags that map here,
    # then prefixes (a tag equal to one, or starting with it and "-").
    telegram_tags: tuple[str, ...] = ()
    telegram_prefixes: tuple[str, ...] = ()
    # Telegram keys command lists by a two-letter code; None is the default list. A language
    # that Telegram cannot tell apart (zh-Hant vs zh-Hans) gets none and sees the default.
    command_lists: tuple[str | None, ...] = ()
    # Which of regions.yaml's names this language shows: "hans", "hant" or "en".
    region_names: str = "hans"
    # What an admin may type after /setlang, besides the code itself (lowercase).
    setlang_words: tuple[str, ...] = ()

    @property
    def catalog(self) -> PurePosixPath:
        """The catalog, relative to the locales folder (none needed for the source language)."""
        return PurePosixPath(self.code, "LC_MESSAGES", "messages.po")


LANGUAGES: tuple[Language, ...] = (
    Language(
        code="zh_Hans",
        name="简体中文",
        babel="zh_Hans",
        telegram_tags=("zh-hans", "zh-cn", "zh-sg", "zh-my", "zh"),
        telegram_prefixes=("zh-hans",),
        command_lists=(None, "zh"),
        region_names="hans",
        setlang_words=("zh-hans",),
    ),
    Language(
        code="zh_Hant",
        name="繁體中文",
        babel="zh_Hant",
        telegram_tags=("zh-hant", "zh-tw", "zh-hk", "zh-mo"),
        telegram_prefixes=("zh-hant",),
        region_names="hant",
        setlang_words=("zh-hant",),
    ),
    Language(
        code="en",
        name="English",
        babel="en",
        telegram_prefixes=("en",),
        command_lists=("en",),
        region_names="en",
    ),
)
# The source language: msgids are its texts, so it needs no catalog.
DEFAULT = LANGUAGES[0]


def by_code(code: str) -> Language | None:
    return next((lang for lang in LANGUAGES if lang.code == code), None)
