"""The command line: ask, console on piped stdin, check, sources, and the no-token message."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.flow import FLOWS_DIR, load_flow
from bot.core.flowfile import FlowError
from bot.store.sqlite import SQLiteStore

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, stdin: str = "", env: dict[str, str] | None = None):
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "TELEGRAM_BOT_TOKEN": "", **(env or {})},
    )


def test_ask_json_from_the_issue() -> None:
    result = run(
        "ask",
        "--region",
        "吉林",
        "--insurance",
        "employee",
        "--relative",
        "parent",
        "--scope",
        "same_area",
        "--item",
        "outpatient",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["verdict"] in {"allowed", "conditional", "not_allowed", "info"}
    assert data["region"] == {
        "code": "220000",
        "name": "吉林省",
        "level": "province",
        "path": "吉林",
    }
    assert data["rule_id"] and data["text"] and data["regional_note"]
    assert all(s["title"] and s["date"] for s in data["sources"])
    assert isinstance(data["conditions"], list)


@pytest.mark.parametrize("region", ["长春", "220100", "长春市", "changchun", "長春"])
def test_region_by_code_or_any_name(region: str) -> None:
    result = run(
        "ask",
        "--region",
        region,
        "--insurance",
        "employee",
        "--item",
        "outpatient",
        "--relative",
        "self",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["region"]["code"] == "220100"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--region", "火星", "--insurance", "employee", "--item", "top_up"], "unknown region"),
        (["--insurance", "boss", "--item", "top_up"], "--insurance"),
        (["--insurance", "employee", "--item", "nope"], "--item"),
        (["--insurance", "employee", "--item", "outpatient"], "--relative is needed"),
        (
            ["--insurance", "employee", "--item", "outpatient", "--relative", "parent"],
            "--scope is needed",
        ),
    ],
)
def test_bad_arguments_exit_2_with_a_clear_message(args: list[str], message: str) -> None:
    result = run("ask", *args)
    assert result.returncode == 2
    assert message in result.stderr


def test_console_answering_1_everywhere_on_piped_stdin_reaches_a_card() -> None:
    result = run("console", stdin="1\n" * 20)
    assert result.returncode == 0, result.stderr
    assert "来源：" in result.stdout and "核实" in result.stdout


def test_console_accepts_typed_labels_and_english() -> None:
    result = run("console", "--lang", "en", stdin="Beijing\nretired\n1\n1\nMyself\n")
    assert result.returncode == 0, result.stderr
    assert "Source:" in result.stdout


def test_no_token_explains_botfather_and_fails_without_a_terminal() -> None:
    result = run(env={"DATABASE_URL": "sqlite:///unused.sqlite3"})
    assert result.returncode == 1
    assert "@BotFather" in result.stderr and "console" in result.stderr


def test_sources_lists_every_source() -> None:
    result = run("sources")
    assert result.returncode == 0
    for source in load_flow().sources.values():
        assert source.id in result.stdout and source.title in result.stdout


def broken_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "flows"
    shutil.copytree(FLOWS_DIR, copy)
    return copy


def test_check_passes_on_the_shipped_flows() -> None:
    result = run("check")
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout


def test_check_names_file_and_line_of_a_broken_copy(tmp_path: Path) -> None:
    flows = broken_copy(tmp_path)
    rules = flows / "rules.yaml"
    text = rules.read_text(encoding="utf-8")
    text = text.replace("verdict: allowed", "verdict: maybe", 1)
    rules.write_text(text, encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "verdict: maybe" in row)
    result = run("check", "--flows", str(flows))
    assert result.returncode == 1
    assert "rules.yaml:" in result.stderr and "verdict 'maybe'" in result.stderr
    # The reported line is the start of the rule that holds the bad verdict.
    reported = int(result.stderr.split("rules.yaml:")[1].split(":")[0])
    assert 0 < reported <= line


def test_check_reports_a_rule_that_can_never_win(tmp_path: Path) -> None:
    flows = broken_copy(tmp_path)
    with (flows / "rules.yaml").open("a", encoding="utf-8") as fh:
        fh.write(
            "\n  - id: shadowed.twin\n    layer: item\n    when: {insurance: [resident]}\n"
            "    verdict: info\n    text: 重复的规则\n    sources: [S004]\n"
            "    checked: 2026-11-28\n"
        )
    result = run("check", "--flows", str(flows))
    assert result.returncode == 1
    assert "shadowed.twin" in result.stderr and "ties with" in result.stderr


def test_loader_reports_yaml_syntax_errors_with_their_line(tmp_path: Path) -> None:
    flows = broken_copy(tmp_path)
    (flows / "questions.yaml").write_text("questions:\n  - id: [oops\n", encoding="utf-8")
    with pytest.raises(FlowError) as info:
        load_flow(flows)
    assert any(p.file == "questions.yaml" and p.line >= 2 for p in info.value.problems)


def test_loader_reports_unknown_ids_in_conditions(tmp_path: Path) -> None:
    flows = broken_copy(tmp_path)
    path = flows / "questions.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "skip_if: {insurance: [resident]}", "skip_if: {insurance: [martian]}", 1
        ),
        encoding="utf-8",
    )
    with pytest.raises(FlowError, match="'insurance' has no option 'martian'"):
        load_flow(flows)


def test_diagram_draws_every_question_and_the_outcomes(tmp_path: Path) -> None:
    out = tmp_path / "flow.dot"
    result = run("diagram", "--out", str(out))
    assert result.returncode == 0, result.stderr
    dot = out.read_text(encoding="utf-8")
    for question in load_flow().questions:
        assert f"  {question.id} [" in dot
    assert "answer card" in dot and "not_allowed" in dot


def test_check_reports_a_broken_lexicon(tmp_path: Path) -> None:
    flows = broken_copy(tmp_path)
    lexicon = flows / "lexicon.yaml"
    lexicon.write_text(
        lexicon.read_text(encoding="utf-8").replace("  - id: vaccine\n", "  - id: vaccinne\n", 1),
        encoding="utf-8",
    )
    result = run("check", "--flows", str(flows))
    assert result.returncode == 1
    assert "lexicon.yaml:" in result.stderr and "vaccinne" in result.stderr


def _rename_everywhere(flows: Path, old: str, new: str) -> None:
    """What a content editor would do: rename an id consistently in every flow file."""
    pattern = re.compile(rf"\b{old}\b")
    for path in flows.glob("*.yaml"):
        path.write_text(pattern.sub(new, path.read_text(encoding="utf-8")), encoding="utf-8")


def test_check_fails_when_a_question_the_code_needs_is_renamed(tmp_path: Path) -> None:
    flows = broken_copy(tmp_path)
    _rename_everywhere(flows, "relative", "relation")
    line = next(
        i
        for i, row in enumerate((flows / "questions.yaml").read_text().splitlines(), 1)
        if row.strip() == "- id: relation"
    )
    result = run("check", "--flows", str(flows))
    assert result.returncode == 1
    assert f"questions.yaml:{line}: question 'relative' is missing" in result.stderr


def test_check_fails_when_an_option_the_code_needs_is_renamed(tmp_path: Path) -> None:
    flows = broken_copy(tmp_path)
    _rename_everywhere(flows, "same_area", "same_city")
    line = next(
        i
        for i, row in enumerate((flows / "questions.yaml").read_text().splitlines(), 1)
        if row.strip() == "- id: scope"
    )
    result = run("check", "--flows", str(flows))
    assert result.returncode == 1
    assert f"questions.yaml:{line}: question scope: option 'same_area' is missing" in result.stderr


def test_feedback_prints_counts_per_answer_from_the_store(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{db}"}
    empty = run("feedback", env=env)
    assert empty.returncode == 0 and "no " in empty.stdout

    async def fill() -> None:
        store = SQLiteStore(db, 3600)
        await store.open()
        for chat, rule in ((-5, "h.emp+i.vaccine"), (0, "h.emp+i.vaccine"), (0, "i.gym")):
            await store.count_feedback(chat, rule)
        await store.close()

    asyncio.run(fill())
    result = run("feedback", "--days", "7", env=env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1].split() == ["2", "h.emp+i.vaccine"] and lines[2].split() == ["1", "i.gym"]
    assert run("feedback", "--days", "0", env=env).returncode == 2


def test_official_texts_are_cited_first() -> None:
    """A card citing an aggregator article and a State Council text listed the article first."""
    args = ["--region", "昆山", "--insurance", "employee", "--item", "pharmacy_drugs"]
    args += ["--relative", "parent", "--scope", "same_area"]
    result = run("ask", *args, "--json")
    assert result.returncode == 0, result.stderr
    kinds = [s["kind"] for s in json.loads(result.stdout)["sources"]]
    assert kinds[0] == "official" and "aggregator" in kinds
    assert kinds == sorted(kinds, key=["official", "news", "aggregator"].index)
    card = run("ask", *args).stdout
    first_source = card.split("来源：", 1)[1]
    assert first_source.startswith("《关于建立健全职工基本医疗保险门诊共济保障机制的指导意见》")
