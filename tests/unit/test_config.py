import re
from datetime import time, timedelta
from pathlib import Path

import pytest

from bot.config import Config, ConfigError, load_config

TOKEN = "123456:ABCdef-ghi"


def load(env: dict[str, str], env_file: Path | None = None) -> Config:
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
    assert config.event_reminders == (timedelta(hours=24),)
    assert config.gap_report_at == time(9)
    assert config.api_rate == 30
    assert config.retention == timedelta(days=30)
    assert config.broadcast_retention == timedelta(days=365)
    assert config.emergency_numbers == "112" and config.office_hours == ""
    assert "självmord" in config.urgent_words


def test_every_variable_is_read() -> None:
    config = load(
        {
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
            "MENTORBOT_BROADCAST_RETENTION_DAYS": "730",
        }
    )
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
    assert config.broadcast_retention == timedelta(days=730)
    assert load({"MENTORBOT_REMINDERS": "off"}).reminders == ()
    assert load({"MENTORBOT_EVENT_REMINDERS": "off"}).event_reminders == ()
    assert load({"MENTORBOT_EVENT_REMINDERS": "60, 2880"}).event_reminders == (
        timedelta(days=2),
        timedelta(hours=1),
    )
    assert load({"MENTORBOT_GAP_REPORT": "OFF"}).gap_report_at is None
    # As fast as the bot's overall limit allows, as a self-hosted Bot API server may.
    assert load({"MENTORBOT_BROADCAST_RATE": "10000"}).broadcast_rate == 10_000


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
        ("MENTORBOT_LOG_LEVEL", "loud"),
        ("MENTORBOT_ESCALATE_AFTER", "0"),
        ("MENTORBOT_ESCALATE_AFTER", "ten"),
        ("MENTORBOT_BROADCAST_RATE", "10001"),
        ("MENTORBOT_BROADCAST_RATE", "nan"),
        ("MENTORBOT_BROADCAST_RATE", "-1"),
        ("TELEGRAM_API_URL", "ftp://example.org"),
        ("TELEGRAM_BOT_TOKEN", "not a token"),
        ("MENTORBOT_COUNTRY", "XX"),
        ("MENTORBOT_SERVICE_HOURS_WEEKDAY", "17-22"),
        ("MENTORBOT_SERVICE_HOURS_WEEKEND", "09:00-09:00"),
        ("MENTORBOT_REMINDERS", "1h"),
        ("MENTORBOT_EVENT_REMINDERS", "1 day"),
        ("MENTORBOT_EVENT_REMINDERS", "0"),
        ("MENTORBOT_REMINDERS", "0"),
        ("MENTORBOT_GAP_REPORT", "9"),
        ("MENTORBOT_API_RATE", "0"),
        ("MENTORBOT_RETENTION_DAYS", "0"),
        ("MENTORBOT_API_RATE", "fast"),
        ("MENTORBOT_EMERGENCY_NUMBERS", "1" * 301),
        ("MENTORBOT_URGENT_WORDS", " , ,"),
        ("MENTORBOT_GAP_REPORT", "24:00"),
        ("MENTORBOT_GAP_REPORT", "9:00:00"),
        ("MENTORBOT_CONVERSATION_IDLE_HOURS", "0"),
        ("MENTORBOT_CONVERSATION_IDLE_HOURS", "twelve"),
        ("MENTORBOT_CONVERSATION_IDLE_HOURS", "-1"),
        ("MENTORBOT_CONVERSATION_IDLE_HOURS", "8785"),
        ("MENTORBOT_CONVERSATION_IDLE_HOURS", "1e3"),
        ("MENTORBOT_UNIT_NAME", "fi:perhehoitoyksikkö"),
        ("MENTORBOT_UNIT_NAME", "sv:enheten, sv:gruppen"),
        ("MENTORBOT_UNIT_NAME", "sv:, da:plejefamilieområdet"),
        ("MENTORBOT_UNIT_NAME", "x" * 61),
        ("MENTORBOT_COORDINATOR_TITLE", "sv:samordnare, da:"),
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


# --- webhooks -------------------------------------------------------------------------------

SECRET_FORM = re.compile(r"[A-Za-z0-9_-]{1,256}")


def test_without_a_webhook_url_run_polls_and_a_secret_is_made_at_each_start() -> None:
    first, second = load({}), load({})
    assert first.webhook() is None
    assert first.webhook_listen == "127.0.0.1" and first.webhook_port == 8443
    # The form Telegram accepts for setWebhook's secret_token, long enough not to be guessed.
    assert SECRET_FORM.fullmatch(first.webhook_secret) and len(first.webhook_secret) >= 32
    assert first.webhook_secret != second.webhook_secret
    assert first.webhook_secret not in repr(first)


def test_every_webhook_setting_comes_from_the_environment() -> None:
    secret = "A-z_09" * 40  # 240 characters
    config = load(
        {
            "MENTORBOT_WEBHOOK_URL": "https://bot.example.org/mentorbot/hook",
            "MENTORBOT_WEBHOOK_LISTEN": "0.0.0.0",
            "MENTORBOT_WEBHOOK_PORT": "9443",
            "MENTORBOT_WEBHOOK_SECRET": secret,
        }
    )
    webhook = config.webhook()
    assert webhook is not None
    assert (webhook.url, webhook.listen, webhook.port) == (
        "https://bot.example.org/mentorbot/hook",
        "0.0.0.0",
        9443,
    )
    assert webhook.secret == secret and secret not in repr(webhook)
    assert webhook.path == "/mentorbot/hook"
    assert webhook.url_from == "MENTORBOT_WEBHOOK_URL"
    assert webhook.port_from == "MENTORBOT_WEBHOOK_PORT"


def test_the_options_win_over_the_environment() -> None:
    config = load(
        {
            "MENTORBOT_WEBHOOK_URL": "https://bot.example.org/mentorbot/hook",
            "MENTORBOT_WEBHOOK_LISTEN": "0.0.0.0",
            "MENTORBOT_WEBHOOK_PORT": "9443",
        }
    )
    webhook = config.webhook("https://other.example.org/hook?x=1", "::1", "8080")
    assert webhook is not None
    assert (webhook.url, webhook.listen, webhook.port) == (
        "https://other.example.org/hook?x=1",
        "::1",
        8080,
    )
    assert (webhook.url_from, webhook.listen_from, webhook.port_from) == (
        "--webhook-url",
        "--listen",
        "--port",
    )
    assert webhook.path == "/hook"
    only_the_port = config.webhook(port="8081")
    assert only_the_port is not None
    assert (only_the_port.listen, only_the_port.port) == ("0.0.0.0", 8081)
    # --webhook-url alone: the address and the port from the environment, or the defaults.
    flagged = load({}).webhook("https://bot.example.org")
    assert flagged is not None
    assert (flagged.listen, flagged.port, flagged.path) == ("127.0.0.1", 8443, "/")


@pytest.mark.parametrize(
    "url",
    [
        "https://bot.example.org/mentorbot/hook",
        "HTTPS://Bot.Example.org:8443/a-b_c.d~e/",
        "http://127.0.0.1:8080/hook",  # loopback: a Bot API server on this machine
        "http://[::1]:8080/hook",
        "http://localhost/hook",
    ],
)
def test_a_good_webhook_url(url: str) -> None:
    webhook = load({"MENTORBOT_WEBHOOK_URL": url}).webhook()
    assert webhook is not None and webhook.url == url


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("MENTORBOT_WEBHOOK_URL", "http://bot.example.org/hook"),  # Telegram requires TLS
        ("MENTORBOT_WEBHOOK_URL", "http://10.0.0.5/hook"),
        ("MENTORBOT_WEBHOOK_URL", "bot.example.org/hook"),
        ("MENTORBOT_WEBHOOK_URL", "https:///hook"),
        ("MENTORBOT_WEBHOOK_URL", "https://bot.example.org:https/hook"),
        ("MENTORBOT_WEBHOOK_URL", "https://bot.example.org/a hook"),
        ("MENTORBOT_WEBHOOK_URL", "https://bot.example.org/hook#part"),
        ("MENTORBOT_WEBHOOK_URL", "https://[::1/hook"),
        ("MENTORBOT_WEBHOOK_LISTEN", "127.0.0.1:8443"),
        ("MENTORBOT_WEBHOOK_LISTEN", "every interface"),
        ("MENTORBOT_WEBHOOK_LISTEN", "-bad.example"),
        ("MENTORBOT_WEBHOOK_PORT", "0"),
        ("MENTORBOT_WEBHOOK_PORT", "65536"),
        ("MENTORBOT_WEBHOOK_PORT", "-1"),
        ("MENTORBOT_WEBHOOK_PORT", "84x3"),
        ("MENTORBOT_WEBHOOK_PORT", "８４４３"),  # full-width digits: isdigit() says yes
        ("MENTORBOT_WEBHOOK_SECRET", "a" * 257),
        ("MENTORBOT_WEBHOOK_SECRET", "with:colon"),
        ("MENTORBOT_WEBHOOK_SECRET", "base64+/="),
        ("MENTORBOT_WEBHOOK_SECRET", "hemlig-åäö"),
    ],
)
def test_a_bad_webhook_value_names_its_variable(variable: str, value: str) -> None:
    test_a_bad_value_names_its_variable(variable, value)


def test_a_bad_webhook_secret_is_never_echoed() -> None:
    for secret in ("top-secret+value", "top-secret-value-" + "x" * 300):
        with pytest.raises(ConfigError) as raised:
            load({"MENTORBOT_WEBHOOK_SECRET": secret})
        assert "top-secret" not in str(raised.value)
        assert "\n" not in str(raised.value)


def test_a_secret_at_the_limits_is_kept() -> None:
    assert load({"MENTORBOT_WEBHOOK_SECRET": "x"}).webhook_secret == "x"
    assert load({"MENTORBOT_WEBHOOK_SECRET": "-" * 256}).webhook_secret == "-" * 256


@pytest.mark.parametrize(
    ("url", "listen", "port", "option"),
    [
        ("http://bot.example.org/hook", None, None, "--webhook-url"),
        ("", None, None, "--webhook-url"),
        ("https://bot.example.org/hook", "not an address!", None, "--listen"),
        ("https://bot.example.org/hook", None, "99999", "--port"),
        ("https://bot.example.org/hook", None, "", "--port"),
        (None, "0.0.0.0", None, "--listen"),  # an option of a webhook, with no webhook
        (None, None, "8443", "--port"),
    ],
)
def test_a_bad_option_names_the_option(
    url: str | None, listen: str | None, port: str | None, option: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        load({}).webhook(url, listen, port)
    assert raised.value.variable == option
    assert str(raised.value).startswith(f"{option}: ")


def test_the_idle_time_of_a_conversation_is_twelve_hours_unless_set() -> None:
    from datetime import timedelta

    assert load({}).conversation_idle == timedelta(hours=12)
    assert load({"MENTORBOT_CONVERSATION_IDLE_HOURS": "1.5"}).conversation_idle == timedelta(
        minutes=90
    )


def test_a_question_waits_a_day_for_a_shift_and_the_coordinators_two_hours_unless_set() -> None:
    from datetime import timedelta

    assert load({}).wait_limit == timedelta(hours=24)
    assert load({}).expire_after == timedelta(minutes=120)
    assert load({"MENTORBOT_WAIT_LIMIT_HOURS": "6"}).wait_limit == timedelta(hours=6)
    assert load({"MENTORBOT_EXPIRE_AFTER": "0.5"}).expire_after == timedelta(seconds=30)


def test_an_escalation_may_come_after_part_of_a_minute_as_an_expiry_may() -> None:
    from datetime import timedelta

    assert load({}).escalate_after == timedelta(minutes=10)
    assert load({"MENTORBOT_ESCALATE_AFTER": "7.5"}).escalate_after == timedelta(seconds=450)


@pytest.mark.parametrize(
    ("variable", "raw", "unit"),
    [
        ("MENTORBOT_EXPIRE_AFTER", "0", "minutes"),
        ("MENTORBOT_EXPIRE_AFTER", "two hours", "minutes"),
        ("MENTORBOT_WAIT_LIMIT_HOURS", "-1", "hours"),
        ("MENTORBOT_RETENTION_DAYS", "1.5", "days"),
        ("MENTORBOT_BROADCAST_RETENTION_DAYS", "0", "days"),
        ("MENTORBOT_BROADCAST_RETENTION_DAYS", "a year", "days"),
        ("MENTORBOT_ESCALATE_AFTER", "ten", "minutes"),
        ("MENTORBOT_ESCALATE_AFTER", "-1", "minutes"),
    ],
)
def test_a_bad_time_limit_is_named_with_its_own_unit(variable: str, raw: str, unit: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load({variable: raw})
    assert raised.value.variable == variable
    assert f" {unit} " in str(raised.value)


def test_the_unit_and_the_title_are_one_name_for_all_languages_or_one_per_language() -> None:
    defaults = load({}).terms
    assert defaults.unit == {
        "sv": "familjehemsenheten",
        "da": "plejefamilieområdet",
        "en": "the foster-care unit",
    }
    assert defaults.coordinator["sv"] == "familjehemssekreterare"
    one = load({"MENTORBOT_COORDINATOR_TITLE": "samordnare"}).terms.coordinator
    assert one == {"sv": "samordnare", "da": "samordnare", "en": "samordnare"}
    # A comma inside a name is the name's; a language left out keeps its default.
    each = load({"MENTORBOT_UNIT_NAME": "sv:enheten för familjehem, Örebro, en:the unit"})
    assert each.terms.unit == {
        "sv": "enheten för familjehem, Örebro",
        "da": "plejefamilieområdet",
        "en": "the unit",
    }
    # Words before a colon that are not a language code are part of a plain name.
    plain = load({"MENTORBOT_UNIT_NAME": "Enheten: familjehem"}).terms.unit
    assert set(plain.values()) == {"Enheten: familjehem"}
