"""End-to-end tests: the real bot as a separate process against the Bot API double."""
