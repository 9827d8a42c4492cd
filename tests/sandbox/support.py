"""What the double's tests share besides fixtures: its token, and a clock they move by hand."""

from __future__ import annotations

TOKEN = "123456:sandbox"


class FakeClock:
    """A settable monotonic clock for deterministic flood-control arithmetic."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
