"""The evaluation report as people receive it: a short text, a CSV file and a PNG chart.

The chat and `mentorbot stats` use these same functions, so the figures a coordinator reads in
Telegram and the files an evaluator gets from the server cannot drift apart.

The CSV is in the Nordic dialect of `bot.spreadsheet` (`;` between cells, CRLF, a byte order
mark) with a decimal comma, so that a double click in Swedish or Danish Excel opens it in
columns with å, ä, ö, æ and ø intact. Its metric names are stable English keys, the same in
every language, so that a spreadsheet built on one month's file works on the next.

matplotlib is imported by `chart_png` only: it takes about a second to import, which the bot's
start and every other command should not pay for.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

from babel.dates import get_day_names
from babel.numbers import format_decimal, format_percent

from bot.events import KIND_LABELS
from bot.i18n import N_, Translator
from bot.routing import TOPIC_LABELS, Topic
from bot.spreadsheet import nordic_csv
from bot.stats import HOURS, EventFigures, MentorLoad, Share, Spread, StatsReport

MISSING = "–"  # a figure with nothing to compute it from: no accepted question, no rating

# Minutes from the offer to the acceptance; 10 is the default escalation step.
_ACCEPT_BUCKETS = (1, 2, 5, 10, 15, 30, 60)
_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def rounded(value: float, decimals: int) -> Decimal:
    """Half up, as a spreadsheet's ROUND does: a mean rating of 4.25 reads 4.3, not 4.2."""
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


# --- text ----------------------------------------------------------------------------------


def hours(t: Translator, length: timedelta) -> str:
    """Hours as the reader's language writes them, to a tenth: "13", "12,5" (sv, da)."""
    return format_decimal(
        rounded(length.total_seconds() / 3600, 1), format="0.#", locale=t.language
    )


def duration(t: Translator, value: timedelta | None) -> str:
    return MISSING if value is None else t.duration(value)


def percent(t: Translator, share: Share) -> str:
    ratio = share.ratio
    return MISSING if ratio is None else format_percent(rounded(ratio, 2), locale=t.language)


def weekday_name(t: Translator, weekday: int) -> str:
    return str(get_day_names("abbreviated", locale=t.language)[weekday])


def topic_label(t: Translator, topic: str) -> str:
    """A filed topic in the reader's words; one the code no longer knows stays as stored."""
    return t(TOPIC_LABELS[Topic(topic)]) if topic in Topic.__members__.values() else topic


def _spread(t: Translator, msgid: str, spread: Spread, **params: object) -> str:
    return t(msgid, median=duration(t, spread.median), p90=duration(t, spread.p90), **params)


def _request_lines(t: Translator, report: StatsReport) -> list[str]:
    lines = [t("stats.requests", count=report.requests, urgent=report.urgent)]
    busiest = report.busiest
    if busiest is not None:
        day, hour, count = busiest
        lines.append(
            t(
                "stats.busiest",
                day=weekday_name(t, day),
                start=f"{hour:02d}:00",
                end=f"{(hour + 1) % HOURS:02d}:00",
                count=count,
            )
        )
    accepted, escalated = report.accepted, report.escalated
    lines += [
        t(
            "stats.accepted",
            share=percent(t, accepted),
            part=accepted.part,
            whole=accepted.whole,
            coordinators=report.accepted_by_coordinators,
        ),
        t(
            "stats.outcome",
            withdrawn=report.withdrawn,
            open=report.still_open,
            waited=report.waited_for_shift,
        ),
        _spread(t, N_("stats.time_to_accept"), report.time_to_accept),
        t(
            "stats.escalated",
            share=percent(t, escalated),
            part=escalated.part,
            whole=escalated.whole,
            coordinators=report.to_coordinators.part,
        ),
        t(
            "stats.service_hours",
            inside=report.inside_hours.whole,
            inside_share=percent(t, report.inside_hours),
            outside=report.outside_hours.whole,
            outside_share=percent(t, report.outside_hours),
        ),
        _spread(
            t, N_("stats.conversations"), report.conversations, count=report.conversations.count
        ),
    ]
    mean = report.rating_mean
    if mean is None:
        lines.append(t("stats.no_ratings"))
    else:
        spread = " · ".join(f"{value}★ {n}" for value, n in enumerate(report.ratings, start=1))
        lines.append(
            t(
                "stats.ratings",
                count=report.rating_count,
                mean=format_decimal(rounded(mean, 1), format="0.0", locale=t.language),
                spread=spread,
            )
        )
    filed = sorted(
        ((n, topic_label(t, topic)) for topic, n in report.topics if n),
        key=lambda item: (-item[0], item[1]),
    )
    topics = ", ".join(f"{label} {n}" for n, label in filed)
    lines.append(t("stats.topics", topics=topics) if topics else t("stats.no_topics"))
    lines.append(
        t("stats.mentors", households=report.mentor_households, adults=report.mentor_adults)
    )
    return lines


def event_lines(t: Translator, figures: Iterable[EventFigures]) -> list[str]:
    """A line per kind of event held: how many, the places, who signed up, came and did not,
    and the moves up from the waiting list."""
    held = [figure for figure in figures if figure.held]
    if not held:
        return [t("event_admin.stats_none")]
    lines = [t("event_admin.stats_header")]
    for figure in held:
        line = t(
            "event_admin.stats_line",
            kind=t(KIND_LABELS[figure.kind]),
            held=figure.held,
            places=figure.places,
            signed_up=figure.signed_up,
            attended=figure.attended,
            no_shows=figure.no_shows,
            moves=figure.moves,
        )
        if figure.unlimited:
            line += " " + t("event_admin.stats_unlimited", n=figure.unlimited)
        lines.append(line)
    return lines


def mentor_lines(t: Translator, loads: Iterable[MentorLoad]) -> list[str]:
    """Conversations and hours on duty per mentor household: who carries the service."""
    listed = list(loads)
    if not listed:
        return []
    lines = [t("stats.mentors_header")]
    for load in listed:
        number = MISSING if load.number is None else f"#{load.number}"
        on_duty = hours(t, load.on_duty)
        lines.append(
            t.plural(
                "stats.mentor_line",
                "stats.mentor_line_plural",
                load.conversations,
                number=number,
                hours=on_duty,
            )
        )
    return lines


def report_text(t: Translator, report: StatsReport) -> str:
    """The figures a coordinator wants at a glance; plain text, so it reads the same in a file."""
    period = report.period
    lines = [
        t(
            "stats.header",
            first=period.first.isoformat(),
            last=period.last.isoformat(),
            zone=report.tz.key,
        )
    ]
    lines += _request_lines(t, report) if report.requests else [t("stats.none")]
    lines.append(
        t(
            "stats.shifts",
            count=report.shifts,
            with_request=report.shifts_with_request,
            with_acceptance=report.shifts_with_acceptance,
        )
    )
    covered = t(
        "stats.coverage", share=percent(t, report.covered), uncovered=duration(t, report.uncovered)
    )
    lines.append(covered)
    reach = report.reach
    lines.append(
        t(
            "stats.broadcasts",
            count=reach.broadcasts,
            recipients=reach.recipients,
            delivered=reach.delivered,
            blocked=reach.blocked,
            failed=reach.failed,
        )
        if reach.broadcasts
        else t("stats.no_broadcasts")
    )
    lines += event_lines(t, report.events)
    lines += mentor_lines(t, report.mentors)
    return "\n".join(lines)


# --- CSV -------------------------------------------------------------------------------------


def _number(value: float | None, decimals: int = 1) -> str:
    return "" if value is None else str(rounded(value, decimals)).replace(".", ",")


def _minutes(value: timedelta | None) -> str:
    return "" if value is None else _number(value.total_seconds() / 60)


def _percent(share: Share) -> str:
    ratio = share.ratio
    return _number(None if ratio is None else ratio * 100)


def _share_rows(name: str, share: Share) -> list[tuple[str, str, str]]:
    return [(name, str(share.part), "count"), (f"{name}_share", _percent(share), "%")]


def _spread_rows(name: str, spread: Spread) -> list[tuple[str, str, str]]:
    return [
        (f"{name}_count", str(spread.count), "count"),
        (f"{name}_median", _minutes(spread.median), "min"),
        (f"{name}_p90", _minutes(spread.p90), "min"),
    ]


def _metric_rows(report: StatsReport) -> Iterable[tuple[str, str, str]]:
    yield ("period_from", report.period.first.isoformat(), "date")
    yield ("period_to", report.period.last.isoformat(), "date")
    yield ("timezone", report.tz.key, "")
    yield ("requests", str(report.requests), "count")
    yield ("requests_urgent", str(report.urgent), "count")
    yield from _share_rows("accepted", report.accepted)
    yield ("accepted_by_coordinator", str(report.accepted_by_coordinators), "count")
    yield ("withdrawn", str(report.withdrawn), "count")
    yield ("still_open", str(report.still_open), "count")
    yield ("waited_for_shift", str(report.waited_for_shift), "count")
    yield from _spread_rows("time_to_accept", report.time_to_accept)
    yield ("offered", str(report.escalated.whole), "count")
    yield from _share_rows("escalated", report.escalated)
    yield from _share_rows("escalated_to_coordinators", report.to_coordinators)
    yield ("asked_inside_service_hours", str(report.inside_hours.whole), "count")
    yield from _share_rows("accepted_inside_service_hours", report.inside_hours)
    yield ("asked_outside_service_hours", str(report.outside_hours.whole), "count")
    yield from _share_rows("accepted_outside_service_hours", report.outside_hours)
    yield from _spread_rows("conversation_length", report.conversations)
    yield ("ratings", str(report.rating_count), "count")
    yield ("rating_mean", _number(report.rating_mean, 2), "1-5")
    for value, n in enumerate(report.ratings, start=1):
        yield (f"rating_{value}", str(n), "count")
    for topic, n in report.topics:
        yield (f"topic_{topic}", str(n), "count")
    yield ("mentor_households", str(report.mentor_households), "count")
    yield ("mentor_adults", str(report.mentor_adults), "count")
    yield ("shifts", str(report.shifts), "count")
    yield ("shifts_with_request", str(report.shifts_with_request), "count")
    yield ("shifts_with_acceptance", str(report.shifts_with_acceptance), "count")
    yield ("service_hours", _number(report.promised.total_seconds() / 3600), "h")
    yield ("service_hours_uncovered", _number(report.uncovered.total_seconds() / 3600), "h")
    yield ("service_hours_covered_share", _percent(report.covered), "%")
    reach = report.reach
    yield ("broadcasts", str(reach.broadcasts), "count")
    yield from _reach_rows(
        "broadcast", reach.recipients, reach.delivered, reach.blocked, reach.failed
    )
    for sent in report.broadcasts:
        prefix = f"broadcast_{sent.id}"
        started = sent.started_at.astimezone(report.tz)
        yield (f"{prefix}_started", f"{started:%Y-%m-%d %H:%M}", "local time")
        yield (f"{prefix}_audience", sent.audience.value, "")
        yield from _reach_rows(prefix, sent.recipients, sent.delivered, sent.blocked, sent.failed)
        yield (f"{prefix}_unfinished", str(sent.unfinished), "count")
    for figure in report.events:
        prefix = f"events_{figure.kind.value}"
        yield (f"{prefix}_held", str(figure.held), "count")
        yield (f"{prefix}_places", str(figure.places), "people")
        yield (f"{prefix}_without_limit", str(figure.unlimited), "count")
        yield (f"{prefix}_signed_up", str(figure.signed_up), "people")
        yield (f"{prefix}_attended", str(figure.attended), "people")
        yield (f"{prefix}_no_shows", str(figure.no_shows), "people")
        yield (f"{prefix}_waiting_list_moves", str(figure.moves), "count")
    for load in report.mentors:  # by number, as in the text: the CSV travels, names need not
        # A household gone from the service (no member number) keeps a row of its own.
        number = f"gone{load.household_id}" if load.number is None else str(load.number)
        prefix = f"mentor_household_{number}"
        yield (f"{prefix}_conversations", str(load.conversations), "count")
        yield (f"{prefix}_on_duty", _number(load.on_duty.total_seconds() / 3600), "hours")


def _reach_rows(
    prefix: str, recipients: int, delivered: int, blocked: int, failed: int
) -> list[tuple[str, str, str]]:
    counts = {
        "recipients": recipients,
        "delivered": delivered,
        "blocked": blocked,
        "failed": failed,
    }
    return [(f"{prefix}_{key}", str(n), "count") for key, n in counts.items()]


def report_csv(report: StatsReport) -> bytes:
    """One metric a row (metric;value;unit), then a blank row and the weekday × hour table."""
    rows: list[tuple[object, ...]] = [("metric", "value", "unit"), *_metric_rows(report), ()]
    rows.append(("weekday", *(f"{hour:02d}" for hour in range(HOURS)), "total"))
    for name, row in zip(_WEEKDAYS_EN, report.by_hour, strict=True):
        rows.append((name, *row, sum(row)))
    totals = [sum(column) for column in zip(*report.by_hour, strict=True)]
    rows.append(("total", *totals, sum(totals)))
    return nordic_csv(rows)


# --- chart -----------------------------------------------------------------------------------


def _accept_buckets(spread: Spread) -> tuple[list[str], list[int]]:
    labels = [f"<{_ACCEPT_BUCKETS[0]}"]
    labels += [f"{low}\u2013{high}" for low, high in pairwise(_ACCEPT_BUCKETS)]
    labels.append(f"\u2265{_ACCEPT_BUCKETS[-1]}")
    counts = [0] * len(labels)
    for seconds in spread.seconds:
        minutes = seconds / 60
        counts[sum(1 for edge in _ACCEPT_BUCKETS if minutes >= edge)] += 1
    return labels, counts


def chart_png(t: Translator, report: StatsReport) -> bytes:
    """Questions by hour of the week as a heat map, over the time to accept in buckets."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(10, 8), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    heat, accept = figure.subplots(2, 1, height_ratios=(3, 2))

    grid = report.by_hour
    image = heat.imshow(grid, aspect="auto", cmap="Blues", vmin=0, vmax=max(1, *map(max, grid)))
    heat.set_title(
        t(
            "stats.chart_by_hour",
            first=report.period.first.isoformat(),
            last=report.period.last.isoformat(),
            zone=report.tz.key,
        )
    )
    heat.set_yticks(range(len(grid)), [weekday_name(t, day) for day in range(len(grid))])
    heat.set_xticks(range(HOURS), [f"{hour:02d}" for hour in range(HOURS)])
    heat.set_xlabel(t("stats.chart_hour"))
    figure.colorbar(image, ax=heat, label=t("stats.chart_questions")).locator = MaxNLocator(
        integer=True
    )
    darkest = max(map(max, grid))
    for day, row in enumerate(grid):
        for hour, count in enumerate(row):
            if count:
                colour = "white" if count > darkest / 2 else "black"
                heat.text(hour, day, str(count), ha="center", va="center", color=colour, size=8)

    labels, counts = _accept_buckets(report.time_to_accept)
    bars = accept.bar(range(len(labels)), counts, color="#2f6f9f")
    accept.bar_label(bars, labels=[str(n) if n else "" for n in counts])
    accept.set_xticks(range(len(labels)), labels)
    accept.set_xlabel(t("stats.chart_minutes"))
    accept.set_ylabel(t("stats.chart_questions"))
    accept.set_title(_spread(t, N_("stats.time_to_accept"), report.time_to_accept))
    accept.set_ylim(0, max(1, *counts) * 1.15)
    accept.yaxis.set_major_locator(MaxNLocator(integer=True))
    for axes, empty in ((heat, not report.requests), (accept, not report.time_to_accept.count)):
        if empty:
            axes.text(
                0.5,
                0.5,
                t("stats.chart_no_data"),
                transform=axes.transAxes,
                ha="center",
                va="center",
                size=16,
                color="#666666",
            )

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
