"""Inline mode end to end: per-user languages, the results button, popular questions, titles."""

from __future__ import annotations

import re
from pathlib import Path

from standin_botapi import StandinBotAPI, parse_html
from telegram_helpers import inline, press, running_bot, say

from bot.telegram.common import POPULAR_ITEMS

CJK = re.compile(r"[\u4e00-\u9fff]")


def plain(result: dict) -> str:
    """The text a chat shows for a sent result (its HTML parsed as Telegram does)."""
    content = result["input_message_content"]
    return parse_html(content["message_text"])[0]


async def test_same_query_from_users_of_different_languages_never_mixes(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    zh, hant, en = (
        api.user(3101, language_code="zh-hans"),
        api.user(3102, language_code="zh-hant"),
        api.user(3103, language_code="en"),
    )
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        answers = {u.id: await inline(api, u, "吉林 父母 疫苗") for u in (zh, hant, en)}
        for answer in answers.values():
            # Results follow the asker: Telegram must not hand them to anyone else.
            assert str(answer["is_personal"]).lower() == "true"
            assert answer["button"]["start_parameter"].startswith("p220000")
        cards = {uid: a["results"][0] for uid, a in answers.items()}
        assert cards[zh.id]["title"].startswith("疫苗 · 不可以")  # 吉林: not for vaccines
        assert cards[en.id]["title"].startswith("Vaccines · ")
        text = {uid: plain(c) for uid, c in cards.items()}
        assert text[zh.id].startswith("❌") and "来源" in text[zh.id]
        assert text[hant.id].startswith("❌") and "來源" in text[hant.id]
        assert text[en.id].startswith("❌") and "Source" in text[en.id]
        # (Rule texts may quote a Chinese term; the bot's own words are English.)
        assert not CJK.search(cards[en.id]["title"] + "".join(text[en.id].split("\n")[:3]))
        for card in cards.values():
            assert len(card["title"]) <= 30


async def test_the_language_chosen_in_the_bot_wins_over_telegrams(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    user = api.user(3104, language_code="zh-hans")
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        menu = await say(api, user, "/language")
        await press(api, user, menu, button_text="English")
        answer = await inline(api, user, "北京 体检")
        assert answer["results"][0]["title"].startswith("Health check")


async def test_empty_query_offers_the_most_asked_questions_and_the_results_button(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    user = api.user(3105, language_code="zh-hans")
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        answer = await inline(api, user, "")
        titles = [r["title"] for r in answer["results"]]
        assert len(titles) == len(POPULAR_ITEMS)
        assert titles[0].startswith("药店买药 · ") and titles[2].startswith("疫苗 · ")
        assert answer["button"]["start_parameter"] == "inline"
        # The button opens the private chat at the first question, without complaint.
        reply = await say(api, user, "/start inline")
        assert "省份" in reply["text"] and "无法识别" not in reply["text"]


async def test_a_sent_card_opens_exactly_the_same_card_for_someone_new(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    asker, stranger = api.user(3106), api.user(3107)
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        answer = await inline(api, asker, "长春 给我妈 药店买药 同城")
        card = answer["results"][0]
        sent = plain(card)
        assert card["input_message_content"]["parse_mode"] == "HTML"
        url = card["reply_markup"]["inline_keyboard"][0][0]["url"]
        assert url.startswith("https://t.me/") and "?start=" in url
        opened = await say(api, stranger, "/start " + url.split("?start=")[1])
        # Same verdict, place and rules; the inline copy only adds what it assumed.
        assert opened["text"].split("\n")[0] == sent.split("\n")[0]
        assert "长春" in opened["text"] and "父母" in opened["text"]
        assert sent.split("来源")[1] == opened["text"].split("来源")[1]


async def test_a_query_without_an_item_offers_the_popular_items_for_that_place(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    user = api.user(3108)
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        answer = await inline(api, user, "上海 退休")
        assert len(answer["results"]) == len(POPULAR_ITEMS)
        assert all("上海" in r["description"] for r in answer["results"])
        assert answer["button"]["start_parameter"].startswith("p310000")
