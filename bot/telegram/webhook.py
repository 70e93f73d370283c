"""Webhook mode: Telegram posts updates to us; several workers can share one database.

An aiohttp server answers three paths: the webhook itself (only with the secret token
registered by setWebhook, anything else gets 403 and changes nothing), `/healthz` and
`/metrics` (Prometheus). Each update is processed before the webhook request is answered, so
a worker that dies mid-update makes Telegram deliver it again instead of losing it.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import secrets
import signal
import time
from urllib.parse import urlparse

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from telegram import Update
from telegram.ext import Application

from bot.telegram.metrics import ERRORS, LATENCY, REJECTED, UPDATES

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def update_kind(update: Update) -> str:
    for kind in ("callback_query", "message", "inline_query", "edited_message", "my_chat_member"):
        if getattr(update, kind, None) is not None:
            return kind
    return "other"


def make_web_app(application: Application, secret: str, path: str) -> web.Application:
    async def telegram(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            REJECTED.inc()
            return web.Response(status=403, text="forbidden")
        try:
            update = Update.de_json(json.loads(await request.read()), application.bot)
        except (ValueError, TypeError, KeyError):
            REJECTED.inc()
            return web.Response(status=400, text="bad update")
        UPDATES.labels(update_kind(update)).inc()
        start = time.perf_counter()
        try:
            await application.process_update(update)
        except Exception:  # the error handler already told the user; count it and go on
            ERRORS.inc()
            log.exception("update %s failed", update.update_id)
        finally:
            LATENCY.observe(time.perf_counter() - start)
        return web.Response(text="ok")

    async def healthz(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def metrics(request: web.Request) -> web.Response:
        return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    app = web.Application(client_max_size=1 << 20)
    app.router.add_post(path, telegram)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    return app


async def serve(
    application: Application, url: str, port: int, secret: str | None, register: bool = True
) -> None:
    """Run until SIGTERM/SIGINT: register the webhook, serve, then shut down cleanly."""
    secret = secret or secrets.token_urlsafe(32)
    path = urlparse(url).path or "/"
    await application.initialize()
    if application.post_init:
        await application.post_init(application)
    await application.start()
    if register:
        await application.bot.set_webhook(
            url, secret_token=secret, allowed_updates=Update.ALL_TYPES
        )
    runner = web.AppRunner(make_web_app(application, secret, path), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host="0.0.0.0", port=port)
    await site.start()
    log.info("webhook listening on port %s at %s", port, path)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
        await application.stop()
        if application.post_shutdown:
            await application.post_shutdown(application)
        await application.shutdown()
