"""The same engine in a terminal: numbered options, or type an option's name.

This adapter proves the engine needs nothing from Telegram. The session lives in memory
here because a terminal has exactly one user and nothing to survive.
"""

from __future__ import annotations

import sys
from typing import TextIO

from bot.core import i18n
from bot.core.engine import Answer, Engine, Event, Nav, Page, Show, Text
from bot.core.i18n import N_
from bot.render.text import Renderer, Reply

PROMPT = N_("请输入编号或选项名称（q 退出）：")
BYE = N_("再见！")


def show(reply: Reply, out: TextIO) -> list[str]:
    """Print the reply with numbered options; return the action code of each number."""
    out.write("\n" + reply.text + "\n\n")
    codes = []
    for number, button in enumerate(reply.buttons, start=1):
        codes.append(button.code)
        out.write(f"  {number}. {button.label}\n")
    return codes


def event_for(line: str, codes: list[str]) -> Event:
    if line.isdigit() and 1 <= int(line) <= len(codes):
        code = codes[int(line) - 1]
        if code.startswith("_page:"):
            return Page(int(code.partition(":")[2]))
        if code.startswith("_"):
            return Nav(code[1:])
        question, _, option = code.partition(":")
        return Answer(question, option)
    return Text(line)


def run(
    engine: Engine,
    locale: str = i18n.DEFAULT_LOCALE,
    stdin: TextIO = sys.stdin,
    out: TextIO = sys.stdout,
    stop_after_card: bool | None = None,
) -> int:
    """Talk until EOF or `q`. With piped input, stop after the first answer card."""
    if stop_after_card is None:
        stop_after_card = not stdin.isatty()
    t = i18n.translations(locale).gettext
    renderer = Renderer(engine.flow)
    step = engine.step(engine.new_session(), Show())
    while True:
        reply = renderer.render(step.view, locale)
        codes = show(reply, out)
        if reply.kind == "outcome" and stop_after_card:
            return 0
        out.write("\n" + t(PROMPT))
        out.flush()
        line = stdin.readline()
        if not line or line.strip().lower() in {"q", "quit", "exit"}:
            out.write("\n" + t(BYE) + "\n")
            return 0
        step = engine.step(step.session, event_for(line.strip(), codes))
