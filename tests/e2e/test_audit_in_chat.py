"""Every coordinator action is in the audit log: who, what and when, and never what was said."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.chat_support import Service, answer, remove_member, texts_until_quiet

pytestmark = pytest.mark.chat_burst(30)
TZ = ZoneInfo("Europe/Stockholm")


async def test_the_audit_log_shows_who_did_what_without_content(service: Service) -> None:
    karin, n = service.karin, service.numbers
    day = (datetime.now(TZ) + timedelta(days=9)).date()
    added = await answer(karin, f"/shift add {n['Familjen Berg']} {day} 17:00-22:00")
    shift = re.search(r"#(\d+)", added)
    assert shift
    await answer(karin, f"/shift del {shift[1]}")
    await remove_member(karin, n["Familien Lind"])
    await karin.send("/broadcast")
    await karin.next_message()
    await karin.send("Hemligt innehåll som inte får synas i loggen")
    ask = await karin.next_message()
    await karin.press(ask, "Mentorsfamiljer")
    await karin.wait_for_edit(ask)
    await karin.press(ask, "Nu")
    await texts_until_quiet(karin, 0.5)
    confirm = karin.messages[-1]
    await karin.press(confirm, "Skicka")
    await texts_until_quiet(karin, 1.5)

    log = await answer(karin, "/audit")
    lines = log.splitlines()
    assert lines[0] == "De senaste 8 registrerade åtgärderna"
    assert lines[1].endswith("Karin Holm: skickade broadcast #1 to mentors")
    assert lines[2].endswith(f"Karin Holm: tog bort member #{n['Familien Lind']} (mentor)")
    assert lines[3].endswith(f"Karin Holm: tog bort shift #{shift[1]}")
    assert lines[4].endswith(f"lade till shift #{shift[1]} (member #{n['Familjen Berg']})")
    assert [line.split(": ")[1] for line in lines[5:]] == [
        "bjöd in en family",
        "bjöd in en mentor",
        "bjöd in en mentor",
        "bjöd in en mentor",
    ]
    assert "Hemligt" not in log
    assert "De senaste 2 registrerade åtgärderna" in await answer(karin, "/audit 2")
    assert "Skriv /audit" in await answer(karin, "/audit 0")
    await texts_until_quiet(service.berg, 0.3)  # the shift notices and the broadcast
    assert "finns inte för din roll" in await answer(service.berg, "/audit")
