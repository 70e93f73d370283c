"""How far two blind labellers agree, and how the reader fares against each of them.

A fully-right target means little if two careful people label the same sentence differently, so
a second helper, who saw nothing of the project nor the first labels, labels the held-out
sentences again from the same brief. This prints aggregates only, never a sentence:

    python tests/blind/agreement.py blank OUT.yaml BATCH.yaml...   # texts only, for the 2nd labeller
    python tests/blind/agreement.py compare SECOND.yaml            # held-out batches vs SECOND.yaml

`compare` reports the share of sentences on which the two labellers agree fully (the ceiling a
reader can reach against either), the reader's fully-right rate against each labeller, and
against the sentences where both agree.
"""

from __future__ import annotations

import argparse
import importlib.util
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("blank", help="write the texts only, for a second labeller")
    b.add_argument("out", type=Path)
    b.add_argument("batches", type=Path, nargs="+")
    c = sub.add_parser("compare", help="agreement of the held-out labels with a second labelling")
    c.add_argument("second", type=Path)
    c.add_argument("--round", type=int, help="an earlier round's held-out set")
    args = parser.parse_args(argv)
    if args.command == "blank":
        blank(args.out, args.batches)
    else:
        compare(args.second, args.round)
    return 0


if __name__ == "__main__":
    sys.exit(main())
