"""Installs and runs anywhere: a wheel built from a clean copy, in a venv outside the checkout.

The wheel is built from the files git would put in a clean clone (tracked and not ignored),
installed with `--no-index --no-deps` into a new venv in a temporary folder, and run from
another temporary folder. Its dependencies come from the project's own venv through a `.pth`
line, so the test needs no network and stays fast (a venv resolving every dependency from the
registry takes ~35 s more here); `pip check` then proves the wheel's declared dependencies are
all met, and the test proves `bot` itself is imported from the wheel, not from the checkout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def clean_copy(target: Path) -> Path:
    """The files a clean clone would have (tracked, plus new files not yet ignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():  # a file deleted but not yet committed is listed too
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv outside the checkout with the wheel installed; returns its python."""
    started = time.perf_counter()
    base = tmp_path_factory.mktemp("install")
    source = clean_copy(base / "clone")
    dist = base / "dist"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    subprocess.run(
        # No build isolation: the test venv's setuptools builds it, without the network.
        [*pip, "wheel", "--no-build-isolation", "--no-deps", "-q", "-w", str(dist), str(source)],
        check=True,
        capture_output=True,
    )
    wheel = next(dist.glob("*.whl"))
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [*pip, "--python", str(python), "install", "-q", "--no-index", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
    )
    site = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    # The project venv's packages, after the wheel's own (a .pth line appends to sys.path; .pth
    # files in that folder, such as the editable install's finder, are not run).
    (site / "project_deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    print(f"\nwheel built and installed in {time.perf_counter() - started:.1f} s")
    return python


def run_installed(python: Path, cwd: Path, *args: str, stdin: str = "", **env: str):
    clean_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "FLOWS_DIR")}
    return subprocess.run(
        [str(python), *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={**clean_env, "TELEGRAM_BOT_TOKEN": "", **env},
    )


def test_the_wheel_carries_content_and_catalogs(installed: Path, tmp_path: Path) -> None:
    where = run_installed(
        installed,
        tmp_path,
        "-c",
        "import bot, bot.core.flow as f, bot.core.i18n as i; "
        "print(bot.__file__); print(f.FLOWS_DIR); print(i.LOCALES_DIR)",
    )
    assert where.returncode == 0, where.stderr
    venv = installed.parent.parent
    for line in where.stdout.splitlines():
        assert Path(line).is_relative_to(venv), f"{line} is not inside the new venv"
        assert not Path(line).is_relative_to(ROOT), f"{line} comes from the checkout"
    # The venv has no pip of its own: run the project's pip against it.
    check = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(installed), "check"],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_check_ask_and_console_run_from_a_temporary_folder(installed: Path, tmp_path: Path) -> None:
    check = run_installed(installed, tmp_path, "-m", "bot", "check")
    assert check.returncode == 0, check.stderr
    assert "flows/ OK" in check.stdout
    ask = run_installed(
        installed,
        tmp_path,
        "-m",
        "bot",
        "ask",
        "--region",
        "长春",
        "--insurance",
        "employee",
        "--relative",
        "parent",
        "--scope",
        "same_area",
        "--item",
        "vaccine",
        "--lang",
        "en",
        "--json",
    )
    assert ask.returncode == 0, ask.stderr
    answer = json.loads(ask.stdout)
    assert answer["region"]["code"] == "220100" and answer["locale"] == "en"
    assert "Changchun" in answer["region"]["name"] and answer["sources"]
    console = run_installed(installed, tmp_path, "-m", "bot", "console", stdin="1\n" * 20)
    assert console.returncode == 0, console.stderr
    assert "来源：" in console.stdout
    # Nothing was written into the working folder by these commands.
    assert list(tmp_path.iterdir()) == []


def test_flows_dir_points_the_installed_bot_at_an_editors_copy(
    installed: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "my-flows"
    shutil.copytree(ROOT / "flows", copy, ignore=shutil.ignore_patterns("__*"))
    (copy / "rules.yaml").write_text("rules: none\n", encoding="utf-8")
    check = run_installed(installed, tmp_path, "-m", "bot", "check", FLOWS_DIR=str(copy))
    assert check.returncode == 1
    assert "my-flows/rules.yaml:1: expected a top-level list named 'rules'" in check.stderr
    ask = run_installed(
        installed, tmp_path, "-m", "bot", "ask", "--insurance", "employee", FLOWS_DIR=str(copy)
    )
    assert ask.returncode == 1 and "rules.yaml" in ask.stderr


def test_every_python_package_under_bot_ships_in_the_wheel() -> None:
    """pyproject.toml lists packages by hand (two of them live outside bot/): none forgotten."""
    import tomllib

    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "bot").rglob("__init__.py")
    }
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"
