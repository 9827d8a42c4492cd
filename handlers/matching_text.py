"""How matching reads in a chat: experience labels, the family's topic buttons, the coordinator's
experience toggles, the choice of a family's own mentor household, a link's outcome, and why
offers went where they did."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import paging
from bot.config import Config
from bot.i18n import N_, Translator
from bot.matching import Experience, Reason
from bot.mentor_links import Linked, LinkProblem
from handlers import buttons
from handlers.common import household_name
from handlers.confirmation import Confirmation
from handlers.shift_booking_text import button_rows, plain_button, turning_row, with_page_line
from storage.models import Household, Member

EXPERIENCE_LABELS = {
    Experience.SMALL_CHILDREN: N_("experience.small_children"),
    Experience.TEENAGERS: N_("experience.teenagers"),
    Experience.KINSHIP_CARE: N_("experience.kinship_care"),
    Experience.UNACCOMPANIED_MINORS: N_("experience.unaccompanied"),
    Experience.SPECIAL_NEEDS: N_("experience.special_needs"),
    Experience.BIRTH_FAMILY: N_("experience.birth_family"),
    Experience.SCHOOL: N_("experience.school"),
    Experience.NEW_FAMILY: N_("experience.new_family"),
}

_REASONS = {
    Reason.OWN_MENTOR: N_("requests.reason_own_mentor"),
    Reason.EXPERIENCE: N_("requests.reason_experience"),
    Reason.EVERYONE: N_("requests.reason_everyone"),
    Reason.LOAD: N_("requests.reason_load"),
}

LINK_PROBLEMS = {
    LinkProblem.UNKNOWN_MEMBER: N_("link.unknown_member"),
    LinkProblem.NOT_FAMILY: N_("link.not_family"),
    LinkProblem.NOT_MENTOR: N_("link.not_mentor"),
    LinkProblem.FULL: N_("link.full"),
}

_PER_ROW = 2  # labels are a few words: two side by side still read on a phone
MENTORS_PER_PAGE = 20  # as /members: ten rows of two, then Back and More, then none


def experience_tags(config: Config) -> list[str]:
    """Every tag the service knows: the built-in list, then the municipality's own."""
    return [*(tag.value for tag in Experience), *(tag for tag, _ in config.extra_experience)]


def experience_label(t: Translator, config: Config, tag: str) -> str:
    """A tag as people read it; the municipality's own in the words it gave, one that is no
    longer configured as it is stored."""
    if tag in Experience.__members__.values():
        return t(EXPERIENCE_LABELS[Experience(tag)])
    return dict(config.extra_experience).get(tag, tag)


def _rows(row: list[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    return [row[i : i + _PER_ROW] for i in range(0, len(row), _PER_ROW)]


def topic_keyboard(t: Translator, config: Config, request_id: int) -> InlineKeyboardMarkup:
    """The family's choice of what its question is about, or none: "to everyone now"."""
    choices = [
        InlineKeyboardButton(
            experience_label(t, config, tag), callback_data=buttons.about(request_id, tag)
        )
        for tag in experience_tags(config)
    ]
    everyone = InlineKeyboardButton(
        t("request.topic_everyone"), callback_data=buttons.about(request_id, None)
    )
    return InlineKeyboardMarkup([*_rows(choices), [everyone]])


def with_topic_question(
    t: Translator, config: Config, text: str, request_id: int, asks: bool
) -> tuple[str, InlineKeyboardMarkup | None]:
    """A family's "your question went out", with the topic buttons when what the family says
    it is about could change who is asked (bot/matching.asks_for_topics)."""
    if not asks:
        return text, None
    question = "\n\n".join([text, t("request.topic_question")])
    return question, topic_keyboard(t, config, request_id)


def experience_keyboard(
    t: Translator, config: Config, mentor: Confirmation, chosen: frozenset[str]
) -> InlineKeyboardMarkup:
    """The coordinator's toggles of a mentor household's experience, the set ones ticked."""
    toggles = [
        InlineKeyboardButton(
            ("✓ " if tag in chosen else "") + experience_label(t, config, tag),
            callback_data=buttons.experience(mentor, tag, tag not in chosen),
        )
        for tag in experience_tags(config)
    ]
    return InlineKeyboardMarkup(_rows(toggles))


def own_mentor_choice(
    t: Translator,
    family: Member,
    current: Household | None,
    mentors: Sequence[Member],
    page: int,
) -> tuple[str, InlineKeyboardMarkup]:
    """A family's own mentor household to choose: a button per mentor household (by an adult's
    number, as /link takes it), the current one ticked, a page at a time, and none."""
    named = Confirmation(family.id, family.joined_at)
    shown = paging.page(mentors, page, MENTORS_PER_PAGE)
    choices = [
        plain_button(
            ("✓ " if current is not None and mentor.household.id == current.id else "")
            + t("members.button", number=mentor.id, name=household_name(t, mentor)),
            buttons.own_mentor(named, mentor.id),
        )
        for mentor in shown.items
    ]
    turning = turning_row(t, shown, functools.partial(buttons.own_mentor_page, named))
    none = plain_button(t("own_mentor.none"), buttons.own_mentor_none(named))
    now_linked = t("own_mentor.nobody") if current is None else _household_label(t, current)
    text = t("own_mentor.choose", family=household_name(t, family), mentor=now_linked)
    keyboard = [*button_rows(choices, _PER_ROW), *([turning] if turning else []), [none]]
    return with_page_line(t, text, shown), InlineKeyboardMarkup(keyboard)


def _household_label(t: Translator, household: Household) -> str:
    return household.display_name or t("members.unnamed")


def link_outcome(t: Translator, limit: int, linked: Linked | LinkProblem) -> str:
    """The coordinator's line after /link or a press on a family's card."""
    if isinstance(linked, LinkProblem):
        return t(LINK_PROBLEMS[linked], limit=limit)
    return t(
        "link.done",
        family=_household_label(t, linked.family),
        mentor=_household_label(t, linked.mentor),
        held=linked.families_held,
        limit=limit,
    )


def experience_card(
    t: Translator, config: Config, mentor: Member, tags: frozenset[str]
) -> tuple[str, InlineKeyboardMarkup]:
    """/experience and its toggles' edits: the household's tags, and a toggle each."""
    text = t(
        "experience.card", name=household_name(t, mentor), tags=experience_list(t, config, tags)
    )
    return text, experience_keyboard(t, config, Confirmation(mentor.id, mentor.joined_at), tags)


def experience_list(t: Translator, config: Config, tags: frozenset[str]) -> str:
    if not tags:
        return t("experience.none")
    return ", ".join(experience_label(t, config, tag) for tag in sorted(tags))


def reasons_line(t: Translator, sent: Mapping[str, Sequence[str | None]]) -> str | None:
    """Why a question's offers went to whom: "own mentor family: Familien Lind; everyone on
    duty: Familjen Berg, The Holms"."""
    parts = [
        t(msgid, households=household_names(t, sent[reason.value]))
        for reason, msgid in _REASONS.items()
        if reason in sent
    ]
    return t("requests.reasons", reasons="; ".join(parts)) if parts else None


def household_names(t: Translator, names: Sequence[str | None]) -> str:
    return ", ".join(name or t("members.unnamed") for name in names)
