"""A coordinator brings in mentors and families; strangers read about the service."""

from __future__ import annotations

import pytest

from bot.sandbox import BotApiDouble, SandboxUser
from tests.e2e.chat_support import BotProcess, StartBot, answer, invite_code, join, remove_member


@pytest.fixture
async def karin(bot: BotProcess, coordinator: SandboxUser) -> SandboxUser:
    """The configured coordinator, named at her first /start."""
    await coordinator.send("/start")
    prompt = await coordinator.next_message()
    assert "Vad heter du" in prompt["text"]
    await coordinator.send("Karin Holm, familjehemsenheten")
    assert "Karin Holm, familjehemsenheten" in (await coordinator.next_message())["text"]
    assert "/invite" in (await coordinator.next_message())["text"]
    return coordinator


async def test_a_stranger_reads_what_the_service_is_in_their_language(
    bot: BotProcess, double: BotApiDouble
) -> None:
    swede = double.add_user(first_name="Sven", language_code="sv")
    dane = double.add_user(first_name="Dorte", language_code="da")
    english = double.add_user(first_name="Emma", language_code="en-GB")
    german = double.add_user(first_name="Greta", language_code="de")
    for person in (swede, dane, english, german):
        await person.send("/start")
    assert "Vill du bli familjehem?" in (await swede.next_message())["text"]
    assert "Vil du være plejefamilie?" in (await dane.next_message())["text"]
    assert "Want to become a foster family?" in (await english.next_message())["text"]
    # No German catalogue: the service's fallback language (sv by default).
    assert "Vill du bli familjehem?" in (await german.next_message())["text"]
    await english.send("hello?")
    assert "Send /start to read more" in (await english.next_message())["text"]


async def test_a_mentor_and_a_family_join_by_invite(
    karin: SandboxUser, double: BotApiDouble
) -> None:
    await karin.send("/invite mentor")
    invite = await karin.next_message()
    assert "roll: mentorsfamilj" in invite["text"]
    assert "https://t.me/mentorbot_test_bot?start=" in invite["text"]

    mentor = double.add_user(first_name="Maria", language_code="sv")
    await mentor.send(f"/start {invite_code(invite['text'])}")
    welcome = await mentor.next_message()
    assert "Din roll: mentorsfamilj" in welcome["text"]
    assert "Vad ska vi kalla ert hushåll?" in welcome["text"]
    await mentor.send("Familjen Berg")
    assert "Ni visas som Familjen Berg" in (await mentor.next_message())["text"]
    assert "Mentorbot för mentorsfamiljer" in (await mentor.next_message())["text"]

    family = double.add_user(first_name="Dorte", language_code="da")
    await join(family, karin, "family", None)
    await family.send("x")  # too short to be a name
    assert "2 til 60 tegn" in (await family.next_message())["text"]
    await family.send("Familien Østergaard")
    assert "I vises som Familien Østergaard" in (await family.next_message())["text"]
    assert "Mentorbot for plejefamilier" in (await family.next_message())["text"]

    await karin.send("/members")
    listing = (await karin.next_message())["text"]
    assert "Medlemmar (3)" in listing
    assert "Familjen Berg – mentorsfamilj" in listing
    assert "Familien Østergaard – familjehem" in listing
    assert "Karin Holm, familjehemsenheten – familjehemssekreterare (du)" in listing


async def test_an_invite_works_once(karin: SandboxUser, double: BotApiDouble) -> None:
    await karin.send("/invite family")
    code = invite_code((await karin.next_message())["text"])
    first = double.add_user(first_name="Anna", language_code="sv")
    second = double.add_user(first_name="Olle", language_code="sv")
    await first.send(f"/start {code}")
    assert "Din roll: familjehem" in (await first.next_message())["text"]
    await second.send(f"/start {code}")
    assert "redan använts" in (await second.next_message())["text"]
    await second.send(f"/start {'A' * 32}")
    assert "gäller inte" in (await second.next_message())["text"]
    await second.send("/help")
    assert "Skicka /start" in (await second.next_message())["text"]


async def test_roles_are_enforced(karin: SandboxUser, double: BotApiDouble) -> None:
    family = double.add_user(first_name="Anna", language_code="en")
    await join(family, karin, "family", "The Lind family")
    stranger = double.add_user(first_name="Eve", language_code="en")

    for command in ("/invite coordinator", "/members", "/remove 1"):
        await family.send(command)
        assert (await family.next_message())["text"] == (
            "That command is not available for your role. /help shows what you can do."
        )
        await stranger.send(command)
        assert "Ask the foster-care unit for an invite" in (await stranger.next_message())["text"]
    await stranger.send("/partner")
    assert "Ask the foster-care unit for an invite" in (await stranger.next_message())["text"]

    # Nothing was created: the coordinator still sees two members.
    await karin.send("/members")
    assert "Medlemmar (2)" in (await karin.next_message())["text"]


async def test_a_partner_joins_the_household(karin: SandboxUser, double: BotApiDouble) -> None:
    anna = double.add_user(first_name="Anna", language_code="sv")
    await join(anna, karin, "family", "Familjen Lind")
    await anna.send("/partner")
    link = await anna.next_message()
    assert "lägger till en vuxen till i <b>Familjen Lind</b>" not in link["text"]  # rendered
    assert "Familjen Lind" in link["text"]
    olle = double.add_user(first_name="Olle", language_code="sv")
    await olle.send(f"/start {invite_code(link['text'])}")
    assert "Du är nu med i Familjen Lind (roll: familjehem)" in (await olle.next_message())["text"]
    notice = (await karin.next_message())["text"]  # a way in the coordinators did not grant
    assert "har gått med i Familjen Lind (familjehem) med en partnerlänk" in notice, notice
    await karin.send("/members")
    listing = (await karin.next_message())["text"]
    assert listing.count("Familjen Lind – familjehem") == 2


async def test_a_coordinator_removes_a_member(karin: SandboxUser, double: BotApiDouble) -> None:
    family = double.add_user(first_name="Anna", language_code="sv")
    await join(family, karin, "family", "Familjen Lind")
    await karin.send("/members")
    listing = (await karin.next_message())["text"]
    number = next(line.split()[0] for line in listing.splitlines() if "Familjen Lind" in line)

    await karin.send("/remove 9999")
    assert "Det finns ingen medlem #9999" in (await karin.next_message())["text"]
    await karin.send("/remove")
    assert "Skriv /remove NUMMER" in (await karin.next_message())["text"]
    await karin.send(f"/remove {number}")
    question = await karin.next_message()
    assert question["text"].startswith(f"Ta bort {number} Familjen Lind (familjehem)? ")
    await karin.press(question, "Behåll")
    assert (await karin.wait_for_edit(question))["text"] == "Ingen togs bort."
    assert "Familjen Lind" in await answer(karin, "/members")
    removed = await remove_member(karin, number.removeprefix("#"))
    assert f"{number} Familjen Lind (familjehem) är borttagen" in removed
    assert "avslutat din åtkomst" in (await family.next_message())["text"]
    await family.send("/partner")
    assert "Be familjehemsenheten om en inbjudan" in (await family.next_message())["text"]

    await karin.send("/members")
    own_number = next(
        line.split()[0]
        for line in (await karin.next_message())["text"].splitlines()
        if "(du)" in line
    )
    await karin.send(f"/remove {own_number}")
    assert "inte ta bort dig själv" in (await karin.next_message())["text"]


async def test_a_member_changes_language(karin: SandboxUser, double: BotApiDouble) -> None:
    mentor = double.add_user(first_name="Maria", language_code="sv")
    await join(mentor, karin, "mentor", "Familjen Berg")
    await mentor.send("/language")
    choice = await mentor.next_message()
    await mentor.press(choice, "Dansk")
    edited = await mentor.wait_for_edit(choice["message_id"])
    assert edited["text"].startswith("Sprog: Dansk")
    await mentor.send("/help")
    assert "Mentorbot for mentorfamilier" in (await mentor.next_message())["text"]
    menu = double.commands(scope={"type": "chat", "chat_id": mentor.id})
    assert [c["command"] for c in menu] == [
        "help",
        "end",
        "shifts",
        "away",
        "swap",
        "calendar",
        "events",
        "partner",
        "newsletter",
        "mydata",
        "forget",
        "language",
    ]

    # A forged language and a button nobody made change nothing.
    answer = await mentor.press_data(choice["message_id"], "language:de")
    assert answer is not None and "gælder ikke længere" in answer["text"]
    answer = await mentor.press_data(choice["message_id"], "delete:everything")
    assert answer is not None and "gælder ikke længere" in answer["text"]
    await mentor.send("/help")
    assert "Mentorbot for mentorfamilier" in (await mentor.next_message())["text"]


async def test_a_stranger_sees_what_the_service_is_before_pressing_start(
    start_bot: StartBot, double: BotApiDouble
) -> None:
    """The menu and the bot's descriptions in each language, set once: Telegram allows only a
    few such calls a day, so a start sets only what differs. A refusal stops nothing."""
    double.faults.inject("setMyShortDescription", 400, description="short description is too long")
    first = await start_bot(MENTORBOT_UNIT_NAME="sv:Barn & familj")
    assert [c["description"] for c in double.commands(language_code="da")] == [
        "Om tjenesten",
        "Hvad du kan gøre",
    ]
    assert [c["command"] for c in double.commands(language_code="en")] == ["start", "help"]
    assert double.commands() == double.commands(language_code="sv")
    assert double.description("sv").startswith("Mentorbot är kommunens stöd till familjehem")
    assert "skriver hit när Barn & familj har stängt" in double.description("sv")  # plain text
    assert "mentorfamilie på vagt" in double.description("da")
    assert "never replaces it" in double.description("en")
    assert double.description() == double.description("sv")  # MENTORBOT_LANGUAGE's
    assert double.short_description("sv") == ""  # refused: the bot runs without it
    assert double.short_description("da").startswith("Støtte til plejefamilier")
    assert double.short_description().startswith("Stöd till familjehem på kvällar")
    assert "could not set the bot's description for sv" in first.log
    assert await first.stop() == 0

    before = len(double.calls())
    await start_bot(MENTORBOT_UNIT_NAME="sv:Barn & familj")
    later = [call.method for call in double.calls()[before:] if call.method.startswith("set")]
    assert later == ["setMyShortDescription"]  # only the one refused the first time
    assert double.short_description("sv").startswith("Stöd till familjehem på kvällar")

    # A press's notice is plain text too: the unit's name as it is written.
    stranger = double.add_user(first_name="Vera", language_code="sv")
    await stranger.send("/start")
    welcome = await stranger.next_message()
    said = await stranger.press_data(welcome, "swap:1")
    assert said is not None and "Be Barn & familj om en inbjudan" in said["text"], said
