-- People who want to hear about becoming a foster family, with their explicit consent.
-- Erased with the other content after MENTORBOT_RETENTION_DAYS.
CREATE TABLE interest (
    id               INTEGER PRIMARY KEY,
    telegram_user_id INTEGER NOT NULL,
    name             TEXT    NOT NULL,
    phone            TEXT    NOT NULL,
    language         TEXT    NOT NULL,
    consented_at     TEXT    NOT NULL
);
