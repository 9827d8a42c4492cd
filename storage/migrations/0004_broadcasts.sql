-- Broadcasts: a coordinator's newsletter or announcement, and one delivery row per recipient.
-- The deliveries are the outbox: written in one transaction when the broadcast goes out, then
-- marked before and after each send, so a restart resumes where it stopped.

CREATE TABLE broadcasts (
    id            INTEGER PRIMARY KEY,
    created_by    INTEGER REFERENCES members (id) ON DELETE SET NULL,
    audience      TEXT    NOT NULL CHECK (audience IN ('families', 'mentors', 'everyone')),
    kind          TEXT    NOT NULL CHECK (kind IN ('text', 'photo', 'document')),
    body          TEXT,     -- the text, or the caption, as Telegram HTML
    file_id       TEXT,     -- the photo or document, as Telegram stores it
    state         TEXT    NOT NULL CHECK (
        state IN ('scheduled', 'sending', 'done', 'cancelled')
    ),
    send_at       TEXT    NOT NULL,
    created_at    TEXT    NOT NULL,
    started_at    TEXT,
    finished_at   TEXT,
    -- The coordinator's status message, edited while the broadcast goes out.
    status_chat_id    INTEGER,
    status_message_id INTEGER
);
CREATE INDEX broadcasts_by_state ON broadcasts (state, send_at);

CREATE TABLE deliveries (
    broadcast_id        INTEGER NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
    member_id           INTEGER REFERENCES members (id) ON DELETE SET NULL,
    chat_id             INTEGER NOT NULL,
    display_name        TEXT,
    state               TEXT    NOT NULL CHECK (
        state IN ('pending', 'sending', 'sent', 'blocked', 'failed')
    ),
    attempts            INTEGER NOT NULL DEFAULT 0,
    next_attempt_at     TEXT    NOT NULL,
    telegram_message_id INTEGER,
    updated_at          TEXT    NOT NULL,
    PRIMARY KEY (broadcast_id, chat_id)
);
-- The worker's next delivery of a broadcast, found without sorting the whole queue.
CREATE INDEX deliveries_due ON deliveries (broadcast_id, state, next_attempt_at);
