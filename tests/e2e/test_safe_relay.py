"""Safe relay under real Telegram input: what people ordinarily type and do in Telegram.

Each test plays one thing a new user does (a "<" in a question, an edit, a reply to the wrong
message, a group chat, an album...) against the real bot over the double, and asserts what
every person involved sees: that a message reaches the right person, and only what may pass.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from bot.sandbox import BotApiDouble, SandboxUser
from bot.sandbox.state import Message
from tests.e2e.chat_support import (
    Service,
    StartBot,
    answer,
    build_service,
    texts_until_quiet,
)
from tests.e2e.scene_support import (
    ESCALATE_AFTER,
    ON_DUTY,
    PNG,
    TZ,
    ask,
    converse,
    on_duty,
    on_duty_later,
    second_family,
)

pytestmark = pytest.mark.chat_burst(40)

NOT_PASSED_ON = "Redigerade meddelanden skickas inte vidare"


# 1. Text a person typed is never read as markup --------------------------------------------


async def test_a_question_with_markup_characters_reaches_the_mentor_as_typed(
    service: Service, double: BotApiDouble
) -> None:
    berg = service.berg
    family = await second_family(service, double, "Ek & <Söner>")
    await on_duty(service, "Familjen Berg")
    question = "Han är <3 år & sover inte <b>alls</b>"
    number, offer = await ask(family, berg, question)
    assert f"#{number} från Ek & <Söner>" in offer["text"]
    assert question in offer["text"]  # shown as typed: not bold, not refused
    await berg.press(offer, "Acceptera")
    assert "Ek & <Söner>" in (await berg.wait_for_edit(offer))["text"]
    assert question in await texts_until_quiet(berg, 0.5)


async def test_when_no_offer_reaches_a_mentor_the_family_is_not_told_it_did(
    service: Service, double: BotApiDouble
) -> None:
    family, berg, karin = service.family, service.berg, service.karin
    await on_duty(service, "Familjen Berg")
    double.block(berg)  # the only mentor on duty blocked the bot: no offer can go out
    await family.send("Är någon där?")
    told = await texts_until_quiet(family)
    assert not any(ON_DUTY in text and "har gått till" in text for text in told), told
    assert any("Vi nådde inte mentorsfamiljen i tjänst" in text for text in told), told
    assert any("Vid akut fara, ring 112." in text for text in told), told
    notice = (await karin.next_message())["text"]
    assert "nådde ingen mentor i tjänst" in notice and "Familjen Ek" in notice


# 2. Edits ------------------------------------------------------------------------------------


async def test_an_edit_in_a_conversation_is_not_relayed_again_and_the_sender_is_told(
    service: Service,
) -> None:
    family, berg = service.family, service.berg
    await on_duty(service, "Familjen Berg")
    await converse(family, berg, "Hur gör vi med läxorna?")
    sent = await family.send("Han har prov i morgon")
    assert (await berg.next_message())["text"].endswith("Han har prov i morgon")
    await family.edit(sent, "Han har prov på fredag")
    assert NOT_PASSED_ON in (await family.next_message())["text"]
    await berg.no_message(within=0.6)  # no second copy
    mentor_sent = await berg.send("Öva lite varje kväll")
    assert (await family.next_message())["text"] == "Öva lite varje kväll"
    await berg.edit(mentor_sent, "Öva lite varje kväll, och sov gott")
    assert "Edits" not in (await berg.next_message())["text"]  # in the mentor's language: sv
    await family.no_message(within=0.6)


async def test_an_edit_never_opens_a_question_nor_runs_a_command_again(
    service: Service,
) -> None:
    family, karin, berg = service.family, service.karin, service.berg
    old = await family.send("/help")
    await family.next_message()
    await family.edit(old, "Vi behöver hjälp i natt")
    assert NOT_PASSED_ON in (await family.next_message())["text"]
    assert await answer(karin, "/requests") == "Inga öppna frågor."

    start = datetime.now(TZ).replace(second=0, microsecond=0) + timedelta(days=2)
    number = service.numbers["Familjen Berg"]
    command = await karin.send(f"/shift add {number} {start.date()} 17:00-22:00")
    assert "tillagt" in (await karin.next_message())["text"]
    await berg.next_message()  # the notice of the new shift
    await karin.edit(command, f"/shift add {number} {start.date()} 18:00-23:00")
    assert NOT_PASSED_ON in (await karin.next_message())["text"]
    listing = await answer(karin, f"/shift list {start.date()}")
    assert listing.count("Familjen Berg") == 1 and "17:00" in listing and "18:00" not in listing
    await berg.no_message(within=0.3)


async def test_a_waiting_message_edited_to_carry_an_identity_number_is_never_handed_over(
    service: Service,
) -> None:
    family, berg, karin = service.family, service.berg, service.karin
    await on_duty(service, "Familjen Berg")
    number, offer = await ask(family, berg, "Vi behöver råd om skolan")
    later = await family.send("Hans lärare heter Eva")
    assert "Tillagt i er fråga" in (await family.next_message())["text"]
    await family.edit(later, "Hans personnummer är 811218-9876")
    assert "personnummer" in (await family.next_message())["text"]
    calm = await family.send("Han är nio")
    await family.next_message()
    await family.edit(calm, "Han hotar sin syster med en kniv")
    assert (await family.next_message())["text"].startswith("Om någon är i fara, ring 112 nu.")
    assert f"Brådskande fråga #{number}" in (await karin.next_message())["text"]

    await berg.press(offer, "Acceptera")
    await berg.wait_for_edit(offer)
    handed_over = await texts_until_quiet(berg, 0.6)
    assert "Vi behöver råd om skolan" in handed_over
    assert "Han hotar sin syster med en kniv" in handed_over  # the edited version, checked
    assert not any("811218" in text or "Eva" in text for text in handed_over), handed_over


# 3. A mentor's words go only to the family they are meant for -----------------------------


async def test_a_mentor_with_two_conversations_is_asked_which_family_and_replies_go_home(
    service: Service, double: BotApiDouble
) -> None:
    ek, berg = service.family, service.berg
    ask_family = await second_family(service, double, "Familjen Ask")
    await on_duty(service, "Familjen Berg")
    first = await converse(ek, berg, "Fråga från Ek")
    second, offer = await ask(ask_family, berg, "Fråga från Ask")
    await berg.press(offer, "Acceptera")
    took = await berg.wait_for_edit(offer)
    label = (await berg.next_message())["text"]
    assert label == f"💬 #{second} Familjen Ask"  # the label above the waiting message
    await texts_until_quiet(berg, 0.4)
    await texts_until_quiet(ask_family, 0.4)

    # A reply to the label, and to the "you took it" notice, goes to Ask: never to Ek.
    label_message = next(m for m in berg.messages if m.get("text") == label)
    await berg.reply(label_message, "Svar till Ask")
    assert (await ask_family.next_message())["text"] == "Svar till Ask"
    await berg.reply(took, "Mer till Ask")
    assert (await ask_family.next_message())["text"] == "Mer till Ask"
    await ek.no_message(within=0.3)

    # A plain message is kept until Berg says which family it is for.
    await berg.send("Vem får det här?")
    which = await berg.next_message()
    assert which["text"] == "Du har flera samtal. Vilken familj är meddelandet till?"
    buttons = [b["text"] for row in which["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == [f"💬 #{second} Familjen Ask", f"💬 #{first} Familjen Ek"]
    await ek.no_message(within=0.3)
    await ask_family.no_message(within=0.1)
    await berg.press(which, f"💬 #{first} Familjen Ek")
    assert (await ek.next_message())["text"] == "Vem får det här?"
    assert f"Skickat till 💬 #{first} Familjen Ek" in (await berg.wait_for_edit(which))["text"]
    # Pressed again (or forged for the other family), nothing more is sent.
    forged = which["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    assert await berg.press_data(which, forged) is not None
    await ask_family.no_message(within=0.4)
    await ek.no_message(within=0.1)
    # Another mentor's press of Berg's choice sends nothing either.
    stolen = await service.lind.press_data(service.lind.messages[-1], forged)
    assert stolen is not None
    await ask_family.no_message(within=0.4)

    # An album is asked about once, and goes as one album.
    await berg.send_album([("photo", PNG, "Två bilder"), ("photo", PNG, None)])
    asked = await messages_until_quiet(berg)
    assert [m["text"] for m in asked] == ["Du har flera samtal. Vilken familj är meddelandet till?"]
    await berg.press(asked[0], f"💬 #{second} Familjen Ask")
    assert_one_album(await messages_until_quiet(ask_family), 2)
    await ek.no_message(within=0.1)


async def test_a_coordinators_rota_file_is_imported_and_never_relayed(
    start_bot: StartBot, coordinator: SandboxUser, double: BotApiDouble
) -> None:
    """A coordinator holding a conversation (taken at the second escalation) sends a rota."""
    service = await build_service(
        await start_bot(MENTORBOT_ESCALATE_AFTER=ESCALATE_AFTER), coordinator, double
    )
    karin, family, berg = service.karin, service.family, service.berg
    await on_duty(service, "Familjen Berg")
    await family.send("Hallå?")
    await family.next_message()
    await berg.next_message()  # Berg does not answer
    to_karin = await karin.next_message(timeout=60)
    while "Acceptera" not in str(to_karin.get("reply_markup")):
        to_karin = await karin.next_message(timeout=60)
    await karin.press(to_karin, "Acceptera")
    await texts_until_quiet(karin, 0.4)
    await texts_until_quiet(family, 0.4)

    day = (datetime.now(TZ) + timedelta(days=3)).date()
    csv = f"member;date;start;end\n{service.numbers['Familien Lind']};{day};17:00;22:00\n"
    await karin.send_document(csv.encode(), file_name="vecka.csv", mime_type="text/csv")
    assert "Nya pass: 1," in (await karin.next_message())["text"]
    await family.no_message(within=0.5)
    await karin.send("Jag är här nu")
    assert (await family.next_message())["text"] == "Jag är här nu"


# 4. After /end, the conversation is over ------------------------------------------------------


async def test_after_the_family_ends_a_reply_to_an_old_copy_reaches_nobody(
    service: Service,
) -> None:
    family, berg = service.family, service.berg
    await on_duty(service, "Familjen Berg")
    await converse(family, berg, "Kort fråga")
    await family.send("Tack, det räcker")
    copy = await berg.next_message()
    await family.send("/end")
    await texts_until_quiet(family, 0.4)
    await texts_until_quiet(berg, 0.4)
    await berg.reply(copy, "En sak till")
    assert (await berg.next_message())["text"] == (
        "Det samtalet är avslutat, så ditt meddelande skickades inte vidare."
    )
    await family.no_message(within=0.5)


# 5. Danger words inside a conversation ------------------------------------------------------


async def test_danger_words_inside_a_conversation_raise_the_alarm(service: Service) -> None:
    family, berg, karin = service.family, service.berg, service.karin
    await on_duty(service, "Familjen Berg")
    number = await converse(family, berg, "Han sover dåligt")
    await family.send("Nu hotar han sin syster med en kniv")
    assert (await family.next_message())["text"].startswith("Om någon är i fara, ring 112 nu.")
    copy = (await berg.next_message())["text"]
    assert copy == f"⚠️ 💬 #{number} Familjen Ek\nNu hotar han sin syster med en kniv"
    assert f"Brådskande fråga #{number}" in (await karin.next_message())["text"]


async def test_danger_words_with_a_mentor_off_duty_are_offered_to_the_mentors_on_duty(
    service: Service,
) -> None:
    family, berg, lind, karin = service.family, service.berg, service.lind, service.karin
    await on_duty(service, "Familjen Berg", "Familien Lind")
    number, offer = await ask(family, berg, "Han sover dåligt")
    await lind.next_message()
    await berg.press(offer, "Acceptera")
    await texts_until_quiet(berg, 0.4)
    await texts_until_quiet(lind, 0.4)
    await texts_until_quiet(family, 0.4)
    listing = await answer(karin, f"/shift list {datetime.now(TZ).date()}")
    shift = re.search(r"#(\d+)[^\n]*Familjen Berg", listing)
    assert shift, listing
    assert "borttaget" in await answer(karin, f"/shift del {shift[1]}")
    await texts_until_quiet(berg, 0.4)

    await family.send("Nu hotar han sin syster med en kniv")
    assert (await family.next_message())["text"].startswith("Om någon är i fara, ring 112 nu.")
    assert "⚠️" in (await berg.next_message())["text"]  # still theirs until someone takes it
    take_over = await lind.next_message()
    assert "Acceptér" in str(take_over["reply_markup"]) and f"#{number}" in take_over["text"]
    await lind.press(take_over, "Acceptér")
    history = await texts_until_quiet(lind, 0.6)
    assert any(text.endswith("Nu hotar han sin syster med en kniv") for text in history)
    assert any("Han sover dåligt" in text for text in history), history
    assert "har tagit över samtal" in (await berg.next_message())["text"]
    assert "har tagit över ert samtal" in (await texts_until_quiet(family, 0.5))[-1]
    await family.send("Tack")
    assert (await lind.next_message())["text"].endswith("Tack")
    await berg.no_message(within=0.3)


# 6. Long texts, captions and albums ---------------------------------------------------------


async def test_a_text_of_4096_characters_and_a_full_caption_reach_the_mentor_whole(
    service: Service,
) -> None:
    family, berg = service.family, service.berg
    await on_duty(service, "Familjen Berg")
    number = await converse(family, berg, "Hej")
    longest = ("Det här är en lång berättelse. " * 200)[:4096]
    await family.send(longest)
    assert (await berg.next_message())["text"] == f"💬 #{number} Familjen Ek"
    assert (await berg.next_message())["text"] == longest
    caption = ("Bild <b> & text " * 100)[:1024]
    await family.send_photo(PNG, caption=caption)
    assert (await berg.next_message())["text"] == f"💬 #{number} Familjen Ek"
    photo = await berg.next_message()
    assert "photo" in photo and photo["caption"] == caption
    assert "ingen kontrollerar vad de visar" in (await family.next_message())["text"]
    await family.no_message(within=0.3)  # nothing failed, nothing to try again


async def test_an_album_reaches_the_other_side_as_an_album_with_one_acknowledgement(
    service: Service,
) -> None:
    family, berg = service.family, service.berg
    await on_duty(service, "Familjen Berg")
    pictures = [("photo", PNG, "Hans rum"), ("photo", PNG, None), ("photo", PNG, None)]
    sent = await family.send_album(pictures)
    assert len({m["media_group_id"] for m in sent}) == 1
    told = await texts_until_quiet(family, 1.5)
    assert sum("fråga #" in text for text in told) == 1, told  # one acknowledgement, not three
    offer = await berg.next_message()
    await berg.press(offer, "Acceptera")
    await berg.wait_for_edit(offer)
    await texts_until_quiet(family, 0.4)
    assert_one_album(await messages_until_quiet(berg), 3)

    # Inside the conversation, both ways.
    await berg.send_album([("photo", PNG, "Vår kvällsrutin"), ("photo", PNG, None)])
    assert_one_album(await messages_until_quiet(family), 2)
    await berg.no_message(within=0.1)
    await family.send_album([("photo", PNG, "Tack"), ("photo", PNG, None)])
    arrived = await messages_until_quiet(berg)
    assert arrived[0]["text"] == f"💬 #{offer_number(offer)} Familjen Ek"
    assert_one_album(arrived[1:], 2)
    await family.no_message(within=0.1)


async def messages_until_quiet(user: SandboxUser) -> list[Message]:
    """What the bot sends a user until a second passes without anything (albums are gathered)."""
    arrived = []
    while True:
        try:
            arrived.append(await user.next_message(timeout=1.5))
        except AssertionError:
            return arrived


def assert_one_album(messages: list[Message], size: int) -> None:
    pictures = [message for message in messages if "photo" in message]
    assert len(pictures) == size, messages
    groups = {message.get("media_group_id") for message in pictures}
    assert len(groups) == 1 and None not in groups, messages


def offer_number(offer: Message) -> int:
    found = re.search(r"#(\d+)", offer["text"])
    assert found, offer
    return int(found[1])


# 7. What kinds of messages may pass ----------------------------------------------------------


async def test_locations_and_contacts_are_refused_and_service_messages_ignored(
    service: Service,
) -> None:
    family, berg = service.family, service.berg
    await on_duty(service, "Familjen Berg")
    number = await converse(family, berg, "Hej")
    await family.send_location(59.27, 15.21)
    assert "Platser och kontaktkort skickas inte vidare" in (await family.next_message())["text"]
    await family.send_venue(59.27, 15.21, "Vår skola", "Skolgatan 1")
    assert "Platser och kontaktkort" in (await family.next_message())["text"]
    await family.send_contact("+46701234567", "Eva")
    assert "Platser och kontaktkort" in (await family.next_message())["text"]
    await family.send_poll("Vilken tid?", ["18", "19"])
    assert (
        "Den här sortens meddelande kan inte skickas vidare"
        in (await family.next_message())["text"]
    )
    await berg.no_message(within=0.4)

    sent = await family.send("Hej igen")
    await berg.next_message()
    await family.pin(sent)
    await family.set_auto_delete_timer(86400)
    await family.no_message(within=0.6)
    await berg.no_message(within=0.1)

    await family.send_sticker(b"WEBP-sticker")
    assert (await berg.next_message())["text"] == f"💬 #{number} Familjen Ek"
    assert "sticker" in await berg.next_message()
    await family.send_video_note(b"MP4-round")
    await berg.next_message()
    assert "video_note" in await berg.next_message()
    await berg.send_location(59.0, 15.0)
    assert "Platser och kontaktkort" in (await berg.next_message())["text"]
    await family.no_message(within=0.4)


# 8. Identity numbers, as people really write them -------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "81 12 18-9876",
        "811218 - 9876",
        "811218\u00a09876",
        "811218\u202f9876",
        "811218\u20119876",
        "811218\u22129876",
        "８１１２１８-９８７６",
        "8112\u200b18-9876",
    ],
)
async def test_an_identity_number_written_as_people_write_it_is_not_passed_on(
    service: Service, written: str
) -> None:
    family, berg = service.family, service.berg
    await on_duty(service, "Familjen Berg")
    await family.send(f"Hans nummer: {written}")
    assert "personnummer" in (await family.next_message())["text"]
    await berg.no_message(within=0.4)


async def test_identity_numbers_in_file_names_and_links_are_caught_and_pictures_explained(
    service: Service,
) -> None:
    family, berg = service.family, service.berg
    await on_duty(service, "Familjen Berg")
    await converse(family, berg, "Hej")
    await family.send_document(b"%PDF-1.4", file_name="journal 811218-9876.pdf")
    assert "personnummer" in (await family.next_message())["text"]
    link = [{"type": "text_link", "offset": 0, "length": 7, "url": "https://x.se/?p=8112189876"}]
    await family.send_text_with_entities("journal", link)
    assert "personnummer" in (await family.next_message())["text"]
    await berg.no_message(within=0.4)

    await family.send_photo(PNG, caption="Hans teckning")
    assert "ingen kontrollerar vad de visar" in (await family.next_message())["text"]
    await berg.next_message()
    await family.send_photo(PNG)
    await berg.next_message()
    await family.no_message(within=0.5)  # told once, not every time


# 9. Private chats only ------------------------------------------------------------------------


async def test_the_bot_answers_no_group_and_leaves_groups_and_channels(
    service: Service, double: BotApiDouble
) -> None:
    karin = service.karin
    group = double.add_group("Familjehemsteamet", [karin, service.berg])
    await group.send(karin, "/members")
    await group.send(karin, "/interest")
    await group.no_message(within=1.0)
    assert not group.bot_is_member
    channel = double.add_channel("Nyheter", karin)
    await channel.no_message(within=1.0)
    assert not channel.bot_is_member
    assert sorted(double.allowed_updates or []) == sorted(
        ["message", "edited_message", "callback_query", "my_chat_member"]
    )
    assert "Medlemmar" in await answer(karin, "/members")  # private chats still work


# 10. Command arguments --------------------------------------------------------------------------


async def test_numbers_that_are_not_plain_digits_get_one_line(service: Service) -> None:
    karin = service.karin
    assert await answer(karin, "/remove ²") == (
        "Skriv /remove NUMMER, med numret som /members visar."
    )
    assert await answer(karin, "/audit 99999999999999999999") == (
        "Skriv /audit eller /audit N, med N från 1 till 200."
    )
    assert "Skriv /shift ny" in await answer(karin, "/shift del ٣")
    assert await answer(karin, "/remove 99999999999999999999") == (
        "Skriv /remove NUMMER, med numret som /members visar."
    )
    assert "Traceback" not in service.bot.log


# What a review found: the same rules at the edges -------------------------------------------


async def test_a_reply_to_an_ended_conversations_topic_question_never_reaches_the_open_one(
    service: Service, double: BotApiDouble
) -> None:
    ek, berg = service.family, service.berg
    ask_family = await second_family(service, double, "Familjen Ask")
    await on_duty(service, "Familjen Berg")
    await converse(ek, berg, "Första frågan")
    await ek.send("/end")
    topic = next(m for m in await messages_until_quiet(berg) if "Vad handlade" in m["text"])
    await texts_until_quiet(ek, 0.3)
    await converse(ask_family, berg, "Andra frågan")  # Berg's only open conversation now
    await berg.reply(topic, "En sak till om sömnen")
    assert "avslutat" in (await berg.next_message())["text"]
    await berg.reply(berg.messages[-1], "Och en till")  # a reply to the bot's own answer
    assert "Jag kan inte se vilket samtal" in (await berg.next_message())["text"]
    await ask_family.no_message(within=0.5)
    await berg.send("Till Ask")  # a plain message: the only open conversation
    assert (await ask_family.next_message())["text"] == "Till Ask"


async def test_danger_words_in_a_refused_message_still_raise_the_alarm(service: Service) -> None:
    family, berg, karin = service.family, service.berg, service.karin
    await on_duty(service, "Familjen Berg")
    number = await converse(family, berg, "Hej")
    await family.send("Han har en kniv, hans personnummer är 811218-9876")
    told = await texts_until_quiet(family, 0.5)
    assert any("personnummer" in text for text in told), told
    assert any(text.startswith("Om någon är i fara, ring 112 nu.") for text in told), told
    assert f"Brådskande fråga #{number}" in (await karin.next_message())["text"]
    await berg.no_message(within=0.3)  # the words themselves never pass


async def test_a_parked_message_edited_to_carry_an_identity_number_is_never_sent(
    service: Service, double: BotApiDouble
) -> None:
    ek, berg = service.family, service.berg
    ask_family = await second_family(service, double, "Familjen Ask")
    await on_duty(service, "Familjen Berg")
    await converse(ek, berg, "Från Ek")
    await converse(ask_family, berg, "Från Ask")
    parked = await berg.send("Hans nummer kommer här")
    which = await berg.next_message()
    await berg.edit(parked, "Hans nummer är 811218-9876")
    assert "personnummer" in (await berg.next_message())["text"]
    await berg.press(which, "💬 #1 Familjen Ek")
    await ek.no_message(within=0.5)
    await ask_family.no_message(within=0.1)


async def test_a_live_location_moving_is_silent_and_a_waiting_question_offered_to_nobody_is_told(
    service: Service, double: BotApiDouble
) -> None:
    family, berg, karin = service.family, service.berg, service.karin
    shared = await family.send_location(59.27, 15.21)
    assert "Platser och kontaktkort" in (await family.next_message())["text"]
    moved = {key: value for key, value in shared.items() if key != "update_id"}
    moved["location"] = {"latitude": 59.28, "longitude": 15.22, "live_period": 900}
    double.inject_update({"edited_message": {**moved, "edit_date": moved["date"] + 60}})
    await family.no_message(within=0.6)

    await on_duty_later(service, "Familien Lind")
    await family.send("Är någon där?")
    assert "Ingen mentorsfamilj är i tjänst" in (await family.next_message())["text"]
    double.block(berg)
    await on_duty(service, "Familjen Berg")  # the shift starts, but its offer reaches nobody
    told = await texts_until_quiet(family, 0.8)
    assert any("Vi nådde inte mentorsfamiljen i tjänst" in text for text in told), told
    assert not any("har fått er fråga" in text for text in told), told
    notices = await texts_until_quiet(karin, 0.5)
    assert any("nådde ingen mentor i tjänst" in text for text in notices), notices


async def test_a_coordinators_other_file_outside_a_conversation_is_read_as_a_rota(
    service: Service,
) -> None:
    await service.karin.send_document(PNG, file_name="schema.png", mime_type="image/png")
    assert "ingen CSV-textfil" in (await service.karin.next_message())["text"]
