"""Shared fixtures: the real flow files loaded once, and the stand-in Bot API.

Tests are grouped by layer: tests/core (engine, rules, content, understanding, languages),
tests/store (SQLite and PostgreSQL), tests/telegram (the real PTB application against the
stand-in Bot API), tests/cli (python -m bot ...); tests/ itself holds what spans the project
(layers, README and CI) and the helpers every group imports.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from standin_botapi import StandinBotAPI

from bot.core.engine import Engine
from bot.core.flow import Flow, load_flow
from bot.core.understand import Understander


@pytest.fixture(scope="session")
def flow() -> Flow:
    return load_flow()


@pytest.fixture(scope="session")
def engine(flow: Flow) -> Engine:
    return Engine(flow)


@pytest.fixture(scope="session")
def reader(flow: Flow) -> Understander:
    """The typed-question reader, built once (it takes about a second) for every test module
    that reads sentences."""
    return Understander(flow)


@pytest.fixture
def api() -> Iterator[StandinBotAPI]:
    """A stand-in Bot API on 127.0.0.1; a test fails if the bot broke a Bot API rule."""
    with StandinBotAPI() as server:
        yield server
    assert server.violations == [], server.violations
