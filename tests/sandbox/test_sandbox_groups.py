"""Groups, supergroups and channels: the bot added, writing there, privacy mode, leaving."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from bot.sandbox import BotApiDouble, SandboxUser, UserActionRefused
from tests.sandbox.support import TOKEN


async def updates(http: httpx.AsyncClient) -> list[dict[str, Any]]:
    """Every update queued so far (confirming none)."""
    return list((await http.post("getUpdates")).json()["result"])


def kinds(queued: list[dict[str, Any]]) -> list[str]:
    return [next(key for key in update if key != "update_id") for update in queued]


async def test_adding_the_bot_to_a_group(
    double: BotApiDouble, http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    bob = double.add_user("Bob")
    group = double.add_group("Mentors in Malmö", [anna, bob])
    assert group.id == group.chat_id and group.id < 0 and group.id not in (anna.id, bob.id)
    assert group.bot_is_member and group.type == "group"
    joined, service = await updates(http)
    member = joined["my_chat_member"]
    assert member["chat"] == {"id": group.id, "title": "Mentors in Malmö", "type": "group"}
    assert member["from"] == anna.as_dict() and isinstance(member["date"], int)
    assert member["old_chat_member"] == {
        "user": member["new_chat_member"]["user"],
        "status": "left",
    }
    assert member["new_chat_member"]["status"] == "member"
    assert member["new_chat_member"]["user"]["id"] == double.bot_user["id"]
    assert service["message"]["new_chat_members"][0]["is_bot"] is True
    assert service["message"]["from"] == anna.as_dict()
    supergroup = double.add_group("Everyone", [bob], supergroup=True)
    assert supergroup.type == "supergroup" and str(supergroup.id).startswith("-100")
    assert kinds(await updates(http))[2:] == ["my_chat_member", "message"]
    with pytest.raises(ValueError, match="at least one"):
        double.add_group("Nobody", [])
    with pytest.raises(ValueError, match="positive"):
        double.add_user("Minus", user_id=group.id)


async def test_the_bot_writes_to_a_group_and_members_read_it(
    double: BotApiDouble, http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    group = double.add_group("Mentors", [anna])
    sent = await http.post("sendMessage", data={"chat_id": group.id, "text": "Hej alla"})
    assert sent.status_code == 200, sent.text
    assert sent.json()["result"]["chat"]["type"] == "group"
    received = await group.next_message(timeout=1)
    assert received["text"] == "Hej alla" and received["from"]["is_bot"] is True
    assert [m["text"] for m in group.messages] == ["Hej alla"]
    await group.no_message(within=0.05)
    assert anna.messages == []  # the private chat is another chat
    with pytest.raises(AssertionError, match="The group 'Mentors' got no new message"):
        await group.next_message(timeout=0.05)
    chat = (await http.post("getChat", data={"chat_id": group.id})).json()["result"]
    assert chat["title"] == "Mentors" and chat["accepted_gift_types"]["limited_gifts"] is False
    target = {"chat_id": group.id, "message_id": received["message_id"]}
    edited = await http.post("editMessageText", data={**target, "text": "Hej!"})
    assert edited.json()["result"]["text"] == "Hej!"
    assert (await group.wait_for_edit(received, timeout=1))["text"] == "Hej!"


async def test_privacy_mode_lets_only_commands_and_replies_through(
    double: BotApiDouble, http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    group = double.add_group("Mentors", [anna])
    await updates(http)
    offset = (await updates(http))[-1]["update_id"] + 1
    chatter = await group.send(anna, "nice weather")
    assert "update_id" not in chatter and chatter["from"] == anna.as_dict()
    command = await group.send(anna, "/stats@mentorbot_sandbox_bot")
    assert command["entities"] == [{"type": "bot_command", "offset": 0, "length": 28}]
    await group.send(anna, "/stats@some_other_bot")
    answer = (await http.post("sendMessage", data={"chat_id": group.id, "text": "42"})).json()
    reply = await group.send(anna, "thanks", reply_to=answer["result"]["message_id"])
    assert reply["reply_to_message"]["text"] == "42"
    delivered = (await http.post("getUpdates", data={"offset": offset})).json()["result"]
    assert [u["update_id"] for u in delivered] == [command["update_id"], reply["update_id"]]
    outsider = double.add_user("Olle")
    with pytest.raises(UserActionRefused, match="Olle is not in the group 'Mentors'"):
        await group.send(outsider, "/start")


async def test_without_privacy_mode_the_bot_reads_everything() -> None:
    async with BotApiDouble(TOKEN, limits=None, group_privacy=False) as double:
        anna = double.add_user("Anna")
        assert double.bot_user["can_read_all_group_messages"] is True
        group = double.add_group("Mentors", [anna], supergroup=True)
        assert "update_id" in await group.send(anna, "nice weather")


async def test_a_channel_post_is_signed_by_the_channel(
    double: BotApiDouble, http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    bob = double.add_user("Bob")
    channel = double.add_channel("Mentorbot news", anna)
    joined = (await updates(http))[0]["my_chat_member"]
    admin = joined["new_chat_member"]
    assert admin["status"] == "administrator"
    assert admin["can_post_messages"] is True and admin["can_be_edited"] is False
    assert kinds(await updates(http)) == ["my_chat_member"]  # a channel shows no joins
    post = await channel.send(anna, "Meeting on Friday")
    assert "from" not in post and post["sender_chat"]["type"] == "channel"
    last = (await updates(http))[-1]
    assert last == {"update_id": post["update_id"], "channel_post": last["channel_post"]}
    with pytest.raises(UserActionRefused, match="not in the channel"):
        await channel.send(bob, "spam")
    bot_post = (await http.post("sendMessage", data={"chat_id": channel.id, "text": "Hi"})).json()
    assert (
        "from" not in bot_post["result"] and bot_post["result"]["sender_chat"]["id"] == channel.id
    )
    assert [m["text"] for m in channel.messages] == ["Hi"]
    # an administrator deletes anyone's post; a member bot only its own messages
    target = {"chat_id": channel.id, "message_id": post["message_id"]}
    assert (await http.post("deleteMessage", data=target)).json()["result"] is True
    group = double.add_group("Mentors", [anna])
    message = await group.send(anna, "/start")
    refused = await http.post(
        "deleteMessage", data={"chat_id": group.id, "message_id": message["message_id"]}
    )
    assert refused.json()["description"] == "Bad Request: message can't be deleted"


@pytest.mark.parametrize(
    ("kind", "refusal"),
    [
        ("group", "Forbidden: bot is not a member of the group chat"),
        ("supergroup", "Forbidden: bot is not a member of the supergroup chat"),
        ("channel", "Forbidden: bot is not a member of the channel chat"),
    ],
)
async def test_after_leaving_the_bot_cannot_write_there(
    double: BotApiDouble, http: httpx.AsyncClient, anna: SandboxUser, kind: str, refusal: str
) -> None:
    if kind == "channel":
        group = double.add_channel("News", anna)
    else:
        group = double.add_group("Mentors", [anna], supergroup=kind == "supergroup")
    sent = (await http.post("sendMessage", data={"chat_id": group.id, "text": "Bye"})).json()
    left = await http.post("leaveChat", data={"chat_id": group.id})
    assert left.json() == {"ok": True, "result": True}
    assert not group.bot_is_member
    update = (await updates(http))[-1]["my_chat_member"]
    assert update["from"]["id"] == double.bot_user["id"]
    assert update["old_chat_member"]["status"] in ("member", "administrator")
    assert update["new_chat_member"]["status"] == "left"
    for method, data in [
        ("sendMessage", {"text": "Hello?"}),
        ("sendChatAction", {"action": "typing"}),
        ("editMessageText", {"message_id": sent["result"]["message_id"], "text": "x"}),
        ("deleteMessage", {"message_id": sent["result"]["message_id"]}),
    ]:
        refused = await http.post(method, data={"chat_id": group.id, **data})
        assert (refused.status_code, refused.json()["description"]) == (403, refusal), method
    # the members saw it go (in a group), and write on without reaching the bot
    if kind != "channel":
        assert list(group.messages) == [sent["result"]]
        assert "update_id" not in await group.send(anna, "/start")
    # a plain group stays readable, and leaving it again changes nothing
    again = await http.post("leaveChat", data={"chat_id": group.id})
    info = await http.post("getChat", data={"chat_id": group.id})
    if kind == "group":
        assert again.json()["result"] is True and info.status_code == 200
    else:
        assert again.json()["description"] == info.json()["description"] == refusal


async def test_leave_chat_refusals(http: httpx.AsyncClient, anna: SandboxUser) -> None:
    private = await http.post("leaveChat", data={"chat_id": anna.id})
    assert (private.status_code, private.json()["description"]) == (
        400,
        "Bad Request: can't leave private chats",
    )
    unknown = await http.post("leaveChat", data={"chat_id": -123})
    assert unknown.json()["description"] == "Bad Request: chat not found"


async def test_group_messages_stay_out_of_the_private_chats(
    double: BotApiDouble, http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    group = double.add_group("Mentors", [anna])
    await http.post("sendMessage", data={"chat_id": group.id, "text": "to the group"})
    await http.post("sendMessage", data={"chat_id": anna.id, "text": "to Anna"})
    assert [m["text"] for m in anna.messages] == ["to Anna"]
    assert (await anna.next_message(timeout=1))["text"] == "to Anna"
    assert [chat.id for chat in double.chats()] == [anna.id]
    assert double.chat(group.id) is None and double.user(group.id) is None
    menu = await http.post("setChatMenuButton", json={"chat_id": group.id})
    assert menu.json()["description"] == "Bad Request: invalid chat_id specified"
