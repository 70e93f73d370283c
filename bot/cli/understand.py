"""`python -m bot understand "TEXT" [--lang …] [--json]`: what one typed sentence gives.

For scripts and reviewers: the answers as option ids of flows/questions.yaml, the account's
place as a division code with its province, prefecture and county, and which slots were
ambiguous or negated. The JSON form is stable: the same keys in the same order, always present
(null or empty when the sentence says nothing about them).
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from bot.core import i18n
from bot.core.divisions import Division, load_divisions, traditional
from bot.core.flow import Flow

if TYPE_CHECKING:  # `python -m bot` imports this module for its parser, not the reader
    from bot.core.understand import Understanding

LEVEL_KEYS = {"province": "province", "prefecture": "prefecture", "county": "county"}


def add_parser(sub: Any) -> None:
    """The `understand` subcommand, added to the main parser's subparsers."""
    parser = sub.add_parser("understand", help="print what a typed sentence gives (slots, place)")
    parser.add_argument("text", help="the sentence, as a user would type it")
    parser.add_argument("--lang", default="zh-Hans", help="zh-Hans (default), zh-Hant or en")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(flow: Flow, args: argparse.Namespace) -> int:
    from bot.core.understand import Understander

    locale = i18n.locale_for(args.lang)
    got = Understander(flow).understand(args.text)
    data = as_json(flow, args.text, got, locale)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(as_text(data))
    return 0


def as_json(flow: Flow, text: str, got: Understanding, locale: str) -> dict[str, Any]:
    """The stable JSON form of an Understanding (see the module docstring)."""
    answers = {
        slot: {"id": option, "label": _option_label(flow, slot, option, locale)}
        for slot, option in got.answers.items()
    }
    ambiguous: dict[str, list[Any]] = {
        slot: list(options) for slot, options in got.ambiguous.items()
    }
    if got.regions:
        ambiguous["region"] = [_place(code, locale) for code in got.regions]
    return {
        "text": text,
        "locale": locale,
        "region": _place(got.region, locale) if got.region is not None else None,
        "answers": answers,
        "ambiguous": ambiguous,
        "negated": {slot: list(options) for slot, options in got.negated.items()},
        "matched": list(got.matched),
    }


def _place(code: str, locale: str) -> dict[str, Any]:
    """A division with the levels above it: {code, name, level, province, prefecture, county}."""
    divisions = load_divisions()
    chain = divisions.chain(code)
    place: dict[str, Any] = {
        "code": code,
        "name": _name(chain[0], locale) if chain else code,
        "level": chain[0].level if chain else None,
        "province": None,
        "prefecture": None,
        "county": None,
    }
    for division in chain:
        place[LEVEL_KEYS[division.level]] = {
            "code": division.code,
            "name": _name(division, locale),
        }
    return place


def _name(division: Division, locale: str) -> str:
    if locale == "zh_Hant":
        return traditional(division.name)
    if locale == "en":
        return division.pinyin.title()
    return division.name


def _option_label(flow: Flow, slot: str, option: str, locale: str) -> str:
    question = flow.question(slot)
    found = question.option(option)
    return i18n.gettext(locale, found.label) if found is not None else option


def as_text(data: dict[str, Any]) -> str:
    lines = []
    region = data["region"]
    if region is not None:
        above = [region[k]["name"] for k in ("province", "prefecture") if region[k]]
        above = [n for n in above if n != region["name"]]
        where = f" ({' '.join(above)})" if above else ""
        lines.append(f"{'region':<10} {region['code']} {region['name']}{where}")
    for slot, answer in data["answers"].items():
        lines.append(f"{slot:<10} {answer['id']} {answer['label']}")
    for slot, options in data["ambiguous"].items():
        names = [o["code"] + " " + o["name"] if isinstance(o, dict) else o for o in options]
        lines.append(f"{'ambiguous':<10} {slot}: {', '.join(names)}")
    for slot, options in data["negated"].items():
        lines.append(f"{'negated':<10} {slot}: {', '.join(options)}")
    return "\n".join(lines) if lines else "(nothing understood)"
