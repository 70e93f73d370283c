"""How far two blind labellers agree, and how the reader fares against each of them.

A fully-right target means little if two careful people label the same sentence differently, so
a second helper, who saw nothing of the project nor the first labels, labels the held-out
sentences again from the same brief. This prints aggregates only, never a sentence:

    python tests/blind/agreement.py blank OUT.yaml BATCH.yaml...   # texts only, for the 2nd labeller
    python tests/blind/agreement.py compare SECOND.yaml            # held-out batches vs SECOND.yaml
    python tests/blind/agreement.py disputes SECOND.yaml OUT.yaml  # where they differ, for a 3rd
    python tests/blind/agreement.py gold SECOND.yaml SETTLED.yaml  # the reader vs the settled labels

`compare` reports the share of sentences on which the two labellers agree fully (the ceiling a
reader can reach against either), the reader's fully-right rate against each labeller, and
against the sentences where both agree.

Where the two differ, a third helper (who sees neither the project nor the reader's output)
settles the label from the brief: `disputes` writes those sentences with both labellings as A
and B in an order drawn per sentence, so the third cannot tell whose is whose, and the third
adds `final` (the settled expect / ambiguous / negated). `gold` then scores the reader, per
language and per slot, against the settled set: the agreed label where the two agree, `final`
where they did not. Ordinary annotation practice (double labelling with adjudication); the
first writer's own labels stay in the batches and `score.py --held-out` still reports them.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml


def _scorer() -> ModuleType:
    path = Path(__file__).resolve().parent / "score.py"
    spec = importlib.util.spec_from_file_location("blind_score", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def blank(out: Path, batches: list[Path]) -> None:
    """The sentences without their labels, numbered so the second labels can be matched."""
    rows = []
    for path in batches:
        with path.open(encoding="utf-8") as fh:
            for n, case in enumerate(yaml.safe_load(fh)["sentences"]):
                rows.append({"id": f"{path.stem}-{n}", "text": case["text"], "lang": case["lang"]})
    with out.open("w", encoding="utf-8") as fh:
        yaml.safe_dump({"sentences": rows}, fh, allow_unicode=True, sort_keys=False, width=1000)
    print(f"{len(rows)} sentences written to {out}")


def _rate(hits: int, total: int) -> str:
    return f"{hits / total:.1%} ({hits}/{total})" if total else "n/a"


def compare(second_path: Path, round_: int | None) -> dict[str, dict[str, int]]:
    score = _scorer()  # also puts the project on sys.path and imports the reader
    divisions = score.load_divisions()
    reader = score.Understander(score.load_flow())
    first = score.load(score.ROUNDS[round_][1] if round_ else score.HELD_OUT)
    with second_path.open(encoding="utf-8") as fh:
        second: dict[str, Any] = {c["text"]: c for c in yaml.safe_load(fh)["sentences"]}
    groups: dict[str, dict[str, int]] = {}
    for case in first:
        other = second.get(case["text"])
        if other is None:
            continue
        a = score.expected(case, divisions)
        b = score.expected(other, divisions)
        have = score.predicted(reader.understand(case["text"]))
        for group in ("all", case["lang"]):
            g = groups.setdefault(group, {k: 0 for k in ("n", "agree", "r1", "r2", "ragree")})
            g["n"] += 1
            g["agree"] += a == b
            g["r1"] += have == a
            g["r2"] += have == b
            g["ragree"] += a == b and have == a
    print(f"{groups.get('all', {}).get('n', 0)} of {len(first)} held-out sentences labelled twice")
    for group, g in groups.items():
        print(
            f"[{group}] labellers agree fully: {_rate(g['agree'], g['n'])};"
            f" reader fully right vs first labels {_rate(g['r1'], g['n'])},"
            f" vs second labels {_rate(g['r2'], g['n'])},"
            f" where both agree {_rate(g['ragree'], g['agree'])}"
        )
    return groups


LABEL_KEYS = ("expect", "ambiguous", "negated")


def _label(case: dict[str, Any]) -> dict[str, Any]:
    return {k: case[k] for k in LABEL_KEYS if case.get(k)}


def _pairs(second_path: Path, round_: int | None) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    score = _scorer()
    first = score.load(score.ROUNDS[round_][1] if round_ else score.HELD_OUT)
    with second_path.open(encoding="utf-8") as fh:
        second: dict[str, Any] = {c["text"]: c for c in yaml.safe_load(fh)["sentences"]}
    return [(case, second[case["text"]]) for case in first if case["text"] in second]


def disputes(second_path: Path, out: Path, round_: int | None = None) -> int:
    """The sentences the two labellings disagree on, with both as A and B in a per-sentence
    random order (seeded, so the file is reproducible), for a third labeller to settle."""
    score = _scorer()
    divisions = score.load_divisions()
    draw = random.Random(5)
    rows = []
    for case, other in _pairs(second_path, round_):
        if score.expected(case, divisions) == score.expected(other, divisions):
            continue
        a, b = _label(case), _label(other)
        if draw.random() < 0.5:
            a, b = b, a
        rows.append({"text": case["text"], "lang": case["lang"], "A": a, "B": b})
    with out.open("w", encoding="utf-8") as fh:
        yaml.safe_dump({"sentences": rows}, fh, allow_unicode=True, sort_keys=False, width=1000)
    print(f"{len(rows)} disputed sentences written to {out}")
    return len(rows)


def settled(second_path: Path, settled_path: Path, round_: int | None = None) -> list[Any]:
    """The held-out set with one label each: the agreed one, or the third labeller's `final`."""
    score = _scorer()
    divisions = score.load_divisions()
    with settled_path.open(encoding="utf-8") as fh:
        rows = yaml.safe_load(fh)["sentences"]
    finals = {c["text"]: c["final"] for c in rows if "final" in c}
    cases = []
    for case, other in _pairs(second_path, round_):
        if score.expected(case, divisions) == score.expected(other, divisions):
            label = _label(case)
        elif case["text"] in finals:
            label = finals[case["text"]] or {}
        else:
            raise SystemExit(f"a disputed sentence has no settled label in {settled_path}")
        cases.append({"text": case["text"], "lang": case["lang"], **label})
    return cases


def gold(second_path: Path, settled_path: Path, round_: int | None = None) -> Any:
    score = _scorer()
    divisions = score.load_divisions()
    cases = settled(second_path, settled_path, round_)
    scores, _ = score.score(score.Understander(score.load_flow()), cases, divisions)
    print(score.table(scores, f"held-out set, settled labels ({len(cases)} sentences)"))
    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("blank", help="write the texts only, for a second labeller")
    b.add_argument("out", type=Path)
    b.add_argument("batches", type=Path, nargs="+")
    c = sub.add_parser("compare", help="agreement of the held-out labels with a second labelling")
    c.add_argument("second", type=Path)
    c.add_argument("--round", type=int, help="an earlier round's held-out set")
    d = sub.add_parser("disputes", help="where the labellings differ, for a third to settle")
    d.add_argument("second", type=Path)
    d.add_argument("out", type=Path)
    d.add_argument("--round", type=int, help="an earlier round's held-out set")
    g = sub.add_parser("gold", help="the reader against the settled labels, per slot")
    g.add_argument("second", type=Path)
    g.add_argument("settled", type=Path)
    g.add_argument("--round", type=int, help="an earlier round's held-out set")
    args = parser.parse_args(argv)
    if args.command == "blank":
        blank(args.out, args.batches)
    elif args.command == "compare":
        compare(args.second, args.round)
    elif args.command == "disputes":
        disputes(args.second, args.out, args.round)
    else:
        gold(args.second, args.settled, args.round)
    return 0


if __name__ == "__main__":
    sys.exit(main())
