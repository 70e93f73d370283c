"""Sessions survive content changes: an item removed from flows/ while sessions point at it.

Stored answers whose question or option no longer exists are dropped; the user is asked again
from there with a short notice, whatever the event. Nothing raises (before: LookupError from
the rules lookup). tests/telegram/test_e2e_content_changes.py drives the same through the bot.
"""

from __future__ import annotations

import pytest
from flow_copies import PATH, REMOVED, without_item

from bot.core import i18n, ids
from bot.core.engine import Answer, Engine, Nav, Show, Start, Text
from bot.core.flow import OUTCOME, load_flow
from bot.core.session import Session
from bot.render.text import NOTICES, Renderer

NOTICE = NOTICES["content_changed"]


@pytest.fixture(scope="module")
def changed(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return Engine(load_flow(without_item(tmp_path_factory.mktemp("flows"), REMOVED)))


def stored_card(engine: Engine) -> Session:
    """A card session as the old content saved it, read back as a store would."""
    session = engine.new_session()
    for question, option in PATH:
        session = engine.step(session, Answer(question, option)).session
    assert session.state == OUTCOME
    return Session.loads(session.dumps(), 3)


@pytest.mark.parametrize(
    "event",
    [Show(), Show("stale"), Answer(ids.RELATIVE, "self"), Nav("back"), Nav("item"), Text("疫苗")],
    ids=repr,
)
def test_a_card_whose_item_was_removed_asks_the_item_again(
    engine: Engine, changed: Engine, event: object
) -> None:
    step = changed.step(stored_card(engine), event)  # type: ignore[arg-type]
    assert step.changed and step.session.state == ids.ITEM
    assert ids.ITEM not in step.session.answers
    assert step.session.answers[ids.PROVINCE] == "110000"  # what still holds is kept
    assert step.session.version == 3
    assert step.view.notice == "content_changed"
    for locale in ("zh_Hans", "en", "zh_Hant"):
        text = Renderer(changed.flow).render(step.view, locale).text
        assert text.startswith(i18n.gettext(locale, NOTICE) + "\n")
    # The next step is an ordinary one again.
    again = changed.step(step.session, Answer(ids.ITEM, "vaccine"))
    assert again.view.notice is None and ids.ITEM in again.session.answers
    # Typed questions are read with the changed flow's own lexicon (beside its flow files).
    typed = changed.step(step.session, Text("我想给自己打流感疫苗"))
    assert typed.view.notice is None and typed.session.answers[ids.ITEM] == "vaccine"


def test_starting_over_needs_no_notice(engine: Engine, changed: Engine) -> None:
    for event in (Start(), Nav("restart")):
        step = changed.step(stored_card(engine), event)
        assert step.view.notice is None and step.session.answers == {}


def test_an_unchanged_flow_leaves_stored_sessions_alone(engine: Engine) -> None:
    session = stored_card(engine)
    step = engine.step(session, Show())
    assert not step.changed and step.view.outcome is not None
