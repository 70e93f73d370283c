"""The typed-question reader is built in the background right after start, so the first person
to type a question does not wait for it (nor does everyone else meanwhile)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from standin_botapi import StandinBotAPI
from telegram_helpers import running_bot

from bot.core.engine import Engine
from bot.core.flow import Flow


async def test_the_reader_is_ready_before_anyone_types(
    api: StandinBotAPI, flow: Flow, tmp_path: Path
) -> None:
    engine = Engine(flow)
    assert not engine.reader_ready
    async with running_bot(api, tmp_path / "bot.sqlite3", engine=engine):
        for _ in range(600):
            if engine.reader_ready:
                break
            await asyncio.sleep(0.05)
        assert engine.reader_ready
        assert api.calls_of("sendMessage") == []  # nobody typed anything
