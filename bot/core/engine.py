"""The dialogue engine: one `transitions` state machine per flow, shared by every session.

The machine is built once at start. Its states are the questions plus `begin` and `outcome`;
its one event, `advance`, moves to the next question that the answers so far make relevant
(the first transition whose condition holds wins). A session never owns a machine: a tiny
cursor object is stepped through the shared one, which costs microseconds instead of the
hundreds a per-session machine would.

The engine knows nothing about Telegram: `step()` takes a session and an event and returns
the new session and a `View`: the question with its visible options or the answer card, as
data. Turning a view into text is each adapter's renderer's job (bot/render/).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from transitions import Machine

from bot.core import i18n, ids
from bot.core.flow import OUTCOME, Flow, Question
from bot.core.flowfile import normalize
from bot.core.links import ShortCodes
from bot.core.regions import RETIRED, region_answers
from bot.core.rules import RuleBook
from bot.core.session import Session
from bot.core.understand.lazy import LazyUnderstander
from bot.core.view import CARD_NAV, QUESTION_NAV, View

if TYPE_CHECKING:  # the reader's modules load with the reader, after polling starts (lazy.py)
    from bot.core.understand import Understander, Understanding

BEGIN = "begin"
NAV_ACTIONS = ("back", "restart", "item", "person", "region")
# Which answers each "change" button forgets; the flow then asks only what is missing again.
_FORGET = {
    "item": (ids.CATEGORY, ids.ITEM),
    "person": (ids.RELATIVE, ids.SCOPE),
    "region": (ids.PROVINCE, ids.CITY),
}
# After a typed question, one "fix" action per understood part (the answers it would forget).
_FIXABLE = (
    ("region", (ids.PROVINCE, ids.CITY)),
    ("item", (ids.ITEM,)),
    ("person", (ids.RELATIVE,)),
)
_NAV_WORDS = {
    "back": {"返回", "上一步", "後退", "返回上一步", "back"},
    "restart": {"重新开始", "重來", "重新開始", "重来", "restart", "start over"},
}


# --- events ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    question: str
    option: str


@dataclass(frozen=True)
class Nav:
    action: str  # one of NAV_ACTIONS


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Show:
    """Show the current question or card again, changing nothing."""

    notice: str | None = None


@dataclass(frozen=True)
class Start:
    """Begin afresh, optionally pre-filled from a deep-link payload.

    With `resume`, a session in the middle of the flow is shown again instead (plain /start).
    """

    payload: str = ""
    resume: bool = False


@dataclass(frozen=True)
class Page:
    """Show another page of the current question's buttons (a province with many places)."""

    page: int


Event = Answer | Nav | Text | Show | Start | Page


@dataclass
class Step:
    session: Session
    view: View
    changed: bool  # False when nothing needs to be stored


def _afresh(event: Event) -> bool:
    """Events that start over anyway, so a session broken by a content change needs no notice."""
    return (isinstance(event, Start) and not event.resume) or event == Nav("restart")


class _Cursor:
    """What the shared machine steps: only a state attribute."""

    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state = state


class Engine:
    def __init__(self, flow: Flow, understand: bool = True) -> None:
        self.flow = flow
        self._reader = LazyUnderstander(flow) if understand else None
        self.rules = RuleBook(flow)
        self._codes = ShortCodes(flow)
        self._order = [q.id for q in flow.questions]
        # Every question's option ids, to tell a stored answer the flow no longer has.
        self._known = {q.id: frozenset(o.id for o in q.options) for q in flow.questions}
        self.machine = self._build_machine()
        self._advance = self.machine.events["advance"]
        self._text_index = self._build_text_index()
        # Questions whose answer may be given without a button (a county by name or link): the
        # walk has to see that answer to know the question is answered rather than skipped.
        self._sticky = tuple(q.id for q in flow.questions if any(not o.listed for o in q.options))

    # --- construction ---------------------------------------------------------------------

    @property
    def reader_ready(self) -> bool:
        """Whether typed questions can be read without first building the reader."""
        return self._reader is None or self._reader.ready

    @property
    def understander(self) -> Understander | None:
        """Reads typed questions ("我在长春，能给我妈买疫苗吗") with the lexicon in flows/."""
        return self._reader.get() if self._reader is not None else None

    def _build_machine(self) -> Machine:
        questions = self.flow.questions
        transitions: list[dict[str, object]] = []
        for i, source in enumerate([BEGIN, *self._order]):
            for later in questions[i:]:
                transitions.append(
                    {
                        "trigger": "advance",
                        "source": source,
                        "dest": later.id,
                        "conditions": [later.is_asked],
                    }
                )
            transitions.append({"trigger": "advance", "source": source, "dest": OUTCOME})
        return Machine(
            model=[],
            states=[BEGIN, *self._order, OUTCOME],
            transitions=transitions,
            initial=BEGIN,
            auto_transitions=False,
        )

    def _build_text_index(self) -> dict[str, dict[str, tuple[str, ...]]]:
        """normalized label or alias -> option ids, per question (all locales' labels too).

        A name may fit several options; the visible one is taken. Places that regions.yaml does
        not name are not indexed (3,000 of them): `_place_answer` finds them in the divisions.
        """
        index: dict[str, dict[str, tuple[str, ...]]] = {}
        for q in self.flow.questions:
            words: dict[str, tuple[str, ...]] = {}
            for o in q.options:
                region = self.flow.regions.get(o.id)
                if o.place and region is None:
                    continue
                names = [o.label, *o.aliases]
                if region is not None:
                    names += [
                        region.name,
                        region.short,
                        region.en,
                        region.hant,
                        region.hant_short,
                        *region.aliases,
                    ]
                else:
                    names += [i18n.gettext(loc, o.label) for loc in i18n.available()]
                for key in dict.fromkeys(normalize(name) for name in names):
                    words[key] = (*words.get(key, ()), o.id)
            index[q.id] = words
        return index

    # --- replay -----------------------------------------------------------------------------

    def _next(self, state: str, answers: Mapping[str, str]) -> str:
        # `answers` may hold an answer to a question after `state` only for sticky questions.
        cursor = _Cursor(state)
        self._advance.trigger(cursor, answers)
        return cursor.state

    def settle(
        self, answers: Mapping[str, str], state: str = BEGIN, history: list[str] | None = None
    ) -> Session:
        """Walk forward from `state` over every question already answered.

        Answers to questions that the walk skips, and answers that are no longer a visible
        option, are dropped, so a session never holds an answer the flow would not ask for.
        """
        kept = {k: v for k, v in answers.items() if k in self._prefix(state)}
        history = list(history or [])
        sticky = {q: answers[q] for q in self._sticky if q in answers and q not in kept}
        while True:
            state = self._next(state, {**kept, **sticky} if sticky else kept)
            sticky.pop(state, None)
            if state == OUTCOME:
                return Session(OUTCOME, kept, history)
            chosen = answers.get(state)
            question = self.flow.question(state)
            option = question.option(chosen) if chosen is not None else None
            if chosen is None or option is None or not option.visible(kept):
                # Answers to later questions wait until the walk reaches them again (changing
                # the item keeps the person), and are checked then.
                later = self._order[self._order.index(state) + 1 :]
                kept.update((q, answers[q]) for q in later if q in answers)
                return Session(state, kept, history)
            kept[state] = chosen
            history.append(state)

    def _prefix(self, state: str) -> set[str]:
        """Questions that come before `state` (their answers are already settled)."""
        if state == BEGIN:
            return set()
        return set(self._order[: self._order.index(state) + 1])

    def new_session(self) -> Session:
        return self.settle({})

    def revive(self, session: Session) -> tuple[Session, bool]:
        """Make a stored session consistent with the current flow, which may have changed since
        it was saved: answers to questions or options that no longer exist are dropped and the
        flow is walked again from what is left. The bool says whether anything was dropped.

        A session on a card is walked again every time (a few microseconds): an item whose
        rules were removed, or a question added since, must lead back to a question rather than
        to a card that can no longer be answered.
        """
        known = self._known
        answers = session.answers
        retired = answers.get(ids.CITY) in RETIRED  # a code the divisions replaced (昌江)
        if retired:
            answers = {**answers, ids.CITY: RETIRED[answers[ids.CITY]]}
        valid = {q: o for q, o in answers.items() if o in known.get(q, ())}
        if not retired and session.state in known and len(valid) == len(answers):
            return session, False
        if not retired and session.state == OUTCOME and len(valid) == len(answers):
            fresh = self.settle(valid)
            if fresh.state == OUTCOME and fresh.answers == valid:
                return session, False
        fresh = self.settle(valid)
        fresh.version = session.version
        return fresh, True

    # --- the one entry point ----------------------------------------------------------------

    def step(self, session: Session, event: Event) -> Step:
        session, dropped = self.revive(session)
        if dropped and not _afresh(event):
            # What the event answered may be gone: say so and ask again from where it broke.
            return Step(session, self.view(session, "content_changed"), changed=True)
        if isinstance(event, Answer):
            return self._answer(session, event)
        if isinstance(event, Nav):
            return self._nav(session, event.action)
        if isinstance(event, Text):
            return self._text(session, event.text)
        if isinstance(event, Start):
            return self._start(session, event.payload)
        if isinstance(event, Page):
            return Step(session, self.view(session, page=event.page), changed=False)
        return Step(session, self.view(session, event.notice), changed=False)

    def view(
        self,
        session: Session,
        notice: str | None = None,
        understood: Understanding | None = None,
        corrections: tuple[str, ...] = (),
        page: int = 0,
    ) -> View:
        """What to show for this session: its question with the visible options, or its card."""
        answers, history = dict(session.answers), tuple(session.history)
        if session.state == OUTCOME:
            outcome = self.rules.outcome(session.answers)
            return View(
                answers,
                history,
                outcome=outcome,
                notice=notice,
                understood=understood,
                nav=CARD_NAV,
            )
        question = self.flow.question(session.state)
        options = tuple(o.id for o in question.listed_options(session.answers))
        return View(
            answers,
            history,
            question,
            options,
            notice=notice,
            understood=understood,
            corrections=corrections,
            # The first question needs neither Back nor Start over: there is nothing behind it.
            nav=QUESTION_NAV if history else (),
            page=page,
        )

    def _moved(self, old: Session, new: Session, notice: str | None = None) -> Step:
        new.version = old.version
        return Step(new, self.view(new, notice), changed=True)

    def _answer(self, session: Session, event: Answer) -> Step:
        question = self.flow.question(event.question) if event.question in self._order else None
        if question is None or session.state != question.id:
            return Step(session, self.view(session, "stale"), changed=False)
        option = question.option(event.option)
        if option is None or not option.visible(session.answers):
            return Step(session, self.view(session, "stale"), changed=False)
        answers = {**session.answers, question.id: event.option}
        new = self.settle(answers, question.id, [*session.history, question.id])
        return self._moved(session, new)

    def _nav(self, session: Session, action: str) -> Step:
        if action == "restart":
            return self._moved(session, self.new_session())
        if action == "back":
            if not session.history:
                return Step(session, self.view(session, "at_start"), changed=False)
            history = session.history[:-1]
            last = session.history[-1]
            answers = {k: v for k, v in session.answers.items() if k != last}
            return self._moved(session, Session(last, answers, history))
        if action in _FORGET:
            answers = {k: v for k, v in session.answers.items() if k not in _FORGET[action]}
            return self._moved(session, self.settle(answers))
        return Step(session, self.view(session, "stale"), changed=False)

    def _text(self, session: Session, text: str) -> Step:
        word = normalize(text[:200])
        for action, words in _NAV_WORDS.items():
            if word in words:
                return self._nav(session, action)
        if session.state != OUTCOME:
            question = self.flow.question(session.state)
            for option_id in self._text_index[session.state].get(word, ()):
                if question.option(option_id).visible(session.answers):  # type: ignore[union-attr]
                    return self._answer(session, Answer(session.state, option_id))
            place = self._place_answer(question, text, session.answers)
            if place is not None:
                return self._answer(session, Answer(session.state, place))
        if self.understander is not None:
            understood = self.understander.understand(text)
            if not understood.is_empty:
                return self._understood(session, understood)
        return Step(session, self.view(session, "not_understood"), changed=False)

    def _place_answer(
        self, question: Question, text: str, answers: Mapping[str, str]
    ) -> str | None:
        """A place typed at a place question (昆山 at the city question of 江苏): its option.

        Only a place that is an option here counts; of several places by that name, the one in
        the chosen province (two 鼓楼区 in one province would be left to the buttons).
        """
        if not any(o.place for o in question.listed_options(answers)):
            return None
        fits = [
            d.code
            for d in self.flow.divisions.find(text[:40])
            if (o := question.option(d.code)) is not None and o.visible(answers)
        ]
        return fits[0] if len(fits) == 1 else None

    def _understood(self, session: Session, understood: Understanding) -> Step:
        """A typed question: keep what it says, ask only what is missing or unclear."""
        answers = {**session.answers, **understood.answers}
        for slot in understood.ambiguous:
            answers.pop(slot, None)  # several candidates: ask, don't guess
        for slot, options in understood.negated.items():
            if answers.get(slot) in options:
                answers.pop(slot)  # "not for me": whatever it was, ask again
        new = self.settle(answers)
        new.version = session.version
        corrections: tuple[str, ...] = ()
        if new.state != OUTCOME:  # the card has its own "change" buttons
            corrections = tuple(
                action
                for action, slots in _FIXABLE
                if any(slot in understood.answers for slot in slots)
            )
        view = self.view(new, understood=understood, corrections=corrections)
        return Step(new, view, changed=True)

    def _start(self, session: Session, payload: str) -> Step:
        answers, bad = self.parse_payload(payload)
        new = self.settle(answers)
        notice = "bad_link" if bad else None
        return self._moved(session, new, notice)

    # --- deep links -----------------------------------------------------------------------

    def parse_payload(self, payload: str) -> tuple[dict[str, str], bool]:
        """`p220000-c220100-tvaccine` -> answers; the bool says whether some part was unknown.

        Telegram allows only [A-Za-z0-9_-] and 64 characters in a start payload, hence one
        letter per question followed by the option id. Answers implied by an option (the
        category of an item) are filled in, so a link may name just the item.
        """
        answers: dict[str, str] = {}
        bad = False
        for part in filter(None, payload.split("-")):
            question = self.flow.question_by_code(part[:1])
            option = None if question is None else self._codes.option(question.id, part[1:])
            if question is None or option is None:
                bad = True
                continue
            answers[question.id] = option.id
            if option.when is not None and len(option.when.alternatives) == 1:
                for slot, values in option.when.alternatives[0]:
                    if len(values) == 1:
                        answers.setdefault(slot, next(iter(values)))
        return answers, bad

    def payload_for(self, answers: Mapping[str, str], limit: int = 64) -> str:
        """The deep-link payload for these answers, within Telegram's 64 characters.

        The category is left out (the item implies it); if still too long, the last answers are
        dropped and the bot simply asks them again.
        """
        implied = {ids.CATEGORY} if ids.ITEM in answers else set()
        parts = [
            (q.id, answers[q.id])
            for q in self.flow.questions
            if q.id in answers and q.id not in implied
        ]
        full = "-".join(f"{self.flow.question(qid).code}{oid}" for qid, oid in parts)
        if len(full) <= limit:
            return full
        # Too long for Telegram: a city names its province, and each option (but a region) may
        # be written as the shortest start of its id that no other option of that question
        # shares, so a shared link still reproduces the whole answer. (An option added later
        # may make an old short code ambiguous: that link then asks the question again.)
        # Only then are the last answers dropped.
        implied_by_city, bad = self.parse_payload(
            f"{self.flow.question(ids.CITY).code}{answers.get(ids.CITY, '')}"
        )
        if not bad and implied_by_city.get(ids.PROVINCE) == answers.get(ids.PROVINCE):
            parts = [(qid, oid) for qid, oid in parts if qid != ids.PROVINCE]
        short = [
            f"{self.flow.question(qid).code}{self._codes.short(qid, oid)}" for qid, oid in parts
        ]
        while short and len("-".join(short)) > limit:
            short.pop()
        return "-".join(short)

    def complete(self, answers: Mapping[str, str]) -> tuple[Session, list[str]]:
        """Fill what a one-line question left out with each question's default.

        Returns the settled session (at the outcome unless a question without a default, such as
        the item, is missing) and the questions whose answers were assumed.
        """
        assumed: list[str] = []
        session = self.settle(answers)
        while session.state != OUTCOME:
            question = self.flow.question(session.state)
            if question.default is None or question.id in assumed:
                break
            assumed.append(question.id)
            session = self.settle({**session.answers, question.id: question.default})
        return session, assumed

    def payload_for_region(self, code: str) -> str:
        """The start payload that pre-selects a region (a group's default, say)."""
        return self.payload_for(region_answers(self.flow, code))
