"""Settings from the environment (and a `.env` file in the working directory)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from dotenv import load_dotenv

from bot.store.base import DEFAULT_URL

OFFICIAL_BASE_URL = "https://api.telegram.org/bot"


@dataclass(frozen=True)
class Settings:
    token: str
    base_url: str
    database_url: str
    session_ttl_days: float
    sqlite_synchronous: str
    log_level: str
    log_text: bool
    webhook_url: str
    webhook_secret: str
    port: int
    webhook_listen: str
    webhook_read_timeout: float
    metrics_port: int | None
    http_timeout: float
    http_client: str = "aiohttp"
    flood_global_per_second: float = 30.0

    @classmethod
    def from_env(cls) -> Settings:
        load_dotenv(override=False)
        env = os.environ
        return cls(
            token=env.get("TELEGRAM_BOT_TOKEN", "").strip(),
            base_url=env.get("TELEGRAM_BASE_URL", "").strip() or OFFICIAL_BASE_URL,
            database_url=env.get("DATABASE_URL", "").strip() or DEFAULT_URL,
            session_ttl_days=float(env.get("SESSION_TTL_DAYS", "30")),
            sqlite_synchronous=env.get("SQLITE_SYNCHRONOUS", "NORMAL").upper(),
            log_level=env.get("LOG_LEVEL", "INFO").upper(),
            log_text=env.get("LOG_TEXT", "0") == "1",
            webhook_url=env.get("WEBHOOK_URL", "").strip(),
            webhook_secret=env.get("WEBHOOK_SECRET", "").strip(),
            port=int(env.get("PORT", "8080")),
            webhook_listen=env.get("WEBHOOK_LISTEN", "").strip() or "0.0.0.0",
            webhook_read_timeout=float(env.get("WEBHOOK_READ_TIMEOUT", "10")),
            metrics_port=int(env["METRICS_PORT"]) if env.get("METRICS_PORT", "").strip() else None,
            http_timeout=float(env.get("TELEGRAM_TIMEOUT", "10")),
            http_client=env.get("TELEGRAM_HTTP", "aiohttp").strip().lower() or "aiohttp",
            flood_global_per_second=float(env.get("FLOOD_GLOBAL_PER_SECOND", "30")),
        )
