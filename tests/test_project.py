"""The project's promises to a newcomer: the README's commands and what CI runs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_readme_has_exactly_two_setup_commands_and_ci_runs_the_test_one() -> None:
    commands = readme_commands()
    assert len(commands) == 2
    run_bot, run_tests = commands
    assert "python -m bot" in run_bot and "pytest" in run_tests
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert run_tests in ci.splitlines()
    # The gates run before the tests, each with the pinned version from the test extra.
    steps = run_tests.split(" && ")
    gates = [".venv/bin/ruff check", ".venv/bin/ruff format --check", ".venv/bin/mypy"]
    assert all(gate in steps for gate in gates), steps
    assert max(steps.index(g) for g in gates) < steps.index(".venv/bin/python -m pytest")
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'"ruff==[0-9.]+"', pyproject) and re.search(r'"mypy==[0-9.]+"', pyproject)
    assert "[tool.mypy]" in pyproject


def test_procfile_runs_the_worker() -> None:
    assert "worker: python -m bot" in (ROOT / "Procfile").read_text(encoding="utf-8")


def test_tests_live_with_their_layer() -> None:
    """tests/core, tests/store, tests/telegram, tests/cli; only project-wide tests at the top
    (the layering, the README and CI, installing the wheel, deploying)."""
    tests = ROOT / "tests"
    top = sorted(p.name for p in tests.glob("test_*.py"))
    project_wide = ["test_deploy.py", "test_install.py", "test_layers.py", "test_project.py"]
    assert top == project_wide, (
        f"move {sorted(set(top) - set(project_wide))} into tests/core, store, telegram or cli"
    )
    folders = {p.parent.name for p in tests.glob("*/test_*.py")}
    assert folders <= {"core", "store", "telegram", "cli"}, folders


def test_the_stand_in_fixture_is_shared() -> None:
    """One `api` fixture in tests/conftest.py (the stand-in's own tests keep a lenient one)."""
    copies = [
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "tests").rglob("test_*.py")
        if re.search(r"^def api\(", p.read_text(encoding="utf-8"), re.M)
    ]
    assert copies == ["tests/telegram/test_standin_botapi.py"], copies
