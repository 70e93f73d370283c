"""Tests for the Bot API stand-in, driven by the real python-telegram-bot client.

Why: other end-to-end tests trust the stand-in to behave like Telegram; these tests pin down
that PTB can talk to it and that it rejects what Telegram rejects.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest, EndPointNotFound, RetryAfter
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes

sys.path.insert(
    0, str(Path(__file__).resolve().parents[1])
)  # harmless if pyproject sets pythonpath

from standin_botapi import StandinBotAPI, parse_html, utf16_len

TOKEN = "123:ABC"
CHAT = 42


@pytest.fixture
def api() -> Iterator[StandinBotAPI]:
    """Unlike the shared fixture, no check for violations: these tests commit them on purpose."""
    with StandinBotAPI() as server:
        yield server


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d)] for t, d in pairs])


@pytest.mark.asyncio
async def test_bot_roundtrip(api: StandinBotAPI) -> None:
    async with Bot(TOKEN, base_url=api.base_url) as bot:
        me = await bot.get_me()
        assert (me.id, me.is_bot, me.username) == (123, True, "standin_bot")
        assert api.bot_id == 123

        sent = await bot.send_message(CHAT, "hi", reply_markup=keyboard(("Yes", "y"), ("No", "n")))
        assert sent.text == "hi" and sent.chat.id == CHAT and sent.from_user.id == 123
        assert sent.reply_markup == keyboard(("Yes", "y"), ("No", "n"))
        assert api.buttons(api.last_message(CHAT)) == [("Yes", "y"), ("No", "n")]

        edited = await bot.edit_message_text("bye", CHAT, sent.message_id)
        assert edited.text == "bye" and edited.reply_markup is None  # no markup -> removed
        assert api.last_message(CHAT)["text"] == "bye"
        with pytest.raises(BadRequest, match="not modified"):
            await bot.edit_message_text("bye", CHAT, sent.message_id)
        with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
            await bot.edit_message_text("x", CHAT, 999)

        with_button = await bot.send_message(CHAT, "pick", reply_markup=keyboard(("Go", "go")))
        user = api.user(7, "Ann")
        query_id = api.press(user, api.last_message(CHAT), button_text="Go")
        assert api.unanswered_callbacks() == [query_id]
        assert await bot.answer_callback_query(query_id, text="ok")
        assert api.callback_answers[query_id]["text"] == "ok"
        assert api.unanswered_callbacks() == []
        assert [m["message_id"] for m in api.messages(CHAT)] == [1, with_button.message_id]
        assert await bot.delete_message(CHAT, with_button.message_id)
        assert api.last_message(CHAT)["text"] == "bye"

    assert api.violations == []
    assert api.calls[0][0] == "getMe"  # Bot.initialize()
    assert [p["text"] for p in api.calls_of("sendMessage")] == ["hi", "pick"]


@pytest.mark.asyncio
async def test_limits_are_enforced_and_recorded(api: StandinBotAPI) -> None:
    async with Bot(TOKEN, base_url=api.base_url) as bot:
        await bot.send_message(CHAT, "x" * 4096)
        with pytest.raises(BadRequest, match="too long"):
            await bot.send_message(CHAT, "x" * 4097)
        with pytest.raises(BadRequest, match="too long"):  # 2049 emoji = 4098 UTF-16 units
            await bot.send_message(CHAT, "😀" * 2049)
        with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
            await bot.send_message(CHAT, "k", reply_markup=keyboard(("B", "d" * 65)))
        with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):  # 66 bytes in UTF-8
            await bot.send_message(CHAT, "k", reply_markup=keyboard(("B", "é" * 33)))
        await bot.send_message(CHAT, "k", reply_markup=keyboard(("B", "医" * 21)))  # 63 bytes
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await bot.send_message(CHAT, "<b>unclosed", parse_mode="HTML")
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await bot.send_message(CHAT, "a < b", parse_mode="HTML")
        sent = await bot.send_message(CHAT, "<b>费用</b> &amp; <i>x</i>", parse_mode="HTML")
        assert sent.text == "费用 & x"
        assert [(e.type, e.offset, e.length) for e in sent.entities] == [
            ("bold", 0, 2),
            ("italic", 5, 1),
        ]
        assert api.last_message(CHAT)["raw_text"] == "<b>费用</b> &amp; <i>x</i>"
        with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
            await bot.send_message(CHAT, "<b> </b>", parse_mode="HTML")

        query_id = api.press(api.user(7), api.last_message(CHAT) or {}, data="forged")
        with pytest.raises(BadRequest, match=r"(?i)MESSAGE_TOO_LONG"):
            await bot.answer_callback_query(query_id, text="x" * 201)
        await bot.answer_callback_query(query_id)
        with pytest.raises(BadRequest, match=r"(?i)query is too old"):
            await bot.answer_callback_query(query_id)

    assert len(api.violations) == 9
    assert api.violations[0] == "sendMessage: Bad Request: message is too long"
    assert "BUTTON_DATA_INVALID" in api.violations[2]
    assert api.violations[-1].startswith("answerCallbackQuery: Bad Request: query is too old")


def test_html_parser_matches_telegram_rules() -> None:
    assert parse_html("AT&T &foo; &#x4E2D;")[0] == "AT&T &foo; 中"  # unknown refs stay literal
    text, entities = parse_html(
        '<a href="https://e.x/?a=1&amp;b=2">l</a><pre><code class="language-py">p</code></pre>'
    )
    assert text == "lp"
    assert entities == [
        {"type": "text_link", "offset": 0, "length": 1, "url": "https://e.x/?a=1&b=2"},
        {"type": "pre", "offset": 1, "length": 1, "language": "py"},
    ]
    assert parse_html('<span class="tg-spoiler">s</span><blockquote expandable>q</blockquote>')[
        1
    ] == [
        {"type": "spoiler", "offset": 0, "length": 1},
        {"type": "expandable_blockquote", "offset": 1, "length": 1},
    ]
    assert utf16_len("😀a") == 3
    for bad in ("<b><i>x</b></i>", "</b>", "<script>x</script>", "<b", "<span>x</span>"):
        with pytest.raises(Exception, match=r"(?i)can't parse entities"):
            parse_html(bad)


@pytest.mark.asyncio
@pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")
async def test_failure_injection(api: StandinBotAPI) -> None:
    api.fail_next("sendMessage", retry_after=3)
    async with Bot(TOKEN, base_url=api.base_url) as bot:
        api.fail_next("getMe", status=400, description="Bad Request: nope")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(CHAT, "flood")
        assert caught.value.retry_after in (3, dtm.timedelta(seconds=3))
        assert (await bot.send_message(CHAT, "again")).message_id == 1  # the failure was no send
        with pytest.raises(BadRequest, match=r"(?i)nope"):
            await bot.get_me()
        with pytest.raises(EndPointNotFound):
            await bot.do_api_request("noSuchMethod")

        api.delay_next("getChat", 0.3)
        started = time.monotonic()
        chat = await bot.get_chat(CHAT)
        assert time.monotonic() - started >= 0.3 and chat.type == "private"
    # Injected failures are not the bot's fault; calling an unimplemented method is flagged.
    assert api.violations == ["noSuchMethod: Not Found: method not found"]


@pytest.mark.asyncio
async def test_long_polling_wakes_up_and_confirms(api: StandinBotAPI) -> None:
    user = api.user(7, "Ann", username="ann")
    async with Bot(TOKEN, base_url=api.base_url) as bot:
        started = time.monotonic()
        poll = asyncio.create_task(bot.get_updates(timeout=5))
        await asyncio.sleep(0.2)
        first = api.send_text(user, "/start abc")
        updates = await poll
        assert time.monotonic() - started < 2  # woke up on the queued update, not the timeout
        assert [u.update_id for u in updates] == [first]
        message = updates[0].message
        assert message.text == "/start abc" and message.from_user.language_code == "zh-hans"
        assert [(e.type, e.offset, e.length) for e in message.entities] == [("bot_command", 0, 6)]

        second = api.send_text(user, "hi", chat={"id": -100123, "type": "supergroup", "title": "G"})
        assert [u.update_id for u in await bot.get_updates(limit=1)] == [first]  # unconfirmed
        again = await bot.get_updates(offset=first + 1)
        assert [u.update_id for u in again] == [second]
        assert again[0].effective_chat.type == "supergroup"
        assert api.pending_update_count == 1
        assert await bot.get_updates(offset=second + 1, timeout=0) == ()
        assert api.pending_update_count == 0

        api.queue_update({"chat_member": {"chat": {"id": -1, "type": "group"}}})
        assert await bot.get_updates(timeout=0) == ()  # not subscribed by default
        raw = api.queue_update({"edited_message": {"message_id": 1, "date": 0, "text": "e",
                                                   "chat": user.private_chat()}})  # fmt: skip
        assert (await bot.get_updates(timeout=0))[0].edited_message.text == "e"
        assert raw > second


@pytest.mark.asyncio
async def test_commands_webhook_and_members(api: StandinBotAPI) -> None:
    async with Bot(TOKEN, base_url=api.base_url) as bot:
        await bot.set_my_commands([("start", "开始")], language_code="zh")
        await bot.set_my_commands([("start", "Start"), ("help", "Help")])
        assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
        assert [c.description for c in await bot.get_my_commands(language_code="zh")] == ["开始"]
        await bot.delete_my_commands(language_code="zh")
        assert await bot.get_my_commands(language_code="zh") == ()
        with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
            await bot.set_my_commands([("Start", "x")])
        api.violations.clear()

        await bot.set_webhook("https://example.org/hook", secret_token="s3")
        assert api.webhook["secret_token"] == "s3"
        assert (await bot.get_webhook_info()).url == "https://example.org/hook"
        await bot.delete_webhook()
        assert (await bot.get_webhook_info()).url == ""

        api.set_member_status(-100123, 7, "administrator")
        api.set_member_status(-100123, 8, "kicked")
        assert (await bot.get_chat_member(-100123, 7)).status == "administrator"
        assert (await bot.get_chat_member(-100123, 8)).status == "kicked"
        assert (await bot.get_chat_member(-100123, 9)).status == "member"
        admins = await bot.get_chat_administrators(-100123)
        assert [a.user.id for a in admins] == [7]
        assert await bot.send_chat_action(CHAT, "typing")
        assert await bot.set_my_description("d") and await bot.set_my_short_description("s")
    assert api.violations == []


def test_reachable_from_a_subprocess_and_wait_for(api: StandinBotAPI) -> None:
    script = (
        "import json, sys, urllib.request\n"
        "data = json.dumps({'chat_id': 5, 'text': 'from child'}).encode()\n"
        "req = urllib.request.Request(sys.argv[1] + '9:x/sendMessage', data,"
        " {'Content-Type': 'application/json'})\n"
        "print(urllib.request.urlopen(req).read().decode())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, api.base_url], capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout)["result"]["from"]["id"] == 9
    assert api.wait_for(lambda a: a.last_message(5))["text"] == "from child"
    with pytest.raises(AssertionError, match="recent calls") as caught:
        api.wait_for(lambda a: a.last_message(6)["text"], timeout=0.1)
    assert "sendMessage" in str(caught.value) and "not subscriptable" in str(caught.value)


@pytest.mark.asyncio
async def test_application_polling_end_to_end(api: StandinBotAPI) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text("欢迎", reply_markup=keyboard(("继续", "next")))

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await query.answer("好的")
        await query.edit_message_text(f"你选了 {query.data}")

    app = ApplicationBuilder().token(TOKEN).base_url(api.base_url).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    user = api.user(7, "Ann")
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    try:
        api.send_text(user, "/start")
        reply = await api.wait_for_async(lambda a: a.last_message(user.id))
        assert reply["text"] == "欢迎" and api.buttons(reply) == [("继续", "next")]

        query_id = api.press(user, reply, button_text="继续")
        await api.wait_for_async(lambda a: a.last_message(user.id)["text"] == "你选了 next")
        assert api.callback_answers[query_id]["text"] == "好的"
        assert api.unanswered_callbacks() == []
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    assert api.pending_update_count == 0  # the updater confirmed everything on shutdown
    assert api.violations == []


@pytest.mark.asyncio
async def test_request_encodings(api: StandinBotAPI) -> None:
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    url = f"{api.base_url}1:x/sendMessage"
    async with aiohttp.ClientSession() as http:
        async with http.get(url, params={"chat_id": "3", "text": "q"}) as resp:
            assert (await resp.json())["result"]["text"] == "q"
        async with http.post(url, json={"chat_id": 3, "text": "j", "reply_markup": markup}) as resp:
            assert (await resp.json())["result"]["reply_markup"] == markup
        form = aiohttp.FormData({"chat_id": "3", "text": "m", "reply_markup": json.dumps(markup)})
        form.add_field("document", b"data", filename="a.txt")  # forces multipart/form-data
        async with http.post(url, data=form) as resp:
            assert (await resp.json())["result"]["text"] == "m"
        async with http.post(f"{api.base_url}1:x/nope") as resp:
            assert resp.status == 404
            assert await resp.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found: method not found",
            }
    assert api.calls_of("sendMessage")[2]["document"]["size"] == 4
    assert [m["text"] for m in api.messages(3)] == ["q", "j", "m"]
    assert api.violations == ["nope: Not Found: method not found"]


@pytest.mark.asyncio
async def test_keyboards_and_inline_queries(api: StandinBotAPI) -> None:
    async with Bot(TOKEN, base_url=api.base_url) as bot:
        sent = await bot.send_message(CHAT, "k", reply_markup=ReplyKeyboardMarkup([["a", "b"]]))
        assert sent.reply_markup is None  # Message.reply_markup only carries inline keyboards
        assert api.last_message(CHAT)["reply_keyboard"]["keyboard"] == [
            [{"text": "a"}, {"text": "b"}]
        ]

        url_button = InlineKeyboardButton("Site", url="https://example.org")
        markup = InlineKeyboardMarkup([[url_button, InlineKeyboardButton("X", callback_data="x")]])
        await bot.send_message(CHAT, "two", reply_markup=markup)
        assert api.buttons(api.last_message(CHAT)) == [("Site", "https://example.org"), ("X", "x")]
        user = api.user(CHAT)
        with pytest.raises(ValueError, match="not a callback button"):
            api.press(user, api.last_message(CHAT), index=0)
        query_id = api.press(user, api.last_message(CHAT)["message_id"], index=1)
        update = (await bot.get_updates(timeout=0))[-1]
        assert update.callback_query.id == query_id and update.callback_query.data == "x"
        assert update.callback_query.message.text == "two"

        query = {"id": "iq1", "from": user.as_dict(), "query": "药", "offset": ""}
        api.queue_update({"inline_query": query})
        result = InlineQueryResultArticle("r1", "T", InputTextMessageContent("t"))
        assert await bot.answer_inline_query("iq1", [result])
        assert api.inline_answers["iq1"]["results"][0]["id"] == "r1"
    assert api.violations == []
