"""Webhook mode: Telegram posts updates to us; several workers can share one database.

An aiohttp server answers three paths: the webhook itself (only with the secret token
registered by setWebhook, anything else gets 403 and changes nothing), `/healthz` and
`/metrics` (Prometheus). Each update is processed before the webhook request is answered, so
a worker that dies mid-update makes Telegram deliver it again instead of losing it; an update
that failed on the database is answered 503 for the same reason.

The port faces the internet, so it is guarded: a connection must deliver its request headers
within `header_timeout` (aiohttp's keep-alive timer also runs before the first request, which
makes it a header timeout) and its body within `body_timeout`; at most `max_connections` are
open at once (aiohttp has no such limit: connections over it are closed at once); and errors
that come once per socket are logged once per minute with a count, not once per socket.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import signal
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.store.base import Store
from bot.telegram.common import STORE_FAILURES, StoreFailures
from bot.telegram.health import add_health_routes
from bot.telegram.metrics import ERRORS, LATENCY, REJECTED, UPDATES, update_kind

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass(frozen=True)
class Limits:
    header_timeout: float = 10.0
    body_timeout: float = 10.0
    max_connections: int = 100  # Telegram itself opens at most 40 (setWebhook max_connections)
    log_interval: float = 60.0


class OncePerInterval(logging.Filter):
    """Let one record of each kind through per interval; the next one says how many were not."""

    def __init__(self, interval: float) -> None:
        super().__init__()
        self.interval = interval
        self._seen: dict[tuple[str, object], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, record.msg)
        now = time.monotonic()
        last, suppressed = self._seen.get(key, (-self.interval, 0))
        if now - last < self.interval:
            self._seen[key] = (last, suppressed + 1)
            return False
        if len(self._seen) > 1000:  # bounded: kinds of messages, not sockets, are the keys
            self._seen.clear()
        self._seen[key] = (now, 0)
        if suppressed:
            record.msg = f"{record.msg} ({suppressed} more like this in the last interval)"
        return True


def derived_secret(token: str) -> str:
    """The webhook secret when WEBHOOK_SECRET is not set: the same on every worker with the same
    token (a random one per worker would make each refuse the others' updates), and nobody
    without the token can compute it."""
    return hmac.new(token.encode(), b"webhook secret token", hashlib.sha256).hexdigest()


def parse_update(body: bytes, application: Application) -> Update | None:
    """The update in a webhook body, or None when the body is not one (any reason)."""
    try:
        data = json.loads(body)
        if not isinstance(data, dict) or type(data.get("update_id")) is not int:
            return None
        return Update.de_json(data, application.bot)
    except Exception:  # JSON too deep, wrong types anywhere: all the same to the sender
        return None


def make_web_app(
    application: Application, secret: str, path: str, store: Store, limits: Limits = Limits()
) -> web.Application:
    failures: StoreFailures = application.bot_data.setdefault(STORE_FAILURES, StoreFailures())

    async def telegram(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            REJECTED.inc()
            return web.Response(status=403, text="forbidden")
        try:
            async with asyncio.timeout(limits.body_timeout):
                body = await request.read()
        except TimeoutError:
            REJECTED.inc()
            log.warning("a webhook request body did not arrive in time")
            return web.Response(status=408, text="body timeout")
        update = parse_update(body, application)
        if update is None:
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
        if failures.take(update.update_id):
            # Failed on the database: Telegram delivers it again later, when it may work.
            return web.Response(status=503, text="store unavailable")
        return web.Response(text="ok")

    app = web.Application(client_max_size=1 << 20)
    app.router.add_post(path, telegram)
    add_health_routes(app, store)
    return app


class _Refused:
    """The protocol of a connection over the limit: closed as soon as it is made."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        log.warning("webhook connection refused: %d connections are open already", self.limit)
        transport.close()

    def connection_lost(self, exc: BaseException | None) -> None:
        return None

    def data_received(self, data: bytes) -> None:
        return None

    def eof_received(self) -> bool:
        return False


class Webhook:
    """The listening server; `stop` closes it and every connection."""

    def __init__(self, runner: web.AppRunner, server: asyncio.Server) -> None:
        self.runner = runner
        self.server = server

    @property
    def port(self) -> int:
        return int(self.server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        self.server.close()
        await self.runner.cleanup()


_FILTERS: dict[float, OncePerInterval] = {}


def quiet_per_socket_logs(interval: float) -> None:
    """asyncio and aiohttp log some errors once per socket: under a flood, once per interval."""
    flood = _FILTERS.setdefault(interval, OncePerInterval(interval))
    for name in ("asyncio", "aiohttp.server", "aiohttp.web", __name__):
        logger = logging.getLogger(name)
        if flood not in logger.filters:
            logger.addFilter(flood)


async def start_webhook(
    application: Application,
    store: Store,
    secret: str,
    path: str,
    host: str,
    port: int,
    limits: Limits = Limits(),
) -> Webhook:
    """Serve the webhook app on host:port with the limits above (the app must be started)."""
    quiet_per_socket_logs(limits.log_interval)
    runner = web.AppRunner(
        make_web_app(application, secret, path, store, limits),
        access_log=None,
        keepalive_timeout=limits.header_timeout,
    )
    await runner.setup()
    handlers = runner.server
    assert handlers is not None

    def connection() -> Any:
        if len(handlers.connections) >= limits.max_connections:
            return _Refused(limits.max_connections)
        return handlers()

    server = await asyncio.get_running_loop().create_server(
        connection, host, port, reuse_address=True
    )
    return Webhook(runner, server)


async def serve(
    application: Application,
    store: Store,
    url: str,
    port: int,
    secret: str | None,
    host: str = "0.0.0.0",
    register: bool = True,
    limits: Limits = Limits(),
) -> None:
    """Run until SIGTERM/SIGINT: register the webhook, serve, then shut down cleanly."""
    secret = secret or derived_secret(application.bot.token)
    path = urlparse(url).path or "/"
    try:
        await application.initialize()
    except Exception:
        await application.bot.shutdown()  # close the connections getMe opened
        raise
    if application.post_init:
        await application.post_init(application)
    await application.start()
    if register:
        await application.bot.set_webhook(
            url, secret_token=secret, allowed_updates=Update.ALL_TYPES
        )
    webhook = await start_webhook(application, store, secret, path, host, port, limits)
    log.info("webhook listening on %s:%s at %s", host, port, path)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await webhook.stop()
        await application.stop()
        if application.post_stop:
            await application.post_stop(application)
        if application.post_shutdown:
            await application.post_shutdown(application)
        await application.shutdown()
