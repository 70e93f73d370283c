"""Understanding typed messages: lexicon (loading, checks), matcher (the automaton), places
(whose place, scope) and reader (hits into answers)."""

from bot.core.understand.lexicon import Lexicon, load_lexicon
from bot.core.understand.reader import EMPTY, MAX_CHARS, Understander, Understanding

__all__ = ["EMPTY", "MAX_CHARS", "Lexicon", "Understander", "Understanding", "load_lexicon"]
