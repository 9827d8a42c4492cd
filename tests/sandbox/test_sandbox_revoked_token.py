"""A token revoked while the bot runs, and a bot pointed at the wrong root: as Telegram answers.

These are what the bot's "no silent zombie" behaviour is tested against (tests/e2e/
test_no_zombie.py), so the double must answer them exactly as Telegram does.
"""

from __future__ import annotations

import asyncio

import httpx

from bot.sandbox import BotApiDouble, SandboxUser
from tests.sandbox.support import TOKEN

UNAUTHORIZED = {"ok": False, "error_code": 401, "description": "Unauthorized"}
NOT_FOUND = {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_after_a_revocation_every_call_answers_401(
    double: BotApiDouble, http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    assert (await http.post("getMe")).status_code == 200
    double.revoke_token()
    for method, params in (("getMe", {}), ("sendMessage", {"chat_id": anna.id, "text": "hi"})):
        answer = await http.post(method, json=params)
        assert (answer.status_code, answer.json()) == (401, UNAUTHORIZED)
    assert [(r.method, r.status) for r in double.requests] == [
        ("getMe", 200),
        ("getMe", 401),
        ("sendMessage", 401),
    ]
    assert anna.messages == []


async def test_a_long_poll_waiting_at_the_revocation_is_answered_401_at_once(
    double: BotApiDouble, http: httpx.AsyncClient
) -> None:
    poll = asyncio.create_task(http.post("getUpdates", json={"timeout": 30}, timeout=60))
    await asyncio.sleep(0.3)  # the poll reaches the double and waits for updates
    assert not poll.done()
    double.revoke_token()
    answer = await asyncio.wait_for(poll, timeout=10)  # not the poll's 30 seconds
    assert (answer.status_code, answer.json()) == (401, UNAUTHORIZED)
    assert [r.status for r in double.calls("getUpdates")] == [401]


async def test_a_file_download_after_a_revocation_answers_401(
    double: BotApiDouble, http: httpx.AsyncClient, anna: SandboxUser
) -> None:
    sent = await http.post(
        "sendDocument", data={"chat_id": str(anna.id)}, files={"document": ("a.txt", b"text")}
    )
    file_id = sent.json()["result"]["document"]["file_id"]
    path = (await http.post("getFile", json={"file_id": file_id})).json()["result"]["file_path"]
    double.revoke_token()
    async with httpx.AsyncClient(base_url=double.api_url) as client:
        download = await client.get(f"/file/bot{TOKEN}/{path}")
    assert (download.status_code, download.json()) == (401, UNAUTHORIZED)


async def test_a_path_that_is_not_the_bot_api_answers_telegrams_404(double: BotApiDouble) -> None:
    """A TELEGRAM_API_URL with a wrong path (`.../api`) puts a prefix before `/bot<token>`."""
    async with httpx.AsyncClient(base_url=double.api_url) as client:
        wrong_root = await client.post(f"/api/bot{TOKEN}/getMe")
        nowhere = await client.get("/nothing/here")
        page = await client.get(double.page.address)
    assert (wrong_root.status_code, wrong_root.json()) == (404, NOT_FOUND)
    assert (nowhere.status_code, nowhere.json()) == (404, NOT_FOUND)
    assert page.status_code == 200  # the chat page is still there, at its address
