"""Groups end to end: per-user menus, admin commands, anonymous admins, flood limits."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

from standin_botapi import StandinBotAPI, StandinUser
from telegram_helpers import calls_since, press, running_bot

GROUP = {"id": -1001234567890, "type": "supergroup", "title": "家人群"}
ANONYMOUS_ADMIN_BOT = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}
_ids = itertools.count(900_000)


def replies_to(api: StandinBotAPI, mark: int, message_id: int) -> list[dict]:
    return [
        p
        for m, p in calls_since(api, mark, "sendMessage")
        if str(
            p.get("reply_to_message_id") or (p.get("reply_parameters") or {}).get("message_id", "")
        )
        == str(message_id)
    ]


async def ask_in_group(api: StandinBotAPI, user: StandinUser, text: str = "/ask") -> dict:
    """Send a command in the group and return the bot's message that replies to it."""
    mark = len(api.calls)
    update_id = api.send_text(user, text, chat=GROUP)
    await api.wait_for_async(lambda a: calls_since(a, mark, "sendMessage"))
    sent = api.messages(GROUP["id"])[-1]
    assert sent["text"], update_id
    return sent


async def anonymous_admin_says(api: StandinBotAPI, text: str) -> dict:
    mark = len(api.calls)
    command = text.split()[0]
    api.queue_update(
        {
            "message": {
                "message_id": next(_ids),
                "date": int(time.time()),
                "chat": GROUP,
                "from": ANONYMOUS_ADMIN_BOT,
                "sender_chat": GROUP,
                "text": text,
                "entities": [{"type": "bot_command", "offset": 0, "length": len(command)}],
            }
        }
    )
    await api.wait_for_async(lambda a: calls_since(a, mark, "sendMessage"))
    return api.messages(GROUP["id"])[-1]


async def test_two_members_have_their_own_interleaved_menus(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    alice, bob = api.user(3001, "Alice"), api.user(3002, "Bob")
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        menu_a = await ask_in_group(api, alice)
        menu_b = await ask_in_group(api, bob)
        assert menu_a["message_id"] != menu_b["message_id"]
        await press(api, alice, menu_a, button_text="吉林", chat=GROUP)
        await press(api, bob, menu_b, button_text="上海", chat=GROUP)
        await press(api, alice, api.messages(GROUP["id"])[0], button_text="长春", chat=GROUP)
        menus = {m["message_id"]: m["text"] for m in api.messages(GROUP["id"])}
        assert "长春" in menus[menu_a["message_id"]] and "哪种医保" in menus[menu_a["message_id"]]
        assert "上海" in menus[menu_b["message_id"]] and "长春" not in menus[menu_b["message_id"]]


async def test_a_button_pressed_by_someone_else_changes_nothing(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    alice, bob = api.user(3011), api.user(3012)
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        menu = await ask_in_group(api, alice)
        before = api.messages(GROUP["id"])[-1]["text"]
        query = await press(api, bob, menu, button_text="北京", chat=GROUP)
        assert "/ask" in api.callback_answers[query]["text"]
        assert api.messages(GROUP["id"])[-1]["text"] == before
        # Bob's own menu starts from scratch: Alice's press was not applied to anyone.
        own = await ask_in_group(api, bob)
        assert "省份" in own["text"]


async def test_non_admin_setregion_is_refused_and_changes_nothing(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    member = api.user(3021)
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        refusal = await ask_in_group(api, member, "/setregion 长春")
        assert "管理员" in refusal["text"]
        menu = await ask_in_group(api, member, "/ask")
        assert "省份" in menu["text"]


async def test_admin_setregion_applies_to_another_members_next_menu(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    admin, member = api.user(3031), api.user(3032)
    api.set_member_status(GROUP["id"], admin.id, "administrator")
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        done = await ask_in_group(api, admin, "/setregion 长春")
        assert "长春" in done["text"]
        menu = await ask_in_group(api, member, "/ask")
        assert "哪种医保" in menu["text"] and "长春" in menu["text"]
        settings = await ask_in_group(api, member, "/settings")
        assert "长春" in settings["text"]
        # The member may still change the region for themself: Back leads to the region.
        await press(api, member, menu, button_text="⬅️ 返回", chat=GROUP)
        assert (
            "城市" in api.messages(GROUP["id"])[1]["text"]
            or "省份" in api.messages(GROUP["id"])[1]["text"]
        )


async def test_anonymous_admin_is_an_admin(api: StandinBotAPI, tmp_path: Path) -> None:
    member = api.user(3041)
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        done = await anonymous_admin_says(api, "/setregion 上海")
        assert "上海" in done["text"] and "管理员" not in done["text"]
        menu = await ask_in_group(api, member, "/ask")
        assert "上海" in menu["text"]


async def test_admin_commands_in_a_private_chat_are_explained(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    user = api.user(3051)
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        mark = len(api.calls)
        api.send_text(user, "/setregion 长春")
        await api.wait_for_async(lambda a: calls_since(a, mark, "sendMessage"))
        assert "只能在群里" in api.last_message(user.id)["text"]


async def test_stats_count_cards_without_user_ids(api: StandinBotAPI, tmp_path: Path) -> None:
    admin = api.user(3061)
    api.set_member_status(GROUP["id"], admin.id, "creator")
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        menu = await ask_in_group(api, admin)
        for label in ("北京", "城乡居民医保 / 新农合"):
            await press(api, admin, menu, button_text=label, chat=GROUP)
        stats = await ask_in_group(api, admin, "/stats")
        assert "共1次" in stats["text"] and "3061" not in stats["text"]


async def test_retry_after_is_waited_out_and_the_session_survives(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    user = api.user(3071)
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        api.fail_next("sendMessage", status=429, retry_after=1)
        mark = len(api.calls)
        api.send_text(user, "/start")
        await api.wait_for_async(
            lambda a: (
                a.last_message(user.id) is not None and "省份" in a.last_message(user.id)["text"]
            ),
            timeout=15,
        )
        assert len(calls_since(api, mark, "sendMessage")) >= 2  # refused once, then delivered
        await press(api, user, api.last_message(user.id), button_text="北京")
        assert "哪种医保" in api.last_message(user.id)["text"]


async def test_a_send_that_keeps_failing_loses_no_answer(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    user = api.user(3081)
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        mark = len(api.calls)
        api.send_text(user, "/start")
        await api.wait_for_async(lambda a: calls_since(a, mark, "sendMessage"))
        menu = api.last_message(user.id)
        api.fail_next("editMessageText", status=500, description="Internal Server Error", count=1)
        query = api.press(user, menu, button_text="北京")
        await api.wait_for_async(lambda a: query in a.callback_answers)
        # The answer was committed before the failed edit: /start resumes after it.
        mark = len(api.calls)
        api.send_text(user, "/start")
        await api.wait_for_async(lambda a: calls_since(a, mark, "sendMessage"))
        assert "哪种医保" in api.last_message(user.id)["text"]


async def test_bot_added_greets_and_removed_forgets_the_group(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    admin = api.user(3091)
    bot_user = {"id": 123456, "is_bot": True, "first_name": "StandinBot"}

    def membership(old: str, new: str) -> dict:
        return {
            "my_chat_member": {
                "chat": GROUP,
                "from": admin.as_dict(),
                "date": int(time.time()),
                "old_chat_member": {"status": old, "user": bot_user},
                "new_chat_member": {"status": new, "user": bot_user},
            }
        }

    api.set_member_status(GROUP["id"], admin.id, "administrator")
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        mark = len(api.calls)
        api.queue_update(membership("left", "member"))
        await api.wait_for_async(lambda a: calls_since(a, mark, "sendMessage"))
        assert "/ask" in api.messages(GROUP["id"])[-1]["text"]
        await ask_in_group(api, admin, "/setregion 上海")
        api.queue_update(membership("member", "left"))
        await api.wait_for_async(lambda a: a.pending_update_count == 0)
        await ask_in_group(api, admin, "/settings")
        assert "未设置" in api.messages(GROUP["id"])[-1]["text"]


async def test_group_migrating_to_a_supergroup_keeps_its_settings_and_sessions(
    api: StandinBotAPI, tmp_path: Path
) -> None:
    old = {"id": -4242, "type": "group", "title": "old"}
    new = {"id": -1004242, "type": "supergroup", "title": "old"}
    # One member does everything: their updates are processed in order (other users' run in
    # parallel), so the migration is done before their next command.
    admin = api.user(3111)
    api.set_member_status(old["id"], admin.id, "administrator")
    async with running_bot(api, tmp_path / "bot.sqlite3"):
        mark = len(api.calls)
        api.send_text(admin, "/setregion 上海", chat=old)
        await api.wait_for_async(lambda a: calls_since(a, mark, "sendMessage"))
        mark = len(api.calls)
        api.send_text(admin, "/ask", chat=old)
        await api.wait_for_async(lambda a: calls_since(a, mark, "sendMessage"))
        api.queue_update(
            {
                "message": {
                    "message_id": next(_ids),
                    "date": int(time.time()),
                    "chat": old,
                    "from": admin.as_dict(),
                    "migrate_to_chat_id": new["id"],
                }
            }
        )
        await api.wait_for_async(lambda a: a.pending_update_count == 0)
        mark = len(api.calls)
        api.send_text(admin, "/settings", chat=new)
        await api.wait_for_async(lambda a: calls_since(a, mark, "sendMessage"))
        assert "上海" in api.messages(new["id"])[-1]["text"]
        mark = len(api.calls)
        api.send_text(admin, "/ask", chat=new)
        await api.wait_for_async(lambda a: calls_since(a, mark, "sendMessage"))
        # The session came along: /ask resumes it instead of starting over.
        assert "欢迎回来" in api.messages(new["id"])[-1]["text"]
