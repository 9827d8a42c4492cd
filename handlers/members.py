"""/members, /remove and approvals: the coordinators' view of who belongs to the service, and
each member's card (a family's own mentor family and a mentor's experience are set in
handlers/matching.py).

Nobody reads a family's question without a coordinator's say: an adult added to a mentor
household with /partner gets no offer until a coordinator presses Approve, and an adult added
to a family is made known to them. The Approve button names the adult and when they joined,
and is checked against the database at the press.
"""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import members, paging
from bot.i18n import N_, Translator, plain
from bot.members import ApprovalOutcome, RemoveOutcome
from handlers import buttons, confirmation, matching
from handlers.buttons import Match, MemberAction
from handlers.clock import now
from handlers.common import (
    MentorApplication,
    MentorContext,
    Sender,
    household_name,
    member_translator,
    number_argument,
    reply_lines,
    requires,
    role_label,
)
from handlers.confirmation import Confirmation, named_member
from handlers.departures import after_departure
from handlers.personal_data import forget_question, send_export
from handlers.shift_booking_text import button_rows, turning_row
from handlers.telegram_errors import best_effort
from storage.models import Member, Role

MEMBERS_PER_PAGE = 20  # buttons under /members, two a row


def members_keyboard(t: Translator, everyone: list[Member], page: int) -> InlineKeyboardMarkup:
    """A button per member, opening their card; a page at a time for a large service."""
    shown = paging.page(everyone, page, MEMBERS_PER_PAGE)
    cards = [
        InlineKeyboardButton(
            plain(t("members.button", number=other.id, name=household_name(t, other))),
            callback_data=buttons.member_card(Confirmation(other.id, other.joined_at)),
        )
        for other in shown.items
    ]
    turning = turning_row(t, shown, buttons.member_page)
    return InlineKeyboardMarkup([*button_rows(cards, 2), *([turning] if turning else [])])


@requires(Role.COORDINATOR)
async def list_members(
    update: Update, context: MentorContext, sender: Sender, member: Member
) -> None:
    t = sender.t
    everyone = await members.list_members(context.db)
    lines = [t("members.header", count=len(everyone))]
    for other in everyone:
        line = t(
            "members.line",
            number=other.id,
            name=household_name(t, other),
            role=role_label(t, other.role),
        )
        lines.append(line + (t("members.you") if other.id == member.id else ""))
    await reply_lines(update, lines, members_keyboard(t, everyone, 0))


@buttons.press(Role.COORDINATOR)
async def turn_page(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    everyone = await members.list_members(context.db)
    await query.answer()
    keyboard = members_keyboard(sender.t, everyone, buttons.page_of(match))
    await best_effort(query.edit_message_reply_markup(keyboard), "members page")


def _naming(t: Translator, whom: Member) -> dict[str, object]:
    """How a member is named to a coordinator: number, household and role."""
    return {"number": whom.id, "name": household_name(t, whom), "role": role_label(t, whom.role)}


# What a card offers besides Remove, Export data and Erase, by the member's role.
_BY_ROLE = {
    Role.FAMILY: (MemberAction.OWN_MENTOR, N_("members.own_mentor")),
    Role.MENTOR: (MemberAction.EXPERIENCE, N_("members.experience")),
}


def _card(t: Translator, whom: Member, viewer: Member) -> tuple[str, InlineKeyboardMarkup]:
    named = Confirmation(whom.id, whom.joined_at)
    actions = [
        (MemberAction.EXPORT, N_("members.export")),
        (MemberAction.ERASE, N_("members.erase")),
    ]
    if whom.id != viewer.id:  # one does not remove oneself; /forget erases one's own data
        actions.insert(0, (MemberAction.REMOVE, N_("members.remove")))
    rows = [actions, *([[_BY_ROLE[whom.role]]] if whom.role in _BY_ROLE else [])]
    keyboard = [
        [
            InlineKeyboardButton(t(label), callback_data=buttons.member_action(action, named))
            for action, label in row
        ]
        for row in rows
    ]
    return t("members.card", **_naming(t, whom)), InlineKeyboardMarkup(keyboard)


def _offered(action: MemberAction, whom: Member) -> bool:
    """Whether `whom`'s card carries `action`: a family has no experience to set, say."""
    for_role = next((role for role, (own, _) in _BY_ROLE.items() if own is action), None)
    return for_role is None or whom.role is for_role


@buttons.press(Role.COORDINATOR)
async def show_card(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    """A member's card, as a message of its own, so the list stays where it was."""
    whom = await named_member(context, buttons.confirmation_of(match))
    if whom is None or not isinstance(query.message, Message):
        await query.answer(plain(sender.t("button.invalid")), show_alert=True)
        return
    await query.answer()
    text, keyboard = _card(sender.t, whom, member)
    await query.message.reply_text(text, reply_markup=keyboard)


@requires(Role.COORDINATOR)
async def act(update: Update, context: MentorContext, sender: Sender, member: Member) -> None:
    """A card's Remove, Data export or Erase (the two that cannot be undone ask first), and a
    family's Own mentor family or a mentor's Experience."""
    query, match, t = update.callback_query, buttons.matched(context), sender.t
    if query is None or match is None:
        return
    whom = await named_member(context, buttons.confirmation_of(match))
    action = buttons.action_of(match)
    if whom is None or not _offered(action, whom) or not isinstance(query.message, Message):
        await query.answer(plain(t("button.invalid")), show_alert=True)
        return
    await query.answer()
    if action is MemberAction.EXPORT:
        await send_export(query.message, context, t, member, whom.id)
        return
    if action is MemberAction.OWN_MENTOR:
        await matching.show_own_mentors(query.message, context, sender, whom)
        return
    if action is MemberAction.EXPERIENCE:
        await matching.show_experience(query.message, context, sender, whom)
        return
    if action is MemberAction.ERASE:
        question, keyboard = forget_question(t, whom, member)
    else:
        question, keyboard = _removal_question(t, whom)
    await query.message.reply_text(question, reply_markup=keyboard)


def _removal_question(t: Translator, whom: Member) -> tuple[str, InlineKeyboardMarkup]:
    confirm = buttons.remove(Confirmation(whom.id, whom.joined_at))
    keyboard = [
        [
            InlineKeyboardButton(t("members.remove"), callback_data=confirm),
            InlineKeyboardButton(t("forget.keep"), callback_data=buttons.remove_keep()),
        ]
    ]
    return t("remove.ask", **_naming(t, whom)), InlineKeyboardMarkup(keyboard)


@requires(Role.COORDINATOR)
async def remove(update: Update, context: MentorContext, sender: Sender, member: Member) -> None:
    """/remove asks first, as /forget does: a removal ends access and cancels shifts."""
    t = sender.t
    message = update.effective_message
    if message is None:
        return
    number = number_argument(context.args)
    if number is None:
        await message.reply_text(t("remove.usage"))
        return
    whom = await members.by_number(context.db, number)
    if whom is None:
        await message.reply_text(t("remove.not_found", number=number))
    elif whom.id == member.id:
        await message.reply_text(t("remove.self"))
    else:
        question, keyboard = _removal_question(t, whom)
        await message.reply_text(question, reply_markup=keyboard)


@requires(Role.COORDINATOR)
async def confirm_removal(
    update: Update, context: MentorContext, sender: Sender, member: Member
) -> None:
    query, match, t = update.callback_query, buttons.matched(context), sender.t
    if query is None or match is None:
        return
    confirmed = confirmation.pressed(query, buttons.confirmation_of(match), now())
    whom = None if confirmed is None else await named_member(context, confirmed)
    if whom is None:
        await confirmation.refuse(query, t)  # expired, the member gone, or not our button
        return
    removal = await members.remove(context.db, member, whom.id, now())
    departure = removal.departure
    await query.answer()
    if removal.outcome is RemoveOutcome.SELF:
        await query.edit_message_text(t("remove.self"))
        return
    if removal.outcome is RemoveOutcome.NOT_FOUND or departure is None:
        await query.edit_message_text(t("remove.not_found", number=whom.id))
        return
    removed = departure.member
    reply = t("remove.done", **_naming(t, removed))
    cancelled = departure.cancelled_shifts
    if cancelled:
        reply += "\n" + t.plural(
            "remove.shifts_cancelled", "remove.shifts_cancelled_plural", cancelled
        )
    await query.edit_message_text(reply)
    await _tell_removed(context, removed)
    await after_departure(context, departure, member)


@requires(Role.COORDINATOR)
async def keep(update: Update, context: MentorContext, sender: Sender, member: Member) -> None:
    if update.callback_query is not None:
        await confirmation.close(update.callback_query, sender.t("remove.kept"), "removal kept")


async def _tell_removed(context: MentorContext, removed: Member) -> None:
    """The removed adult learns that their access ended; they may have blocked the bot."""
    t = member_translator(context, removed)
    await best_effort(
        context.bot.send_message(removed.telegram_user_id, t("remove.notice")), "removal notice"
    )


def approval_request(
    t: Translator, member: Member, added_by: Member | None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """What the coordinators read when an adult joins a household, with Approve if needed."""
    params = {
        "number": member.id,
        "name": household_name(t, member),
        "role": role_label(t, member.role),
        "by": added_by.id if added_by else "?",
    }
    if member.approved:
        return t("partner.joined_notice", **params), None
    data = buttons.approve(Confirmation(member.id, member.joined_at))
    button = InlineKeyboardButton(t("partner.approve"), callback_data=data)
    return t("partner.approval_asked", **params), InlineKeyboardMarkup([[button]])


async def tell_coordinators_of_partner(
    context: MentorContext, member: Member, added_by: Member | None
) -> None:
    for coordinator in await members.with_role(context.db, Role.COORDINATOR):
        text, keyboard = approval_request(member_translator(context, coordinator), member, added_by)
        await best_effort(
            context.bot.send_message(coordinator.telegram_user_id, text, reply_markup=keyboard),
            "partner approval request",
        )


@requires(Role.COORDINATOR)
async def approve(update: Update, context: MentorContext, sender: Sender, member: Member) -> None:
    query, match, t = update.callback_query, buttons.matched(context), sender.t
    if query is None or match is None:
        return
    # An approval waits for a coordinator however long it takes, so it names the adult but
    # does not expire.
    pressed = buttons.confirmation_of(match)
    outcome, adult = await members.approve(
        context.db, member, pressed.number, pressed.made_at, now()
    )
    await query.answer()
    if adult is None:
        await query.edit_message_text(t("partner.approval_gone"))
        return
    msgid = _APPROVALS[outcome]
    await query.edit_message_text(t(msgid, number=adult.id, name=household_name(t, adult)))
    if outcome is ApprovalOutcome.APPROVED:
        told = member_translator(context, adult)
        await best_effort(
            context.bot.send_message(adult.telegram_user_id, told(N_("partner.approved"))),
            "partner approval notice",
        )


_APPROVALS = {
    ApprovalOutcome.APPROVED: N_("partner.approval_done"),
    ApprovalOutcome.ALREADY: N_("partner.approval_already"),
}


# Data with this module's button prefixes that none of its patterns takes (handlers/buttons.py).
refuse_other_data = buttons.refuse_rest(Role.COORDINATOR)


def register(application: MentorApplication) -> None:
    application.add_handler(CommandHandler("members", list_members))
    application.add_handler(CommandHandler("remove", remove))
    for pattern, handler in (
        (buttons.APPROVE, approve),
        (buttons.MEMBER_PAGE, turn_page),
        (buttons.MEMBER_CARD, show_card),
        (buttons.MEMBER_ACTION, act),
        (buttons.REMOVE, confirm_removal),
        (buttons.REMOVE_KEEP, keep),
    ):
        application.add_handler(CallbackQueryHandler(handler, pattern=pattern))
    for pattern in (buttons.APPROVE, buttons.MEMBER_CARD, buttons.REMOVE):
        rest = buttons.rest(pattern)
        application.add_handler(CallbackQueryHandler(refuse_other_data, pattern=rest))
