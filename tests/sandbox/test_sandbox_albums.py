"""Albums and copies over raw HTTP: sendMediaGroup, copyMessages, copyMessage of every kind."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from bot.sandbox import BotApiDouble, RateLimits, SandboxUser
from tests.sandbox.support import TOKEN

PNG = bytes.fromhex("89504e470d0a1a0a0000000d494844520000000200000003080600000000000000")


def media(*items: dict[str, Any]) -> str:
    return json.dumps(list(items))


async def album_of(
    http: httpx.AsyncClient, chat_id: int, items: str, **files: bytes
) -> httpx.Response:
    uploads = {name: (f"{name}.bin", data) for name, data in files.items()}
    return await http.post(
        "sendMediaGroup", data={"chat_id": str(chat_id), "media": items}, files=uploads or None
    )


async def test_send_media_group_uploads_and_file_ids(
    http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    earlier = await anna.send_video(b"video")
    response = await album_of(
        http,
        anna.id,
        media(
            {"type": "photo", "media": "attach://first", "caption": "<b>Our</b> day",
             "parse_mode": "HTML"},
            {"type": "video", "media": earlier["video"]["file_id"], "duration": 7},
            {"type": "photo", "media": "attach://third", "has_spoiler": True},
        ),
        first=PNG,
        third=b"jpeg",
    )  # fmt: skip
    assert response.status_code == 200, response.text
    messages = response.json()["result"]
    assert [m["message_id"] for m in messages] == [2, 3, 4]
    assert len({m["media_group_id"] for m in messages}) == 1
    assert isinstance(messages[0]["media_group_id"], str)
    assert messages[0]["caption"] == "Our day"
    assert messages[0]["caption_entities"] == [{"offset": 0, "length": 3, "type": "bold"}]
    assert (messages[0]["photo"][0]["width"], messages[0]["photo"][0]["height"]) == (2, 3)
    assert messages[1]["video"]["file_id"] == earlier["video"]["file_id"]
    assert messages[2]["has_media_spoiler"] is True
    assert [m["message_id"] for m in anna.messages] == [2, 3, 4]


async def test_documents_and_audio_make_albums_of_their_own(
    http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    documents = await album_of(
        http,
        anna.id,
        media(
            {"type": "document", "media": "attach://a", "caption": "Rota"},
            {"type": "document", "media": "attach://b"},
        ),
        a=b"a,b\n",
        b=b"%PDF",
    )
    assert [m["document"]["file_name"] for m in documents.json()["result"]] == ["a.bin", "b.bin"]
    audio = await album_of(
        http,
        anna.id,
        media(
            {"type": "audio", "media": "attach://a", "title": "Song", "performer": "Band"},
            {"type": "audio", "media": "attach://b"},
        ),
        a=b"ID3",
        b=b"ID3",
    )
    first = audio.json()["result"][0]["audio"]
    assert (first["title"], first["performer"]) == ("Song", "Band")


def pair(first: str = "photo", second: str = "photo", **extra: Any) -> str:
    """An album of two uploads, the first with ``extra`` fields."""
    return media(
        {"type": first, "media": "attach://p", **extra}, {"type": second, "media": "attach://d"}
    )


PARSE = "Bad Request: can't parse InputMedia: "


@pytest.mark.parametrize(
    ("items", "description"),
    [
        ("[]", "Bad Request: there are no messages to send"),
        ('{"type": "photo"}', "Bad Request: expected an Array of InputMedia"),
        ("[1, 2]", PARSE + "expected an Object"),
        (pair("photo", "document"), "Bad Request: document can't be mixed with other media types"),
        (pair("audio", "video"), "Bad Request: audio can't be mixed with other media types"),
        (
            media(*[{"type": "photo", "media": "attach://p"}] * 11),
            "Bad Request: too many messages to send as an album",
        ),
        (pair("animation"), PARSE + 'type "animation" can\'t be used in sendMediaGroup'),
        (pair("sticker"), PARSE + 'type "sticker" is unsupported'),
        (pair(""), PARSE + 'type "" is unsupported'),
        (media({"media": "attach://p"}), PARSE + 'Can\'t find field "type"'),
        (pair(media="attach://nowhere"), PARSE + "media not found"),
        (pair(media="AgACAgunknown"), "Bad Request: wrong file identifier/HTTP URL specified"),
        (pair(caption="x" * 1025), "Bad Request: message caption is too long"),
        (
            pair(show_caption_above_media=True),
            "Bad Request: parameter show_caption_above_media must be the same for all messages",
        ),
    ],
)
async def test_albums_telegram_refuses(
    http: httpx.AsyncClient, anna: SandboxUser, items: str, description: str
) -> None:
    response = await album_of(http, anna.id, items, p=PNG, d=b"%PDF")
    assert response.status_code == 400
    assert response.json()["description"] == description
    assert anna.messages == []


async def test_an_album_of_one_is_a_lone_message_and_takes_no_keyboard(
    http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    question = await anna.send("Photo please")
    response = await http.post(
        "sendMediaGroup",
        data={
            "chat_id": anna.id,
            "media": media({"type": "photo", "media": "attach://p"}),
            "reply_parameters": json.dumps({"message_id": question["message_id"]}),
            "reply_markup": json.dumps(
                {"inline_keyboard": [[{"text": "A", "url": "https://e.org"}]]}
            ),
        },
        files={"p": PNG},
    )
    (message,) = response.json()["result"]
    assert "media_group_id" not in message and "reply_markup" not in message
    assert message["reply_to_message"]["text"] == "Photo please"


async def test_albums_respect_blocking_and_flood_control(anna: SandboxUser) -> None:
    async with (
        BotApiDouble(TOKEN, limits=RateLimits(chat_burst=1)) as limited,
        httpx.AsyncClient(base_url=f"{limited.api_url}/bot{TOKEN}/") as http,
    ):
        user, blocker = limited.add_user("Ulla"), limited.add_user("Bert")
        pair = media(
            {"type": "photo", "media": "attach://p"}, {"type": "photo", "media": "attach://p"}
        )
        assert (await album_of(http, user.id, pair, p=PNG)).status_code == 200
        flooded = await album_of(http, user.id, pair, p=PNG)
        assert flooded.status_code == 429 and flooded.json()["parameters"]["retry_after"] >= 1
        limited.block(blocker)
        refused = await album_of(http, blocker.id, pair, p=PNG)
        assert refused.json()["description"] == "Forbidden: bot was blocked by the user"
        source = await user.send_album([("photo", PNG, None), ("photo", PNG, None)])
        ids = json.dumps([m["message_id"] for m in source])
        copy = {"chat_id": blocker.id, "from_chat_id": user.id, "message_ids": ids}
        assert (await http.post("copyMessages", data=copy)).status_code == 403


async def test_copy_messages_keeps_albums_together(
    double: BotApiDouble, http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    bob = double.add_user("Bob")
    hello = await anna.send("Hello")
    album = await anna.send_album([("photo", PNG, "One"), ("video", b"v", None)])
    other = await anna.send_album([("photo", PNG, None), ("photo", PNG, None)])
    poll = await anna.send_poll("Friday?", ["Yes", "No"])
    ids = [hello["message_id"], *(m["message_id"] for m in album), other[0]["message_id"], 40]
    ids.append(poll["message_id"] + 1)  # never existed: skipped
    response = await http.post(
        "copyMessages",
        data={"chat_id": bob.id, "from_chat_id": anna.id, "message_ids": json.dumps(sorted(ids))},
    )
    assert response.status_code == 200, response.text
    copied = response.json()["result"]
    assert copied == [{"message_id": n} for n in (1, 2, 3, 4)]
    text, first, second, lone = bob.messages
    assert text["text"] == "Hello" and "forward_origin" not in text
    assert first["media_group_id"] == second["media_group_id"] != album[0]["media_group_id"]
    assert first["caption"] == "One"
    assert "media_group_id" not in lone  # one message of an album is no album
    polls = await http.post(
        "copyMessages",
        data={
            "chat_id": bob.id,
            "from_chat_id": anna.id,
            "message_ids": json.dumps([album[0]["message_id"], poll["message_id"]]),
            "remove_caption": "true",
        },
    )
    assert len(polls.json()["result"]) == 2
    assert "caption" not in bob.messages[-2]
    assert bob.messages[-1]["poll"]["id"] != poll["poll"]["id"]
    assert bob.messages[-1]["poll"]["question"] == "Friday?"


async def test_copied_documents_of_one_sender_become_an_album(
    double: BotApiDouble, http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    bob = double.add_user("Bob")
    first = await anna.send_document(b"1", file_name="a.txt")
    second = await anna.send_document(b"2", file_name="b.txt")
    ids = json.dumps([first["message_id"], second["message_id"]])
    await http.post(
        "copyMessages", data={"chat_id": bob.id, "from_chat_id": anna.id, "message_ids": ids}
    )
    assert bob.messages[0]["media_group_id"] == bob.messages[1]["media_group_id"]


@pytest.mark.parametrize(
    ("message_ids", "description"),
    [
        (None, "Bad Request: message identifiers are not specified"),
        ("[]", "Bad Request: message identifiers are not specified"),
        ("7", "Bad Request: expected an Array of message identifiers"),
        (json.dumps(list(range(1, 102))), "Bad Request: too many message identifiers specified"),
        ("[true]", "Bad Request: message identifier must be a Number"),
        ('["one"]', "Bad Request: can't parse message identifier as a Number"),
        ("[0]", "Bad Request: invalid message identifier specified"),
        ("[50, 60]", "Bad Request: there are no messages to forward"),
        ("[2, 1]", "Bad Request: message identifiers must be in a strictly increasing order"),
        ("[1, 1]", "Bad Request: message identifiers must be in a strictly increasing order"),
        ("[3]", "Bad Request: messages can't be forwarded"),
    ],
)
async def test_copy_messages_refusals(
    double: BotApiDouble,
    http: httpx.AsyncClient,
    anna: SandboxUser,
    message_ids: str | None,
    description: str,
) -> None:
    bob = double.add_user("Bob")
    await anna.send("one")
    await anna.send("two")
    await anna.set_auto_delete_timer(86400)  # message 3, a service message
    data = {"chat_id": str(bob.id), "from_chat_id": str(anna.id)}
    if message_ids is not None:
        data["message_ids"] = message_ids
    response = await http.post("copyMessages", data=data)
    assert (response.status_code, response.json()["description"]) == (400, description)
    assert bob.messages == []
    unknown = await http.post(
        "copyMessages", data={**data, "from_chat_id": "42", "message_ids": "[1]"}
    )
    assert unknown.json()["description"] == "Bad Request: chat not found"


async def test_copy_message_copies_every_kind(
    double: BotApiDouble, http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    bob = double.add_user("Bob")
    sent = [
        await anna.send_contact("+4670", "Eva"),
        await anna.send_location(55.6, 13.0),
        await anna.send_venue(55.6, 13.0, "Café", "Gatan 1"),
        await anna.send_poll("When?", ["Now", "Later"]),
        await anna.send_sticker(b"webp"),
        await anna.send_video(b"mp4"),
        await anna.send_video_note(b"round"),
        await anna.send_audio(b"ID3", file_name="a.mp3"),
    ]
    for message in sent:
        response = await http.post(
            "copyMessage",
            data={
                "chat_id": bob.id,
                "from_chat_id": anna.id,
                "message_id": message["message_id"],
                "caption": "new caption",
            },
        )
        assert response.status_code == 200, response.text
    copies = bob.messages
    for original, copied in zip(sent, copies, strict=True):
        for kind in ("contact", "location", "venue", "sticker", "video", "video_note", "audio"):
            assert copied.get(kind) == original.get(kind)
    assert copies[3]["poll"]["id"] != sent[3]["poll"]["id"]
    assert "caption" not in copies[4]  # a sticker takes no caption
    assert copies[5]["caption"] == "new caption"
    assert copies[2]["location"] == copies[2]["venue"]["location"]


async def test_editing_copies_and_messages_of_other_chats(
    double: BotApiDouble, http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    bob = double.add_user("Bob")
    photo = await anna.send_photo(PNG, caption="from Anna")
    copy_id = (
        await http.post(
            "copyMessage",
            data={"chat_id": bob.id, "from_chat_id": anna.id, "message_id": photo["message_id"]},
        )
    ).json()["result"]["message_id"]
    in_bob = {"chat_id": bob.id, "message_id": copy_id}
    edited = await http.post(
        "editMessageCaption", data={**in_bob, "caption": "<i>ours</i>", "parse_mode": "HTML"}
    )
    assert edited.json()["result"]["caption_entities"] == [
        {"offset": 0, "length": 4, "type": "italic"}
    ]
    too_long = await http.post("editMessageCaption", data={**in_bob, "caption": "x" * 1025})
    assert too_long.json()["description"] == "Bad Request: message caption is too long"
    as_text = await http.post("editMessageText", data={**in_bob, "text": "x"})
    assert as_text.json()["description"] == "Bad Request: there is no text in the message to edit"
    # the same message id in Anna's chat is her own photo, and Bob's copy is not there
    elsewhere = await http.post(
        "editMessageCaption", data={"chat_id": anna.id, "message_id": copy_id, "caption": "x"}
    )
    assert elsewhere.json()["description"] == "Bad Request: message can't be edited"
    nowhere = await http.post(
        "editMessageCaption", data={"chat_id": anna.id, "message_id": 99, "caption": "x"}
    )
    assert nowhere.json()["description"] == "Bad Request: message to edit not found"
    text = (await http.post("sendMessage", data={"chat_id": bob.id, "text": "short"})).json()
    target = {"chat_id": bob.id, "message_id": text["result"]["message_id"]}
    long = await http.post(
        "editMessageText",
        data={**target, "text": "<b>" + "x" * 4097 + "</b>", "parse_mode": "HTML"},
    )
    assert long.json()["description"] == "Bad Request: message is too long"
    sticker = await anna.send_sticker(b"webp")
    copied = await http.post(
        "copyMessage",
        data={"chat_id": bob.id, "from_chat_id": anna.id, "message_id": sticker["message_id"]},
    )
    no_caption = await http.post(
        "editMessageCaption",
        data={
            "chat_id": bob.id,
            "message_id": copied.json()["result"]["message_id"],
            "caption": "x",
        },
    )
    assert (
        no_caption.json()["description"]
        == "Bad Request: there is no caption in the message to edit"
    )
