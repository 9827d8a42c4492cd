-- Events the unit holds (courses, theme mornings, outings, information meetings) and who
-- signed up for them. Times are UTC, ISO 8601 with seconds.

-- An event. `catalogue_id` is the stable id a shared catalogue gives it, so that importing
-- next year's catalogue updates the event instead of adding it twice; NULL for one made here.
-- `capacity` counts people (adults and children), NULL for no limit. Whether it is full is
-- not stored: it is what the confirmed sign-ups add up to, counted in the transaction that
-- decides each sign-up, so there is no second record of it to fall out of step.
CREATE TABLE events (
    id              INTEGER PRIMARY KEY,
    catalogue_id    TEXT    UNIQUE,
    kind            TEXT    NOT NULL CHECK (kind IN
        ('course', 'theme_morning', 'outing', 'information_meeting', 'other')),
    title           TEXT    NOT NULL,
    description     TEXT    NOT NULL DEFAULT '',
    starts_at       TEXT    NOT NULL,
    ends_at         TEXT    NOT NULL CHECK (ends_at > starts_at),
    place           TEXT    NOT NULL DEFAULT '',
    capacity        INTEGER CHECK (capacity IS NULL OR capacity >= 1),
    audience        TEXT    NOT NULL CHECK (audience IN
        ('families', 'mentors', 'everyone', 'prospective')),
    children_along  INTEGER NOT NULL DEFAULT 0 CHECK (children_along IN (0, 1)),
    signup_deadline TEXT    CHECK (signup_deadline IS NULL OR signup_deadline <= starts_at),
    state           TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed', 'cancelled')),
    created_by      INTEGER REFERENCES members (id) ON DELETE SET NULL,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL
);
CREATE INDEX events_by_start ON events (state, starts_at);

-- A sign-up: a household's (or, for an information meeting, a person's who registered
-- interest, `interest_id`), with how many people come. 'waiting' is the waiting list, in
-- `queued_at` order (then by number); 'cancelled' stays, for the evaluation's figures. Once
-- the event is MENTORBOT_RETENTION_DAYS over, or the household's last adult is erased, the row
-- keeps its counts and loses whose it was (both links NULL).
CREATE TABLE event_signups (
    id           INTEGER PRIMARY KEY,
    event_id     INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    household_id INTEGER REFERENCES households (id) ON DELETE SET NULL,
    interest_id  INTEGER REFERENCES interest (id) ON DELETE SET NULL,
    adults       INTEGER NOT NULL CHECK (adults >= 1),
    children     INTEGER NOT NULL DEFAULT 0 CHECK (children >= 0),
    state        TEXT    NOT NULL CHECK (state IN ('confirmed', 'waiting', 'cancelled')),
    queued_at    TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    cancelled_at TEXT
);
CREATE UNIQUE INDEX one_live_signup_per_household ON event_signups (event_id, household_id)
    WHERE state != 'cancelled' AND household_id IS NOT NULL;
CREATE UNIQUE INDEX one_live_signup_per_interest ON event_signups (event_id, interest_id)
    WHERE state != 'cancelled' AND interest_id IS NOT NULL;
CREATE INDEX signups_by_event ON event_signups (event_id, state, queued_at, id);
CREATE INDEX signups_by_household ON event_signups (household_id, state);

-- Their numbers are never handed out twice either (0011_numbers.sql): a button carries them.
INSERT INTO numbers (kind, highest) VALUES ('events', 0), ('event_signups', 0);

CREATE TRIGGER events_number_is_new BEFORE INSERT ON events
WHEN NEW.id IS NULL OR NEW.id <= (SELECT highest FROM numbers WHERE kind = 'events')
BEGIN SELECT RAISE(ABORT, 'events: a number is never handed out twice'); END;
CREATE TRIGGER events_number_taken AFTER INSERT ON events
BEGIN UPDATE numbers SET highest = NEW.id WHERE kind = 'events'; END;

CREATE TRIGGER event_signups_number_is_new BEFORE INSERT ON event_signups
WHEN NEW.id IS NULL OR NEW.id <= (SELECT highest FROM numbers WHERE kind = 'event_signups')
BEGIN SELECT RAISE(ABORT, 'event_signups: a number is never handed out twice'); END;
CREATE TRIGGER event_signups_number_taken AFTER INSERT ON event_signups
BEGIN UPDATE numbers SET highest = NEW.id WHERE kind = 'event_signups'; END;
