"""Sessions survive content changes, through the real bot: users whose stored card points at
an item removed from flows/ are asked again with a notice when they show the menu again, press
an old button, type, or switch the language."""

from __future__ import annotations

from pathlib import Path

from flow_copies import PATH, REMOVED, without_item
from standin_botapi import StandinBotAPI
from telegram_helpers import press, running_bot, say

from bot.core import i18n
from bot.core.engine import Engine
from bot.core.flow import load_flow
from bot.render.text import NOTICES

NOTICE = NOTICES["content_changed"]


async def test_telegram_users_on_a_removed_item_are_asked_again(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    db = tmp_path / "bot.sqlite3"
    users = {name: api.user(8100 + i, language_code="zh-hans") for i, name in enumerate("ABCD")}
    payload = Engine(load_flow(), understand=False).payload_for(dict(PATH))
    cards = {}
    async with running_bot(api, db):
        for name, user in users.items():
            cards[name] = await say(api, user, f"/start {payload}")
            assert "不能用个人账户支付" in cards[name]["text"]
    async with running_bot(api, db, flows=without_item(tmp_path, REMOVED)):
        # Showing the menu again: a plain /start.
        shown = await say(api, users["A"], "/start")
        # A button of the card drawn by the old content.
        await press(api, users["B"], cards["B"], button_text="👤 换个人")
        pressed = api.last_message(users["B"].id)
        # Typed text.
        typed = await say(api, users["C"], "能买保健品吗")
        # A language switch shows the menu again, in English.
        menu = await say(api, users["D"], "/language")
        await press(api, users["D"], menu, button_text="English")
        await api.wait_for_async(lambda a: "Which one" in a.last_message(users["D"].id)["text"])
        switched = api.last_message(users["D"].id)
    for message in (shown, pressed, typed):
        assert message["text"].startswith(NOTICE + "\n"), message["text"]
        assert "具体是哪一项？" in message["text"]
    assert switched["text"].startswith(i18n.gettext("en", NOTICE))
    assert "Which one exactly?" in switched["text"]
    assert "出了点问题" not in str(api.calls)
