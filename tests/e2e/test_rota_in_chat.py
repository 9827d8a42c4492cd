"""The rota as people use it: a coordinator plans a week, mentors are reminded and swap shifts."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.i18n import translator
from bot.rota_csv import parse_rota_csv
from bot.sandbox import BotApiDouble, SandboxUser
from bot.service_hours import ServiceHours
from tests.e2e.chat_support import (
    Service,
    StartBot,
    answer,
    build_service,
    button_data,
    labels,
    remove_member,
    texts_until_quiet,
)
from tests.e2e.scene_support import daytime_zone

pytestmark = pytest.mark.chat_burst(30)
TZ = ZoneInfo("Europe/Stockholm")
SV = translator("sv")


def today() -> date:
    return datetime.now(TZ).date()


def plain_week() -> date:
    """A Monday at least a week ahead whose days are all ordinary (no public holiday)."""
    hours = ServiceHours.parse("17:00-22:00", "09:00-22:00", "SE")
    monday = today() + timedelta(days=14 - today().weekday())
    while any(hours.is_holiday(monday + timedelta(days=offset)) for offset in range(7)):
        monday += timedelta(days=7)
    return monday


def weeks_to_cover(last_day: date) -> int:
    return (last_day - today()).days // 7 + 1


def section(lines: list[str], day: date) -> list[str]:
    """The lines of /rota for one day: its heading and its indented lines below it."""
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{SV.day(day)} "))
    rest = lines[start + 1 :]
    end = next((i for i, line in enumerate(rest) if not line.startswith("  ")), len(rest))
    return [lines[start], *rest[:end]]


async def test_a_coordinator_builds_a_week_by_command_and_sees_its_gaps(service: Service) -> None:
    karin, n = service.karin, service.numbers
    berg, lind = n["Familjen Berg"], n["Familien Lind"]
    monday = plain_week()
    for offset in range(5):
        day = monday + timedelta(days=offset)
        reply = await answer(karin, f"/shift add {berg} {day} 17:00-22:00")
        assert reply.startswith("Passet är tillagt: #"), reply
        assert "17:00–22:00 – Familjen Berg" in reply
    saturday, sunday = monday + timedelta(days=5), monday + timedelta(days=6)
    assert "tillagt" in await answer(karin, f"/shift add {lind} {saturday} 09:00-22:00")
    assert "tillagt" in await answer(karin, f"/shift ny #{lind} {sunday} 09:00 - 15:00")
    # A night shift: the end before the start is the next morning.
    night = await answer(karin, f"/shift add {lind} {sunday} 22:00-08:00")
    assert "22:00–08:00" in night
    # A backup in the same slot is fine; the same household twice is not.
    backup = await answer(karin, f"/shift add {lind} {monday} 17:00-22:00")
    assert "tillagt" in backup
    overlap = await answer(karin, f"/shift add {berg} {monday} 21:00-23:00")
    assert overlap.startswith("Mentorsfamiljen har redan pass #")

    # Each household hears about its own shifts, in its own language.
    berg_notices = await texts_until_quiet(service.berg)
    assert len(berg_notices) == 5
    assert all("har gett er ett pass" in text for text in berg_notices)
    lind_notices = await texts_until_quiet(service.lind)
    assert len(lind_notices) == 4 and all("har givet jer en vagt" in t for t in lind_notices)

    weeks = weeks_to_cover(sunday)
    await karin.send(f"/rota {weeks}")
    lines = "\n".join(await texts_until_quiet(karin)).splitlines()
    assert re.fullmatch(rf"Schema från i dag, {weeks * 7} dagar: \d+ dagar med luckor\.", lines[0])
    monday_lines = section(lines, monday)
    assert monday_lines[0].endswith("\u2705")
    assert any("Familjen Berg" in line for line in monday_lines)
    assert any("Familien Lind" in line for line in monday_lines)
    assert section(lines, saturday)[0].endswith("\u2705")
    sunday_lines = section(lines, sunday)
    assert sunday_lines[0].endswith("\u26a0\ufe0f")
    assert "  lucka 15:00–22:00: ingen mentor i tjänst" in sunday_lines

    listing = await answer(karin, f"/shift lista {monday}")
    assert "Familjen Berg" in listing and "Familien Lind" in listing
    number = re.search(r"#(\d+) \S+ \S+ \S+ 17:00–22:00 – Familien Lind", listing)
    assert number, listing
    removed = await answer(karin, f"/shift del {number[1]}")
    assert removed.startswith("Passet är borttaget")
    assert "har slettet jeres vagt" in (await service.lind.next_message())["text"]
    assert "Familien Lind" not in await answer(karin, f"/shift list {monday}")
    assert "Det finns inget pass #" in await answer(karin, f"/shift del {number[1]}")

    # Lind's only adult leaves the service: nobody would come to their shifts, so they go.
    removal = await remove_member(karin, lind)
    assert "Deras 3 kommande pass är strukna; /rota visar luckorna." in removal
    await karin.send(f"/rota {weeks}")
    lines = "\n".join(await texts_until_quiet(karin)).splitlines()
    assert "  lucka 09:00–22:00: ingen mentor i tjänst" in section(lines, saturday)


BAD_INPUT = [
    ("/shift add {family} {day} 17:00-22:00", "Den medlemmen är ingen mentorsfamilj"),
    ("/shift add {karin} {day} 17:00-22:00", "Den medlemmen är ingen mentorsfamilj"),
    ("/shift add 999 {day} 17:00-22:00", "Det finns ingen medlem med det numret"),
    ("/shift add {berg} {yesterday} 17:00-22:00", "Det passet är redan slut"),
    ("/shift add {berg} 2027-02-30 17:00-22:00", "”2027-02-30” är inget datum"),
    ("/shift add {berg} 4/12 17:00-22:00", "”4/12” är inget datum"),
    ("/shift add {berg} {day} 17:00-25:00", "”25:00” är ingen tid"),
    ("/shift add {berg} {day} 17:00-17:00", "Ett pass måste sluta vid en annan tid"),
    ("/shift add {berg} 2027-03-28 02:30-06:00", "2027-03-28 02:30 finns inte"),
    ("/shift add {berg} {day}", "Skriv /shift ny MEDLEM"),
    ("/shift add bob {day} 17:00-22:00", "”bob” är inget medlemsnummer"),
    ("/shift bogus", "Skriv /shift ny MEDLEM"),
    ("/shift del x", "Skriv /shift ny MEDLEM"),
    ("/shift lägg {berg} {day} 17:00-22:00", "Skriv /shift ny MEDLEM"),  # not a word it takes
    ("/shift list tomorrow", "”tomorrow” är inget datum"),
    ("/rota 99", "Skriv /rota, /rota VECKOR (1 till 8)"),
    ("/rota 0", "Skriv /rota, /rota VECKOR (1 till 8)"),
]


async def test_bad_rota_input_gets_one_line_and_changes_nothing(service: Service) -> None:
    n = service.numbers
    day = plain_week()
    for command, expected in BAD_INPUT:
        text = command.format(
            family=n["Familjen Ek"],
            karin=n["Karin Holm"],
            berg=n["Familjen Berg"],
            day=day,
            yesterday=today() - timedelta(days=1),
        )
        replies = await texts_until_quiet(service.karin, 0.3)
        assert len(replies) == 0, replies
        await service.karin.send(text)
        assert expected in (await service.karin.next_message())["text"], text
    await service.karin.no_message(within=0.5)
    assert "Inga pass." in await answer(service.karin, f"/shift list {day}")
    assert "Inga pass." in await answer(service.karin, "/shift list 2027-03-28")
    await service.berg.no_message(within=0.2)


async def test_only_coordinators_plan_and_only_mentors_swap(service: Service) -> None:
    for person, command in [
        (service.berg, "/shift list"),
        (service.family, "/rota"),
        (service.family, "/shifts"),
        (service.karin, "/swap 1"),
        (service.family, "/calendar"),
    ]:
        assert "finns inte för din roll" in await answer(person, command)


Row = tuple[int, date | str, str, str]


def season(numbers: dict[str, int], monday: date) -> list[Row]:
    """A week: Berg on four weekday evenings, Lind on Friday and the weekend."""
    berg, lind = numbers["Familjen Berg"], numbers["Familien Lind"]
    return [
        *((berg, monday + timedelta(days=d), "17:00", "22:00") for d in range(4)),
        (lind, monday + timedelta(days=4), "17:00", "22:00"),
        (lind, monday + timedelta(days=5), "9:00", "22:00"),
        (lind, monday + timedelta(days=6), "09:00", "22:00"),
    ]


def csv_file(rows: list[Row], delimiter: str = ",", newline: str = "\n", bom: str = "") -> bytes:
    lines = [delimiter.join(("member", "date", "start", "end"))]
    lines.extend(delimiter.join(map(str, row)) for row in rows)
    return (bom + newline.join(lines)).encode()


async def send_csv(user: SandboxUser, content: bytes, name: str = "rota.csv") -> list[str]:
    await user.send_document(content, file_name=name, mime_type="text/csv")
    return await texts_until_quiet(user)


async def test_a_season_by_csv_goes_in_whole_or_not_at_all(
    service: Service, double: BotApiDouble
) -> None:
    karin, n = service.karin, service.numbers
    monday = plain_week()
    rows = season(n, monday)
    berg, family = n["Familjen Berg"], n["Familjen Ek"]

    broken = [rows[0], (berg, "2027-02-30", "17:00", "22:00"), (berg, monday, "17:00", "2200")]
    refused = "\n".join(await send_csv(karin, csv_file(broken)))
    assert "Inget importerades; rätta de här 2 felen" in refused
    assert "Rad 3: ”2027-02-30” är inget datum" in refused
    assert "Rad 4: ”2200” är ingen tid" in refused

    # Excel's Swedish export: semicolons, CRLF and a byte order mark; row 3 names the family.
    excel = [rows[0], (family, monday + timedelta(days=1), "17:00", "22:00")]
    refused = "\n".join(await send_csv(karin, csv_file(excel, ";", "\r\n", "\ufeff")))
    assert "Inget importerades; rätta det här felet" in refused
    assert "Rad 3: Den medlemmen är ingen mentorsfamilj" in refused
    assert "Inga pass." in await answer(karin, f"/shift list {monday}")

    good = csv_file(rows, ";", "\r\n", "\ufeff")
    assert await send_csv(karin, good) == [
        "Schemat är uppdaterat. Nya pass: 7, oförändrade: 0, borttagna: 0. /rota visar täckningen."
    ]
    assert await texts_until_quiet(service.berg) == [
        "Familjehemsenheten har gett er 4 nya pass. /shifts visar dem."
    ]
    assert await texts_until_quiet(service.lind) == [
        "Plejefamilieområdet har givet jer 3 nye vagter. /shifts viser dem."
    ]
    # The same file again books nobody twice: every row is already there.
    assert await send_csv(karin, good) == [
        "Schemat är uppdaterat. Nya pass: 0, oförändrade: 7, borttagna: 0. /rota visar täckningen."
    ]
    # A row that overlaps a booked shift of the same household is refused by its line.
    clash = csv_file([*rows, (berg, monday, "21:00", "23:00")])
    assert await send_csv(karin, clash) == [
        "Inget importerades; rätta det här felet och skicka filen igen:\n"
        "Rad 9: Överlappar rad 2 i samma fil för samma mentorsfamilj."
    ]

    await karin.send("/rota csv")
    export = await karin.next_message()
    assert export["caption"].startswith("Schemat från i dag: 7 pass. Ändra, lägg till eller ta")
    assert export["document"]["file_name"] == f"rota-{today()}.csv"
    planned, problems = parse_rota_csv(double.file_bytes(export["document"]["file_id"]), TZ)
    assert problems == []
    assert [(p.member_id, p.local_day, f"{p.local_start:%H:%M}") for p in planned] == [
        (member, day, start.zfill(5)) for member, day, start, _ in rows
    ]


async def test_an_exported_rota_edited_and_sent_back_changes_exactly_that(
    service: Service, double: BotApiDouble
) -> None:
    """The double play as a coordinator plays it: /rota csv, delete a row and add one in Excel,
    send the file back, read the question, confirm."""
    karin, n = service.karin, service.numbers
    berg = n["Familjen Berg"]
    monday = plain_week()
    await send_csv(karin, csv_file(season(n, monday)))
    await texts_until_quiet(service.berg)
    await texts_until_quiet(service.lind)

    await karin.send("/rota csv")
    export = double.file_bytes((await karin.next_message())["document"]["file_id"])
    assert export.startswith("\ufeffmedlem;namn;datum;start;slut\r\n".encode())
    lines = export.decode("utf-8-sig").splitlines()
    assert lines[1] == f"{berg};Familjen Berg;{monday};17:00;22:00"
    # In Excel: Thursday's row deleted, a Sunday night for Berg added with no name, saved as it
    # was opened.
    thursday = f"{berg};Familjen Berg;{monday + timedelta(days=3)};17:00;22:00"
    sunday = f"{berg};;{monday + timedelta(days=6)};22:00;08:00"
    edited = [line for line in lines if line != thursday] + [sunday]
    assert len(edited) == len(lines)
    file = ("\ufeff" + "\r\n".join(edited) + "\r\n").encode()
    await karin.send_document(file, file_name="rota.csv", mime_type="application/vnd.ms-excel")
    question = await karin.next_message()
    heading, removed = question["text"].splitlines()
    assert heading == (
        "Nya pass i filen: 1, oförändrade: 6. "
        "Det här passet står inte i filen och tas bort om du bekräftar:"
    )
    assert SV.day(monday + timedelta(days=3)) in removed and "Familjen Berg" in removed
    assert await texts_until_quiet(service.berg, 0.3) == []  # nothing happens before the press

    # A forged press (a change nobody was shown) changes nothing; nor does Cancel.
    forged = await karin.press_data(question, "rota-file:all:0000000000000000")
    assert forged is not None
    assert "ändrats sedan filen lästes" in (await karin.wait_for_edit(question))["text"]
    await karin.send_document(file, file_name="rota.csv")
    question = await karin.next_message()
    await karin.press(question, "Avbryt")
    cancelled = await karin.wait_for_edit(question)
    assert cancelled["text"] == "Avbrutet. Ingenting i schemat ändrades."
    await karin.send_document(file, file_name="rota.csv")
    question = await karin.next_message()
    assert labels(question) == ["Bekräfta ändringarna", "Lägg bara till, ta inte bort", "Avbryt"]
    confirm = button_data(question, "Bekräfta ändringarna")
    await karin.press(question, "Bekräfta ändringarna")
    assert (await karin.wait_for_edit(question))["text"] == (
        "Schemat är uppdaterat. Nya pass: 1, oförändrade: 6, borttagna: 1. /rota visar täckningen."
    )
    assert sorted(await texts_until_quiet(service.berg)) == [
        "Familjehemsenheten har gett er ett nytt pass. /shifts visar det.",
        "Familjehemsenheten har tagit bort ett av era pass. /shifts visar de som är kvar.",
    ]
    assert await texts_until_quiet(service.lind, 0.3) == []

    await karin.send("/rota csv")
    again = double.file_bytes((await karin.next_message())["document"]["file_id"])
    named = sunday.replace(";;", ";Familjen Berg;")  # the name cell is the bot's, not the file's
    assert sorted(again.decode("utf-8-sig").splitlines()) == sorted([*edited[:-1], named])
    # The same confirmation a second time (a double tap): the rota is no longer what it showed.
    await karin.press_data(question, confirm)
    assert "ändrats sedan filen lästes" in (await karin.wait_for_edit(question))["text"]


async def test_files_that_are_not_a_rota_get_one_line(service: Service) -> None:
    karin = service.karin
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200)
    assert await send_csv(karin, png, "rota.csv") == [
        "Det här är ingen CSV-textfil. Spara kalkylarket som ”CSV UTF-8” och skicka det igen."
    ]
    huge = b"member,date,start,end\n" + b"1,2027-01-01,17:00,22:00\n" * 420_000
    assert len(huge) > 10_000_000
    assert await send_csv(karin, huge, "season.csv") == [
        "Filen är för stor för ett schema (högst 1 MB). Dela upp den och skicka delarna."
    ]
    assert await send_csv(karin, b"", "empty.csv") == ["Filen innehåller inga pass."]
    assert "Inga pass." in await answer(karin, "/shift list 2027-01-01")


async def test_a_mentor_swaps_a_shift_and_the_first_taker_gets_it(service: Service) -> None:
    karin, berg, lind, holm = service.karin, service.berg, service.lind, service.holm
    day = plain_week()
    added = await answer(karin, f"/shift add {service.numbers['Familjen Berg']} {day} 17:00-22:00")
    shift = re.search(r"#(\d+)", added)
    assert shift
    await berg.next_message()  # the notice of the new shift

    own = await answer(berg, "/shifts")
    assert own.startswith("Era kommande pass (1)") and f"#{shift[1]} " in own
    assert "Ni har inget pass med det numret" in await answer(berg, "/swap 9999")
    offered = await answer(berg, f"/swap {shift[1]}")
    assert "är erbjudet till 2 andra mentorer" in offered

    offer_lind = await lind.next_message()
    offer_holm = await holm.next_message()
    assert "Familjen Berg tilbyder sin vagt" in offer_lind["text"]
    assert "Familjen Berg offers their shift" in offer_holm["text"]
    take = offer_lind["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    family_press = await service.family.press_data(service.family.messages[-1], take)
    assert family_press is not None
    assert "finns inte för din roll" in family_press.get("text", "")

    await lind.press(offer_lind, "Tag vagten")
    assert "er jeres nu" in (await lind.wait_for_edit(offer_lind))["text"]
    assert (await holm.wait_for_edit(offer_holm))["text"] == (
        "Another mentor family has taken this shift."
    )
    late = await holm.press_data(offer_holm, take)
    assert late is not None and "no longer on offer" in late.get("text", "")
    forged = await holm.press_data(offer_holm, "swap:abc")
    assert forged is not None and forged.get("text") == "This button is no longer valid."

    assert "Familien Lind har tagit ert pass" in (await berg.next_message())["text"]
    notice = (await karin.next_message())["text"]
    assert f"Byte: pass #{shift[1]}" in notice and "från Familjen Berg till Familien Lind" in notice
    assert "Ni har inga pass" in await answer(berg, "/shifts")
    assert f"#{shift[1]} " in await answer(lind, "/shifts")


async def test_a_mentor_gets_their_shifts_as_a_calendar_file(
    service: Service, double: BotApiDouble
) -> None:
    day = plain_week()
    await answer(service.karin, f"/shift add {service.numbers['Familjen Berg']} {day} 22:00-08:00")
    await service.berg.next_message()
    await service.berg.send("/calendar")
    sent = await service.berg.next_message()
    assert sent["document"]["file_name"] == "mentorbot-shifts.ics"
    assert sent["caption"].startswith("Ert pass som kalenderfil")
    calendar = Calendar.from_ical(double.file_bytes(sent["document"]["file_id"]))
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    start, end = events[0].decoded("dtstart"), events[0].decoded("dtend")
    assert (start.date(), f"{start:%H:%M}", f"{end:%H:%M}") == (day, "22:00", "08:00")
    assert str(events[0]["dtstart"].params["TZID"]) == "Europe/Stockholm"
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Stockholm"


def clock_span(start: datetime, minutes: int) -> str:
    end = start + timedelta(minutes=minutes)
    return f"{start.date()} {start:%H:%M}-{end:%H:%M}"


def next_whole_minute(after: timedelta) -> datetime:
    moment = datetime.now(TZ) + after
    return moment.replace(second=0, microsecond=0) + timedelta(minutes=1)


async def test_a_reminder_already_due_is_sent_once_even_across_a_restart(
    start_bot: StartBot, coordinator: SandboxUser, double: BotApiDouble
) -> None:
    service = await build_service(await start_bot(), coordinator, double)
    start = next_whole_minute(timedelta(minutes=40))
    berg = service.numbers["Familjen Berg"]
    added = await answer(service.karin, f"/shift add {berg} {clock_span(start, 60)}")
    assert "tillagt" in added
    # Both the day-before and the hour-before reminder are overdue: only the latest is sent.
    texts = await texts_until_quiet(service.berg)
    assert len(texts) == 2, texts
    assert "har gett er ett pass" in texts[0]
    assert texts[1].startswith("Påminnelse: ert pass #") and " börjar om " in texts[1]
    assert f"{start:%H:%M}–" in texts[1]

    assert await service.bot.stop() == 0
    await start_bot()
    await service.berg.no_message(within=3)


async def test_a_reminder_survives_a_crash_and_arrives_on_time(
    start_bot: StartBot, coordinator: SandboxUser, double: BotApiDouble
) -> None:
    service = await build_service(await start_bot(MENTORBOT_REMINDERS="1"), coordinator, double)
    start = next_whole_minute(timedelta(seconds=70))
    berg = service.numbers["Familjen Berg"]
    assert "tillagt" in await answer(service.karin, f"/shift add {berg} {clock_span(start, 30)}")
    assert "har gett er ett pass" in (await service.berg.next_message())["text"]
    await service.bot.kill()  # a crash: the queued reminder dies with the process

    again = await start_bot(MENTORBOT_REMINDERS="1")
    reminder = await service.berg.next_message(timeout=150)
    arrived = datetime.now(TZ)
    assert reminder["text"].startswith("Påminnelse: ert pass #")
    # Due one minute before the start; the job queue may be a moment late, never early.
    assert start - timedelta(minutes=1) <= arrived < start
    assert await again.stop() == 0
    await start_bot(MENTORBOT_REMINDERS="1")
    await service.berg.no_message(within=3)


async def test_the_morning_gap_report_catches_up_once_per_day(
    start_bot: StartBot, coordinator: SandboxUser
) -> None:
    zone = daytime_zone()
    report_at = f"{datetime.now(zone) - timedelta(minutes=5):%H:%M}"
    env = {"MENTORBOT_TIMEZONE": zone.key, "MENTORBOT_GAP_REPORT": report_at}
    first = await start_bot(**env)
    report = (await coordinator.next_message())["text"]
    lines = report.splitlines()
    assert lines[0] == "Luckor i schemat de kommande 7 dagarna (/rota visar allt):"
    gaps = [line for line in lines if line.startswith("  lucka ")]
    assert len(gaps) == 7  # nobody is on duty yet: every day of the week is one gap
    assert await first.stop() == 0
    await start_bot(**env)
    await coordinator.no_message(within=3)
