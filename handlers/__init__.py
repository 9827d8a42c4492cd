"""Telegram handlers, one module per concern; `register` wires them all into an Application."""

from __future__ import annotations

from handlers import (
    audit,
    availability,
    broadcasts,
    catalogue,
    conversations,
    debriefs,
    event_admin,
    events,
    gate,
    help,
    invites,
    language,
    matching,
    members,
    mentor_rota,
    offers,
    onboarding,
    personal_data,
    recruitment,
    requests,
    rota_planning,
    shift_booking,
    stats,
    system,
    unit_notes,
)
from handlers.common import MentorApplication


def register(application: MentorApplication) -> None:
    for module in (
        system,  # the error handler
        gate,  # then private chats only, edits on their own path, service messages dropped
        onboarding,
        help,
        language,
        invites,
        members,
        matching,  # /link, /experience and a family's topic buttons
        debriefs,  # Talk it through and its acknowledgement
        unit_notes,  # a note for the social worker, and the family's yes or no
        audit,
        stats,
        personal_data,
        shift_booking,  # /shift alone, before rota_planning's /shift with arguments
        rota_planning,
        catalogue,  # /catalogue and its preview's buttons; its files come through the router
        mentor_rota,
        availability,
        events,  # the members' /events and their sign-up buttons
        offers,
        broadcasts,  # its guided conversation sees /cancel and messages before the rest
        event_admin,  # so do /event new and an event's typed change
        recruitment,  # so does a stranger's registration of interest
        requests,
        conversations,  # its message router takes every plain message: keep it last
    ):
        module.register(application)
    system.register_fallbacks(application)
