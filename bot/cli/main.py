"""`python -m bot [run|poll|webhook|console|ask|understand|check|sources|facts|feedback|diagram|…]`."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sqlite3
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dotenv import load_dotenv

from bot.cli import understand
from bot.config import Settings
from bot.core import i18n, ids
from bot.core.engine import Engine
from bot.core.flow import NATIONWIDE, OUTCOME, Flow, load_flow
from bot.core.flowfile import FlowError
from bot.core.regions import (
    AmbiguousPlace,
    candidates_text,
    find_place,
    is_nationwide,
    region_answers,
)
from bot.core.resources import flows_dir
from bot.render.json_form import JsonRenderer
from bot.render.text import Renderer
from bot.store.base import Store, StoreUnavailable

if TYPE_CHECKING:
    from telegram.ext import Application

USAGE_ERROR = 2
NO_TOKEN = """\
No TELEGRAM_BOT_TOKEN is set.

To run the bot on Telegram:
  1. Open Telegram, talk to @BotFather, send /newbot and follow the steps.
  2. Put the token it gives you in a .env file here:  TELEGRAM_BOT_TOKEN=123456:ABC...
     (or export TELEGRAM_BOT_TOKEN=... in your shell), then run `python -m bot` again.

Without a token you can still talk to the same engine here: `python -m bot console`.
"""


class UsageError(Exception):
    """Bad command-line arguments: printed as they are, exit code 2."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    load_dotenv(override=False)  # before FLOWS_DIR is read
    command = args.command or "run"
    try:
        if command == "check":
            return cmd_check(args.flows or flows_dir())
        if command in ("backup", "restore"):
            return cmd_backup(command, args.path)
        if command == "health":
            return cmd_health()
        if command == "feedback":
            return asyncio.run(cmd_feedback(args.days))
        flow = load_flow()
        if command in RUN_MODES:
            return cmd_run(flow, "webhook" if args.webhook else command)
        if command == "console":
            from bot.cli import console

            return console.run(Engine(flow), i18n.locale_for(args.lang))
        if command == "ask":
            return cmd_ask(flow, args)
        if command == "sources":
            return cmd_sources(flow)
        if command == "facts":
            return cmd_facts(flow, args.write)
        if command == "understand":
            return understand.run(flow, args)
        if command == "diagram":
            from bot.cli.diagram import write_diagram

            print(write_diagram(Engine(flow), args.out))
            return 0
    except FlowError as exc:
        print(f"The flow files have problems:\n{exc}", file=sys.stderr)
        return 1
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return USAGE_ERROR
    parser.error(f"unknown command {command}")
    return USAGE_ERROR


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.add_argument(
        "--webhook",
        action="store_true",
        help="serve Telegram's webhook on PORT instead of polling (needs WEBHOOK_URL)",
    )
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="the default: `webhook` when WEBHOOK_URL is set, else `poll`")
    sub.add_parser("poll", help="run the bot with long polling (the Procfile's worker)")
    sub.add_parser("webhook", help="serve Telegram's webhook on PORT (the Procfile's web)")
    console = sub.add_parser("console", help="talk to the engine in this terminal")
    console.add_argument("--lang", default="zh-Hans", help="zh-Hans (default) or en")
    ask = sub.add_parser("ask", help="print the rule for one set of answers")
    ask.add_argument(
        "--region",
        default=NATIONWIDE,
        help="any province, city or county by code, name or pinyin: 330100, 杭州, 昆山, Hangzhou",
    )
    ask.add_argument("--insurance", required=True)
    ask.add_argument("--item", help="item id, e.g. vaccine")
    ask.add_argument("--relative", help="self, spouse, parent, child, …")
    ask.add_argument("--scope", help="same_area, same_province, other_province")
    ask.add_argument("--lang", default="zh-Hans", help="zh-Hans (default) or en")
    ask.add_argument("--json", action="store_true", help="print one JSON object")
    check = sub.add_parser("check", help="validate flows/ and exit non-zero on any problem")
    check.add_argument(
        "--flows", type=Path, help="the folder to check (default: FLOWS_DIR, else the shipped one)"
    )
    sub.add_parser(
        "health", help="ask the running bot's /healthz (PORT for webhook, else METRICS_PORT)"
    )
    sub.add_parser("sources", help="list every source the rules cite")
    facts = sub.add_parser("facts", help="the table from each fact to the rules that use it")
    facts.add_argument("--write", action="store_true", help=f"rewrite {FACT_TABLE}")
    backup = sub.add_parser(
        "backup", help="copy the SQLite database consistently, even while the bot runs"
    )
    backup.add_argument("path", type=Path)
    restore = sub.add_parser("restore", help="put a backup back (stop the bot first)")
    restore.add_argument("path", type=Path)
    understand.add_parser(sub)
    feedback = sub.add_parser(
        "feedback", help='how often each answer was marked "这个答案有误？" (counts only)'
    )
    feedback.add_argument("--days", type=int, default=30, help="look back this many days")
    diagram = sub.add_parser("diagram", help="draw the questions and outcomes")
    diagram.add_argument("--out", default="flow.svg", help="an .svg, .png or .dot file")
    return parser


# --- run ----------------------------------------------------------------------------------------


RUN_MODES = ("run", "poll", "webhook")


def run_mode(mode: str, settings: Settings) -> str:
    """`poll` or `webhook`; a process type whose settings contradict it stops with one line."""
    if mode == "run":
        return "webhook" if settings.webhook_url else "poll"
    if mode == "poll" and settings.webhook_url:
        raise UsageError(
            "poll: WEBHOOK_URL is set, but polling would delete that webhook; "
            "unset WEBHOOK_URL, or run `python -m bot webhook`"
        )
    if mode == "webhook" and not settings.webhook_url:
        raise UsageError("webhook: WEBHOOK_URL is not set (the public https URL Telegram posts to)")
    return mode


def cmd_run(flow: Flow, mode: str = "run") -> int:
    settings = Settings.from_env()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # it would log every request URL
    # transitions logs every state change at INFO: most of the log, and nothing to act on.
    logging.getLogger("transitions").setLevel(logging.WARNING)
    # PTB logs a failed start with a whole traceback; cmd_run says it in one line instead.
    logging.getLogger("telegram.ext").addFilter(_quiet_failed_start)
    if not settings.token:
        if mode != "run":  # a service: one line for its log
            raise UsageError(f"{mode}: TELEGRAM_BOT_TOKEN is not set (@BotFather gives one)")
        print(NO_TOKEN, file=sys.stderr)
        if sys.stdin.isatty():
            answer = input("Start the console now? [Y/n] ").strip().lower()
            if answer in ("", "y", "yes"):
                from bot.cli import console

                return console.run(Engine(flow))
        return 1
    if settings.http_client not in ("aiohttp", "httpx"):
        raise UsageError(f"TELEGRAM_HTTP must be aiohttp or httpx, not {settings.http_client!r}")
    mode = run_mode(mode, settings)
    from telegram.error import InvalidToken, NetworkError

    from bot.store.factory import StoreConfigError, open_store
    from bot.telegram.app import build_application

    try:
        store = open_store(
            settings.database_url, settings.session_ttl_days, settings.sqlite_synchronous
        )
    except StoreConfigError as exc:
        raise UsageError(str(exc)) from None
    try:  # before anything else: a database the bot cannot write to is one clear line
        asyncio.run(_check_store(store))
    except (StoreUnavailable, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    application = build_application(settings, Engine(flow), store)
    try:
        return _serve(application, store, settings, mode)
    except InvalidToken:
        print("error: Telegram refused the token; check TELEGRAM_BOT_TOKEN", file=sys.stderr)
    except NetworkError as exc:
        print(
            f"error: cannot reach the Bot API at {settings.base_url} ({_first_line(exc)}); "
            "check TELEGRAM_BASE_URL and the network",
            file=sys.stderr,
        )
    return 1


def _quiet_failed_start(record: logging.LogRecord) -> bool:
    return not record.getMessage().startswith("Network Retry Loop (Bootstrap")


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _serve(application: Application, store: Store, settings: Settings, mode: str) -> int:
    from telegram import Update

    if mode == "webhook":
        from bot.telegram.webhook import Limits, serve

        timeout = settings.webhook_read_timeout
        asyncio.run(
            serve(
                application,
                store,
                settings.webhook_url,
                settings.port,
                settings.webhook_secret or None,
                host=settings.webhook_listen,
                limits=Limits(header_timeout=timeout, body_timeout=timeout),
            )
        )
        return 0
    if settings.metrics_port is None:  # no aiohttp.web nor exposition to import: polling sooner
        application.run_polling(allowed_updates=Update.ALL_TYPES)
        return 0
    from bot.telegram.health import PortInUse, serve_health_while_running

    serve_health_while_running(application, store, settings.metrics_port)
    try:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    except PortInUse as exc:
        raise UsageError(str(exc)) from None
    return 0


async def _check_store(store: Store) -> None:
    await store.open()
    await store.close()


def cmd_health() -> int:
    """For container HEALTHCHECKs and scripts: 0 when the local /healthz says ok, else 1."""
    settings = Settings.from_env()
    port = settings.port if settings.webhook_url else settings.metrics_port
    if port is None:
        raise UsageError("health: polling serves /healthz only when METRICS_PORT is set")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            print(response.read().decode().strip())
            return 0
    except urllib.error.HTTPError as exc:
        print(f"unhealthy ({exc.code}): {exc.read().decode().strip()}", file=sys.stderr)
    except OSError as exc:
        print(f"unhealthy: no answer on port {port} ({exc})", file=sys.stderr)
    return 1


# --- ask ----------------------------------------------------------------------------------------


def answers_for_region(flow: Flow, value: str) -> dict[str, str]:
    """--region as a code or a name -> province/city answers (a county is kept as the city)."""
    if is_nationwide(value):
        return {ids.PROVINCE: NATIONWIDE}
    try:
        place = find_place(flow, value)
    except AmbiguousPlace as err:
        raise UsageError(
            f"region {value!r} fits {len(err.candidates)} places, say which (name or code): "
            + candidates_text(flow, err)
        ) from None
    if place is None:
        raise UsageError(
            f"unknown region {value!r}: give a GB/T 2260 code or the name of a province, "
            "city or county, such as 吉林, 杭州, 昆山 or 330100"
        )
    return region_answers(flow, place.code)


def _choice(flow: Flow, question: str, value: str) -> str:
    known = [o.id for o in flow.question(question).options]
    if value not in known:
        raise UsageError(f"--{question} {value!r} is not one of: {', '.join(known)}")
    return value


def cmd_ask(flow: Flow, args: argparse.Namespace) -> int:
    engine = Engine(flow)
    answers = answers_for_region(flow, args.region)
    answers[ids.INSURANCE] = _choice(flow, ids.INSURANCE, args.insurance)
    for flag in (ids.ITEM, ids.RELATIVE, ids.SCOPE):
        value = getattr(args, flag)
        if value:
            answers[flag] = _choice(flow, flag, value)
    if ids.ITEM in answers:
        item_code = flow.question(ids.ITEM).code
        answers.update(engine.parse_payload(item_code + answers[ids.ITEM])[0])
    session = engine.settle(answers)
    if session.state != OUTCOME:
        question = flow.question(session.state)
        known = ", ".join(o.id for o in question.visible_options(session.answers))
        raise UsageError(f"--{question.id} is needed for these answers (one of: {known})")
    ignored = sorted(k for k in answers if k not in session.answers and k != ids.CITY)
    if ignored:
        print(f"note: not asked for these answers, ignored: {', '.join(ignored)}", file=sys.stderr)
    locale = i18n.locale_for(args.lang)
    outcome = engine.rules.outcome(session.answers)
    if args.json:
        result = outcome_json(engine, outcome, locale)
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(Renderer(engine.flow).render(engine.view(session), locale).text)
    return 0


def outcome_json(engine: Engine, outcome: Any, locale: str) -> dict[str, Any]:
    return JsonRenderer(engine.flow).outcome(outcome, locale)


# --- check, sources -----------------------------------------------------------------------------


def cmd_check(directory: Path) -> int:
    from bot.core.checks import check

    try:
        flow = load_flow(directory)
    except FlowError as exc:
        for problem in exc.problems:
            print(f"{directory.name}/{problem}", file=sys.stderr)
        print(f"{len(exc.problems)} problem(s)", file=sys.stderr)
        return 1
    problems = check(flow, directory=directory)
    for problem in problems:
        print(f"{directory.name}/{problem}", file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(
        f"{directory.name}/ OK: {len(flow.questions)} questions, {len(flow.rules)} rules, "
        f"{len(flow.regions)} regions, {len(flow.sources)} sources, {len(flow.facts)} facts"
    )
    return 0


def cmd_sources(flow: Flow) -> int:
    cited: dict[str, list[str]] = {}
    for rule in flow.rules:
        for sid in rule.sources:
            cited.setdefault(sid, []).append(rule.id)
    for source in flow.sources.values():
        doc = f" {source.doc_no}" if source.doc_no else ""
        print(
            f"{source.id}: 《{source.title}》 {source.publisher}{doc}, {source.date} "
            f"({source.kind}; cited by {len(cited.get(source.id, []))} rules)"
        )
    return 0


def cmd_backup(command: str, path: Path) -> int:
    from bot.store import backup
    from bot.store.sqlite import sqlite_path

    settings = Settings.from_env()
    try:
        database = sqlite_path(settings.database_url)
    except ValueError as exc:
        raise UsageError("backup and restore work on the SQLite database only") from exc
    try:
        if command == "backup":
            sessions = backup.backup(database, path)
            print(f"backed up {database} to {path} ({sessions} sessions)")
        else:
            sessions = backup.restore(path, database)
            print(f"restored {path} into {database} ({sessions} sessions)")
    except (backup.BackupError, sqlite3.Error, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


async def cmd_feedback(days: int) -> int:
    """Per answer (the ids of the rules that made it): how often people said it was wrong."""
    from bot.store.factory import open_store

    if days < 1:
        raise UsageError("--days must be at least 1")
    settings = Settings.from_env()
    store = open_store(
        settings.database_url, settings.session_ttl_days, settings.sqlite_synchronous
    )
    await store.open()
    try:
        counts = await store.feedback_counts(None, days)
    finally:
        await store.close()
    if not counts:
        print(f'no "这个答案有误？" presses in the last {days} days')
        return 0
    print(f'"这个答案有误？" presses in the last {days} days, per answer (its rule ids):')
    for rules, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"{count:6d}  {rules}")
    return 0


FACT_TABLE = "FACTS.md"  # beside the flow files it describes


def fact_table(flow: Flow) -> str:
    """Fact -> the rules that use it, from the `facts:` lists in rules.yaml, as Markdown."""
    used: dict[str, list[str]] = {fid: [] for fid in flow.facts}
    for rule in flow.rules:
        for fid in rule.facts:
            used[fid].append(rule.id)
    lines = [
        "# Facts and the rules that use them",
        "",
        "Generated from `facts.yaml` and the `facts:` lists in `rules.yaml` by",
        "`python -m bot facts --write`; a test fails when it is out of date, and",
        "`python -m bot check` fails when a fact has no rule and no reason for having none.",
        "F-ids come from the project's fact table (facts.md), R-ids from the fuller table",
        "beside it (research.md).",
        "",
        "| fact | what it says | rules (or why none) |",
        "|---|---|---|",
    ]
    for fid, fact in flow.facts.items():
        text = fact.text.replace("|", "/")
        rules = ", ".join(used[fid]) or (f"unused: {fact.unused}" if fact.unused else "**none**")
        lines.append(f"| {fid} | {text} | {rules.replace('|', '/')} |")
    return "\n".join(lines) + "\n"


def cmd_facts(flow: Flow, write: bool = False) -> int:
    table = fact_table(flow)
    if write:
        path = flows_dir() / FACT_TABLE
        path.write_text(table, encoding="utf-8")
        print(f"wrote {path}")
    else:
        print(table, end="")
    return 0
