"""Long polling that one unreadable update cannot stop.

python-telegram-bot parses a whole getUpdates batch at once. If one update in it cannot be
parsed, the Updater logs the raw batch (other users' messages included) at CRITICAL, keeps its
offset and asks again at once, forever. PTB's extension point for this is the request object
the Updater polls with (`ApplicationBuilder.get_updates_request`): this one notices that a
batch was asked for again at the same offset, which only happens when it could not be read,
and then replaces each unreadable update by its bare id, so the offset moves past it and the
rest of the batch is processed. A healthy batch is passed through untouched: no update is
parsed twice (PTB's parse costs about 1 ms for a menu press).

An answer that is not a list of updates at all becomes a NetworkError, which PTB's retry loop
answers with growing pauses (1 s up to 30 s) instead of a busy loop.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from telegram import Update
from telegram.error import NetworkError
from telegram.request import BaseRequest, RequestData

from bot.telegram.transport import WrappedRequest

log = logging.getLogger(__name__)


class SafeUpdatesRequest(WrappedRequest):
    """The Updater's `BaseRequest` (any), with the check above on getUpdates answers."""

    __slots__ = ("_last_ids", "_last_offset", "_repeats")

    def __init__(self, inner: BaseRequest) -> None:
        super().__init__(inner)
        self._last_offset: object = None
        self._last_ids: list[int] = []
        self._repeats = 0

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        code, payload = await self.inner.do_request(
            url,
            method,
            request_data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )
        if code != 200 or not url.endswith("/getUpdates"):
            return code, payload
        offset = request_data.parameters.get("offset") if request_data else None
        return code, self._checked(payload, offset)

    def _checked(self, payload: bytes, offset: object) -> bytes:
        try:
            body = json.loads(payload)
        except ValueError:
            return payload  # PTB itself reports an unparsable answer as a NetworkError
        result = body.get("result") if isinstance(body, dict) else None
        if not isinstance(body, dict) or not body.get("ok", False):
            return payload
        if not isinstance(result, list):
            raise NetworkError(f"getUpdates answered a {type(result).__name__}, not a list")
        ids = [_update_id(item) for item in result]
        # The same offset after a non-empty batch: PTB could not read that batch.
        again = bool(self._last_ids) and offset == self._last_offset
        self._repeats = self._repeats + 1 if again else 0
        self._last_offset, self._last_ids = offset, [i for i in ids if i is not None]
        if self._repeats == 0 and None not in ids:
            return payload
        body["result"] = _readable(result, ids, skip_all=self._repeats > 1)
        return json.dumps(body).encode()


def _update_id(item: object) -> int | None:
    value = item.get("update_id") if isinstance(item, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _readable(result: list[Any], ids: list[int | None], skip_all: bool) -> list[Any]:
    """Each update that PTB cannot read, replaced by its bare id (which no handler takes).

    Only the id and the kind of error are logged: an error's own text can quote the update.
    """
    readable: list[Any] = []
    for item, update_id in zip(result, ids, strict=True):
        if update_id is None:
            log.warning("skipped an update without a usable update_id")
            continue
        if skip_all:
            # Still unreadable after the per-update check: give up on this batch, not on polling.
            log.warning("update %s skipped: its batch could not be read twice", update_id)
            readable.append({"update_id": update_id})
            continue
        try:
            Update.de_json(item, None)
        except Exception as exc:  # any failure of PTB's parser means the same: skip it
            log.warning("update %s skipped: it cannot be read (%s)", update_id, type(exc).__name__)
            readable.append({"update_id": update_id})
        else:
            readable.append(item)
    return readable


class _NoRawUpdates(logging.Filter):
    """PTB's own report of an unreadable batch quotes it whole; keep only the error's kind."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR and (
            "parsing updates" in str(record.msg) or "data received from Telegram" in str(record.msg)
        ):
            kind = type(record.exc_info[1]).__name__ if record.exc_info else "error"
            record.msg = "a batch of updates could not be read (%s); unreadable ones are skipped"
            record.args = (kind,)
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


_FILTER = _NoRawUpdates()


def keep_raw_updates_out_of_logs() -> None:
    for name in ("telegram.Bot", "telegram.ext.ExtBot", "telegram.ext.Updater"):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
