"""A family's question reaches the mentor on duty, and they talk through the bot."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta

import pytest

from bot.sandbox import BotApiDouble, SandboxUser
from tests.e2e.chat_support import (
    Service,
    StartBot,
    answer,
    build_service,
    remove_member,
    texts_until_quiet,
)
from tests.e2e.scene_support import ESCALATE_AFTER, PNG, TZ, on_duty, on_duty_later

pytestmark = pytest.mark.chat_burst(30)


async def test_a_question_becomes_a_conversation_and_ends_with_a_rating(
    service: Service, double: BotApiDouble
) -> None:
    family, berg = service.family, service.berg
    await on_duty(service, "Familjen Berg")

    await family.send("Vår son sover inte, vad gör vi?")
    told = (await family.next_message())["text"]
    assert told.startswith("Tack. Er fråga #") and "mentorsfamiljen i tjänst" in told
    number = re.search(r"#(\d+)", told)
    assert number
    offer = await berg.next_message()
    assert f"Fråga #{number[1]} från Familjen Ek" in offer["text"]
    assert "Vår son sover inte, vad gör vi?" in offer["text"]
    await family.send("Han är åtta år.")  # before anyone accepted: same request
    assert f"Tillagt i er fråga #{number[1]}" in (await family.next_message())["text"]

    await berg.press(offer, "Acceptera")
    assert "Du har fråga" in (await berg.wait_for_edit(offer))["text"]
    waited = await texts_until_quiet(berg, 0.5)
    assert waited[0] == f"💬 #{number[1]} Familjen Ek"
    assert "Vår son sover inte, vad gör vi?" in waited
    assert waited[-1] == "Han är åtta år."  # both waiting messages, in order
    accepted = (await family.next_message())["text"]
    assert "En mentorsfamilj (Familjen Berg) har tagit er fråga" in accepted

    # Text, photos and voice, both ways; nobody sees the other's account.
    await family.send("Han vaknar klockan tre varje natt.")
    relayed = await berg.next_message()
    assert relayed["text"] == f"💬 #{number[1]} Familjen Ek\nHan vaknar klockan tre varje natt."
    await berg.send("Prova en fast kvällsrutin.")
    back = await family.next_message()
    assert back["text"] == "Prova en fast kvällsrutin."
    await family.send_photo(PNG, caption="Hans sovrum")
    photo = await berg.next_message()
    assert "photo" in photo and photo["caption"] == f"💬 #{number[1]} Familjen Ek\nHans sovrum"
    # The first picture: nothing can read an identity number in it, and the family is told so.
    assert "ingen kontrollerar vad de visar" in (await family.next_message())["text"]
    await berg.send_photo(PNG, caption="Så här ser vår kvällsrutin ut")
    mentor_photo = await family.next_message()
    assert "photo" in mentor_photo
    assert mentor_photo["caption"] == "Så här ser vår kvällsrutin ut"
    await berg.send_voice(b"OggS-voice")
    voice = await family.next_message()
    assert "voice" in voice
    await family.send_voice(b"OggS-reply")
    assert "voice" in await berg.next_message()
    for received in (relayed, back, photo, mentor_photo, voice):
        assert "forward_origin" not in received and "forward_from" not in received

    await family.send("/end")
    rating = await family.next_message()
    assert "Hur mycket hjälpte det?" in rating["text"]
    topic = await berg.next_message()
    assert "Vad handlade det mest om?" in topic["text"]
    care = await berg.next_message()  # and whether they want to talk it through
    assert "Vill ni prata igenom det?" in care["text"]
    await family.press(rating, "4")
    thanks = await family.wait_for_edit(rating)
    assert "4 av 5" in thanks["text"]
    await family.reply(thanks, "Mycket bra råd.")
    assert (await family.next_message())["text"] == "Tack, det är sparat."
    await berg.press(topic, "Sömn")
    assert "registrerat under: Sömn" in (await berg.wait_for_edit(topic))["text"]

    assert (await answer(service.karin, "/requests")) == "Inga öppna frågor."
    # No conversation left: the mentor's message goes nowhere, and they are told what they can do.
    assert "/help" in await answer(berg, "Hej igen?")
    await family.no_message(within=0.3)
    await family.send("En ny fråga om skolan.")
    assert "Er fråga #" in (await family.next_message())["text"]
    assert "En ny fråga om skolan." in (await berg.next_message())["text"]


async def test_two_mentors_accept_at_once_and_exactly_one_wins(service: Service) -> None:
    family, berg, lind = service.family, service.berg, service.lind
    await on_duty(service, "Familjen Berg", "Familien Lind")
    await family.send("Kan någon ringa?")
    await family.next_message()
    offer_berg, offer_lind = await berg.next_message(), await lind.next_message()

    answers = await asyncio.gather(
        berg.press(offer_berg, "Acceptera"), lind.press(offer_lind, "Acceptér")
    )
    texts = [(a or {}).get("text") for a in answers]
    assert texts.count(None) == 1, texts  # the winner's press is answered without a text
    loser_text = next(text for text in texts if text)
    assert loser_text in (
        "Den här frågan är inte längre öppen.",
        "Dette spørgsmål er ikke længere åbent.",
    )
    berg_won = texts[0] is None
    winner, loser, loser_offer = (berg, lind, offer_lind) if berg_won else (lind, berg, offer_berg)
    taken = "er taget af en anden mentor" if loser is lind else "har tagits av en annan mentor"
    assert taken in (await loser.wait_for_edit(loser_offer))["text"]
    family_view = (await family.next_message())["text"]
    expected = "Familjen Berg" if berg_won else "Familien Lind"
    assert f"({expected}) har tagit er fråga" in family_view
    await texts_until_quiet(winner, 0.5)
    await family.send("Tack!")
    assert (await winner.next_message())["text"].endswith("Tack!")
    await loser.no_message(within=0.5)


async def test_out_of_hours_the_question_waits_for_the_next_shift(service: Service) -> None:
    family, berg = service.family, service.berg
    await on_duty_later(service, "Familien Lind")
    await family.send("Är det någon där?")
    told = (await family.next_message())["text"]
    assert "Ingen mentorsfamilj är i tjänst just nu" in told
    assert "Nästa mentorspass börjar" in told
    assert "Vid akut fara, ring 112." in told
    await berg.no_message(within=0.3)
    assert "väntar på ett pass" in await answer(service.karin, "/requests")

    await on_duty(service, "Familjen Berg")  # a shift that covers tonight: offered at once
    offer = [m for m in berg.messages if "Fråga #" in (m.get("text") or "")]
    assert offer and "Är det någon där?" in offer[-1]["text"]
    assert "är i tjänst nu och har fått er fråga" in (await family.next_message())["text"]


async def test_a_waiting_question_is_offered_when_the_next_shift_starts(
    start_bot: StartBot, coordinator: SandboxUser, double: BotApiDouble
) -> None:
    office = "mån–fre 08–16, tel 019-21 10 00"
    bot = await start_bot(
        MENTORBOT_OFFICE_HOURS=office,
        MENTORBOT_EMERGENCY_NUMBERS="112 eller socialjouren",
        MENTORBOT_REMINDERS="off",  # a shift a minute away would otherwise be reminded of now
    )
    service = await build_service(bot, coordinator, double)
    family, berg = service.family, service.berg
    start = datetime.now(TZ).replace(second=0, microsecond=0) + timedelta(minutes=1)
    if start - datetime.now(TZ) < timedelta(seconds=10):
        start += timedelta(minutes=1)  # time to ask before the shift begins
    end = start + timedelta(hours=2)
    berg_number = service.numbers["Familjen Berg"]
    span = f"{start.date()} {start:%H:%M}-{end:%H:%M}"
    await answer(service.karin, f"/shift add {berg_number} {span}")
    await berg.next_message()  # the notice of the new shift

    await family.send("Hej, är ni där?")
    told = (await family.next_message())["text"]
    assert "Nästa mentorspass börjar" in told and f"{start:%H:%M}" in told
    assert f"Familjehemsenheten: {office}" in told
    assert "Vid akut fara, ring 112 eller socialjouren." in told
    offer = await berg.next_message(timeout=90)
    assert datetime.now(TZ) >= start
    assert "Hej, är ni där?" in offer["text"]
    assert "är i tjänst nu och har fått er fråga" in (await family.next_message())["text"]


async def test_buttons_that_are_stale_foreign_or_forged_change_nothing(service: Service) -> None:
    family, berg, lind, holm = service.family, service.berg, service.lind, service.holm
    await on_duty(service, "Familjen Berg", "Familien Lind")
    await family.send("Fråga")
    await family.next_message()
    offer_berg, offer_lind = await berg.next_message(), await lind.next_message()
    accept = offer_berg["reply_markup"]["inline_keyboard"][0][0]["callback_data"]

    assert (await family.press_data(family.messages[-1], accept) or {}).get("text") == (
        "Det kommandot finns inte för din roll. /help visar vad du kan göra."
    )
    foreign = await holm.press_data(holm.messages[-1], accept)  # never offered to the Holms
    assert (foreign or {}).get("text") == (
        "This question was not offered to you, or you have declined it."
    )
    forged = await berg.press_data(offer_berg, "accept:abc")
    assert (forged or {}).get("text") == "Den här knappen gäller inte längre."
    forged_by_family = await family.press_data(family.messages[-1], "accept:abc")
    assert (forged_by_family or {}).get("text") == (
        "Det kommandot finns inte för din roll. /help visar vad du kan göra."
    )
    missing = await berg.press_data(offer_berg, "accept:99999")
    assert (missing or {}).get("text") == "Den här frågan är inte längre öppen."

    await lind.press(offer_lind, "Afvis")
    assert "Du afviste" in (await lind.wait_for_edit(offer_lind))["text"]
    declined = await lind.press_data(offer_lind, accept)
    assert (declined or {}).get("text") == (
        "Dette spørgsmål blev ikke tilbudt dig, eller du har afvist det."
    )
    await berg.press(offer_berg, "Acceptera")
    stale = await lind.press_data(offer_lind, accept)
    assert (stale or {}).get("text") == "Dette spørgsmål er ikke længere åbent."
    assert "En mentorsfamilj (Familjen Berg)" in (await family.next_message())["text"]


async def test_only_families_open_requests(service: Service, double: BotApiDouble) -> None:
    await on_duty(service, "Familjen Berg")
    assert "/help visar vad du kan göra" in await answer(service.berg, "Hej, någon där?")
    assert "/help" in await answer(service.karin, "Hej")
    stranger = double.add_user(first_name="Sven", language_code="sv")
    assert "/start" in await answer(stranger, "Hjälp")
    assert "Ni har ingen väntande fråga" in await answer(service.family, "/cancel")
    assert "finns inte för din roll" in await answer(service.berg, "/cancel")
    assert "finns inte för din roll" in await answer(service.family, "/requests")
    await service.berg.no_message(within=0.3)


async def test_a_family_withdraws_its_question(service: Service) -> None:
    family, berg = service.family, service.berg
    await on_duty(service, "Familjen Berg")
    await family.send("Glöm det")
    await family.next_message()
    offer = await berg.next_message()
    assert "Er fråga #" in await answer(family, "/cancel")
    assert "drogs tillbaka av familjen" in (await berg.wait_for_edit(offer))["text"]
    assert (await answer(service.karin, "/requests")) == "Inga öppna frågor."


async def test_an_urgent_message_is_answered_at_once_and_flagged(service: Service) -> None:
    family, berg, karin = service.family, service.berg, service.karin
    await on_duty(service, "Familjen Berg")
    await family.send("Han hotar sin syster med en kniv")
    first = (await family.next_message())["text"]
    assert first.startswith("Om någon är i fara, ring 112 nu.")
    assert "Er fråga #" in (await family.next_message())["text"]
    assert (await berg.next_message())["text"].startswith("⚠️ BRÅDSKANDE")
    assert "Brådskande fråga #" in (await karin.next_message())["text"]


async def test_an_identity_number_is_never_passed_on(service: Service) -> None:
    family, berg = service.family, service.berg
    await on_duty(service, "Familjen Berg")
    await family.send("Hans personnummer är 811218-9876")
    assert "personnummer" in (await family.next_message())["text"]
    await berg.no_message(within=0.5)
    assert (await answer(service.karin, "/requests")) == "Inga öppna frågor."


async def test_an_unanswered_question_escalates_on_time_across_a_crash(
    start_bot: StartBot, coordinator: SandboxUser, double: BotApiDouble
) -> None:
    bot = await start_bot(MENTORBOT_ESCALATE_AFTER=ESCALATE_AFTER)
    service = await build_service(bot, coordinator, double)
    family, berg, karin = service.family, service.berg, service.karin
    await on_duty(service, "Familjen Berg")
    await family.send("Hallå, är det någon där?")
    await family.next_message()
    await berg.next_message()
    asked_at = datetime.now(TZ)
    await bot.kill()  # the escalation timer dies with the process; the database keeps it

    await start_bot(MENTORBOT_ESCALATE_AFTER=ESCALATE_AFTER)
    again = await berg.next_message(timeout=60)
    assert "(Frågar igen: ingen har svarat än.)" in again["text"]
    assert datetime.now(TZ) - asked_at >= timedelta(seconds=17)
    assert "Ingen mentor har svarat på er fråga" in (await family.next_message())["text"]

    to_karin = await karin.next_message(timeout=60)
    assert "Hallå, är det någon där?" in to_karin["text"]
    assert "gått vidare till familjehemsenheten" in (await family.next_message())["text"]
    await karin.press(to_karin, "Acceptera")
    assert "(Karin Holm) har tagit er fråga" in (await family.next_message())["text"]
    await texts_until_quiet(karin, 0.5)
    await family.send("Tack för att du svarar.")
    assert (await karin.next_message())["text"].endswith("Tack för att du svarar.")


async def test_someone_removed_mid_question_ends_it_and_the_other_side_is_told(
    service: Service,
) -> None:
    family, berg, lind, karin = service.family, service.berg, service.lind, service.karin
    await on_duty(service, "Familjen Berg", "Familien Lind")

    # The mentor in the conversation is removed: the family is told, and may ask again.
    await family.send("Hur pratar vi om flytten?")
    await family.next_message()
    offer = await berg.next_message()
    await lind.next_message()
    await berg.press(offer, "Acceptera")
    await texts_until_quiet(berg, 0.3)
    await texts_until_quiet(family, 0.3)
    await texts_until_quiet(lind, 0.3)
    await remove_member(karin, service.numbers["Familjen Berg"])
    told = await texts_until_quiet(family, 0.5)
    assert any("har lämnat tjänsten, så samtal #1 är avslutat" in text for text in told), told
    await family.send("En fråga till")
    assert "Er fråga #2" in (await family.next_message())["text"]
    second_offer = await lind.next_message()
    assert "Spørgsmål #2 fra Familjen Ek" in second_offer["text"]

    # The family is removed while its question waits: Lind's offer says it was withdrawn.
    await remove_member(karin, service.numbers["Familjen Ek"])
    withdrawn = await lind.wait_for_edit(second_offer)
    assert withdrawn["text"] == "Spørgsmål #2 blev trukket tilbage af familien."
    assert "reply_markup" not in withdrawn  # no Accept left to press
    assert (await answer(karin, "/requests")) == "Inga öppna frågor."
