"""Write docs/transcripts.md: what people see, as text, from the real bot against the stand-in.

    .venv/bin/python tools/transcripts.py

Each scenario runs the real Application over HTTP against tests/standin_botapi.py with a fresh
SQLite file, and prints every message as the chat shows it (text after Telegram's HTML parsing,
the expandable quote marked with ┆, buttons in [brackets], one row a line).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from standin_botapi import StandinBotAPI, StandinUser, parse_html  # noqa: E402
from telegram_helpers import calls_since, inline, press, running_bot, say  # noqa: E402

GROUP = {"id": -1005550001, "type": "supergroup", "title": "一家人"}
OUT = ROOT / "docs" / "transcripts.md"


def show(message: dict) -> list[str]:
    """A bot message as text: the expandable quote marked, the buttons in rows."""
    text = message["text"]
    quote = next(
        (e for e in message.get("entities", []) if e["type"] == "expandable_blockquote"), None
    )
    units = text.encode("utf-16-le")
    if quote is not None:
        start, end = quote["offset"] * 2, (quote["offset"] + quote["length"]) * 2
        head = units[:start].decode("utf-16-le")
        body = units[start:end].decode("utf-16-le")
        tail = units[end:].decode("utf-16-le")
        text = head + "\n".join("┆ " + line for line in body.split("\n")) + tail
    lines = ["    " + line for line in text.split("\n")]
    for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
        lines.append("    " + " ".join(f"[{b['text']}]" for b in row))
    return lines


class Chat:
    def __init__(self, api: StandinBotAPI, out: list[str]) -> None:
        self.api = api
        self.out = out

    async def say(self, user: StandinUser, text: str, chat: dict | None = None) -> dict:
        self.out.append(f"**{user.first_name}:** {text}")
        where = user.id if chat is None else chat["id"]
        if chat is None:
            message = await say(self.api, user, text)
        else:
            mark = len(self.api.calls)
            self.api.send_text(user, text, chat=chat)
            await self.api.wait_for_async(lambda a: calls_since(a, mark, "sendMessage"))
            message = self.api.last_message(where)
        self.bot(message)
        return message

    async def tap(self, user: StandinUser, label: str, chat: dict | None = None) -> None:
        where = user.id if chat is None else chat["id"]
        menu = self.api.last_message(where)
        self.out.append(f"**{user.first_name}** taps [{label}]")
        query = await press(self.api, user, menu, button_text=label)
        answer = self.api.callback_answers[query].get("text")
        if answer:
            self.out.append(f"*(pop-up: {answer})*")
        self.bot(self.api.last_message(where))

    def bot(self, message: dict) -> None:
        self.out.append("**bot:**")
        self.out.append("")
        self.out += show(message)
        self.out.append("")


async def private_zh_hans(api: StandinBotAPI, out: list[str]) -> None:
    user = api.user(9001, first_name="王芳", language_code="zh-hans")
    chat = Chat(api, out)
    await chat.say(user, "/start")
    for label in (
        "💊 药店买药",
        "吉林",
        "长春",
        "职工医保（在职）",
        "父母",
        "和我同一个城市（统筹区）",
    ):
        await chat.tap(user, label)
    await chat.say(user, "谢谢啦")
    out.append("*A week later: the place and insurance are remembered.*")
    out.append("")
    await chat.say(user, "/start")
    for label in ("💉 疫苗", "我自己"):
        await chat.tap(user, label)


async def private_zh_hant(api: StandinBotAPI, out: list[str]) -> None:
    user = api.user(9002, first_name="陳先生", language_code="zh-hant")
    chat = Chat(api, out)
    await chat.say(user, "/start")
    await chat.say(user, "我在長春，退休了，能給我媽買藥嗎")
    await chat.tap(user, "和我同一個城市（統籌區）")


async def private_en(api: StandinBotAPI, out: list[str]) -> None:
    user = api.user(9003, first_name="Anna", language_code="en")
    chat = Chat(api, out)
    await chat.say(user, "/start")
    await chat.say(user, "Shanghai, employee, gym membership")
    await chat.say(user, "/help")


async def group(api: StandinBotAPI, out: list[str]) -> None:
    mum = api.user(9004, first_name="妈妈")
    son = api.user(9005, first_name="儿子")
    api.set_member_status(GROUP["id"], son.id, "administrator")
    chat = Chat(api, out)
    await chat.say(son, "/setregion 长春", GROUP)
    await chat.say(mum, "/ask", GROUP)
    await chat.tap(mum, "职工医保（退休）", GROUP)
    await chat.tap(son, "预防、保健、美容健身", GROUP)
    for label in ("预防、保健、美容健身", "体检"):
        await chat.tap(mum, label, GROUP)
    await chat.say(son, "/stats", GROUP)


async def inline_mode(api: StandinBotAPI, out: list[str]) -> None:
    for name, code, query in (
        ("李雷", "zh-hans", "吉林 父母 疫苗"),
        ("Tom", "en", "吉林 父母 疫苗"),
        ("李雷", "zh-hans", ""),
    ):
        user = api.user(9006 if code == "zh-hans" else 9007, first_name=name, language_code=code)
        answer = await inline(api, user, query)
        out.append(f"**{name}** ({code}) types `@standin_bot {query}`")
        out.append("")
        button = answer["button"]
        out.append(f"    (results button: {button['text']} → start={button['start_parameter']})")
        for result in answer["results"]:
            out.append(f"    ▸ {result['title']} — {result['description']}")
        out.append("")
        if query:
            first = answer["results"][0]
            sent = {
                "text": parse(first["input_message_content"]["message_text"])[0],
                "entities": parse(first["input_message_content"]["message_text"])[1],
                "reply_markup": first["reply_markup"],
            }
            out.append(f"**{name}** picks the first result; the chat shows:")
            out.append("")
            out += show(sent)
            out.append("")


def parse(html: str) -> tuple[str, list[dict]]:
    return parse_html(html)


async def main() -> None:
    scenarios = (
        (
            "A private chat in simplified Chinese (a new user, then the same user later)",
            private_zh_hans,
        ),
        ("A private chat in traditional Chinese (a typed question)", private_zh_hant),
        ("A private chat in English", private_en),
        ("A group (an admin sets the region; two members, one menu each)", group),
        (
            "Inline mode (two users, two languages, the same query; then an empty query)",
            inline_mode,
        ),
    )
    out = [
        "# Transcripts: what people see",
        "",
        "Generated by `tools/transcripts.py` from the real bot against the stand-in Bot API",
        f"({time.strftime('%Y-%m-%d')}). Text as the chat shows it after Telegram's HTML parsing;",
        "lines marked ┆ are the card's expandable quote (collapsed on a phone until tapped);",
        "buttons in [brackets], one row a line.",
        "",
    ]
    for title, scenario in scenarios:
        with tempfile.TemporaryDirectory() as tmp, StandinBotAPI() as api:
            async with running_bot(api, Path(tmp) / "bot.sqlite3"):
                out += [f"## {title}", ""]
                await scenario(api, out)
            assert api.violations == [], api.violations
    OUT.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    asyncio.run(main())
