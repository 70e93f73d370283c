"""Copies of flows/ changed the way a content editor would change them, for tests."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

from bot.core import ids
from bot.core.flow import FLOWS_DIR

REMOVED = "fitness"
# Beijing, employee insurance, prevention, fitness: a card (fitness does not ask the person).
PATH = (
    (ids.PROVINCE, "110000"),
    (ids.INSURANCE, "employee"),
    (ids.CATEGORY, "prevention"),
    (ids.ITEM, REMOVED),
)


def without_item(tmp_path: Path, item: str) -> Path:
    """A copy of flows/ with the item gone from the questions, the rules and the lexicon."""
    flows = tmp_path / "flows"
    shutil.copytree(FLOWS_DIR, flows)
    questions = flows / "questions.yaml"
    lines = questions.read_text(encoding="utf-8").splitlines(keepends=True)
    questions.write_text(
        "".join(x for x in lines if not x.lstrip().startswith(f"- {{id: {item},")),
        encoding="utf-8",
    )
    rules = flows / "rules.yaml"
    blocks = re.split(r"(?m)^(?=  - id: )", rules.read_text(encoding="utf-8"))
    rules.write_text(
        "".join(b for b in blocks if f"when: {{item: [{item}]}}" not in b), encoding="utf-8"
    )
    lexicon = flows / "lexicon.yaml"
    blocks = re.split(r"(?m)^(?=  - id: )", lexicon.read_text(encoding="utf-8"))
    lexicon.write_text(
        "".join(b for b in blocks if not b.startswith(f"  - id: {item}\n")), encoding="utf-8"
    )
    assert item not in repr(yaml.safe_load(questions.read_text(encoding="utf-8")))
    return flows
