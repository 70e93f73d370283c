"""What the user should see next, as data. The engine returns a `View`; each adapter has a
renderer (bot/render/) that turns it into its own form (Telegram text and buttons, console
lines, JSON). Nothing here is text a user reads except the flow's own message ids.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.core.flow import Question
from bot.core.rules import Outcome

if TYPE_CHECKING:
    from bot.core.understand import Understanding

# The navigation actions offered on a question and on an answer card, in display order.
QUESTION_NAV = ("back", "restart")
CARD_NAV = ("item", "person", "region", "restart", "back")


@dataclass(frozen=True)
class View:
    """A question with its visible options, or an answer card, plus what to tell the user.

    `notice` is a key of the renderer's notices ("stale", "not_understood", …) or a message id.
    `understood` is what a typed question was read as; `corrections` the "fix" actions offered
    for it ("region", "item", "person"). `assumed` lists questions whose default was assumed.
    """

    answers: Mapping[str, str]
    history: tuple[str, ...]
    question: Question | None = None
    options: tuple[str, ...] = ()  # the question's buttons (its listed visible options), in order
    outcome: Outcome | None = None
    notice: str | None = None
    understood: Understanding | None = None
    corrections: tuple[str, ...] = ()
    assumed: tuple[str, ...] = ()
    nav: tuple[str, ...] = field(default=QUESTION_NAV)
    page: int = 0  # which page of a long list of buttons (the places of 新疆)

    @property
    def kind(self) -> str:
        return "outcome" if self.outcome is not None else "question"

    @property
    def verdict(self) -> str | None:
        return self.outcome.verdict if self.outcome is not None else None
