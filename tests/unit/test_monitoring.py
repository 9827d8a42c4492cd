"""How the heartbeat is judged, and the status port's configuration."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.config import ConfigError, load_config
from bot.monitoring import STALE_AFTER, STOPPED, Heartbeat, verdict

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def test_a_fresh_heartbeat_without_a_problem_is_well() -> None:
    assert verdict(Heartbeat(NOW - timedelta(seconds=20), None), NOW) is None


def test_a_fresh_heartbeat_passes_on_what_the_bot_found_wrong() -> None:
    problem = "the Bot API has not answered getUpdates for 75 s"
    assert verdict(Heartbeat(NOW - timedelta(seconds=5), problem), NOW) == problem


def test_a_heartbeat_older_than_three_beats_is_an_outage() -> None:
    line = verdict(Heartbeat(NOW - STALE_AFTER - timedelta(seconds=1), None), NOW)
    assert line is not None and line.startswith("the last heartbeat is 91 s ago"), line
    assert verdict(Heartbeat(NOW - STALE_AFTER, None), NOW) is None


def test_a_stopped_bot_and_one_never_started_say_so() -> None:
    assert verdict(Heartbeat(NOW - timedelta(minutes=3), STOPPED), NOW) == (
        "the bot stopped 3 min ago"
    )
    line = verdict(None, NOW)
    assert line is not None and line.startswith("no heartbeat"), line


def test_the_status_port_is_off_unless_set_and_checked_as_a_port() -> None:
    assert load_config({}, env_file=None).metrics_port is None
    assert load_config({"MENTORBOT_METRICS_PORT": "9464"}, env_file=None).metrics_port == 9464
    with pytest.raises(ConfigError, match=r"^MENTORBOT_METRICS_PORT: must be a TCP port"):
        load_config({"MENTORBOT_METRICS_PORT": "http"}, env_file=None)
