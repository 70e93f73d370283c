"""Opening the store a DATABASE_URL names."""

from __future__ import annotations

from urllib.parse import urlparse

from bot.store.base import Store
from bot.store.sqlite import SQLiteStore, sqlite_path


def open_store(url: str, ttl_days: float, synchronous: str = "NORMAL") -> Store:
    """The store a DATABASE_URL names."""
    scheme = urlparse(url).scheme
    if scheme == "sqlite":
        return SQLiteStore(sqlite_path(url), ttl_days * 86400, synchronous)
    if scheme in ("postgresql", "postgres"):
        # Not a cycle: postgres imports only bot.store.base. Lazy so that asyncpg loads only
        # when PostgreSQL is used.
        from bot.store.postgres import PostgresStore

        return PostgresStore(url, ttl_days * 86400)
    raise ValueError(f"unsupported DATABASE_URL scheme {scheme!r}; use sqlite:///path")
