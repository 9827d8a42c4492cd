-- Availability, from the mentors' side: when a mentor household cannot be on duty, and the
-- open gaps of the rota offered to mentors to take. Times are UTC, ISO 8601 with seconds.

-- A mentor household away (a holiday, illness) over [starts_at, ends_at). Either adult may set
-- or remove it. `reason` is only the category the mentor pressed: illness is health data, so
-- nothing more is asked, and a span is deleted once it has ended (bot/retention.py).
CREATE TABLE away_spans (
    id           INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    starts_at    TEXT    NOT NULL,
    ends_at      TEXT    NOT NULL CHECK (ends_at > starts_at),
    reason       TEXT    NOT NULL CHECK (reason IN ('holiday', 'illness', 'other')),
    created_by   INTEGER REFERENCES members (id) ON DELETE SET NULL,
    created_at   TEXT    NOT NULL
);
CREATE INDEX away_by_household ON away_spans (household_id, ends_at);
CREATE INDEX away_by_end ON away_spans (ends_at);

-- A gap in the rota shown to mentors with a Take button: the button carries this row's
-- number. The first press moves it from 'open' (to 'asked' when a coordinator confirms each
-- take, MENTORBOT_SHIFT_PICKUP=approve) to 'taken', in one conditional update; 'closed': the
-- gap was filled another way before anyone took it.
CREATE TABLE gap_offers (
    id         INTEGER PRIMARY KEY,
    starts_at  TEXT    NOT NULL,
    ends_at    TEXT    NOT NULL CHECK (ends_at > starts_at),
    state      TEXT    NOT NULL CHECK (state IN ('open', 'asked', 'taken', 'closed')),
    taken_by   INTEGER REFERENCES households (id) ON DELETE SET NULL,
    shift_id   INTEGER REFERENCES shifts (id) ON DELETE SET NULL,
    offered_at TEXT    NOT NULL,
    taken_at   TEXT
);
CREATE UNIQUE INDEX one_live_offer_per_gap ON gap_offers (starts_at, ends_at)
    WHERE state IN ('open', 'asked');

-- The messages that show an offer's button, so every copy can say it is taken.
CREATE TABLE gap_offer_messages (
    offer_id   INTEGER NOT NULL REFERENCES gap_offers (id) ON DELETE CASCADE,
    chat_id    INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    PRIMARY KEY (offer_id, chat_id, message_id)
);
CREATE INDEX gap_offer_messages_by_message ON gap_offer_messages (chat_id, message_id);

-- The coordinators' copies of a take waiting for their Confirm or Refuse, so that once one
-- of them decides, the others' copies say so; gone with the decision.
CREATE TABLE gap_request_messages (
    offer_id   INTEGER NOT NULL REFERENCES gap_offers (id) ON DELETE CASCADE,
    chat_id    INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    PRIMARY KEY (offer_id, chat_id, message_id)
);

-- Their numbers are never handed out twice either (0011_numbers.sql): a button carries them.
INSERT INTO numbers (kind, highest) VALUES ('away_spans', 0), ('gap_offers', 0);

CREATE TRIGGER away_spans_number_is_new BEFORE INSERT ON away_spans
WHEN NEW.id IS NULL OR NEW.id <= (SELECT highest FROM numbers WHERE kind = 'away_spans')
BEGIN SELECT RAISE(ABORT, 'away_spans: a number is never handed out twice'); END;
CREATE TRIGGER away_spans_number_taken AFTER INSERT ON away_spans
BEGIN UPDATE numbers SET highest = NEW.id WHERE kind = 'away_spans'; END;

CREATE TRIGGER gap_offers_number_is_new BEFORE INSERT ON gap_offers
WHEN NEW.id IS NULL OR NEW.id <= (SELECT highest FROM numbers WHERE kind = 'gap_offers')
BEGIN SELECT RAISE(ABORT, 'gap_offers: a number is never handed out twice'); END;
CREATE TRIGGER gap_offers_number_taken AFTER INSERT ON gap_offers
BEGIN UPDATE numbers SET highest = NEW.id WHERE kind = 'gap_offers'; END;
