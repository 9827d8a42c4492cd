"""How each step of the guided booking reads: its question and its buttons, apart from the
handlers so that every step can be drawn and checked without Telegram."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import N_, Translator, plain
from bot.paging import Page
from bot.rota import Interval
from bot.rota_planning import DayCoverage
from bot.shift_booking import DaySpan, Slot, SlotKind, Span, gap_to_fill
from handlers import buttons
from storage.models import BookableHousehold

T = TypeVar("T")

_AWAY_MARK = "\u26a0\ufe0f "  # before a household, or a day, that said it is away then
# Telegram shows at most 100 buttons under a message; a rota of eight weeks has fewer gaps
# worth a button than that, and the nearest ones come first.
MAX_FILL_BUTTONS = 12

_SLOT_LABELS = {
    SlotKind.SERVICE_HOURS: N_("booking.slot_hours"),
    SlotKind.DAYTIME: N_("booking.slot_daytime"),
    SlotKind.EVENING: N_("booking.slot_evening"),
}


@dataclass(frozen=True, slots=True)
class Step:
    """A step's message: what it asks, and the buttons that answer it."""

    text: str
    keyboard: InlineKeyboardMarkup


def button_rows(
    buttons_: Iterable[InlineKeyboardButton], per_row: int
) -> list[list[InlineKeyboardButton]]:
    row: list[InlineKeyboardButton] = []
    rows = []
    for button in buttons_:
        row.append(button)
        if len(row) == per_row:
            rows.append(row)
            row = []
    return [*rows, row] if row else rows


def plain_button(label: str, data: str) -> InlineKeyboardButton:
    """A button's text is plain text, not HTML: a household named "Berg & Ek" keeps its &."""
    return InlineKeyboardButton(plain(label), callback_data=data)


def turning_row(
    t: Translator, shown: Page[T], to: Callable[[int], str]
) -> list[InlineKeyboardButton]:
    """Back and More under a page, each where there is a page to turn to; `to` makes the data
    of the button that shows page N."""
    turning = []
    if shown.has_previous:
        turning.append(plain_button(t("booking.previous"), to(shown.number - 1)))
    if shown.has_next:
        turning.append(plain_button(t("booking.more"), to(shown.number + 1)))
    return turning


def with_page_line(t: Translator, text: str, shown: Page[T]) -> str:
    """The text above a page's buttons, with "page 2 of 3" after it when there are more."""
    if shown.count == 1:
        return text
    return text + "\n" + t("booking.page", page=shown.number + 1, pages=shown.count)


def _cancel(t: Translator) -> InlineKeyboardButton:
    return plain_button(t("booking.cancel"), buttons.book_cancel())


def household_label(t: Translator, household: BookableHousehold) -> str:
    name = household.name or t("members.unnamed")
    return t("booking.household", name=name, number=household.member_number)


def span_text(span: Span) -> str:
    return f"{span.start:%H:%M}\u2013{span.end:%H:%M}"


def when_text(t: Translator, when: DaySpan) -> str:
    return f"{t.day(when.day)} {span_text(when.span)}"


def households_step(
    t: Translator,
    page: Page[BookableHousehold],
    gap: DaySpan | None = None,
    away: frozenset[int] = frozenset(),
) -> Step:
    """The first step: a page of mentor households, those away (for the gap, or in the coming
    week) marked; for a gap, each leads to its preview."""
    choices = [
        plain_button(
            _AWAY_MARK * (household.household_id in away) + household_label(t, household),
            buttons.book_preview(household.member_number, gap)
            if gap
            else buttons.book_household(household.member_number),
        )
        for household in page.items
    ]
    turning = turning_row(t, page, lambda number: buttons.book_page(number, gap))
    question = t("booking.who_fills", when=when_text(t, gap)) if gap else t("booking.who")
    if any(household.household_id in away for household in page.items):
        question += "\n" + t(N_("booking.away_gap") if gap else N_("booking.away_week"))
    question = with_page_line(t, question, page)
    rows = [[choice] for choice in choices]
    return Step(
        question, InlineKeyboardMarkup([*rows, *([turning] if turning else []), [_cancel(t)]])
    )


def days_step(
    t: Translator,
    household: BookableHousehold,
    days: Sequence[date],
    away: frozenset[date] = frozenset(),
) -> Step:
    member = household.member_number
    choices = (
        plain_button(_AWAY_MARK * (day in away) + t.day(day), buttons.book_day(member, day))
        for day in days
    )
    other = plain_button(t("booking.other_day"), buttons.book_type_day(member))
    question = t("booking.which_day", name=household_label(t, household))
    if away:
        question += "\n" + t("booking.away_days")
    return Step(question, InlineKeyboardMarkup([*button_rows(choices, 2), [other], [_cancel(t)]]))


def slots_step(
    t: Translator, household: BookableHousehold, day: date, slots: Sequence[Slot]
) -> Step:
    member = household.member_number
    choices = [
        plain_button(
            t(_SLOT_LABELS[slot.kind], span=span_text(slot.span)),
            buttons.book_preview(member, DaySpan(day, slot.span)),
        )
        for slot in slots
    ]
    other = plain_button(t("booking.other_times"), buttons.book_type_times(member, day))
    question = t("booking.which_times", day=t.day(day), name=household_label(t, household))
    return Step(question, InlineKeyboardMarkup([*([c] for c in choices), [other], [_cancel(t)]]))


def preview_step(
    t: Translator,
    household: BookableHousehold,
    when: Interval,
    chosen: DaySpan,
    tz: ZoneInfo,
    *,
    away: bool = False,
) -> Step:
    book = plain_button(t("booking.book"), buttons.book_confirm(household.member_number, chosen))
    question = t(
        "booking.preview",
        name=household_label(t, household),
        when=t.span(when.start, when.end, tz),
    )
    if away:
        question += "\n" + t("booking.away_preview", name=household.name or t("members.unnamed"))
    return Step(question, InlineKeyboardMarkup([[book, _cancel(t)]]))


def fill_keyboard(
    t: Translator, days: Iterable[DayCoverage], tz: ZoneInfo
) -> InlineKeyboardMarkup | None:
    """A **Fill** button under each of the nearest gaps, each opening the booking at the gap."""
    gaps = [gap_to_fill(gap, tz) for day in days for gap in day.gaps][:MAX_FILL_BUTTONS]
    if not gaps:
        return None
    return InlineKeyboardMarkup(
        [
            [plain_button(t("booking.fill", when=when_text(t, gap)), buttons.book_fill(gap))]
            for gap in gaps
        ]
    )
