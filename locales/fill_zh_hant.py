"""Fill the Traditional Chinese catalog by converting the simplified msgids with OpenCC.

Usage (from the project root, after `locales/update.sh`):

    .venv/bin/python locales/fill_zh_hant.py

What it does:

1. If `locales/zh_Hant/LC_MESSAGES/messages.po` does not exist, it is created from
   `locales/messages.pot` (like `pybabel init -l zh_Hant`). An existing catalog is not merged
   with the template here: `locales/update.sh` does that (`pybabel update`).
2. Every entry whose msgstr is EMPTY gets the msgid converted with OpenCC `s2t`, followed by the
   few house-style fixes in `FIXES` (Taiwan-style characters that `s2t` writes differently).
3. Entries that already have a msgstr are never touched, so corrections made by hand in the .po
   (a word OpenCC gets wrong in context, a message that names its own language) survive every
   run. To re-convert an entry, empty its msgstr and run the tool again.

The catalog is written back with babel's `write_po`; no entry is left fuzzy by this tool.
"""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime
from pathlib import Path

import opencc
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

LOCALES_DIR = Path(__file__).resolve().parent
TEMPLATE = LOCALES_DIR / "messages.pot"
LOCALE = "zh_Hant"
CATALOG = LOCALES_DIR / LOCALE / "LC_MESSAGES" / "messages.po"

# Applied after `s2t`, in order. `s2t` produces OpenCC's reference characters; the catalog uses
# the forms common in Taiwan and Hong Kong instead. Only machine conversions are changed.
FIXES: tuple[tuple[str, str], ...] = (
    ("賬", "帳"),  # 帳戶, 轉帳
    ("裏", "裡"),  # one form throughout: 裡
    ("爲", "為"),
    ("纔", "才"),
    ("羣", "群"),
    ("覈", "核"),  # 核驗, 核實, 核對
    ("蔘加", "參加"),  # s2t reads 参加 as ginseng
    ("着", "著"),  # 跟著
    ("準字", "准字"),  # 國藥准字: 准 = approved
    ("籤電子", "簽電子"),  # 簽 = to sign (籤 = a slip, a label)
    ("籤署", "簽署"),
    ("籤字", "簽字"),
    ("籤名", "簽名"),
    ("天后", "天後"),  # "30天后" (after 30 days), never the goddess 天后 in this bot
)

_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def convert(text: str, converter: opencc.OpenCC) -> str:
    result = converter.convert(text)
    for wrong, right in FIXES:
        result = result.replace(wrong, right)
    if sorted(_PLACEHOLDER.findall(result)) != sorted(_PLACEHOLDER.findall(text)):
        raise ValueError(f"conversion changed the placeholders of {text!r}")
    return result


def load() -> Catalog:
    if CATALOG.exists():
        with CATALOG.open("rb") as fh:
            return read_po(fh, locale=LOCALE)
    with TEMPLATE.open("rb") as fh:
        catalog = read_po(fh, locale=LOCALE)
    catalog.locale = Locale.parse(LOCALE)
    catalog.revision_date = datetime.now(UTC)
    catalog.fuzzy = False
    CATALOG.parent.mkdir(parents=True, exist_ok=True)
    print(f"created {CATALOG.relative_to(LOCALES_DIR.parent)} from {TEMPLATE.name}")
    return catalog


def fill(catalog: Catalog) -> int:
    """Convert every empty msgstr; return how many entries were filled."""
    converter = opencc.OpenCC("s2t")
    filled = 0
    for message in catalog:
        if not message.id:
            continue  # the header
        if isinstance(message.id, tuple):  # plural forms
            strings = message.string if isinstance(message.string, tuple) else ()
            if not any(strings):
                singular, plural = message.id
                message.string = (convert(singular, converter), convert(plural, converter))
                message.flags.discard("fuzzy")
                filled += 1
        elif not message.string:
            message.string = convert(message.id, converter)
            message.flags.discard("fuzzy")
            filled += 1
    return filled


def main() -> int:
    catalog = load()
    filled = fill(catalog)
    with CATALOG.open("wb") as fh:
        write_po(fh, catalog, width=0)  # no re-wrapping, as update.sh's --no-wrap
    total = sum(1 for m in catalog if m.id)
    print(f"{CATALOG.relative_to(LOCALES_DIR.parent)}: filled {filled} of {total} messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
