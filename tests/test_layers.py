"""The architecture as tests: layers as packages, dependencies one way, no import cycles.

Imports inside functions count (a cycle hidden in a function is still a cycle); imports under
`if TYPE_CHECKING:` do not (they never run).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

BOT = Path(__file__).resolve().parents[1] / "bot"

# Which top-level packages each layer may import from bot (besides itself).
ALLOWED = {
    "core": set(),
    "store": set(),
    "render": {"core"},
    "telegram": {"core", "render", "store", "config"},
    "cli": {"core", "render", "store", "telegram", "config"},
    "config": {"store"},
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(BOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path) -> set[str]:
    """Every bot module this file imports, at any depth, outside TYPE_CHECKING blocks."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for sub in child.orelse:
                    visit(sub)
                continue
            if isinstance(child, ast.Import):
                found.update(a.name for a in child.names if a.name.startswith("bot"))
            elif isinstance(child, ast.ImportFrom) and (child.module or "").startswith("bot"):
                module = child.module or ""
                for alias in child.names:
                    candidate = f"{module}.{alias.name}"
                    sub_path = BOT.parent / (candidate.replace(".", "/") + ".py")
                    found.add(candidate if sub_path.exists() else module)
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in BOT.rglob("*.py")}
    return {
        name: {m for m in _imports(p) if m in modules and m != name} for name, p in modules.items()
    }


def test_no_import_cycles() -> None:
    graph = _graph()
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def walk(node: str, stack: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                cycles.append([*stack[stack.index(dep) :], dep])
            elif dep not in state:
                walk(dep, [*stack, dep])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            walk(module, [module])
    assert cycles == [], "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def test_dependencies_point_one_way() -> None:
    wrong = []
    for module, deps in _graph().items():
        layer = _layer(module)
        if layer not in ALLOWED:
            continue
        for dep in deps:
            target = _layer(dep)
            if target and target != layer and target not in ALLOWED[layer]:
                wrong.append(f"{module} -> {dep}")
    assert wrong == [], "imports against the layering: " + ", ".join(sorted(wrong))


def test_core_imports_no_telegram_and_no_io_libraries() -> None:
    banned = ("telegram", "aiosqlite", "asyncpg", "aiohttp", "httpx", "sqlite3")
    offenders = []
    for path in (BOT / "core").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in banned]
    assert offenders == []


MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80


def _sizes() -> tuple[list[str], list[str]]:
    long_modules, long_functions = [], []
    for path in sorted(BOT.rglob("*.py")):
        name = path.relative_to(BOT).as_posix()
        source = path.read_text(encoding="utf-8")
        lines = len(source.splitlines())
        if lines > MAX_MODULE_LINES:
            long_modules.append(f"bot/{name}: {lines} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                length = (node.end_lineno or node.lineno) - first + 1
                if length > MAX_FUNCTION_LINES:
                    long_functions.append(f"bot/{name}:{node.lineno} {node.name}: {length} lines")
    return long_modules, long_functions


def test_no_module_over_500_lines_and_no_function_over_80() -> None:
    long_modules, long_functions = _sizes()
    assert long_modules == [], "modules over 500 lines: " + ", ".join(long_modules)
    assert long_functions == [], "functions over 80 lines: " + ", ".join(long_functions)


def test_the_size_check_sees_a_long_function(tmp_path: Path, monkeypatch) -> None:
    """The check itself: a generated 81-line function and a 501-line module are reported."""
    fake = tmp_path / "bot"
    (fake / "core").mkdir(parents=True)
    body = "\n".join(f"    x{i} = {i}" for i in range(80))
    (fake / "core" / "big.py").write_text(
        f"def long():\n{body}\n" + "\n" * (MAX_MODULE_LINES - 80), encoding="utf-8"
    )
    monkeypatch.setattr(sys.modules[__name__], "BOT", fake)
    long_modules, long_functions = _sizes()
    assert long_modules == ["bot/core/big.py: 501 lines"]
    assert long_functions == ["bot/core/big.py:1 long: 81 lines"]
