"""A member gets everything stored about them as a file; a coordinator's export is audited."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.sandbox import BotApiDouble
from tests.e2e.chat_support import STRANGERS_MENU, Service, answer, menu, texts_until_quiet

pytestmark = pytest.mark.chat_burst(30)
TZ = ZoneInfo("Europe/Stockholm")


async def test_a_family_exports_its_data_and_a_coordinators_export_is_logged(
    service: Service, double: BotApiDouble
) -> None:
    family, berg, karin = service.family, service.berg, service.karin
    start = datetime.now(TZ).replace(second=0, microsecond=0) - timedelta(hours=1)
    end = start + timedelta(hours=3)
    booking = f"{start.date()} {start:%H:%M}-{end:%H:%M}"
    await answer(karin, f"/shift add {service.numbers['Familjen Berg']} {booking}")
    await texts_until_quiet(berg, 0.3)
    await family.send("Hur gör vi med läxorna?")
    await family.next_message()
    offer = await berg.next_message()
    await berg.press(offer, "Acceptera")
    await texts_until_quiet(berg, 0.3)
    await family.next_message()
    await family.send("/end")
    rating = await family.next_message()
    await family.press(rating, "5")
    await family.wait_for_edit(rating)

    await family.send("/mydata")
    sent = await family.next_message()
    ek = service.numbers["Familjen Ek"]
    assert sent["document"]["file_name"] == f"mentorbot-member-{ek}.json"
    data = json.loads(double.file_bytes(sent["document"]["file_id"]))
    assert data["member"][0]["telegram_user_id"] == family.id
    assert data["household"][0]["display_name"] == "Familjen Ek"
    (question,) = data["questions"]
    assert (question["state"], question["rating"], question["preview"]) == (
        "closed",
        5,
        "Hur gör vi med läxorna?",
    )
    assert data["audit_entries"] == []

    assert "Skriv /mydata" in await answer(family, "/mydata 1")
    await karin.send(f"/mydata {ek}")
    assert "document" in await karin.next_message()
    log = await answer(karin, "/audit 1")
    assert f"exporterade uppgifterna för member #{ek} (family)" in log


async def test_erasure_ends_access_and_leaves_only_anonymous_metadata(service: Service) -> None:
    """An erased member's menu is a stranger's again, whoever asked for the erasure."""
    family, berg, karin = service.family, service.berg, service.karin
    ek, berg_number = service.numbers["Familjen Ek"], service.numbers["Familjen Berg"]

    ask = await answer(family, "/forget")
    assert ask.startswith("Det här raderar allt Mentorbot lagrar om dig")
    await family.press(family.messages[-1], "Behåll")
    assert (await family.wait_for_edit(family.messages[-1]))["text"] == "Inget raderades."
    # The button of a release before confirmations named the joining time: one line, no erasure.
    older = await family.press_data(family.messages[-1], f"forget:{ek}")
    assert (older or {}).get("text") == (
        "Den här bekräftelsen är för gammal, så ingenting ändrades. "
        "Skriv kommandot igen om du fortfarande vill."
    )
    assert "newsletter" in menu(family)
    await family.send("/forget")
    confirm = await family.next_message()
    await family.press(confirm, "Radera")
    assert "Dina uppgifter är raderade" in (await family.wait_for_edit(confirm))["text"]
    assert menu(family) == STRANGERS_MENU  # the household's last adult: it is erased too
    # A stranger now: the question it asked is no longer theirs to continue.
    assert "Skicka /start för att läsa mer" in await answer(family, "Hallå?")
    members = await answer(karin, "/members")
    assert "Familjen Ek" not in members

    await karin.send(f"/forget {berg_number}")
    confirm = await karin.next_message()
    assert f"medlem #{berg_number}" in confirm["text"]
    await karin.press(confirm, "Radera")
    assert (
        f"Medlem #{berg_number}:s uppgifter är raderade."
        == (await karin.wait_for_edit(confirm))["text"]
    )
    assert "Familjehemsenheten har raderat dina uppgifter" in (await berg.next_message())["text"]
    assert menu(berg) == STRANGERS_MENU
    log = await answer(karin, "/audit 1")
    assert f"raderade uppgifterna för member #{berg_number} (mentor)" in log
    assert f"Det finns ingen medlem #{ek}" in await answer(karin, f"/mydata {ek}")
