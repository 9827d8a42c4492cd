"""No question and no conversation is open for ever, and the family is told at each step.

Each test plays a night the rota did not foresee against the real bot over the double, with a
restart in the middle where the timer that matters must come back from the database: a
conversation whose mentor went off duty, a question with no shift ahead, and a question that
nobody took, not even the coordinators.
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta

import pytest

from bot.sandbox import BotApiDouble, SandboxUser
from tests.e2e.chat_support import Service, StartBot, answer, build_service, texts_until_quiet
from tests.e2e.scene_support import TZ, daytime_zone, on_duty, on_duty_later

pytestmark = pytest.mark.chat_burst(40)

NO_SHIFT_AHEAD = "och inget mentorspass börjar inom 1 dag, så er fråga #1 har gått till"
EXPIRE_AFTER = "0.3"  # minutes: 18 seconds, the shortest a test can afford


async def take_off_the_rota(service: Service, household: str) -> None:
    """Karin deletes the household's shift of today: it is no longer on duty."""
    listing = await answer(service.karin, f"/shift list {datetime.now(TZ).date()}")
    shift = re.search(rf"#(\d+)[^\n]*{household}", listing)
    assert shift, listing
    assert "borttaget" in await answer(service.karin, f"/shift del {shift[1]}")


async def test_a_message_to_a_mentor_off_duty_reaches_the_mentors_on_duty_across_a_restart(
    service: Service, start_bot: StartBot
) -> None:
    family, berg, lind = service.family, service.berg, service.lind
    await on_duty(service, "Familjen Berg", "Familien Lind")
    await family.send("Han sover dåligt")
    await family.next_message()
    offer = await berg.next_message()
    await lind.next_message()
    await berg.press(offer, "Acceptera")
    for person in (berg, lind, family):
        await texts_until_quiet(person, 0.4)
    await take_off_the_rota(service, "Familjen Berg")
    await texts_until_quiet(berg, 0.4)

    await family.send("Nu vill han inte gå till skolan")
    assert (await berg.next_message())["text"].endswith("Nu vill han inte gå till skolan")
    take_over = await lind.next_message()
    assert "Mentoren i denne samtale er ikke på vagt nu" in take_over["text"]
    assert "Acceptér" in str(take_over["reply_markup"])
    told = (await family.next_message())["text"]
    assert "Er mentorsfamilj (Familjen Berg) är inte i tjänst nu" in told, told
    await family.send("Hallå?")  # the mentors on duty are asked once, not for every message
    assert (await berg.next_message())["text"].endswith("Hallå?")
    await lind.no_message(within=0.5)
    await family.no_message(within=0.3)

    await service.bot.kill()
    await start_bot()
    await lind.press(take_over, "Acceptér")
    history = await texts_until_quiet(lind, 1.0)
    assert any(text.endswith("Nu vill han inte gå till skolan") for text in history), history
    assert any(text.endswith("Hallå?") for text in history), history
    assert "har tagit över samtal" in (await berg.next_message())["text"]
    assert "har tagit över ert samtal" in (await texts_until_quiet(family, 0.5))[-1]
    await family.send("Tack")
    assert (await lind.next_message())["text"].endswith("Tack")
    await berg.no_message(within=0.3)


async def test_a_question_with_no_shift_ahead_goes_to_the_coordinators_and_their_report(
    service: Service, start_bot: StartBot
) -> None:
    family, karin = service.family, service.karin
    await family.send("Vem kan hjälpa oss i helgen?")
    told = await texts_until_quiet(family, 0.8)
    assert len(told) == 1 and NO_SHIFT_AHEAD in told[0], told
    assert "Vid akut fara, ring 112." in told[0]
    offer = await karin.next_message()
    assert "#1" in offer["text"] and "Acceptera" in str(offer["reply_markup"])

    # The next morning's report names it, rebuilt from the database by a new start.
    assert await service.bot.stop() == 0
    zone = daytime_zone()
    report_at = f"{datetime.now(zone) - timedelta(minutes=5):%H:%M}"
    await start_bot(MENTORBOT_TIMEZONE=zone.key, MENTORBOT_GAP_REPORT=report_at)
    report = (await karin.next_message())["text"].splitlines()
    header = "Frågor till familjehemsenheten som ingen har tagit (/requests visar alla):"
    assert report[0] == header
    assert "#1" in report[1] and "Familjen Ek" in report[1], report
    assert any(line.startswith("Luckor i schemat") for line in report), report
    await karin.press(offer, "Acceptera")
    assert "har tagit er fråga #1" in (await texts_until_quiet(family, 1.0))[-1]


@pytest.mark.timeout(120)
async def test_a_question_nobody_takes_expires_honestly_across_a_restart(
    start_bot: StartBot, coordinator: SandboxUser, double: BotApiDouble
) -> None:
    service = await build_service(
        await start_bot(MENTORBOT_EXPIRE_AFTER=EXPIRE_AFTER), coordinator, double
    )
    family, karin = service.family, service.karin
    await family.send("Är det någon där?")
    assert any(NO_SHIFT_AHEAD in text for text in await texts_until_quiet(family, 0.8))
    offer = await karin.next_message()
    await service.bot.kill()  # down while the coordinators' time runs out
    await asyncio.sleep(20)

    await start_bot(MENTORBOT_EXPIRE_AFTER=EXPIRE_AFTER)
    told = (await family.next_message(timeout=10))["text"]
    assert told.startswith("Vi beklagar: ingen kunde ta er fråga #1 i tid."), told
    assert "Vid akut fara, ring 112." in told
    notice = (await karin.next_message())["text"]
    assert notice.startswith("Fråga #1 från Familjen Ek togs inte inom 18 sekunder"), notice
    expired = await karin.wait_for_edit(offer)
    assert "har gått ut" in expired["text"] and not expired.get("reply_markup"), expired
    assert "Inga öppna frågor" in await answer(karin, "/requests")
    await family.send("En ny fråga")
    assert "er fråga #2" in (await texts_until_quiet(family, 0.8))[0]


async def test_a_question_whose_shift_is_taken_off_the_rota_goes_to_the_coordinators(
    service: Service,
) -> None:
    family, karin = service.family, service.karin
    start = await on_duty_later(service, "Familjen Berg")
    await family.send("Kan någon ringa oss i kväll?")
    told = (await family.next_message())["text"]
    assert "väntar och går till mentorn i tjänst när nästa pass börjar" in told, told
    await karin.no_message(within=0.5)

    listing = await answer(karin, f"/shift list {start.date()}")
    found = re.search(r"#(\d+)[^\n]*Familjen Berg", listing)
    assert found, listing
    assert "borttaget" in await answer(karin, f"/shift del {found[1]}")
    moved = (await family.next_message())["text"]
    assert moved.startswith("Inget mentorspass börjar inom 1 dag, så er fråga #1"), moved
    offer = await karin.next_message()
    assert "#1" in offer["text"] and "Acceptera" in str(offer["reply_markup"])
