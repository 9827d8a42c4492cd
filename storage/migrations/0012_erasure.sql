-- Erasure leaves nothing behind.
-- When the bot put a copy of a person's message (or the label above one) into the other side's
-- chat: /forget deletes the copies Telegram still lets a bot delete (for 48 hours). NULL for
-- the bot's own messages about a request (thanks, questions), which hold nobody's words.
ALTER TABLE relays ADD COLUMN copied_at TEXT;

-- One registration of interest per person: a second one updates the first. Older duplicates
-- go, the latest stays.
DELETE FROM interest WHERE id NOT IN (SELECT MAX(id) FROM interest GROUP BY telegram_user_id);
CREATE UNIQUE INDEX one_registration_per_person ON interest (telegram_user_id);
-- When the coordinators' daily message listed it; those made before were announced one by one.
ALTER TABLE interest ADD COLUMN announced_at TEXT;
UPDATE interest SET announced_at = consented_at;

-- The local days whose list of new registrations went out, so a restart does not send it again.
CREATE TABLE interest_reports (
    local_day TEXT PRIMARY KEY,
    sent_at   TEXT NOT NULL
);
