"""`/healthz` and `/metrics` in every mode: the webhook server has them, polling its own port.

`/healthz` answers 200 only while the store answers (`Store.ping`: for SQLite the file opens
and its write lock can be taken, for PostgreSQL a round trip to the sessions table), else 503
with one line saying why, so an orchestrator restarts or alerts instead of trusting a bot that
cannot save anything. Keep both paths internal: the reason may name the database's problem.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from telegram.ext import Application

from bot.store.base import Store

log = logging.getLogger(__name__)

HEALTH_TIMEOUT_SECONDS = 3.0


class PortInUse(Exception):
    """METRICS_PORT cannot be bound: said in one line, not a traceback."""


async def store_problem(store: Store) -> str | None:
    """None when the store works, else one line saying what is wrong."""
    try:
        await asyncio.wait_for(store.ping(), HEALTH_TIMEOUT_SECONDS)
    except TimeoutError:
        return f"store: no answer within {HEALTH_TIMEOUT_SECONDS:g} s"
    except Exception as exc:  # any failure of the store is the answer, not a crash
        return f"store: {type(exc).__name__}: {exc}".replace("\n", " ")
    return None


def add_health_routes(app: web.Application, store: Store) -> None:
    failing = {"now": False}  # log when health changes, not on every probe

    async def healthz(request: web.Request) -> web.Response:
        problem = await store_problem(store)
        if (problem is not None) != failing["now"]:
            failing["now"] = problem is not None
            if problem:
                log.error("unhealthy: %s", problem)
            else:
                log.info("healthy again")
        if problem:
            return web.Response(status=503, text=problem + "\n")
        return web.Response(text="ok\n")

    async def metrics(request: web.Request) -> web.Response:
        return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)


class HealthServer:
    """The two paths on their own port, for polling mode (METRICS_PORT)."""

    def __init__(self, store: Store, port: int, host: str = "0.0.0.0") -> None:
        self.store, self.port, self.host = store, port, host
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        add_health_routes(app, self.store)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, host=self.host, port=self.port).start()
        except OSError as exc:
            await runner.cleanup()
            raise PortInUse(f"METRICS_PORT {self.port}: {exc.strerror or exc}") from exc
        self._runner = runner
        log.info("/healthz and /metrics on port %s", self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()


Hook = Callable[[Application], Awaitable[None]]


def serve_health_while_running(application: Application, store: Store, port: int) -> None:
    """Start the health server after the application's own start-up, stop it before shutdown."""
    server = HealthServer(store, port)
    before: Hook | None = application.post_init
    after: Hook | None = application.post_shutdown

    async def post_init(app: Application) -> None:
        if before is not None:
            await before(app)  # the store opens here
        await server.start()

    async def post_shutdown(app: Application) -> None:
        await server.stop()
        if after is not None:
            await after(app)

    application.post_init = post_init
    application.post_shutdown = post_shutdown
