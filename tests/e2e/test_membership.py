"""Every way in is one a coordinator granted, and every way out leaves nothing behind.

Each test plays what a data protection officer would try against the real bot over the double:
coming back through one's own old invite, being brought back by the configuration, a mentor
household emptied by an erasure, a partner added unseen.
"""

from __future__ import annotations

import re

import pytest

from bot.sandbox import BotApiDouble, SandboxUser
from tests.e2e.chat_support import (
    STRANGERS_MENU,
    Service,
    StartBot,
    answer,
    invite_code,
    join,
    member_numbers,
    menu,
    remove_member,
    texts_until_quiet,
)
from tests.e2e.scene_support import on_duty

pytestmark = pytest.mark.chat_burst(40)

WITHDRAWN = "Den inbjudningslänken har dragits tillbaka. Be om en ny."


async def test_a_removed_coordinator_cannot_come_back_with_their_own_invite(
    service: Service, double: BotApiDouble
) -> None:
    karin = service.karin
    olle = double.add_user(first_name="Olle", language_code="sv")
    await join(olle, karin, "coordinator", "Olle Ek")
    await texts_until_quiet(olle, 0.4)
    spare = await answer(olle, "/invite coordinator")  # kept, "in case"
    assert "members" in menu(olle)
    numbers = await member_numbers(karin)
    assert "borttagen" in await remove_member(karin, numbers["Olle Ek"])
    await texts_until_quiet(olle, 0.4)
    await member_numbers(karin)  # Karin's chat is handled in order: the removal is all done
    assert menu(olle) == STRANGERS_MENU

    await olle.send(f"/start {invite_code(spare)}")
    assert (await olle.next_message())["text"] == WITHDRAWN
    assert "för tjänstens medlemmar" in await answer(olle, "/members")


async def test_a_configured_coordinator_who_was_removed_stays_removed_after_a_restart(
    start_bot: StartBot, coordinator: SandboxUser, double: BotApiDouble
) -> None:
    per = double.add_user(first_name="Per", language_code="sv")
    configured = f"{coordinator.id},{per.id}"
    bot = await start_bot(MENTORBOT_COORDINATORS=configured)
    for person, name in ((coordinator, "Karin Holm"), (per, "Per Lund")):
        await person.send("/start")
        await person.next_message()
        await person.send(name)
        await texts_until_quiet(person, 0.4)
    numbers = await member_numbers(coordinator)
    assert "borttagen" in await remove_member(coordinator, numbers["Per Lund"])
    await texts_until_quiet(per, 0.4)

    assert await bot.stop() == 0
    await start_bot(MENTORBOT_COORDINATORS=configured)
    assert "för tjänstens medlemmar" in await answer(per, "/members")
    assert "Per Lund" not in await answer(coordinator, "/members")


async def test_the_last_mentor_adults_erasure_leaves_a_gap_and_the_family_is_told_honestly(
    service: Service,
) -> None:
    family, berg, karin = service.family, service.berg, service.karin
    await on_duty(service, "Familjen Berg")
    await berg.send("/forget")
    confirm = await berg.next_message()
    await berg.press(confirm, "Radera")
    await texts_until_quiet(berg, 0.5)
    told = await texts_until_quiet(karin, 0.8)
    assert any("har lämnat tjänsten: dess kommande pass är struket" in text for text in told)

    rota = await answer(karin, "/rota 1")
    assert "Familjen Berg" not in rota, rota
    assert "lucka" in rota, rota
    await family.send("Är det någon där?")
    reply = (await family.next_message())["text"]
    assert reply.startswith("Tack. Ingen mentorsfamilj är i tjänst just nu"), reply
    await berg.no_message(within=0.5)


async def test_a_partner_in_a_mentor_household_reads_no_question_before_a_coordinator_approves(
    service: Service, double: BotApiDouble
) -> None:
    family, berg, karin = service.family, service.berg, service.karin
    await on_duty(service, "Familjen Berg")
    link = await answer(berg, "/partner")
    erik = double.add_user(first_name="Erik", language_code="sv")
    await erik.send(f"/start {invite_code(link)}")
    welcome = (await erik.next_message())["text"]
    assert "Familjehemsenheten godkänner varje ny vuxen" in welcome, welcome
    asked = await karin.next_message()
    assert "Inga frågor når dem förrän någon av er har godkänt dem" in asked["text"]
    assert "Godkänn" in str(asked["reply_markup"])

    await family.send("Vår son vill inte sova")
    await family.next_message()
    assert "Vår son vill inte sova" in (await berg.next_message())["text"]
    await erik.no_message(within=0.6)  # the question's first words reach only the approved

    await karin.press(asked, "Godkänn")
    done = await karin.wait_for_edit(asked)
    assert "är godkänd" in done["text"] and not done.get("reply_markup")
    assert "Familjehemsenheten har godkänt dig" in (await erik.next_message())["text"]
    audit = await answer(karin, "/audit 10")
    assert re.search(r"Familjen Berg: lade till en vuxen i sitt hushåll: member #\d+", audit)
    assert re.search(r"Karin Holm: godkände member #\d+ \(mentor\)", audit), audit

    await family.send("/cancel")
    await texts_until_quiet(family, 0.4)
    await texts_until_quiet(berg, 0.4)
    await family.send("En ny fråga")
    await family.next_message()
    assert "En ny fråga" in (await erik.next_message())["text"]


async def test_a_third_adult_is_refused_and_a_family_partner_is_made_known(
    service: Service, double: BotApiDouble
) -> None:
    family, karin = service.family, service.karin
    link = await answer(family, "/partner")
    lena = double.add_user(first_name="Lena", language_code="sv")
    await lena.send(f"/start {invite_code(link)}")
    assert "Välkommen! Du är nu med i" in (await lena.next_message())["text"]
    notice = (await texts_until_quiet(karin, 0.6))[0]
    assert "har gått med i Familjen Ek" in notice and "partnerlänk" in notice, notice

    full = await answer(family, "/partner")
    assert full.startswith("Ert hushåll har redan 2 vuxna"), full


async def test_a_coordinator_sees_open_invites_and_revokes_one(
    service: Service, double: BotApiDouble
) -> None:
    karin = service.karin
    link = await answer(karin, "/invite family")
    await karin.send("/invites")
    listing = await karin.next_message()
    line = re.search(r"#(\d+) familjehem, skapad av medlem #\d+", listing["text"])
    assert line, listing["text"]
    await karin.press(listing, f"Dra tillbaka #{line[1]}")
    after = await karin.wait_for_edit(listing)
    assert f"#{line[1]} familjehem" not in after["text"]

    stranger = double.add_user(first_name="Sven", language_code="sv")
    await stranger.send(f"/start {invite_code(link)}")
    assert (await stranger.next_message())["text"] == WITHDRAWN
    assert re.search(rf"drog tillbaka invite #{line[1]}", await answer(karin, "/audit 3"))
