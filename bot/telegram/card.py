"""What an answer card carries besides its text: sharing, and "这个答案有误？".

A card's share button is a URL, `t.me/<bot>?start=<payload>`: it survives forwarding, and
whoever opens it gets exactly this answer with no further taps. "发给家人" opens Telegram's chat
picker with an inline query of the same payload, which inline mode answers with this card. In a
group the finished menu collapses to the card with these buttons only (the change buttons live
on in the private chat the share link opens), so no big menu stays behind.

"这个答案有误？" counts a press per answer (the ids of the rules that made it) and chat; a
private chat counts as chat 0, so neither text nor a user id is ever stored.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.core import i18n
from bot.core.engine import Engine
from bot.core.i18n import N_
from bot.render.text import Button, Reply

SHARE = N_("📤 分享这个答案")
SEND_FAMILY = N_("👪 发给家人")
CONTINUE_PRIVATE = N_("💬 私聊继续")
WRONG = N_("这个答案有误？")
THANKS = N_("谢谢！已记下这个答案可能有误（只记次数，不记是谁）。我们会重新核对出处。")
WRONG_ACTION = "?wrong"  # not "!…": those are /language and /forget answers


def share_link(engine: Engine, username: str, answers: Mapping[str, str]) -> str:
    payload = engine.payload_for(answers)
    return f"https://t.me/{username}?start={payload}" if payload else f"https://t.me/{username}"


def with_card_buttons(
    engine: Engine,
    reply: Reply,
    answers: Mapping[str, str],
    username: str,
    locale: str,
    in_group: bool,
) -> Reply:
    """The card's own buttons plus share and feedback; in a group, only the latter."""
    t = i18n.translations(locale).gettext
    share = Button(
        f"url:{share_link(engine, username, answers)}", t(CONTINUE_PRIVATE if in_group else SHARE)
    )
    family = Button(f"share:{engine.payload_for(answers)}", t(SEND_FAMILY))
    extra = ((share, family), (Button(WRONG_ACTION, t(WRONG)),))
    rows = extra if in_group else (*reply.rows, *extra)
    return Reply(reply.text, rows, reply.kind, reply.verdict, reply.outcome)
