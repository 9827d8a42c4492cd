-- The rota: mentor households' shifts, the reminders sent for them, shift swaps, and the
-- coordinators' daily gap report. Times are UTC, ISO 8601 with seconds.

CREATE TABLE shifts (
    id           INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    starts_at    TEXT    NOT NULL,
    ends_at      TEXT    NOT NULL CHECK (ends_at > starts_at),
    created_by   INTEGER REFERENCES members (id) ON DELETE SET NULL,
    created_at   TEXT    NOT NULL
);
CREATE INDEX shifts_by_start ON shifts (starts_at);
CREATE INDEX shifts_by_household ON shifts (household_id, starts_at);

-- One row per shift and reminder offset once the reminder is being sent; a row in state
-- 'sending' after a crash is the one reminder that may or may not have reached the mentor.
CREATE TABLE shift_reminders (
    shift_id       INTEGER NOT NULL REFERENCES shifts (id) ON DELETE CASCADE,
    minutes_before INTEGER NOT NULL,
    state          TEXT    NOT NULL CHECK (state IN ('sending', 'sent', 'skipped')),
    updated_at     TEXT    NOT NULL,
    PRIMARY KEY (shift_id, minutes_before)
);

-- A mentor household offers its shift to the other mentors; the first to take it gets it.
CREATE TABLE shift_swaps (
    id         INTEGER PRIMARY KEY,
    shift_id   INTEGER NOT NULL REFERENCES shifts (id) ON DELETE CASCADE,
    offered_by INTEGER NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    offered_at TEXT    NOT NULL,
    state      TEXT    NOT NULL CHECK (state IN ('open', 'taken', 'closed')),
    taken_by   INTEGER REFERENCES households (id) ON DELETE SET NULL,
    taken_at   TEXT
);
CREATE UNIQUE INDEX one_open_swap_per_shift ON shift_swaps (shift_id) WHERE state = 'open';

-- The offer messages sent for a swap, so they can all be edited once it is taken.
CREATE TABLE swap_messages (
    swap_id    INTEGER NOT NULL REFERENCES shift_swaps (id) ON DELETE CASCADE,
    chat_id    INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    PRIMARY KEY (swap_id, chat_id)
);

-- The local day whose 09:00 gap report has gone out, so a restart does not send it again.
CREATE TABLE gap_reports (
    local_day TEXT PRIMARY KEY,
    sent_at   TEXT NOT NULL
);
