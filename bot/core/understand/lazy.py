"""The reader, built once on first use and shared by every thread."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from bot.core.flow import Flow

if TYPE_CHECKING:
    from bot.core.understand.reader import Understander


class LazyUnderstander:
    """Building the reader takes about a second (every division's names and spellings), so the
    bot starts polling before it exists and the Telegram adapter builds it in a thread right
    after start. The lock makes a question typed during that build wait for it instead of
    starting a second one."""

    def __init__(self, flow: Flow) -> None:
        self._flow = flow
        self._reader: Understander | None = None
        self._lock = threading.Lock()

    @property
    def ready(self) -> bool:
        return self._reader is not None

    def get(self) -> Understander:
        if self._reader is None:
            with self._lock:
                if self._reader is None:
                    # Imported here, by the thread that builds it: not before polling starts.
                    from bot.core.understand.reader import Understander

                    where = self._flow.directory
                    lexicon = where / "lexicon.yaml" if where is not None else None
                    self._reader = Understander(self._flow, lexicon)
        return self._reader
