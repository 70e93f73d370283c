"""The one path menus and cards take to Telegram: HTML text and a pre-serialised keyboard.

Every message the bot sends is Telegram HTML: the application's `Defaults` set
`parse_mode=HTML` for PTB's typed methods, and the fast path below (a raw `sendMessage` /
`editMessageText` with a keyboard serialised once) sets it itself. Texts are escaped where they
are made (bot/render/html.py, and `esc` for everything else), never here.

A button's code says what kind it is: `url:<address>` opens a link (it survives forwarding),
`share:<query>` opens the "choose a chat" picker with an inline query, anything else is callback
data that gets the owner and the session version in front.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import warnings
from html import escape

from telegram import Bot
from telegram.warnings import PTBUserWarning

from bot.core.engine import Engine
from bot.render.text import Button, Reply
from bot.telegram.common import MAX_TEXT

log = logging.getLogger(__name__)
# Menus go out through Bot.do_api_request with a pre-serialised keyboard (see `keyboard`);
# PTB suggests its typed methods for that, which is right in general and measured slow here.
warnings.filterwarnings(
    "ignore", message=r"Please use 'Bot\.(sendMessage|editMessageText)'", category=PTBUserWarning
)

# A callback_data placeholder that JSON keeps as the six characters \u0000 (a NUL never
# appears in a label or an action), replaced by `owner|version|` when a menu is sent.
_PLACEHOLDER = "\x00"
_SLOT = "\\u0000"
_TAG = re.compile(r"<[^>]*>")


def esc(text: str) -> str:
    """Text from a user, the flow or a translation, made safe inside Telegram HTML."""
    return escape(text, quote=False)


def fit_html(text: str) -> str:
    """Keep an HTML text within the Bot API's 4096 characters without cutting a tag in half:
    first the expandable details go, then the markup (an ever longer card never breaks)."""
    if _utf16(text) <= MAX_TEXT:
        return text
    head = text.split("<blockquote", 1)[0].rstrip()
    if _utf16(head) <= MAX_TEXT:
        return head
    plain = _TAG.sub("", head)
    while _utf16(esc(plain)) > MAX_TEXT - 1:
        plain = plain[: len(plain) - 64]
    return esc(plain) + "…"


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class Sender:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def keyboard(self, rows: tuple[tuple[Button, ...], ...], owner: int, version: int) -> str:
        """The inline keyboard as Bot API JSON, with this owner's and version's data.

        Building PTB's InlineKeyboardButton objects and serialising them again costs ~15 µs
        a button (a 32-province menu: ~500 µs, more than all the rest of an update), so each
        distinct keyboard is serialised once and only the `owner|version|` prefix is filled in.
        """
        return self._keyboard_template(rows).replace(_SLOT, f"{owner}|{version}|")

    @functools.lru_cache(maxsize=2048)  # noqa: B019 - one sender lives as long as the app
    def _keyboard_template(self, rows: tuple[tuple[Button, ...], ...]) -> str:
        keyboard = [[self._button(b) for b in row] for row in rows]
        return json.dumps({"inline_keyboard": keyboard}, ensure_ascii=False, separators=(",", ":"))

    def _button(self, button: Button) -> dict[str, object]:
        if button.code.startswith("url:"):
            return {"text": button.label, "url": button.code[4:]}
        if button.code.startswith("share:"):
            chooser = {
                "query": button.code[6:],
                "allow_user_chats": True,
                "allow_group_chats": True,
            }
            return {"text": button.label, "switch_inline_query_chosen_chat": chooser}
        return {"text": button.label, "callback_data": _PLACEHOLDER + self._action(button.code)}

    def _action(self, code: str) -> str:
        """`item:vaccine` -> `t:vaccine`: the one-letter question code keeps buttons short."""
        if code.startswith(("_", "!", "?", ">")):
            return code
        qid, _, option = code.partition(":")
        return f"{self.engine.flow.question(qid).code}:{option}"

    async def send(
        self,
        bot: Bot,
        chat_id: int,
        reply: Reply,
        owner: int,
        version: int,
        reply_to: int | None = None,
    ) -> int | None:
        """Send a menu; return the new message's id (None if the answer did not say)."""
        params: dict[str, object] = {
            "chat_id": chat_id,
            "text": fit_html(reply.text),
            "parse_mode": "HTML",
            "link_preview_options": '{"is_disabled":true}',
        }
        if reply.rows:
            params["reply_markup"] = self.keyboard(reply.rows, owner, version)
        if reply_to is not None:
            params["reply_parameters"] = json.dumps(
                {"message_id": reply_to, "allow_sending_without_reply": True}
            )
        sent = await call(bot, "sendMessage", params)
        message_id = sent.get("message_id") if isinstance(sent, dict) else None
        return message_id if isinstance(message_id, int) else None

    async def edit(
        self, bot: Bot, chat_id: int, message_id: int, reply: Reply, owner: int, version: int
    ) -> None:
        params: dict[str, object] = {
            "chat_id": chat_id,
            "message_id": message_id,
            "text": fit_html(reply.text),
            "parse_mode": "HTML",
            "link_preview_options": '{"is_disabled":true}',
            "reply_markup": self.keyboard(reply.rows, owner, version),
        }
        await call(bot, "editMessageText", params)


async def call(bot: Bot, method: str, params: dict[str, object]) -> object:
    """One Bot API call. Retries happen below, in the transport, for every call alike (only
    what is safe to repeat); 429s are waited out by the flood limiter for that chat alone."""
    return await bot.do_api_request(method, api_kwargs=params)
