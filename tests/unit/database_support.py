"""Another process holding SQLite's write lock, for the tests of what waits for it."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BUSY_MS = 50  # SQLite's own wait, kept short so that the bounded wait is what is tested


@contextmanager
def write_lock_held_elsewhere(path: Path) -> Iterator[threading.Event]:
    """Another connection takes the write lock and keeps it until the event is set."""
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        locked.set()
        release.wait(timeout=30)
        other.execute("COMMIT")
        other.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert locked.wait(timeout=5)
    try:
        yield release
    finally:
        release.set()
        holder.join()
