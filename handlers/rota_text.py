"""How the rota reads in a chat: shifts, coverage, gaps and the reasons something was refused.

Shared by the coordinators' planning commands, the mentors' own view and the scheduled jobs,
so a shift looks the same in a reply, a reminder and the morning report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.availability import MAX_AWAY_DAYS, AwayProblem, TakeProblem
from bot.i18n import N_, Translator
from bot.rota import Interval
from bot.rota_csv import CsvProblem, CsvReason
from bot.rota_planning import DayCoverage, Overbooked, Refusal, ShiftProblem
from bot.stats_files import hours
from bot.swaps import SwapProblem
from storage.models import AwayReason, AwaySpan, GapOffer, Household, ShiftListing

_CSV_REASONS = {
    CsvReason.NOT_TEXT: N_("csv.not_text"),
    CsvReason.TOO_LARGE: N_("csv.too_large"),
    CsvReason.TOO_MANY_ROWS: N_("csv.too_many_rows"),
    CsvReason.EMPTY: N_("csv.empty"),
    CsvReason.BAD_HEADER: N_("csv.bad_header"),
    CsvReason.FIELD_COUNT: N_("csv.field_count"),
    CsvReason.BAD_MEMBER: N_("shift.bad_member"),
    CsvReason.BAD_DATE: N_("shift.bad_date"),
    CsvReason.BAD_TIME: N_("shift.bad_time"),
    CsvReason.EMPTY_SHIFT: N_("shift.empty"),
    CsvReason.NONEXISTENT_TIME: N_("shift.nonexistent_time"),
}

_REFUSALS = {
    ShiftProblem.UNKNOWN_MEMBER: N_("shift.unknown_member"),
    ShiftProblem.NOT_MENTOR: N_("shift.not_mentor"),
    ShiftProblem.IN_PAST: N_("shift.in_past"),
    ShiftProblem.OVERLAP: N_("shift.overlap"),
}

_SWAP_PROBLEMS = {
    SwapProblem.NOT_FOUND: N_("swap.not_found"),
    SwapProblem.STARTED: N_("swap.started"),
    SwapProblem.GONE: N_("swap.gone"),
    SwapProblem.OWN: N_("swap.own"),
    SwapProblem.OVERLAP: N_("swap.overlap"),
    SwapProblem.AWAY: N_("swap.away"),
    SwapProblem.NOT_MENTOR: N_("access.wrong_role"),
}


def clock_span(start: datetime, end: datetime, tz: ZoneInfo) -> str:
    """ "17:00–22:00": a span within a day that is already on the screen."""
    return f"{start.astimezone(tz):%H:%M}\u2013{end.astimezone(tz):%H:%M}"


def mentor_name(t: Translator, listing: ShiftListing) -> str:
    return listing.mentor_name or t("members.unnamed")


def shift_line(t: Translator, listing: ShiftListing, tz: ZoneInfo, *, with_name: bool) -> str:
    shift = listing.shift
    when = t.span(shift.starts_at, shift.ends_at, tz)
    if with_name:
        return t("shift.line", number=shift.id, when=when, name=mentor_name(t, listing))
    return t("shift.own_line", number=shift.id, when=when)


def csv_problem(t: Translator, problem: CsvProblem) -> str:
    return t(_CSV_REASONS[problem.reason], value=problem.value)


def refusal(t: Translator, refused: Refusal, tz: ZoneInfo) -> str:
    conflict = refused.conflict
    if refused.conflict_line is not None:
        return t("shift.overlap_in_file", line=refused.conflict_line)
    when = t.span(conflict.starts_at, conflict.ends_at, tz) if conflict else ""
    return t(_REFUSALS[refused.problem], number=conflict.id if conflict else "", when=when)


def line_numbered(t: Translator, line: int | None, text: str) -> str:
    """A problem in an uploaded file, prefixed with where to find it."""
    return t("csv.line", line=line, problem=text) if line else text


def swap_problem(t: Translator, problem: SwapProblem) -> str:
    return t(_SWAP_PROBLEMS[problem])


def _gap_lines(t: Translator, gaps: Iterable[Interval], tz: ZoneInfo) -> Iterator[str]:
    for gap in gaps:
        yield t("rota.gap", when=clock_span(gap.start, gap.end, tz))


def _day_heading(t: Translator, day: DayCoverage, tz: ZoneInfo) -> str:
    heading = t(
        "rota.day",
        day=t.day(day.day),
        hours=clock_span(day.window.start, day.window.end, tz),
    )
    if day.holiday:
        heading += t("rota.holiday", name=day.holiday)
    return heading + (" \u26a0\ufe0f" if day.gaps else " \u2705")


def coverage_lines(t: Translator, days: Iterable[DayCoverage], tz: ZoneInfo) -> Iterator[str]:
    """Each day of service hours, who covers it, and every gap: what /rota shows."""
    for day in days:
        yield _day_heading(t, day, tz)
        for listing in day.shifts:
            shift = listing.shift
            yield t(
                "rota.shift",
                number=shift.id,
                when=clock_span(shift.starts_at, shift.ends_at, tz),
                name=mentor_name(t, listing),
            )
        yield from _gap_lines(t, day.gaps, tz)


def gap_report_lines(
    t: Translator,
    days: Iterable[DayCoverage],
    tz: ZoneInfo,
    free: Callable[[Interval], list[Household]] | None,
) -> Iterator[str]:
    """Only the days with gaps, and only their gaps, each with the mentor households `free`
    says are not away then (None: there are no mentor households to name): the morning
    report, which a coordinator phones round from."""
    for day in days:
        if day.gaps:
            yield _day_heading(t, day, tz)
            for gap in day.gaps:
                yield from _gap_lines(t, [gap], tz)
                if free is not None:
                    yield free_line(t, free(gap))


_AWAY_PROBLEMS = {
    AwayProblem.BACKWARDS: N_("away.backwards"),
    AwayProblem.PAST: N_("away.past"),
    AwayProblem.TOO_LONG: N_("away.too_long"),
    AwayProblem.TOO_FAR: N_("away.too_far"),
    AwayProblem.OVERLAP: N_("away.overlap"),
    AwayProblem.NOT_MENTOR: N_("access.wrong_role"),
}

_TAKE_PROBLEMS = {
    TakeProblem.GONE: N_("gaps.gone"),
    TakeProblem.AWAY: N_("gaps.away"),
    TakeProblem.NOT_MENTOR: N_("access.wrong_role"),
    TakeProblem.DECIDED: N_("gaps.decided_already"),
}

REASONS = {
    AwayReason.HOLIDAY: N_("away.reason_holiday"),
    AwayReason.ILLNESS: N_("away.reason_illness"),
    AwayReason.OTHER: N_("away.reason_other"),
}


def away_problem(t: Translator, problem: AwayProblem) -> str:
    return t(_AWAY_PROBLEMS[problem], days=MAX_AWAY_DAYS)


def take_problem(t: Translator, problem: TakeProblem) -> str:
    return t(_TAKE_PROBLEMS[problem])


def days(t: Translator, first: date, last: date) -> str:
    """ "mån 7 dec.–sön 13 dec.", or one day alone."""
    return t.day(first) if first == last else f"{t.day(first)}\u2013{t.day(last)}"


def away_days(t: Translator, span: AwaySpan, tz: ZoneInfo) -> str:
    """An away span as the whole local days it was marked for (it ends at a midnight)."""
    last = (span.ends_at.astimezone(tz) - timedelta(seconds=1)).date()
    return days(t, span.starts_at.astimezone(tz).date(), last)


def away_lines(t: Translator, spans: Iterable[AwaySpan], tz: ZoneInfo) -> list[str]:
    """A household's own away spans, with the reason it chose: what /away shows them."""
    listed = [
        t("away.line", days=away_days(t, span, tz), reason=t(REASONS[span.reason]))
        for span in spans
    ]
    return [t("away.header"), *listed] if listed else [t("away.none")]


def gap_when(t: Translator, offer: GapOffer, tz: ZoneInfo) -> str:
    return t.span(offer.starts_at, offer.ends_at, tz)


def free_line(t: Translator, free: list[Household]) -> str:
    """Under a gap in the morning report: the mentor households not away then, by name."""
    if not free:
        return t("gaps.nobody_free")
    names = ", ".join(household.display_name or t("members.unnamed") for household in free)
    return t("gaps.free", names=names)


def overbooked_lines(t: Translator, found: Iterable[Overbooked], limit: timedelta) -> list[str]:
    """A warning a household booked beyond the week's hours: before the days, to be seen."""
    return [
        t(
            "rota.overbooked",
            name=over.name or t("members.unnamed"),
            week=over.week.isocalendar().week,
            hours=hours(t, over.booked),
            limit=int(limit.total_seconds() // 3600),
        )
        for over in found
    ]
