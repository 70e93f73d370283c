"""Minimal, valid payloads of every update type and every chat member status (Bot API 9.x)."""

from __future__ import annotations

from typing import Any

BOT_ID = 777
BOT = {"id": BOT_ID, "is_bot": True, "first_name": "B", "username": "b_bot"}
_RIGHTS = (
    "send_messages", "send_audios", "send_documents", "send_photos", "send_videos",
    "send_video_notes", "send_voice_notes", "send_polls", "send_other_messages",
    "add_web_page_previews", "change_info", "invite_users", "pin_messages", "manage_topics",
    "edit_tag", "react_to_messages",
)  # fmt: skip
_ADMIN_RIGHTS = (
    "manage_chat", "delete_messages", "manage_video_chats", "restrict_members",
    "promote_members", "change_info", "invite_users", "post_stories", "edit_stories",
    "delete_stories",
)  # fmt: skip
STATUSES = ("creator", "administrator", "member", "restricted", "restricted_gone", "left",
            "kicked")  # fmt: skip


def member(status: str, user: dict[str, Any]) -> dict[str, Any]:
    """A ChatMember of `status` ("restricted_gone": restricted with is_member false)."""
    if status == "creator":
        return {"status": "creator", "user": user, "is_anonymous": False}
    if status == "administrator":
        rights = {f"can_{r}": True for r in _ADMIN_RIGHTS}
        return {"status": "administrator", "user": user, "can_be_edited": False,
                "is_anonymous": False, **rights}  # fmt: skip
    if status.startswith("restricted"):
        rights = {f"can_{r}": False for r in _RIGHTS}
        return {"status": "restricted", "user": user, "until_date": 0,
                "is_member": status == "restricted", **rights}  # fmt: skip
    if status == "kicked":
        return {"status": "kicked", "user": user, "until_date": 0}
    return {"status": status, "user": user}


def membership(kind: str, chat: dict, user: dict, old: str, new: str) -> dict[str, Any]:
    """A my_chat_member (about the bot) or chat_member (about `user`) update."""
    subject = BOT if kind == "my_chat_member" else user
    return {
        kind: {
            "chat": chat,
            "from": user,
            "date": 0,
            "old_chat_member": member(old, subject),
            "new_chat_member": member(new, subject),
        }
    }


def other_update(kind: str, chat: dict, user: dict, text: str) -> dict[str, Any]:
    """An update of a type the bot has no handler for (or a rarely seen one)."""
    message = {"message_id": 9, "date": 0, "chat": chat, "from": user, "text": text}
    payloads: dict[str, Any] = {
        "channel_post": {**message, "chat": {"id": -100900, "type": "channel", "title": "C"}},
        "edited_channel_post": {**message, "edit_date": 1,
                                "chat": {"id": -100900, "type": "channel", "title": "C"}},
        "chosen_inline_result": {"result_id": "r", "from": user, "query": text},
        "shipping_query": {"id": "s", "from": user, "invoice_payload": "p",
                           "shipping_address": {"country_code": "CN", "state": "", "city": "c",
                                                "street_line1": "a", "street_line2": "",
                                                "post_code": "1"}},
        "pre_checkout_query": {"id": "p", "from": user, "currency": "XTR", "total_amount": 1,
                               "invoice_payload": "p"},
        "poll": {"id": "1", "question": text or "?", "options": [], "total_voter_count": 0,
                 "is_closed": False, "is_anonymous": True, "type": "regular",
                 "allows_multiple_answers": False, "allows_revoting": False,
                 "members_only": False},
        "poll_answer": {"poll_id": "1", "user": user, "option_ids": [0],
                        "option_persistent_ids": ["a"]},
        "chat_join_request": {"chat": chat, "from": user, "user_chat_id": user["id"],
                              "date": 0},
        "chat_boost": {"chat": chat, "boost": {"boost_id": "b", "add_date": 0,
                                               "expiration_date": 1,
                                               "source": {"source": "premium", "user": user}}},
        "removed_chat_boost": {"chat": chat, "boost_id": "b", "remove_date": 0,
                               "source": {"source": "premium", "user": user}},
        "message_reaction": {"chat": chat, "message_id": 9, "date": 0, "user": user,
                             "old_reaction": [], "new_reaction": [{"type": "emoji",
                                                                   "emoji": "👍"}]},
        "message_reaction_count": {"chat": chat, "message_id": 9, "date": 0, "reactions": []},
        "business_connection": {"id": "bc", "user": user, "user_chat_id": user["id"], "date": 0,
                                "is_enabled": True},
        "business_message": {**message, "business_connection_id": "bc"},
        "edited_business_message": {**message, "edit_date": 1, "business_connection_id": "bc"},
        "deleted_business_messages": {"business_connection_id": "bc", "chat": chat,
                                      "message_ids": [9]},
        "purchased_paid_media": {"from": user, "paid_media_payload": "p"},
        "edited_message": {**message, "edit_date": 1},
    }  # fmt: skip
    return {kind: payloads[kind]}


OTHER_KINDS = (
    "channel_post", "edited_channel_post", "chosen_inline_result", "shipping_query",
    "pre_checkout_query", "poll", "poll_answer", "chat_join_request", "chat_boost",
    "removed_chat_boost", "message_reaction", "message_reaction_count", "business_connection",
    "business_message", "edited_business_message", "deleted_business_messages",
    "purchased_paid_media", "edited_message",
)  # fmt: skip
