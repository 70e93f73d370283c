"""Opening the store a DATABASE_URL names."""

from __future__ import annotations

from urllib.parse import urlparse

from bot.store.base import Store
from bot.store.sqlite import SQLiteStore, sqlite_path


class StoreConfigError(ValueError):
    """A DATABASE_URL this installation cannot use; the message is one line for the operator."""


def open_store(url: str, ttl_days: float, synchronous: str = "NORMAL") -> Store:
    """The store a DATABASE_URL names."""
    scheme = urlparse(url).scheme
    if scheme == "sqlite":
        return SQLiteStore(sqlite_path(url), ttl_days * 86400, synchronous)
    if scheme in ("postgresql", "postgres"):
        # Not a cycle: postgres imports only bot.store.base. Lazy because asyncpg is the
        # optional [postgres] extra.
        try:
            from bot.store.postgres import PostgresStore
        except ImportError as exc:
            if exc.name != "asyncpg":
                raise
            raise StoreConfigError(
                "DATABASE_URL names PostgreSQL, which needs the postgres extra: "
                "pip install 'yibao-account-bot[postgres]'"
            ) from None

        return PostgresStore(url, ttl_days * 86400)
    raise StoreConfigError(
        f"unsupported DATABASE_URL scheme {scheme!r}: use sqlite:///path or postgresql://…"
    )
