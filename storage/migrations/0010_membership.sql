-- Membership without loopholes: every way in is one a coordinator granted.

-- An invite ends with the member who made it (removed or erased) or when a coordinator revokes
-- it, not only when it is used or expires.
ALTER TABLE invites ADD COLUMN revoked_at TEXT;

-- Every Telegram id that MENTORBOT_COORDINATORS has made a coordinator. The configuration adds
-- an id once: a coordinator removed or erased later is not brought back at the next start. It
-- holds only ids the operator's own configuration names (and the coordinators of before).
CREATE TABLE configured_coordinators (
    telegram_user_id INTEGER PRIMARY KEY,
    added_at         TEXT    NOT NULL
);
INSERT INTO configured_coordinators (telegram_user_id, added_at)
    SELECT m.telegram_user_id, m.joined_at FROM members m
    JOIN households h ON h.id = m.household_id WHERE h.role = 'coordinator';

-- A new adult of a mentor household (added with /partner) reads families' questions only once
-- a coordinator approved them; everyone else is approved as they join.
ALTER TABLE members ADD COLUMN approved_at TEXT;
UPDATE members SET approved_at = joined_at;
