"""How Bot API calls travel: a lean aiohttp `BaseRequest`, and the one retry path for every call.

Why not PTB's default `HTTPXRequest`: measured here, one Bot API call through it costs
630–690 µs of CPU against 92–146 µs through aiohttp (already a dependency for the webhook), and
with dozens of calls in flight httpcore checks every pooled connection, with a syscall each, on
every request. aiohttp's connector takes a free connection from the end of a list. httpx stays
selectable (`TELEGRAM_HTTP=httpx`).

`AiohttpRequest` keeps PTB's semantics: timeouts raise `TimedOut`, transport failures raise
`NetworkError`, and the status codes are mapped by `BaseRequest` itself (400 `BadRequest`,
403 `Forbidden`, 429 `RetryAfter`, 5xx `NetworkError`), exactly as for `HTTPXRequest`.

`RetryingRequest` wraps either transport, so every call (getUpdates, sends, edits, answers,
admin calls) goes through one retry policy: a call is repeated after a 5xx or a network failure
only when repeating it cannot show the user anything twice — reads, edits, callback answers,
settings — or when the request provably never left this process (refused connection, no free
connection, connect timeout). A `sendMessage` that may have reached Telegram is never repeated:
the user would see the menu twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
import urllib.parse
import urllib.request
from typing import Any

import aiohttp
import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

log = logging.getLogger(__name__)

_DEFAULT: Any = BaseRequest.DEFAULT_NONE

# Bot API methods whose repetition changes nothing the user sees (an edit repeated is "not
# modified", a second callback answer is refused, a read is a read).
_SAFE_PREFIXES = ("get", "edit", "answer", "set", "delete", "pin", "unpin", "stop")
_SAFE_METHODS = frozenset({"sendchataction", "leavechat", "close", "logout"})
RETRY_ATTEMPTS = 3
RETRY_BACKOFF = 0.25  # seconds, times the attempt number


class NotSent(NetworkError):
    """The request never left this process (refused connection, DNS failure): safe to repeat."""


class NotSentTimedOut(TimedOut):
    """No connection within the connect or pool timeout: nothing was sent, safe to repeat."""


def safe_to_repeat(endpoint: str) -> bool:
    name = endpoint.lower()
    return name in _SAFE_METHODS or name.startswith(_SAFE_PREFIXES)


def never_sent(exc: BaseException) -> bool:
    """Whether the failed request certainly did not reach the server (either transport)."""
    if isinstance(exc, NotSent | NotSentTimedOut):
        return True
    cause = exc.__cause__
    return isinstance(cause, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)


_JSON_HEADERS = {"Content-Type": "application/json"}


def _json_body(parameters: dict[str, Any]) -> bytes:
    return json.dumps(parameters, ensure_ascii=False, separators=(",", ":")).encode()


def _seconds(value: Any, default: float | None) -> float | None:
    return default if value is _DEFAULT else value


class AiohttpRequest(BaseRequest):
    """`BaseRequest` on one `aiohttp.ClientSession` with a bounded connection pool.

    Timeouts: connect (a new connection), pool (waiting for a free one; aiohttp counts both in
    its `connect` timeout, so that is connect + pool), read (per socket read). aiohttp has no
    write timeout of its own, so the write timeout bounds the whole call together with the
    others (`total` = connect + pool + write + read).
    """

    __slots__ = ("_limits", "_media_write_timeout", "_pool_size", "_proxies", "_session")

    def __init__(
        self,
        connection_pool_size: int = 32,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._limits = (read_timeout, write_timeout, connect_timeout, pool_timeout)
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, str | None] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._limits[0]

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=0)
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self.USER_AGENT},
                # Bot API answers are JSON; no cookies to keep between calls.
                cookie_jar=aiohttp.DummyCookieJar(),
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def _timeout(self, read: Any, write: Any, connect: Any, pool: Any, media: bool) -> Any:
        d_read, d_write, d_connect, d_pool = self._limits
        read = _seconds(read, d_read)
        write = _seconds(write, self._media_write_timeout if media else d_write)
        connect = _seconds(connect, d_connect)
        pool = _seconds(pool, d_pool)
        parts = (read, write, connect, pool)
        total = None if any(p is None for p in parts) else sum(parts)
        acquire = None if connect is None or pool is None else connect + pool
        return aiohttp.ClientTimeout(
            total=total, connect=acquire, sock_connect=connect, sock_read=read
        )

    def _proxy(self, url: str) -> str | None:
        """HTTP(S)_PROXY / NO_PROXY from the environment, as httpx honours them, looked up once
        per base URL (aiohttp's own `trust_env` looks them and ~/.netrc up on every request, each
        in a worker thread: two thread hand-overs per Bot API call)."""
        base = url.rsplit("/", 1)[0]
        if base not in self._proxies:
            parts = urllib.parse.urlsplit(url)
            proxy = urllib.request.getproxies().get(parts.scheme)
            bypass = parts.hostname is None or urllib.request.proxy_bypass(parts.hostname)
            self._proxies[base] = None if bypass else proxy
        return self._proxies[base]

    @staticmethod
    def _body(request_data: RequestData | None) -> Any:
        if request_data is None:
            return None
        files = request_data.multipart_data
        if not files:
            # One JSON body, UTF-8 as is: form encoding turns each Chinese character into nine
            # bytes (%E5%8C%97), JSON into three. The Bot API reads both alike.
            return _json_body(request_data.parameters)
        form = aiohttp.FormData()
        for name, value in request_data.json_parameters.items():
            form.add_field(name, value)
        for name, part in files.items():
            if isinstance(part, tuple):
                filename, content, mime = (*part, None)[:3]
                form.add_field(name, content, filename=filename, content_type=mime)
            else:
                form.add_field(name, part)
        return form

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = _DEFAULT,
        write_timeout: Any = _DEFAULT,
        connect_timeout: Any = _DEFAULT,
        pool_timeout: Any = _DEFAULT,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        media = bool(request_data and request_data.multipart_data)
        timeout = self._timeout(read_timeout, write_timeout, connect_timeout, pool_timeout, media)
        try:
            body = self._body(request_data)
            headers = _JSON_HEADERS if isinstance(body, bytes) else None
            async with self._session.request(
                method, url, data=body, headers=headers, timeout=timeout, proxy=self._proxy(url)
            ) as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError as err:
            raise NotSentTimedOut(
                "Timed out waiting for a connection; the request was not sent"
            ) from err
        except (TimeoutError, aiohttp.ServerTimeoutError) as err:
            raise TimedOut from err
        except aiohttp.ClientConnectorError as err:
            raise NotSent(f"aiohttp.{type(err).__name__}: {err}") from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{type(err).__name__}: {err}") from err


class WrappedRequest(BaseRequest):
    """A `BaseRequest` around another one: start, stop and timeouts are the inner one's.

    Subclasses add behaviour to `do_request` only (the retry policy below, the getUpdates
    check in polling.py).
    """

    __slots__ = ("inner",)

    def __init__(self, inner: BaseRequest) -> None:
        self.inner = inner

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()


class RetryingRequest(WrappedRequest):
    """Any `BaseRequest`, with the one retry policy described in the module docstring."""

    __slots__ = ("_attempts", "_backoff")

    def __init__(
        self, inner: BaseRequest, attempts: int = RETRY_ATTEMPTS, backoff: float = RETRY_BACKOFF
    ) -> None:
        super().__init__(inner)
        self._attempts = attempts
        self._backoff = backoff

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = _DEFAULT,
        write_timeout: Any = _DEFAULT,
        connect_timeout: Any = _DEFAULT,
        pool_timeout: Any = _DEFAULT,
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        repeatable = safe_to_repeat(endpoint)
        attempt = 1
        while True:
            try:
                code, payload = await self.inner.do_request(
                    url,
                    method,
                    request_data,
                    read_timeout=read_timeout,
                    write_timeout=write_timeout,
                    connect_timeout=connect_timeout,
                    pool_timeout=pool_timeout,
                )
            except NetworkError as exc:  # TimedOut included
                if attempt >= self._attempts or not (repeatable or never_sent(exc)):
                    raise
                reason: object = exc
            else:
                if code < 500 or attempt >= self._attempts or not repeatable:
                    return code, payload
                reason = f"HTTP {code}"
            log.info("%s failed (%s); trying again", endpoint, reason)
            await asyncio.sleep(self._backoff * attempt)
            attempt += 1


def make_request(
    kind: str, pool_size: int, timeout: float, *, read_timeout: float | None = None
) -> RetryingRequest:
    """The transport named by `TELEGRAM_HTTP` (aiohttp or httpx), behind the retry policy."""
    read = timeout if read_timeout is None else read_timeout
    if kind == "httpx":
        inner: BaseRequest = HTTPXRequest(
            connection_pool_size=pool_size,
            read_timeout=read,
            write_timeout=timeout,
            connect_timeout=timeout,
        )
    elif kind == "aiohttp":
        inner = AiohttpRequest(
            connection_pool_size=pool_size,
            read_timeout=read,
            write_timeout=timeout,
            connect_timeout=timeout,
        )
    else:
        raise ValueError(f"TELEGRAM_HTTP must be aiohttp or httpx, not {kind!r}")
    return RetryingRequest(inner)
