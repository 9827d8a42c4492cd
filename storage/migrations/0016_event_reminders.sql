-- The reminders sent for event sign-ups, as shift_reminders (0002_rota.sql) records them for
-- shifts and in the same shape, so that one set of statements (storage/reminders.py) serves
-- both: one row per confirmed sign-up and offset once its reminder is being sent. A row in
-- state 'sending' after a crash is the one reminder that may or may not have reached the
-- household. A sign-up is the household's, so its reminders go when the sign-up does.
CREATE TABLE event_reminders (
    signup_id      INTEGER NOT NULL REFERENCES event_signups (id) ON DELETE CASCADE,
    minutes_before INTEGER NOT NULL,
    state          TEXT    NOT NULL CHECK (state IN ('sending', 'sent', 'skipped')),
    updated_at     TEXT    NOT NULL,
    PRIMARY KEY (signup_id, minutes_before)
);
