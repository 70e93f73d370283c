"""Short option codes for start links, so a shared answer fits Telegram's 64 characters.

Each option but a place may be written as the shortest start of its id that no other option of
its question shares (`medical_consumables` -> `medical_c`); place codes stay whole, since places
are added over time. Full ids are always read too. An option added later may make an old short
code ambiguous: that link then asks the question again instead of guessing.
"""

from __future__ import annotations

import functools

from bot.core.flow import Flow, Option


class ShortCodes:
    def __init__(self, flow: Flow) -> None:
        self.flow = flow

    @functools.cache  # noqa: B019 - one table per flow, as long as the process
    def _table(self, qid: str) -> tuple[dict[str, str], dict[str, str]]:
        """Per question: option id -> its shortest unambiguous prefix, and back."""
        options = self.flow.question(qid).options
        option_ids = [o.id for o in options]
        places = {o.id for o in options if o.place or o.id.isdigit()}
        to_short: dict[str, str] = {}
        for oid in option_ids:
            if oid in places:
                to_short[oid] = oid
                continue
            for n in range(1, len(oid) + 1):
                prefix = oid[:n]
                if prefix in option_ids and prefix != oid:
                    continue  # another option's whole id: it would read as that option
                if sum(other.startswith(prefix) for other in option_ids) == 1 or prefix == oid:
                    to_short[oid] = prefix
                    break
        return to_short, {short: oid for oid, short in to_short.items()}

    def short(self, qid: str, oid: str) -> str:
        return self._table(qid)[0].get(oid, oid)

    def option(self, qid: str, code: str) -> Option | None:
        """An option by its id, or by the short code `short` wrote for it."""
        question = self.flow.question(qid)
        option = question.option(code)
        if option is None and code:
            long_id = self._table(qid)[1].get(code)
            option = question.option(long_id) if long_id is not None else None
        return option
