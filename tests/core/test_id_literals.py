"""The code names question and option ids only through bot/core/ids.py.

A string literal such as "item" used as a dict key, a comparison operand or a subscript
escapes the load-time check that flows/questions.yaml still defines it: renaming the id in
the YAML would then break the code silently. This scan keeps such literals from creeping back.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from bot.core import ids

BOT = Path(__file__).resolve().parents[2] / "bot"

DECLARED = frozenset(ids.QUESTIONS) | {o for options in ids.OPTIONS.values() for o in options}

# (file relative to bot/, literal): why it is not a question or option id.
NOT_IDS = {
    ("cli/understand.py", "province"): "a division level of divisions.yaml",
    ("core/flow.py", "province"): "a division level of divisions.yaml",
    ("core/understand/geography.py", "province"): "a division level of divisions.yaml",
    ("core/understand/lexicon.py", "province"): "a division level of divisions.yaml",
    ("core/checks.py", "item"): "a rule layer of rules.yaml (holder, item, person)",
    ("core/rules.py", "item"): "a rule layer of rules.yaml (holder, item, person)",
    ("core/engine.py", "item"): "a navigation action (the 'ask another item' button)",
    ("render/text.py", "item"): "a navigation action (the 'ask another item' button)",
}


def _constants(node: ast.expr) -> Iterator[ast.Constant]:
    """The string constants in an operand, looking into tuple, list and set displays."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node
    elif isinstance(node, ast.Tuple | ast.List | ast.Set):
        for element in node.elts:
            yield from _constants(element)


def _id_literals(tree: ast.AST) -> Iterator[ast.Constant]:
    """Literals used where an id is meant: dict keys, comparison operands, subscripts."""
    for node in ast.walk(tree):
        operands: list[ast.expr] = []
        if isinstance(node, ast.Dict):
            operands = [k for k in node.keys if k is not None]
        elif isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
        elif isinstance(node, ast.Subscript):
            operands = [node.slice]
        for operand in operands:
            yield from (c for c in _constants(operand) if c.value in DECLARED)


def find_id_literals(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        name = path.relative_to(root).as_posix()
        if name == "core/ids.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for constant in _id_literals(tree):
            if (name, constant.value) not in NOT_IDS:
                found.append(f"bot/{name}:{constant.lineno}: {constant.value!r}")
    return found


def test_code_names_ids_only_through_the_ids_module() -> None:
    found = find_id_literals(BOT)
    assert not found, "use the constant from bot/core/ids.py:\n" + "\n".join(found)


def test_the_scan_finds_a_literal_id(tmp_path: Path) -> None:
    (tmp_path / "sample.py").write_text(
        'answers = {"item": 1}\nif answers["relative"] == "self" or x in ("scope", "zz"):\n'
        "    pass\n",
        encoding="utf-8",
    )
    assert sorted(find_id_literals(tmp_path)) == [
        "bot/sample.py:1: 'item'",
        "bot/sample.py:2: 'relative'",
        "bot/sample.py:2: 'scope'",
        "bot/sample.py:2: 'self'",
    ]
