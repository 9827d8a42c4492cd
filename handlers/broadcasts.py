"""/broadcast, a guided conversation; /broadcasts, the list; /newsletter on|off for members.

Composing is a short conversation: the content, the audience, the events it carries a Sign up
button for (asked only when there are open events its recipients may join), now or a local
time, then a preview sent exactly as recipients will see it, buttons and all, with Confirm and
Cancel. Only a confirmed
broadcast reaches the database; a draft abandoned halfway (or lost to a restart) sent nothing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import broadcasts, paging
from bot.broadcasts import ContentProblem, Draft, StatusMessage
from bot.i18n import N_, Translator, plain
from bot.paging import Page
from bot.rota import NonexistentLocalTime, local_moment
from handlers import buttons, confirmation
from handlers.arguments import Word, parse_word
from handlers.buttons import Match
from handlers.clock import now
from handlers.common import (
    HOUSEHOLD_ROLES,
    MentorApplication,
    MentorContext,
    Sender,
    identify,
    number_argument,
    reply_lines,
    requires,
)
from handlers.guided import abandon, conversation_data, guided_conversation
from handlers.outbox import send_content, signup_keyboard
from handlers.shift_booking_text import plain_button, turning_row, with_page_line
from handlers.telegram_errors import best_effort, unless_unchanged
from storage.models import (
    Audience,
    Broadcast,
    BroadcastState,
    DeliveryState,
    Event,
    EventButton,
    Kind,
    Member,
    Role,
)

CONTENT, AUDIENCE, EVENTS, WHEN, TIME, CONFIRM = range(6)
ATTACHABLE = "attachable"  # the events offered to attach: number -> event
ATTACHED = "attached"  # the numbers chosen, in the order pressed
CONFIRMING = "confirming"  # the message id of the preview's Send and Cancel buttons
TIMEOUT_SECONDS = 30 * 60
EVENT_LABEL_TITLE = 32  # characters of an event's title on a button
EVENTS_PER_PAGE = 20  # events to attach, one a row, as many as a phone shows at once
DOCUMENT_TYPES = (
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.oasis.opendocument.text",
    "image/jpeg",
    "image/png",
)
_PROBLEMS = {
    ContentProblem.EMPTY: N_("broadcast.empty"),
    ContentProblem.TEXT_TOO_LONG: N_("broadcast.text_too_long"),
    ContentProblem.CAPTION_TOO_LONG: N_("broadcast.caption_too_long"),
    ContentProblem.UNSUPPORTED: N_("broadcast.unsupported"),
    ContentProblem.IN_PAST: N_("broadcast.in_past"),
}
_AUDIENCES = {
    Audience.FAMILIES: N_("broadcast.to_families"),
    Audience.MENTORS: N_("broadcast.to_mentors"),
    Audience.EVERYONE: N_("broadcast.to_everyone"),
}
_STATES = {
    BroadcastState.SCHEDULED: N_("broadcasts.scheduled"),
    BroadcastState.SENDING: N_("broadcasts.sending"),
    BroadcastState.DONE: N_("broadcasts.done"),
    BroadcastState.CANCELLED: N_("broadcasts.cancelled"),
}


def _buttons(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows]
    )


async def begin(update: Update, context: MentorContext) -> int:
    message = update.effective_message
    sender = await identify(update, context)
    if message is None:
        return ConversationHandler.END
    if sender.member is None or sender.member.role is not Role.COORDINATOR:
        await message.reply_text(sender.t("access.wrong_role"))
        return ConversationHandler.END
    await message.reply_text(sender.t("broadcast.ask_content"))
    return CONTENT


def _draft(message: Message) -> tuple[Draft, int] | None:
    """The content of a message as a draft, with its length as Telegram counts it."""
    if message.text is not None:
        return Draft(Kind.TEXT, message.text_html), len(message.text)
    caption = message.caption_html if message.caption else None
    length = len(message.caption or "")
    if message.photo:
        return Draft(Kind.PHOTO, caption, message.photo[-1].file_id), length
    document = message.document
    if document is not None and document.mime_type in DOCUMENT_TYPES:
        return Draft(Kind.DOCUMENT, caption, document.file_id), length
    return None


async def content(update: Update, context: MentorContext) -> int:
    message = update.effective_message
    sender = await identify(update, context)
    if message is None:
        return CONTENT
    t = sender.t
    drafted = _draft(message)
    problem = ContentProblem.UNSUPPORTED if drafted is None else broadcasts.check_draft(*drafted)
    if drafted is None or problem is not None:
        length = drafted[1] if drafted else 0
        await message.reply_text(t(_PROBLEMS[problem or ContentProblem.UNSUPPORTED], length=length))
        return CONTENT
    conversation_data(context)["draft"] = drafted[0]
    await message.reply_text(
        t("broadcast.ask_audience"),
        reply_markup=_buttons(
            [
                [(t(_AUDIENCES[audience]), buttons.broadcast_audience(audience))]
                for audience in Audience
            ]
        ),
    )
    return AUDIENCE


async def audience(update: Update, context: MentorContext) -> int:
    query, match = update.callback_query, buttons.matched(context)
    sender = await identify(update, context)
    if query is None or match is None:
        return AUDIENCE
    t, data = sender.t, conversation_data(context)
    chosen = data["audience"] = buttons.audience_of(match)
    await query.answer()
    listings = await broadcasts.attachable_events(context.db, chosen, now())
    if not listings:
        return await _ask_when(query, t)
    data[ATTACHABLE] = {listing.event.id: listing.event for listing in listings}
    data[ATTACHED] = []
    await _ask_events(query, context, t, 0)
    return EVENTS


async def _ask_events(
    query: CallbackQuery, context: MentorContext, t: Translator, number: int
) -> None:
    """A page of the events to attach, with the page's number above it."""
    data = conversation_data(context)
    offered, attached = list(data.get(ATTACHABLE, {}).values()), data.get(ATTACHED, [])
    shown = paging.page(offered, number, EVENTS_PER_PAGE)
    await unless_unchanged(
        query.edit_message_text(
            with_page_line(t, t("broadcast.ask_events"), shown),
            reply_markup=events_keyboard(t, shown, attached, context.config.timezone),
        )
    )


async def _ask_when(query: CallbackQuery, t: Translator) -> int:
    now_or_later = [
        (t("broadcast.now"), buttons.broadcast_when("now")),
        (t("broadcast.later"), buttons.broadcast_when("later")),
    ]
    await query.edit_message_text(t("broadcast.ask_when"), reply_markup=_buttons([now_or_later]))
    return WHEN


def event_label(t: Translator, event: Event, tz: ZoneInfo) -> str:
    """An event as a button names it: its day and title, shortened to fit a phone's width."""
    title = event.details.title
    if len(title) > EVENT_LABEL_TITLE:
        title = title[: EVENT_LABEL_TITLE - 1] + "\u2026"
    return plain(
        t(
            "broadcast.event_label",
            day=t.day(event.details.starts_at.astimezone(tz).date()),
            title=title,
        )
    )


def events_keyboard(
    t: Translator, shown: Page[Event], attached: list[int], tz: ZoneInfo
) -> InlineKeyboardMarkup:
    """A button per event of the page to attach or take off (ticked when attached), Back and
    More, then Continue: a year's catalogue is more than a keyboard holds."""
    rows = [
        [
            InlineKeyboardButton(
                ("\u2705 " if event.id in attached else "") + event_label(t, event, tz),
                callback_data=buttons.broadcast_event(event.id),
            )
        ]
        for event in shown.items
    ]
    turning = turning_row(t, shown, buttons.broadcast_events_page)
    done = plain_button(t("broadcast.events_done"), buttons.broadcast_events_done())
    return InlineKeyboardMarkup([*rows, *([turning] if turning else []), [done]])


def signup_buttons(t: Translator, events: list[Event], tz: ZoneInfo) -> tuple[EventButton, ...]:
    """The Sign up buttons under the newsletter, in the coordinator's language: the preview
    shows them, and the confirmed broadcast keeps them as shown (storage/broadcasts.py)."""
    return tuple(
        EventButton(
            event.id,
            plain(t("broadcast.signup_button", event=event_label(t, event, tz))),
            buttons.signup(event.id),
            event.details.audience,
        )
        for event in events
    )


async def toggle_event(update: Update, context: MentorContext) -> int:
    query, match = update.callback_query, buttons.matched(context)
    sender = await identify(update, context)
    if query is None or match is None:
        return EVENTS
    data = conversation_data(context)
    offered, attached = data.get(ATTACHABLE, {}), data.get(ATTACHED, [])
    event_id = buttons.attached_event_of(match)
    if event_id not in offered:  # an earlier draft's button, or forged
        await query.answer(plain(sender.t("button.invalid")))
        return EVENTS
    await query.answer()
    if event_id in attached:
        attached.remove(event_id)
    else:
        attached.append(event_id)
    # The page that holds the event pressed, as it was.
    number = paging.page_holding(list(offered).index(event_id), EVENTS_PER_PAGE)
    shown = paging.page(list(offered.values()), number, EVENTS_PER_PAGE)
    keyboard = events_keyboard(sender.t, shown, attached, context.config.timezone)
    await unless_unchanged(query.edit_message_reply_markup(keyboard))
    return EVENTS


async def turn_events_page(update: Update, context: MentorContext) -> int:
    """Back or More under the events to attach."""
    query, match = update.callback_query, buttons.matched(context)
    sender = await identify(update, context)
    if query is None or match is None:
        return EVENTS
    await query.answer()
    await _ask_events(query, context, sender.t, buttons.page_of(match))
    return EVENTS


async def events_chosen(update: Update, context: MentorContext) -> int:
    query = update.callback_query
    sender = await identify(update, context)
    data = conversation_data(context)
    draft = data.get("draft")
    if query is None or not isinstance(draft, Draft):
        return ConversationHandler.END
    await query.answer()
    offered = data.pop(ATTACHABLE, {})
    chosen = [offered[event_id] for event_id in data.pop(ATTACHED, [])]
    data["draft"] = replace(draft, events=signup_buttons(sender.t, chosen, context.config.timezone))
    return await _ask_when(query, sender.t)


async def not_an_event(update: Update, context: MentorContext) -> int:
    """Another step's button, or data not ours, while the events are chosen: nothing happens."""
    return await _refuse_press(update, context, EVENTS)


async def not_an_audience(update: Update, context: MentorContext) -> int:
    """Another step's button (an earlier draft's), or data not ours, while the audience is asked."""
    return await _refuse_press(update, context, AUDIENCE)


async def _refuse_press(update: Update, context: MentorContext, step: int) -> int:
    """A press that is not this step's: one line on the button, and the step stays."""
    sender = await identify(update, context)
    if update.callback_query is not None:
        await update.callback_query.answer(plain(sender.t("button.invalid")))
    return step


async def when(update: Update, context: MentorContext) -> int:
    query, match = update.callback_query, buttons.matched(context)
    sender = await identify(update, context)
    if query is None or match is None:
        return WHEN
    await query.answer()
    if buttons.later_of(match):
        await query.edit_message_text(sender.t("broadcast.ask_time"))
        return TIME
    conversation_data(context)["send_at"] = None
    return await _preview(update, context, sender)


async def not_when(update: Update, context: MentorContext) -> int:
    """Another step's button, or data not ours, while now or later is asked: nothing happens."""
    await identify(update, context)
    if update.callback_query is not None:
        await update.callback_query.answer()
    return WHEN


async def time_of_day(update: Update, context: MentorContext) -> int:
    message = update.effective_message
    sender = await identify(update, context)
    if message is None or message.text is None:
        return TIME
    tz = context.config.timezone
    try:
        typed = datetime.strptime(message.text.strip(), "%Y-%m-%d %H:%M")
        send_at = local_moment(typed.date(), typed.time(), tz)
    except NonexistentLocalTime as skipped:  # 02:30 on the last Sunday of March
        skipped_at = f"{skipped.moment:%Y-%m-%d %H:%M}"
        await message.reply_text(sender.t("shift.nonexistent_time", value=skipped_at))
        return TIME
    except ValueError:
        await message.reply_text(sender.t("broadcast.bad_time"))
        return TIME
    if send_at <= now():
        await message.reply_text(sender.t(_PROBLEMS[ContentProblem.IN_PAST]))
        return TIME
    conversation_data(context)["send_at"] = send_at
    return await _preview(update, context, sender)


async def _preview(update: Update, context: MentorContext, sender: Sender) -> int:
    chat = update.effective_chat
    data = conversation_data(context)
    draft, chosen = data.get("draft"), data.get("audience")
    if chat is None or not isinstance(draft, Draft) or not isinstance(chosen, Audience):
        return ConversationHandler.END
    t, tz = sender.t, context.config.timezone
    send_at = data.get("send_at")
    count = await broadcasts.count_recipients(context.db, chosen)
    await context.bot.send_message(chat.id, t("broadcast.preview_follows"))
    await send_content(context.bot, chat.id, draft, signup_keyboard(draft.events))
    moment = t.moment(send_at, tz) if isinstance(send_at, datetime) else t("broadcast.now")
    question = await context.bot.send_message(
        chat.id,
        t.plural(
            "broadcast.confirm",
            "broadcast.confirm_plural",
            count,
            audience=t(_AUDIENCES[chosen]),
            when=moment,
        ),
        reply_markup=_buttons(
            [
                [
                    (t("broadcast.send"), buttons.broadcast_send(True)),
                    (t("broadcast.cancel"), buttons.broadcast_send(False)),
                ]
            ]
        ),
    )
    data[CONFIRMING] = question.message_id
    return CONFIRM


async def confirm(update: Update, context: MentorContext) -> int:
    match = buttons.matched(context)
    return await _decide(update, context, match is not None and buttons.send_of(match))


async def not_confirm(update: Update, context: MentorContext) -> int:
    """Any other data under the preview cancels, as Cancel does; elsewhere it is stale."""
    return await _decide(update, context, False)


async def _decide(update: Update, context: MentorContext, send: bool) -> int:
    query = update.callback_query
    sender = await identify(update, context)
    member = sender.member
    if query is None or member is None or member.role is not Role.COORDINATOR:
        return ConversationHandler.END
    t = sender.t
    data = conversation_data(context)
    if not isinstance(query.message, Message) or query.message.message_id != data.get(CONFIRMING):
        # The buttons under an earlier draft's preview (abandoned with /cancel, or timed out)
        # would send or cancel this draft, which is not the one above them.
        await confirmation.refuse(query, t)
        return CONFIRM
    await query.answer()
    if not send:
        await query.edit_message_text(t("broadcast.cancelled"))
        data.clear()
        return ConversationHandler.END
    draft, chosen, send_at = data.get("draft"), data.get("audience"), data.get("send_at")
    data.clear()
    if not isinstance(draft, Draft) or not isinstance(chosen, Audience):
        return ConversationHandler.END
    moment = send_at if isinstance(send_at, datetime) else None
    status = StatusMessage(query.message.chat_id, query.message.message_id)
    result = await broadcasts.submit(
        context.db, member, draft, chosen, send_at=moment, now=now(), status=status
    )
    if isinstance(result, ContentProblem):
        await query.edit_message_text(t(_PROBLEMS[result]))
        return ConversationHandler.END
    context.outbox.wake()  # before anything else is sent: the broadcast goes out however that goes
    await _started(context, query.message, t, result)
    return ConversationHandler.END


async def _started(
    context: MentorContext, status: Message, t: Translator, broadcast: Broadcast
) -> None:
    """The confirmation becomes the status message the outbox keeps up to date. It was
    written with the broadcast (`StatusMessage`), so the coordinator's report of the deliveries,
    a message of its own, comes whatever becomes of this edit, and however late it lands."""
    if broadcast.state is BroadcastState.SCHEDULED:
        tz = context.config.timezone
        edit = status.edit_text(
            t("broadcast.scheduled", number=broadcast.id, when=t.moment(broadcast.send_at, tz)),
            reply_markup=_cancel_buttons(t, [broadcast]),
        )
    else:
        edit = status.edit_text(t("broadcast.sending", number=broadcast.id))
    await best_effort(edit, "broadcast confirmation edit")


async def cancel_conversation(update: Update, context: MentorContext) -> int:
    return await abandon(update, context, N_("broadcast.cancelled"))


@requires(Role.COORDINATOR)
async def list_broadcasts(
    update: Update, context: MentorContext, sender: Sender, member: Member
) -> None:
    t, tz = sender.t, context.config.timezone
    args = context.args or []
    if args and parse_word(args[0], [Word.CANCEL]):
        number = number_argument(args[1:])
        done = number is not None and await broadcasts.cancel(context.db, number, member, now())
        key = N_("broadcasts.cancel_done") if done else N_("broadcasts.cancel_refused")
        await reply_lines(update, [t(key, number=number if number is not None else "")])
        return
    found = await broadcasts.recent(context.db)
    if not found:
        await reply_lines(update, [t("broadcasts.none")])
        return
    lines = [t("broadcasts.header")]
    for item in found:
        counts = item.counts
        lines.append(
            t(
                "broadcasts.line",
                number=item.broadcast.id,
                when=t.moment(item.broadcast.send_at, tz),
                audience=t(_AUDIENCES[item.broadcast.audience]),
                state=t(_STATES[item.broadcast.state]),
                sent=counts.get(DeliveryState.SENT, 0),
                total=item.total,
            )
        )
    scheduled = [
        item.broadcast for item in found if item.broadcast.state is BroadcastState.SCHEDULED
    ]
    await reply_lines(update, lines, _cancel_buttons(t, scheduled))


def _cancel_buttons(t: Translator, scheduled: list[Broadcast]) -> InlineKeyboardMarkup | None:
    """A Cancel button for each broadcast that has not begun: the outbox's first progress
    edit of the status message takes its button away."""
    if not scheduled:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t("broadcasts.cancel_button", number=broadcast.id),
                    callback_data=buttons.cancel_broadcast(broadcast.id),
                )
            ]
            for broadcast in scheduled
        ]
    )


@buttons.press(Role.COORDINATOR)
async def cancel_scheduled(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    number = buttons.broadcast_of(match)
    done = await broadcasts.cancel(context.db, number, member, now())
    key = N_("broadcasts.cancel_done") if done else N_("broadcasts.cancel_refused")
    await query.answer(plain(sender.t(key, number=number)), show_alert=True)
    if isinstance(query.message, Message) and query.message.reply_markup is not None:
        rows = [
            [button for button in row if button.callback_data != query.data]
            for row in query.message.reply_markup.inline_keyboard
        ]
        remaining = [row for row in rows if row]
        await best_effort(
            query.edit_message_reply_markup(InlineKeyboardMarkup(remaining) if remaining else None),
            "cancelled broadcast's button",
        )


@requires(*HOUSEHOLD_ROLES)
async def newsletter(
    update: Update, context: MentorContext, sender: Sender, member: Member
) -> None:
    args = context.args or []
    word = parse_word(args[0], [Word.ON, Word.OFF]) if len(args) == 1 else None
    if word is None:
        await reply_lines(update, [sender.t("newsletter.usage")])
        return
    wanted = word is Word.ON
    await broadcasts.set_newsletter(context.db, member, wanted)
    await reply_lines(update, [sender.t(N_("newsletter.on") if wanted else N_("newsletter.off"))])


refuse_other_cancel = buttons.refuse_rest(Role.COORDINATOR)


def register(application: MentorApplication) -> None:
    text = filters.TEXT & ~filters.COMMAND
    other = buttons.rest(buttons.BROADCAST_AUDIENCE)  # any data of /broadcast's buttons
    composing = guided_conversation(
        entry_points=[CommandHandler("broadcast", begin)],
        states={
            CONTENT: [MessageHandler(~filters.COMMAND, content)],
            AUDIENCE: [
                CallbackQueryHandler(audience, pattern=buttons.BROADCAST_AUDIENCE),
                CallbackQueryHandler(not_an_audience, pattern=other),
            ],
            EVENTS: [
                CallbackQueryHandler(toggle_event, pattern=buttons.BROADCAST_EVENT),
                CallbackQueryHandler(events_chosen, pattern=buttons.BROADCAST_EVENTS_DONE),
                CallbackQueryHandler(turn_events_page, pattern=buttons.BROADCAST_EVENTS_PAGE),
                CallbackQueryHandler(not_an_event, pattern=other),
            ],
            WHEN: [
                CallbackQueryHandler(when, pattern=buttons.BROADCAST_WHEN),
                CallbackQueryHandler(not_when, pattern=other),
            ],
            TIME: [MessageHandler(text, time_of_day)],
            CONFIRM: [
                CallbackQueryHandler(confirm, pattern=buttons.BROADCAST_SEND),
                CallbackQueryHandler(not_confirm, pattern=other),
            ],
        },
        fallbacks=[CommandHandler("cancel", cancel_conversation)],
        timeout_seconds=TIMEOUT_SECONDS,
    )
    application.add_handler(composing)
    application.add_handler(CommandHandler("broadcasts", list_broadcasts))
    application.add_handler(
        CallbackQueryHandler(cancel_scheduled, pattern=buttons.CANCEL_BROADCAST)
    )
    other = buttons.rest(buttons.CANCEL_BROADCAST)
    application.add_handler(CallbackQueryHandler(refuse_other_cancel, pattern=other))
    application.add_handler(CommandHandler("newsletter", newsletter))
