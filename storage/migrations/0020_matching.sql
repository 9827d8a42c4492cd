-- Matching: a foster family's own mentor household, mentor households' experience, what a
-- question is about, and why each offer went where it did.

-- A family has at most one own mentor household; a mentor household holds a few families
-- (MENTORBOT_FAMILIES_PER_MENTOR, checked when linking). Personal data: in /mydata, and gone
-- when either household is left without adults.
CREATE TABLE mentor_links (
    family_household_id INTEGER PRIMARY KEY REFERENCES households (id) ON DELETE CASCADE,
    mentor_household_id INTEGER NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    linked_at           TEXT    NOT NULL
);
CREATE INDEX mentor_links_by_mentor ON mentor_links (mentor_household_id);

-- The experience a coordinator set for a mentor household: tags of bot/matching's list, or of
-- the municipality's own (MENTORBOT_EXTRA_EXPERIENCE).
CREATE TABLE household_experience (
    household_id INTEGER NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    tag          TEXT    NOT NULL,
    PRIMARY KEY (household_id, tag)
);

-- What the family said its question is about, with a button; NULL topics_chosen_at: not yet
-- chosen; chosen with no row in request_topics: skipped ("send to everyone now").
ALTER TABLE requests ADD COLUMN topics_chosen_at TEXT;
CREATE TABLE request_topics (
    request_id INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    tag        TEXT    NOT NULL,
    PRIMARY KEY (request_id, tag)
);

-- Why the offer went to this adult (bot/matching.Reason); an escalation's are "everyone". NULL
-- for the offers made before, for the coordinators' and for take-overs of a conversation.
ALTER TABLE offers ADD COLUMN reason TEXT CHECK (
    reason IN ('own_mentor', 'experience', 'everyone', 'load')
);

-- Care for the mentors: after a conversation, a mentor may ask the coordinators to call them
-- back ("Talk it through"). Nothing of the conversation is kept here: who asked, about which
-- question (its number), and who acknowledged it. Once per mentor and question.
CREATE TABLE debriefs (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id       INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    mentor_member_id INTEGER REFERENCES members (id) ON DELETE CASCADE,
    asked_at         TEXT    NOT NULL,
    acknowledged_by  INTEGER REFERENCES members (id) ON DELETE SET NULL,
    acknowledged_at  TEXT,
    UNIQUE (request_id, mentor_member_id)
);
-- The coordinators' copies of the call-back request, to edit when one of them takes it; gone
-- once it is acknowledged.
CREATE TABLE debrief_messages (
    debrief_id INTEGER NOT NULL REFERENCES debriefs (id) ON DELETE CASCADE,
    chat_id    INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    PRIMARY KEY (debrief_id, chat_id)
);

-- A note for the family's social worker, written by the mentor after a conversation; it goes
-- to the coordinators on the next working day only if the family said yes. `body` is the
-- mentor's words: NULL until written, erased at once on a no and with the retention after it
-- was delivered. The prompt is the bot's message the mentor replies to with the note.
CREATE TABLE unit_notes (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id        INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    mentor_member_id  INTEGER REFERENCES members (id) ON DELETE CASCADE,
    prompt_chat_id    INTEGER NOT NULL,
    prompt_message_id INTEGER,
    body              TEXT,
    written_at        TEXT,
    consent           TEXT CHECK (consent IN ('yes', 'no')),
    decided_at        TEXT,
    delivered_at      TEXT,
    UNIQUE (request_id, mentor_member_id)
);
CREATE INDEX unit_notes_by_prompt ON unit_notes (prompt_chat_id, prompt_message_id);
CREATE INDEX unit_notes_to_deliver ON unit_notes (consent, delivered_at);

-- Routing counts each adult's open conversations for every question it routes.
CREATE INDEX requests_held_by_mentor ON requests (mentor_member_id) WHERE state = 'accepted';
