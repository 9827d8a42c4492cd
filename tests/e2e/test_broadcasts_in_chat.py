"""A coordinator's newsletter reaches every family once, at Telegram's pace, across a crash."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import translator
from bot.sandbox import BotApiDouble, Fault, FaultKind, SandboxUser
from tests.e2e.chat_support import (
    Service,
    StartBot,
    answer,
    build_service,
    join,
    labels,
    texts_until_quiet,
)
from tests.e2e.scene_support import compose

pytestmark = pytest.mark.chat_burst(30)
TZ = ZoneInfo("Europe/Stockholm")
SV = translator("sv")
NEWSLETTER = "Nyhetsbrev december: ny lagstiftning, kurser och temamorgon den 12 december."


async def more_families(service: Service, double: BotApiDouble, count: int) -> list[SandboxUser]:
    families = []
    for index in range(count):
        family = double.add_user(first_name=f"Familj{index}", language_code="sv")
        await join(family, service.karin, "family", f"Familjen Nummer{index}")
        families.append(family)
    return [service.family, *families]


async def received(people: list[SandboxUser], text: str, within: float) -> list[int]:
    """How many times each person got `text`, waiting up to `within` seconds for all of them."""
    deadline = asyncio.get_running_loop().time() + within
    while asyncio.get_running_loop().time() < deadline:
        counts = [sum(1 for m in p.messages if m.get("text") == text) for p in people]
        if all(counts):
            return counts
        await asyncio.sleep(0.2)
    return [sum(1 for m in p.messages if m.get("text") == text) for p in people]


async def send_holding_karins(
    service: Service, double: BotApiDouble, method: str
) -> tuple[list[SandboxUser], Fault]:
    """A newsletter to two families, sent with the bot's next `method` call to Karin held, and
    once it is held."""
    families = await more_families(service, double, 1)
    confirm = await compose(service.karin, NEWSLETTER, "Familjehem")
    held = double.faults.inject(method, FaultKind.HOLD, chat_id=service.karin.id)
    await service.karin.press(confirm, "Skicka")
    await asyncio.wait_for(held.holding.wait(), 30)
    return families, held


async def test_a_newsletter_reaches_every_family_once_and_is_reported(
    service: Service, double: BotApiDouble
) -> None:
    families = await more_families(service, double, 4)
    assert "inte längre nyhetsbrev" in await answer(families[1], "/newsletter av")
    double.block(families[2])
    confirm = await compose(service.karin, NEWSLETTER, "Familjehem")
    assert confirm["text"] == "Till: Familjehem (4 mottagare). När: Nu. Skicka?"
    await service.karin.press(confirm, "Skicka")
    assert "skickas" in (await service.karin.wait_for_edit(confirm))["text"]

    reached = [families[0], *families[3:]]
    assert await received(reached, NEWSLETTER, 15) == [1, 1, 1]
    assert await received([families[1], service.berg], NEWSLETTER, 0.5) == [0, 0]
    # As long as the report after Telegram's 429s below: Karin's chat had a burst of its own.
    report = (await service.karin.next_message(timeout=30))["text"]
    assert report.startswith("Utskick #1 är klart: 3 av 4 levererade; 1 har blockerat boten")
    assert "Nåddes inte: Familjen Nummer1" in report
    listing = await answer(service.karin, "/broadcasts")
    assert "Familjehem: klart, 3 av 4 skickade" in listing


async def test_telegrams_429_and_server_errors_are_waited_out(
    service: Service, double: BotApiDouble
) -> None:
    families = await more_families(service, double, 2)
    # Telegram says "slow down" for one family and fails once for another: both get it once.
    double.faults.inject("sendMessage", 429, times=2, chat_id=families[0].id, retry_after=1)
    double.faults.inject("sendMessage", 502, times=1, chat_id=families[1].id)
    confirm = await compose(service.karin, NEWSLETTER, "Familjehem")
    await service.karin.press(confirm, "Skicka")
    assert await received(families, NEWSLETTER, 30) == [1, 1, 1]
    report = (await service.karin.next_message(timeout=30))["text"]
    assert "3 av 3 levererade" in report


async def test_a_broadcast_goes_out_and_is_reported_though_its_confirmation_cannot_be_edited(
    service: Service, double: BotApiDouble
) -> None:
    # The outbox rests until it is woken, up to a minute: the wake must not wait for the edit.
    families = await more_families(service, double, 1)
    confirm = await compose(service.karin, NEWSLETTER, "Familjehem")
    double.faults.inject(
        "editMessageText",
        FaultKind.BAD_REQUEST,
        chat_id=service.karin.id,
        description="message to edit not found",
    )
    await service.karin.press(confirm, "Skicka")
    assert await received(families, NEWSLETTER, 15) == [1, 1]
    report = (await service.karin.next_message(timeout=30))["text"]  # and she hears of it
    assert report.startswith("Utskick #1 är klart: 2 av 2 levererade"), report


async def test_a_broadcast_done_before_its_confirmation_is_edited_is_still_reported(
    service: Service, double: BotApiDouble
) -> None:
    # The confirmation's edit is held (a slow Telegram) while the outbox sends both messages
    # and finishes: the report's chat must be known from the press, not from the edit.
    families, held = await send_holding_karins(service, double, "editMessageText")
    assert await received(families, NEWSLETTER, 15) == [1, 1]
    report = (await service.karin.next_message(timeout=15))["text"]
    held.release()
    assert report.startswith("Utskick #1 är klart: 2 av 2 levererade"), report


async def test_a_broadcast_resumes_after_a_crash_without_sending_twice(
    start_bot: StartBot, coordinator: SandboxUser, double: BotApiDouble
) -> None:
    bot = await start_bot(MENTORBOT_BROADCAST_RATE="2")
    service = await build_service(bot, coordinator, double)
    families = await more_families(service, double, 7)
    confirm = await compose(service.karin, NEWSLETTER, "Familjehem")
    await service.karin.press(confirm, "Skicka")
    for _ in range(200):  # a crash in the middle: 3 of 8 delivered at 2 a second
        if sum(await received(families, NEWSLETTER, 0)) >= 3:
            break
        await asyncio.sleep(0.1)
    await bot.kill()
    await start_bot(MENTORBOT_BROADCAST_RATE="2")
    counts = await received(families, NEWSLETTER, 30)
    assert all(counts), counts
    # Only the one message in flight at the instant of the crash may arrive twice.
    assert sum(counts) <= len(families) + 1, counts


async def test_a_crash_in_the_middle_of_a_batch_sends_only_the_message_in_flight_twice(
    start_bot: StartBot, coordinator: SandboxUser, double: BotApiDouble
) -> None:
    # At 50 a second the outbox claims five deliveries at a time. The double holds the send to
    # the third family until the bot is dead, and then lets it arrive: the crash comes with
    # that message in flight and others claimed behind it, never sent.
    bot = await start_bot(MENTORBOT_BROADCAST_RATE="50")
    service = await build_service(bot, coordinator, double)
    families = await more_families(service, double, 7)
    held = double.faults.inject("sendMessage", FaultKind.HOLD, chat_id=families[2].id)
    confirm = await compose(service.karin, NEWSLETTER, "Familjehem")
    await service.karin.press(confirm, "Skicka")
    await asyncio.wait_for(held.holding.wait(), 30)
    await bot.kill()
    held.release()
    await start_bot(MENTORBOT_BROADCAST_RATE="50")
    counts = await received(families, NEWSLETTER, 30)
    others = counts[:2] + counts[3:]
    assert others == [1] * len(others), counts
    assert counts[2] in (1, 2), counts
    report = await service.karin.next_message(timeout=30)
    while not report["text"].startswith("Utskick #1 är klart"):
        report = await service.karin.next_message(timeout=30)
    assert "8 av 8 levererade" in report["text"]


async def test_a_report_cut_short_by_a_crash_comes_after_the_restart(
    start_bot: StartBot, coordinator: SandboxUser, double: BotApiDouble
) -> None:
    # Every delivery is settled; the coordinator's report is on its way when the bot dies.
    bot = await start_bot()
    service = await build_service(bot, coordinator, double)
    families, held = await send_holding_karins(service, double, "sendMessage")
    assert await received(families, NEWSLETTER, 0) == [1, 1]
    await bot.kill()
    await start_bot()
    report = (await service.karin.next_message(timeout=30))["text"]
    held.release()
    assert report.startswith("Utskick #1 är klart: 2 av 2 levererade"), report


async def test_a_scheduled_broadcast_survives_a_restart_and_goes_out_on_time(
    start_bot: StartBot, coordinator: SandboxUser, double: BotApiDouble
) -> None:
    bot = await start_bot()
    service = await build_service(bot, coordinator, double)
    send_at = datetime.now(TZ).replace(second=0, microsecond=0) + timedelta(minutes=1)
    if send_at - datetime.now(TZ) < timedelta(seconds=10):
        send_at += timedelta(minutes=1)
    confirm = await compose(
        service.karin, NEWSLETTER, "Mentorsfamiljer", later=f"{send_at:%Y-%m-%d %H:%M}"
    )
    assert f"När: {send_at.day}" in confirm["text"] or "När:" in confirm["text"]
    await service.karin.press(confirm, "Skicka")
    assert "går ut" in (await service.karin.wait_for_edit(confirm))["text"]
    assert await bot.stop() == 0
    await start_bot()
    mentors = [service.berg, service.lind, service.holm]
    counts = await received(mentors, NEWSLETTER, 90)
    assert counts == [1, 1, 1]
    assert datetime.now(TZ) >= send_at
    assert await received([service.family], NEWSLETTER, 0) == [0]


async def test_bad_broadcasts_get_one_line_and_send_nothing(
    service: Service, double: BotApiDouble
) -> None:
    karin = service.karin
    assert "finns inte för din roll" in await answer(service.family, "/broadcast")
    await karin.send("/broadcast")
    await karin.next_message()
    assert "Texten är 4100 tecken" in await answer(karin, "x" * 4100)
    await karin.send_photo(b"\x89PNG\r\n\x1a\n" + bytes(30), caption="y" * 1100)
    assert "Bildtexten är 1100 tecken" in (await karin.next_message())["text"]
    await karin.send_voice(b"OggS")
    assert "kan inte sändas ut" in (await karin.next_message())["text"]
    await karin.send(NEWSLETTER)
    ask = await karin.next_message()
    await karin.press(ask, "Alla (familjer och mentorer)")
    await karin.wait_for_edit(ask)
    await karin.press(ask, "Senare")
    await karin.wait_for_edit(ask)
    assert "har passerat" in await answer(karin, "2020-01-01 09:00")
    skipped = await answer(karin, "2027-03-28 02:30")  # the hour the clocks skip in spring
    assert skipped.startswith("2027-03-28 02:30 finns inte")
    assert "inget datum" in await answer(karin, "i morgon")
    assert "Avbrutet; inget skickades." in await answer(karin, "/cancel")
    assert "Inga utskick än." in await answer(karin, "/broadcasts")
    await texts_until_quiet(service.family, 0.3)
    assert await received([service.family, service.berg], NEWSLETTER, 0) == [0, 0]


def catalogue_row(uid: str, title: str, audience: str) -> str:
    day = datetime.now(TZ).date() + timedelta(days=20)
    return f"{uid};theme_morning;{title};;{day} 09:00;{day} 12:00;Kulturhuset;20;{audience};no;"


async def test_each_recipient_sees_the_sign_up_buttons_of_the_events_they_may_join(
    service: Service,
) -> None:
    karin, family, mentor = service.karin, service.family, service.berg
    header = "id;kind;title;description;starts;ends;place;capacity;audience;children;deadline"
    rows = [
        catalogue_row("kk-1", "Placerade barns hälsa", "families"),
        catalogue_row("kk-2", "Att vara familjehem", "everyone"),
    ]
    await karin.send_document("\r\n".join([header, *rows]).encode(), file_name="katalog.csv")
    preview = await karin.next_message()
    await karin.press(preview, "Importera")
    await karin.wait_for_edit(preview)

    await karin.send("/broadcast")
    await karin.next_message()
    await karin.send(NEWSLETTER)
    step = await karin.next_message()
    await karin.press(step, "Alla (familjer och mentorer)")
    step = await karin.wait_for_edit(step)
    health, being = (
        next(label for label in labels(step) if title in label)
        for title in ("Placerade barns hälsa", "Att vara familjehem")
    )
    await karin.press(step, health)
    step = await karin.wait_for_edit(step)
    await karin.press(step, being)
    step = await karin.wait_for_edit(step)
    await karin.press(step, "Fortsätt")
    await karin.press(await karin.wait_for_edit(step), "Nu")
    await karin.next_message()  # the preview follows, with both buttons
    assert labels(await karin.next_message()) == [f"Anmäl er: {health}", f"Anmäl er: {being}"]
    await karin.press(await karin.next_message(), "Skicka")

    # The family may join both; a mentor only the one for everyone.
    newsletter = await family.next_message()
    assert (newsletter["text"], labels(newsletter)) == (
        NEWSLETTER,
        [f"Anmäl er: {health}", f"Anmäl er: {being}"],
    )
    newsletter = await mentor.next_message()
    assert (newsletter["text"], labels(newsletter)) == (NEWSLETTER, [f"Anmäl er: {being}"])
