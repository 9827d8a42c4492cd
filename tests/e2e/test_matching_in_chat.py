"""Routing that weighs who a family is and what it asks: its own mentor family first, then the
mentors with the right experience, then everyone on duty; and no mentor swamped."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox import BotApiDouble, SandboxUser
from tests.e2e.chat_support import (
    Service,
    StartBot,
    answer,
    build_service,
    button_data,
    join,
    labels,
    member_numbers,
    texts_until_quiet,
)
from tests.e2e.scene_support import TZ, on_duty

pytestmark = pytest.mark.chat_burst(30)

# A few seconds a circle: long enough to see who was asked first, short enough for a test.
QUICK = {"MENTORBOT_OWN_MENTOR_MINUTES": "0.1", "MENTORBOT_MATCH_MINUTES": "0.1"}


@pytest.mark.timeout(180)
async def test_a_linked_familys_question_goes_to_its_own_mentor_family_then_to_all_across_a_restart(
    start_bot: StartBot, coordinator: SandboxUser, double: BotApiDouble
) -> None:
    bot = await start_bot(**QUICK)
    service = await build_service(bot, coordinator, double)
    family, berg, lind, holm, karin = (
        service.family,
        service.berg,
        service.lind,
        service.holm,
        service.karin,
    )
    numbers = service.numbers
    await on_duty(service, "Familjen Berg", "Familien Lind", "The Holms")

    linked = await answer(karin, f"/link {numbers['Familjen Ek']} {numbers['Familien Lind']}")
    assert linked == (
        "Familien Lind är nu egen mentorsfamilj för Familjen Ek (1 av högst 10 familjer). "
        "Båda har fått veta det."
    )
    assert "Er egen mentorsfamilj är nu Familien Lind" in (await family.next_message())["text"]
    assert "Familjen Ek er nu en af jeres familier" in (await lind.next_message())["text"]
    assert "Er egen mentorsfamilj: Familien Lind." in await answer(family, "/help")
    assert "Jeres familier (1): Familjen Ek." in await answer(lind, "/help")

    await family.send("Hon vill inte gå till skolan, hur gör vi?")
    told = (await family.next_message())["text"]
    assert told.startswith("Tack. Er fråga #")
    number = re.search(r"#(\d+)", told)
    assert number
    offer = await lind.next_message()
    assert f"#{number[1]}" in offer["text"] and "Hon vill inte gå till skolan" in offer["text"]
    await berg.no_message(within=1.0)
    await holm.no_message(within=0.1)
    requests = await answer(karin, "/requests")
    assert "erbjuden till: egen mentorsfamilj: Familien Lind" in requests

    await bot.kill()  # the timer of the next circle dies with the process; the database keeps it
    await start_bot(**QUICK)
    assert f"#{number[1]} från Familjen Ek" in (await berg.next_message(timeout=30))["text"]
    assert f"#{number[1]} from Familjen Ek" in (await holm.next_message(timeout=10))["text"]
    await lind.no_message(within=0.5)  # asked once, not again
    # A command the crash came before marking done is answered again: not what we ask here.
    await texts_until_quiet(karin, 0.3)
    requests = await answer(karin, "/requests")
    assert (
        "erbjuden till: egen mentorsfamilj: Familien Lind; alla i tjänst: Familjen Berg, The Holms"
        in requests
    )


async def test_a_mentor_family_holds_at_most_its_number_of_families(
    start_bot: StartBot, coordinator: SandboxUser, double: BotApiDouble
) -> None:
    bot = await start_bot(MENTORBOT_FAMILIES_PER_MENTOR="1")
    service = await build_service(bot, coordinator, double)
    karin, numbers = service.karin, service.numbers
    other = double.add_user(first_name="Ola", language_code="sv")
    await join(other, karin, "family", "Familjen Nord")
    await texts_until_quiet(karin, 0.3)
    nord = (await member_numbers(karin))["Familjen Nord"]
    ek, lind = numbers["Familjen Ek"], numbers["Familien Lind"]
    await answer(karin, f"/link {ek} {lind}")
    await texts_until_quiet(service.family, 0.3)
    full = await answer(karin, f"/link {nord} {lind}")
    assert full == "Den mentorsfamiljen har redan 1 familjer, så många den får ha. Inget ändrades."
    await other.no_message(within=0.3)
    assert await answer(karin, f"/link {lind} {ek}") == (
        "Det första numret måste vara en vuxen i ett familjehem."
    )
    assert await answer(karin, "/link 12") == (
        "Ange numret på en vuxen i familjehemmet och på en vuxen i mentorsfamiljen, "
        "som /members visar dem: /link 12 7"
    )
    unlinked = await answer(karin, f"/unlink {ek}")
    assert unlinked.startswith("Familjen är inte längre kopplad till Familien Lind")
    assert await answer(karin, f"/unlink {ek}") == "Den familjen har ingen egen mentorsfamilj."
    assert "egen mentorsfamilj" not in await answer(service.family, "/help")


@pytest.mark.timeout(120)
async def test_a_teenager_question_goes_first_to_the_mentor_with_that_experience(
    start_bot: StartBot, coordinator: SandboxUser, double: BotApiDouble
) -> None:
    bot = await start_bot(**QUICK)
    service = await build_service(bot, coordinator, double)
    family, berg, holm, karin = service.family, service.berg, service.holm, service.karin
    await on_duty(service, "Familjen Berg", "The Holms")

    await karin.send(f"/experience {service.numbers['The Holms']}")
    card = await karin.next_message()
    assert card["text"].startswith("Erfarenheter hos The Holms: inga valda")
    assert "Tonåringar" in labels(card)
    await karin.press(card, "Tonåringar")
    ticked = await karin.wait_for_edit(card)
    assert ticked["text"].startswith("Erfarenheter hos The Holms: Tonåringar")
    assert "✓ Tonåringar" in labels(ticked)

    await family.send("Vår tonåring kommer inte hem på kvällarna.")
    acknowledged = await family.next_message()
    found = re.search(r"#(\d+)", acknowledged["text"])
    assert found
    number = found[1]
    assert "Vad handlar det om?" in acknowledged["text"]
    assert {"Tonåringar", "Skola", "Skicka till alla nu"} <= set(labels(acknowledged))
    await holm.no_message(within=0.5)  # waiting a moment for the family's choice
    await family.press(acknowledged, "Tonåringar")
    chosen = await family.wait_for_edit(acknowledged)
    assert "handlar om: Tonåringar" in chosen["text"]
    offer = await holm.next_message()
    assert "Vår tonåring kommer inte hem på kvällarna." in offer["text"]
    await berg.no_message(within=1.0)
    assert "erbjuden till: erfarenhet: The Holms" in await answer(karin, "/requests")
    assert "Vår tonåring" in (await berg.next_message(timeout=20))["text"]  # then everyone

    # A second press (the buttons went with the choice: a forged one) changes nothing, now
    # that everyone on duty has the question, and neither does another family's press on it.
    again = await family.press_data(acknowledged, f"about:{number}:school")
    assert again is not None
    assert (
        again["text"] == "Er fråga har redan gått till alla i tjänst, så ett val ändrar inget nu."
    )
    other = double.add_user(first_name="Ola")
    await join(other, karin, "family", "Familjen Nord")
    await other.send("/help")
    forged = await other.press_data(await other.next_message(), f"about:{number}:-")
    assert forged is not None
    assert forged["text"] == "Den här frågan är redan tagen, tillbakadragen eller avslutad."
    await texts_until_quiet(berg, 0.3)
    await holm.no_message(within=0.3)


async def test_skipping_the_choice_sends_the_question_to_everyone_at_once(
    start_bot: StartBot, coordinator: SandboxUser, double: BotApiDouble
) -> None:
    bot = await start_bot(MENTORBOT_MATCH_MINUTES="10")
    service = await build_service(bot, coordinator, double)
    family, berg, holm, karin = service.family, service.berg, service.holm, service.karin
    await on_duty(service, "Familjen Berg", "The Holms")
    await karin.send(f"/experience {service.numbers['The Holms']}")
    card = await karin.next_message()
    await karin.press(card, "Skola")
    await karin.wait_for_edit(card)

    await family.send("Kan någon prata nu?")
    acknowledged = await family.next_message()
    await family.press(acknowledged, "Skicka till alla nu")
    assert (
        "har gått till alla mentorsfamiljer i tjänst"
        in (await family.wait_for_edit(acknowledged))["text"]
    )
    assert "Kan någon prata nu?" in (await berg.next_message())["text"]
    assert "Kan någon prata nu?" in (await holm.next_message())["text"]


async def test_a_mentor_at_the_cap_is_asked_only_when_nobody_else_can_and_sees_the_count(
    start_bot: StartBot, coordinator: SandboxUser, double: BotApiDouble
) -> None:
    bot = await start_bot(MENTORBOT_MAX_CONVERSATIONS="1")
    service = await build_service(bot, coordinator, double)
    family, berg, lind, karin = service.family, service.berg, service.lind, service.karin
    nord, syd = double.add_user(first_name="Ola"), double.add_user(first_name="Siv")
    await join(nord, karin, "family", "Familjen Nord")
    await join(syd, karin, "family", "Familjen Syd")
    await on_duty(service, "Familjen Berg", "Familien Lind")

    async def asks(asker: SandboxUser, text: str) -> None:
        await asker.send(text)
        await asker.next_message()

    await asks(family, "Första frågan.")
    await lind.next_message()
    await berg.press(await berg.next_message(), "Acceptera")
    await texts_until_quiet(berg, 0.5)
    await texts_until_quiet(lind, 0.5)

    await asks(nord, "Andra frågan.")
    offer = await lind.next_message()
    assert "Andra frågan." in offer["text"] and "igangværende" not in offer["text"]
    await berg.no_message(within=1.0)  # at the cap while Lind has room
    await lind.press(offer, "Acceptér")
    await texts_until_quiet(lind, 0.5)

    await asks(syd, "Tredje frågan.")  # both at the cap: both asked, each told their load
    to_berg, to_lind = await berg.next_message(), await lind.next_message()
    assert "Tredje frågan." in to_berg["text"]
    assert to_berg["text"].endswith("Du har redan 1 pågående samtal.")
    assert to_lind["text"].endswith("Du har allerede 1 igangværende samtale.")
    assert "alla hade fullt: Familjen Berg, Familien Lind" in await answer(karin, "/requests")


async def test_a_mentor_asks_to_talk_it_through_and_hears_who_will_call(
    service: Service,
) -> None:
    family, berg, karin = service.family, service.berg, service.karin
    await on_duty(service, "Familjen Berg")
    await family.send("Hon har varit borta hela natten, jag är så rädd.")
    await family.next_message()
    await berg.press(await berg.next_message(), "Acceptera")
    await texts_until_quiet(berg, 0.5)
    await texts_until_quiet(family, 0.3)
    await berg.send("/end")
    ended = await texts_until_quiet(berg, 0.8)
    assert any("Vad handlade det mest om?" in text for text in ended)
    offer = next(m for m in berg.messages if "Vill ni prata igenom det?" in m.get("text", ""))
    assert "familjehemsenheten kan ringa upp er" in offer["text"].lower()

    await berg.press(offer, "Prata igenom")
    assert "har ombetts att ringa upp er" in (await berg.wait_for_edit(offer))["text"]
    asked = await karin.next_message()
    berg_number = service.numbers["Familjen Berg"]
    assert asked["text"].startswith(f"Familjen Berg (medlem #{berg_number}) vill prata igenom")
    assert "borta hela natten" not in asked["text"]  # nothing of the conversation goes
    again = await berg.press_data(offer, button_data(offer, "Prata igenom"))
    assert again is not None
    assert again["text"] == "Ni har redan bett om att bli uppringda om det här samtalet."
    await karin.no_message(within=0.3)

    await karin.press(asked, "Jag ringer")
    assert (await karin.wait_for_edit(asked))["text"] == "Du ringer upp Familjen Berg."
    assert (await berg.next_message())["text"] == "Karin Holm ringer upp er."
    twice = await karin.press_data(asked, button_data(asked, "Jag ringer"))
    assert twice is not None
    assert twice["text"] == "Karin Holm har redan tagit det här."
    await berg.no_message(within=0.3)


async def test_the_rota_warns_of_a_mentor_family_booked_beyond_the_weeks_hours(
    start_bot: StartBot, coordinator: SandboxUser, double: BotApiDouble
) -> None:
    bot = await start_bot(MENTORBOT_MAX_HOURS_PER_WEEK="10")
    service = await build_service(bot, coordinator, double)
    karin, berg = service.karin, service.numbers["Familjen Berg"]
    lind = service.numbers["Familien Lind"]
    day = (datetime.now(TZ) + timedelta(days=1)).date()
    for who, span in ((berg, "08:00-16:00"), (berg, "17:00-22:00"), (lind, "17:00-22:00")):
        assert "tillagt" in await answer(karin, f"/shift add {who} {day} {span}")
    await texts_until_quiet(service.berg, 0.3)
    await texts_until_quiet(service.lind, 0.3)
    await karin.send("/rota 2")
    shown = await texts_until_quiet(karin, 0.8)
    week = day.isocalendar().week
    warnings = [line for text in shown for line in text.splitlines() if line.startswith("⚠")]
    assert warnings == [f"⚠ Familjen Berg har 13 h i tjänst vecka {week}, mer än 10 h."]


async def converse_and_end(service: Service, question: str) -> dict[str, Any]:
    """A question taken by Berg and ended by the family; Berg's end message with its buttons."""
    family, berg = service.family, service.berg
    await family.send(question)
    await family.next_message()
    await berg.press(await berg.next_message(), "Acceptera")
    await texts_until_quiet(berg, 0.5)
    await texts_until_quiet(family, 0.3)
    await family.send("/end")
    await texts_until_quiet(family, 0.5)
    await texts_until_quiet(berg, 0.8)
    return next(m for m in reversed(berg.messages) if "Vill ni prata igenom" in m.get("text", ""))


async def write_note(service: Service, ended: dict[str, Any], note: str) -> dict[str, Any]:
    """Berg writes a note in reply to the prompt; the family's question about it."""
    berg, family = service.berg, service.family
    await berg.press(ended, "Anteckning till socialsekreteraren")
    prompt = await berg.next_message()
    assert "som svar på det här meddelandet" in prompt["text"]
    assert (berg.reply_keyboard or {}).get("force_reply") is True  # the reply is ready to type
    await berg.reply(prompt, note)
    assert "Familjen tillfrågas" in (await berg.next_message())["text"]
    return await family.next_message()


@pytest.mark.timeout(180)
async def test_a_note_for_the_social_worker_goes_with_a_yes_on_the_next_working_day_only(
    start_bot: StartBot, coordinator: SandboxUser, double: BotApiDouble, tmp_path: Path
) -> None:
    bot = await start_bot()
    service = await build_service(bot, coordinator, double)
    family, berg, karin = service.family, service.berg, service.karin
    await on_duty(service, "Familjen Berg")

    ended = await converse_and_end(service, "Umgänget med mamma gick dåligt i helgen.")
    note = "Familjen behöver stöd inför nästa umgänge <b>snart</b>."
    asked = await write_note(service, ended, note)
    assert note in asked["text"]  # shown as typed, never read as markup
    assert "Inget skickas utan ert ja." in asked["text"]
    stranger_family = double.add_user(first_name="Ola")
    await join(stranger_family, karin, "family", "Familjen Nord")
    await stranger_family.send("/help")
    forged = await stranger_family.press_data(
        await stranger_family.next_message(), button_data(asked, "Ja, för vidare")
    )
    assert forged is not None and forged["text"] == "Den här knappen gäller inte längre."
    await family.press(asked, "Ja, för vidare")
    assert "nästa vardag" in (await family.wait_for_edit(asked))["text"]
    assert "Familjen sa ja" in (await berg.next_message())["text"]

    declined = await write_note(
        service, await converse_and_end(service, "Och skolan?"), "Skolan behöver kontaktas."
    )
    await family.press(declined, "Nej")
    assert "förs inte vidare" in (await family.wait_for_edit(declined))["text"]
    assert "Familjen sa nej" in (await berg.next_message())["text"]
    await karin.no_message(within=1.0)  # nothing before a working-day morning

    # A weekend passes while the bot is down: the yes was given on a Friday night.
    await bot.kill()
    friday = date.today() - timedelta(days=date.today().weekday() + 3) - timedelta(days=7)
    evening = datetime.combine(friday, time(21), tzinfo=TZ).astimezone(UTC)
    with sqlite3.connect(tmp_path / "mentorbot.db") as database:
        database.execute(
            "UPDATE unit_notes SET decided_at = ?", (evening.isoformat(timespec="seconds"),)
        )
    bot = await start_bot()
    delivered = await karin.next_message(timeout=20)
    assert "Anteckningar från mentorsfamiljer till socialsekreterarna (1)" in delivered["text"]
    assert "Familjen Ek, från Familjen Berg:" in delivered["text"]
    assert note in delivered["text"]
    assert "Skolan behöver kontaktas." not in delivered["text"]
    await karin.no_message(within=1.0)  # one message; then the delivery is marked done
    await bot.stop()
    await start_bot()
    await karin.no_message(within=2.0)  # delivered once


async def linked_to_lind(service: Service) -> None:
    numbers = service.numbers
    await answer(service.karin, f"/link {numbers['Familjen Ek']} {numbers['Familien Lind']}")
    await texts_until_quiet(service.family, 0.3)
    await texts_until_quiet(service.lind, 0.3)


async def test_the_own_mentor_declining_or_the_question_turning_urgent_asks_the_others_at_once(
    service: Service,
) -> None:
    family, berg, lind, karin = service.family, service.berg, service.lind, service.karin
    await on_duty(service, "Familjen Berg", "Familien Lind")
    await linked_to_lind(service)

    await family.send("Kan vi prata om läxorna?")
    await family.next_message()
    offer = await lind.next_message()
    await berg.no_message(within=0.5)
    await lind.press(offer, "Afvis")
    assert "Kan vi prata om läxorna?" in (await berg.next_message(timeout=5))["text"]
    await family.send("/cancel")
    await texts_until_quiet(family, 0.3)
    await texts_until_quiet(berg, 0.3)
    await texts_until_quiet(lind, 0.3)

    await family.send("Hon har det svårt i kväll.")
    await family.next_message()
    await lind.next_message()
    await berg.no_message(within=0.5)
    await family.send("Han hotar sin syster med en kniv")  # urgent: to everyone at once
    assert (await berg.next_message(timeout=5))["text"].startswith("⚠️ BRÅDSKANDE")
    assert "Brådskande fråga #" in (await karin.next_message())["text"]


@pytest.mark.timeout(240)  # a shift that begins at one of the next two whole minutes
async def test_a_question_that_waited_for_a_shift_is_asked_its_topic_when_it_goes_out(
    service: Service,
) -> None:
    family, holm, karin = service.family, service.holm, service.karin
    await karin.send(f"/experience {service.numbers['The Holms']}")
    card = await karin.next_message()
    await karin.press(card, "Skola")
    await karin.wait_for_edit(card)
    moment = datetime.now(TZ)
    # The next whole minute, unless it is too near for the question to be asked before it.
    wait = timedelta(minutes=1 if moment.second < 40 else 2)
    begins = moment.replace(second=0, microsecond=0) + wait
    span = f"{begins:%H:%M}-{begins + timedelta(hours=2):%H:%M}"
    for household in ("The Holms", "Familjen Berg"):
        number = service.numbers[household]
        assert "tillagt" in await answer(karin, f"/shift add {number} {begins.date()} {span}")
    await texts_until_quiet(holm, 0.3)
    await texts_until_quiet(service.berg, 0.3)

    await family.send("Skolan ringde om vår dotter.")  # nobody on duty yet: it waits
    assert "väntar" in (await family.next_message())["text"]
    offered = await family.next_message(timeout=180)
    assert "har fått er fråga" in offered["text"] and "Vad handlar det om?" in offered["text"]
    await family.press(offered, "Skola")
    assert "handlar om: Skola" in (await family.wait_for_edit(offered))["text"]
    assert "Skolan ringde om vår dotter." in (await holm.next_message(timeout=5))["text"]

    too_late = await family.press_data(offered, button_data(offered, "Skola"))
    assert too_late is not None
    assert too_late["text"] == "Ni har redan valt vad frågan handlar om."


async def test_a_coordinator_links_a_family_from_its_card_and_sets_experience_from_a_mentors(
    service: Service,
) -> None:
    karin, family, lind, n = service.karin, service.family, service.lind, service.numbers
    ek, berg, holm = n["Familjen Ek"], n["Familjen Berg"], n["The Holms"]
    await karin.send("/members")
    listing = await karin.next_message()
    await karin.press(listing, f"#{ek} Familjen Ek")
    card = await karin.next_message()
    assert labels(card) == ["Ta bort", "Exportera data", "Radera", "Egen mentorsfamilj"]
    experience = button_data(card, "Egen mentorsfamilj").replace("own-mentor", "experience")
    said = await karin.press_data(card, experience)  # a family has no experience to set
    assert said is not None and said["text"] == "Den här knappen gäller inte längre."

    await karin.press(card, "Egen mentorsfamilj")
    choice = await karin.next_message()
    assert choice["text"].startswith("Egen mentorsfamilj för Familjen Ek: ingen")
    lind_button = f"#{n['Familien Lind']} Familien Lind"
    assert labels(choice) == [
        f"#{berg} Familjen Berg",
        lind_button,
        f"#{holm} The Holms",
        "Ingen egen mentorsfamilj",
    ]
    await karin.press(choice, lind_button)
    linked = await karin.wait_for_edit(choice)
    assert linked["text"] == (
        "Familien Lind är nu egen mentorsfamilj för Familjen Ek (1 av högst 10 familjer). "
        "Båda har fått veta det."
    )
    assert labels(linked) == []
    assert "Er egen mentorsfamilj är nu Familien Lind" in (await family.next_message())["text"]
    assert "Familjen Ek er nu en af jeres familier" in (await lind.next_message())["text"]
    assert "Er egen mentorsfamilj: Familien Lind." in await answer(family, "/help")

    await karin.press(card, "Egen mentorsfamilj")
    again = await karin.next_message()
    assert again["text"].startswith("Egen mentorsfamilj för Familjen Ek: Familien Lind")
    assert f"✓ {lind_button}" in labels(again)
    # Another member's number in the data (with Ek's second of joining), or a family as the
    # mentor household: refused in one line, and nothing changes.
    data = button_data(again, f"#{holm} The Holms")
    for forged in (
        data.replace(f"own-mentor:{ek}:", f"own-mentor:{berg}:"),
        data.removesuffix(f":{holm}") + f":{ek}",
    ):
        said = await karin.press_data(again, forged)
        assert said is not None and said["text"] == "Den här knappen gäller inte längre."
    await service.holm.no_message(within=0.3)
    await service.berg.no_message(within=0.1)
    assert "Er egen mentorsfamilj: Familien Lind." in await answer(family, "/help")

    await karin.press(again, "Ingen egen mentorsfamilj")
    unlinked = await karin.wait_for_edit(again)
    assert unlinked["text"].startswith("Familjen är inte längre kopplad till Familien Lind")
    assert "egen mentorsfamilj" not in await answer(family, "/help")

    await karin.press(listing, f"#{holm} The Holms")
    mentor_card = await karin.next_message()
    assert labels(mentor_card) == ["Ta bort", "Exportera data", "Radera", "Erfarenheter"]
    await karin.press(mentor_card, "Erfarenheter")
    toggles = await karin.next_message()
    assert toggles["text"].startswith("Erfarenheter hos The Holms: inga valda")
    await karin.press(toggles, "Skola")
    ticked = await karin.wait_for_edit(toggles)
    assert ticked["text"].startswith("Erfarenheter hos The Holms: Skola")
    assert "✓ Skola" in labels(ticked)
