"""Every word localized: the whole flow in zh-Hans, zh-Hant and English; /language mid-flow;
catalogs complete and up to date with the code and flows."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from standin_botapi import StandinBotAPI
from telegram_helpers import press, running_bot, say

from bot.core import i18n

ROOT = Path(__file__).resolve().parents[2]
POT = i18n.LOCALES_DIR / "messages.pot"
SHIPPED = ("en", "zh_Hant")
# (language_code, labels to press, words the card must contain)
WALKS = {
    "zh-hans": (
        [
            "吉林",
            "长春",
            "职工医保（在职）",
            "预防、保健、美容健身",
            "疫苗",
            "父母",
            "和我同一个城市（统筹区）",
        ],
        ["来源：", "长春", "不能用个人账户支付"],
    ),
    "zh-tw": (
        [
            "吉林",
            "長春",
            "職工醫保（在職）",
            "預防、保健、美容健身",
            "疫苗",
            "父母",
            "和我同一個城市（統籌區）",
        ],
        ["來源：", "長春", "不能用個人帳戶支付"],
    ),
    "en": (
        [
            "Jilin",
            "Changchun",
            "Employee (in work)",
            "Prevention, wellness, beauty, fitness",
            "Vaccines",
            "Parents",
            "Same city (pooling area)",
        ],
        ["Source:", "Changchun", "may not pay"],
    ),
}


def catalog(locale: str):  # type: ignore[no-untyped-def]
    with (i18n.LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh)


def foreign_strings(locale: str) -> list[str]:
    """Source texts whose translation differs: seeing one means an untranslated string."""
    if locale == "zh_Hans":
        return [
            str(m.string)
            for loc in SHIPPED
            for m in catalog(loc)
            if m.id and m.string and m.string != m.id and len(str(m.string)) > 3 and loc == "en"
        ]
    return [
        str(m.id)
        for m in catalog(locale)
        if m.id and m.string and m.string != m.id and len(str(m.id)) > 3
    ]


@pytest.mark.parametrize("language_code", list(WALKS))
async def test_whole_flow_in_each_language(
    api: StandinBotAPI, tmp_path: Path, language_code: str
) -> None:
    labels, expected = WALKS[language_code]
    user = api.user(7000 + len(language_code), language_code=language_code)
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        await say(api, user, "/start")
        for label in labels:
            await press(api, user, api.last_message(user.id), button_text=label)
        card = api.last_message(user.id)["text"]
    for word in expected:
        assert word in card, (word, card)
    locale = i18n.locale_for(language_code)
    leaked = [s for s in foreign_strings(locale) if s in card]
    assert leaked == [], leaked


async def test_language_switches_mid_flow_without_losing_answers(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    user = api.user(7100, language_code="zh-hans")
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        await say(api, user, "/start")
        for label in ("吉林", "长春"):
            await press(api, user, api.last_message(user.id), button_text=label)
        menu = await say(api, user, "/language")
        await press(api, user, menu, button_text="English")
        await api.wait_for_async(lambda a: "Changchun" in a.last_message(user.id)["text"])
        current = api.last_message(user.id)
        assert "Which insurance" in current["text"]
        for label in (
            "Employee (in work)",
            "Medical care, medicines",
            "Outpatient visit",
            "Myself",
        ):
            await press(api, user, api.last_message(user.id), button_text=label)
        card = api.last_message(user.id)["text"]
        assert "Changchun" in card and "Source:" in card
        # Remembered: a new /start speaks English although Telegram says zh-hans.
        assert "province" in (await say(api, user, "/restart"))["text"].lower()


def test_language_codes_map_explicitly() -> None:
    cases = {
        "zh-hans": "zh_Hans",
        "zh-cn": "zh_Hans",
        "zh-sg": "zh_Hans",
        "zh-hant": "zh_Hant",
        "zh-tw": "zh_Hant",
        "zh-hk": "zh_Hant",
        "zh-mo": "zh_Hant",
        "en": "en",
        "en-us": "en",
        "en-GB": "en",
        "ru": "zh_Hans",
        None: "zh_Hans",
        "": "zh_Hans",
    }
    for code, locale in cases.items():
        assert i18n.locale_for(code) == locale, code


@pytest.mark.parametrize("locale", SHIPPED)
def test_shipped_catalogs_are_complete(locale: str) -> None:
    po = i18n.LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
    assert i18n.catalog_problems(POT, po) == []


def test_completeness_check_fails_on_a_catalog_with_a_missing_message(tmp_path: Path) -> None:
    broken = tmp_path / "messages.po"
    shutil.copy(i18n.LOCALES_DIR / "en" / "LC_MESSAGES" / "messages.po", broken)
    text = broken.read_text(encoding="utf-8")
    text = text.replace('msgstr "Source: "', 'msgstr ""', 1)
    text = text.replace("{place} has a rule of its own", "{region} has a rule of its own", 1)
    broken.write_text(text, encoding="utf-8")
    problems = i18n.catalog_problems(POT, broken)
    assert any("missing translation for '来源：'" in p for p in problems)
    assert any("placeholders differ" in p for p in problems)


def test_template_is_up_to_date_with_code_and_flows() -> None:
    """A text added without running locales/update.sh would ship untranslated."""
    keywords = {"N_": None, "gettext": (2,), "t": None}
    method_map = [("bot/**.py", "python"), ("flows/**.yaml", "yamlflows")]
    extracted = {
        message
        for _, _, message, _, _ in extract_from_dir(
            str(ROOT), method_map=method_map, keywords=keywords
        )
        if isinstance(message, str)
    }
    with POT.open("rb") as fh:
        template = {str(m.id) for m in read_po(fh) if m.id}
    assert extracted - template == set(), "run locales/update.sh and translate"
