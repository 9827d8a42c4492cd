"""Numbers are never reused, and a confirmation acts only on what it was made for.

A coordinator keeps an old /members list, or an old /forget question, and acts on it after the
member it named has gone and somebody else has joined: the number must mean nobody, not the
newcomer.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from bot.sandbox import BotApiDouble
from tests.e2e.chat_support import (
    Service,
    answer,
    join,
    member_numbers,
    remove_member,
    texts_until_quiet,
)
from tests.e2e.scene_support import compose

pytestmark = pytest.mark.chat_burst(30)
STALE = "Den här bekräftelsen är för gammal, så ingenting ändrades."


async def test_a_removed_members_number_is_not_given_to_the_next_who_joins(
    service: Service, double: BotApiDouble
) -> None:
    karin, ek = service.karin, service.numbers["Familjen Ek"]
    assert ek == max(service.numbers.values()), "Ek joined last"
    assert await remove_member(karin, ek) == (
        f"#{ek} Familjen Ek (familjehem) är borttagen. Åtkomsten har upphört."
    )
    await texts_until_quiet(service.family, 0.3)

    nora = double.add_user(first_name="Nora", language_code="sv")
    await join(nora, karin, "family", "Familjen Ny")
    numbers = await member_numbers(karin)
    assert "Familjen Ek" not in numbers
    assert numbers["Familjen Ny"] > ek
    # The old list's number, typed again, finds nobody.
    assert await answer(karin, f"/remove {ek}") == (
        f"Det finns ingen medlem #{ek}. /members visar numren."
    )
    assert "Familjen Ny" in await member_numbers(karin)


async def test_a_deleted_shifts_number_is_not_given_to_the_next_shift(service: Service) -> None:
    karin, berg = service.karin, service.numbers["Familjen Berg"]
    booking = f"/shift add {berg} {date.today() + timedelta(days=7)} 17:00-22:00"

    def number(reply: str) -> int:
        added = re.match(r"Passet är tillagt: #(\d+) ", reply)
        assert added, reply
        return int(added[1])

    first = number(await answer(karin, booking))
    assert (await answer(karin, f"/shift del {first}")).startswith("Passet är borttaget")
    assert number(await answer(karin, booking)) > first
    assert await answer(karin, f"/shift del {first}") == (
        f"Det finns inget pass #{first}; /shift lista visar numren."
    )


async def test_a_forget_confirmation_for_a_member_who_left_erases_nobody(
    service: Service, double: BotApiDouble
) -> None:
    karin, ek = service.karin, service.numbers["Familjen Ek"]
    await karin.send(f"/forget {ek}")
    question = await karin.next_message()
    assert f"medlem #{ek}" in question["text"]
    await remove_member(karin, ek)
    await texts_until_quiet(service.family, 0.3)
    nora = double.add_user(first_name="Nora", language_code="sv")
    await join(nora, karin, "family", "Familjen Ny")

    # Hours later, as far as Karin knows: she presses the old question's button.
    answered = await karin.press(question, "Radera")
    assert (await karin.wait_for_edit(question))["text"].startswith(STALE)
    assert answered is not None and answered["text"].startswith(STALE)
    assert "Familjen Ny" in await member_numbers(karin)
    await nora.no_message(within=0.3)  # no word of an erasure


async def test_an_abandoned_broadcast_previews_send_button_does_not_send_the_next_draft(
    service: Service,
) -> None:
    karin = service.karin
    abandoned = await compose(karin, "Första utkastet, till familjerna.", "Familjehem")
    assert await answer(karin, "/cancel") == "Avbrutet; inget skickades."
    current = await compose(karin, "Andra utkastet, till mentorerna.", "Mentorsfamiljer")

    await karin.press(abandoned, "Skicka")
    assert (await karin.wait_for_edit(abandoned))["text"].startswith(STALE)
    await service.berg.no_message(within=0.5)
    # The preview that is still open sends its own draft.
    await karin.press(current, "Skicka")
    assert "skickas" in (await karin.wait_for_edit(current))["text"]
    assert (await service.berg.next_message())["text"] == "Andra utkastet, till mentorerna."
