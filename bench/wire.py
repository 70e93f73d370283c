"""The real cost of an update over HTTP: this bot beside a ConversationHandler bot and the floor.

Each bot runs as its own process (`python -m bot` for this one, bench/wire_bots.py for the
others) polling the stand-in Bot API (tests/standin_botapi.py) on 127.0.0.1. Simulated users
walk the same path (/start, then five presses: Beijing, employee, care, outpatient, myself);
every bot answers with the same texts, keyboards and Bot API calls. Prints figures; asserts
nothing.

    python bench/wire.py                    # every row, rate rows 3 times (~15 minutes)
    python bench/wire.py --runs 1 --seconds 10 --bursts 30   # a quick look

Columns:
  CPU µs/update  the bot process's own CPU time (user + system, /proc) over the measured
                 window, divided by the updates handled in it: polling, parsing, handlers,
                 state, HTTP; warm-up excluded
  p50/p95/p99    from the moment the stand-in hands an update to the bot (getUpdates answer)
                 to the moment the bot's reply (sendMessage / editMessageText) arrives
  RSS            the bot process's resident memory at the end of the row
  calls, bytes   Bot API calls and request bytes per update, to show the bots do the same
Loads:
  rate N/s       a fixed offered load: an update every 1/N s, spread over users (below
                 Telegram's limits, so no limiter has anything to hold back)
  burst N        N users start at once; each presses as soon as their reply arrives
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

from bench_flow import PATH, prefill_pickle, prefill_store, script  # noqa: E402
from standin_botapi import StandinBotAPI, StandinUser  # noqa: E402

from bot.store.sqlite import SQLiteStore  # noqa: E402

TOKEN = "999:WIRE-BENCH"
TICK = os.sysconf("SC_CLK_TCK")
MENU_CALLS = frozenset({"sendMessage", "editMessageText"})
STEPS = len(PATH) + 1  # /start and one press per question


def labels() -> list[str]:
    """The label of the button each step presses (the same in every bot)."""
    replies, out = script(), []
    for step, (question, option) in enumerate(PATH):
        code = f"{question}:{option}"
        out.append(next(b.label for row in replies[step].rows for b in row if b.code == code))
    return out


@dataclass
class Driver:
    """Plays the users inside the stand-in's event loop: each reply triggers the next step."""

    api: StandinBotAPI
    presses: list[str]
    burst: bool
    next_user: int = 50_000_000
    pending: dict[int, tuple[StandinUser, int, int]] = field(default_factory=dict)
    idle: collections.deque[tuple[StandinUser, dict[str, Any], int]] = field(
        default_factory=collections.deque
    )
    latencies: list[float] = field(default_factory=list)
    done: int = 0
    finished_users: int = 0

    def observe(self, method: str, params: dict[str, Any], result: Any, at: float) -> None:
        if method not in MENU_CALLS or not isinstance(result, dict):
            return
        entry = self.pending.pop(int(params["chat_id"]), None)
        if entry is None:
            return
        user, update_id, step = entry
        self.latencies.append(at - self.api.delivered[update_id])
        self.done += 1
        if step + 1 == STEPS:
            self.finished_users += 1
        elif self.burst:
            self.press(user, result, step + 1)
        else:
            self.idle.append((user, result, step + 1))

    def start(self) -> None:
        self.next_user += 1
        user = self.api.user(self.next_user, "U", "zh-hans")
        self.pending[user.id] = (user, self.api.send_text(user, "/start"), 0)

    def press(self, user: StandinUser, message: dict[str, Any], step: int) -> None:
        query = self.api.press(user, message, button_text=self.presses[step - 1])
        self.pending[user.id] = (user, self.api.update_id_of_query(query), step)

    def step_someone(self) -> None:
        if self.idle:
            self.press(*self.idle.popleft())
        else:
            self.start()


async def offered(driver: Driver, rate: float, seconds: float) -> None:
    loop = asyncio.get_running_loop()
    begin, sent = loop.time(), 0
    while sent < rate * seconds:
        delay = begin + sent / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        driver.step_someone()
        sent += 1
    await drained(driver)


async def burst(driver: Driver, users: int) -> None:
    for _ in range(users):
        driver.start()
    await drained(driver)


async def drained(driver: Driver, limit: float = 900.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while driver.pending and loop.time() < deadline:
        await asyncio.sleep(0.01)
    if driver.pending:
        raise RuntimeError(f"{len(driver.pending)} updates never answered")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class Row:
    name: str
    load: str
    updates: int
    cpu_us: float
    p50: float
    p95: float
    p99: float
    rss: float
    calls: float
    kbytes: float


def command(kind: str, tmp: Path, stored: int) -> tuple[list[str], dict[str, str]]:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "PYTHONWARNINGS": "ignore"}
    if kind.startswith("bot"):
        db = tmp / "bot.sqlite3"
        asyncio.run(prefill(db, stored))
        env |= {"DATABASE_URL": f"sqlite:///{db}", "LOG_LEVEL": "WARNING"}
        if kind == "bot-httpx":
            env["TELEGRAM_HTTP"] = "httpx"
        profile = (
            ["-m", "cProfile", "-o", os.environ["WIRE_PROFILE"]]
            if "WIRE_PROFILE" in os.environ
            else []
        )
        return [sys.executable, *profile, "-m", "bot"], env
    script_path = str(ROOT / "bench" / "wire_bots.py")
    if kind == "reference":
        pickle = tmp / "conversations.pickle"
        prefill_pickle(pickle, stored)
        return [sys.executable, script_path, "reference", str(pickle)], env
    return [sys.executable, script_path, "floor", kind.partition("-")[2] or "aiohttp"], env


async def prefill(db: Path, stored: int) -> None:
    store = SQLiteStore(db, 30 * 86400)
    await store.open()
    await prefill_store(store, stored)
    await store.close()


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if values else 0.0


def run_row(name: str, kind: str, stored: int, load: str, amount: float, seconds: float) -> Row:
    with tempfile.TemporaryDirectory() as tmp, StandinBotAPI() as api:
        argv, env = command(kind, Path(tmp), stored)
        env["TELEGRAM_BASE_URL"] = api.base_url
        log = Path(tmp) / "bot.log"
        with log.open("w") as err:
            proc = subprocess.Popen(argv, env=env, cwd=ROOT, stderr=err, text=True)
        try:
            return measure(api, proc, name, load, amount, seconds)
        except BaseException:
            print(log.read_text()[-3000:], file=sys.stderr)
            raise
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()


def measure(
    api: StandinBotAPI, proc: subprocess.Popen[str], name: str, load: str, amount: float,
    seconds: float,
) -> Row:  # fmt: skip
    loop = api._server.loop  # type: ignore[union-attr]
    api.wait_for(lambda a: a.calls_of("getUpdates"), timeout=30)
    warm = Driver(api, labels(), burst=True)
    api.observer = warm.observe
    asyncio.run_coroutine_threadsafe(burst(warm, 20), loop).result(120)
    time.sleep(0.5)
    driver = Driver(api, labels(), burst=load == "burst", next_user=60_000_000)
    api.observer = driver.observe
    calls0, bytes0, cpu0 = len(api._log), api.request_bytes, cpu_seconds(proc.pid)
    run = burst(driver, int(amount)) if load == "burst" else offered(driver, amount, seconds)
    asyncio.run_coroutine_threadsafe(run, loop).result(1800)
    cpu = cpu_seconds(proc.pid) - cpu0
    time.sleep(0.3)  # the last callback answers
    calls = len([c for c in api._log[calls0:] if c.method != "getUpdates"])
    n = driver.done
    lat = [x * 1000 for x in driver.latencies]
    return Row(
        name, f"{load} {amount:g}{'/s' if load == 'rate' else ''}", n, cpu / n * 1e6,
        percentile(lat, 50), percentile(lat, 95), percentile(lat, 99), rss_mb(proc.pid),
        calls / n, (api.request_bytes - bytes0) / n / 1024,
    )  # fmt: skip


BOTS = {
    "bot": "this bot (aiohttp, flood limiter at default, SQLite)",
    "reference": "ConversationHandler + PicklePersistence",
    "floor": "floor: trivial handler, this bot's transport",
}


def rows(args: argparse.Namespace) -> list[tuple[str, str, int, str, float]]:
    plan = [
        (BOTS["bot"], "bot", 2_000, "rate", args.rate),
        (BOTS["reference"], "reference", 2_000, "rate", args.rate),
        (BOTS["floor"], "floor", 0, "rate", args.rate),
        ("floor over httpx (PTB's default transport)", "floor-httpx", 0, "rate", args.rate),
        ("this bot over httpx (TELEGRAM_HTTP=httpx)", "bot-httpx", 2_000, "rate", args.rate),
        ("this bot, 200,000 stored sessions", "bot", 200_000, "rate", args.rate),
    ]
    for users in args.bursts:
        plan.append((BOTS["bot"], "bot", 2_000, "burst", users))
        plan.append((BOTS["reference"], "reference", 2_000, "burst", users))
    return plan


def median_row(runs: list[Row]) -> Row:
    """Each figure's median over the runs (this machine is shared: single runs are noisy)."""
    first = runs[0]
    figures = {
        name: statistics.median(getattr(r, name) for r in runs)
        for name in ("cpu_us", "p50", "p95", "p99", "rss", "calls", "kbytes")
    }
    return Row(first.name, first.load, first.updates, **figures)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=20.0, help="offered updates per second")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each rate row")
    parser.add_argument("--bursts", type=int, nargs="*", default=[30, 100, 300])
    parser.add_argument("--runs", type=int, default=3, help="rounds of the rate rows (median)")
    parser.add_argument("--only", help="run only rows whose bot kind is this (bot, reference…)")
    args = parser.parse_args()
    plan = [p for p in rows(args) if not args.only or p[1] == args.only]
    runs: dict[int, list[Row]] = collections.defaultdict(list)
    for round_ in range(args.runs):
        # Rounds interleave the rows, so a noisy minute does not hit one bot only.
        for i, (name, kind, stored, load, amount) in enumerate(plan):
            if load == "burst" and round_ > 0:
                continue  # a burst of 300 takes minutes for the reference: once
            row = run_row(name, kind, stored, load, amount, args.seconds)
            runs[i].append(row)
            print(f"  … {row.name}, {row.load}: {row.cpu_us:.0f} µs/update", file=sys.stderr)
    print(
        f"rate rows: median of {args.runs} interleaved runs of {args.seconds:g} s; bursts: one run"
    )
    report([(plan[i][1], plan[i][2], median_row(r)) for i, r in sorted(runs.items())])


def report(results: list[tuple[str, int, Row]]) -> None:
    print(f"{'row':<55} {'load':<10} {'updates':>7} {'CPU µs/upd':>10} {'p50 ms':>7} "
          f"{'p95 ms':>7} {'p99 ms':>7} {'RSS MB':>7} {'calls/upd':>9} {'KiB/upd':>7}")  # fmt: skip
    for _, _, r in results:
        print(f"{r.name:<55} {r.load:<10} {r.updates:>7} {r.cpu_us:>10.0f} {r.p50:>7.1f} "
              f"{r.p95:>7.1f} {r.p99:>7.1f} {r.rss:>7.0f} {r.calls:>9.2f} {r.kbytes:>7.2f}")  # fmt: skip
    ratios(results)


def ratios(results: list[tuple[str, int, Row]]) -> None:
    def find(kind: str, stored: int, load: str) -> Row | None:
        return next(
            (r for k, s, r in results if k == kind and s == stored and r.load == load), None
        )

    rate = next((r.load for _, _, r in results if r.load.startswith("rate")), "")
    bot, ref, flo = find("bot", 2_000, rate), find("reference", 2_000, rate), find("floor", 0, rate)
    big = find("bot", 200_000, rate)
    print()
    if bot and ref:
        print(
            f"CPU/update, bot / reference at {rate}: {bot.cpu_us / ref.cpu_us:.2f} (target ≤ 0.6)"
        )
    if bot and flo:
        print(f"CPU/update, bot / floor at {rate}: {bot.cpu_us / flo.cpu_us:.2f} (target ≤ 1.5)")
    if bot and big:
        print(f"CPU/update, 200k / 2k sessions: {big.cpu_us / bot.cpu_us:.2f} (target ≤ 1.2); "
              f"RSS {big.rss - bot.rss:+.0f} MB (target ≤ +20)")  # fmt: skip
    for _, _, r in results:
        if r.load.startswith("burst") and r.name == BOTS["bot"]:
            other = find("reference", 2_000, r.load)
            if other:
                print(f"p50 at {r.load}: bot {r.p50:.0f} ms, reference {other.p50:.0f} ms "
                      f"(target: bot ≤ reference)")  # fmt: skip


if __name__ == "__main__":
    main()
