"""The Bot API transport over real HTTP against the stand-in: PTB's error semantics, uploads, and
the one retry policy (what may be repeated after a failure, and what never)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from standin_botapi import StandinBotAPI
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import BaseRequest
from telegram_helpers import TOKEN, calls_since, running_bot, say

from bot.telegram.transport import (
    AiohttpRequest,
    RetryingRequest,
    make_request,
    never_sent,
    safe_to_repeat,
)

KINDS = ["aiohttp", "httpx"]


def raw(kind: str, timeout: float = 5.0) -> BaseRequest:
    """The transport alone, without the retry policy, so each failure is seen as it comes."""
    return make_request(kind, 4, timeout).inner


def refused_base_url() -> str:
    """A port on which nothing listens: connecting is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/bot"


@pytest.mark.parametrize("kind", KINDS)
async def test_status_codes_map_to_ptb_errors(api: StandinBotAPI, kind: str) -> None:
    async with Bot(TOKEN, base_url=api.base_url, request=raw(kind)) as bot:
        api.fail_next("getChat", status=429, retry_after=3)
        with pytest.raises(RetryAfter) as flood:
            await bot.get_chat(1)
        assert flood.value.retry_after in (3, 3.0) or flood.value.retry_after.total_seconds() == 3
        api.fail_next("getChat", status=500)
        with pytest.raises(NetworkError) as server_error:
            await bot.get_chat(1)
        assert not isinstance(server_error.value, TimedOut)
        api.fail_next("getChat", status=400)
        with pytest.raises(BadRequest):
            await bot.get_chat(1)
        api.fail_next("sendMessage", status=403)
        with pytest.raises(Forbidden):
            await bot.send_message(1, "hi")
        assert (await bot.get_chat(1)).id == 1  # and the connection is still usable


@pytest.mark.parametrize("kind", KINDS)
async def test_a_slow_answer_times_out_as_possibly_sent(api: StandinBotAPI, kind: str) -> None:
    async with Bot(TOKEN, base_url=api.base_url, request=raw(kind, timeout=0.3)) as bot:
        api.delay_next("sendMessage", 1.0)
        with pytest.raises(TimedOut) as slow:
            await bot.send_message(1, "hi")
        assert not never_sent(slow.value)  # the server got it: repeating could post twice


@pytest.mark.parametrize("kind", KINDS)
async def test_a_refused_connection_is_a_network_error_never_sent(kind: str) -> None:
    bot = Bot(TOKEN, base_url=refused_base_url(), request=raw(kind))
    await bot.request.initialize()  # type: ignore[attr-defined]
    try:
        with pytest.raises(NetworkError) as refused:
            await bot.send_message(1, "hi")
        assert never_sent(refused.value)
    finally:
        await bot.request.shutdown()  # type: ignore[attr-defined]


async def test_files_are_uploaded_as_multipart(api: StandinBotAPI) -> None:
    async with Bot(TOKEN, base_url=api.base_url, request=AiohttpRequest()) as bot:
        await bot.set_webhook("https://example.org/hook", certificate=b"-----CERT-----" * 100)
    sent = api.calls_of("setWebhook")[-1]
    assert sent["url"] == "https://example.org/hook"
    assert sent["certificate"]["size"] == 1400


async def test_only_what_is_safe_to_repeat_is_retried(api: StandinBotAPI) -> None:
    request = RetryingRequest(raw("aiohttp", timeout=0.3), backoff=0.01)
    async with Bot(TOKEN, base_url=api.base_url, request=request) as bot:
        api.fail_next("getChat", status=502, count=2)
        assert (await bot.get_chat(5)).id == 5  # third attempt
        api.fail_next("sendMessage", status=502)
        with pytest.raises(NetworkError):
            await bot.send_message(5, "once")  # a 5xx may have posted it: not repeated
        api.delay_next("sendMessage", 1.0)
        with pytest.raises(TimedOut):
            await bot.send_message(5, "once")
    assert len(api.calls_of("getChat")) == 3
    assert len(api.calls_of("sendMessage")) == 2
    assert safe_to_repeat("editMessageText") and safe_to_repeat("answerCallbackQuery")
    assert not safe_to_repeat("sendMessage") and not safe_to_repeat("copyMessage")


async def test_a_send_is_repeated_when_it_never_left() -> None:
    request = RetryingRequest(raw("aiohttp"), backoff=0.01)
    bot = Bot(TOKEN, base_url=refused_base_url(), request=request)
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as refused:
            await bot.send_message(1, "hi")
    finally:
        await request.shutdown()
    assert never_sent(refused.value)


async def test_a_menu_sent_after_a_timeout_is_posted_once(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    """#16: the send was retried after a read timeout, so the menu appeared twice."""
    user = api.user(6101)
    async with running_bot(api, tmp_path / "bot.sqlite3", http_timeout=0.5):
        mark = len(api.calls)
        api.delay_next("sendMessage", 1.5)
        api.send_text(user, "/start")
        # The delayed send completes on the server; whatever the bot does meanwhile is done
        # once a second reply (the apology) has gone out and the slow call has finished.
        await api.wait_for_async(lambda a: len(calls_since(a, mark, "sendMessage")) >= 2)
        # (getUpdates is left out: a long poll is in flight whenever the bot is idle.)
        await api.wait_for_async(
            lambda a: all(
                c.status is not None for c in a._log[mark:] if c.method.lower() != "getupdates"
            )
        )
        menus = [m for m in api.messages(user.id) if api.buttons(m)]
    assert len(menus) == 1, [m["text"][:20] for m in api.messages(user.id)]


async def test_a_callback_answer_is_retried_after_a_server_error(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    """#16: only 2 of ~12 send paths retried; a failed answer left the button spinning."""
    user = api.user(6102)
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        menu = await say(api, user, "/start")
        api.fail_next("answerCallbackQuery", status=500)
        query = api.press(user, menu, button_text="北京")
        await api.wait_for_async(lambda a: query in a.callback_answers)
    assert api.unanswered_callbacks() == []


def test_proxies_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    request = AiohttpRequest()
    assert request._proxy("https://api.telegram.org/bot1:X/getMe") == "http://proxy.example:3128"
    assert request._proxy("http://127.0.0.1:8081/bot1:X/getMe") is None
