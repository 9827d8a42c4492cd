-- Safe relay: a mentor's message that could belong to several conversations waits here until
-- the mentor picks the family with a button. Only where the message is (their own chat) is
-- kept, never what it says; it goes when the mentor chooses, or with the member. The items of
-- an album wait together: each after the first names the first in `album_of`.
CREATE TABLE unaddressed_messages (
    id          INTEGER PRIMARY KEY,
    member_id   INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    chat_id     INTEGER NOT NULL,
    message_id  INTEGER NOT NULL,
    received_at TEXT    NOT NULL,
    album_of    INTEGER REFERENCES unaddressed_messages (id) ON DELETE CASCADE
);
CREATE INDEX unaddressed_messages_by_member ON unaddressed_messages (member_id);

-- Whether the adult was told, the first time they sent a picture or a file, that nothing can
-- read an identity number inside one.
ALTER TABLE members ADD COLUMN told_files_unchecked INTEGER NOT NULL DEFAULT 0;
