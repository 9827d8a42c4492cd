-- Attendance at events, the moves up from the waiting list, and the course days per family.

-- Whether a household with a place came: NULL until a coordinator marks it after the start.
-- It goes with its sign-up: anonymised with it, kept as a count for the figures.
ALTER TABLE event_signups ADD COLUMN attended INTEGER CHECK (attended IS NULL OR attended IN (0, 1));
-- When a waiting sign-up was given a place; NULL for one that had a place from the start. The
-- evaluation counts the moves up.
ALTER TABLE event_signups ADD COLUMN moved_up_at TEXT;

-- The course days a household attended in a calendar year (local days an attended course spans,
-- each in the year it falls in). A tally of its own, kept in step with each attendance mark in
-- the same transaction, because the sign-ups it comes from stop saying whose they were
-- MENTORBOT_RETENTION_DAYS after the event, and the unit follows a whole year.
CREATE TABLE course_days (
    household_id INTEGER NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    year         INTEGER NOT NULL,
    days         INTEGER NOT NULL CHECK (days >= 0),
    PRIMARY KEY (household_id, year)
);
