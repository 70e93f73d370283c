"""Who a clause that names no one speaks of: Chinese chains clauses on one topic.

"孩子在南宁读书，学生医保在南宁，我在玉林交的职工医保": the second clause names no one and
still speaks of the child, so 学生医保 is the child's, not the account holder's scheme. The
same holds in English within a sentence ("my dad is in Yuncheng (resident insurance)"), not
across one ("…give it to my parents? employee insurance in Yulin").
"""

from __future__ import annotations

from bot.core import ids
from bot.core.understand.lexicon import Lexicon
from bot.core.understand.matcher import Hit, Message
from bot.core.understand.places import OTHER, Places

SENTENCE_ENDS = (".", "?", "!", "。", "？", "！")  # a new sentence may change who is spoken of
ASIDE_CHARS = 4  # "(7)", "（5岁）": a clause this short naming no one is an aside


class Chains:
    """Whose an insurance (or care-away) word is, following clause chains."""

    def __init__(self, lexicon: Lexicon, places: Places) -> None:
        self.lexicon = lexicon
        self._places = places

    def about_someone_else(self, message: Message, hit: Hit) -> bool:
        """Whether an insurance word describes a relative ("我妈是居民医保"), not the holder."""
        start = message.clause_start(hit)
        person = self._places.subject(message, start, hit.start, beneficiaries=True)
        if person is None and hit.clause > 0:
            # A clause naming no one continues the one before, unless it is about a card
            # ("…，个账是职工医保的") or a new sentence begins.
            lead = message.text[start : hit.start].strip()
            ended = message.text[:start].rstrip().endswith(SENTENCE_ENDS)
            chained = not ended and not lead.startswith(self.lexicon.account_words)
            if chained or lead.startswith(self.lexicon.grammar.continues_subject):
                previous_start = self._previous_start(message, hit.clause)
                person = self._places.subject(message, previous_start, start, beneficiaries=True)
                if lead.startswith(self.lexicon.grammar.also) and self._speaker_in(
                    message, previous_start, start
                ):
                    return False  # "me in Nanjing and my husband in Hangzhou, both company insured"
        return person == OTHER

    @staticmethod
    def describes(message: Message, hit: Hit) -> Hit | None:
        """The relative an English word placed right before them describes: "my retired mom",
        "my self-employed husband" (the scheme is theirs, not the speaker's)."""
        following = next((h for h in message.hits if h.start >= hit.end), None)
        if (
            following is None
            or not hit.word.key.isascii()
            or message.text[hit.end : following.start] != " "
            or not following.senses(ids.RELATIVE)
        ):
            return None
        return following

    def both(self, message: Message, hit: Hit) -> bool:
        """A clause naming no one that opens with 都/两个都/both speaks of everyone just named:
        "我老公喺韶關，我喺河源，兩個都係職工醫保"."""
        start = message.clause_start(hit)
        lead = message.text[start : hit.start].strip()
        named = self._places.subject(message, start, hit.start, beneficiaries=True)
        return named is None and hit.clause > 0 and lead.startswith(self.lexicon.grammar.also)

    def _previous_start(self, message: Message, clause: int) -> int:
        """Where the clause before starts, reaching over a short aside that names no one and
        does not end a sentence: "My daughter (7) has resident insurance"."""
        previous = clause - 1
        if previous > 0:
            start = message.clause_starts[previous]
            end = message.clause_starts[clause]
            aside = message.text[start:end]
            if (
                len(aside.strip(" ()（）,，")) <= ASIDE_CHARS
                and not aside.rstrip().endswith(SENTENCE_ENDS)
                and self._places.subject(message, start, end, beneficiaries=True) is None
            ):
                previous -= 1
        return message.clause_starts[previous]

    def _speaker_in(self, message: Message, lo: int, hi: int) -> bool:
        """Whether text[lo:hi] names the speaker by themself (我, me; not 我妈, my husband)."""
        hits = [h for h in message.hits if lo <= h.start and h.end <= hi]
        for index, hit in enumerate(hits):
            if hit.person != "first_person":
                continue
            following = hits[index + 1] if index + 1 < len(hits) else None
            gap = message.text[hit.end : following.start].strip() if following else None
            owned = following is not None and bool(following.senses(ids.RELATIVE))
            if not (owned and gap in ("", *self.lexicon.grammar.possessive)):
                return True
        return False
