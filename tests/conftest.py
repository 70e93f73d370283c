"""Shared fixtures: the real flow files, loaded once."""

from __future__ import annotations

import pytest

from bot.core.engine import Engine
from bot.core.flow import Flow, load_flow


@pytest.fixture(scope="session")
def flow() -> Flow:
    return load_flow()


@pytest.fixture(scope="session")
def engine(flow: Flow) -> Engine:
    return Engine(flow)
