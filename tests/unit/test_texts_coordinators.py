"""What the coordinators read, in Swedish, Danish and English: /invites with a Revoke button per
invite, the notice of a new partner with its Approve button, the choice of a family's own mentor
family, a broadcast's status and report, and the reasons /stats refuses a period; and the button
under the public /start.

Times are the service's local ones; names and telephone numbers appear as people typed them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from telegram import InlineKeyboardMarkup

from bot import stats
from bot.broadcasts import Progress
from bot.i18n import translator
from bot.mentor_links import one_adult_each
from bot.stats import PeriodError, PeriodProblem
from handlers.buttons import APPROVE, confirmation_of
from handlers.common import role_label
from handlers.confirmation import Confirmation
from handlers.invites import INVITES_SHOWN, invites_listing
from handlers.matching_text import MENTORS_PER_PAGE, own_mentor_choice
from handlers.members import approval_request
from handlers.outbox import report_text, status_text
from handlers.recruitment import interest_button
from handlers.stats import period_problem
from storage.models import (
    Audience,
    Broadcast,
    BroadcastState,
    DeliveryState,
    Household,
    Kind,
    Member,
    OpenInvite,
    Role,
)
from tests.unit.telegram_support import LANGUAGES, application, config, context, shown

NOW = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)  # 17:00 in Stockholm
UNTIL = NOW + timedelta(days=7)  # 11:00 in New York
HOUSEHOLD = "Familjen <Berg> & Co"  # as a mentor typed it


def invite(number: int, **changes: Any) -> OpenInvite:
    fields: dict[str, Any] = {
        "id": number,
        "role": Role.FAMILY,
        "household_id": None,
        "household_name": None,
        "created_by": 1,
        "created_at": NOW,
        "expires_at": UNTIL,
    }
    fields.update(changes)
    return OpenInvite(**fields)


def buttons(keyboard: InlineKeyboardMarkup | None) -> list[list[tuple[str, str | None]]]:
    assert keyboard is not None
    return [
        [
            (button.text, str(button.callback_data) if button.callback_data else None)
            for button in row
        ]
        for row in keyboard.inline_keyboard
    ]


# --- /invites -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "lines"),
    [
        (
            "sv",
            [
                "Öppna inbjudningar (3), var och en en väg in tills den används eller går ut:",
                "#3 mentorsfamilj, skapad av medlem #1, giltig till 2026-12-04 11:00",
                "#4 familjehem, skapad på kommandoraden, giltig till 2026-12-04 11:00",
                f"#5 partnerlänk till {HOUSEHOLD}, skapad av medlem #6, "
                "giltig till 2026-12-04 11:00",
            ],
        ),
        (
            "da",
            [
                "Åbne invitationer (3), hver en vej ind, indtil den bruges eller udløber:",
                "#3 mentorfamilie, lavet af medlem #1, gyldig til 2026-12-04 11:00",
                "#4 plejefamilie, lavet på kommandolinjen, gyldig til 2026-12-04 11:00",
                f"#5 partnerlink til {HOUSEHOLD}, lavet af medlem #6, gyldig til 2026-12-04 11:00",
            ],
        ),
        (
            "en",
            [
                "Open invites (3), each a way in until it is used or ends:",
                "#3 mentor family, made by member #1, valid until 2026-12-04 11:00",
                "#4 foster family, made on the command line, valid until 2026-12-04 11:00",
                f"#5 partner link into {HOUSEHOLD}, made by member #6, "
                "valid until 2026-12-04 11:00",
            ],
        ),
    ],
)
def test_invites_list_each_open_invite_with_its_revoke_button_in_local_time(
    language: str, lines: list[str]
) -> None:
    t = translator(language)
    found = [
        invite(3, role=Role.MENTOR),
        invite(4, created_by=None),
        invite(5, household_id=9, household_name=HOUSEHOLD, created_by=6),
    ]
    ctx = context(application(config(MENTORBOT_TIMEZONE="America/New_York")))
    text, keyboard = invites_listing(t, ctx, found)
    assert shown(text).splitlines() == lines
    assert buttons(keyboard) == [
        [(t("invites.revoke", number=n), f"revoke-invite:{n}")] for n in (3, 4, 5)
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_invites_beyond_the_buttons_telegram_allows_are_counted_and_none_is_said_so(
    language: str,
) -> None:
    t = translator(language)
    ctx = context(application(config()))
    many = [invite(number) for number in range(1, INVITES_SHOWN + 6)]
    text, keyboard = invites_listing(t, ctx, many)
    lines = shown(text).splitlines()
    assert len(lines) == 1 + INVITES_SHOWN + 1
    assert lines[-1] == shown(t("invites.more", count=5))
    assert len(buttons(keyboard)) == INVITES_SHOWN
    assert invites_listing(t, ctx, []) == (t("invites.none"), None)


# --- a partner joins ----------------------------------------------------------------------------


def adult(approved: bool, name: str | None = HOUSEHOLD) -> Member:
    household = Household(9, Role.MENTOR, name, NOW - timedelta(days=30))
    return Member(12, 1012, household, None, "sv", True, NOW, approved)


def adder() -> Member:
    return Member(6, 1006, adult(True).household, None, "sv", True, NOW - timedelta(days=30))


@pytest.mark.parametrize(
    ("language", "asked"),
    [
        (
            "sv",
            f"Medlem #12 har gått med i mentorsfamiljen {HOUSEHOLD} med en partnerlänk från "
            "medlem #6. Inga frågor når dem förrän någon av er har godkänt dem.",
        ),
        (
            "da",
            f"Medlem #12 er kommet med i mentorfamilien {HOUSEHOLD} med et partnerlink fra "
            "medlem #6. Ingen spørgsmål når dem, før en af jer har godkendt dem.",
        ),
        (
            "en",
            f"Member #12 has joined the mentor family {HOUSEHOLD} with a partner link from "
            "member #6. No questions reach them until one of you approves them.",
        ),
    ],
)
def test_a_new_mentor_adult_waits_for_approve_and_its_button_names_them_for_good(
    language: str, asked: str
) -> None:
    t = translator(language)
    text, keyboard = approval_request(t, adult(approved=False), adder())
    assert shown(text) == asked
    ((label, data),) = buttons(keyboard)[0]
    assert label == t("partner.approve")
    pressed = APPROVE.match(data or "")
    assert pressed is not None and confirmation_of(pressed) == Confirmation(12, NOW)


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_adult_who_needs_no_approval_is_only_announced(language: str) -> None:
    t = translator(language)
    text, keyboard = approval_request(t, adult(approved=True, name=None), None)
    assert keyboard is None
    announced = shown(text)
    assert t("members.unnamed") in announced and role_label(t, Role.MENTOR) in announced
    assert "#?" in announced  # added by a link nobody is known to have made


# --- broadcasts ---------------------------------------------------------------------------------


def progress(**counts: int) -> Progress:
    broadcast = Broadcast(
        4, 1, Audience.FAMILIES, Kind.TEXT, "Hej", None, BroadcastState.SENDING, NOW, NOW, 1, 2
    )
    found = {DeliveryState(state): count for state, count in counts.items()}
    return Progress(broadcast, found, ["Familjen <Ek> & Co", None])


@pytest.mark.parametrize(
    ("language", "status"),
    [
        (
            "sv",
            "Utskick #4: 10 av 63 skickade, 50 kvar (cirka 3 sekunder), "
            "2 blockerade, 1 misslyckade.",
        ),
        (
            "da",
            "Udsendelse #4: 10 af 63 sendt, 50 tilbage (cirka 3 sekunder), "
            "2 blokeret, 1 mislykket.",
        ),
        ("en", "Broadcast #4: 10 of 63 sent, 50 to go (about 3 seconds), 2 blocked, 1 failed."),
    ],
)
def test_a_broadcasts_status_counts_each_state_and_the_seconds_left_at_its_rate(
    language: str, status: str
) -> None:
    t = translator(language)
    found = progress(sent=10, pending=40, sending=10, blocked=2, failed=1)
    assert shown(status_text(t, found, rate=25)) == status
    done = shown(status_text(t, progress(sent=3), rate=25))
    assert "#4" in done and f" {t.duration(timedelta(0))})" in done  # nothing left: no time left


@pytest.mark.parametrize(
    ("language", "report"),
    [
        (
            "sv",
            [
                "Utskick #4 är klart: 60 av 63 levererade; 2 har blockerat boten, 1 gick inte "
                "att nå.",
                "Nåddes inte: Familjen <Ek> & Co, (inget namn än)",
            ],
        ),
        (
            "da",
            [
                "Udsendelse #4 er færdig: 60 af 63 leveret; 2 har blokeret botten, 1 kunne ikke "
                "nås.",
                "Ikke nået: Familjen <Ek> & Co, (intet navn endnu)",
            ],
        ),
        (
            "en",
            [
                "Broadcast #4 is done: 60 of 63 delivered; 2 have blocked the bot, 1 could not "
                "be reached.",
                "Not reached: Familjen <Ek> & Co, (no name yet)",
            ],
        ),
    ],
)
def test_a_broadcasts_report_names_whom_it_missed_as_their_households_read(
    language: str, report: list[str]
) -> None:
    t = translator(language)
    assert shown(report_text(t, progress(sent=60, blocked=2, failed=1))).splitlines() == report


# --- /stats and /start --------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_period_stats_refuses_is_explained_with_its_limits(language: str) -> None:
    t = translator(language)
    texts = {
        problem: shown(period_problem(t, PeriodError(problem, "2026-13-<01>")))
        for problem in PeriodProblem
    }
    assert len(set(texts.values())) == len(PeriodProblem)
    assert "2026-13-<01>" in texts[PeriodProblem.BAD_DATE]
    assert str(stats.DEFAULT_DAYS) in texts[PeriodProblem.USAGE]
    assert str(stats.MAX_DAYS) in texts[PeriodProblem.TOO_LONG]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_stranger_registers_interest_with_one_button(language: str) -> None:
    t = translator(language)
    assert buttons(interest_button(t)) == [[(t("interest.button"), "interest:start")]]
    assert shown(t("interest.button")) == t("interest.button")


def mentor_adults(households: int) -> list[Member]:
    """Two adults of each mentor household, the second numbered after all the first ones."""
    homes = [Household(100 + n, Role.MENTOR, f"{HOUSEHOLD} {n:02}", NOW) for n in range(households)]
    return [
        Member(first + n, 2000 + first + n, home, None, "sv", True, NOW)
        for first in (1, 1 + households)
        for n, home in enumerate(homes)
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_familys_own_mentor_family_is_chosen_a_page_at_a_time_the_current_one_ticked(
    language: str,
) -> None:
    t = translator(language)
    family = Member(
        70, 1070, Household(7, Role.FAMILY, "Familjen <Ek>", NOW), None, "sv", True, NOW
    )
    mentors = one_adult_each(mentor_adults(MENTORS_PER_PAGE + 5))
    assert [mentor.id for mentor in mentors] == list(range(1, MENTORS_PER_PAGE + 6))
    current = mentors[1].household
    first_text, first = own_mentor_choice(t, family, current, mentors, 0)
    last_text, last = own_mentor_choice(t, family, current, mentors, 1)

    assert shown(first_text).startswith(
        shown(t("own_mentor.choose", family="Familjen <Ek>", mentor=f"{HOUSEHOLD} 01"))
    )
    assert shown(first_text).endswith(shown(t("booking.page", page=1, pages=2)))
    assert shown(last_text).endswith(shown(t("booking.page", page=2, pages=2)))
    rows = buttons(first)
    assert rows[0] == [
        (f"#1 {HOUSEHOLD} 00", f"own-mentor:70:{stamp()}:1"),
        (f"✓ #2 {HOUSEHOLD} 01", f"own-mentor:70:{stamp()}:2"),
    ]
    assert len(rows) == MENTORS_PER_PAGE // 2 + 2
    assert rows[-2:] == [
        [(t("booking.more"), f"own-mentor:page:70:{stamp()}:1")],
        [(t("own_mentor.none"), f"own-mentor:none:70:{stamp()}")],
    ]
    assert buttons(last)[-2:] == [
        [(t("booking.previous"), f"own-mentor:page:70:{stamp()}:0")],
        [(t("own_mentor.none"), f"own-mentor:none:70:{stamp()}")],
    ]
    assert [label for row in buttons(last)[:-2] for label, _ in row][-1] == (
        f"#{MENTORS_PER_PAGE + 5} {HOUSEHOLD} {MENTORS_PER_PAGE + 4}"
    )
    _, unlinked = own_mentor_choice(t, family, None, mentors[:2], 0)
    assert [label for row in buttons(unlinked) for label, _ in row] == [
        f"#1 {HOUSEHOLD} 00",
        f"#2 {HOUSEHOLD} 01",
        t("own_mentor.none"),
    ]


def stamp() -> str:
    return str(int(NOW.timestamp()))
