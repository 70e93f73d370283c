"""Where the shipped content lives: `flows/` and `locales/` travel inside the package.

The repository keeps them at the top (editors find them there); pyproject.toml maps them into
the wheel as the packages `bot.flows` and `bot.locales`, so `importlib.resources` finds them the
same way in a checkout (editable install) and in an installed wheel, whatever the working
directory. `FLOWS_DIR` points at another copy of the flow files, for editors trying changes.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

FLOWS_ENV = "FLOWS_DIR"


def package_dir(package: str) -> Path:
    """The folder of a data package; pip always installs unzipped, so it is a real folder."""
    found = files(package)
    if not isinstance(found, Path):
        raise RuntimeError(f"{package} is not a folder on disk ({found!r}); install unzipped")
    return found


def flows_dir() -> Path:
    """FLOWS_DIR when set (an editor's copy), else the flow files shipped with the package."""
    override = os.environ.get(FLOWS_ENV, "").strip()
    return Path(override).expanduser() if override else package_dir("bot.flows")
