"""The numbers people see, type and press: each kind's next one, never one handed out before.

A member's, a shift's, a question's or a broadcast's number is its row's id, and a button
carries the id of what it acts on. SQLite would hand out max(id) + 1, so the newest row's
number came back after its deletion. Migration 0011 keeps the highest number of each kind ever
handed out in the `numbers` table; its triggers refuse an insert into a numbered table whose id
is not above that mark, and move the mark on. An insert takes its id with `next_number`, in its
own statement, so that nothing can come between taking a number and using it.
"""

from __future__ import annotations

from typing import Literal

Kind = Literal[
    "members",
    "shifts",
    "broadcasts",
    "requests",
    "shift_swaps",
    "invites",
    "unaddressed_messages",
    "away_spans",
    "gap_offers",
    "events",
    "event_signups",
]


def next_number(kind: Kind) -> str:
    """The SQL expression for the next number of `kind`, to give as the new row's id."""
    return f"(SELECT highest + 1 FROM numbers WHERE kind = '{kind}')"
