"""The figures the IT department graphs, in Prometheus's format (served on /metrics).

Every label is one of a closed set the code names (an update's kind, a question's state, a
delivery's result): never a chat, a member, a number or a word anyone wrote, so the metrics
hold no personal data and their cardinality stays fixed. Counters count since the process
started, as Prometheus expects; what must survive a restart (how many questions ended how) is
read from the database at each scrape instead.
"""

from __future__ import annotations

from prometheus_client import REGISTRY, Counter, Gauge, Histogram, generate_latest

from bot.monitoring import Figures
from storage.models import DeliveryState, RequestState

UPDATE_KINDS = ("message", "edited_message", "callback_query", "my_chat_member", "other")

UPDATES_HANDLED = Counter(
    "mentorbot_updates_handled", "Telegram updates the handlers ran for, by kind", ["kind"]
)
QUESTIONS = Gauge("mentorbot_questions", "Questions ever asked, by their state now", ["state"])
TIME_TO_ACCEPT = Histogram(
    "mentorbot_time_to_accept_seconds",
    "From a family's first message to a mentor's Accept",
    buckets=(30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 86400),
)
OFFERS_SENT = Counter("mentorbot_offers_sent", "Offers of a question shown to a mentor")
OUTBOX_QUEUE = Gauge(
    "mentorbot_outbox_queue_depth", "Deliveries of the broadcasts going out not yet settled"
)
DELIVERIES = Counter("mentorbot_deliveries", "Broadcast deliveries settled, by result", ["result"])
TOO_MANY_REQUESTS = Counter(
    "mentorbot_bot_api_too_many_requests", "429 answers from the Bot API (flood control)"
)
ERRORS = Counter("mentorbot_errors", "Updates whose handling failed with an unexpected error")

# Every series exists from the start, at zero, so that a graph or an alert on a rate does not
# wait for the first event of its kind.
for _kind in UPDATE_KINDS:
    UPDATES_HANDLED.labels(_kind)
for _state in RequestState:
    QUESTIONS.labels(_state.value)
for _result in (DeliveryState.SENT, DeliveryState.BLOCKED, DeliveryState.FAILED):
    DELIVERIES.labels(_result.value)


def exposition(figures: Figures) -> bytes:
    """The page Prometheus scrapes, with the database's figures as they are now."""
    for state in RequestState:
        QUESTIONS.labels(state.value).set(figures.questions_by_state.get(state.value, 0))
    OUTBOX_QUEUE.set(figures.deliveries_queued)
    return generate_latest(REGISTRY)
