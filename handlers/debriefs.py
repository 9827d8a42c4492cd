"""Talk it through: after a conversation, a mentor asks to be called back; a coordinator takes
it with one press, and the mentor hears who will call. Nothing of the conversation goes."""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot import debriefs
from bot.debriefs import Asked, DebriefProblem
from bot.i18n import N_, plain
from bot.routing import Ended
from handlers import buttons
from handlers.buttons import Match
from handlers.clock import now
from handlers.common import (
    MentorApplication,
    MentorContext,
    Sender,
    household_name,
    member_translator,
)
from handlers.notices import tell
from handlers.telegram_errors import best_effort
from handlers.unit_notes import note_button
from storage.models import Member, Role

_PROBLEMS = {
    DebriefProblem.NOT_YOURS: N_("button.invalid"),
    DebriefProblem.ASKED: N_("debrief.asked_already"),
    DebriefProblem.TAKEN: N_("debrief.taken_already"),
    DebriefProblem.GONE: N_("button.invalid"),
}


async def offer_debrief(context: MentorContext, ended: Ended, *, note: bool = True) -> None:
    """The mentor who held the conversation gets Talk it through, and (unless the family has
    left, when nobody could say yes to it) a note for the social worker; an urgent one says
    why first."""
    mentor = ended.mentor
    if mentor is None or mentor.role is not Role.MENTOR:
        return
    t = member_translator(context, mentor)
    msgid = N_("debrief.offer_urgent") if ended.request.urgent else N_("debrief.offer")
    button = InlineKeyboardButton(
        t("debrief.talk"), callback_data=buttons.debrief(ended.request.id)
    )
    rows = [[button], [note_button(t, ended.request.id)]] if note else [[button]]
    await best_effort(
        context.bot.send_message(
            mentor.telegram_user_id,
            t(msgid, number=ended.request.id),
            reply_markup=InlineKeyboardMarkup(rows),
        ),
        "debrief offer",
    )


async def _send_to_coordinators(context: MentorContext, asked: Asked) -> bool:
    """Each coordinator's copy, remembered to edit; whether any coordinator was reached."""
    shown = []
    for coordinator in asked.coordinators:
        t = member_translator(context, coordinator)
        button = InlineKeyboardButton(
            t("debrief.will_call"), callback_data=buttons.debrief_acknowledge(asked.debrief_id)
        )
        sent = await best_effort(
            context.bot.send_message(
                coordinator.telegram_user_id,
                t(
                    "debrief.request",
                    mentor=household_name(t, asked.mentor),
                    number=asked.mentor.id,
                ),
                reply_markup=InlineKeyboardMarkup([[button]]),
            ),
            "debrief request",
        )
        if sent is not None:
            shown.append((coordinator.telegram_user_id, sent.message_id))
    await debriefs.remember_copies(context.db, asked.debrief_id, shown)
    return bool(shown)


@buttons.press(Role.MENTOR)
async def talk_it_through(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    asked = await debriefs.ask(context.db, member, buttons.request_of(match), now())
    if isinstance(asked, DebriefProblem):
        await query.answer(plain(sender.t(_PROBLEMS[asked])), show_alert=True)
        return
    await query.answer()
    reached = await _send_to_coordinators(context, asked)
    # Told the truth: with no coordinator reached, whom to call instead.
    numbers = context.config.emergency_numbers
    told = sender.t("debrief.sent") if reached else sender.t("debrief.nobody", numbers=numbers)
    await best_effort(query.edit_message_text(told), "debrief sent edit")


@buttons.press(Role.COORDINATOR)
async def acknowledge(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    t, debrief_id = sender.t, buttons.debrief_of(match)
    done = await debriefs.acknowledge(context.db, member, debrief_id, now())
    if isinstance(done, DebriefProblem):
        holder = await debriefs.taken_by(context.db, debrief_id)
        line = t(_PROBLEMS[done], coordinator=holder.household.display_name if holder else "")
        await query.answer(plain(line), show_alert=True)
        return
    await query.answer()
    mentor, name = done.mentor, member.household.display_name or ""
    for chat, message_id in done.copies:
        if isinstance(query.message, Message) and chat == query.message.chat_id:
            text = t("debrief.you_call", mentor=household_name(t, mentor))
        else:
            text = t("debrief.taken", coordinator=name, mentor=household_name(t, mentor))
        await best_effort(
            context.bot.edit_message_text(text, chat_id=chat, message_id=message_id),
            "debrief request edit",
        )
    await tell(context, [mentor], N_("debrief.acknowledged"), coordinator=name)


async def start(application: MentorApplication) -> None:
    """Requests a stop came between writing and showing: the coordinators see them now."""
    context = MentorContext(application)
    for asked in await debriefs.unsent(application.bot_data.db):
        await _send_to_coordinators(context, asked)


refuse_other_talk = buttons.refuse_rest(Role.MENTOR)
refuse_other_acknowledgement = buttons.refuse_rest(Role.COORDINATOR)


def register(application: MentorApplication) -> None:
    buttons.add_presses(
        application,
        [
            (talk_it_through, buttons.DEBRIEF, refuse_other_talk),
            (acknowledge, buttons.DEBRIEF_ACKNOWLEDGE, refuse_other_acknowledgement),
        ],
    )
