"""`mentorbot sandbox --demo`, played in a real headless browser, as a visitor would.

The sandbox runs as an operator starts it (`python -m bot sandbox --demo`); Debian's Chromium,
driven by Playwright, uses the page: a foster family asks, a mentor accepts, they exchange a
message, the family rates the help. What each person sees is read off the page itself. A
screenshot of the page is kept in `artifacts/`. The page is opened at the address the sandbox
printed, with its key, as an operator opens it; the key is in the output that once only.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import struct
import zlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, Route, async_playwright, expect

from tests.e2e.chat_support import base_env, run_mentorbot

CHROMIUM = os.environ.get("MENTORBOT_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
READY_TIMEOUT = 30.0
# The flags this machine's closed network needs (Chromium would otherwise phone home at start).
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def sandbox_url(tmp_path: Path) -> AsyncIterator[str]:
    env = base_env(tmp_path)
    env["MENTORBOT_LANGUAGE"] = "en"
    port = _free_port()
    log_path = tmp_path / "sandbox.log"
    process = await run_mentorbot(
        "sandbox", "--demo", "--port", str(port), env=env, cwd=tmp_path, log_path=log_path
    )
    try:
        deadline = asyncio.get_running_loop().time() + READY_TIMEOUT
        log = ""
        while "Application started" not in log:
            assert process.returncode is None, f"the sandbox exited:\n{log}"
            assert asyncio.get_running_loop().time() < deadline, f"no start:\n{log}"
            await asyncio.sleep(0.1)
            log = log_path.read_text()
        printed = re.search(rf"open (http://127\.0\.0\.1:{port}/\?key=([\w-]+)) in a browser", log)
        assert printed is not None, log
        address, key = printed.groups()
        assert (tmp_path / "sandbox.db").exists(), "the sandbox must use its own sandbox.db"
        yield address
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), timeout=15)
    log = log_path.read_text()
    assert "Traceback" not in log, log
    assert log.count(key) == 1, "the page's key is printed once and logged nowhere else"


def _png(width: int, height: int) -> bytes:
    """A real (grey) PNG, so that the browser has to decode what the bot relayed."""
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _chromium() -> str:
    assert Path(CHROMIUM).exists(), f"no Chromium at {CHROMIUM}: apt-get install chromium"
    return CHROMIUM


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=_chromium(), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield launched
        finally:
            await launched.close()


async def _become(page: Page, name: str) -> None:
    await page.get_by_role("navigation").get_by_role("button", name=re.compile(name)).click()
    await expect(page.get_by_role("heading", level=2, name=f"{name}'s chat")).to_be_visible()


async def _say(page: Page, text: str) -> None:
    await page.get_by_label("Message", exact=True).fill(text)
    await page.get_by_label("Message", exact=True).press("Enter")


async def test_a_family_asks_a_mentor_accepts_they_talk_and_the_family_rates(
    sandbox_url: str, browser: Browser
) -> None:
    page = await browser.new_page(viewport={"width": 1200, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(sandbox_url)
    log = page.get_by_role("log", name="Messages")

    # The demo's people are there, each with their role.
    people = page.get_by_role("navigation")
    for person in ("Karin Lund", "Eva Berg", "Sara Holm", "Lina Ek", "Jonas Andersson"):
        await expect(people.get_by_role("button", name=re.compile(person))).to_be_visible()
    await expect(people.get_by_role("button", name=re.compile("Lina Ek"))).to_contain_text(
        "Foster family · The Eks"
    )

    # A family: the past newsletter is in the chat; the question goes to the mentors on duty.
    await _become(page, "Lina Ek")
    await expect(log).to_contain_text("Autumn newsletter")
    await expect(log.locator("strong", has_text="Autumn newsletter")).to_be_visible()
    await _say(page, "Our foster son will not sleep tonight. What can we do?")
    await expect(log).to_contain_text("has gone to the mentor family on duty")

    # A mentor on duty got the offer, unread, and accepts it by its button.
    eva = people.get_by_role("button", name=re.compile("Eva Berg"))
    await expect(eva.locator(".unread")).to_have_text("1")
    await _become(page, "Eva Berg")
    await expect(log).to_contain_text("Our foster son will not sleep tonight")
    await log.get_by_role("button", name="Accept").click()
    await expect(log).to_contain_text("You have question #1 from The Eks")

    # The other mentor on duty sees the same offer turn into "taken", live.
    await _become(page, "Sara Holm")
    await expect(log).to_contain_text("Question #1 has been taken by another mentor.")
    await expect(log.get_by_role("button", name="Accept")).to_have_count(0)
    await expect(log).to_contain_text("edited")

    await _become(page, "Eva Berg")
    await _say(page, "A calm routine helps: the same song, the same lamp, every night.")
    await _become(page, "Lina Ek")
    await expect(log).to_contain_text("the same song, the same lamp")
    await _say(page, "Thank you, we will try that.")
    await page.locator("#file").set_input_files(
        {"name": "lamp.png", "mimeType": "image/png", "buffer": _png(3, 2)}
    )
    await _become(page, "Eva Berg")
    await expect(log).to_contain_text("Thank you, we will try that.")
    # The family's photo reaches the mentor as a photo, labelled with the question's number.
    photo = log.get_by_role("img")
    await expect(photo).to_have_count(1)
    assert await photo.evaluate("image => image.complete && image.naturalWidth") == 3

    # The family ends the conversation and rates it with a button.
    await _become(page, "Lina Ek")
    await _say(page, "/end")
    await expect(log).to_contain_text("How much did it help?")
    await log.get_by_role("button", name="5", exact=True).click()
    await expect(log).to_contain_text("Thank you for rating conversation #1: 5 of 5.")

    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=ARTIFACTS / "sandbox-demo.png", full_page=True)
    assert errors == [], errors


async def test_a_new_person_joins_from_the_page_and_bad_input_is_one_line(
    sandbox_url: str, browser: Browser
) -> None:
    page = await browser.new_page()
    await page.goto(sandbox_url)
    log = page.get_by_role("log", name="Messages")

    await page.get_by_label("Name").fill("Nora Lindgren")
    await page.get_by_label("Joins as").select_option(label="Mentor family adult")
    await page.get_by_role("button", name="Add person").click()
    await expect(page.get_by_role("heading", name="Nora Lindgren's chat")).to_be_visible()
    await expect(log).to_contain_text("/start")
    # The bot welcomes a new mentor through its real invite flow.
    await expect(log.locator(".incoming")).not_to_have_count(0)

    # A name the page cannot take is refused in one line, and nobody is added.
    await page.get_by_label("Name").fill("   ")
    await page.get_by_label("Name").evaluate("field => field.removeAttribute('required')")
    await page.get_by_role("button", name="Add person").click()
    await expect(page.get_by_role("status")).to_have_text("Give the person a name.")
    await expect(page.get_by_role("navigation").get_by_role("listitem")).to_have_count(12)


async def test_switching_people_never_leaves_the_last_ones_buttons_to_press(
    sandbox_url: str, browser: Browser
) -> None:
    """With the next chat slow to load, Sara's Accept must not stay on screen to be pressed
    as Johan: every button acts as the person it was drawn for, and goes when they do."""
    page = await browser.new_page()
    await page.goto(sandbox_url)
    log = page.get_by_role("log", name="Messages")
    await _become(page, "Lina Ek")
    await _say(page, "Can we call you tomorrow?")
    await expect(log).to_contain_text("has gone to the mentor family on duty")
    await _become(page, "Sara Holm")
    await expect(log.get_by_role("button", name="Accept")).to_have_count(1)

    released = asyncio.Event()

    async def slowly(route: Route) -> None:
        await released.wait()
        await route.continue_()

    await page.route(re.compile(r"/sandbox/chats/1000003\?"), slowly)  # Johan Berg's chat
    await page.get_by_role("navigation").get_by_role("button", name=re.compile("Johan")).click()
    await expect(log.get_by_role("button", name="Accept")).to_have_count(0)
    released.set()
    await expect(log.get_by_role("button", name="Accept")).to_have_count(1)  # Johan's own
    await log.get_by_role("button", name="Accept").click()
    await expect(log).to_contain_text("You have question #1 from The Eks")
    await _become(page, "Sara Holm")
    await expect(log).to_contain_text("Question #1 has been taken by another mentor.")
