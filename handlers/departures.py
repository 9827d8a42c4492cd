"""What the others are told when a member leaves, by /remove or by /forget alike.

The departure itself is decided in one transaction (bot/departures.py); this says it: the other
side of every conversation or question that ended, the coordinators when a mentor household's
coming shifts were cancelled (the rota is planned again, so its gaps show), the households
moved up into the places at events it gave back, and the member's
own chat goes back to a stranger's command menu.
"""

from __future__ import annotations

from bot import members
from bot.departures import Departure
from bot.i18n import N_, Translator
from bot.routing import Ended
from handlers import event_reminders, rota_jobs
from handlers.common import MentorContext
from handlers.debriefs import offer_debrief
from handlers.event_notices import tell_moved_up
from handlers.menu import withdraw_member_commands
from handlers.notices import tell, tell_each
from handlers.offers import edit_offers
from storage.models import Member, Role


async def after_departure(context: MentorContext, departure: Departure, actor: Member) -> None:
    """`actor` is who asked for it, and has their own reply already."""
    await _announce_departure(context, departure.ended)
    await withdraw_member_commands(context.bot, departure.member)
    for each in departure.released:
        await tell_moved_up(context, each.event, each.moved_up)
    if departure.released:
        await event_reminders.events_changed(context.application)
    cancelled = departure.cancelled_shifts
    if not cancelled:
        return
    await rota_jobs.rota_changed(context.application)
    coordinators = await members.with_role(context.db, Role.COORDINATOR)
    others = [coordinator for coordinator in coordinators if coordinator.id != actor.id]

    def text(t: Translator) -> str:
        number = departure.member.id
        return t.plural(
            "departure.shifts_cancelled",
            "departure.shifts_cancelled_plural",
            cancelled,
            number=number,
        )

    await tell_each(context, others, text)


async def _announce_departure(context: MentorContext, ended: list[Ended]) -> None:
    """Someone left in the middle: offers say the question is gone, the other side is told."""
    for each in ended:
        number = each.request.id
        await edit_offers(context, each.withdrawn_offers, N_("offer.withdrawn"), each.request)
        if each.mentor is not None:
            await tell(context, [each.mentor], N_("conversation.family_left"), number=number)
            await offer_debrief(context, each, note=False)
        await tell(context, each.family, N_("conversation.mentor_left"), number=number)
