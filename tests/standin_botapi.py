"""A local stand-in for the Telegram Bot API, for end-to-end tests.

Why it exists: the bot should be tested through the same HTTP requests python-telegram-bot
sends in production, without network access or a real bot token.  The stand-in keeps the
state a bot can observe (messages per chat, callback queries, commands, webhook) and, unlike
a mock, it enforces the limits Telegram enforces, so a test fails when the bot would fail in
production.  Every such rejection is also recorded in ``violations``; tests assert it is empty.

The server runs on its own thread and event loop, so the bot under test may live in the test's
event loop or in a subprocess (pass ``api.base_url`` as ``base_url``).

Known simplifications: Markdown/MarkdownV2 texts are neither validated nor parsed (only HTML
is); unknown chats are synthesised instead of answering "chat not found"; no file downloads.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import inspect
import itertools
import json
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

JSONDict = dict[str, Any]

MAX_TEXT_LENGTH = 4096
MAX_CALLBACK_ANSWER_LENGTH = 200
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"

# PTB form-encodes requests; nested objects then arrive as JSON strings.  Only these fields are
# decoded, so a message text that merely looks like JSON stays a string.
_JSON_FIELDS = frozenset(
    {
        "reply_markup", "entities", "caption_entities", "commands", "scope", "allowed_updates",
        "results", "link_preview_options", "reply_parameters", "button", "menu_button", "rights",
        "media", "options", "permissions", "reaction",
    }
)  # fmt: skip
_BUTTON_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)  # fmt: skip
# Without allowed_updates Telegram does not produce these update types at all.
_NOT_SENT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_MEMBER_STATUSES = frozenset({"creator", "administrator", "member", "restricted", "left", "kicked"})

# Telegram-flavoured HTML: tag -> entity type.
_HTML_TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "a": "text_link", "code": "code", "pre": "pre", "tg-spoiler": "spoiler", "span": "spoiler",
    "blockquote": "blockquote", "tg-emoji": "custom_emoji",
}  # fmt: skip
_CHARREF = re.compile(r"&(?:(lt|gt|amp|quot)|#(\d{1,7})|#x([0-9a-fA-F]{1,6}));")
_NAMED_REFS = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ATTRIBUTE = re.compile(r"""\s*([^\s=>]+)(?:\s*=\s*("[^"]*"|'[^']*'|[\w.-]+))?""")


class ApiError(Exception):
    """A Bot API error reply; ``violation`` marks errors that indicate a bug in the bot."""

    def __init__(
        self,
        status: int,
        description: str,
        *,
        violation: bool = True,
        parameters: JSONDict | None = None,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.violation = violation
        self.parameters = parameters


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: Telegram measures texts and entity offsets this way."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _ref_char(match: re.Match[str]) -> str | None:
    """The character a reference stands for, or None when Telegram would keep it literally."""
    named, dec, hexa = match.groups()
    if named:
        return _NAMED_REFS[named]
    code = int(dec) if dec else int(hexa, 16)
    return chr(code) if 0 < code < 0x10FFFF and not 0xD800 <= code <= 0xDFFF else None


def _decode_refs(text: str) -> str:
    return _CHARREF.sub(lambda match: _ref_char(match) or match[0], text)


def parse_html(text: str) -> tuple[str, list[JSONDict]]:
    """Parse ``parse_mode=HTML`` like Telegram: return the plain text and its entities.

    Follows tdlib's rules: ``<`` always opens a tag, unknown tags and unbalanced tags are
    errors, while an ``&`` that is not a known character reference is kept literally.
    """

    def fail(reason: str) -> ApiError:
        return ApiError(400, f"Bad Request: can't parse entities: {reason}")

    out: list[str] = []
    offset = 0  # UTF-16 offset of the plain text produced so far
    stack: list[tuple[str, JSONDict, int]] = []
    entities: list[JSONDict] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "&" and (ref := _CHARREF.match(text, i)) and (decoded := _ref_char(ref)):
            out.append(decoded)
            offset += utf16_len(decoded)
            i = ref.end()
            continue
        if char != "<":
            out.append(char)
            offset += utf16_len(char)
            i += 1
            continue
        byte_offset = len(text[:i].encode())
        end = text.find(">", i)
        if end < 0:
            raise fail(f"Unclosed start tag at byte offset {byte_offset}")
        body, i = text[i + 1 : end], end + 1
        if body.startswith("/"):
            name = body[1:].strip().lower()
            if not stack:
                raise fail(f"Unexpected end tag at byte offset {byte_offset}")
            open_name, attrs, start = stack.pop()
            if name and name != open_name:
                raise fail(
                    f'Unmatched end tag at byte offset {byte_offset}, expected "</{open_name}>", '
                    f'found "</{name}>"'
                )
            if offset > start:
                _add_entity(entities, open_name, attrs, start, offset - start, "".join(out))
            continue
        name, rest = re.match(r"(\S*)(.*)", body, re.DOTALL).groups()  # type: ignore[union-attr]
        name = name.lower()
        attrs: JSONDict = {}
        for match in _ATTRIBUTE.finditer(rest):
            value = (match[2] or "").strip("'\"")
            attrs[match[1].lower()] = _decode_refs(value)
        leftover = _ATTRIBUTE.sub("", rest).strip()
        if name not in _HTML_TAGS or (name == "span" and attrs.get("class") != "tg-spoiler"):
            raise fail(f'Unsupported start tag "{name}" at byte offset {byte_offset}')
        if leftover:
            raise fail(f'Unclosed start tag "{name}" at byte offset {byte_offset}')
        stack.append((name, attrs, offset))
    if stack:
        raise fail(f"Can't find end tag corresponding to start tag {stack[-1][0]}")
    for entity in entities:
        if entity["type"] == "code":  # a language only survives on <pre><code class=...>
            entity.pop("language", None)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _add_entity(
    entities: list[JSONDict], tag: str, attrs: JSONDict, offset: int, length: int, plain: str
) -> None:
    """Append the entity a closed HTML tag produces (``<pre><code class=...>`` merges)."""
    entity: JSONDict = {"type": _HTML_TAGS[tag], "offset": offset, "length": length}
    if tag == "a":
        entity["url"] = attrs.get("href") or plain[-length:]
    elif tag == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    elif tag == "tg-emoji":
        entity["custom_emoji_id"] = attrs.get("emoji-id", "")
    elif tag == "code" and attrs.get("class", "").startswith("language-"):
        entity["language"] = attrs["class"][len("language-") :]
    elif tag == "pre" and entities:
        inner = entities[-1]
        if inner["type"] == "code" and (inner["offset"], inner["length"]) == (offset, length):
            entities.pop()
            if "language" in inner:
                entity["language"] = inner["language"]
    entities.append(entity)


def _as_bool(value: Any) -> bool:
    return value in (True, 1, "1", "true", "True")


def _chat_key(value: Any) -> int | str:
    """Chat ids arrive as strings from forms; usernames (``@name``) stay strings."""
    if value is None or value == "":
        raise ApiError(400, "Bad Request: chat_id is empty")
    with contextlib.suppress(TypeError, ValueError):
        return int(value)
    return str(value)


def _required_int(params: JSONDict, name: str) -> int:
    try:
        return int(params[name])
    except (KeyError, TypeError, ValueError):
        raise ApiError(400, f"Bad Request: invalid {name} specified") from None


@dataclass(frozen=True)
class StandinUser:
    """A Telegram user played by a test."""

    id: int
    first_name: str = "U"
    language_code: str | None = "zh-hans"
    username: str | None = None

    def as_dict(self) -> JSONDict:
        data: JSONDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    def private_chat(self) -> JSONDict:
        chat: JSONDict = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.username:
            chat["username"] = self.username
        return chat


@dataclass
class _Call:
    method: str
    params: JSONDict
    status: int | None = None  # None while the request is in flight
    outcome: Any = None  # result, or error description


@dataclass
class _Fault:
    count: int
    status: int = 0
    description: str = ""
    parameters: JSONDict | None = None
    seconds: float = 0.0
    body: bytes | None = None  # answer 200 with exactly these bytes (a garbled reply)
    drop: bool = False  # close the connection without any answer


@dataclass
class _Server:
    loop: asyncio.AbstractEventLoop
    thread: threading.Thread | None = None
    runner: web.AppRunner | None = None
    site: web.SockSite | None = None
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    error: BaseException | None = None


class StandinBotAPI:
    """Telegram Bot API stand-in; see the module docstring. Use as a context manager."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._server: _Server | None = None
        self._port = 0
        self._closing = False
        self.token: str | None = None
        self.violations: list[str] = []
        self.webhook: JSONDict = {"url": "", "secret_token": None}
        self.my_commands: dict[tuple[str, str], list[JSONDict]] = {}
        self.descriptions: dict[tuple[str, str], str] = {}
        self.inline_answers: dict[str, JSONDict] = {}
        self._callback_answers: dict[str, JSONDict] = {}
        self._log: list[_Call] = []
        self._updates: list[JSONDict] = []
        self._update_ids = itertools.count(100_000_001)
        self._query_ids = itertools.count(4_200_000_000_000_000_001)
        self._message_ids: dict[int | str, itertools.count[int]] = {}
        self._bot_messages: dict[int | str, dict[int, JSONDict]] = {}
        self._user_messages: dict[int | str, dict[int, JSONDict]] = {}
        self._chats: dict[int | str, JSONDict] = {}
        self._users: dict[int, StandinUser] = {}
        self._member_status: dict[tuple[int | str, int], str] = {}
        self._pending_callbacks: dict[str, JSONDict] = {}
        self._pending_inline: set[str] = set()
        self._failures: dict[str, list[_Fault]] = {}
        self._delays: dict[str, list[_Fault]] = {}
        self._allowed_updates: list[str] | None = None
        self._poll_generation = 0
        self._predicate_error: BaseException | None = None
        # For benchmarks (bench/wire.py): when each update was handed to the bot, a hook called
        # with (method, params, result, arrival time) after every successful call, and the
        # request bytes received. perf_counter() seconds.
        self.delivered: dict[int, float] = {}
        self.observer: Callable[[str, JSONDict, Any, float], None] | None = None
        self.request_bytes = 0
        # Handlers are looked up by lower-cased method name: "_api_send_message" -> "sendmessage".
        self._handlers: dict[str, Callable[[JSONDict, JSONDict], Any]] = {
            name[5:].replace("_", ""): getattr(self, name)
            for name in dir(self)
            if name.startswith("_api_")
        }

    # ----------------------------------------------------------------- lifecycle
    def start(self) -> StandinBotAPI:
        """Bind an OS-assigned port on 127.0.0.1 and serve from a background thread."""
        if self._server is not None:
            raise RuntimeError("StandinBotAPI already started")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # see refuse_connections
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        server = self._server = _Server(loop=asyncio.new_event_loop())
        ready = threading.Event()
        server.thread = threading.Thread(
            target=self._serve, args=(server, sock, ready), name="standin-botapi", daemon=True
        )
        server.thread.start()
        ready.wait(10)
        if server.error is not None:
            self._server = None
            raise RuntimeError("StandinBotAPI failed to start") from server.error
        return self

    def stop(self) -> None:
        """Release waiting long polls, shut the server down and join its thread."""
        server = self._server
        if server is None or server.runner is None:
            return
        with self._lock:
            self._closing = True
        server.loop.call_soon_threadsafe(server.wakeup.set)
        asyncio.run_coroutine_threadsafe(server.runner.cleanup(), server.loop).result(15)
        server.loop.call_soon_threadsafe(server.loop.stop)
        if server.thread is not None:
            server.thread.join(10)
        self._server = None

    def __enter__(self) -> StandinBotAPI:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _serve(self, server: _Server, sock: socket.socket, ready: threading.Event) -> None:
        asyncio.set_event_loop(server.loop)
        try:
            server.loop.run_until_complete(self._setup(server, sock))
        except BaseException as exc:
            server.error = exc
            ready.set()
            return
        ready.set()
        try:
            server.loop.run_forever()
        finally:
            server.loop.close()

    async def _setup(self, server: _Server, sock: socket.socket) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        server.runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await server.runner.setup()
        server.site = web.SockSite(server.runner, sock)
        await server.site.start()

    @property
    def base_url(self) -> str:
        """Pass as ``base_url``: PTB requests ``{base_url}{token}/{method}``."""
        return f"http://127.0.0.1:{self._port}/bot"

    @property
    def bot_id(self) -> int:
        """The bot's user id, taken from the last token seen (the part before ':')."""
        prefix = (self.token or "0").split(":", 1)[0]
        return int(prefix) if prefix.isdigit() else 0

    def _bot_user(self) -> JSONDict:
        return {"id": self.bot_id, "is_bot": True, "first_name": "StandinBot",
                "username": "standin_bot"}  # fmt: skip

    # ----------------------------------------------------------------- HTTP layer
    async def _handle(self, request: web.Request) -> web.Response:
        arrived = time.perf_counter()
        method = request.match_info["method"]
        key = method.lower()
        self.request_bytes += request.content_length or 0
        try:
            params = await self._read_params(request)
        except Exception as exc:  # keep going: the handler will then name the missing field
            params = {"_unparsable_request": repr(exc)}
        call = _Call(method, params)
        with self._lock:
            self.token = request.match_info["token"]
            self._log.append(call)
            delay = self._take_fault(self._delays, key)
            failure = self._take_fault(self._failures, key)
            self._changed.notify_all()
        if delay is not None:
            await asyncio.sleep(delay.seconds)
        if failure is not None and failure.drop:
            with self._lock:
                call.status, call.outcome = 0, "connection dropped"
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError  # nothing more is written to the dropped socket
        if failure is not None and failure.body is not None:
            with self._lock:
                call.status, call.outcome = 200, "garbled"
            return web.Response(body=failure.body, content_type="application/json")
        try:
            if failure is not None:
                raise ApiError(failure.status, failure.description, violation=False,
                               parameters=failure.parameters)  # fmt: skip
            if key == "getupdates":
                result = await self._get_updates(params)
            elif key in self._handlers:
                with self._lock:
                    result = self._handlers[key](params, self._bot_user())
            else:
                # Recorded as a violation: either the bot has a typo or the stand-in lacks it.
                raise ApiError(404, "Not Found: method not found")
        except ApiError as err:
            return self._error_response(call, err)
        except Exception as exc:  # a stand-in bug: report it loudly instead of hanging the bot
            return self._error_response(call, ApiError(500, f"Internal Server Error: {exc!r}"))
        with self._lock:
            call.status, call.outcome = 200, result
            self._changed.notify_all()
        if self.observer is not None:
            self.observer(method, params, result, arrived)
        return web.json_response({"ok": True, "result": result})

    def _error_response(self, call: _Call, err: ApiError) -> web.Response:
        body: JSONDict = {"ok": False, "error_code": err.status, "description": err.description}
        if err.parameters:
            body["parameters"] = err.parameters
        with self._lock:
            call.status, call.outcome = err.status, err.description
            if err.violation:
                self.violations.append(f"{call.method}: {err.description}")
            self._changed.notify_all()
        return web.json_response(body, status=err.status)

    @staticmethod
    async def _read_params(request: web.Request) -> JSONDict:
        """Merge query string and body (JSON, urlencoded or multipart) into one dict."""
        params: JSONDict = dict(request.query)
        if request.body_exists:
            if request.content_type == "application/json":
                body = await request.json()
                if isinstance(body, dict):
                    params.update(body)
            else:
                for name, value in (await request.post()).items():
                    if isinstance(value, web.FileField):
                        size = len(value.file.read())
                        value = {"filename": value.filename, "size": size,
                                 "content_type": value.content_type}  # fmt: skip
                    params[name] = value
        for name in _JSON_FIELDS & params.keys():
            if isinstance(params[name], str):
                with contextlib.suppress(ValueError):
                    params[name] = json.loads(params[name])
        return params

    @staticmethod
    def _take_fault(table: dict[str, list[_Fault]], key: str) -> _Fault | None:
        faults = table.get(key)
        if not faults:
            return None
        fault = faults[0]
        fault.count -= 1
        if fault.count <= 0:
            faults.pop(0)
        return fault

    def _notify(self) -> None:
        """Wake wait_for() callers and any long poll waiting in the server loop."""
        with self._lock:
            self._changed.notify_all()
        server = self._server
        if server is not None:
            with contextlib.suppress(RuntimeError):  # loop already closed
                server.loop.call_soon_threadsafe(server.wakeup.set)

    # ----------------------------------------------------------------- updates
    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        """Long polling: confirm by offset, then wait up to ``timeout`` for updates."""
        server = self._server
        assert server is not None
        timeout = float(params.get("timeout") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        with self._lock:
            if self.webhook["url"]:
                raise ApiError(409, "Conflict: can't use getUpdates method while webhook is "
                               "active; use deleteWebhook to delete the webhook first",
                               violation=False)  # fmt: skip
            if "allowed_updates" in params:
                self._allowed_updates = list(params["allowed_updates"] or []) or None
            self._confirm(int(params.get("offset") or 0))
            self._poll_generation += 1
            generation = self._poll_generation
        server.wakeup.set()  # a superseded long poll must notice it lost
        deadline = server.loop.time() + timeout
        while True:
            with self._lock:
                if generation != self._poll_generation:
                    raise ApiError(409, "Conflict: terminated by other getUpdates request; make "
                                   "sure that only one bot instance is running",
                                   violation=False)  # fmt: skip
                batch = self._deliverable()[:limit]
                if batch or self._closing:
                    now = time.perf_counter()
                    for update in batch:
                        self.delivered.setdefault(update["update_id"], now)
                    return copy.deepcopy(batch)
            remaining = deadline - server.loop.time()
            if remaining <= 0:
                return []
            server.wakeup.clear()  # no await since the check above, so no wake-up is lost
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(server.wakeup.wait(), remaining)

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            self._updates = self._updates[offset:]
        elif offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]

    def _deliverable(self) -> list[JSONDict]:
        """Drop updates of types the bot did not subscribe to: Telegram never sends those."""

        def wanted(update: JSONDict) -> bool:
            kind = next((k for k in update if k != "update_id"), "")
            if self._allowed_updates is None:
                return kind not in _NOT_SENT_BY_DEFAULT
            return kind in self._allowed_updates

        self._updates = [u for u in self._updates if wanted(u)]
        return self._updates

    @property
    def pending_update_count(self) -> int:
        """Updates not yet confirmed by the bot (via a later getUpdates offset)."""
        with self._lock:
            return len(self._updates)

    # ----------------------------------------------------------------- validation
    def _formatted_text(self, params: JSONDict) -> JSONDict:
        """Validate text + parse_mode; return the message fields Telegram would store."""
        raw = params.get("text")
        if raw is None or raw == "":
            raise ApiError(400, "Bad Request: message text is empty")
        raw = str(raw)
        mode = str(params.get("parse_mode") or "").lower()
        if mode == "html":
            plain, entities = parse_html(raw)
        elif mode in ("", "markdown", "markdownv2"):
            plain, entities = raw, list(params.get("entities") or [])
        else:
            raise ApiError(400, f"Bad Request: unsupported parse_mode {params['parse_mode']}")
        if not plain.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(plain) > MAX_TEXT_LENGTH:
            raise ApiError(400, "Bad Request: message is too long")
        return {"text": plain, "entities": entities, "raw_text": raw,
                "parse_mode": params.get("parse_mode")}  # fmt: skip

    @staticmethod
    def _checked_markup(markup: Any, *, inline_only: bool = False) -> JSONDict | None:
        """Validate an inline keyboard like Telegram does; other keyboards pass through."""
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            if inline_only:  # edited messages can only carry inline keyboards
                raise ApiError(400, "Bad Request: inline keyboard expected")
            return markup
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise ApiError(400, 'Bad Request: field "inline_keyboard" must be an Array of Arrays')
        for button in itertools.chain.from_iterable(rows):
            if not isinstance(button, dict) or not str(button.get("text") or "").strip():
                raise ApiError(400, "Bad Request: BUTTON_TEXT_INVALID")
            actions = [name for name in _BUTTON_ACTIONS if name in button]
            if not actions:
                raise ApiError(400, "Bad Request: can't parse inline keyboard button: Text "
                               "buttons are unallowed in the inline keyboard")  # fmt: skip
            if len(actions) > 1:
                raise ApiError(400, "Bad Request: can't parse inline keyboard button: exactly "
                               f"one optional field must be used, got {actions}")  # fmt: skip
            if "callback_data" in button:
                data = button["callback_data"]
                if not isinstance(data, str) or not 1 <= len(data.encode()) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            if "url" in button and not re.fullmatch(r"\S+", str(button["url"])):
                raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
        return markup

    # ----------------------------------------------------------------- chats & messages
    def _chat(self, key: int | str) -> JSONDict:
        if key not in self._chats:
            if isinstance(key, str):
                raise ApiError(400, "Bad Request: chat not found")
            if key > 0:
                user = self._users.get(key) or StandinUser(key, first_name=f"User{key}")
                self._chats[key] = user.private_chat()
            else:
                kind = "supergroup" if str(key).startswith("-100") else "group"
                self._chats[key] = {"id": key, "type": kind, "title": f"Chat {key}"}
        return self._chats[key]

    def _next_message_id(self, key: int | str) -> int:
        return next(self._message_ids.setdefault(key, itertools.count(1)))

    def _bot_message(self, params: JSONDict, action: str) -> JSONDict:
        key = _chat_key(params.get("chat_id"))
        message_id = _required_int(params, "message_id")
        record = self._bot_messages.get(key, {}).get(message_id)
        if record is None:
            if message_id in self._user_messages.get(key, {}) and action == "edit":
                raise ApiError(400, "Bad Request: message can't be edited", violation=False)
            raise ApiError(400, f"Bad Request: message to {action} not found", violation=False)
        return record

    @staticmethod
    def _public(record: JSONDict) -> JSONDict:
        """The Message object as Telegram returns it (bookkeeping keys removed)."""
        hidden = ("raw_text", "parse_mode", "reply_keyboard")
        return copy.deepcopy({k: v for k, v in record.items() if k not in hidden})

    @staticmethod
    def _apply(record: JSONDict, fields: JSONDict) -> None:
        """Set message fields, dropping empty optional ones as Telegram omits them."""
        for name, value in fields.items():
            if value or name == "text":
                record[name] = value
            else:
                record.pop(name, None)

    # ----------------------------------------------------------------- Bot API methods
    def _api_get_me(self, params: JSONDict, bot: JSONDict) -> JSONDict:
        return {**bot, "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": True}  # fmt: skip

    def _api_delete_webhook(self, params: JSONDict, bot: JSONDict) -> bool:
        self.webhook = {"url": "", "secret_token": None}
        if _as_bool(params.get("drop_pending_updates")):
            self._updates.clear()
        return True

    def _api_set_webhook(self, params: JSONDict, bot: JSONDict) -> bool:
        self.webhook = {"url": params.get("url") or "", "secret_token": params.get("secret_token"),
                        "allowed_updates": params.get("allowed_updates")}  # fmt: skip
        if _as_bool(params.get("drop_pending_updates")):
            self._updates.clear()
        return True

    def _api_get_webhook_info(self, params: JSONDict, bot: JSONDict) -> JSONDict:
        info = {"url": self.webhook["url"], "has_custom_certificate": False,
                "pending_update_count": len(self._updates)}  # fmt: skip
        if self.webhook.get("allowed_updates"):
            info["allowed_updates"] = self.webhook["allowed_updates"]
        return info

    def _api_close(self, params: JSONDict, bot: JSONDict) -> bool:
        return True

    def _api_log_out(self, params: JSONDict, bot: JSONDict) -> bool:
        return True

    @staticmethod
    def _commands_key(params: JSONDict) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    def _api_set_my_commands(self, params: JSONDict, bot: JSONDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not isinstance(command, dict):
                raise ApiError(400, "Bad Request: can't parse BotCommand JSON object")
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.my_commands[self._commands_key(params)] = commands
        return True

    def _api_get_my_commands(self, params: JSONDict, bot: JSONDict) -> list[JSONDict]:
        return self.my_commands.get(self._commands_key(params), [])

    def _api_delete_my_commands(self, params: JSONDict, bot: JSONDict) -> bool:
        self.my_commands.pop(self._commands_key(params), None)
        return True

    def _set_description(self, params: JSONDict, name: str, limit: int) -> bool:
        text = str(params.get(name) or "")
        if len(text) > limit:
            raise ApiError(400, f"Bad Request: {name} is too long")
        self.descriptions[(name, str(params.get("language_code") or ""))] = text
        return True

    def _api_set_my_description(self, params: JSONDict, bot: JSONDict) -> bool:
        return self._set_description(params, "description", 512)

    def _api_set_my_short_description(self, params: JSONDict, bot: JSONDict) -> bool:
        return self._set_description(params, "short_description", 120)

    def _api_send_message(self, params: JSONDict, bot: JSONDict) -> JSONDict:
        key = _chat_key(params.get("chat_id"))
        fields = self._formatted_text(params)
        markup = self._checked_markup(params.get("reply_markup"))
        chat = self._chat(key)
        record: JSONDict = {"message_id": self._next_message_id(key), "from": bot, "chat": chat,
                            "date": int(time.time())}  # fmt: skip
        inline = markup if markup and "inline_keyboard" in markup else None
        # Message.reply_markup only ever holds inline keyboards; keep others for inspection.
        self._apply(record, {**fields, "reply_markup": inline,
                             "reply_keyboard": None if inline else markup})  # fmt: skip
        self._bot_messages.setdefault(key, {})[record["message_id"]] = record
        return self._public(record)

    def _api_edit_message_text(self, params: JSONDict, bot: JSONDict) -> JSONDict | bool:
        fields = self._formatted_text(params)
        markup = self._checked_markup(params.get("reply_markup"), inline_only=True)
        if params.get("inline_message_id"):
            return True
        record = self._bot_message(params, "edit")
        # Telegram compares the parsed result (text + entities), not the raw HTML.
        old = (record["text"], record.get("entities") or [], record.get("reply_markup"))
        if old == (fields["text"], fields["entities"], markup):
            raise ApiError(400, NOT_MODIFIED, violation=False)
        self._apply(record, {**fields, "reply_markup": markup})
        record["edit_date"] = int(time.time())
        return self._public(record)

    def _api_edit_message_reply_markup(self, params: JSONDict, bot: JSONDict) -> JSONDict | bool:
        markup = self._checked_markup(params.get("reply_markup"), inline_only=True)
        if params.get("inline_message_id"):
            return True
        record = self._bot_message(params, "edit")
        if record.get("reply_markup") == markup:
            raise ApiError(400, NOT_MODIFIED, violation=False)
        record.pop("reply_markup", None)
        if markup:
            record["reply_markup"] = markup
        record["edit_date"] = int(time.time())
        return self._public(record)

    def _api_delete_message(self, params: JSONDict, bot: JSONDict) -> bool:
        key = _chat_key(params.get("chat_id"))
        message_id = _required_int(params, "message_id")
        for store in (self._bot_messages, self._user_messages):
            if store.get(key, {}).pop(message_id, None) is not None:
                return True
        raise ApiError(400, "Bad Request: message to delete not found", violation=False)

    def _api_answer_callback_query(self, params: JSONDict, bot: JSONDict) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if utf16_len(str(params.get("text") or "")) > MAX_CALLBACK_ANSWER_LENGTH:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        if self._pending_callbacks.pop(query_id, None) is None:
            raise ApiError(400, QUERY_INVALID)
        self._callback_answers[query_id] = params
        return True

    def _api_answer_inline_query(self, params: JSONDict, bot: JSONDict) -> bool:
        query_id = str(params.get("inline_query_id") or "")
        if len(params.get("results") or []) > 50:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        if query_id not in self._pending_inline:
            raise ApiError(400, QUERY_INVALID)
        self._pending_inline.discard(query_id)
        self.inline_answers[query_id] = params
        return True

    def _api_get_chat(self, params: JSONDict, bot: JSONDict) -> JSONDict:
        chat = self._chat(_chat_key(params.get("chat_id")))
        gifts = dict.fromkeys(("unlimited_gifts", "limited_gifts", "unique_gifts",
                               "premium_subscription", "gifts_from_channels"), False)  # fmt: skip
        return {**chat, "accent_color_id": 0, "max_reaction_count": 11,
                "accepted_gift_types": gifts}  # fmt: skip

    def _member(self, key: int | str, user_id: int) -> JSONDict:
        status = self._member_status.get((key, user_id), "member")
        if user_id == self.bot_id:
            user = self._bot_user()
        else:
            user = (self._users.get(user_id) or StandinUser(user_id, f"User{user_id}")).as_dict()
        member: JSONDict = {"status": status, "user": user}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            rights = ("can_be_edited", "is_anonymous", "can_manage_video_chats",
                      "can_promote_members", "can_change_info", "can_post_stories",
                      "can_edit_stories", "can_delete_stories")  # fmt: skip
            member.update(dict.fromkeys(rights, False))
            member.update(can_manage_chat=True, can_delete_messages=True,
                          can_restrict_members=True, can_invite_users=True)  # fmt: skip
        elif status == "restricted":
            rights = ("can_change_info", "can_invite_users", "can_pin_messages",
                      "can_send_messages", "can_send_polls", "can_send_other_messages",
                      "can_add_web_page_previews", "can_manage_topics", "can_send_audios",
                      "can_send_documents", "can_send_photos", "can_send_videos",
                      "can_send_video_notes", "can_send_voice_notes", "can_edit_tag")  # fmt: skip
            member.update(dict.fromkeys(rights, False), is_member=True, until_date=0)
        elif status == "kicked":
            member["until_date"] = 0
        return member

    def _api_get_chat_member(self, params: JSONDict, bot: JSONDict) -> JSONDict:
        key = _chat_key(params.get("chat_id"))
        self._chat(key)
        return self._member(key, _required_int(params, "user_id"))

    def _api_get_chat_administrators(self, params: JSONDict, bot: JSONDict) -> list[JSONDict]:
        key = _chat_key(params.get("chat_id"))
        if self._chat(key)["type"] == "private":
            raise ApiError(400, "Bad Request: there are no administrators in the private chat")
        return [self._member(key, user_id)
                for (chat, user_id), status in self._member_status.items()
                if chat == key and status in ("creator", "administrator")]  # fmt: skip

    def _api_send_chat_action(self, params: JSONDict, bot: JSONDict) -> bool:
        self._chat(_chat_key(params.get("chat_id")))
        if not params.get("action"):
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    # ----------------------------------------------------------------- test controls
    def fail_next(self, method: str, *, status: int = 429, description: str | None = None,
                  retry_after: int | None = None, count: int = 1) -> None:  # fmt: skip
        """Make the next ``count`` calls of ``method`` fail (429 defaults to retry_after=1,
        because PTB only raises RetryAfter for a non-zero value)."""
        if status == 429 and retry_after is None:
            retry_after = 1
        defaults = {429: f"Too Many Requests: retry after {retry_after}",
                    400: "Bad Request: injected failure",
                    403: "Forbidden: bot was blocked by the user",
                    409: "Conflict: terminated by other getUpdates request",
                    500: "Internal Server Error", 502: "Bad Gateway"}  # fmt: skip
        fault = _Fault(count, status, description or defaults.get(status, f"Error {status}"),
                       {"retry_after": retry_after} if retry_after else None)  # fmt: skip
        with self._lock:
            self._failures.setdefault(method.lower(), []).append(fault)

    def garble_next(self, method: str, body: bytes, *, count: int = 1) -> None:
        """Answer the next ``count`` calls of ``method`` with HTTP 200 and exactly ``body``."""
        with self._lock:
            self._failures.setdefault(method.lower(), []).append(_Fault(count, body=body))

    def drop_next(self, method: str, *, count: int = 1) -> None:
        """Cut the connection of the next ``count`` calls of ``method`` without an answer."""
        with self._lock:
            self._failures.setdefault(method.lower(), []).append(_Fault(count, drop=True))

    def refuse_connections(self, seconds: float) -> None:
        """Stop listening for ``seconds`` and cut every open connection: new connections are
        refused (ECONNREFUSED) as when the server is down; then it listens on the same port."""
        server = self._server
        assert server is not None and server.runner is not None
        asyncio.run_coroutine_threadsafe(self._go_away(server, seconds), server.loop).result(10)

    async def _go_away(self, server: _Server, seconds: float) -> None:
        assert server.runner is not None and server.runner.server is not None
        if server.site is not None:
            await server.site.stop()
        for handler in list(server.runner.server.connections):
            handler.force_close()

        async def come_back() -> None:
            await asyncio.sleep(seconds)
            while True:  # the port is free once the cut connections are fully closed
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    sock.bind(("127.0.0.1", self._port))
                    break
                except OSError:
                    sock.close()
                    await asyncio.sleep(0.05)
            assert server.runner is not None
            server.site = web.SockSite(server.runner, sock)
            await server.site.start()

        server.loop.create_task(come_back())

    def clear_faults(self) -> None:
        """Forget every failure, garbled answer, dropped connection and delay still queued."""
        with self._lock:
            self._failures.clear()
            self._delays.clear()

    def delay_next(self, method: str, seconds: float, *, count: int = 1) -> None:
        """Delay the next ``count`` calls of ``method`` (e.g. to exercise client timeouts)."""
        with self._lock:
            self._delays.setdefault(method.lower(), []).append(_Fault(count, seconds=seconds))

    def set_member_status(self, chat_id: int | str, user_id: int, status: str) -> None:
        """Configure what getChatMember answers for (chat_id, user_id); default "member"."""
        if status not in _MEMBER_STATUSES:
            raise ValueError(f"unknown chat member status {status!r}")
        with self._lock:
            self._member_status[(_chat_key(chat_id), user_id)] = status

    # ----------------------------------------------------------------- playing a user
    def user(self, user_id: int, first_name: str = "U", language_code: str | None = "zh-hans",
             username: str | None = None) -> StandinUser:  # fmt: skip
        """Describe (and remember) a user, so chats and chat members can show their name."""
        user = StandinUser(user_id, first_name, language_code, username)
        with self._lock:
            self._users[user_id] = user
        return user

    def queue_update(self, update: JSONDict) -> int:
        """Queue any raw update (update_id is assigned when missing); return its update_id."""
        update = copy.deepcopy(update)
        with self._lock:
            update.setdefault("update_id", next(self._update_ids))
            if "callback_query" in update:
                self._pending_callbacks[str(update["callback_query"]["id"])] = update
            if "inline_query" in update:
                self._pending_inline.add(str(update["inline_query"]["id"]))
            for payload in update.values():
                if isinstance(payload, dict) and isinstance(payload.get("chat"), dict):
                    self._chats.setdefault(_chat_key(payload["chat"]["id"]), payload["chat"])
            self._updates.append(update)
        self._notify()
        return update["update_id"]

    def pop_update(self, update_id: int) -> JSONDict:
        """Take a queued update out of the getUpdates queue, to deliver it by webhook instead."""
        with self._lock:
            for i, update in enumerate(self._updates):
                if update["update_id"] == update_id:
                    return self._updates.pop(i)
        raise LookupError(f"no queued update {update_id}")

    def update_id_of_query(self, query_id: str) -> int:
        """The update id of the queued callback query `query_id` (as returned by `press`)."""
        with self._lock:
            return int(self._pending_callbacks[str(query_id)]["update_id"])

    def _resolve_chat(self, user: StandinUser, chat: JSONDict | int | None) -> JSONDict:
        if chat is None:
            return user.private_chat()
        if isinstance(chat, dict):
            return chat
        return self._chat(chat)

    def send_text(self, user: StandinUser, text: str, chat: JSONDict | int | None = None) -> int:
        """Queue a text message from ``user`` (private chat by default); return the update id."""
        with self._lock:
            chat_obj = self._resolve_chat(user, chat)
            key = _chat_key(chat_obj["id"])
            message: JSONDict = {"message_id": self._next_message_id(key), "text": text,
                                 "from": user.as_dict(), "chat": chat_obj,
                                 "date": int(time.time())}  # fmt: skip
            if command := re.match(r"/\S+", text):
                message["entities"] = [
                    {"type": "bot_command", "offset": 0, "length": utf16_len(command[0])}
                ]
            self._user_messages.setdefault(key, {})[message["message_id"]] = message
            return self.queue_update({"message": message})

    def press(self, user: StandinUser, message: JSONDict | int, button_text: str | None = None,
              index: int | None = None, data: str | None = None,
              chat: JSONDict | int | None = None) -> str:  # fmt: skip
        """Press a button of a stored bot message (current state); return the query id.

        ``message`` is a message dict (or a message_id, then ``chat`` or the user's private chat
        locates it).  Pick the button by visible text or flat index; ``data`` forges the
        callback_data (still on a real message) to test the bot's handling of stale/evil data.
        """
        with self._lock:
            if isinstance(message, dict):
                key, message_id = _chat_key(message["chat"]["id"]), message["message_id"]
            else:
                key, message_id = _chat_key(self._resolve_chat(user, chat)["id"]), message
            record = self._bot_messages.get(key, {}).get(message_id)
            if record is None:
                raise LookupError(f"no bot message {message_id} in chat {key}")
            if data is None:
                data = self._pick_button(record, button_text, index)
            query = {"id": str(next(self._query_ids)), "from": user.as_dict(),
                     "message": self._public(record), "chat_instance": f"ci{key}",
                     "data": data}  # fmt: skip
            self.queue_update({"callback_query": query})
            return query["id"]

    def _pick_button(self, record: JSONDict, text: str | None, index: int | None) -> str:
        rows = (record.get("reply_markup") or {}).get("inline_keyboard", [])
        flat = list(itertools.chain.from_iterable(rows))
        if text is not None:
            matches = [b for b in flat if b.get("text") == text]
            if not matches:
                raise LookupError(f"no button {text!r}; buttons: {self.buttons(record)}")
            button = matches[0]
        elif index is not None:
            button = flat[index]
        else:
            raise ValueError("press() needs button_text, index or data")
        if "callback_data" not in button:
            raise ValueError(f"button {button.get('text')!r} is not a callback button")
        return button["callback_data"]

    # ----------------------------------------------------------------- inspection
    @property
    def calls(self) -> list[tuple[str, JSONDict]]:
        """Every request received, in order, as (method, params); treat params as read-only."""
        with self._lock:
            return [(c.method, c.params) for c in self._log]

    def calls_of(self, method: str) -> list[JSONDict]:
        """Params of every call of ``method`` (case-insensitive)."""
        return [p for m, p in self.calls if m.lower() == method.lower()]

    @property
    def callback_answers(self) -> dict[str, JSONDict]:
        """callback_query_id -> params of its (first) answerCallbackQuery."""
        with self._lock:
            return dict(self._callback_answers)

    def unanswered_callbacks(self) -> list[str]:
        """Ids of queued callback queries the bot has not answered (yet)."""
        with self._lock:
            return list(self._pending_callbacks)

    def messages(self, chat_id: int | str) -> list[JSONDict]:
        """The bot's current messages in a chat, oldest first (copies, incl. ``raw_text``)."""
        with self._lock:
            return copy.deepcopy(list(self._bot_messages.get(_chat_key(chat_id), {}).values()))

    def last_message(self, chat_id: int | str) -> JSONDict | None:
        """The bot's latest (not deleted) message in a chat, or None."""
        messages = self.messages(chat_id)
        return max(messages, key=lambda m: m["message_id"]) if messages else None

    @staticmethod
    def buttons(message: JSONDict | None) -> list[tuple[str, str | None]]:
        """Inline buttons flattened to (text, callback_data or url)."""
        rows = ((message or {}).get("reply_markup") or {}).get("inline_keyboard", [])
        return [(b.get("text", ""), b.get("callback_data", b.get("url")))
                for b in itertools.chain.from_iterable(rows)]  # fmt: skip

    # ----------------------------------------------------------------- waiting
    def _check(self, predicate: Callable[[StandinBotAPI], Any]) -> Any:
        """Evaluate a predicate; a lookup on state that does not exist yet means "not yet"
        (so ``lambda a: a.last_message(7)["text"] == "x"`` can be written directly)."""
        with self._lock:
            try:
                return predicate(self)
            except (LookupError, TypeError) as exc:
                self._predicate_error = exc
                return None

    def wait_for(self, predicate: Callable[[StandinBotAPI], Any], timeout: float = 10.0) -> Any:
        """Block until ``predicate(api)`` is truthy (re-checked on every request/update);
        return its value.  In a running event loop use wait_for_async: this would block it."""
        with contextlib.suppress(RuntimeError):
            asyncio.get_running_loop()
            raise AssertionError("wait_for() would block the running event loop (and a bot "
                                 "running in it); use await api.wait_for_async(...)")  # fmt: skip
        self._predicate_error = None
        deadline = time.monotonic() + timeout
        with self._changed:
            while not (result := self._check(predicate)):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(self._timeout_report(predicate, timeout))
                self._changed.wait(remaining)
        return result

    async def wait_for_async(
        self, predicate: Callable[[StandinBotAPI], Any], timeout: float = 10.0
    ) -> Any:
        """Like wait_for(), but yields to the event loop (the bot may run in this loop)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        self._predicate_error = None
        while not (result := self._check(predicate)):
            if loop.time() >= deadline:
                raise AssertionError(self._timeout_report(predicate, timeout))
            await asyncio.sleep(0.01)
        return result

    def _timeout_report(self, predicate: Callable[..., Any], timeout: float) -> str:
        """A readable dump of what the bot did, so a timed-out test explains itself."""
        try:
            source = inspect.getsource(predicate).strip()
        except (OSError, TypeError):
            source = repr(predicate)
        with self._lock:
            recent = [c for c in self._log if c.method.lower() != "getupdates"][-25:]
            polls = sum(c.method.lower() == "getupdates" for c in self._log)
            lines = [f"condition not met within {timeout}s: {source}",
                     f"last predicate error: {self._predicate_error!r}",
                     f"getUpdates calls: {polls}, unconfirmed updates: {len(self._updates)}, "
                     f"unanswered callbacks: {list(self._pending_callbacks)}",
                     f"violations: {self.violations}", "recent calls (oldest first):"]  # fmt: skip
            for call in recent:
                params = json.dumps(call.params, ensure_ascii=False, default=str)[:300]
                outcome = "in flight" if call.status is None else call.status
                if call.status not in (None, 200):
                    outcome = f"{call.status} {call.outcome}"
                lines.append(f"  {call.method} {params} -> {outcome}")
        return "\n".join(lines)
