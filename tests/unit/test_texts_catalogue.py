"""How a catalogue file's preview and problems read: one message whatever the file, each problem
at its line or entry, a line for every reason, and the file's words kept as text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.catalogue_import import Change, Imported, Plan
from bot.event_catalogue import CatalogueProblem, CatalogueReason, CatalogueRow
from bot.events import Changed, EventProblem, Party
from bot.i18n import translator
from handlers.buttons import CATALOGUE_APPLY, CATALOGUE_CANCEL
from handlers.catalogue_text import (
    applied_text,
    preview_keyboard,
    preview_text,
    problem_line,
    problem_text,
    refusal_text,
)
from storage.models import (
    Event,
    EventAudience,
    EventDetails,
    EventKind,
    EventState,
    Signup,
    SignupState,
)
from tests.unit.telegram_support import LANGUAGES

SV = translator("sv")
DETAILS = EventDetails(
    kind=EventKind.COURSE,
    title="Sömn <& skärmar>",
    starts_at=datetime(2027, 2, 6, 8, tzinfo=UTC),
    ends_at=datetime(2027, 2, 6, 11, tzinfo=UTC),
    audience=EventAudience.FAMILIES,
    catalogue_id="kk-1",
)
EVENT = Event(4, DETAILS, EventState.OPEN)


def plan(added: int = 0, changed: int = 0, unchanged: int = 0, **more: object) -> Plan:
    row = CatalogueRow(2, DETAILS)
    problems = more.get("problems", [])
    assert isinstance(problems, list)
    return Plan(
        [row] * added,
        [Change(row, EVENT, DETAILS)] * changed,
        [EVENT] * unchanged,
        problems,
        "f" * 16,
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_reason_has_a_line_in_every_language(language: str) -> None:
    t = translator(language)
    lines = {
        problem_text(t, CatalogueProblem(2, reason, "title" if reason == "too_long" else "x"))
        for reason in CatalogueReason
    }
    assert len(lines) == len(CatalogueReason)
    assert problem_text(t, CatalogueProblem(2, EventProblem.PAST)) == t("event.past")


def test_a_problem_reads_at_its_line_or_its_entry() -> None:
    bad = CatalogueProblem(3, CatalogueReason.BAD_KIND, "kurs")
    assert problem_line(SV, bad).startswith("Rad 3: ”kurs” är ingen typ av händelse")
    entry = CatalogueProblem(2, CatalogueReason.CANCELLED_ENTRY, "", "<uid>@x")
    assert problem_line(SV, entry) == (
        "Händelse 2 (&lt;uid&gt;@x): Händelsen är markerad som inställd; ta bort den ur filen."
    )
    no_uid = CatalogueProblem(5, CatalogueReason.NO_ID, "", "")
    assert problem_line(SV, no_uid).startswith("Händelse 5: Id saknas")
    # An empty cell is named by the column's name in the reader's language.
    missing = CatalogueProblem(2, CatalogueReason.MISSING, "audience")
    assert problem_text(SV, missing) == "”målgrupp” får inte vara tom."
    too_long = CatalogueProblem(2, CatalogueReason.TOO_LONG, "place")
    assert problem_text(SV, too_long) == "Texten i ”plats” är för lång: högst 200 tecken får plats."


def test_a_whole_file_problem_is_one_line_and_a_long_list_stays_one_message() -> None:
    too_large = [CatalogueProblem(1, CatalogueReason.TOO_LARGE)]
    assert refusal_text(SV, too_large) == SV("catalogue.too_large")
    many = [CatalogueProblem(n, CatalogueReason.BAD_CAPACITY, "x" * 40) for n in range(2, 1002)]
    text = refusal_text(SV, many)
    assert len(text) <= 4096
    lines = text.splitlines()
    assert lines[0] == "Inget importerades; rätta de här 1000 felen och skicka filen igen:"
    assert lines[1].startswith("Rad 2: ") and lines[-1].startswith("… och ")
    assert lines[-1] == f"… och {1000 - (len(lines) - 2)} till."


def test_a_preview_counts_names_the_changed_titles_as_text_and_offers_import() -> None:
    shown = plan(added=3, changed=1, unchanged=36)
    assert preview_text(SV, shown).splitlines() == [
        "Kurskatalogen i filen har 3 nya händelser, 1 ändrade och 36 oförändrade. Importera den?",
        "Ändrad: Sömn &lt;&amp; skärmar&gt;",
    ]
    keyboard = preview_keyboard(SV, shown)
    assert keyboard is not None
    (apply,), (cancel,) = keyboard.inline_keyboard
    assert (apply.text, cancel.text) == ("Importera", "Avbryt")
    assert CATALOGUE_APPLY.fullmatch(str(apply.callback_data))
    assert CATALOGUE_CANCEL.fullmatch(str(cancel.callback_data))


def test_a_preview_with_nothing_to_do_or_with_problems_has_no_button() -> None:
    same = plan(unchanged=40)
    assert preview_text(SV, same).startswith("Kurskatalogen är aktuell: alla 40 händelser")
    assert preview_keyboard(SV, same) is None
    refused = plan(added=1, problems=[CatalogueProblem(4, EventProblem.PAST)])
    assert preview_text(SV, refused).splitlines()[1] == f"Rad 4: {SV('event.past')}"
    assert preview_keyboard(SV, refused) is None


def test_the_import_says_what_it_did_and_whom_it_told() -> None:
    assert applied_text(SV, Imported([EVENT] * 2, [], 5)) == (
        "Kurskatalogen är importerad. Nya händelser: 2, ändrade: 0, oförändrade: 5."
    )
    signup = Signup(1, EVENT.id, 3, None, 2, 0, SignupState.CONFIRMED, DETAILS.starts_at)
    moved = Changed(EVENT, EVENT, True, False, [Party(signup, [])], [])
    quiet = Changed(EVENT, EVENT, False, False, [], [])
    assert applied_text(SV, Imported([], [moved, quiet], 0)).splitlines() == [
        "Kurskatalogen är importerad. Nya händelser: 0, ändrade: 2, oförändrade: 0.",
        "De som är anmälda till den ändrade händelsen har fått besked.",
    ]
