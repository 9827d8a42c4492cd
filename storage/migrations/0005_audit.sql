-- What coordinators did: who, what and when, never what anybody wrote.
CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    at       TEXT    NOT NULL,
    actor_id INTEGER REFERENCES members (id) ON DELETE SET NULL,
    actor    TEXT,     -- the name at the time, so the entry reads the same after a removal
    action   TEXT    NOT NULL,
    subject  TEXT    NOT NULL  -- numbers and roles only: "member #12 (family)", "shift #5"
);
