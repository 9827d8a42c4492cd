"""Matching in the chat: a family says what its question is about; coordinators link families
to their own mentor households (/link, /unlink) and set mentor households' experience
(/experience, with toggles)."""

from __future__ import annotations

from telegram import CallbackQuery, Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import members, mentor_links, routing
from bot.i18n import N_, plain
from bot.mentor_links import Linked, LinkProblem
from bot.routing import TopicProblem
from handlers import buttons
from handlers.buttons import Match
from handlers.clock import now
from handlers.common import (
    MentorApplication,
    MentorContext,
    Sender,
    household_name,
    parse_number,
    requires,
)
from handlers.confirmation import Confirmation
from handlers.matching_text import (
    LINK_PROBLEMS,
    experience_keyboard,
    experience_label,
    experience_list,
    experience_tags,
)
from handlers.members import named_member
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
    limit = context.config.families_per_mentor
    linked = await mentor_links.link(context.db, member, *numbers, limit, now())
    if isinstance(linked, LinkProblem):
        await message.reply_text(t(LINK_PROBLEMS[linked], limit=limit))
        return
    await message.reply_text(
        t(
            "link.done",
            family=linked.family.display_name or t("members.unnamed"),
            mentor=linked.mentor.display_name or t("members.unnamed"),
            held=linked.families_held,
            limit=limit,
        )
    )
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
    number = parse_number((context.args or [""])[0].removeprefix("#")) if context.args else None
    if number is None or len(context.args or []) != 1:
        await message.reply_text(t("unlink.usage"))
        return
    ended = await mentor_links.unlink(context.db, member, number, now())
    if isinstance(ended, LinkProblem):
        await message.reply_text(t(LINK_PROBLEMS[ended], limit=context.config.families_per_mentor))
    elif ended is None:
        await message.reply_text(t("unlink.none"))
    else:
        await message.reply_text(t("unlink.done", mentor=ended.display_name or ""))


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
    await _show_experience(message, context, sender, whom)


async def _mentor(context: MentorContext, number: int) -> Member | None:
    whom = await members.by_number(context.db, number)
    return whom if whom is not None and whom.role is Role.MENTOR else None


async def _show_experience(
    message: Message, context: MentorContext, sender: Sender, whom: Member
) -> None:
    t, config = sender.t, context.config
    tags = await mentor_links.experience_of(context.db, whom)
    text = t("experience.card", name=household_name(t, whom), tags=experience_list(t, config, tags))
    keyboard = experience_keyboard(t, config, Confirmation(whom.id, whom.joined_at), tags)
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
    text = t("experience.card", name=household_name(t, whom), tags=experience_list(t, config, tags))
    keyboard = experience_keyboard(t, config, Confirmation(whom.id, whom.joined_at), tags)
    await best_effort(query.edit_message_text(text, reply_markup=keyboard), "experience edit")


# Data with this module's prefixes that none of its patterns takes (handlers/buttons.py).
refuse_other_topic = buttons.refuse_rest(Role.FAMILY)
refuse_other_experience = buttons.refuse_rest(Role.COORDINATOR)


def register(application: MentorApplication) -> None:
    application.add_handler(CommandHandler("link", link))
    application.add_handler(CommandHandler("unlink", unlink))
    application.add_handler(CommandHandler("experience", experience))
    for callback, pattern, refuse in (
        (choose_topic, buttons.ABOUT, refuse_other_topic),
        (toggle_experience, buttons.EXPERIENCE, refuse_other_experience),
    ):
        application.add_handler(CallbackQueryHandler(callback, pattern=pattern))
        application.add_handler(CallbackQueryHandler(refuse, pattern=buttons.rest(pattern)))
