from datetime import time, timedelta
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config

TOKEN = "123456:ABCdef-ghi"


def load(env: dict[str, str], env_file: Path | None = None):
    return load_config(env, env_file=env_file)


def test_defaults_follow_the_spec() -> None:
    config = load({})
    assert config.token is None
    assert config.api_url == "https://api.telegram.org"
    assert config.db_path == Path("mentorbot.db")
    assert config.timezone.key == "Europe/Stockholm"
    assert config.coordinators == frozenset()
    assert config.language == "sv"
    assert config.escalate_after == timedelta(minutes=10)
    assert config.broadcast_rate == 25
    assert config.service_hours.country == "SE"
    assert config.service_hours.weekday == (time(17), time(22))
    assert config.service_hours.weekend == (time(9), time(22))
    assert config.reminders == (timedelta(hours=24), timedelta(hours=1))
    assert config.gap_report_at == time(9)
    assert config.api_rate == 30
    assert config.retention == timedelta(days=30)
    assert config.emergency_numbers == "112" and config.office_hours == ""
    assert "självmord" in config.urgent_words


def test_every_variable_is_read() -> None:
    config = load({
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": "http://127.0.0.1:8081/",
        "MENTORBOT_DB": "/var/lib/mentorbot/db.sqlite",
        "MENTORBOT_TIMEZONE": "Europe/Copenhagen",
        "MENTORBOT_COORDINATORS": " 11, 22 ,33",
        "MENTORBOT_LANGUAGE": "da",
        "MENTORBOT_ESCALATE_AFTER": "15",
        "MENTORBOT_BROADCAST_RATE": "12.5",
        "MENTORBOT_COUNTRY": "dk",
        "MENTORBOT_SERVICE_HOURS_WEEKDAY": "18:00-23:00",
        "MENTORBOT_SERVICE_HOURS_WEEKEND": "10:00-02:00",
        "MENTORBOT_REMINDERS": "60, 30,120",
        "MENTORBOT_GAP_REPORT": "7:30",
    })
    assert config.require_token() == TOKEN
    assert config.api_url == "http://127.0.0.1:8081"
    assert config.timezone.key == "Europe/Copenhagen"
    assert config.coordinators == {11, 22, 33}
    assert config.language == "da"
    assert config.escalate_after == timedelta(minutes=15)
    assert config.broadcast_rate == 12.5
    assert config.service_hours.country == "DK"
    assert config.service_hours.weekend == (time(10), time(2))
    assert config.reminders == tuple(timedelta(minutes=m) for m in (120, 60, 30))
    assert config.gap_report_at == time(7, 30)
    assert load({"MENTORBOT_REMINDERS": "off"}).reminders == ()
    assert load({"MENTORBOT_GAP_REPORT": "OFF"}).gap_report_at is None


def test_env_file_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("MENTORBOT_LANGUAGE=en\nMENTORBOT_TIMEZONE='Europe/Copenhagen'\n# note\n")
    config = load({"MENTORBOT_LANGUAGE": "da"}, env_file)
    assert config.language == "da"
    assert config.timezone.key == "Europe/Copenhagen"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("MENTORBOT_TIMEZONE", "Mars/Olympus_Mons"),
        ("MENTORBOT_TIMEZONE", "../../etc/passwd"),
        ("MENTORBOT_COORDINATORS", "12,abc"),
        ("MENTORBOT_COORDINATORS", "-5"),
        ("MENTORBOT_LANGUAGE", "de"),
        ("MENTORBOT_ESCALATE_AFTER", "0"),
        ("MENTORBOT_ESCALATE_AFTER", "ten"),
        ("MENTORBOT_BROADCAST_RATE", "1001"),
        ("MENTORBOT_BROADCAST_RATE", "nan"),
        ("MENTORBOT_BROADCAST_RATE", "-1"),
        ("TELEGRAM_API_URL", "ftp://example.org"),
        ("TELEGRAM_BOT_TOKEN", "not a token"),
        ("MENTORBOT_COUNTRY", "XX"),
        ("MENTORBOT_SERVICE_HOURS_WEEKDAY", "17-22"),
        ("MENTORBOT_SERVICE_HOURS_WEEKEND", "09:00-09:00"),
        ("MENTORBOT_REMINDERS", "1h"),
        ("MENTORBOT_REMINDERS", "0"),
        ("MENTORBOT_GAP_REPORT", "9"),
        ("MENTORBOT_API_RATE", "0"),
        ("MENTORBOT_RETENTION_DAYS", "0"),
        ("MENTORBOT_API_RATE", "fast"),
        ("MENTORBOT_EMERGENCY_NUMBERS", "1" * 301),
        ("MENTORBOT_URGENT_WORDS", " , ,"),
        ("MENTORBOT_GAP_REPORT", "24:00"),
        ("MENTORBOT_GAP_REPORT", "9:00:00"),
    ],
)
def test_a_bad_value_names_its_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load({variable: value})
    assert raised.value.variable == variable
    assert str(raised.value).startswith(f"{variable}: ")


def test_a_malformed_token_is_never_echoed() -> None:
    with pytest.raises(ConfigError) as raised:
        load({"TELEGRAM_BOT_TOKEN": "secret-value-without-colon"})
    assert "secret-value" not in str(raised.value)


def test_the_token_is_required_only_when_asked_for() -> None:
    config = load({})
    with pytest.raises(ConfigError) as raised:
        config.require_token()
    assert raised.value.variable == "TELEGRAM_BOT_TOKEN"
