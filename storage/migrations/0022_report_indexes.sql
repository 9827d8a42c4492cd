-- An index the evaluation report was missing (tests/unit/test_hot_path_plans.py finds a
-- statement that scans a growing table): /stats read every request ever asked to find those
-- asked in its period.
CREATE INDEX requests_by_opening ON requests (opened_at);
