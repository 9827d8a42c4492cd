"""Matching in the chat: a family says what its question is about; coordinators link families
to their own mentor households (/link, /unlink, or a family card's Own mentor family) and set
mentor households' experience (/experience or a mentor card's Experience, with toggles)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import members, mentor_links, routing
from bot.i18n import N_, Translator, plain
from bot.mentor_links import Linked, LinkProblem
from bot.routing import TopicProblem
from handlers import buttons
from handlers.buttons import Match
from handlers.clock import now
from handlers.common import (
    MentorApplication,
    MentorContext,
    Sender,
    number_argument,
    parse_number,
    requires,
)
from handlers.confirmation import named_member
from handlers.matching_text import (
    LINK_PROBLEMS,
    experience_card,
    experience_label,
    experience_tags,
    link_outcome,
    own_mentor_choice,
)
from handlers.notices import tell
from handlers.offers import send_offers
from handlers.telegram_errors import best_effort
from storage.models import Member, Role

_TOPIC_PROBLEMS = {
    TopicProblem.GONE: N_("request.topic_gone"),
    TopicProblem.CHOSEN: N_("request.topic_chosen_already"),
    TopicProblem.TOO_LATE: N_("request.topic_too_late"),
}


@buttons.press(Role.FAMILY)
async def choose_topic(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    """The family's topic (or "to everyone now"): who is asked is decided again at once."""
    t, config = sender.t, context.config
    tag = buttons.about_tag_of(match)
    if tag is not None and tag not in experience_tags(config):
        await query.answer(plain(t("button.invalid")), show_alert=True)
        return
    request_id = buttons.request_of(match)
    topics = frozenset() if tag is None else frozenset({tag})
    chosen = await routing.choose_topics(
        context.db, member, request_id, topics, now(), rules=config.matching
    )
    if isinstance(chosen, TopicProblem):
        await query.answer(plain(t(_TOPIC_PROBLEMS[chosen])), show_alert=True)
        return
    await query.answer()
    told = (
        t("request.topic_everyone_chosen", number=request_id)
        if tag is None
        else t("request.topic_chosen", number=request_id, topic=experience_label(t, config, tag))
    )
    await best_effort(query.edit_message_text(told), "topic choice edit")
    if chosen.offer_to:
        await send_offers(context, chosen)


def _two_numbers(args: list[str] | None) -> tuple[int, int] | None:
    numbers = [parse_number(arg.removeprefix("#")) for arg in args or []]
    if len(numbers) != 2 or None in numbers:
        return None
    family, mentor = numbers
    assert family is not None and mentor is not None
    return family, mentor


Say = Callable[[str], Awaitable[object]]
"""Where a coordinator reads an outcome: a reply to /link, or the edit of the pressed choice."""


@requires(Role.COORDINATOR)
async def link(update: Update, context: MentorContext, sender: Sender, member: Member) -> None:
    """/link FAMILY MENTOR, the numbers of /members (any adult of each household)."""
    message, t = update.effective_message, sender.t
    if message is None:
        return
    numbers = _two_numbers(context.args)
    if numbers is None:
        await message.reply_text(t("link.usage"))
        return
    await _link(context, t, member, *numbers, say=message.reply_text)


async def _link(
    context: MentorContext,
    t: Translator,
    coordinator: Member,
    family_number: int,
    mentor_number: int,
    *,
    say: Say,
) -> None:
    """/link and a family card's choice alike: the link, the coordinator's line, and then both
    households told (never for a link refused)."""
    limit = context.config.families_per_mentor
    linked = await mentor_links.link(
        context.db, coordinator, family_number, mentor_number, limit, now()
    )
    await say(link_outcome(t, limit, linked))
    if isinstance(linked, Linked):
        await _tell_linked(context, linked)


async def _tell_linked(context: MentorContext, linked: Linked) -> None:
    """Both households hear of it: the family whom its questions go to first, the mentor
    household whose questions it will see first."""
    family = await members.household_members(context.db, linked.family.id)
    mentors = await members.household_members(context.db, linked.mentor.id)
    await tell(context, family, N_("link.told_family"), mentor=linked.mentor.display_name or "")
    await tell(context, mentors, N_("link.told_mentor"), family=linked.family.display_name or "")


@requires(Role.COORDINATOR)
async def unlink(update: Update, context: MentorContext, sender: Sender, member: Member) -> None:
    """/unlink FAMILY: the family's questions go to everyone on duty again."""
    message, t = update.effective_message, sender.t
    if message is None:
        return
    number = number_argument(context.args)
    if number is None:
        await message.reply_text(t("unlink.usage"))
        return
    await _unlink(context, t, member, number, say=message.reply_text)


async def _unlink(
    context: MentorContext, t: Translator, coordinator: Member, family_number: int, *, say: Say
) -> None:
    """/unlink and a family card's No own mentor family alike."""
    ended = await mentor_links.unlink(context.db, coordinator, family_number, now())
    if isinstance(ended, LinkProblem):
        await say(t(LINK_PROBLEMS[ended], limit=context.config.families_per_mentor))
    elif ended is None:
        await say(t("unlink.none"))
    else:
        await say(t("unlink.done", mentor=ended.display_name or ""))


async def show_own_mentors(
    message: Message, context: MentorContext, sender: Sender, family: Member
) -> None:
    """A family card's Own mentor family: the mentor households to choose from."""
    text, keyboard = await _own_mentor_choice(context, sender, family, 0)
    await message.reply_text(text, reply_markup=keyboard)


async def _own_mentor_choice(
    context: MentorContext, sender: Sender, family: Member, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    current = await mentor_links.own_mentor_of(context.db, family)
    mentors = await mentor_links.mentor_households(context.db)
    return own_mentor_choice(sender.t, family, current, mentors, page)


async def _card_family(context: MentorContext, match: Match) -> Member | None:
    """The family the pressed choice was made for, if it still is that family."""
    whom = await named_member(context, buttons.confirmation_of(match))
    return whom if whom is not None and whom.role is Role.FAMILY else None


async def _pressed_family(
    query: CallbackQuery, context: MentorContext, sender: Sender, match: Match
) -> Member | None:
    """The card's family, the press answered: with one line if it is no longer that family."""
    family = await _card_family(context, match)
    if family is None:
        await query.answer(plain(sender.t("button.invalid")), show_alert=True)
    else:
        await query.answer()
    return family


@buttons.press(Role.COORDINATOR)
async def turn_own_mentor_page(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    family = await _pressed_family(query, context, sender, match)
    if family is None:
        return
    text, keyboard = await _own_mentor_choice(context, sender, family, buttons.page_of(match))
    await best_effort(query.edit_message_text(text, reply_markup=keyboard), "own mentor page")


@buttons.press(Role.COORDINATOR)
async def choose_own_mentor(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    """A mentor household pressed: the family is linked to it as /link does."""
    family = await _card_family(context, match)
    mentor = await _mentor(context, buttons.mentor_of(match))
    if family is None or mentor is None:
        await query.answer(plain(sender.t("button.invalid")), show_alert=True)
        return
    await query.answer()
    await _link(context, sender.t, member, family.id, mentor.id, say=_edit_to(query))


@buttons.press(Role.COORDINATOR)
async def no_own_mentor(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    family = await _pressed_family(query, context, sender, match)
    if family is None:
        return
    await _unlink(context, sender.t, member, family.id, say=_edit_to(query))


def _edit_to(query: CallbackQuery) -> Say:
    """The choice's message becomes the outcome line; its buttons go."""

    async def edit(line: str) -> None:
        await best_effort(query.edit_message_text(line), "own mentor edit")

    return edit


@requires(Role.COORDINATOR)
async def experience(
    update: Update, context: MentorContext, sender: Sender, member: Member
) -> None:
    """/experience MEMBER: a mentor household's experience, as toggles."""
    message, t = update.effective_message, sender.t
    if message is None:
        return
    number = parse_number(context.args[0].removeprefix("#")) if context.args else None
    whom = None if number is None else await _mentor(context, number)
    if whom is None:
        await message.reply_text(t("experience.usage"))
        return
    await show_experience(message, context, sender, whom)


async def _mentor(context: MentorContext, number: int) -> Member | None:
    whom = await members.by_number(context.db, number)
    return whom if whom is not None and whom.role is Role.MENTOR else None


async def show_experience(
    message: Message, context: MentorContext, sender: Sender, whom: Member
) -> None:
    """/experience and a mentor card's Experience: the household's tags, as toggles."""
    t, config = sender.t, context.config
    tags = await mentor_links.experience_of(context.db, whom)
    text, keyboard = experience_card(t, config, whom, tags)
    await message.reply_text(text, reply_markup=keyboard)


@buttons.press(Role.COORDINATOR)
async def toggle_experience(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    t, config = sender.t, context.config
    whom = await named_member(context, buttons.confirmation_of(match))
    tag, present = buttons.tag_of(match)
    if whom is None or whom.role is not Role.MENTOR or tag not in experience_tags(config):
        await query.answer(plain(t("button.invalid")), show_alert=True)
        return
    tags = await mentor_links.set_experience(context.db, member, whom, tag, present, now())
    await query.answer()
    text, keyboard = experience_card(t, config, whom, tags)
    await best_effort(query.edit_message_text(text, reply_markup=keyboard), "experience edit")


# Data with this module's prefixes that none of its patterns takes (handlers/buttons.py).
refuse_other_topic = buttons.refuse_rest(Role.FAMILY)
refuse_other_experience = buttons.refuse_rest(Role.COORDINATOR)
refuse_other_own_mentor = buttons.refuse_rest(Role.COORDINATOR)


def register(application: MentorApplication) -> None:
    application.add_handler(CommandHandler("link", link))
    application.add_handler(CommandHandler("unlink", unlink))
    application.add_handler(CommandHandler("experience", experience))
    for callback, pattern in (
        (choose_topic, buttons.ABOUT),
        (toggle_experience, buttons.EXPERIENCE),
        (turn_own_mentor_page, buttons.OWN_MENTOR_PAGE),
        (no_own_mentor, buttons.OWN_MENTOR_NONE),
        (choose_own_mentor, buttons.OWN_MENTOR),
    ):
        application.add_handler(CallbackQueryHandler(callback, pattern=pattern))
    for refuse, pattern in (
        (refuse_other_topic, buttons.ABOUT),
        (refuse_other_experience, buttons.EXPERIENCE),
        (refuse_other_own_mentor, buttons.OWN_MENTOR),
    ):
        application.add_handler(CallbackQueryHandler(refuse, pattern=buttons.rest(pattern)))
