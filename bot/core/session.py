"""A user's session: plain data that fits one small database row."""

from __future__ import annotations

import json
from dataclasses import dataclass, field


@dataclass
class Session:
    """Where a user is in the flow.

    `answers` is the truth; `state` (the current question, or "outcome") and `history` (the
    questions answered, in order, for Back) are derived from it by replaying the flow and kept
    only so that a normal step does not have to replay. `version` counts committed writes and
    travels in every button, so a button from an outdated menu is recognised.
    """

    state: str
    answers: dict[str, str] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)
    version: int = 0
    # In a group: the id of the member's live menu message, so opening a new one can close it.
    menu: int | None = None

    def dumps(self) -> str:
        raw: dict[str, object] = {"s": self.state, "a": self.answers, "h": self.history}
        if self.menu is not None:
            raw["m"] = self.menu
        return json.dumps(raw, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def loads(cls, data: str, version: int) -> Session:
        raw = json.loads(data)
        menu = raw.get("m")
        return cls(raw["s"], dict(raw["a"]), list(raw["h"]), version, menu)

    def copy(self) -> Session:
        return Session(self.state, dict(self.answers), list(self.history), self.version, self.menu)
