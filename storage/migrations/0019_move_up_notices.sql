-- Whether a household moved up from the waiting list (`moved_up_at`, 0017_event_attendance.sql)
-- was told it has a place: NULL until the notice has gone. The move writes `moved_up_at` in
-- its own transaction, so a move with no `moved_up_told_at` is one still to tell, also when the
-- bot stopped between the two; it is told at the next start. The moves made before this
-- migration were told in the same breath as they were made, so they count as told.
ALTER TABLE event_signups ADD COLUMN moved_up_told_at TEXT;
UPDATE event_signups SET moved_up_told_at = moved_up_at WHERE moved_up_at IS NOT NULL;
