"""Places over real Telegram HTTP: the paged city menu, a county typed in, /setregion, deep links."""

from __future__ import annotations

import json
from pathlib import Path

from standin_botapi import StandinBotAPI
from telegram_helpers import press, running_bot, say

GROUP = {"id": -1009876543210, "type": "supergroup", "title": "老乡群"}


def _labels(message: dict) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [b["text"] for row in rows for b in row]


def _data(message: dict) -> list[str]:
    rows = message.get("reply_markup")
    if isinstance(rows, str):
        rows = json.loads(rows)
    return [b["callback_data"] for row in (rows or {}).get("inline_keyboard", []) for b in row]


async def test_the_city_menu_pages_through_every_place_of_xinjiang(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    user = api.user(6001)
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        await say(api, user, "/start")
        await press(api, user, api.last_message(user.id), button_text="新疆")
        first = api.last_message(user.id)
        assert "乌鲁木齐" in _labels(first) and "草湖" not in _labels(first)
        assert all(len(d.encode()) <= 64 for d in _data(first))
        await press(api, user, first, button_text="下一页 ▶️")
        second = api.last_message(user.id)
        assert "草湖" in _labels(second) and "乌鲁木齐" not in _labels(second)
        await press(api, user, second, button_text="草湖")
        assert "哪种医保" in api.last_message(user.id)["text"]
        assert "草湖" in api.last_message(user.id)["text"]


async def test_a_county_typed_at_the_city_question_is_answered_for_that_county(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    user = api.user(6002)
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        await say(api, user, "/start")
        await press(api, user, api.last_message(user.id), button_text="江苏")
        reply = await say(api, user, "昆山")
        assert "哪种医保" in reply["text"] and "昆山" in reply["text"]


async def test_setregion_takes_a_county_and_refuses_an_ambiguous_name(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    admin, member = api.user(6003), api.user(6004)
    api.set_member_status(GROUP["id"], admin.id, "administrator")
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        refused = await say(api, admin, "/setregion suzhou", chat=GROUP)
        assert "苏州市（江苏省）" in refused["text"] and "宿州市（安徽省）" in refused["text"]
        done = await say(api, admin, "/setregion 义乌", chat=GROUP)
        assert "义乌" in done["text"] and "金华" in done["text"]
        menu = await say(api, member, "/ask", chat=GROUP)
        assert "哪种医保" in menu["text"] and "义乌" in menu["text"]


async def test_a_deep_link_to_a_district_of_a_municipality(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    user = api.user(6005)
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        card = await say(api, user, "/start p310000-c310115-iemployee-tfitness")
        assert "浦东" in card["text"]
        assert "浦东新区：没有收集到当地的特别规定" in card["text"]
