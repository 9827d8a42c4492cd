"""The test suite: a package, so that each module is imported once, under one name."""
