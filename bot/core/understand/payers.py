"""Who pays says the scheme: the words of lexicon.yaml `paid_by` (found by paid.py).

"单位在渝北交的医保", "公司帮我在苏州交医保", "my husband's company in Wuxi pays his yibao": an
employer named and, a few characters later in the same clause, a paying word is the employees'
insurance. Kept apart from paid.py so the lexicon can read these words without importing the
matcher.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.core import ids
from bot.core.flow import Flow


@dataclass(frozen=True)
class Payer:
    option: str  # the insurance option the payer means
    payers: tuple[str, ...]  # 单位, company
    pays: tuple[str, ...]  # 交的, pays
    not_payers: tuple[str, ...]  # 保险公司: contains a payer, pays for something else
    not_between: tuple[str, ...]  # "doesn't": between the two, the employer does not pay


def read_payers(
    value: Any,
    texts: Callable[[str, Any], tuple[str, ...]],
    flow: Flow,
    problem: Callable[[str, str], None],
) -> tuple[Payer, ...]:
    """lexicon.yaml `paid_by`: insurance option -> {payers, pays, not_payers, not_between}."""
    if value is None:
        return ()
    options = {o.id for o in flow.question(ids.INSURANCE).options}
    if not isinstance(value, Mapping):
        problem("paid_by", "paid_by must map an insurance option to payers and pays")
        return ()
    entries = []
    for option, lists in value.items():
        if str(option) not in options:
            problem("paid_by", f"paid_by: no insurance option '{option}'")
            continue
        if not isinstance(lists, Mapping) or not lists.get("payers") or not lists.get("pays"):
            problem("paid_by", f"paid_by: '{option}' needs lists of payers and pays")
            continue
        entries.append(
            Payer(
                str(option),
                texts("paid_by", lists.get("payers")),
                texts("paid_by", lists.get("pays")),
                texts("paid_by", lists.get("not_payers")),
                texts("paid_by", lists.get("not_between")),
            )
        )
    return tuple(entries)
