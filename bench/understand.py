"""How fast the typed-question reader is: building it, and reading one sentence.

    .venv/bin/python bench/understand.py [--runs 5]

Reads every sentence of tests/phrasings.yaml and of the blind set's tuning batches (1-4) `runs` times
and prints the mean and the slowest per-sentence time (target: under 1 ms), plus the time to
build the reader (lexicon + every division + the automaton), which the bot pays on the first
typed message, not at start (bench/startup.py measures start to polling).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.divisions import load_divisions  # noqa: E402
from bot.core.flow import load_flow  # noqa: E402
from bot.core.understand import Understander  # noqa: E402


def sentences() -> list[str]:
    texts = []
    with (ROOT / "tests" / "phrasings.yaml").open(encoding="utf-8") as fh:
        texts += [p["text"] for p in yaml.safe_load(fh)["phrasings"]]
    for name in ("batch1.yaml", "batch2.yaml", "batch3.yaml", "batch4.yaml"):
        with (ROOT / "tests" / "blind" / name).open(encoding="utf-8") as fh:
            texts += [s["text"] for s in yaml.safe_load(fh)["sentences"]]
    return texts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    flow = load_flow()
    load_divisions()
    builds = []
    for _ in range(args.runs):
        started = time.perf_counter()
        reader = Understander(flow)
        builds.append(time.perf_counter() - started)
    texts = sentences()
    for text in texts:  # warm up
        reader.understand(text)
    per_sentence: dict[str, list[float]] = {t: [] for t in texts}
    for _ in range(args.runs):
        for text in texts:
            started = time.perf_counter()
            reader.understand(text)
            per_sentence[text].append(time.perf_counter() - started)
    means = [statistics.mean(v) for v in per_sentence.values()]
    best = sorted(min(v) for v in per_sentence.values())  # least disturbed by other processes
    slowest = max(per_sentence, key=lambda t: min(per_sentence[t]))
    print(f"reader build: median {statistics.median(builds) * 1000:.0f} ms over {args.runs} runs")
    print(
        f"{len(texts)} sentences x {args.runs}: mean {statistics.mean(means) * 1e6:.0f} µs,"
        f" median {statistics.median(means) * 1e6:.0f} µs; best of {args.runs} per sentence:"
        f" mean {statistics.mean(best) * 1e6:.0f} µs, p99 {best[int(len(best) * 0.99)] * 1e6:.0f} µs,"
        f" slowest {min(per_sentence[slowest]) * 1e6:.0f} µs ({len(slowest)} characters)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
