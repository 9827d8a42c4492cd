"""A note for the family's social worker: the mentor writes it in reply to the bot's prompt,
the family says yes or no with a button, and the yeses reach the coordinators together on the
next working-day morning (bot/unit_notes.py), rebuilt from the database at start."""

from __future__ import annotations

from telegram import (
    CallbackQuery,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from bot import unit_notes
from bot.i18n import N_, Translator, plain
from bot.unit_notes import MAX_NOTE, NoteProblem
from handlers import buttons
from handlers.buttons import Match
from handlers.clock import now
from handlers.common import (
    RUN_LATE,
    MentorApplication,
    MentorContext,
    Sender,
    member_translator,
    split_lines,
)
from handlers.notices import tell
from handlers.telegram_errors import best_effort
from storage.models import Member, Role, UnitNote

DELIVERY_JOB = "unit-notes"

_PROBLEMS = {
    NoteProblem.NOT_YOURS: N_("button.invalid"),
    NoteProblem.ASKED: N_("unit_note.asked_already"),
    NoteProblem.TOO_LONG: N_("unit_note.too_long"),
    NoteProblem.WRITTEN: N_("unit_note.written_already"),
    NoteProblem.DECIDED: N_("unit_note.decided_already"),
    NoteProblem.GONE: N_("button.invalid"),
}


def note_button(t: Translator, request_id: int) -> InlineKeyboardButton:
    """Under the mentor's end of a conversation, beside Talk it through."""
    return InlineKeyboardButton(t("unit_note.button"), callback_data=buttons.unit_note(request_id))


@buttons.press(Role.MENTOR)
async def ask_for_note(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    request_id = buttons.request_of(match)
    problem = await unit_notes.ask(context.db, member, request_id)
    if problem is not None:
        await query.answer(plain(sender.t(_PROBLEMS[problem])), show_alert=True)
        return
    await query.answer()
    prompt = await context.bot.send_message(
        member.telegram_user_id,
        sender.t("unit_note.prompt", number=request_id, max=MAX_NOTE),
        reply_markup=ForceReply(selective=True),
    )
    await unit_notes.remember_prompt(context.db, member, request_id, prompt.message_id)


async def take_note(
    context: MentorContext, sender: Sender, member: Member, message: Message
) -> bool:
    """A mentor's reply to a note's prompt is the note; the family is asked about it."""
    replied = message.reply_to_message
    if replied is None or member.role is not Role.MENTOR:
        return False
    note = await unit_notes.prompted(context.db, message.chat_id, replied.message_id)
    if note is None:
        return False
    if message.text is None:
        await message.reply_text(sender.t("unit_note.text_only"))
        return True
    written = await unit_notes.write(context.db, member, note, message.text, now())
    if isinstance(written, NoteProblem):
        await message.reply_text(sender.t(_PROBLEMS[written], max=MAX_NOTE))
        return True
    await message.reply_text(sender.t("unit_note.family_asked"))
    await _ask_family(context, written.note, written.family)
    return True


async def _ask_family(context: MentorContext, note: UnitNote, family: list[Member]) -> None:
    for adult in family:
        t = member_translator(context, adult)
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        t("unit_note.yes"), callback_data=buttons.unit_note_consent(note.id, True)
                    ),
                    InlineKeyboardButton(
                        t("unit_note.no"), callback_data=buttons.unit_note_consent(note.id, False)
                    ),
                ]
            ]
        )
        # The mentor's words go through the catalogue as a parameter: escaped, never markup.
        text = t(
            "unit_note.family_question",
            mentor=note.mentor_name or t("members.unnamed"),
            number=note.request_id,
            note=note.body or "",
        )
        await best_effort(
            context.bot.send_message(adult.telegram_user_id, text, reply_markup=keyboard),
            "note consent question",
        )


@buttons.press(Role.FAMILY)
async def decide(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    note_id, consent = buttons.note_of(match), buttons.consent_of(match)
    decided = await unit_notes.decide(context.db, member, note_id, consent, now())
    if isinstance(decided, NoteProblem):
        await query.answer(plain(sender.t(_PROBLEMS[decided])), show_alert=True)
        return
    await query.answer()
    number = decided.note.request_id
    family_line = N_("unit_note.family_yes") if consent else N_("unit_note.family_no")
    await best_effort(
        query.edit_message_text(sender.t(family_line, number=number)), "note consent edit"
    )
    if decided.mentor is not None:
        told = N_("unit_note.mentor_yes") if consent else N_("unit_note.mentor_no")
        await tell(context, [decided.mentor], told, number=number)
    if consent:
        await plan_delivery(context.application)


async def plan_delivery(application: MentorApplication) -> None:
    """One timer, at the earliest note's working-day morning (at once if it is past)."""
    config = application.bot_data.config
    queue = application.job_queue
    assert queue is not None
    for job in queue.get_jobs_by_name(DELIVERY_JOB):
        job.schedule_removal()
    at = await unit_notes.next_delivery(
        application.bot_data.db, now(), config.service_hours, config.timezone
    )
    if at is not None:
        queue.run_once(_deliver, when=at, name=DELIVERY_JOB, job_kwargs=RUN_LATE)


def delivery_lines(t: Translator, found: list[UnitNote]) -> list[str]:
    lines = [t("unit_note.delivery_header", count=len(found))]
    for note in found:
        lines.append(
            t(
                "unit_note.delivery_line",
                number=note.request_id,
                family=note.family_name or t("members.unnamed"),
                mentor=note.mentor_name or t("members.unnamed"),
                note=note.body or "",
            )
        )
    return lines


async def _deliver(context: MentorContext) -> None:
    """Every note due, to every coordinator, then marked delivered: a stop in between sends
    them once more at the next start, never loses one."""
    config = context.config
    delivery = await unit_notes.due(context.db, now(), config.service_hours, config.timezone)
    if delivery.notes:
        for coordinator in delivery.coordinators:
            t = member_translator(context, coordinator)
            for text in split_lines(delivery_lines(t, delivery.notes)):
                await best_effort(
                    context.bot.send_message(coordinator.telegram_user_id, text), "notes delivery"
                )
        await unit_notes.delivered(context.db, delivery, now())
    await plan_delivery(context.application)


refuse_other_note = buttons.refuse_rest(Role.MENTOR)
refuse_other_consent = buttons.refuse_rest(Role.FAMILY)


def register(application: MentorApplication) -> None:
    buttons.add_presses(
        application,
        [
            (ask_for_note, buttons.UNIT_NOTE, refuse_other_note),
            (decide, buttons.UNIT_NOTE_CONSENT, refuse_other_consent),
        ],
    )
