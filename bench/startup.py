"""Time from starting `python -m bot` to its first getUpdates call (the bot is polling).

    python bench/startup.py [--runs 5]

Uses the tests' stand-in Bot API server on 127.0.0.1; prints figures, asserts nothing.
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


def once(api: StandinBotAPI, db: Path) -> float:
    mark = len(api.calls)
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": "1:STARTUP",
        "TELEGRAM_BASE_URL": api.base_url,
        "DATABASE_URL": f"sqlite:///{db}",
        "LOG_LEVEL": "WARNING",
    }
    start = time.perf_counter()
    bot = subprocess.Popen([sys.executable, "-m", "bot"], cwd=ROOT, env=env)
    try:
        api.wait_for(lambda a: any(m == "getUpdates" for m, _ in a.calls[mark:]), timeout=30)
        return time.perf_counter() - start
    finally:
        bot.terminate()
        bot.wait(timeout=15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, StandinBotAPI() as api:
        times = [once(api, Path(tmp) / "bot.sqlite3") for _ in range(args.runs)]
    print(
        f"start to polling: median {statistics.median(times):.2f} s, "
        f"min {min(times):.2f} s, max {max(times):.2f} s over {args.runs} runs (target ≤ 1 s)"
    )


if __name__ == "__main__":
    main()
