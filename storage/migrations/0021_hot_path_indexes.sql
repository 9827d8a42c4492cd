-- Indexes the hot path of every question was missing (tests/unit/test_hot_path_plans.py finds
-- a statement that scans a growing table):
-- a new request made SQLite look through every relay for rows pointing at its number (the
-- foreign key from relays to requests), and a mentor's reply looked through every offer for
-- the message it replied to.
CREATE INDEX relays_by_request ON relays (request_id);
CREATE INDEX offers_by_message ON offers (chat_id, message_id);
