"""Understanding typed messages: lexicon (loading, checks), matcher (the automaton), places
(whose place, scope) and reader (hits into answers).

The names below are loaded on first use (PEP 562), not when the package is: the bot imports
`bot.core.understand.lazy` to start polling, and the reader's ~25 modules (a sixth of the
imports before the first getUpdates) are then imported by the thread that builds the reader."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.core.understand.lexicon import Lexicon, load_lexicon
    from bot.core.understand.reader import EMPTY, MAX_CHARS, Understander, Understanding

__all__ = ["EMPTY", "MAX_CHARS", "Lexicon", "Understander", "Understanding", "load_lexicon"]
_WHERE = {
    "EMPTY": "reader",
    "MAX_CHARS": "reader",
    "Understander": "reader",
    "Understanding": "reader",
    "Lexicon": "lexicon",
    "load_lexicon": "lexicon",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
