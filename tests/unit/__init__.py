"""Unit tests: the domain, storage and the command line, in this process."""
