"""Prometheus metrics, exposed at /metrics: on PORT in webhook mode, on METRICS_PORT polling."""

from __future__ import annotations

from prometheus_client import Counter, Histogram
from telegram import Update

UPDATES = Counter("bot_updates_total", "Updates received (webhook or polling)", ["kind"])
REJECTED = Counter("bot_webhook_rejected_total", "Webhook requests refused (bad secret or body)")
ERRORS = Counter("bot_update_errors_total", "Updates whose handling raised")
LATENCY = Histogram(
    "bot_update_seconds",
    "Time to handle one update",
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
VERDICTS = Counter("bot_verdicts_total", "Answer cards shown, by verdict", ["verdict"])


def update_kind(update: object) -> str:
    for kind in ("callback_query", "message", "inline_query", "edited_message", "my_chat_member"):
        if isinstance(update, Update) and getattr(update, kind, None) is not None:
            return kind
    return "other"
