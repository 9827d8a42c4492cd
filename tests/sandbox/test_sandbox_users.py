"""The test-facing user API: sending as a user, reading the bot's answers, pressing buttons."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from bot.sandbox import BotApiDouble, EventKind, SandboxUser, UserActionRefused


async def bot_says(http: httpx.AsyncClient, user: SandboxUser, text: str, **extra: str) -> int:
    response = await http.post("sendMessage", data={"chat_id": str(user.id), "text": text, **extra})
    assert response.status_code == 200, response.text
    return int(response.json()["result"]["message_id"])


async def test_users_get_sequential_ids_and_private_chats(double: BotApiDouble) -> None:
    anna = double.add_user("Anna", language_code="sv", username="anna_s")
    bob = double.add_user("Bob", last_name="B")
    assert (anna.id, bob.id) == (1_000_001, 1_000_002)
    assert anna.chat_id == anna.id and anna.language_code == "sv"
    assert bob.as_dict() == {
        "id": 1_000_002,
        "is_bot": False,
        "first_name": "Bob",
        "last_name": "B",
    }
    sent = await anna.send("/start@mentorbot_sandbox_bot ref_42")
    assert sent["chat"] == {
        "id": anna.id,
        "type": "private",
        "first_name": "Anna",
        "username": "anna_s",
    }
    assert sent["from"]["language_code"] == "sv"
    assert sent["entities"] == [{"type": "bot_command", "offset": 0, "length": 28}]
    plain = await anna.send("hello")
    assert "entities" not in plain and plain["message_id"] == 2


async def test_next_message_is_a_fifo_cursor(http: httpx.AsyncClient, anna: SandboxUser) -> None:
    await bot_says(http, anna, "one")
    await bot_says(http, anna, "two")
    assert (await anna.next_message(timeout=1))["text"] == "one"
    assert (await anna.next_message(timeout=1))["text"] == "two"
    waiting = asyncio.create_task(anna.next_message(timeout=2))
    await asyncio.sleep(0.01)
    await bot_says(http, anna, "three")
    assert (await waiting)["text"] == "three"


async def test_next_message_timeout_lists_what_arrived(
    http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    markup = json.dumps({"inline_keyboard": [[{"text": "OK", "callback_data": "ok"}]]})
    await bot_says(http, anna, "Welcome", reply_markup=markup)
    await anna.next_message(timeout=1)
    with pytest.raises(AssertionError) as raised:
        await anna.next_message(timeout=0.05)
    text = str(raised.value)
    assert "Anna got no new message from the bot within 0.05s" in text
    assert "(returned) #1 'Welcome' buttons=['OK']" in text


async def test_no_message(http: httpx.AsyncClient, anna: SandboxUser) -> None:
    await anna.no_message(within=0.05)
    await bot_says(http, anna, "surprise")
    with pytest.raises(AssertionError, match="unexpectedly got"):
        await anna.no_message(within=0.05)


async def test_messages_and_wait_for_edit(http: httpx.AsyncClient, anna: SandboxUser) -> None:
    message_id = await bot_says(http, anna, "v1")
    await anna.send("user messages are not listed")
    first = await anna.next_message(timeout=1)
    edit = {"chat_id": str(anna.id), "message_id": str(message_id)}
    await http.post("editMessageText", data={**edit, "text": "v2"})
    assert (await anna.wait_for_edit(first, timeout=1))["text"] == "v2"
    with pytest.raises(AssertionError, match="was not edited within"):
        await anna.wait_for_edit(message_id, timeout=0.05)
    await http.post("editMessageText", data={**edit, "text": "v3"})
    assert [m["text"] for m in anna.messages] == ["v3"]
    assert (await anna.wait_for_edit(message_id, timeout=1))["text"] == "v3"
    await http.post("deleteMessage", data=edit)
    assert anna.messages == []
    with pytest.raises(AssertionError, match="not in Anna's chat"):
        await anna.wait_for_edit(message_id, timeout=0.05)


async def test_press_checks_the_button_and_times_out_to_none(
    http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    markup = json.dumps(
        {
            "inline_keyboard": [
                [{"text": "Yes", "callback_data": "y"}, {"text": "Web", "url": "https://e.org"}]
            ]
        }
    )
    message_id = await bot_says(http, anna, "Sure?", reply_markup=markup)
    with pytest.raises(
        AssertionError, match=r"has no button 'Maybe'; its buttons are \['Yes', 'Web'\]"
    ):
        await anna.press(message_id, "Maybe")
    with pytest.raises(AssertionError, match="has no callback_data"):
        await anna.press(message_id, "Web")
    assert await anna.press(message_id, "Yes", timeout=0.05) is None
    assert await anna.press_data(message_id, "forged:data", timeout=0.05) is None
    updates = (await http.post("getUpdates")).json()["result"]
    assert [u["callback_query"]["data"] for u in updates] == ["y", "forged:data"]
    forged_elsewhere = await anna.press_data(999, "x", timeout=0.01)
    assert forged_elsewhere is None
    inaccessible = await http.post("getUpdates", data={"offset": updates[-1]["update_id"] + 1})
    assert inaccessible.json()["result"][0]["callback_query"]["message"]["date"] == 0


async def test_reply_and_media_from_the_user(http: httpx.AsyncClient, anna: SandboxUser) -> None:
    message_id = await bot_says(http, anna, "Send your document")
    reply = await anna.reply(message_id, "here")
    assert reply["reply_to_message"]["text"] == "Send your document"
    document = await anna.send_document(b"%PDF", file_name="a.pdf", caption="signed")
    assert document["document"]["mime_type"] == "application/pdf"
    voice = await anna.send_voice(b"OggS", duration=5)
    assert voice["voice"]["duration"] == 5
    updates = (await http.post("getUpdates")).json()["result"]
    assert [list(u["message"])[-1] for u in updates] == ["reply_to_message", "caption", "voice"]


async def test_reply_keyboard_is_tracked(http: httpx.AsyncClient, anna: SandboxUser) -> None:
    keyboard = {"keyboard": [[{"text": "Evening"}, {"text": "Weekend"}]], "one_time_keyboard": True}
    message_id = await bot_says(http, anna, "When?", reply_markup=json.dumps(keyboard))
    assert anna.reply_keyboard == keyboard
    assert "reply_markup" not in anna.messages[0]
    await bot_says(http, anna, "Thanks", reply_markup=json.dumps({"remove_keyboard": True}))
    assert anna.reply_keyboard is None
    assert message_id == 1


async def test_a_request_contact_button_shares_the_users_own_contact(
    double: BotApiDouble, http: httpx.AsyncClient
) -> None:
    eva = double.add_user("Eva", last_name="Ek", phone_number="46701234567")
    with pytest.raises(UserActionRefused, match="no button that shares"):
        await eva.share_contact()
    button = {"text": "Share my number", "request_contact": True}
    keyboard = {"keyboard": [[button]], "one_time_keyboard": True, "resize_keyboard": True}
    await bot_says(http, eva, "Your number?", reply_markup=json.dumps(keyboard))
    shared = await eva.share_contact()
    assert shared["contact"] == {
        "phone_number": "46701234567",
        "first_name": "Eva",
        "last_name": "Ek",
        "user_id": eva.id,
    }
    assert eva.reply_keyboard is None  # a one-time keyboard hides once used
    # Someone else's card from the address book: their user_id, or none if not on Telegram.
    card = await eva.send_contact("+4520123456", "Bo", user_id=eva.id + 1)
    assert card["contact"]["user_id"] == eva.id + 1
    assert "user_id" not in (await eva.send_contact("+4520123456", "Bo"))["contact"]

    # Telegram asks for a number or a place in private chats only, and needs a label.
    group = double.add_group("Mentors", [eva])
    refused = await http.post(
        "sendMessage",
        data={"chat_id": group.id, "text": "Numbers?", "reply_markup": json.dumps(keyboard)},
    )
    assert refused.status_code == 400 and "private chats only" in refused.json()["description"]
    unlabelled = {"keyboard": [[{"request_contact": True}]]}
    refused = await http.post(
        "sendMessage",
        data={"chat_id": eva.id, "text": "?", "reply_markup": json.dumps(unlabelled)},
    )
    assert refused.status_code == 400 and "keyboard button" in refused.json()["description"]


async def test_the_command_menu_a_user_sees(double: BotApiDouble, http: httpx.AsyncClient) -> None:
    """The narrowest list set wins: the chat's, then all private chats', then the default's,
    each in the user's language before the one for every language."""
    eva, bo = double.add_user("Eva", language_code="sv"), double.add_user("Bo")
    assert eva.command_menu == []

    async def publish(name: str, **where: object) -> None:
        commands = json.dumps([{"command": name, "description": name.title()}])
        fields = {key: json.dumps(value) for key, value in where.items() if key == "scope"}
        if "language_code" in where:
            fields["language_code"] = str(where["language_code"])
        response = await http.post("setMyCommands", data={"commands": commands, **fields})
        assert response.json()["result"] is True

    await publish("start")
    await publish("starta", language_code="sv")
    assert [c["command"] for c in eva.command_menu] == ["starta"]
    assert [c["command"] for c in bo.command_menu] == ["start"]
    await publish("help", scope={"type": "chat", "chat_id": eva.id})
    assert [c["command"] for c in eva.command_menu] == ["help"]
    await http.post(
        "deleteMyCommands", data={"scope": json.dumps({"type": "chat", "chat_id": eva.id})}
    )
    assert [c["command"] for c in eva.command_menu] == ["starta"]


async def test_events_stream_every_chat_change(
    double: BotApiDouble, http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    events = double.subscribe()
    await anna.send("hi")
    markup = json.dumps({"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]})
    message_id = await bot_says(http, anna, "hello", reply_markup=markup)
    target = {"chat_id": str(anna.id), "message_id": str(message_id)}
    await http.post("editMessageText", data={**target, "text": "hello!", "reply_markup": markup})
    press = asyncio.create_task(anna.press(message_id, "A", timeout=1))
    query = (await http.post("getUpdates", data={"timeout": 1})).json()["result"][-1]
    await http.post(
        "answerCallbackQuery", data={"callback_query_id": query["callback_query"]["id"]}
    )
    await press
    await http.post("deleteMessage", data=target)
    kinds = []
    while not events.empty():
        event = events.get_nowait()
        assert event.chat_id == anna.id
        kinds.append(event.kind)
    assert kinds == [
        EventKind.MESSAGE,
        EventKind.MESSAGE,
        EventKind.EDITED,
        EventKind.CALLBACK_ANSWERED,
        EventKind.DELETED,
    ]
    double.unsubscribe(events)
    await anna.send("unseen")
    assert events.empty()
