"""Every path through the flow, compared with the checked-in snapshot of outcomes.

A content change shows its whole effect in review: regenerate with
`UPDATE_SNAPSHOT=1 python -m pytest tests/core/test_snapshot.py` and read the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

from bot.core.checks import snapshot_text
from bot.core.engine import Engine

SNAPSHOT = Path(__file__).resolve().parents[1] / "snapshots" / "outcomes.json"


def test_all_outcomes_match_the_snapshot(engine: Engine) -> None:
    current = snapshot_text(engine)
    if os.environ.get("UPDATE_SNAPSHOT") == "1":
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(current, encoding="utf-8")
    assert SNAPSHOT.exists(), "no snapshot yet: run with UPDATE_SNAPSHOT=1 and review it"
    assert current == SNAPSHOT.read_text(encoding="utf-8"), (
        "outcomes changed: run UPDATE_SNAPSHOT=1 python -m pytest tests/core/test_snapshot.py "
        "and review the diff of tests/snapshots/outcomes.json"
    )
