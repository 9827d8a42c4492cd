"""The shared course catalogue in a chat: a coordinator sends a catalogue file (CSV or .ics),
sees what it would change, and confirms; /catalogue sends both files of every coming event.

A CSV document may be a rota file too (handlers/rota_planning.py), so a catalogue is told by
its header (an id and a title column) and an .ics by its content; anything else is left to the
message router as before. The preview replies to the file and its Import button names the plan
shown (bot/catalogue_import.py): the press reads the file again and applies it only if the plan
is still that one, so a stale, forged or repeated press changes nothing.
"""

from __future__ import annotations

from telegram import CallbackQuery, Document, InputFile, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import catalogue_import
from bot.calendar_feed import events_calendar
from bot.event_catalogue import (
    MAX_BYTES,
    CatalogueProblem,
    CatalogueReason,
    export_catalogue_csv,
    is_calendar,
    is_catalogue,
    parse_catalogue,
)
from bot.i18n import plain
from handlers import buttons, confirmation, event_reminders
from handlers.buttons import Match
from handlers.catalogue_text import applied_text, preview_keyboard, preview_text, refusal_text
from handlers.clock import now
from handlers.common import MentorApplication, MentorContext, Sender, requires
from handlers.event_notices import calendar_service, tell_changed
from handlers.rota_planning import is_rota_file, questioned_file
from storage.models import Member, Role

_CALENDAR_TYPES = ("text/calendar", "application/ics")


def _named_calendar(document: Document) -> bool:
    return (document.file_name or "").lower().endswith(".ics") or (
        document.mime_type in _CALENDAR_TYPES
    )


async def _download(document: Document) -> bytes | None:
    """The file's bytes, or None if Telegram says it is larger than any catalogue."""
    if (document.file_size or 0) > MAX_BYTES:
        return None
    file = await document.get_file()
    return bytes(await file.download_as_bytearray())


async def take_document(
    update: Update, context: MentorContext, sender: Sender, member: Member
) -> bool:
    """Whether the message's document was a catalogue file, and taken here: previewed for a
    coordinator, refused with one line for any other member. False leaves it to the router
    (a rota file, or a family's file for its mentor)."""
    message = update.effective_message
    document = message.document if message else None
    if message is None or document is None:
        return False
    if not (is_rota_file(document) or _named_calendar(document)):
        return False
    t, coordinator = sender.t, member.role is Role.COORDINATOR
    data = await _download(document)
    if coordinator and _named_calendar(document) and (data is None or not is_calendar(data)):
        # A coordinator's .ics is meant for import: say why it cannot be, not what a rota is.
        reason = CatalogueReason.TOO_LARGE if data is None else CatalogueReason.NOT_CALENDAR
        await message.reply_text(refusal_text(t, [CatalogueProblem(1, reason)]))
        return True
    if data is None or not is_catalogue(data, any_calendar=coordinator):
        return False  # a large CSV: the rota import says how large a file may be
    if not coordinator:
        await message.reply_text(t("catalogue.coordinators_only"))
        return True
    rows, problems = parse_catalogue(data, context.config.timezone)
    if problems:
        await message.reply_text(refusal_text(t, problems))
        return True
    plan = await catalogue_import.preview(
        context.db, rows, now(), service=calendar_service(context)
    )
    # The preview replies to the file, so that the press can read the file again.
    await message.reply_text(
        preview_text(t, plan), reply_markup=preview_keyboard(t, plan), do_quote=True
    )
    return True


@buttons.press(Role.COORDINATOR)
async def apply_file(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    t, moment = sender.t, now()
    document = questioned_file(query, sender, moment)
    data = await _download(document) if document is not None else None
    if data is None:  # expired, not a preview of ours, or the file was deleted
        await confirmation.refuse(query, t)
        return
    rows, problems = parse_catalogue(data, context.config.timezone)
    result = (
        catalogue_import.CHANGED
        if problems
        else await catalogue_import.apply(
            context.db,
            rows,
            member,
            moment,
            buttons.digest_of(match),
            service=calendar_service(context),
        )
    )
    await query.answer()
    if isinstance(result, catalogue_import.Imported):
        await query.edit_message_text(applied_text(t, result))
        for changed in result.changed:
            await tell_changed(context, changed)
        await event_reminders.events_changed(context.application)
    elif isinstance(result, list):
        await query.edit_message_text(refusal_text(t, result))
    else:
        await query.edit_message_text(t("catalogue.changed_since"))


@buttons.press(Role.COORDINATOR)
async def cancel_file(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    await confirmation.close(query, sender.t("catalogue.cancelled"), "catalogue preview")


@requires(Role.COORDINATOR)
async def catalogue_command(
    update: Update, context: MentorContext, sender: Sender, member: Member
) -> None:
    """Both files of every event not cancelled and not over, to hand to the next municipality:
    the CSV for a spreadsheet, the .ics for a calendar; either imports back unchanged."""
    message = update.effective_message
    if message is None:
        return
    t, tz, moment = sender.t, context.config.timezone, now()
    service = calendar_service(context)
    coming = await catalogue_import.catalogue(context.db, moment)
    if not coming:
        await message.reply_text(t("catalogue.export_empty"))
        return
    stem = plain(t("catalogue.file_name"))
    name = f"{stem}-{moment.astimezone(tz):%Y-%m-%d}"
    caption = t.plural("catalogue.export_caption", "catalogue.export_caption_plural", len(coming))
    await message.reply_document(
        InputFile(export_catalogue_csv(coming, tz, t, service=service), filename=f"{name}.csv"),
        caption=caption,
    )
    calendar_name = plain(t("catalogue.calendar_name"))
    calendar = events_calendar(coming, tz, calendar_name, moment, service=service)
    await message.reply_document(InputFile(calendar, filename=f"{name}.ics"))


def register(application: MentorApplication) -> None:
    application.add_handler(CommandHandler("catalogue", catalogue_command))
    application.add_handler(CallbackQueryHandler(apply_file, pattern=buttons.CATALOGUE_APPLY))
    application.add_handler(CallbackQueryHandler(cancel_file, pattern=buttons.CATALOGUE_CANCEL))
