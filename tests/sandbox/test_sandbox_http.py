"""The Bot API over raw HTTP: encodings, routing, validation, limits, faults, updates."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import httpx
import pytest
from aiohttp import web

from bot.sandbox import DROPPED, BotApiDouble, RateLimits, SandboxUser
from tests.sandbox.support import TOKEN, FakeClock


def keyboard(*buttons: dict[str, Any]) -> str:
    return json.dumps({"inline_keyboard": [list(buttons)]})


async def test_get_me_via_get_and_case_insensitive_method(http: httpx.AsyncClient) -> None:
    answer = (await http.get("GETME")).json()
    assert answer == {
        "ok": True,
        "result": {
            "id": 123456,
            "is_bot": True,
            "first_name": "Mentorbot",
            "username": "mentorbot_sandbox_bot",
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        },
    }


async def test_wrong_token_and_unknown_method(double: BotApiDouble) -> None:
    async with httpx.AsyncClient(base_url=double.api_url) as client:
        wrong = await client.post("/bot999:nope/getMe")
        unknown = await client.post(f"/bot{TOKEN}/sendTelepathy")
    assert wrong.status_code == 401
    assert wrong.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert unknown.status_code == 404
    assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    assert [(r.method, r.status) for r in double.requests] == [
        ("getMe", 401),
        ("sendTelepathy", 404),
    ]
    assert all(TOKEN not in repr(record) for record in double.requests)


async def test_parameters_in_every_encoding(http: httpx.AsyncClient, anna: SandboxUser) -> None:
    by_query = await http.get("sendMessage", params={"chat_id": anna.id, "text": "query"})
    by_form = await http.post("sendMessage", data={"chat_id": str(anna.id), "text": "[1, 2]"})
    by_json = await http.post("sendMessage", json={"chat_id": anna.id, "text": "json"})
    by_multipart = await http.post(
        "sendMessage", data={"chat_id": str(anna.id), "text": "multi"}, files={"x": b"ignored"}
    )
    for response in (by_query, by_form, by_json, by_multipart):
        assert response.status_code == 200, response.text
    assert [m["text"] for m in anna.messages] == ["query", "[1, 2]", "json", "multi"]
    assert [m["message_id"] for m in anna.messages] == [1, 2, 3, 4]


async def test_send_message_shape_with_html_keyboard_and_reply(
    http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    question = await anna.send("Hi")
    response = await http.post(
        "sendMessage",
        data={
            "chat_id": str(anna.id),
            "text": "<b>Välkommen</b> 👋 &amp; <i>hej</i>",
            "parse_mode": "HTML",
            "reply_markup": keyboard({"text": "Accept", "callback_data": "accept:1"}),
            "reply_parameters": json.dumps({"message_id": question["message_id"]}),
            "protect_content": "true",
            "link_preview_options": json.dumps({"is_disabled": True}),
        },
    )
    message = response.json()["result"]
    assert message["message_id"] == 2
    assert message["from"]["is_bot"] is True
    assert message["chat"] == {"id": anna.id, "type": "private", "first_name": "Anna"}
    assert isinstance(message["date"], int)
    assert message["text"] == "Välkommen 👋 & hej"
    assert message["entities"] == [
        {"offset": 0, "length": 9, "type": "bold"},
        {"offset": 15, "length": 3, "type": "italic"},
    ]
    assert message["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "accept:1"
    assert message["reply_to_message"]["text"] == "Hi"
    assert message["has_protected_content"] is True
    assert message["link_preview_options"] == {"is_disabled": True}
    assert await anna.next_message(timeout=1) == message


@pytest.mark.parametrize(
    ("fields", "description"),
    [
        ({"text": "x" * 4097}, "Bad Request: message is too long"),
        ({"text": "<b>" + "x" * 4096 + "</b>", "parse_mode": "HTML"}, None),
        ({"text": "👋" * 2049}, "Bad Request: message is too long"),
        ({"text": ""}, "Bad Request: message text is empty"),
        ({"text": "<b></b>", "parse_mode": "HTML"}, "Bad Request: message text is empty"),
        (
            {"text": "<b>hi", "parse_mode": "HTML"},
            "Bad Request: can't parse entities: "
            'Can\'t find end tag corresponding to start tag "b"',
        ),
        (
            {"text": "Hi.", "parse_mode": "MarkdownV2"},
            "Bad Request: can't parse entities: "
            "Character '.' is reserved and must be escaped with the preceding '\\'",
        ),
        (
            {"text": "x", "reply_markup": keyboard({"text": "A", "callback_data": "é" * 33})},
            "Bad Request: BUTTON_DATA_INVALID",
        ),
        (
            {"text": "x", "reply_markup": keyboard({"text": "A", "callback_data": ""})},
            "Bad Request: BUTTON_DATA_INVALID",
        ),
        (
            {
                "text": "x",
                "reply_markup": keyboard(*[{"text": "A", "callback_data": "a"}] * 101),
            },
            "Bad Request: reply markup is too long",
        ),
        (
            {"text": "x", "reply_markup": keyboard(*[{"text": "A", "callback_data": "a"}] * 100)},
            None,
        ),
        (
            {"text": "x", "reply_to_message_id": "99"},
            "Bad Request: message to be replied not found",
        ),
    ],
)
async def test_send_message_validation(
    http: httpx.AsyncClient, anna: SandboxUser, fields: dict[str, str], description: str | None
) -> None:
    response = await http.post("sendMessage", data={"chat_id": str(anna.id), **fields})
    if description is None:
        assert response.status_code == 200, response.text
    else:
        assert response.status_code == 400
        assert response.json() == {"ok": False, "error_code": 400, "description": description}


async def test_callback_data_of_64_bytes_is_fine(
    http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    markup = keyboard(
        {"text": "A", "callback_data": "x" * 64}, {"text": "U", "url": "https://e.org"}
    )
    response = await http.post(
        "sendMessage", data={"chat_id": str(anna.id), "text": "x", "reply_markup": markup}
    )
    assert response.status_code == 200


async def test_unknown_chat(http: httpx.AsyncClient) -> None:
    response = await http.post("sendMessage", data={"chat_id": "42", "text": "x"})
    assert response.json()["description"] == "Bad Request: chat not found"


async def test_caption_limit_counts_parsed_text(http: httpx.AsyncClient, anna: SandboxUser) -> None:
    data = {"chat_id": str(anna.id), "parse_mode": "HTML"}
    ok = await http.post(
        "sendPhoto", data={**data, "caption": f"<b>{'x' * 1024}</b>"}, files={"photo": b"img"}
    )
    too_long = await http.post(
        "sendPhoto", data={**data, "caption": "x" * 1025}, files={"photo": b"img"}
    )
    assert ok.status_code == 200
    assert ok.json()["result"]["caption_entities"] == [
        {"offset": 0, "length": 1024, "type": "bold"}
    ]
    assert too_long.json()["description"] == "Bad Request: message caption is too long"


async def test_edits_and_not_modified(http: httpx.AsyncClient, anna: SandboxUser) -> None:
    markup = keyboard({"text": "A", "callback_data": "a"})
    sent = await http.post(
        "sendMessage", data={"chat_id": str(anna.id), "text": "v1", "reply_markup": markup}
    )
    message_id = str(sent.json()["result"]["message_id"])
    target = {"chat_id": str(anna.id), "message_id": message_id}
    same = await http.post("editMessageText", data={**target, "text": "v1", "reply_markup": markup})
    assert same.json()["description"].startswith("Bad Request: message is not modified: ")
    edited = await http.post("editMessageText", data={**target, "text": "v2"})
    result = edited.json()["result"]
    assert result["text"] == "v2" and "reply_markup" not in result and "edit_date" in result
    markup_only = await http.post("editMessageReplyMarkup", data={**target, "reply_markup": markup})
    assert markup_only.json()["result"]["reply_markup"] == json.loads(markup)
    caption = await http.post("editMessageCaption", data={**target, "caption": "c"})
    assert (
        caption.json()["description"] == "Bad Request: there is no caption in the message to edit"
    )
    missing = await http.post("editMessageText", data={**target, "message_id": "77", "text": "x"})
    assert missing.json()["description"] == "Bad Request: message to edit not found"
    assert anna.messages[0]["text"] == "v2"
    deleted = await http.post("deleteMessage", data=target)
    assert deleted.json() == {"ok": True, "result": True}
    again = await http.post("deleteMessage", data=target)
    assert again.json()["description"] == "Bad Request: message to delete not found"
    assert anna.messages == []


async def test_a_bot_deletes_its_messages_for_48_hours_only(
    double: BotApiDouble, http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    """Telegram's rule, one message or many: younger than 48 hours goes, older is refused."""
    sent = []
    for text in ("1", "2", "3", "4"):
        answer = await http.post("sendMessage", data={"chat_id": str(anna.id), "text": text})
        sent.append(answer.json()["result"]["message_id"])
    double.age_message(anna.id, sent[0], 48 * 3600)
    double.age_message(anna.id, sent[1], 48 * 3600 - 60)
    one = {"chat_id": str(anna.id), "message_id": str(sent[0])}
    old = await http.post("deleteMessage", data=one)
    assert (old.status_code, old.json()["description"]) == (
        400,
        "Bad Request: message can't be deleted for everyone",
    )
    many = {"chat_id": str(anna.id), "message_ids": json.dumps(sent)}
    refused = await http.post("deleteMessages", data=many)
    assert refused.status_code == 400 and len(anna.messages) == 4  # none of them went
    young = {"chat_id": str(anna.id), "message_ids": json.dumps([*sent[1:], 999])}
    assert (await http.post("deleteMessages", data=young)).json() == {"ok": True, "result": True}
    assert [message["text"] for message in anna.messages] == ["1"]  # 999 was not found: skipped
    assert not double.has_message(anna.id, sent[1])


async def test_users_messages_cannot_be_edited(http: httpx.AsyncClient, anna: SandboxUser) -> None:
    mine = await anna.send("mine")
    response = await http.post(
        "editMessageText",
        data={"chat_id": str(anna.id), "message_id": str(mine["message_id"]), "text": "x"},
    )
    assert response.json()["description"] == "Bad Request: message can't be edited"


async def test_answer_callback_query_once(http: httpx.AsyncClient, anna: SandboxUser) -> None:
    sent = await http.post(
        "sendMessage",
        data={
            "chat_id": str(anna.id),
            "text": "Choose",
            "reply_markup": keyboard({"text": "Accept", "callback_data": "yes"}),
        },
    )
    press = asyncio.create_task(anna.press(sent.json()["result"], "Accept", timeout=2))
    updates = (await http.post("getUpdates", data={"timeout": "2"})).json()["result"]
    query = updates[-1]["callback_query"]
    assert query["data"] == "yes" and query["from"]["id"] == anna.id
    assert query["message"]["text"] == "Choose"
    first = await http.post(
        "answerCallbackQuery",
        data={"callback_query_id": query["id"], "text": "Done", "show_alert": "true"},
    )
    assert first.json() == {"ok": True, "result": True}
    assert await press == {"text": "Done", "show_alert": True}
    twice = await http.post("answerCallbackQuery", data={"callback_query_id": query["id"]})
    unknown = await http.post("answerCallbackQuery", data={"callback_query_id": "nope"})
    expected = "Bad Request: query is too old and response timeout expired or query ID is invalid"
    assert twice.json()["description"] == unknown.json()["description"] == expected


async def test_files_upload_get_file_download_and_limits(
    double: BotApiDouble, http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    data = {"chat_id": str(anna.id)}
    sent = await http.post(
        "sendDocument",
        data={**data, "caption": "report"},
        files={"document": ("report.pdf", b"%PDF-1.4", "application/pdf")},
    )
    document = sent.json()["result"]["document"]
    assert document["file_name"] == "report.pdf" and document["mime_type"] == "application/pdf"
    file = (await http.post("getFile", data={"file_id": document["file_id"]})).json()["result"]
    assert file["file_size"] == 8
    async with httpx.AsyncClient(base_url=double.api_url) as client:
        download = await client.get(f"/file/bot{TOKEN}/{file['file_path']}")
        wrong_token = await client.get(f"/file/bot1:x/{file['file_path']}")
    assert download.content == b"%PDF-1.4"
    assert wrong_token.status_code == 401
    # A media type with parameters, as a CSV is often sent, is kept as type/subtype.
    sent_csv = await http.post(
        "sendDocument",
        data=data,
        files={"document": ("rota.csv", b"a;b\r\n", "text/csv; charset=utf-8")},
    )
    csv_document = sent_csv.json()["result"]["document"]
    assert csv_document["mime_type"] == "text/csv"
    csv_file = (await http.post("getFile", data={"file_id": csv_document["file_id"]})).json()
    async with httpx.AsyncClient(base_url=double.api_url) as client:
        csv_download = await client.get(f"/file/bot{TOKEN}/{csv_file['result']['file_path']}")
    assert (csv_download.status_code, csv_download.content) == (200, b"a;b\r\n")
    assert csv_download.headers["content-type"].startswith("text/csv")
    resent = await http.post("sendDocument", data={**data, "document": document["file_id"]})
    assert resent.json()["result"]["document"]["file_id"] == document["file_id"]
    url = await http.post("sendPhoto", data={**data, "photo": "https://e.org/cat.jpg"})
    assert url.json()["description"] == "Bad Request: wrong file identifier/HTTP URL specified"
    mismatch = await http.post("sendVoice", data={**data, "voice": document["file_id"]})
    assert mismatch.json()["description"].startswith("Bad Request: type of file mismatch")
    big_photo = await http.post("sendPhoto", data=data, files={"photo": b"x" * (10 * 2**20 + 1)})
    assert big_photo.status_code == 413
    voice = await http.post(
        "sendVoice",
        data={**data, "duration": "4"},
        files={"voice": ("v.ogg", b"OggS", "audio/ogg")},
    )
    assert voice.json()["result"]["voice"]["duration"] == 4


async def test_per_chat_flood_limit_over_real_http() -> None:
    async with (
        BotApiDouble(TOKEN) as double,
        httpx.AsyncClient(base_url=f"{double.api_url}/bot{TOKEN}/") as http,
    ):
        anna, bob = double.add_user("Anna"), double.add_user("Bob")
        refused = await http.post("sendMessage", data={"chat_id": anna.id, "text": "x" * 4097})
        assert refused.status_code == 400  # refused sends are not charged
        answers = [
            await http.post("sendMessage", data={"chat_id": str(anna.id), "text": str(n)})
            for n in range(4)
        ]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert answers[3].json() == {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 1",
            "parameters": {"retry_after": 1},
        }
        other = await http.post("sendMessage", data={"chat_id": str(bob.id), "text": "hi"})
        assert other.status_code == 200
        edit = await http.post(
            "editMessageText", data={"chat_id": str(anna.id), "message_id": "1", "text": "e"}
        )
        assert edit.status_code == 429  # edits draw from the same buckets
        assert len(double.calls("sendMessage", status=429)) == 1
        assert len(anna.messages) == 3


async def test_global_flood_limit_with_fake_clock(clock: FakeClock) -> None:
    async with (
        BotApiDouble(TOKEN, clock=clock) as double,
        httpx.AsyncClient(base_url=f"{double.api_url}/bot{TOKEN}/") as http,
    ):
        users = [double.add_user(f"U{n}") for n in range(31)]
        for user in users[:30]:
            ok = await http.post("sendMessage", data={"chat_id": str(user.id), "text": "x"})
            assert ok.status_code == 200
        refused = await http.post("sendMessage", data={"chat_id": str(users[30].id), "text": "x"})
        assert refused.json()["parameters"] == {"retry_after": 1}
        not_limited = await http.post("getMe")
        assert not_limited.status_code == 200
        clock.advance(1 / 30)
        again = await http.post("sendMessage", data={"chat_id": str(users[30].id), "text": "x"})
        assert again.status_code == 200
        assert [r.time for r in double.requests][-1] == clock.now


async def test_limits_can_be_disabled_or_changed() -> None:
    async with BotApiDouble(TOKEN, limits=None) as double:
        user = double.add_user("Free")
        async with httpx.AsyncClient(base_url=f"{double.api_url}/bot{TOKEN}/") as http:
            for n in range(10):
                ok = await http.post("sendMessage", data={"chat_id": str(user.id), "text": str(n)})
                assert ok.status_code == 200
    async with BotApiDouble(TOKEN, limits=RateLimits(chat_burst=1)) as double:
        user = double.add_user("Strict")
        async with httpx.AsyncClient(base_url=f"{double.api_url}/bot{TOKEN}/") as http:
            codes = [
                (
                    await http.post("sendMessage", data={"chat_id": str(user.id), "text": "x"})
                ).status_code
                for _ in range(2)
            ]
    assert codes == [200, 429]


@pytest.mark.parametrize(
    ("kind", "status", "body"),
    [
        (
            429,
            429,
            {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 5",
                "parameters": {"retry_after": 5},
            },
        ),
        (500, 500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}),
        (
            400,
            400,
            {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: can't parse entities: Unsupported start tag",
            },
        ),
        ("502", 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}),
    ],
)
async def test_error_faults(
    double: BotApiDouble,
    http: httpx.AsyncClient,
    anna: SandboxUser,
    kind: int | str,
    status: int,
    body: dict[str, Any],
) -> None:
    double.faults.inject(
        "sendMessage",
        kind=kind,
        times=1,
        chat_id=anna.id,
        retry_after=5,
        description="can't parse entities: Unsupported start tag",
    )
    data = {"chat_id": str(anna.id), "text": "x"}
    failed = await http.post("sendMessage", data=data)
    assert (failed.status_code, failed.json()) == (status, body)
    assert (await http.post("sendMessage", data=data)).status_code == 200
    assert [r.status for r in double.calls("sendMessage")] == [status, 200]
    assert len(anna.messages) == 1  # the failed call did not send


async def test_drop_fault_is_a_network_error(
    double: BotApiDouble, http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    double.faults.inject("*", kind="drop", times=2)
    for _ in range(2):
        with pytest.raises(httpx.TransportError):
            await http.post("getMe")
    assert (await http.post("getMe")).status_code == 200
    assert [r.status for r in double.requests] == [DROPPED, DROPPED, 200]


async def test_fault_for_another_chat_does_not_fire(
    double: BotApiDouble, http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    double.faults.inject("sendMessage", kind=500, chat_id=anna.id + 1)
    response = await http.post("sendMessage", data={"chat_id": str(anna.id), "text": "x"})
    assert response.status_code == 200
    assert len(double.faults.pending) == 1


async def test_blocked_user(
    double: BotApiDouble, http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    double.block(anna)
    blocked = await http.post("sendMessage", data={"chat_id": str(anna.id), "text": "x"})
    assert blocked.status_code == 403
    assert blocked.json()["description"] == "Forbidden: bot was blocked by the user"
    double.unblock(anna)
    assert (
        await http.post("sendMessage", data={"chat_id": anna.id, "text": "x"})
    ).status_code == 200


async def test_get_updates_offset_limit_and_long_poll(
    double: BotApiDouble, http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    for n in range(3):
        await anna.send(f"m{n}")
    first = (await http.post("getUpdates", data={"limit": "2"})).json()["result"]
    assert [u["message"]["text"] for u in first] == ["m0", "m1"]
    rest = (await http.post("getUpdates", data={"offset": first[-1]["update_id"] + 1})).json()
    assert [u["message"]["text"] for u in rest["result"]] == ["m2"]
    offset = rest["result"][-1]["update_id"] + 1
    loop = asyncio.get_running_loop()
    started = loop.time()
    poll = asyncio.create_task(http.post("getUpdates", data={"offset": offset, "timeout": 5}))
    await asyncio.sleep(0.05)
    await anna.send("wake up")
    woken = (await poll).json()["result"]
    assert [u["message"]["text"] for u in woken] == ["wake up"]
    assert loop.time() - started < 1
    empty = await http.post("getUpdates", data={"offset": woken[-1]["update_id"] + 1})
    assert empty.json() == {"ok": True, "result": []}


async def test_negative_offset_keeps_the_last_updates(
    http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    for n in range(3):
        await anna.send(f"m{n}")
    last = (await http.post("getUpdates", data={"offset": "-1"})).json()["result"]
    assert [u["message"]["text"] for u in last] == ["m2"]


async def test_newer_get_updates_terminates_the_older(
    double: BotApiDouble, http: httpx.AsyncClient
) -> None:
    older = asyncio.create_task(http.post("getUpdates", data={"timeout": 5}))
    await asyncio.sleep(0.05)
    newer = await http.post("getUpdates", data={"timeout": 0})
    assert newer.json() == {"ok": True, "result": []}
    conflict = await older
    assert conflict.status_code == 409
    assert conflict.json()["description"] == (
        "Conflict: terminated by other getUpdates request; "
        "make sure that only one bot instance is running"
    )


async def test_allowed_updates_filters_new_updates(
    double: BotApiDouble, http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    await http.post("getUpdates", data={"allowed_updates": '["callback_query"]'})
    await anna.send("ignored")
    double.inject_update({"callback_query": {"id": "1", "data": "x"}})
    updates = (await http.post("getUpdates")).json()["result"]
    assert [list(u) for u in updates] == [["callback_query", "update_id"]]


async def test_allowed_updates_are_read_as_telegram_reads_them(
    double: BotApiDouble, http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    assert double.allowed_updates is None
    await http.post(
        "getUpdates", json={"allowed_updates": ["Edited_Message", "my_chat_member", "bogus"]}
    )
    assert double.allowed_updates == ["edited_message", "my_chat_member"]
    sent = await anna.send("ignored")
    edited = await anna.edit(sent, "seen")
    double.add_group("Mentors", [anna])
    channel = double.add_channel("News", anna)
    await channel.send(anna, "post")
    double.inject_update({"chat_member": {}})
    queued = (await http.post("getUpdates")).json()["result"]
    assert [next(k for k in u if k != "update_id") for u in queued] == [
        "edited_message",
        "my_chat_member",
        "my_chat_member",
    ]
    assert queued[0]["update_id"] == edited["update_id"]
    # unreadable values change nothing; a list of nothing known is the default again
    for unreadable in ("not json", '"message"', "[1]", ""):
        await http.post("getUpdates", data={"allowed_updates": unreadable})
        assert double.allowed_updates == ["edited_message", "my_chat_member"], unreadable
    await http.post("getUpdates", data={"allowed_updates": '["nothing_known"]'})
    assert double.allowed_updates is None


async def test_the_default_leaves_out_members_and_reactions(
    double: BotApiDouble, http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    for kind in ("chat_member", "message_reaction", "message_reaction_count", "poll"):
        double.inject_update({kind: {}})
    group = double.add_group("Mentors", [anna])
    await group.send(anna, "/start")
    await anna.edit(await anna.send("typo"), "fixed")
    queued = (await http.post("getUpdates")).json()["result"]
    assert [next(k for k in u if k != "update_id") for u in queued] == [
        "poll",
        "my_chat_member",
        "message",
        "message",
        "message",
        "edited_message",
    ]
    every = ["message", "edited_message", "channel_post", "edited_channel_post",
             "callback_query", "my_chat_member", "chat_member", "message_reaction"]  # fmt: skip
    await http.post(
        "setWebhook", data={"url": "http://127.0.0.1:9/hook", "allowed_updates": json.dumps(every)}
    )
    assert double.allowed_updates == every
    info = (await http.post("getWebhookInfo")).json()["result"]
    assert info["allowed_updates"] == every
    await http.post("deleteWebhook")
    default = [k for k in every if k not in ("chat_member", "message_reaction")]
    await http.post("getUpdates", json={"allowed_updates": default})
    assert double.allowed_updates is not None  # only a part of the default set
    await http.post("getUpdates", json={"allowed_updates": []})
    assert double.allowed_updates is None


def texts(updates: list[dict[str, Any]]) -> list[str]:
    return [update["message"]["text"] for update in updates]


async def test_redelivery_gives_the_same_update_again(
    double: BotApiDouble, http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    sent = await anna.send("once")
    first = (await http.post("getUpdates")).json()["result"]
    assert first[0]["update_id"] == sent["update_id"]
    offset = first[-1]["update_id"] + 1
    anna.double.redeliver(sent["update_id"])
    await anna.send("next")
    again = (await http.post("getUpdates", data={"offset": offset})).json()["result"]
    assert again[0] == first[0]
    assert texts(again) == ["once", "next"]
    later = await http.post("getUpdates", data={"offset": again[-1]["update_id"] + 1})
    assert later.json()["result"] == []


async def test_redelivery_behind_newer_updates_comes_in_its_own_batch(
    double: BotApiDouble, http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    await anna.send("once")
    first = (await http.post("getUpdates")).json()["result"]
    await anna.send("next")
    double.redeliver(first[0]["update_id"])
    # Clients continue from the last update_id of a batch: a lower id after a higher one in the
    # same batch would make them fetch the higher one again.
    batch = (await http.post("getUpdates", data={"offset": first[0]["update_id"] + 1})).json()
    assert texts(batch["result"]) == ["next"]
    duplicate = await http.post("getUpdates", data={"offset": batch["result"][-1]["update_id"] + 1})
    assert duplicate.json()["result"] == first
    done = await http.post("getUpdates", data={"offset": first[0]["update_id"] + 1})
    assert done.json()["result"] == []


async def test_inject_update_assigns_the_next_id(
    double: BotApiDouble, http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    sent = double.inject_update({"update_id": 50, "message": {"text": "raw"}})
    assert sent["update_id"] == 50
    assert double.inject_update({"message": {"text": "next"}})["update_id"] == 51
    assert texts((await http.post("getUpdates")).json()["result"]) == ["raw", "next"]
    with pytest.raises(KeyError):
        double.redeliver(999)


async def test_webhook_delivery_with_secret_retries_and_conflict(
    double: BotApiDouble, http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    received: asyncio.Queue[tuple[dict[str, Any], str | None]] = asyncio.Queue()
    statuses = iter([500, 200, 200])

    async def hook(request: web.Request) -> web.Response:
        received.put_nowait(
            (await request.json(), request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        )
        return web.Response(status=next(statuses))

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"{site.name}/hook"
    try:
        await anna.send("before")  # pending before the webhook is set: delivered too
        response = await http.post("setWebhook", data={"url": url, "secret_token": "s3cret"})
        assert response.json() == {"ok": True, "result": True}
        await anna.send("after")
        deliveries = [await asyncio.wait_for(received.get(), 2) for _ in range(3)]
        texts = [(update["message"]["text"], secret) for update, secret in deliveries]
        assert texts == [("before", "s3cret"), ("before", "s3cret"), ("after", "s3cret")]
        conflict = await http.post("getUpdates")
        assert conflict.status_code == 409
        assert conflict.json()["description"] == (
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first"
        )
        info = (await http.post("getWebhookInfo")).json()["result"]
        assert info["url"] == url and info["pending_update_count"] == 0
        assert "500" in info["last_error_message"]
        assert (await http.post("deleteWebhook")).json()["result"] is True
        assert (await http.post("getUpdates")).status_code == 200
    finally:
        await runner.cleanup()


async def test_a_webhook_secret_telegram_would_refuse_is_refused(
    double: BotApiDouble, http: httpx.AsyncClient
) -> None:
    """As Telegram checks setWebhook's secret_token: at most 256 of A-Z a-z 0-9 _ -."""
    url = "http://127.0.0.1:9/hook"  # nothing is posted there: every setting below is refused
    refusals = {
        "a" * 257: "Bad Request: secret token is too long",
        "with:colon": "Bad Request: secret token contains unallowed characters",
        "base64+/=": "Bad Request: secret token contains unallowed characters",
        "hemlig-åäö": "Bad Request: secret token contains unallowed characters",
    }
    for secret, description in refusals.items():
        refused = await http.post("setWebhook", data={"url": url, "secret_token": secret})
        assert refused.status_code == 400
        assert refused.json()["description"] == description
        assert (await http.post("getWebhookInfo")).json()["result"]["url"] == ""
    for secret in ("-" * 256, "A-z_09"):
        accepted = await http.post("setWebhook", data={"url": url, "secret_token": secret})
        assert accepted.json() == {"ok": True, "result": True}
    assert (await http.post("deleteWebhook")).json()["result"] is True


async def test_commands_per_scope_and_language(
    double: BotApiDouble, http: httpx.AsyncClient
) -> None:
    commands = [{"command": "start", "description": "Starta"}]
    await http.post("setMyCommands", json={"commands": commands, "language_code": "sv"})
    await http.post(
        "setMyCommands",
        data={
            "commands": json.dumps([{"command": "admin", "description": "Admin"}]),
            "scope": json.dumps({"type": "chat", "chat_id": 5}),
        },
    )
    assert double.commands(language_code="sv") == commands
    assert double.commands() == []
    assert double.commands(scope={"type": "chat", "chat_id": 5})[0]["command"] == "admin"
    got = await http.post("getMyCommands", data={"language_code": "sv"})
    assert got.json()["result"] == commands
    bad = await http.post(
        "setMyCommands", json={"commands": [{"command": "Bad Cmd!", "description": "x"}]}
    )
    assert bad.json()["description"] == "Bad Request: BOT_COMMAND_INVALID"
    await http.post("deleteMyCommands", json={"language_code": "sv"})
    assert double.commands(language_code="sv") == []


async def test_descriptions_per_language_within_telegrams_limits(
    double: BotApiDouble, http: httpx.AsyncClient
) -> None:
    await http.post(
        "setMyDescription", data={"description": "Stöd på kvällar", "language_code": "sv"}
    )
    await http.post("setMyShortDescription", json={"short_description": "Stöd"})
    assert double.description("sv") == "Stöd på kvällar" and double.description() == ""
    assert double.short_description() == "Stöd" and double.short_description("sv") == ""
    got = await http.post("getMyDescription", data={"language_code": "sv"})
    assert got.json()["result"] == {"description": "Stöd på kvällar"}
    got = await http.post("getMyShortDescription", data={"language_code": "da"})
    assert got.json()["result"] == {"short_description": ""}
    for method, field, limit in (
        ("setMyDescription", "description", 512),
        ("setMyShortDescription", "short_description", 120),
    ):
        assert (await http.post(method, json={field: "å" * limit})).json()["result"] is True
        refused = await http.post(method, json={field: "x" * (limit + 1)})
        assert refused.status_code == 400
        assert refused.json()["description"].endswith(f"{field.replace('_', ' ')} is too long")
    assert double.description() == "å" * 512  # the refused one changed nothing
    bad = await http.post("setMyDescription", json={"description": "x", "language_code": "swe"})
    assert bad.status_code == 400
    await http.post("setMyDescription", json={"description": "", "language_code": "sv"})
    assert double.description("sv") == ""


async def test_chat_action_get_chat_menu_button(
    double: BotApiDouble, http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    events = double.subscribe()
    action = await http.post("sendChatAction", data={"chat_id": anna.id, "action": "typing"})
    assert action.json()["result"] is True
    assert (await events.get()).data == {"action": "typing"}
    chat = (await http.post("getChat", data={"chat_id": anna.id})).json()["result"]
    assert chat["id"] == anna.id and chat["type"] == "private"
    await http.post("setChatMenuButton", json={"menu_button": {"type": "commands"}})
    menu = await http.post("getChatMenuButton", data={"chat_id": anna.id})
    assert menu.json()["result"] == {"type": "commands"}


async def test_aiohttp_client_json_body(double: BotApiDouble, anna: SandboxUser) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{double.api_url}/bot{TOKEN}/sendMessage",
            json={
                "chat_id": anna.id,
                "text": "*bold* and \\_not italic\\_",
                "parse_mode": "MarkdownV2",
            },
        ) as response,
    ):
        message = (await response.json())["result"]
    assert message["text"] == "bold and _not italic_"
    assert message["entities"] == [{"offset": 0, "length": 4, "type": "bold"}]


async def test_explicit_entities_win_over_parse_mode(
    http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    entities = [{"type": "italic", "offset": 0, "length": 3}]
    response = await http.post(
        "sendMessage",
        data={
            "chat_id": anna.id,
            "text": "<b>x</b>",
            "parse_mode": "HTML",
            "entities": json.dumps(entities),
        },
    )
    message = response.json()["result"]
    assert (message["text"], message["entities"]) == ("<b>x</b>", entities)


async def test_download_limit_is_twenty_megabytes(
    http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    sent = await http.post(
        "sendDocument", data={"chat_id": anna.id}, files={"document": b"x" * (20 * 2**20 + 1)}
    )
    file_id = sent.json()["result"]["document"]["file_id"]
    response = await http.post("getFile", data={"file_id": file_id})
    assert response.json()["description"] == "Bad Request: file is too big"


async def test_stopping_releases_a_pending_long_poll() -> None:
    double = BotApiDouble(TOKEN)
    await double.start()
    async with httpx.AsyncClient(base_url=f"{double.api_url}/bot{TOKEN}/") as http:
        poll = asyncio.create_task(http.post("getUpdates", data={"timeout": 30}))
        await asyncio.sleep(0.05)
        loop = asyncio.get_running_loop()
        started = loop.time()
        await double.stop()
        assert (await poll).json() == {"ok": True, "result": []}
        assert loop.time() - started < 1
    with pytest.raises(RuntimeError):
        double.api_url  # noqa: B018 - the property raises once stopped
    async with double:  # restartable: long polls wait again
        user = double.add_user("Late")
        async with httpx.AsyncClient(base_url=f"{double.api_url}/bot{TOKEN}/") as http:
            poll = asyncio.create_task(http.post("getUpdates", data={"timeout": 5}))
            await asyncio.sleep(0.05)
            assert not poll.done()
            await user.send("hi")
            assert len((await poll).json()["result"]) == 1
