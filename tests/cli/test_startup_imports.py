"""What the bot imports before it polls: not the typed-question reader, whose ~25 modules load
in the thread that builds it once polling runs (bench/startup.py measures the time)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

STARTS = """
import sys
import bot.cli.main
from bot.core.engine import Engine
from bot.core.flow import load_flow
from bot.telegram.app import build_application
engine = Engine(load_flow())
print(sorted(m for m in sys.modules if m.startswith("bot.core.understand.")))
answers = engine.understander.understand("我在长春，能给我妈买疫苗吗").answers
print(answers["city"], "bot.core.understand.reader" in sys.modules)
"""


def test_start_imports_no_reader_module_until_the_reader_is_built() -> None:
    done = subprocess.run(
        [sys.executable, "-c", STARTS], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    before, after = done.stdout.splitlines()
    assert before == "['bot.core.understand.lazy']"
    assert after == "220100 True"


def test_the_package_still_names_the_reader() -> None:
    import bot.core.understand as understand
    from bot.core.understand.reader import Understander

    assert understand.Understander is Understander
    with pytest.raises(AttributeError):
        _ = understand.Reader
