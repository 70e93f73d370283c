"""The topic gate (bot/core/understand/topic.py): chat fills nothing, questions still do."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.core.flow import FLOWS_DIR, Flow
from bot.core.flowfile import FlowError
from bot.core.understand import EMPTY, Understander

PHRASINGS = Path(__file__).resolve().parents[1] / "phrasings.yaml"


def _chat() -> list[str]:
    """The regression set's messages that say nothing (expect {}, nothing ambiguous)."""
    with PHRASINGS.open(encoding="utf-8") as fh:
        cases = yaml.safe_load(fh)["phrasings"]
    return [c["text"] for c in cases if not c.get("expect") and not c.get("ambiguous")]


def test_the_regression_set_has_chat_in_three_languages() -> None:
    chat = _chat()
    assert len(chat) >= 40
    assert sum(t.isascii() for t in chat) >= 8  # English
    assert any("媽" in t or "車" in t for t in chat)  # traditional script


@pytest.mark.parametrize("text", _chat())
def test_chat_fills_nothing(reader: Understander, text: str) -> None:
    """Family, places, hospitals, money and other schemes in chat are not answers."""
    got = reader.understand(text)
    assert got.is_empty and got.region is None, got


@pytest.mark.parametrize(
    ("chat", "question"),
    [
        ("我妈在青岛住院了，陪我聊聊天吧", "我妈在青岛住院了，能用我的个账吗"),
        ("今年准备去泸州看我外公", "今年准备去泸州给我外公买药，能刷我的卡吗"),
        ("Anyone know a good dentist in Beijing?", "can my Beijing yibao pay the dentist?"),
        ("公积金账户余额怎么查", "医保账户余额怎么查"),
        ("我老婆在药店上班", "我老婆在药店买药，能刷我的医保卡吗"),
        (
            "My dad retired last year and moved back to Harbin",
            "my dad is retired, can he use my account",
        ),
        ("今天带娃去打疫苗，哭得稀里哗啦", "想给娃打疫苗"),
        ("医保局电话老打不通", "社区说要问医保局，我这医保卡能给孙子打疫苗不"),
        ("话费怎么充", "个账能像充话费那样往里充钱吗"),
        ("Is Shanghai's yibao better than Suzhou's?", "Is it better to use my yibao for my mom?"),
        ("Do freelancers in Xiamen earn more?", "Can freelancers in Xiamen pay missed months?"),
    ],
)
def test_the_same_words_asked_about_the_account_are_read(
    reader: Understander, chat: str, question: str
) -> None:
    assert reader.understand(chat) == EMPTY
    assert not reader.understand(question).is_empty


@pytest.mark.parametrize(
    "text", ["长春", "我在长春", "本人", "我爸", "给我妈", "for my mom", "我和我妈都在长春"]
)
def test_answers_typed_alone_are_read(reader: Understander, text: str) -> None:
    assert not reader.understand(text).is_empty


def test_topic_words_are_checked(flow: Flow, tmp_path: Path) -> None:
    text = (FLOWS_DIR / "lexicon.yaml").read_text(encoding="utf-8")
    assert "\n  modal: [" in text
    broken = text.replace("\n  modal: [", "\n  modl: [")
    line = broken.splitlines().index("topic:") + 1
    path = tmp_path / "lexicon.yaml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(FlowError) as error:
        Understander(flow, path)
    assert f"lexicon.yaml:{line}: topic: unknown kind 'modl'" in str(error.value)


def test_topic_words_come_from_the_lexicon(flow: Flow, tmp_path: Path) -> None:
    """Without 公积金 listed as another scheme, its balance reads as the account's."""
    text = (FLOWS_DIR / "lexicon.yaml").read_text(encoding="utf-8")
    assert "  other: [公积金, " in text
    path = tmp_path / "lexicon.yaml"
    path.write_text(text.replace("  other: [公积金, ", "  other: ["), encoding="utf-8")
    message = "公积金账户余额怎么查"
    assert Understander(flow).understand(message) == EMPTY
    assert Understander(flow, path).understand(message).answers.get("item") == "check_balance"
