"""What the command-line tests share: a clean environment, and one run of `mentorbot`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.app import cli


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()


def isolate(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """No `.env`, no variables from the shell; the working directory is an empty folder."""
    for name in list(os.environ):
        if name.startswith(("MENTORBOT_", "TELEGRAM_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(folder)  # load_config reads ./.env; there is none here
    monkeypatch.setenv("MENTORBOT_TIMEZONE", "Europe/Stockholm")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> Outcome:
    """`mentorbot ARGV` in this process: its exit status and what it printed."""
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return Outcome(code, captured.out, captured.err)


def isolate_with_database(monkeypatch: pytest.MonkeyPatch, folder: Path) -> Path:
    """`isolate`, and MENTORBOT_DB naming `mentorbot.db` in `folder`: the path, for seeding."""
    isolate(monkeypatch, folder)
    database = folder / "mentorbot.db"
    monkeypatch.setenv("MENTORBOT_DB", str(database))
    return database
