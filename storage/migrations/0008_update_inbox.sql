-- At-least-once updates: an update is written here, whole, before Telegram is told it arrived
-- (the updater confirms it only once the queue has taken it), and marked done once its handlers
-- ran; its content goes then. At start, an update that never got done is handled again.
ALTER TABLE processed_updates ADD COLUMN payload TEXT;
ALTER TABLE processed_updates ADD COLUMN done_at TEXT;
UPDATE processed_updates SET done_at = received_at;
