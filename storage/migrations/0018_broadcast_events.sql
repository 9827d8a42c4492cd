-- The events a newsletter carries: a Sign up button under it for each, in the order the
-- coordinator chose. `label` and `data` are the button as the preview showed it (its text in
-- the coordinator's language with the event's title, and the Sign up data of
-- handlers/buttons.py), so every recipient gets the very buttons that were confirmed, built
-- once per broadcast and not per recipient; a press is checked against the event as any is.
CREATE TABLE broadcast_events (
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
    event_id     INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    label        TEXT    NOT NULL,
    data         TEXT    NOT NULL,
    PRIMARY KEY (broadcast_id, event_id)
);
