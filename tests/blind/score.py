"""Score the reader on the blind set: per language and per slot.

    python tests/blind/score.py              # the tuning set (round 5: batch1-28, 33-36)
    python tests/blind/score.py --held-out   # the held-out set (round 5: batch29-32): figures only
    python tests/blind/score.py --misses     # also list the tuning set's misses
    python tests/blind/score.py --round 1 --held-out   # round 1's split (tuning 1-2, held-out 3-4)

A sentence is *fully right* when the reader gives exactly its expected slots (region, insurance,
category, item, relative, scope; nothing missing, nothing extra), reports exactly the expected
ambiguous slots and negated options. A wrong value counts against both precision and recall.
`region` is compared as a division code: the expected '/' path of official names is resolved
through divisions.csv; the reader's is the account's place (Understanding.region), and an
ambiguous place counts as the ambiguous slot `region`. Off-topic sentences (nothing expected)
must fill nothing at all.

The held-out half is never printed sentence by sentence (see README.md).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from bot.core.divisions import Divisions, load_divisions  # noqa: E402
from bot.core.flow import load_flow  # noqa: E402
from bot.core.understand import Understander, Understanding  # noqa: E402

HERE = Path(__file__).resolve().parent
# Each round tunes on every batch scored before it and holds out fresh batches written blind.
ROUNDS = {
    1: (("batch1.yaml", "batch2.yaml"), ("batch3.yaml", "batch4.yaml")),
    2: (
        ("batch1.yaml", "batch2.yaml", "batch3.yaml", "batch4.yaml"),
        ("batch5.yaml", "batch6.yaml", "batch7.yaml", "batch8.yaml"),
    ),
    3: (
        tuple(f"batch{n}.yaml" for n in (*range(1, 9), 13, 14, 15, 16)),
        ("batch9.yaml", "batch10.yaml", "batch11.yaml", "batch12.yaml"),
    ),
    4: (
        tuple(f"batch{n}.yaml" for n in (*range(1, 17), *range(21, 29))),
        ("batch17.yaml", "batch18.yaml", "batch19.yaml", "batch20.yaml"),
    ),
    5: (
        tuple(f"batch{n}.yaml" for n in (*range(1, 29), *range(33, 37))),
        ("batch29.yaml", "batch30.yaml", "batch31.yaml", "batch32.yaml"),
    ),
}
TUNING, HELD_OUT = ROUNDS[5]
SLOTS = ("region", "insurance", "category", "item", "relative", "scope")
LANGS = ("zh-Hans", "zh-Hant", "en")
ALL = "all"


@dataclass
class Count:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def add(self, want: set[Any], have: set[Any]) -> None:
        self.tp += len(want & have)
        self.fp += len(have - want)
        self.fn += len(want - have)


@dataclass
class Score:
    """Figures for one group of sentences (one language, or all)."""

    sentences: int = 0
    fully_right: int = 0
    off_topic: int = 0
    off_topic_filled: int = 0
    slots: dict[str, Count] = field(default_factory=lambda: defaultdict(Count))

    @property
    def fully_right_rate(self) -> float:
        return self.fully_right / self.sentences if self.sentences else 1.0

    @property
    def off_topic_fill_rate(self) -> float:
        return self.off_topic_filled / self.off_topic if self.off_topic else 0.0


@dataclass(frozen=True)
class Verdict:
    text: str
    lang: str
    right: bool
    want: Mapping[str, Any]
    have: Mapping[str, Any]


def load(names: Iterable[str]) -> list[dict[str, Any]]:
    sentences: list[dict[str, Any]] = []
    for name in names:
        with (HERE / name).open(encoding="utf-8") as fh:
            sentences.extend(yaml.safe_load(fh)["sentences"])
    return sentences


UNRESOLVED: set[str] = set()  # paths naming a division the current table no longer has


def region_code(path: str, divisions: Divisions) -> str:
    """'江苏省/苏州市/常熟市' -> '320581', walking down from the province.

    A division abolished since the sentence was written (重庆市/渝北区 became part of 两江新区)
    resolves to its deepest current ancestor, and is listed in the output."""
    code: str | None = None
    for name in path.split("/"):
        if code is None:
            found = [d for d in divisions.find(name) if d.level == "province"]
        else:
            found = [d for d in divisions.children(code) if d.name == name]
        if len(found) != 1:
            if code is None:
                raise ValueError(f"region path {path!r}: no province {name!r}")
            UNRESOLVED.add(path)
            break
        code = found[0].code
    if code is None:
        raise ValueError(f"empty region path {path!r}")
    return code


def expected(case: Mapping[str, Any], divisions: Divisions) -> dict[str, Any]:
    slots = {k: str(v) for k, v in (case.get("expect") or {}).items()}
    if "region" in slots:
        slots["region"] = region_code(slots["region"], divisions)
    return {
        "slots": slots,
        "ambiguous": set(case.get("ambiguous") or ()),
        "negated": {(s, str(o)) for s, opts in (case.get("negated") or {}).items() for o in opts},
    }


def predicted(got: Understanding) -> dict[str, Any]:
    slots = {k: v for k, v in got.answers.items() if k in SLOTS}
    if got.region is not None:
        slots["region"] = got.region
    ambiguous = {s for s in got.ambiguous if s in SLOTS}
    if got.regions or {"province", "city"} & set(got.ambiguous):
        ambiguous.add("region")
    negated = {
        ("region" if s in ("province", "city") else s, o)
        for s, opts in got.negated.items()
        for o in opts
    }
    return {"slots": slots, "ambiguous": ambiguous, "negated": negated}


def score(
    understander: Understander, sentences: list[dict[str, Any]], divisions: Divisions
) -> tuple[dict[str, Score], list[Verdict]]:
    scores: dict[str, Score] = defaultdict(Score)
    verdicts = []
    for case in sentences:
        want = expected(case, divisions)
        got = understander.understand(case["text"])
        have = predicted(got)
        right = want == have
        for group in (ALL, case["lang"]):
            s = scores[group]
            s.sentences += 1
            s.fully_right += right
            for slot in SLOTS:
                w = {want["slots"][slot]} if slot in want["slots"] else set()
                h = {have["slots"][slot]} if slot in have["slots"] else set()
                s.slots[slot].add(w, h)
            s.slots["ambiguous"].add(want["ambiguous"], have["ambiguous"])
            s.slots["negated"].add(want["negated"], have["negated"])
            if not want["slots"] and not want["ambiguous"] and not want["negated"]:
                s.off_topic += 1
                s.off_topic_filled += not got.is_empty or got.region is not None
        verdicts.append(Verdict(case["text"], case["lang"], right, want, have))
    return scores, verdicts


def table(scores: Mapping[str, Score], title: str) -> str:
    lines = [title]
    for group in (ALL, *LANGS):
        s = scores.get(group)
        if s is None:
            continue
        lines.append(
            f"\n[{group}] {s.sentences} sentences: fully right {s.fully_right_rate:.1%}"
            f" ({s.fully_right}/{s.sentences}); off-topic filled {s.off_topic_filled}/{s.off_topic}"
        )
        lines.append(f"  {'slot':<10} {'precision':>9} {'recall':>7} {'tp':>4} {'fp':>4} {'fn':>4}")
        for slot in (*SLOTS, "ambiguous", "negated"):
            c = s.slots[slot]
            lines.append(
                f"  {slot:<10} {c.precision:>9.1%} {c.recall:>7.1%} {c.tp:>4} {c.fp:>4} {c.fn:>4}"
            )
    whole = scores[ALL]
    english = scores.get("en", Score())
    lines.append(
        f"\nsummary: fully right {whole.fully_right_rate:.1%}, English fully right"
        f" {english.fully_right_rate:.1%}, scope recall {whole.slots['scope'].recall:.1%},"
        f" min slot precision {min(whole.slots[s].precision for s in SLOTS):.1%},"
        f" min slot recall {min(whole.slots[s].recall for s in SLOTS):.1%},"
        f" off-topic fill rate {whole.off_topic_fill_rate:.1%}"
    )
    return "\n".join(lines)


def misses(verdicts: Iterable[Verdict]) -> str:
    lines = []
    for v in verdicts:
        if v.right:
            continue
        lines.append(f"  [{v.lang}] {v.text}")
        for key in ("slots", "ambiguous", "negated"):
            if v.want[key] != v.have[key]:
                lines.append(f"      {key}: want {v.want[key]}  got {v.have[key]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--held-out", action="store_true", help="score the held-out set (figures)")
    parser.add_argument("--misses", action="store_true", help="list the tuning set's misses")
    parser.add_argument("--round", type=int, choices=sorted(ROUNDS), default=5, help="the split")
    args = parser.parse_args(argv)
    tuning, held_out = ROUNDS[args.round]
    names = held_out if args.held_out else tuning
    divisions = load_divisions()
    scores, verdicts = score(Understander(load_flow()), load(names), divisions)
    kind = "held-out" if args.held_out else "tuning"
    print(table(scores, f"blind set, round {args.round}, {kind} set: {names}"))
    if UNRESOLVED:
        print(
            f"\n{len(UNRESOLVED)} expected regions name divisions no longer current; scored"
            " at their deepest current ancestor"
        )
        if not args.held_out:
            print("  " + ", ".join(sorted(UNRESOLVED)))
    if args.misses and not args.held_out:
        print(
            f"\n{Counter(v.right for v in verdicts)[False]} not fully right:\n" + misses(verdicts)
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
