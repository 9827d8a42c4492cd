"""What an operator meets first: the version, how much the log says, and Ctrl-C."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

from bot.app import cli
from bot.config import load_config
from tests.unit.cli_support import isolate, run


def test_the_version_is_the_installed_packages(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    isolate(monkeypatch, tmp_path)
    with pytest.raises(SystemExit) as exited:
        cli.main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"mentorbot {version('mentorbot')}\n"


def test_debug_never_lets_the_library_or_the_database_log_what_people_wrote(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])  # as at the start of `mentorbot run`
    before = root.level
    try:
        cli._configure_logging(load_config({"MENTORBOT_LOG_LEVEL": "debug"}, None))
        assert root.level == logging.DEBUG
        for talkative in ("telegram", "aiosqlite", "httpx"):
            assert not logging.getLogger(talkative).isEnabledFor(logging.DEBUG), talkative
    finally:
        root.setLevel(before)


def test_ctrl_c_ends_a_command_with_status_130_and_no_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    isolate(monkeypatch, tmp_path)

    def interrupted(coroutine: Coroutine[Any, Any, Any]) -> None:
        coroutine.close()
        raise KeyboardInterrupt

    monkeypatch.setattr(asyncio, "run", interrupted)
    outcome = run(capsys, "check")
    assert outcome.code == 130
    assert "Traceback" not in outcome.err


def test_a_log_format_that_is_neither_text_nor_json_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    isolate(monkeypatch, tmp_path)
    monkeypatch.setenv("MENTORBOT_LOG_FORMAT", "xml")
    outcome = run(capsys, "check")
    assert (outcome.code, outcome.out) == (2, "")
    assert outcome.err == "mentorbot: MENTORBOT_LOG_FORMAT: must be one of text, json, not 'xml'\n"


def test_a_unit_name_that_makes_the_bots_description_too_long_is_a_bad_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Telegram would refuse the description, and strangers would see none."""
    isolate(monkeypatch, tmp_path)
    monkeypatch.setenv("MENTORBOT_UNIT_NAME", "en:the foster-care unit of the Gothenburg region")
    outcome = run(capsys, "check")
    assert outcome.code == 2
    assert outcome.err_lines == [
        "mentorbot: MENTORBOT_UNIT_NAME: makes the bot's description 534 characters in en; "
        "Telegram takes at most 512: shorten it"
    ]
    monkeypatch.setenv("MENTORBOT_UNIT_NAME", "en:the Gothenburg unit")
    assert "MENTORBOT_UNIT_NAME" not in run(capsys, "check").err
