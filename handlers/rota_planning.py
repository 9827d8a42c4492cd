"""The coordinators' rota: /shift add|del|list, /rota, /rota csv, /rota open (the open gaps to
every mentor, with Take buttons), and CSV files sent to the bot."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from telegram import (
    CallbackQuery,
    Document,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    Update,
)
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import availability, members, rota_planning
from bot.availability import OPEN_GAP_DAYS
from bot.i18n import N_, Translator
from bot.rota import Interval
from bot.rota_csv import (
    MAX_BYTES,
    CsvProblem,
    CsvReason,
    PlannedShift,
    export_rota_csv,
    parse_rota_csv,
)
from bot.rota_csv import parse_shift as parse_shift_args
from bot.rota_planning import Refusal
from handlers import buttons, confirmation, rota_jobs
from handlers.arguments import Word, parse_word
from handlers.availability import send_to_mentors
from handlers.clock import now
from handlers.common import (
    MentorApplication,
    MentorContext,
    Sender,
    answer,
    member_translator,
    number_argument,
    parse_number,
    reply_lines,
    requires,
)
from handlers.rota_text import (
    coverage_lines,
    csv_problem,
    line_numbered,
    mentor_name,
    overbooked_lines,
    refusal,
    shift_line,
)
from handlers.shift_booking_text import fill_keyboard
from handlers.telegram_errors import best_effort
from storage.models import Member, Role, Shift, ShiftListing

_SPAN = re.compile(r"\s*[-\u2013]\s*")
# Problems with the file as a whole: one line, no list of lines to fix.
_WHOLE_FILE = {CsvReason.NOT_TEXT, CsvReason.TOO_LARGE, CsvReason.EMPTY, CsvReason.BAD_HEADER}
LIST_DAYS = 14  # /shift list without a date: the coming two weeks
MAX_WEEKS = 8


@requires(Role.COORDINATOR)
async def shift_command(
    update: Update, context: MentorContext, sender: Sender, member: Member
) -> None:
    message = update.effective_message
    if message is None:
        return
    args = context.args or []
    action = parse_word(args[0], [Word.ADD, Word.DELETE, Word.LIST]) if args else None
    if action is Word.ADD:
        await _add(message, context, sender, member, args[1:])
    elif action is Word.DELETE:
        await _delete(message, context, sender, member, args[1:])
    elif action is Word.LIST:
        await _list(update, context, sender, args[1:])
    else:
        await message.reply_text(sender.t("shift.usage"))


async def _add(
    message: Message, context: MentorContext, sender: Sender, member: Member, args: list[str]
) -> None:
    t, tz = sender.t, context.config.timezone
    clocks = _SPAN.split(" ".join(args[2:]).strip()) if len(args) >= 3 else []
    if len(clocks) != 2:
        await message.reply_text(t("shift.usage"))
        return
    parsed = parse_shift_args(args[0], args[1], clocks[0], clocks[1], tz)
    if isinstance(parsed, list):
        await message.reply_text(csv_problem(t, parsed[0]))
        return
    added = await rota_planning.add(context.db, parsed.member_id, parsed.span, member, now())
    if isinstance(added, Refusal):
        await message.reply_text(refusal(t, added, tz))
        return
    await confirm_added(context, t, added, message.reply_text)


async def confirm_added(
    context: MentorContext, t: Translator, added: Shift, reply: Callable[[str], Awaitable[object]]
) -> None:
    """What follows a new shift, typed or tapped: the coordinator's confirmation (`reply`), the
    household's notice, and the rota's timers planned again."""
    listing = await _listing(context, added)
    tz = context.config.timezone
    lines = [t("shift.added", line=shift_line(t, listing, tz, with_name=True))]
    span = Interval(added.starts_at, added.ends_at)
    away = await availability.away_households(context.db, span.start, span.end)
    if away.away_during(added.household_id, span):
        # Booked all the same: the coordinator may have agreed it with them on the phone.
        lines.append(t("shift.away_warning", name=mentor_name(t, listing), number=added.id))
    await reply("\n".join(lines))
    await _tell_household(context, added.household_id, N_("shift.added_notice"), listing)
    await rota_jobs.rota_changed(context.application)


async def _delete(
    message: Message, context: MentorContext, sender: Sender, member: Member, args: list[str]
) -> None:
    t = sender.t
    number = number_argument(args)
    if number is None:
        await message.reply_text(t("shift.usage"))
        return
    removed = await rota_planning.delete(context.db, number, member, now())
    if removed is None:
        await message.reply_text(t("shift.not_found", number=number))
        return
    line = shift_line(t, removed, context.config.timezone, with_name=True)
    await message.reply_text(t("shift.deleted", line=line))
    notice = N_("shift.deleted_notice")
    await _tell_household(context, removed.shift.household_id, notice, removed)
    await rota_jobs.rota_changed(context.application)


async def _list(update: Update, context: MentorContext, sender: Sender, args: list[str]) -> None:
    message = update.effective_message
    if message is None:
        return
    t, tz = sender.t, context.config.timezone
    if len(args) > 1:
        await message.reply_text(t("shift.usage"))
        return
    if args:
        try:
            day = date.fromisoformat(args[0])
        except ValueError:
            await message.reply_text(t("shift.bad_date", value=args[0]))
            return
        start = datetime.combine(day, datetime.min.time(), tzinfo=tz)
        end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=tz)
        header = t("shift.list_day", day=t.day(day))
    else:
        start, end = now(), now() + timedelta(days=LIST_DAYS)
        header = t("shift.list_coming", days=LIST_DAYS)
    found = await rota_planning.listings(context.db, start, end)
    if not found:
        await message.reply_text(header + "\n" + t("shift.list_empty"))
        return
    await reply_lines(
        update, [header, *(shift_line(t, listing, tz, with_name=True) for listing in found)]
    )


async def _listing(context: MentorContext, shift: Shift) -> ShiftListing:
    """The shift with its household's name, for the coordinator's confirmation."""
    household = await members.household_members(context.db, shift.household_id)
    name = household[0].household.display_name if household else None
    return ShiftListing(shift, name)


async def _tell_household(
    context: MentorContext, household_id: int, msgid: str, listing: ShiftListing
) -> None:
    """Each adult of the mentor household hears about a change to their own rota."""
    tz = context.config.timezone
    for adult in await members.household_members(context.db, household_id):
        t = member_translator(context, adult)
        await best_effort(
            context.bot.send_message(
                adult.telegram_user_id, t(msgid, line=shift_line(t, listing, tz, with_name=False))
            ),
            "rota change notice",
        )


@requires(Role.COORDINATOR)
async def rota_command(
    update: Update, context: MentorContext, sender: Sender, member: Member
) -> None:
    message = update.effective_message
    if message is None:
        return
    t, config = sender.t, context.config
    args = context.args or []
    if len(args) == 1 and parse_word(args[0], [Word.CSV]):
        await _export(message, context, sender)
        return
    if len(args) == 1 and parse_word(args[0], [Word.OPEN]):
        gaps, reached = await send_to_mentors(context)
        if not gaps:
            await message.reply_text(t("rota.open_none", days=OPEN_GAP_DAYS))
            return
        await message.reply_text(
            t.plural("rota.open_sent", "rota.open_sent_plural", reached, gaps=gaps)
        )
        return
    weeks = (parse_number(args[0]) if len(args) == 1 else None) if args else 1
    if weeks is None or not 1 <= weeks <= MAX_WEEKS:
        await message.reply_text(t("rota.usage", max=MAX_WEEKS))
        return
    moment = now()
    today = moment.astimezone(config.timezone).date()
    days = await rota_planning.coverage(
        context.db, today, weeks * 7, config.service_hours, config.timezone, moment
    )
    gap_days = sum(1 for day in days if day.gaps)
    header = t.plural("rota.header", "rota.header_plural", gap_days, days=weeks * 7)
    warnings = []
    if config.max_hours_per_week is not None:
        limit = timedelta(hours=config.max_hours_per_week)
        over = await rota_planning.overbooked_weeks(
            context.db, today, weeks * 7, config.timezone, limit
        )
        warnings = overbooked_lines(t, over, limit)
    await reply_lines(
        update,
        [header, *warnings, *coverage_lines(t, days, config.timezone)],
        fill_keyboard(t, days, config.timezone),
    )


async def _export(message: Message, context: MentorContext, sender: Sender) -> None:
    config = context.config
    moment = now()
    rows = await rota_planning.export_rows(context.db, moment)
    data = export_rota_csv(rows, config.timezone, sender.t)
    name = f"rota-{moment.astimezone(config.timezone):%Y-%m-%d}.csv"
    await message.reply_document(
        InputFile(data, filename=name),
        caption=sender.t.plural("rota.csv_caption", "rota.csv_caption_plural", len(rows)),
    )


def is_rota_file(document: Document | None) -> bool:
    """A CSV file, by its name or its type: what a coordinator sends to import shifts."""
    if document is None:
        return False
    named_csv = (document.file_name or "").lower().endswith(".csv")
    # Windows labels a CSV file as Excel's, whatever program saved it.
    csv_types = ("text/csv", "application/csv", "application/vnd.ms-excel")
    return named_csv or document.mime_type in csv_types


async def _download(
    document: Document, tz: ZoneInfo
) -> tuple[list[PlannedShift], list[CsvProblem]]:
    if (document.file_size or 0) > MAX_BYTES:
        return [], [CsvProblem(1, CsvReason.TOO_LARGE)]
    file = await document.get_file()
    return parse_rota_csv(bytes(await file.download_as_bytearray()), tz)


async def _read_file(
    update: Update, document: Document, t: Translator, tz: ZoneInfo
) -> list[PlannedShift] | None:
    """The file's rows, or None once every problem in it has been named in a reply."""
    planned, problems = await _download(document, tz)
    if len(problems) == 1 and problems[0].reason in _WHOLE_FILE:
        await answer(update, csv_problem(t, problems[0]))
        return None
    if problems:
        await _refuse_file(update, t, ((p.line, csv_problem(t, p)) for p in problems))
        return None
    return planned


@requires(Role.COORDINATOR)
async def import_document(
    update: Update, context: MentorContext, sender: Sender, member: Member
) -> None:
    """A CSV file from a coordinator: what it changes, whole, or nothing and every problem named.

    New rows are added and unchanged ones counted at once. If the file leaves out shifts that
    are booked and have not begun, nothing changes yet: the coordinator gets the list of them
    and chooses to remove them, to add the new rows only, or neither.
    """
    message = update.effective_message
    if message is None or message.document is None:
        return
    t, tz = sender.t, context.config.timezone
    planned = await _read_file(update, message.document, t, tz)
    if planned is None:
        return
    outcome = await rota_planning.import_file(context.db, planned, member, now())
    if isinstance(outcome, list):
        await _refuse_file(update, t, ((r.line, refusal(t, r, tz)) for r in outcome))
        return
    if isinstance(outcome, rota_planning.FileApplied):
        await message.reply_text(_applied_text(t, outcome))
        await _tell_households(context, outcome)
        return
    await _ask_about_removals(update, t, tz, outcome)


async def _ask_about_removals(
    update: Update, t: Translator, tz: ZoneInfo, diff: rota_planning.FileDiff
) -> None:
    """Every shift the file would remove, then the choices under the last part of the list."""
    lines = [
        t.plural(
            "csv.confirm_removal",
            "csv.confirm_removal_plural",
            len(diff.removed),
            added=len(diff.added),
            unchanged=len(diff.unchanged),
        ),
        *(shift_line(t, listing, tz, with_name=True) for listing in diff.removed),
    ]
    # The question replies to the file, so that a press can read the file again.
    await reply_lines(update, lines, _file_keyboard(t, diff), quote=True)


def _file_keyboard(t: Translator, diff: rota_planning.FileDiff) -> InlineKeyboardMarkup:
    choices = [(t("csv.apply"), buttons.rota_file(True, diff.digest))]
    if diff.added and diff.add_only_digest is not None:
        choices.append((t("csv.add_only"), buttons.rota_file(False, diff.add_only_digest)))
    choices.append((t("csv.cancel"), buttons.rota_file_cancel()))
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data)] for label, data in choices]
    )


@requires(Role.COORDINATOR)
async def confirm_file(
    update: Update, context: MentorContext, sender: Sender, member: Member
) -> None:
    """A press under a file's question: the file is read again and applied if the rota is still
    what the question showed (bot.rota_planning.apply_file checks that as it writes)."""
    query, match = update.callback_query, buttons.matched(context)
    if query is None or match is None:
        return
    t, tz = sender.t, context.config.timezone
    moment = now()
    document = questioned_file(query, sender, moment)
    if document is None:  # expired, not a question of ours, or the file was deleted
        await confirmation.refuse(query, t)
        return
    remove_missing, digest = buttons.rota_file_of(match)
    planned, problems = await _download(document, tz)
    result: object = rota_planning.FILE_CHANGED
    if not problems:
        result = await rota_planning.apply_file(
            context.db, planned, member, moment, remove_missing=remove_missing, expected=digest
        )
    await query.answer()
    if isinstance(result, rota_planning.FileApplied):
        await query.edit_message_text(_applied_text(t, result))
        await _tell_households(context, result)
    elif isinstance(result, list):  # only adding: a new row overlaps a shift that stays
        await best_effort(query.edit_message_reply_markup(None), "rota file question edit")
        await _refuse_file(update, t, ((r.line, refusal(t, r, tz)) for r in result))
    else:
        await query.edit_message_text(t("csv.changed_since"))


@requires(Role.COORDINATOR)
async def cancel_file(
    update: Update, context: MentorContext, sender: Sender, member: Member
) -> None:
    if update.callback_query is not None:
        await confirmation.close(update.callback_query, sender.t("csv.cancelled"), "rota file")


def questioned_file(query: CallbackQuery, sender: Sender, moment: datetime) -> Document | None:
    """The file the pressed question is about, if the press may act on it.

    The question replies to the file, and Telegram hands the replied-to message back with the
    press; only a question younger than the confirmation lifetime, about a file the presser
    sent, counts.
    """
    message = query.message
    if not isinstance(message, Message):
        return None
    if not confirmation.fresh(message.date.astimezone(UTC), moment):
        return None
    replied = message.reply_to_message
    if replied is None or replied.document is None or replied.from_user is None:
        return None
    return replied.document if replied.from_user.id == sender.telegram_user_id else None


def _applied_text(t: Translator, applied: rota_planning.FileApplied) -> str:
    text = t(
        "csv.applied",
        added=len(applied.added),
        unchanged=applied.unchanged,
        removed=len(applied.removed),
    )
    if applied.kept:
        text += "\n" + t.plural("csv.kept", "csv.kept_plural", applied.kept)
    return text


async def _refuse_file(
    update: Update, t: Translator, problems: Iterable[tuple[int | None, str]]
) -> None:
    lines = [line_numbered(t, line, text) for line, text in problems]
    await reply_lines(update, [t.plural("csv.refused", "csv.refused_plural", len(lines)), *lines])


async def _tell_households(context: MentorContext, applied: rota_planning.FileApplied) -> None:
    """One message per adult and kind of change, not one per shift: a season would flood them."""
    removed = [listing.shift for listing in applied.removed]
    for shifts, msgids in (
        (applied.added, (N_("shift.imported_notice"), N_("shift.imported_notice_plural"))),
        (removed, (N_("shift.removed_notice"), N_("shift.removed_notice_plural"))),
    ):
        counts = Counter(shift.household_id for shift in shifts)
        for household_id, count in counts.items():
            for adult in await members.household_members(context.db, household_id):
                t = member_translator(context, adult)
                await best_effort(
                    context.bot.send_message(adult.telegram_user_id, t.plural(*msgids, count)),
                    "rota import notice",
                )
    await rota_jobs.rota_changed(context.application)


def register(application: MentorApplication) -> None:
    application.add_handler(CommandHandler("shift", shift_command))
    application.add_handler(CommandHandler("rota", rota_command))
    application.add_handler(CallbackQueryHandler(confirm_file, pattern=buttons.ROTA_FILE))
    application.add_handler(CallbackQueryHandler(cancel_file, pattern=buttons.ROTA_FILE_CANCEL))
