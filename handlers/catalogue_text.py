"""How a catalogue file's preview, its problems and its import read in a chat.

A preview is one message, whatever the file: Telegram's limit is 4096 characters, and a list of
problems longer than that is cut with a count of the rest, since the coordinator fixes the file
and sends it again anyway. Titles and cells are the file's words: parameters, never markup.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.catalogue_import import Imported, Plan
from bot.event_catalogue import CatalogueProblem, CatalogueReason, column_label
from bot.events import TEXT_LIMITS, EventProblem, EventText
from bot.i18n import N_, Translator, plain
from handlers import buttons
from handlers.common import MESSAGE_BUDGET
from handlers.event_text import event_problem
from handlers.rota_text import line_numbered

_REASONS = {
    CatalogueReason.NOT_TEXT: N_("catalogue.not_text"),
    CatalogueReason.TOO_LARGE: N_("catalogue.too_large"),
    CatalogueReason.TOO_MANY_ROWS: N_("catalogue.too_many_rows"),
    CatalogueReason.EMPTY: N_("catalogue.empty"),
    CatalogueReason.BAD_HEADER: N_("catalogue.bad_header"),
    CatalogueReason.NOT_CALENDAR: N_("catalogue.not_calendar"),
    CatalogueReason.FIELD_COUNT: N_("catalogue.field_count"),
    CatalogueReason.NO_ID: N_("catalogue.no_id"),
    CatalogueReason.DUPLICATE_ID: N_("catalogue.duplicate_id"),
    CatalogueReason.MISSING: N_("catalogue.missing"),
    CatalogueReason.BAD_KIND: N_("catalogue.bad_kind"),
    CatalogueReason.BAD_AUDIENCE: N_("catalogue.bad_audience"),
    CatalogueReason.BAD_TIME: N_("catalogue.bad_time"),
    CatalogueReason.NONEXISTENT_TIME: N_("catalogue.nonexistent_time"),
    CatalogueReason.BAD_CAPACITY: N_("catalogue.bad_capacity"),
    CatalogueReason.BAD_CHILDREN: N_("catalogue.bad_children"),
    CatalogueReason.CANCELLED_ENTRY: N_("catalogue.cancelled_entry"),
    CatalogueReason.EVENT_CANCELLED: N_("catalogue.event_cancelled"),
    CatalogueReason.TOO_LONG: N_("catalogue.too_long"),
}
# Problems with the file as a whole: one line, no list of rows to fix.
WHOLE_FILE = {
    CatalogueReason.NOT_TEXT,
    CatalogueReason.TOO_LARGE,
    CatalogueReason.EMPTY,
    CatalogueReason.BAD_HEADER,
    CatalogueReason.NOT_CALENDAR,
}


def problem_text(t: Translator, problem: CatalogueProblem) -> str:
    if isinstance(problem.reason, EventProblem):
        return event_problem(t, problem.reason)
    if problem.reason is CatalogueReason.MISSING:
        return t(_REASONS[problem.reason], value=column_label(t, problem.value))
    if problem.reason is CatalogueReason.TOO_LONG:
        field = EventText(problem.value)
        return t(_REASONS[problem.reason], value=column_label(t, field), max=TEXT_LIMITS[field])
    return t(_REASONS[problem.reason], value=problem.value)


def problem_line(t: Translator, problem: CatalogueProblem) -> str:
    """The problem with where it is: a CSV's line, or a calendar entry's position and UID."""
    text = problem_text(t, problem)
    if problem.entry is None:
        return line_numbered(t, problem.line, text)
    if not problem.entry:
        return t("catalogue.entry", position=problem.line, problem=text)
    return t("catalogue.entry_uid", position=problem.line, uid=problem.entry, problem=text)


def _fitted(lines: list[str], t: Translator) -> str:
    """As many lines as one message holds, then how many more there are."""
    kept: list[str] = []
    size = 0
    for index, line in enumerate(lines):
        if size + len(line) + 1 > MESSAGE_BUDGET:
            kept.append(t("catalogue.more", n=len(lines) - index))
            break
        kept.append(line)
        size += len(line) + 1
    return "\n".join(kept)


def refusal_text(t: Translator, problems: list[CatalogueProblem]) -> str:
    """Nothing imported, and every problem by its place in the file (in one message)."""
    if len(problems) == 1 and problems[0].reason in WHOLE_FILE:
        return problem_text(t, problems[0])
    head = t.plural("catalogue.refused", "catalogue.refused_plural", len(problems))
    return _fitted([head, *(problem_line(t, problem) for problem in problems)], t)


def preview_text(t: Translator, plan: Plan) -> str:
    """What the file would do: the counts, and the titles of the events it changes."""
    if plan.problems:
        return refusal_text(t, plan.problems)
    counts = {
        "added": len(plan.added),
        "changed": len(plan.changed),
        "unchanged": len(plan.unchanged),
    }
    if not plan.added and not plan.changed:
        return t("catalogue.nothing_to_do", **counts)
    lines = [t("catalogue.preview", **counts)]
    lines += [t("catalogue.changed_line", title=change.details.title) for change in plan.changed]
    return _fitted(lines, t)


def preview_keyboard(t: Translator, plan: Plan) -> InlineKeyboardMarkup | None:
    """Import or Cancel, under a preview with something to import."""
    if plan.problems or (not plan.added and not plan.changed):
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    plain(t("catalogue.apply")), callback_data=buttons.catalogue(plan.digest)
                )
            ],
            [
                InlineKeyboardButton(
                    plain(t("catalogue.cancel")), callback_data=buttons.catalogue_cancel()
                )
            ],
        ]
    )


def applied_text(t: Translator, imported: Imported) -> str:
    told = sum(1 for change in imported.changed if change.to_tell or change.moved_up)
    text = t(
        "catalogue.applied",
        added=len(imported.added),
        changed=len(imported.changed),
        unchanged=imported.unchanged,
    )
    if told:
        text += "\n" + t.plural("catalogue.told", "catalogue.told_plural", told)
    return text
