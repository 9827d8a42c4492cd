"""One running bot per database: an exclusive lease on a lock file beside it.

Two bots on one database would both poll Telegram, send every reminder twice and double the
send rate. `mentorbot run` and `mentorbot sandbox` therefore take the lease before anything
else, and hold it for the life of the process; the commands that may run beside a live bot
(`invite`, `check`, `migrate`, `rota`, `stats`) do not take it.

The lease is an OS advisory lock (`flock`) on `<database>.lock`. The kernel releases it when
the process ends in any way, `kill -9` and a power cut included, so a crashed bot never keeps
its own restart out, and there is no stale lock to clean up. The file itself stays: removing
it would let a second bot lock a new file while the first still holds the old one. It holds
the holder's process id, for a person looking.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType


class LeaseHeld(Exception):
    """Another process holds the lease on this database."""

    def __init__(self, database: Path, lock_path: Path) -> None:
        super().__init__(f"another Mentorbot is already running on {database} (lock {lock_path})")
        self.database = database
        self.lock_path = lock_path


def lock_path(database: Path) -> Path:
    """`<database>.lock`, beside the file the path really names (through symbolic links)."""
    real = database.resolve()
    return real.with_name(real.name + ".lock")


class Lease:
    """The exclusive lease on one database; `with Lease.take(path):` holds it for the block."""

    def __init__(self, fd: int, path: Path) -> None:
        self._fd: int | None = fd
        self.path = path

    @classmethod
    def take(cls, database: Path) -> Lease:
        """Take the lease at once or raise LeaseHeld; an unusable folder raises OSError."""
        path = lock_path(database)
        # Not inherited by child processes (os.open's default), which would otherwise keep
        # the lock after the bot itself is gone.
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise LeaseHeld(database, path) from None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        return cls(fd, path)

    def release(self) -> None:
        """Give the lease back (closing the file is what releases the lock); idempotent."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)

    def __enter__(self) -> Lease:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()
