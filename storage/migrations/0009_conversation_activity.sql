-- The lifecycle: when a conversation last carried a message, either way, so that one nobody
-- writes in any more is closed instead of holding the family's messages for that mentor for ever.
ALTER TABLE requests ADD COLUMN last_message_at TEXT;
UPDATE requests SET last_message_at = accepted_at WHERE accepted_at IS NOT NULL;
