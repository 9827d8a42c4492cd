-- Households, their members, invites, and the updates already processed.
-- All times are UTC, ISO 8601 with seconds ("2026-11-23T14:16:00+00:00").

-- A foster family or a mentor family is a household of one or more adults; the household
-- holds the role and the name others see. A coordinator is a household of one.
CREATE TABLE households (
    id           INTEGER PRIMARY KEY,
    role         TEXT    NOT NULL CHECK (role IN ('family', 'mentor', 'coordinator')),
    display_name TEXT,
    created_at   TEXT    NOT NULL
);

-- One adult with their own Telegram account. `language` is NULL until the member picks one
-- with /language; until then their Telegram app's language (as it was when they last wrote)
-- decides, also for messages the bot sends on its own, such as reminders.
CREATE TABLE members (
    id                INTEGER PRIMARY KEY,
    household_id      INTEGER NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    telegram_user_id  INTEGER NOT NULL UNIQUE,
    language          TEXT    CHECK (language IN ('sv', 'da', 'en')),
    telegram_language TEXT,
    newsletter       INTEGER NOT NULL DEFAULT 1 CHECK (newsletter IN (0, 1)),
    joined_at        TEXT    NOT NULL
);
CREATE INDEX members_by_household ON members (household_id);

-- Only the SHA-256 of a code is stored, so a copy of the database cannot be used to join.
-- `household_id` is set for a partner invite, which adds an adult to an existing household.
CREATE TABLE invites (
    id           INTEGER PRIMARY KEY,
    code_hash    TEXT    NOT NULL UNIQUE,
    role         TEXT    NOT NULL CHECK (role IN ('family', 'mentor', 'coordinator')),
    household_id INTEGER REFERENCES households (id) ON DELETE CASCADE,
    created_by   INTEGER REFERENCES members (id) ON DELETE SET NULL,
    created_at   TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL,
    used_at      TEXT,
    used_by      INTEGER REFERENCES members (id) ON DELETE SET NULL
);

-- Telegram may deliver an update twice; the first delivery inserts its id here.
CREATE TABLE processed_updates (
    update_id   INTEGER PRIMARY KEY,
    received_at TEXT    NOT NULL
);
