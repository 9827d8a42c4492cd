"""The chat page's HTTP API (`/`, `/sandbox/…`), driven in-process as the browser drives it.

The page is the users' side of the double: what it sends must reach the bot exactly as a
Telegram client's message or button press would (an update in getUpdates), what it cannot do
must be refused in one line without changing anything, and the live event stream must follow
every chat and end when the double stops. It must answer no one but the page's own tab: not
another web page's requests, not a foreign host name, not a request without the page's key.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import re
import struct
import warnings
import zlib
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import httpx
import pytest

from bot.sandbox import BotApiDouble, SandboxUser
from bot.sandbox.chat_page import Role
from tests.sandbox.support import TOKEN

ROLES = [Role("family", "Foster family adult"), Role("visitor", "Visitor")]
EVENT_TIMEOUT = 2.0


def png(width: int, height: int) -> bytes:
    """A real (tiny, valid) PNG of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\x80" * width for _ in range(height)))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


class Joiner:
    """Stands in for the bot's invites: records who joined and makes up their first words."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, str]] = []

    async def __call__(self, user_id: int, role: str) -> str:
        self.calls.append((user_id, role))
        return "/start" if role == "visitor" else f"/start CODE{len(self.calls)}"


@pytest.fixture
def joiner(double: BotApiDouble) -> Joiner:
    join = Joiner()
    double.page.allow_joining(ROLES, join)
    return join


def page_key(double: BotApiDouble) -> str:
    """The key in the address the page is opened at."""
    (key,) = parse_qs(urlsplit(double.page.address).query)["key"]
    return key


def page_session(double: BotApiDouble) -> aiohttp.ClientSession:
    """The page's JavaScript: every request to the double's own address, with the page's key."""
    key = page_key(double)

    async def with_key(
        request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
    ) -> aiohttp.ClientResponse:
        request.url = request.url.update_query(key=key)
        return await handler(request)

    timeout = aiohttp.ClientTimeout(total=10)
    return aiohttp.ClientSession(base_url=double.api_url, timeout=timeout, middlewares=(with_key,))


@pytest.fixture
async def browser(double: BotApiDouble) -> AsyncIterator[aiohttp.ClientSession]:
    async with page_session(double) as session:
        yield session


async def pending_updates(http: httpx.AsyncClient) -> list[dict[str, Any]]:
    """Everything the bot would get from getUpdates now (without confirming it)."""
    response = await http.post("getUpdates", data={"timeout": 0})
    result: list[dict[str, Any]] = response.json()["result"]
    return result


async def updates_within(
    http: httpx.AsyncClient, seconds: float, offset: int | None = None
) -> list[dict[str, Any]]:
    """getUpdates as the bot long-polls it: returns as soon as there is an update."""
    data: dict[str, Any] = {"timeout": int(seconds)}
    if offset is not None:
        data["offset"] = offset
    response = await http.post("getUpdates", data=data, timeout=seconds + 5)
    result: list[dict[str, Any]] = response.json()["result"]
    return result


async def refused(response: aiohttp.ClientResponse, status: int = 400) -> str:
    """The one line the page shows for a refusal."""
    assert response.status == status, await response.text()
    assert response.content_type == "application/json"
    body = await response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert isinstance(error, str) and error.strip() and "\n" not in error, error
    return error


def snapshot(double: BotApiDouble) -> list[tuple[int, int]]:
    """Who exists and how many messages each chat holds."""
    return [(chat.id, len(chat.messages)) for chat in double.chats()]


# --- the page itself ---------------------------------------------------------------------------


async def test_the_page_and_every_asset_it_names_load_with_their_types(
    browser: aiohttp.ClientSession,
) -> None:
    async with browser.get("/") as page:
        assert page.status == 200
        assert page.content_type == "text/html"
        assert page.charset == "utf-8"
        html = await page.text()
    assets = re.findall(r'(?:src|href)="(/[^"]*)"', html)
    assert sorted(assets) == ["/chat.css", "/chat.js"]
    expected = {"/chat.js": "text/javascript", "/chat.css": "text/css"}
    for path, content_type in expected.items():
        async with browser.get(path) as asset:
            assert asset.status == 200, path
            assert asset.content_type == content_type
            assert asset.charset == "utf-8"
            assert len(await asset.read()) > 100
    async with browser.get("/nothing.js") as missing:
        assert missing.status == 404


# --- people ------------------------------------------------------------------------------------


async def test_people_are_listed_with_descriptions_roles_and_the_time_zone(
    double: BotApiDouble, browser: aiohttp.ClientSession, joiner: Joiner
) -> None:
    lina = double.add_user("Lina", last_name="Ek", language_code="sv")
    eva = double.add_user("Eva")
    double.page.describe(lina.id, "Foster family · Familjen Ek")
    double.page.show_times_in("Europe/Stockholm")
    await eva.send("hej")

    async with browser.get("/sandbox/people") as response:
        assert response.status == 200
        listing = await response.json()
    assert listing == {
        "people": [
            {
                "id": lina.id,
                "name": "Lina Ek",
                "description": "Foster family · Familjen Ek",
                "messages": 0,
            },
            {"id": eva.id, "name": "Eva", "description": "", "messages": 1},
        ],
        "roles": [
            {"key": "family", "label": "Foster family adult"},
            {"key": "visitor", "label": "Visitor"},
        ],
        "time_zone": "Europe/Stockholm",
    }


async def test_before_it_is_set_up_the_page_offers_no_roles_and_shows_utc(
    browser: aiohttp.ClientSession,
) -> None:
    async with browser.get("/sandbox/people") as response:
        assert await response.json() == {"people": [], "roles": [], "time_zone": "UTC"}


async def test_a_new_person_joins_and_their_first_words_reach_the_bot(
    double: BotApiDouble,
    browser: aiohttp.ClientSession,
    http: httpx.AsyncClient,
    joiner: Joiner,
) -> None:
    body = {"name": "  Nora \t Lindgren ", "role": "family", "language": "da"}
    async with browser.post("/sandbox/people", json=body) as response:
        assert response.status == 200, await response.text()
        person = (await response.json())["id"]

    assert joiner.calls == [(person, "family")]
    (update,) = await pending_updates(http)
    message = update["message"]
    assert message["text"] == "/start CODE1"
    assert message["entities"] == [{"offset": 0, "length": 6, "type": "bot_command"}]
    assert message["from"]["id"] == person
    assert message["from"]["first_name"] == "Nora"
    assert message["from"]["last_name"] == "Lindgren"
    assert message["from"]["language_code"] == "da"
    async with browser.get("/sandbox/people") as listing:
        (nora,) = (await listing.json())["people"]
    assert nora == {
        "id": person,
        "name": "Nora Lindgren",
        "description": "Foster family adult",
        "messages": 1,
    }


async def test_a_visitor_with_one_name_and_no_language(
    double: BotApiDouble, browser: aiohttp.ClientSession, joiner: Joiner
) -> None:
    async with browser.post("/sandbox/people", json={"name": "Ali", "role": "visitor"}) as sent:
        person = (await sent.json())["id"]
    user = double.user(person)
    assert user is not None
    assert user.as_dict() == {"id": person, "is_bot": False, "first_name": "Ali"}
    chat = double.chat(person)
    assert chat is not None
    assert [stored.data["text"] for stored in chat.messages.values()] == ["/start"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(b"{not json", "JSON", id="not-json"),
        pytest.param(b'["Nora", "family"]', "object", id="not-an-object"),
        pytest.param(b'{"role": "family"}', "name", id="no-name"),
        pytest.param(b'{"name": "   ", "role": "family"}', "name", id="blank-name"),
        pytest.param(b'{"name": 42, "role": "family"}', "name", id="name-not-text"),
        pytest.param(
            json.dumps({"name": "N" * 65, "role": "family"}).encode(), "64", id="name-too-long"
        ),
        pytest.param(json.dumps({"name": "Nora\u0000", "role": "family"}).encode(), "64", id="nul"),
        pytest.param(
            json.dumps({"name": "Nora\u202eevil", "role": "family"}).encode(), "64", id="bidi"
        ),
        pytest.param(b'{"name": "Nora", "role": "king"}', "role", id="unknown-role"),
        pytest.param(b'{"name": "Nora"}', "role", id="no-role"),
        pytest.param(
            b'{"name": "Nora", "role": "family", "language": {"code": "sv"}}',
            "language",
            id="language-not-text",
        ),
        pytest.param(
            b'{"name": "Nora", "role": "family", "language": "sv\\nx"}',
            "language",
            id="language-not-a-code",
        ),
    ],
)
async def test_a_person_the_page_cannot_make_is_refused_and_nobody_is_added(
    double: BotApiDouble,
    browser: aiohttp.ClientSession,
    http: httpx.AsyncClient,
    joiner: Joiner,
    body: bytes,
    expected: str,
) -> None:
    double.add_user("Eva")
    before = snapshot(double)
    events = double.subscribe()
    headers = {"Content-Type": "application/json"}
    async with browser.post("/sandbox/people", data=body, headers=headers) as response:
        error = await refused(response)
    assert expected.lower() in error.lower()
    assert snapshot(double) == before
    assert joiner.calls == []
    assert events.empty()
    assert await pending_updates(http) == []


async def test_joining_is_refused_when_whoever_runs_the_double_did_not_allow_it(
    double: BotApiDouble, browser: aiohttp.ClientSession
) -> None:
    async with browser.post("/sandbox/people", json={"name": "Nora", "role": "family"}) as sent:
        await refused(sent)
    assert double.chats() == []


async def test_a_longest_name_is_taken(
    double: BotApiDouble, browser: aiohttp.ClientSession, joiner: Joiner
) -> None:
    name = "Å" * 64
    async with browser.post("/sandbox/people", json={"name": name, "role": "family"}) as sent:
        assert sent.status == 200
    assert [chat.user["first_name"] for chat in double.chats()] == [name]


# --- one person's chat -------------------------------------------------------------------------


async def test_a_chat_shows_both_sides_with_the_reply_keyboard(
    double: BotApiDouble,
    browser: aiohttp.ClientSession,
    http: httpx.AsyncClient,
    anna: SandboxUser,
) -> None:
    await anna.send("Hej")
    keyboard = {"keyboard": [["Ja", "Nej"]], "resize_keyboard": True}
    await http.post(
        "sendMessage",
        json={
            "chat_id": anna.id,
            "text": "<b>Välkommen</b>",
            "parse_mode": "HTML",
            "reply_markup": keyboard,
        },
    )
    async with browser.get(f"/sandbox/chats/{anna.id}") as response:
        chat = await response.json()
    assert chat["id"] == anna.id
    assert [(m["text"], m["outgoing"]) for m in chat["messages"]] == [
        ("Hej", True),
        ("Välkommen", False),
    ]
    assert chat["messages"][1]["entities"] == [{"offset": 0, "length": 9, "type": "bold"}]
    assert chat["reply_keyboard"]["keyboard"] == [["Ja", "Nej"]]
    # The page's view is a copy: reading it changes nothing in the double.
    assert "outgoing" not in anna.messages[0]


async def test_text_is_sent_as_the_person_and_reaches_the_bot(
    double: BotApiDouble,
    browser: aiohttp.ClientSession,
    http: httpx.AsyncClient,
    anna: SandboxUser,
) -> None:
    async with browser.post(f"/sandbox/chats/{anna.id}/messages", json={"text": "/help"}) as sent:
        assert sent.status == 200, await sent.text()
        message_id = (await sent.json())["message_id"]
    longest = "x" * 4096
    async with browser.post(f"/sandbox/chats/{anna.id}/messages", json={"text": longest}) as sent:
        assert sent.status == 200, await sent.text()

    first, second = await pending_updates(http)
    assert first["message"]["message_id"] == message_id
    assert first["message"]["from"]["id"] == anna.id
    assert first["message"]["text"] == "/help"
    assert first["message"]["entities"] == [{"offset": 0, "length": 5, "type": "bot_command"}]
    assert second["message"]["text"] == longest


async def test_a_visitor_shares_a_fictional_number_by_the_bots_button(
    double: BotApiDouble,
    browser: aiohttp.ClientSession,
    http: httpx.AsyncClient,
    joiner: Joiner,
) -> None:
    async with browser.post("/sandbox/people", json={"name": "Nora", "role": "visitor"}) as made:
        person = (await made.json())["id"]
    share = {"contact": True}
    async with browser.post(f"/sandbox/chats/{person}/messages", json=share) as sent:
        assert "no button to share a number" in await refused(sent)
    button = {"text": "Dela mitt telefonnummer", "request_contact": True}
    await http.post(
        "sendMessage",
        json={"chat_id": person, "text": "Nummer?", "reply_markup": {"keyboard": [[button]]}},
    )
    async with browser.post(f"/sandbox/chats/{person}/messages", json=share) as sent:
        assert sent.status == 200, await sent.text()
    _, update = await pending_updates(http)  # the visitor's /start, then the contact
    assert update["message"]["contact"] == {
        "phone_number": "46701740605",  # kept by Sweden's regulator for fiction
        "first_name": "Nora",
        "user_id": person,
    }


async def test_a_reply_quotes_its_message_and_a_foreign_one_is_sent_without_a_quote(
    double: BotApiDouble,
    browser: aiohttp.ClientSession,
    http: httpx.AsyncClient,
    anna: SandboxUser,
) -> None:
    bo = double.add_user("Bo")
    question = await http.post("sendMessage", json={"chat_id": anna.id, "text": "Hur mår ni?"})
    question_id = question.json()["result"]["message_id"]
    await bo.send("first")
    await bo.send("second")
    await bo.send("third")  # Bo's message 3 exists; Anna's chat has only message 1 so far

    route = f"/sandbox/chats/{anna.id}/messages"
    async with browser.post(route, json={"text": "Bra!", "reply_to": question_id}) as sent:
        assert sent.status == 200, await sent.text()
    async with browser.post(route, json={"text": "Och ni?", "reply_to": 3}) as sent:
        assert sent.status == 200, await sent.text()

    updates = [
        u["message"] for u in await pending_updates(http) if u["message"]["chat"]["id"] == anna.id
    ]
    reply, plain = updates
    assert reply["reply_to_message"]["message_id"] == question_id
    assert reply["reply_to_message"]["text"] == "Hur mår ni?"
    assert plain["text"] == "Och ni?"
    assert "reply_to_message" not in plain


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(b"text=hi", "JSON", id="not-json"),
        pytest.param(b'"hi"', "object", id="not-an-object"),
        pytest.param(b"{}", "write", id="no-text"),
        pytest.param(b'{"text": ""}', "write", id="empty"),
        pytest.param(b'{"text": " \\n\\t "}', "write", id="blank"),
        pytest.param(b'{"text": 12}', "write", id="not-text"),
        pytest.param(json.dumps({"text": "x" * 4097}).encode(), "4096", id="too-long"),
        pytest.param(json.dumps({"text": "👋" * 2049}).encode(), "4096", id="too-long-utf16"),
        pytest.param(b'{"text": "hi", "reply_to": "1"}', "replied", id="reply-to-not-a-number"),
        pytest.param(b'{"text": "hi", "reply_to": true}', "replied", id="reply-to-true"),
    ],
)
async def test_a_message_the_page_cannot_send_is_refused_and_nothing_is_sent(
    double: BotApiDouble,
    browser: aiohttp.ClientSession,
    http: httpx.AsyncClient,
    anna: SandboxUser,
    body: bytes,
    expected: str,
) -> None:
    await http.post("sendMessage", json={"chat_id": anna.id, "text": "Hej"})
    before = snapshot(double)
    headers = {"Content-Type": "application/json"}
    route = f"/sandbox/chats/{anna.id}/messages"
    async with browser.post(route, data=body, headers=headers) as response:
        error = await refused(response)
    assert expected.lower() in error.lower()
    assert snapshot(double) == before
    assert await pending_updates(http) == []


async def test_an_unknown_person_is_not_found(
    double: BotApiDouble, browser: aiohttp.ClientSession, anna: SandboxUser
) -> None:
    nobody = anna.id + 1000
    async with browser.get(f"/sandbox/chats/{nobody}") as response:
        await refused(response, 404)
    async with browser.post(f"/sandbox/chats/{nobody}/messages", json={"text": "hi"}) as response:
        await refused(response, 404)
    press = {"message_id": 1, "data": "x"}
    async with browser.post(f"/sandbox/chats/{nobody}/press", json=press) as response:
        await refused(response, 404)
    assert [chat.id for chat in double.chats()] == [anna.id]


# --- files -------------------------------------------------------------------------------------


def upload(data: bytes, name: str, content_type: str, caption: str | None = None) -> dict[str, Any]:
    """A file as the page sends it: base64 in JSON."""
    encoded = base64.b64encode(data).decode()
    body: dict[str, Any] = {"file": {"name": name, "type": content_type, "data": encoded}}
    if caption is not None:
        body["caption"] = caption
    return body


async def test_an_image_is_sent_as_a_photo_of_its_size_and_served_back(
    double: BotApiDouble,
    browser: aiohttp.ClientSession,
    http: httpx.AsyncClient,
    anna: SandboxUser,
) -> None:
    image = png(3, 2)
    form = upload(image, "garden.png", "image/png", caption="Our garden")
    async with browser.post(f"/sandbox/chats/{anna.id}/messages", json=form) as sent:
        assert sent.status == 200, await sent.text()

    (update,) = await pending_updates(http)
    message = update["message"]
    (photo,) = message["photo"]
    assert (photo["width"], photo["height"], photo["file_size"]) == (3, 2, len(image))
    assert message["caption"] == "Our garden"
    assert "document" not in message
    async with browser.get(f"/sandbox/files/{photo['file_id']}") as served:
        assert served.status == 200
        assert served.content_type == "image/png"
        assert await served.read() == image


async def test_a_document_keeps_its_name_and_type_and_is_served_as_a_download(
    double: BotApiDouble,
    browser: aiohttp.ClientSession,
    http: httpx.AsyncClient,
    anna: SandboxUser,
) -> None:
    content = b"%PDF-1.4 the placement plan"
    name = 'Närvaro "vecka 12".pdf'
    form = upload(content, name, "application/pdf")
    async with browser.post(f"/sandbox/chats/{anna.id}/messages", json=form) as sent:
        assert sent.status == 200, await sent.text()

    (update,) = await pending_updates(http)
    document = update["message"]["document"]
    assert document["file_name"] == name
    assert document["mime_type"] == "application/pdf"
    assert "caption" not in update["message"]
    async with browser.get(f"/sandbox/files/{document['file_id']}") as served:
        assert served.status == 200
        assert served.content_type == "application/pdf"
        assert await served.read() == content
        disposition = served.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "N%C3%A4rvaro%20%22vecka%2012%22.pdf" in disposition


async def test_an_upload_that_is_not_an_image_is_a_document_whatever_it_claims(
    browser: aiohttp.ClientSession, http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    form = upload(b"<svg xmlns='http://www.w3.org/2000/svg'/>", "logo.svg", "image/svg+xml")
    async with browser.post(f"/sandbox/chats/{anna.id}/messages", json=form) as sent:
        assert sent.status == 200, await sent.text()
    (update,) = await pending_updates(http)
    assert "photo" not in update["message"]
    assert update["message"]["document"]["file_name"] == "logo.svg"
    async with browser.get(f"/sandbox/files/{update['message']['document']['file_id']}") as served:
        # Never shown inline: a file someone uploaded runs no script in the page's origin.
        assert served.headers["Content-Disposition"].startswith("attachment")
        assert served.headers["X-Content-Type-Options"] == "nosniff"


async def test_a_file_that_only_starts_like_a_picture_is_served_as_one_or_not_at_all(
    browser: aiohttp.ClientSession, http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    """JPEG's first two bytes, then a script, declared text/html and too large for a photo: it
    is a document, and the page serves it as a picture or as a download, never as a page."""
    disguised = b"\xff\xd8<script>document.title='XSS'</script>" + b" " * (10 * 2**20)
    form = upload(disguised, "holiday.html", "text/html")
    async with browser.post(f"/sandbox/chats/{anna.id}/messages", json=form) as sent:
        assert sent.status == 200, await sent.text()
    (update,) = await pending_updates(http)
    async with browser.get(f"/sandbox/files/{update['message']['document']['file_id']}") as served:
        assert served.content_type == "image/jpeg"  # what its bytes claim, not text/html
        assert served.headers["Content-Security-Policy"].startswith("sandbox")
        assert served.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("declared", ["text/csv", "text/csv; charset=utf-8"])
async def test_a_file_the_bot_sent_is_served_and_an_unknown_one_is_not_found(
    browser: aiohttp.ClientSession, http: httpx.AsyncClient, anna: SandboxUser, declared: str
) -> None:
    sent = await http.post(
        "sendDocument",
        data={"chat_id": anna.id},
        files={"document": ("report.csv", b"day,requests\nmon,3\n", declared)},
    )
    file_id = sent.json()["result"]["document"]["file_id"]
    async with browser.get(f"/sandbox/files/{file_id}") as served:
        assert served.status == 200
        assert served.content_type == "text/csv"
        assert await served.read() == b"day,requests\nmon,3\n"
    async with browser.get("/sandbox/files/BQACAgnothing") as missing:
        await refused(missing, 404)


@pytest.mark.parametrize(
    ("declared", "kept"),
    [
        ("text/plain; charset=utf-8", "text/plain"),  # parameters are not part of the type
        ("Text/Plain", "text/plain"),
        ("nonsense", "text/plain"),  # not a media type: the name's extension decides
        ("", "text/plain"),
    ],
)
async def test_a_documents_declared_type_is_kept_as_telegram_keeps_it(
    browser: aiohttp.ClientSession,
    http: httpx.AsyncClient,
    anna: SandboxUser,
    declared: str,
    kept: str,
) -> None:
    form = upload(b"Tuesday 09:00, theme morning", "notes.txt", declared)
    async with browser.post(f"/sandbox/chats/{anna.id}/messages", json=form) as sent:
        assert sent.status == 200, await sent.text()
    (update,) = await pending_updates(http)
    document = update["message"]["document"]
    assert document["mime_type"] == kept
    async with browser.get(f"/sandbox/files/{document['file_id']}") as served:
        assert served.status == 200
        assert served.content_type == kept


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(upload(b"", "empty.txt", "text/plain"), "empty", id="empty-file"),
        pytest.param({"file": None, "caption": "only a caption"}, "file", id="no-file"),
        pytest.param(
            upload(b"a", "a.txt", "text/plain", caption="x" * 1025), "1024", id="caption-too-long"
        ),
        pytest.param(
            upload(b"x" * (50 * 2**20 + 1), "big.bin", "application/octet-stream"),
            "too large",
            id="over-50-mb",
        ),
        pytest.param(
            upload(b"x" * (52 * 2**20), "bigger.bin", "application/octet-stream"),
            "too large",
            id="more-than-the-server-reads",
        ),
    ],
)
async def test_an_upload_the_page_cannot_send_is_refused(
    double: BotApiDouble,
    browser: aiohttp.ClientSession,
    http: httpx.AsyncClient,
    anna: SandboxUser,
    body: dict[str, Any],
    expected: str,
) -> None:
    async with browser.post(f"/sandbox/chats/{anna.id}/messages", json=body) as response:
        error = await refused(response)
    assert expected.lower() in error.lower()
    assert snapshot(double) == [(anna.id, 0)]
    assert await pending_updates(http) == []


@pytest.mark.parametrize(
    "file",
    [
        pytest.param({"name": "a.txt", "type": "text/plain", "data": "not base64!"}, id="data"),
        pytest.param({"name": ["a.txt"], "type": "text/plain", "data": "YQ=="}, id="name"),
        pytest.param({"name": "a.txt", "type": 7, "data": "YQ=="}, id="type"),
    ],
)
async def test_a_broken_upload_is_refused_in_one_line(
    double: BotApiDouble,
    browser: aiohttp.ClientSession,
    http: httpx.AsyncClient,
    anna: SandboxUser,
    caplog: pytest.LogCaptureFixture,
    file: dict[str, Any],
) -> None:
    route = f"/sandbox/chats/{anna.id}/messages"
    async with browser.post(route, json={"file": file}) as sent:
        assert "upload" in (await refused(sent)).lower()
    assert snapshot(double) == [(anna.id, 0)]
    assert await pending_updates(http) == []
    assert [record.getMessage() for record in caplog.records if record.levelname == "ERROR"] == []


# --- buttons -----------------------------------------------------------------------------------


async def test_pressing_a_button_reaches_the_bot_and_returns_its_answer(
    double: BotApiDouble,
    browser: aiohttp.ClientSession,
    http: httpx.AsyncClient,
    anna: SandboxUser,
) -> None:
    keyboard = {"inline_keyboard": [[{"text": "Accept", "callback_data": "accept:7"}]]}
    offer = await http.post(
        "sendMessage", json={"chat_id": anna.id, "text": "A question", "reply_markup": keyboard}
    )
    message_id = offer.json()["result"]["message_id"]
    press = {"message_id": message_id, "data": "accept:7"}

    async def bot_answers() -> dict[str, Any]:
        (update,) = await updates_within(http, EVENT_TIMEOUT)
        query = update["callback_query"]
        answered = await http.post(
            "answerCallbackQuery", json={"callback_query_id": query["id"], "text": "Taken by you"}
        )
        assert answered.json() == {"ok": True, "result": True}
        return dict(query)

    bot = asyncio.create_task(bot_answers())
    async with browser.post(f"/sandbox/chats/{anna.id}/press", json=press) as response:
        assert response.status == 200, await response.text()
        answer = await response.json()
    query = await bot
    assert answer == {"answer": {"show_alert": False, "text": "Taken by you"}}
    assert query["data"] == "accept:7"
    assert query["from"]["id"] == anna.id
    assert query["message"]["message_id"] == message_id
    assert query["message"]["text"] == "A question"


@pytest.mark.parametrize(
    ("press", "expected"),
    [
        pytest.param({"message_id": 2, "data": "accept:7"}, "gone", id="not-in-this-chat"),
        pytest.param({"message_id": 99, "data": "accept:7"}, "gone", id="no-such-message"),
        pytest.param({"message_id": "1", "data": "accept:7"}, "button", id="id-as-text"),
        pytest.param({"message_id": 1.0, "data": "accept:7"}, "button", id="id-as-float"),
        pytest.param({"message_id": True, "data": "accept:7"}, "button", id="id-as-true"),
        pytest.param({"message_id": 1}, "button", id="no-data"),
        pytest.param({"message_id": 1, "data": 7}, "button", id="data-not-text"),
        pytest.param([1, "accept:7"], "object", id="not-an-object"),
    ],
)
async def test_a_press_the_page_cannot_make_is_refused_and_the_bot_hears_nothing(
    double: BotApiDouble,
    browser: aiohttp.ClientSession,
    http: httpx.AsyncClient,
    anna: SandboxUser,
    press: object,
    expected: str,
) -> None:
    bo = double.add_user("Bo")
    keyboard = {"inline_keyboard": [[{"text": "Accept", "callback_data": "accept:7"}]]}
    await http.post("sendMessage", json={"chat_id": anna.id, "text": "1", "reply_markup": keyboard})
    await http.post("sendMessage", json={"chat_id": bo.id, "text": "1", "reply_markup": keyboard})
    await http.post("sendMessage", json={"chat_id": bo.id, "text": "2", "reply_markup": keyboard})
    async with browser.post(f"/sandbox/chats/{anna.id}/press", json=press) as response:
        error = await refused(response)
    assert expected.lower() in error.lower()
    assert await pending_updates(http) == []


# --- live events -------------------------------------------------------------------------------


async def next_event(stream: aiohttp.ClientResponse) -> dict[str, Any]:
    """The next `data:` entry of a server-sent event stream (comments skipped)."""
    while True:
        line = await asyncio.wait_for(stream.content.readline(), EVENT_TIMEOUT)
        assert line, "the event stream ended"
        if line.startswith(b"data: "):
            entry: dict[str, Any] = json.loads(line[len(b"data: ") :])
            return entry


async def connected(stream: aiohttp.ClientResponse) -> None:
    """Wait for the stream's greeting: every event after it is delivered."""
    assert stream.status == 200
    assert stream.content_type == "text/event-stream"
    assert stream.headers["Cache-Control"] == "no-cache"
    line = await asyncio.wait_for(stream.content.readline(), EVENT_TIMEOUT)
    assert line == b": connected\n"


async def test_the_event_stream_follows_every_chat_in_order(
    double: BotApiDouble,
    browser: aiohttp.ClientSession,
    http: httpx.AsyncClient,
    anna: SandboxUser,
) -> None:
    async with browser.get("/sandbox/events") as stream:
        await connected(stream)
        await anna.send("Hej")
        keyboard = {"inline_keyboard": [[{"text": "OK", "callback_data": "ok"}]]}
        sent = await http.post(
            "sendMessage", json={"chat_id": anna.id, "text": "Svar", "reply_markup": keyboard}
        )
        answer_id = sent.json()["result"]["message_id"]
        await http.post(
            "editMessageText", json={"chat_id": anna.id, "message_id": answer_id, "text": "Svar!"}
        )
        await http.post("deleteMessage", json={"chat_id": anna.id, "message_id": 1})
        bo = double.add_user("Bo")
        # The edit took the keyboard away (as on Telegram); an older page may still press it.
        (seen,) = await pending_updates(http)  # Anna's "Hej"
        press = asyncio.create_task(anna.press_data(answer_id, "ok"))
        (update,) = await updates_within(http, EVENT_TIMEOUT, offset=seen["update_id"] + 1)
        query = update["callback_query"]
        await http.post(
            "answerCallbackQuery", json={"callback_query_id": query["id"], "text": "Klart"}
        )
        await press

        events = [await next_event(stream) for _ in range(6)]
    assert events == [
        {"kind": "message", "chat_id": anna.id, "message_id": 1},
        {"kind": "message", "chat_id": anna.id, "message_id": answer_id},
        {"kind": "edited", "chat_id": anna.id, "message_id": answer_id},
        {"kind": "deleted", "chat_id": anna.id, "message_id": 1},
        {"kind": "user_added", "chat_id": bo.id, "message_id": None},
        {"kind": "callback_answered", "chat_id": anna.id, "message_id": None, "text": "Klart"},
    ]


async def test_two_pages_each_get_every_event(
    browser: aiohttp.ClientSession, anna: SandboxUser
) -> None:
    async with browser.get("/sandbox/events") as first, browser.get("/sandbox/events") as second:
        await connected(first)
        await connected(second)
        await anna.send("Hej")
        expected = {"kind": "message", "chat_id": anna.id, "message_id": 1}
        assert await next_event(first) == expected
        assert await next_event(second) == expected


async def test_stopping_the_double_ends_open_event_streams_promptly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    double = BotApiDouble(TOKEN, limits=None)
    await double.start()
    loop = asyncio.get_running_loop()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with page_session(double) as session:
            streams = [await session.get("/sandbox/events") for _ in range(2)]
            for stream in streams:
                await connected(stream)
            started = loop.time()
            await asyncio.wait_for(double.stop(), EVENT_TIMEOUT)
            assert loop.time() - started < 0.5
            for stream in streams:
                # The stream ends (cleanly or cut off), it does not wait for a keepalive.
                with contextlib.suppress(aiohttp.ClientPayloadError):
                    rest = await asyncio.wait_for(stream.content.read(), EVENT_TIMEOUT)
                    assert b"data:" not in rest
                stream.release()
        others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        assert others == []
    assert [str(warning.message) for warning in caught] == []
    assert [r.getMessage() for r in caplog.records if r.levelname in ("ERROR", "WARNING")] == []


async def test_a_restarted_double_streams_events_again() -> None:
    double = BotApiDouble(TOKEN, limits=None)
    async with double:
        pass
    async with double, page_session(double) as session:
        user = double.add_user("Late")
        async with session.get("/sandbox/events") as stream:
            await connected(stream)
            await user.send("hej")
            assert await next_event(stream) == {
                "kind": "message",
                "chat_id": user.id,
                "message_id": 1,
            }


async def test_a_page_reconnecting_while_the_double_stops_is_turned_away(
    double: BotApiDouble, browser: aiohttp.ClientSession
) -> None:
    await double.page.close()  # the first step of double.stop()
    async with browser.get("/sandbox/events") as late:
        assert late.status == 503


# --- only the page's own tab -------------------------------------------------------------------


@pytest.fixture
async def stranger(double: BotApiDouble) -> AsyncIterator[aiohttp.ClientSession]:
    """Requests as anyone may make them: no key added, headers as given."""
    timeout = aiohttp.ClientTimeout(total=10)
    async with aiohttp.ClientSession(base_url=double.api_url, timeout=timeout) as session:
        yield session


def own_host(double: BotApiDouble) -> str:
    """``127.0.0.1:PORT``, as the browser that opened the page sends it in ``Host``."""
    return urlsplit(double.api_url).netloc


class Untouched:
    """Who exists, what each chat holds, what the bot would get: all as they were."""

    def __init__(self, double: BotApiDouble, http: httpx.AsyncClient, joiner: Joiner) -> None:
        self._double, self._http, self._joiner = double, http, joiner
        self._before = snapshot(double)
        self._events = double.subscribe()

    async def check(self) -> None:
        assert snapshot(self._double) == self._before
        assert self._joiner.calls == []
        assert self._events.empty()
        assert await pending_updates(self._http) == []


@pytest.fixture
def untouched(
    double: BotApiDouble, http: httpx.AsyncClient, joiner: Joiner, anna: SandboxUser
) -> Untouched:
    return Untouched(double, http, joiner)


def every_change(anna: SandboxUser) -> list[tuple[str, dict[str, Any]]]:
    """Each state-changing route of the page with a body it would take as JSON."""
    return [
        ("/sandbox/people", {"name": "Nora", "role": "family"}),
        (f"/sandbox/chats/{anna.id}/messages", {"text": "/start"}),
        (f"/sandbox/chats/{anna.id}/messages", upload(b"notes", "a.txt", "text/plain")),
        (f"/sandbox/chats/{anna.id}/press", {"message_id": 1, "data": "x"}),
    ]


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",  # what a foreign page's fetch or form sends without asking first
        "text/plain; charset=utf-8",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        None,
    ],
)
async def test_a_change_not_posted_as_json_is_refused_and_changes_nothing(
    double: BotApiDouble,
    stranger: aiohttp.ClientSession,
    anna: SandboxUser,
    untouched: Untouched,
    content_type: str | None,
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    for path, body in every_change(anna):
        data = json.dumps(body).encode()
        params = {"key": page_key(double)}
        async with stranger.post(path, data=data, headers=headers, params=params) as response:
            await refused(response, 415)
    await untouched.check()


@pytest.mark.parametrize(
    "origin",
    [
        "https://example.com",
        "null",  # a sandboxed frame or a file:// page
        "http://127.0.0.1:1",  # another service on this computer
        "https://127.0.0.1:{port}",
        "http://localhost:{port}",  # not the origin this page was opened at (127.0.0.1)
    ],
)
async def test_a_request_from_another_origin_is_refused_and_changes_nothing(
    double: BotApiDouble,
    browser: aiohttp.ClientSession,
    anna: SandboxUser,
    untouched: Untouched,
    origin: str,
) -> None:
    headers = {"Origin": origin.format(port=urlsplit(double.api_url).port)}
    for path, body in every_change(anna):
        async with browser.post(path, json=body, headers=headers) as response:
            await refused(response, 403)
    for path in ("/", "/sandbox/people", f"/sandbox/chats/{anna.id}", "/sandbox/events"):
        async with browser.get(path, headers=headers) as response:
            await refused(response, 403)
    await untouched.check()


@pytest.mark.parametrize(
    "host",
    [
        "attacker.example:{port}",  # a name its owner pointed at 127.0.0.1 (DNS rebinding)
        "attacker.example",
        "127.0.0.1",
        "127.0.0.1:1",
        "localhost.attacker.example:{port}",
        "192.168.1.5:{port}",
    ],
)
async def test_a_request_for_another_host_is_refused_and_changes_nothing(
    double: BotApiDouble,
    browser: aiohttp.ClientSession,
    anna: SandboxUser,
    untouched: Untouched,
    host: str,
) -> None:
    headers = {"Host": host.format(port=urlsplit(double.api_url).port)}
    for path, body in every_change(anna):
        async with browser.post(path, json=body, headers=headers) as response:
            await refused(response, 403)
    for path in ("/", "/chat.js", "/sandbox/people", "/sandbox/events"):
        async with browser.get(path, headers=headers) as response:
            await refused(response, 403)
    await untouched.check()


@pytest.mark.parametrize("key", [None, "", "wrong", "ä"])
async def test_a_request_without_the_pages_key_is_refused_and_changes_nothing(
    double: BotApiDouble,
    http: httpx.AsyncClient,
    stranger: aiohttp.ClientSession,
    anna: SandboxUser,
    untouched: Untouched,
    key: str | None,
) -> None:
    sent = await http.post(
        "sendDocument", data={"chat_id": anna.id}, files={"document": ("a.txt", b"a", None)}
    )
    file_id = sent.json()["result"]["document"]["file_id"]
    untouched = Untouched(double, http, Joiner())  # the bot's document is in the chat now
    params = {} if key is None else {"key": key}
    for path, body in every_change(anna):
        async with stranger.post(path, json=body, params=params) as response:
            await refused(response, 403)
    reads = ["/", "/sandbox/people", f"/sandbox/chats/{anna.id}", f"/sandbox/files/{file_id}"]
    for path in [*reads, "/sandbox/events"]:
        async with stranger.get(path, params=params) as response:
            await refused(response, 403)
    await untouched.check()


async def test_the_page_opened_at_its_address_works_as_its_own_origin(
    double: BotApiDouble,
    stranger: aiohttp.ClientSession,
    http: httpx.AsyncClient,
    anna: SandboxUser,
) -> None:
    """The address printed at start, under each of this computer's own names; the assets its
    HTML names (without the key, the same in every copy of the project) load too."""
    address = urlsplit(double.page.address)
    assert address.path == "/"
    assert len(page_key(double)) >= 32
    port = address.port
    for name in ("127.0.0.1", "localhost", "[::1]"):
        own = {"Host": f"{name}:{port}"}
        async with stranger.get(f"/?{address.query}", headers=own) as page:
            assert page.status == 200
            assert page.content_type == "text/html"
        for asset in ("/chat.js", "/chat.css"):
            async with stranger.get(asset, headers=own) as loaded:
                assert loaded.status == 200
        origin = {**own, "Origin": f"http://{name}:{port}"}
        route = f"/sandbox/chats/{anna.id}/messages?{address.query}"
        async with stranger.post(route, json={"text": name}, headers=origin) as sent:
            assert sent.status == 200, await sent.text()
    assert [update["message"]["text"] for update in await pending_updates(http)] == [
        "127.0.0.1",
        "localhost",
        "[::1]",
    ]
