"""`python -m bot diagram --out flow.svg`: the questions, how they lead on, and the outcomes.

Edges come from the engine's own transitions machine (the first `advance` transition whose
condition holds wins), so the picture cannot drift from what the bot does. Needs Graphviz's
`dot` for .svg/.png; a .dot file is written without it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from bot.core import ids
from bot.core.engine import BEGIN, Engine
from bot.core.flow import OUTCOME, Condition, Question

_VERDICT_LABELS = {
    "allowed": "✅ 可以",
    "not_allowed": "❌ 不可以",
    "conditional": "⚠️ 有条件",
    "info": "ℹ️ 说明",
}


def _condition_text(condition: Condition | None, negate: bool = False) -> str:
    if condition is None:
        return ""
    parts = [
        " & ".join(f"{slot} ∈ {{{', '.join(sorted(values))}}}" for slot, values in alt)
        for alt in condition.alternatives
    ]
    text = " | ".join(parts)
    if len(text) > 60:
        text = text[:57] + "…"
    return f"unless {text}" if negate else f"if {text}"


def _when(question: Question) -> str:
    return "\n".join(
        x for x in (_condition_text(question.ask_if), _condition_text(question.skip_if, True)) if x
    )


def build_dot(engine: Engine) -> str:
    flow = engine.flow
    lines = [
        "digraph flow {",
        '  rankdir=TB; node [fontname="Noto Sans CJK SC,sans-serif", fontsize=11];',
        '  begin [shape=circle, label="/start"];',
    ]
    for q in flow.questions:
        label = f"{q.id}\\n{q.text[:18]}…\\n({len(q.options)} options)"
        lines.append(f'  {q.id} [shape=box, style=rounded, label="{label}"];')
    # One outcome node per verdict, listing the items whose national rule gives it.
    items = flow.question(ids.ITEM).options
    by_verdict: dict[str, list[str]] = {}
    for option in items:
        rule = engine.rules.best("item", {ids.ITEM: option.id}, ids.NATIONWIDE)
        if rule is not None:
            by_verdict.setdefault(rule.verdict, []).append(option.id)
    for verdict, names in by_verdict.items():
        chunks = [", ".join(names[i : i + 3]) for i in range(0, len(names), 3)]
        label = _VERDICT_LABELS[verdict] + "\\n" + "\\n".join(chunks)
        lines.append(f'  "{verdict}" [shape=note, label="{label}"];')
    lines.append(f'  {OUTCOME} [shape=doublecircle, label="answer card\\n(rules by region)"];')
    for verdict in by_verdict:
        lines.append(f'  {OUTCOME} -> "{verdict}" [style=dotted, arrowhead=none];')
    for source in [BEGIN, *(q.id for q in flow.questions)]:
        for transition in engine.machine.get_transitions("advance", source=source):
            dest = str(transition.dest)
            label = "" if dest == OUTCOME else _when(flow.question(dest))
            attrs = f' [label="{label}", fontsize=9]' if label else ""
            lines.append(f"  {source} -> {dest}{attrs};")
            if not label:
                break  # an unconditional step: later transitions from here are never taken
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_diagram(engine: Engine, out: Path | str) -> str:
    out = Path(out)
    dot_source = build_dot(engine)
    if out.suffix == ".dot":
        out.write_text(dot_source, encoding="utf-8")
        return f"wrote {out}"
    if shutil.which("dot") is None:
        fallback = out.with_suffix(".dot")
        fallback.write_text(dot_source, encoding="utf-8")
        return f"Graphviz's dot is not installed: wrote {fallback} instead (apt install graphviz)"
    fmt = out.suffix.lstrip(".") or "svg"
    subprocess.run(["dot", f"-T{fmt}", "-o", str(out)], input=dot_source.encode(), check=True)
    return f"wrote {out}"
