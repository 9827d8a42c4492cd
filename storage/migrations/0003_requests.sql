-- Routing: a foster family's request, the offers made to mentors, and the conversation.
-- Times are UTC, ISO 8601 with seconds. Message content is kept only in `preview` (the first
-- words, for the offer) and is erased with the request's other content.

CREATE TABLE requests (
    id                  INTEGER PRIMARY KEY,
    family_household_id INTEGER REFERENCES households (id) ON DELETE SET NULL,
    state               TEXT    NOT NULL CHECK (
        state IN ('waiting', 'offered', 'accepted', 'closed', 'cancelled', 'expired')
    ),
    -- 0: mentors on duty; 1: asked again, with anyone who came on duty since; 2: coordinators.
    escalation          INTEGER NOT NULL DEFAULT 0,
    urgent              INTEGER NOT NULL DEFAULT 0,
    first_kind          TEXT    NOT NULL,
    preview             TEXT,
    opened_at           TEXT    NOT NULL,
    offered_at          TEXT,
    escalated_at        TEXT,
    accepted_at         TEXT,
    ended_at            TEXT,
    mentor_member_id    INTEGER REFERENCES members (id) ON DELETE SET NULL,
    mentor_household_id INTEGER REFERENCES households (id) ON DELETE SET NULL,
    ended_by            TEXT CHECK (ended_by IN ('family', 'mentor', 'coordinator')),
    rating              INTEGER CHECK (rating BETWEEN 1 AND 5),
    rating_comment      TEXT,
    topic               TEXT,
    mentor_note         TEXT
);
CREATE UNIQUE INDEX one_open_request_per_family ON requests (family_household_id)
    WHERE state IN ('waiting', 'offered', 'accepted');
CREATE INDEX requests_by_state ON requests (state);

-- The family's messages that arrived before a mentor accepted: copied to the mentor on accept.
-- Only where to find them in the family's chat is kept, not what they say.
CREATE TABLE request_messages (
    request_id INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    chat_id    INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    received_at TEXT   NOT NULL,
    PRIMARY KEY (request_id, chat_id, message_id)
);

-- One offer per adult asked; the message, so it can be edited to "taken".
CREATE TABLE offers (
    request_id INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    member_id  INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    chat_id    INTEGER NOT NULL,
    message_id INTEGER,
    state      TEXT    NOT NULL CHECK (state IN ('open', 'declined', 'closed')),
    offered_at TEXT    NOT NULL,
    PRIMARY KEY (request_id, member_id)
);

-- Messages the bot put into a chat for a request, so that a reply to one is understood: a
-- reply to a relayed message goes to that conversation, a reply to the rating's thanks is the
-- family's comment, a reply to the topic's thanks is the mentor's note.
CREATE TABLE relays (
    chat_id    INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    request_id INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    purpose    TEXT    NOT NULL CHECK (purpose IN ('relay', 'comment', 'note')),
    PRIMARY KEY (chat_id, message_id)
);
