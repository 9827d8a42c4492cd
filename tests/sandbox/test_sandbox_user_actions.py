"""What users do beyond writing text: edits, other kinds of message, pins, timers and albums."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from bot.sandbox import BotApiDouble, SandboxUser, UserActionRefused


async def updates(http: httpx.AsyncClient) -> list[dict[str, Any]]:
    """Every update queued so far (confirming none)."""
    return list((await http.post("getUpdates")).json()["result"])


async def bot_says(http: httpx.AsyncClient, user: SandboxUser, text: str) -> dict[str, Any]:
    response = await http.post("sendMessage", data={"chat_id": user.id, "text": text})
    assert response.status_code == 200, response.text
    return dict(response.json()["result"])


async def test_editing_a_text_recomputes_commands_and_delivers_the_whole_message(
    http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    question = await anna.reply(await bot_says(http, anna, "Which day?"), "Monday")
    edited = await anna.edit(question, "/start Tuesday")
    assert edited["text"] == "/start Tuesday" and "edit_date" in edited
    assert edited["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    last = (await updates(http))[-1]
    assert last["update_id"] == edited["update_id"]
    assert last["edited_message"] == {k: v for k, v in edited.items() if k != "update_id"}
    assert last["edited_message"]["reply_to_message"]["text"] == "Which day?"
    plain = await anna.edit(question["message_id"], "Tuesday")
    assert "entities" not in plain


async def test_editing_a_caption_and_removing_it(
    http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    photo = await anna.send_photo(b"picture", caption="old")
    assert (await anna.edit(photo, caption="new"))["caption"] == "new"
    assert "caption" not in await anna.edit(photo, caption="")
    kinds = [next(k for k in u if k != "update_id") for u in await updates(http)]
    assert kinds == ["message", "edited_message", "edited_message"]


async def test_a_user_edits_only_their_own_messages_and_only_what_can_change(
    double: BotApiDouble, http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    from_bot = await bot_says(http, anna, "Hello")
    with pytest.raises(UserActionRefused, match="only edit their own messages"):
        await anna.edit(from_bot, "Hijacked")
    with pytest.raises(ValueError, match="only edit their own messages"):
        await anna.edit(from_bot["message_id"], "Hijacked")
    bob = double.add_user("Bob")
    bobs = await bob.send("mine")
    with pytest.raises(AssertionError, match="not in Anna's chat"):
        await anna.edit(bobs, "yours")
    text, sticker = await anna.send("hi"), await anna.send_sticker(b"webp")
    photo = await anna.send_photo(b"picture")
    with pytest.raises(UserActionRefused, match="is a text: edit its text"):
        await anna.edit(text, caption="x")
    with pytest.raises(UserActionRefused, match="is a photo: edit its caption"):
        await anna.edit(photo, "x")
    with pytest.raises(UserActionRefused, match="is a sticker, which cannot be edited"):
        await anna.edit(sticker, caption="x")
    with pytest.raises(UserActionRefused, match="would not change"):
        await anna.edit(text, "hi")
    with pytest.raises(UserActionRefused, match="either the text or the caption"):
        await anna.edit(text)
    with pytest.raises(AssertionError, match="#99 is not in Anna's chat"):
        await anna.edit(99, "x")
    assert [u["message"]["text"] for u in await updates(http) if "text" in u["message"]] == [
        "mine",
        "hi",
    ]


async def test_files_of_every_kind_have_bot_api_objects(
    double: BotApiDouble, http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    video = (await anna.send_video(b"\x00\x00\x00\x18ftypmp42", caption="run"))["video"]
    assert (video["width"], video["height"], video["mime_type"]) == (0, 0, "video/mp4")
    audio = (await anna.send_audio(b"ID3", file_name="song.m4a"))["audio"]
    assert (audio["file_name"], audio["mime_type"], audio["file_size"]) == (
        "song.m4a",
        "audio/mp4",
        3,
    )
    assert (await anna.send_audio(b"ID3"))["audio"]["mime_type"] == "audio/mpeg"
    note = (await anna.send_video_note(b"round"))["video_note"]
    assert note["length"] == 384 and "mime_type" not in note
    sticker = (await anna.send_sticker(b"RIFFWEBP", emoji="🎉"))["sticker"]
    assert sticker | {"file_id": "", "file_unique_id": ""} == {
        "file_id": "",
        "file_unique_id": "",
        "file_size": 8,
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": "🎉",
    }
    for item in (video, audio, note, sticker):
        assert item["file_id"] != item["file_unique_id"]
        path = (await http.post("getFile", data={"file_id": item["file_id"]})).json()
        assert path["result"]["file_path"].split("/")[0] in (
            "videos",
            "music",
            "video_notes",
            "stickers",
        )
    assert double.file_bytes(note["file_id"]) == b"round"


async def test_contacts_places_polls_and_formatted_text(anna: SandboxUser) -> None:
    contact = await anna.send_contact("+46701234567", "Eva", "Ek")
    assert contact["contact"] == {
        "phone_number": "+46701234567",
        "first_name": "Eva",
        "last_name": "Ek",
    }
    assert (await anna.send_location(59.33, 18.07))["location"] == {
        "latitude": 59.33,
        "longitude": 18.07,
    }
    venue = await anna.send_venue(59.33, 18.07, "Kulturhuset", "Sergels torg")
    assert venue["venue"]["location"] == venue["location"]
    poll = (await anna.send_poll("When?", ["Friday", "Saturday"]))["poll"]
    assert [o["text"] for o in poll["options"]] == ["Friday", "Saturday"]
    assert poll["type"] == "regular" and poll["total_voter_count"] == 0
    link = {"type": "text_link", "offset": 6, "length": 4, "url": "https://example.org"}
    formatted = await anna.send_text_with_entities("/help here", [link])
    assert formatted["entities"] == [
        {"type": "bot_command", "offset": 0, "length": 5},
        link,
    ]


async def test_what_an_app_would_not_send(anna: SandboxUser) -> None:
    with pytest.raises(UserActionRefused, match="needs its url"):
        await anna.send_text_with_entities("see", [{"type": "text_link", "offset": 0, "length": 3}])
    with pytest.raises(UserActionRefused, match="ends after the text"):
        await anna.send_text_with_entities("😀", [{"type": "bold", "offset": 1, "length": 2}])
    with pytest.raises(UserActionRefused, match="no such entity type"):
        await anna.send_text_with_entities("x", [{"type": "blink", "offset": 0, "length": 1}])
    with pytest.raises(UserActionRefused, match="2-12 options"):
        await anna.send_poll("Alone?", ["yes"])
    with pytest.raises(UserActionRefused, match="no place at latitude 91"):
        await anna.send_location(91, 0)


async def test_pinning_and_the_auto_delete_timer_are_service_messages(
    http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    answer = await bot_says(http, anna, "Your mentor is Eva")
    reply = await anna.reply(answer, "Thanks")
    pin = await anna.pin(reply)
    assert pin["pinned_message"]["text"] == "Thanks"
    assert "reply_to_message" not in pin["pinned_message"]
    timer = await anna.set_auto_delete_timer(86400)
    assert timer["message_auto_delete_timer_changed"] == {"message_auto_delete_time": 86400}
    assert [u["update_id"] for u in await updates(http)][-2:] == [
        pin["update_id"],
        timer["update_id"],
    ]
    chat = (await http.post("getChat", data={"chat_id": anna.id})).json()["result"]
    assert chat["pinned_message"]["message_id"] == reply["message_id"]
    assert chat["message_auto_delete_time"] == 86400
    assert anna.messages == [answer]  # service messages are not the bot's
    with pytest.raises(UserActionRefused, match="service message cannot be pinned"):
        await anna.pin(pin)
    with pytest.raises(UserActionRefused, match="auto-delete timer is 0"):
        await anna.set_auto_delete_timer(-1)


async def test_an_album_is_one_update_per_message_with_a_shared_group_id(
    http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    album = await anna.send_album(
        [("photo", b"one", "The garden"), ("video", b"two", None), ("photo", b"three", None)]
    )
    group_ids = {message["media_group_id"] for message in album}
    assert len(group_ids) == 1 and isinstance(group_ids.pop(), str)
    assert [m.get("caption") for m in album] == ["The garden", None, None]
    delivered = await updates(http)
    assert [u["update_id"] for u in delivered] == [m["update_id"] for m in album]
    assert [u["message"]["message_id"] for u in delivered] == [1, 2, 3]
    documents = await anna.send_album([("document", b"a", None), ("document", b"b", None)])
    assert documents[0]["media_group_id"] != album[0]["media_group_id"]


async def test_albums_telegram_apps_cannot_send(anna: SandboxUser) -> None:
    with pytest.raises(UserActionRefused, match="2-10 items, not 1"):
        await anna.send_album([("photo", b"alone", None)])
    with pytest.raises(UserActionRefused, match="2-10 items, not 11"):
        await anna.send_album([("photo", b"x", None)] * 11)
    with pytest.raises(UserActionRefused, match="holds only documents"):
        await anna.send_album([("photo", b"x", None), ("document", b"y", None)])
    with pytest.raises(UserActionRefused, match="not 'voice'"):
        await anna.send_album([("voice", b"x", None), ("voice", b"y", None)])
