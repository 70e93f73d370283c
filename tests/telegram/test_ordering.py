"""One user's updates stay in order while different users run in parallel."""

from __future__ import annotations

import asyncio

from telegram import Chat, Message, Update, User

from bot.telegram.ordering import PerUserUpdateProcessor


def update_from(user_id: int, update_id: int) -> Update:
    user = User(user_id, "U", False)
    message = Message(update_id, None, Chat(user_id, "private"), from_user=user, text="x")  # type: ignore[arg-type]
    return Update(update_id, message=message)


async def test_same_user_in_order_other_users_in_parallel() -> None:
    processor = PerUserUpdateProcessor(16)
    log: list[tuple[int, int, str]] = []
    running = 0
    peak = 0

    async def handle(user: int, n: int, delay: float) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        log.append((user, n, "start"))
        await asyncio.sleep(delay)
        log.append((user, n, "end"))
        running -= 1

    jobs = []
    for n in range(3):
        for user in (1, 2, 3):
            # Later updates of a user are faster: only the lock keeps them from overtaking.
            jobs.append(
                processor.process_update(
                    update_from(user, n * 10 + user), handle(user, n, 0.03 / (n + 1))
                )
            )
    async with processor:
        await asyncio.gather(*jobs)
    for user in (1, 2, 3):
        events = [(n, what) for u, n, what in log if u == user]
        assert events == [
            (0, "start"),
            (0, "end"),
            (1, "start"),
            (1, "end"),
            (2, "start"),
            (2, "end"),
        ]
    assert peak >= 3  # three users at once
    assert processor.users_in_flight == 0  # nothing kept per user afterwards
