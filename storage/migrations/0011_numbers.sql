-- Numbers are never reused. A row's id is the number people see and type (`/remove 6`, a
-- shift in `/shift del`, a question, a broadcast) and the number a button carries. SQLite
-- hands out max(id) + 1, so deleting the newest row gave its number to the next one, and an
-- old list, button or CSV row then meant someone else. `numbers` keeps the highest number each
-- kind has ever handed out; an insert takes the next one (storage/numbers.py), and the
-- triggers below refuse any insert that does not, then move the mark on, in the insert's own
-- statement. (Rebuilding the tables with AUTOINCREMENT is not safe here: with foreign keys on,
-- which a transaction cannot switch off, dropping the old table deletes every row first, and
-- that cascades to the tables that reference it.)
CREATE TABLE numbers (
    kind    TEXT    PRIMARY KEY,
    highest INTEGER NOT NULL
);

-- Seeded from the rows there are and, for what the audit log names ("member #12 (family)",
-- "shift #5", "broadcast #3 to families"), from the numbers of rows deleted before this
-- migration, so that not even those come back.
INSERT INTO numbers (kind, highest) VALUES
    ('members', max(
        (SELECT coalesce(max(id), 0) FROM members),
        (SELECT coalesce(max(CAST(substr(subject, 9) AS INTEGER)), 0) FROM audit_log
         WHERE subject LIKE 'member #%')
    )),
    ('shifts', max(
        (SELECT coalesce(max(id), 0) FROM shifts),
        (SELECT coalesce(max(CAST(substr(subject, 8) AS INTEGER)), 0) FROM audit_log
         WHERE subject LIKE 'shift #%')
    )),
    ('broadcasts', max(
        (SELECT coalesce(max(id), 0) FROM broadcasts),
        (SELECT coalesce(max(CAST(substr(subject, 12) AS INTEGER)), 0) FROM audit_log
         WHERE subject LIKE 'broadcast #%')
    )),
    ('requests', (SELECT coalesce(max(id), 0) FROM requests)),
    ('shift_swaps', (SELECT coalesce(max(id), 0) FROM shift_swaps)),
    ('invites', (SELECT coalesce(max(id), 0) FROM invites)),
    ('unaddressed_messages', (SELECT coalesce(max(id), 0) FROM unaddressed_messages));

CREATE TRIGGER members_number_is_new BEFORE INSERT ON members
WHEN NEW.id IS NULL OR NEW.id <= (SELECT highest FROM numbers WHERE kind = 'members')
BEGIN SELECT RAISE(ABORT, 'members: a number is never handed out twice'); END;
CREATE TRIGGER members_number_taken AFTER INSERT ON members
BEGIN UPDATE numbers SET highest = NEW.id WHERE kind = 'members'; END;

CREATE TRIGGER shifts_number_is_new BEFORE INSERT ON shifts
WHEN NEW.id IS NULL OR NEW.id <= (SELECT highest FROM numbers WHERE kind = 'shifts')
BEGIN SELECT RAISE(ABORT, 'shifts: a number is never handed out twice'); END;
CREATE TRIGGER shifts_number_taken AFTER INSERT ON shifts
BEGIN UPDATE numbers SET highest = NEW.id WHERE kind = 'shifts'; END;

CREATE TRIGGER broadcasts_number_is_new BEFORE INSERT ON broadcasts
WHEN NEW.id IS NULL OR NEW.id <= (SELECT highest FROM numbers WHERE kind = 'broadcasts')
BEGIN SELECT RAISE(ABORT, 'broadcasts: a number is never handed out twice'); END;
CREATE TRIGGER broadcasts_number_taken AFTER INSERT ON broadcasts
BEGIN UPDATE numbers SET highest = NEW.id WHERE kind = 'broadcasts'; END;

CREATE TRIGGER requests_number_is_new BEFORE INSERT ON requests
WHEN NEW.id IS NULL OR NEW.id <= (SELECT highest FROM numbers WHERE kind = 'requests')
BEGIN SELECT RAISE(ABORT, 'requests: a number is never handed out twice'); END;
CREATE TRIGGER requests_number_taken AFTER INSERT ON requests
BEGIN UPDATE numbers SET highest = NEW.id WHERE kind = 'requests'; END;

CREATE TRIGGER shift_swaps_number_is_new BEFORE INSERT ON shift_swaps
WHEN NEW.id IS NULL OR NEW.id <= (SELECT highest FROM numbers WHERE kind = 'shift_swaps')
BEGIN SELECT RAISE(ABORT, 'shift_swaps: a number is never handed out twice'); END;
CREATE TRIGGER shift_swaps_number_taken AFTER INSERT ON shift_swaps
BEGIN UPDATE numbers SET highest = NEW.id WHERE kind = 'shift_swaps'; END;

CREATE TRIGGER invites_number_is_new BEFORE INSERT ON invites
WHEN NEW.id IS NULL OR NEW.id <= (SELECT highest FROM numbers WHERE kind = 'invites')
BEGIN SELECT RAISE(ABORT, 'invites: a number is never handed out twice'); END;
CREATE TRIGGER invites_number_taken AFTER INSERT ON invites
BEGIN UPDATE numbers SET highest = NEW.id WHERE kind = 'invites'; END;

CREATE TRIGGER unaddressed_messages_number_is_new BEFORE INSERT ON unaddressed_messages
WHEN NEW.id IS NULL
    OR NEW.id <= (SELECT highest FROM numbers WHERE kind = 'unaddressed_messages')
BEGIN SELECT RAISE(ABORT, 'unaddressed_messages: a number is never handed out twice'); END;
CREATE TRIGGER unaddressed_messages_number_taken AFTER INSERT ON unaddressed_messages
BEGIN UPDATE numbers SET highest = NEW.id WHERE kind = 'unaddressed_messages'; END;
