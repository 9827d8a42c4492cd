-- The running bot's sign of life, for `mentorbot check --live` and the container's health
-- check: written every half minute by the bot's scheduler, so a fresh row proves the process,
-- its scheduler and its database writes all work. One row; `problem` names what the bot found
-- wrong with itself (the Bot API not answering its polls), or says it stopped.
CREATE TABLE heartbeat (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    beat_at  TEXT NOT NULL,
    problem  TEXT
);
