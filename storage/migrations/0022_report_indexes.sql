-- Indexes the coordinators' reports were missing (tests/unit/test_hot_path_plans.py finds a
-- statement that scans a growing table, or reads all of its history):
-- /stats read every request ever asked to find those asked in its period; a period's shifts
-- were found by their start, reading every shift before the period as well (a year of them for
-- the coming week's /rota), and so were the adults on duty for each new question.
CREATE INDEX requests_by_opening ON requests (opened_at);
CREATE INDEX shifts_by_end ON shifts (ends_at);
