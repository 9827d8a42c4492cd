"""Conversations: where a member's plain message goes, /end, the rating and the topic.

Every new message that is not a command comes through `route_message`, the one place that
decides what it is (edits never get here: see handlers/gate.py). First the one content check
(bot/message_content.py): a message with an identity number, a location or a contact card, or
a kind that cannot be carried over is not stored or passed on, on either side. Then it is a
comment on a rating or a note on a topic (a reply to the bot's thanks), a family's message (a
question, or a message in its conversation), a course catalogue's file (handlers/catalogue.py,
which only coordinators may send), a coordinator's rota file, or a mentor's answer.

A mentor's answer goes only where it is meant to: to the conversation it replies to, else to
their only one; with several, the bot asks "to which family?" with a button each and keeps the
message (where it is, not what it says) until the press. Keeping that decision in one function
keeps the order of the rules readable.
"""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot import routing
from bot.i18n import N_, Html, Translator, plain
from bot.message_content import Checked, check
from bot.routing import TOPIC_LABELS, AddressProblem, Ambiguous, Ended, RoutingProblem
from handlers import buttons
from handlers.buttons import Match
from handlers.catalogue import take_document
from handlers.clock import now
from handlers.common import (
    ANY_MEMBER,
    MentorApplication,
    MentorContext,
    Sender,
    identify,
    member_translator,
    number_argument,
    requires,
)
from handlers.content import read_content, refusal
from handlers.debriefs import offer_debrief
from handlers.offers import offer_to_mentors_on_duty
from handlers.relay import (
    Deliver,
    gather_album,
    label,
    message_to_mentor,
    messages_to_mentor,
    to_family,
)
from handlers.requests import raise_family_alarm, take_family_message, warn_unchecked
from handlers.rota_planning import import_document, is_rota_file
from handlers.telegram_errors import best_effort
from handlers.unit_notes import take_note
from storage.models import Member, RelayPurpose, Request, Role, Side

_ADDRESS_PROBLEMS = {
    AddressProblem.ENDED: N_("relay.ended"),
    AddressProblem.NOT_YOURS: N_("relay.not_yours"),
    AddressProblem.UNKNOWN_REPLY: N_("relay.unknown_reply"),
    AddressProblem.NONE_OPEN: N_("relay.none_open"),
}


async def route_message(update: Update, context: MentorContext) -> None:
    message = update.message
    if message is None:
        return
    sender = await identify(update, context)
    member = sender.member
    if member is None:
        await message.reply_text(sender.t("fallback.stranger"))
        return
    content = read_content(message)
    checked = check(content, context.config.urgent_words)
    if not checked.passes:
        await message.reply_text(refusal(sender.t, checked.verdict))
        if checked.urgent and member.role is Role.FAMILY:
            await raise_family_alarm(context, sender, member, message, passed_on=False)
        return
    if await _comment(context, sender, message):
        return
    if await take_note(context, sender, member, message):  # a note for the social worker
        return
    if await take_document(update, context, sender, member):  # a course catalogue's file
        return
    if member.role is Role.FAMILY:
        conversation = await take_family_message(update, context, sender, member, checked)
        if conversation is not None:
            await _to_mentor(context, sender, conversation, message, checked)
        await warn_unchecked(context, sender, message, content.kind)
    elif member.role is Role.COORDINATOR and is_rota_file(message.document):
        await import_document(update, context)
    else:
        await _from_mentor(update, context, sender, member, message)


async def _comment(context: MentorContext, sender: Sender, message: Message) -> bool:
    """A reply to the thanks for a rating or a topic adds the comment or the note."""
    replied = message.reply_to_message
    if replied is None or message.text is None:
        return False
    found = await routing.replied_to(context.db, message.chat_id, replied.message_id)
    if found is None or found[1] is RelayPurpose.RELAY:
        return False
    await routing.add_comment(context.db, found[0].id, found[1], message.text)
    await message.reply_text(sender.t("end.comment_saved"))
    return True


async def _to_mentor(
    context: MentorContext, sender: Sender, request: Request, message: Message, checked: Checked
) -> None:
    """A family's message in its conversation; words of danger raise the alarm on the way."""
    db, urgent = context.db, checked.urgent
    if urgent and sender.member is not None:
        await raise_family_alarm(context, sender, sender.member, message, passed_on=True)

    async def deliver(sources: list[tuple[int, int]]) -> None:
        # Read again at delivery: an album waits a moment, and the conversation may have ended
        # or been taken over by a mentor on duty meanwhile. After the hand-over, if one is on.
        async with context.bot_data.conversation_turns.hold(request.id):
            found = await routing.open_conversation(db, request.id)
            delivered = False
            if found is not None and found.mentor is not None:
                current, mentor = found.request, found.mentor
                t, chat = member_translator(context, mentor), mentor.telegram_user_id
                if len(sources) == 1 and message.media_group_id is None:
                    delivered = await message_to_mentor(context, current, chat, t, message, urgent)
                else:
                    delivered = await messages_to_mentor(context, current, chat, t, sources, urgent)
        if not delivered:
            await message.reply_text(sender.t("relay.failed"))

    await _deliver_gathered(context, message, deliver)
    if not urgent:  # its mentor may be off duty; after the copy, which handles the message
        await offer_to_mentors_on_duty(context, request)


async def _deliver_gathered(context: MentorContext, message: Message, deliver: Deliver) -> None:
    """A message goes now; an album's items go together, a moment after the first."""
    if message.media_group_id is not None:
        await gather_album(context, message, deliver)
    else:
        await deliver([(message.chat_id, message.message_id)])


def _replied_bot(context: MentorContext, message: Message) -> int | None:
    """The bot's message this one replies to; a reply to one's own message replies to nothing."""
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or replied.from_user.id != context.bot.id:
        return None
    return replied.message_id


async def _from_mentor(
    update: Update, context: MentorContext, sender: Sender, member: Member, message: Message
) -> None:
    db = context.db
    addressed = await routing.addressee(db, member, message.chat_id, _replied_bot(context, message))
    if (
        addressed is AddressProblem.NONE_OPEN
        and message.document is not None
        and (member.role is Role.COORDINATOR)
    ):
        await import_document(update, context)  # which says what a rota file must look like
    elif isinstance(addressed, AddressProblem):
        await message.reply_text(sender.t(_ADDRESS_PROBLEMS[addressed]))
    elif isinstance(addressed, Ambiguous):

        async def ask(sources: list[tuple[int, int]]) -> None:
            await _ask_which_family(context, sender, member, message, addressed, sources)

        await _deliver_gathered(context, message, ask)  # one question for a whole album
    else:
        await _to_family(context, sender, addressed, message)


async def _ask_which_family(
    context: MentorContext,
    sender: Sender,
    member: Member,
    message: Message,
    which: Ambiguous,
    sources: list[tuple[int, int]],
) -> None:
    """Several conversations and no reply to one: the message waits for the mentor's choice."""
    t = sender.t
    ids = [message_id for _, message_id in sources]
    parked = await routing.park(context.db, member, message.chat_id, ids, now())
    rows = [
        # A button's text is plain text, not HTML: the label is unescaped for it.
        [
            InlineKeyboardButton(
                plain(label(t, request)),
                callback_data=buttons.address(parked, request.id),
            )
        ]
        for request in which.choices
    ]
    await message.reply_text(t("relay.which_family"), reply_markup=InlineKeyboardMarkup(rows))


async def _to_family(
    context: MentorContext, sender: Sender, request: Request, message: Message
) -> None:
    db = context.db

    async def deliver(sources: list[tuple[int, int]]) -> None:
        current = await routing.open_conversation(db, request.id)
        if current is None or current.request.mentor_member_id != request.mentor_member_id:
            await message.reply_text(sender.t("relay.ended"))  # while an album was gathered
            return
        chats = [adult.telegram_user_id for adult in current.family]
        if not await to_family(context, current.request, chats, sources):
            await message.reply_text(sender.t("relay.failed"))

    await _deliver_gathered(context, message, deliver)


@buttons.press(Role.MENTOR, Role.COORDINATOR)
async def address(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    """The mentor picked the family their message is for."""
    parked_id, chosen = buttons.parked_of(match), buttons.request_of(match)
    found = await routing.address_parked(context.db, member, parked_id, chosen)
    if isinstance(found, AddressProblem):
        await query.answer(plain(sender.t(_ADDRESS_PROBLEMS[found])), show_alert=True)
        return
    if isinstance(found, RoutingProblem):
        await query.answer(plain(sender.t("button.invalid")))
        return
    request, sources = found
    family, _ = await routing.counterpart(context.db, request)
    chats = [adult.telegram_user_id for adult in family]
    delivered = await to_family(context, request, chats, sources)
    await query.answer()
    done = sender.t("relay.sent_to", label=Html(label(sender.t, request)))
    await best_effort(
        query.edit_message_text(done if delivered else sender.t("relay.failed")),
        "chosen family edit",
    )
    if isinstance(query.message, Message):  # a reply to "sent to" goes to that family too
        chat, shown = query.message.chat_id, query.message.message_id
        await routing.remember_relay(context.db, chat, shown, request.id)


@requires(*ANY_MEMBER)
async def end(update: Update, context: MentorContext, sender: Sender, member: Member) -> None:
    message = update.effective_message
    if message is None:
        return
    t, db = sender.t, context.db
    if member.role is Role.FAMILY:
        request = await routing.conversation_of_family(db, member)
    else:
        open_now = await routing.conversations_of(db, member)
        number = number_argument(context.args)
        if number is not None:
            request = next((found for found in open_now if found.id == number), None)
        else:
            replied = _replied_bot(context, message)
            addressed = await routing.addressee(db, member, message.chat_id, replied)
            if isinstance(addressed, Ambiguous):
                rows = [
                    [
                        InlineKeyboardButton(
                            plain(label(t, found)), callback_data=buttons.end(found.id)
                        )
                    ]
                    for found in open_now
                ]
                await message.reply_text(t("end.which"), reply_markup=InlineKeyboardMarkup(rows))
                return
            request = addressed if isinstance(addressed, Request) else None
    if request is None:
        await message.reply_text(t("end.nothing"))
        return
    side = Side.FAMILY if member.role is Role.FAMILY else Side.MENTOR
    ended = await routing.end(db, request.id, side, now())
    if ended is None:
        await message.reply_text(t("end.nothing"))
        return
    await after_end(context, ended)


@buttons.press(Role.MENTOR, Role.COORDINATOR)
async def end_chosen(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    """The conversation a mentor with several chose to end, by its button under /end."""
    chosen = buttons.request_of(match)
    open_now = await routing.conversations_of(context.db, member)
    ended = None
    if any(found.id == chosen for found in open_now):
        ended = await routing.end(context.db, chosen, Side.MENTOR, now())
    if ended is None:
        await query.answer(plain(sender.t("end.nothing")), show_alert=True)
        return
    await query.answer()
    done = sender.t("end.chosen", label=Html(label(sender.t, ended.request)))
    await best_effort(query.edit_message_text(done), "ended conversation edit")
    await after_end(context, ended)


async def after_end(context: MentorContext, ended: Ended) -> None:
    """The family is asked for a rating, the mentor for a topic and whether they want to talk
    it through (after /end, or idleness)."""
    request = ended.request
    for adult in ended.family:
        t = member_translator(context, adult)
        stars = [
            InlineKeyboardButton(str(n), callback_data=buttons.rate(request.id, n))
            for n in range(1, routing.MAX_RATING + 1)
        ]
        await best_effort(
            context.bot.send_message(
                adult.telegram_user_id,
                t("end.family", number=request.id),
                reply_markup=InlineKeyboardMarkup([stars]),
            ),
            "rating question",
        )
    if ended.mentor is not None:
        t = member_translator(context, ended.mentor)
        rows = [
            [InlineKeyboardButton(t(msgid), callback_data=buttons.topic(request.id, topic))]
            for topic, msgid in TOPIC_LABELS.items()
        ]
        chat = ended.mentor.telegram_user_id
        asked = await best_effort(
            context.bot.send_message(
                chat, t("end.mentor", number=request.id), reply_markup=InlineKeyboardMarkup(rows)
            ),
            "topic question",
        )
        if asked is not None:
            # A reply to it is about this conversation, which has ended: it goes nowhere.
            await routing.remember_relay(context.db, chat, asked.message_id, request.id)
        await offer_debrief(context, ended)


@buttons.press(Role.FAMILY)
async def rate(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    request_id, rating = buttons.request_of(match), buttons.rating_of(match)
    if not await routing.rate(context.db, member, request_id, rating):
        await query.answer(plain(sender.t("button.invalid")))
        return
    thanks = N_("end.rated")
    await _thank(
        context, sender.t, query.message, request_id, thanks, RelayPurpose.COMMENT, rating=rating
    )
    await query.answer()


@buttons.press(Role.MENTOR, Role.COORDINATOR)
async def file_topic(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    request_id, topic = buttons.request_of(match), buttons.topic_of(match)
    if not await routing.file_topic(context.db, member, request_id, topic):
        await query.answer(plain(sender.t("button.invalid")))
        return
    filed, label = N_("end.filed"), sender.t(TOPIC_LABELS[topic])
    await _thank(
        context, sender.t, query.message, request_id, filed, RelayPurpose.NOTE, topic=label
    )
    await query.answer()


async def _thank(
    context: MentorContext,
    t: Translator,
    message: object,
    request_id: int,
    msgid: str,
    purpose: RelayPurpose,
    **params: object,
) -> None:
    """Replace the buttons with thanks; a reply to the thanks becomes the comment or note."""
    if not isinstance(message, Message):
        return
    await best_effort(message.edit_text(t(msgid, number=request_id, **params)), "thanks edit")
    await routing.remember_relay(
        context.db, message.chat_id, message.message_id, request_id, purpose
    )


# Data with the rating's, the topic's or "to which family?"'s prefix that their patterns do not
# take (handlers/buttons.py).
refuse_other_rating = buttons.refuse_rest(Role.FAMILY)
refuse_other_mentor_data = buttons.refuse_rest(Role.MENTOR, Role.COORDINATOR)


def register(application: MentorApplication) -> None:
    application.add_handler(CommandHandler("end", end))
    buttons.add_presses(
        application,
        [
            (rate, buttons.RATE, refuse_other_rating),
            (file_topic, buttons.TOPIC, refuse_other_mentor_data),
            (address, buttons.ADDRESS, refuse_other_mentor_data),
            (end_chosen, buttons.END, refuse_other_mentor_data),
        ],
    )
    application.add_handler(MessageHandler(~filters.COMMAND, route_message))
