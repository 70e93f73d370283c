"""Time from starting `python -m bot` to its first getUpdates call (the bot is polling).

    python bench/startup.py [--runs 5]

Uses the tests' stand-in Bot API server on 127.0.0.1; prints figures, asserts nothing.

Two rows, started in turn so that the machine's load falls on both alike:
- *bytecode cached*: as an installed bot starts (pip compiles the package at install, the
  Docker image and the systemd unit install it so; a checkout writes __pycache__ on its first
  run). The cache lives in a temporary directory (PYTHONPYCACHEPREFIX), filled by one
  unmeasured start.
- *no bytecode*: with PYTHONDONTWRITEBYTECODE=1 and no cache, every module of the bot is
  compiled again at each start (a checkout where that variable is set, as on this machine).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from standin_botapi import StandinBotAPI  # noqa: E402


def cpu_seconds(pid: int) -> float:
    """The process's user + system CPU so far (/proc/PID/stat): what start-up cost the bot
    itself, whatever else the machine was doing meanwhile."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def once(api: StandinBotAPI, db: Path, bytecode: Path | None) -> tuple[float, float]:
    mark = len(api.calls)
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": "1:STARTUP",
        "TELEGRAM_BASE_URL": api.base_url,
        "DATABASE_URL": f"sqlite:///{db}",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("PYTHONPYCACHEPREFIX", None)
    if bytecode is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(bytecode)
    start = time.perf_counter()
    bot = subprocess.Popen([sys.executable, "-m", "bot"], cwd=ROOT, env=env)
    try:
        api.wait_for(lambda a: any(m == "getUpdates" for m, _ in a.calls[mark:]), timeout=30)
        return time.perf_counter() - start, cpu_seconds(bot.pid)
    finally:
        bot.terminate()
        bot.wait(timeout=15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rows: dict[str, list[tuple[float, float]]] = {"bytecode cached": [], "no bytecode": []}
    with tempfile.TemporaryDirectory() as tmp, StandinBotAPI() as api:
        cache = Path(tmp) / "pycache"
        once(api, Path(tmp) / "bot.sqlite3", cache)  # fills the cache; not measured
        for _ in range(args.runs):
            rows["bytecode cached"].append(once(api, Path(tmp) / "bot.sqlite3", cache))
            rows["no bytecode"].append(once(api, Path(tmp) / "bot.sqlite3", None))
    for name, measured in rows.items():
        times = [wall for wall, _ in measured]
        cpu = statistics.median(c for _, c in measured)
        print(
            f"start to polling, {name}: median {statistics.median(times):.2f} s, "
            f"min {min(times):.2f} s, max {max(times):.2f} s over {args.runs} runs (target ≤ 1 s);"
            f" the bot's CPU until then: median {cpu:.2f} s"
        )


if __name__ == "__main__":
    main()
