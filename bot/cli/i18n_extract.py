"""A babel extractor for the flow files, so `pybabel extract` finds every text in `flows/`.

Registered in babel.cfg as `[bot.cli.i18n_extract:extract_flows: flows/*.yaml]`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import yaml

from bot.core.flowfile import LineDict, _LineLoader

# Keys whose values users read. Region names are not here: regions.yaml carries each name in
# every script itself, and source titles stay in the language they were published in.
_TEXT_KEYS = {"text", "label", "conditions", "publisher"}
_SKIP_FILES = ("regions.yaml", "facts.yaml", "divisions.meta.yaml")


def extract_flows(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    name = getattr(fileobj, "name", "")
    if str(name).endswith(_SKIP_FILES):
        return
    data = yaml.load(fileobj.read().decode("utf-8"), Loader=_LineLoader)
    yield from _walk(data, 1)


def _walk(node: Any, line: int) -> Iterator[tuple[int, str | None, str, list[str]]]:
    if isinstance(node, dict):
        here = node.line if isinstance(node, LineDict) else line
        for key, value in node.items():
            if key in _TEXT_KEYS:
                for text in value if isinstance(value, list) else [value]:
                    if isinstance(text, str) and text.strip():
                        yield here, None, text.strip(), []
            else:
                yield from _walk(value, here)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item, line)
