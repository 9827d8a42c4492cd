"""`mentorbot run` with a webhook, in-process: what reaches the library, and each refusal.

The application is replaced by a stand-in that records how it was asked to run; the real bot
behind a real webhook is tests/e2e/test_webhook.py's.
"""

from __future__ import annotations

import argparse
import logging
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from telegram.error import BadRequest

import bot.app.application
from bot.app import cli
from bot.config import Config, load_config
from handlers.gate import ALLOWED_UPDATES
from tests.unit.cli_support import isolate, run

SECRET = "unit-test_webhook-secret-0123456789"
SECRET_FORM = re.compile(r"[A-Za-z0-9_-]{1,256}")
# How `run` polls: the stop signals are its own (a deadline on the stop), not the library's.
POLLING = ("polling", {"allowed_updates": ALLOWED_UPDATES, "stop_signals": None})


class StandIn:
    """The application, as far as `run` uses it: how it was asked to run."""

    def __init__(self, refusal: Exception | None = None) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._refusal = refusal

    def run_webhook(self, **kwargs: Any) -> None:
        self.calls.append(("webhook", kwargs))
        if self._refusal is not None:
            raise self._refusal

    def run_polling(self, **kwargs: Any) -> None:
        self.calls.append(("polling", kwargs))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    isolate(monkeypatch, tmp_path)
    monkeypatch.setenv("MENTORBOT_DB", str(tmp_path / "mentorbot.db"))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "424242:unit-test-token")
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:9")  # nothing is ever sent there
    monkeypatch.setattr(cli, "_configure_logging", lambda config: None)
    return tmp_path


@pytest.fixture
def application(monkeypatch: pytest.MonkeyPatch) -> StandIn:
    stand_in = StandIn()
    monkeypatch.setattr(bot.app.application, "build_application", lambda config, bot_api: stand_in)
    return stand_in


def webhook_call(application: StandIn) -> dict[str, Any]:
    ((how, kwargs),) = application.calls
    assert how == "webhook"
    return kwargs


def listens_on(url_path: str, path: str) -> bool:
    """Whether the library's server answers at `path`: it serves the pattern `url_path/?`."""
    return re.fullmatch(rf"{url_path}/?", path) is not None


def test_run_takes_every_webhook_setting_from_the_environment(
    clean_env: Path,
    application: StandIn,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    port = free_port()
    monkeypatch.setenv("MENTORBOT_WEBHOOK_URL", "https://bot.example.org/mentorbot/hook")
    monkeypatch.setenv("MENTORBOT_WEBHOOK_PORT", str(port))
    monkeypatch.setenv("MENTORBOT_WEBHOOK_SECRET", SECRET)

    assert run(capsys, "run").code == 0

    call = webhook_call(application)
    assert call["webhook_url"] == "https://bot.example.org/mentorbot/hook"
    assert (call["listen"], call["port"]) == ("127.0.0.1", port)
    assert call["secret_token"] == SECRET
    assert call["allowed_updates"] == ALLOWED_UPDATES
    assert listens_on(call["url_path"], "/mentorbot/hook")
    assert not listens_on(call["url_path"], "/")


def test_the_options_win_over_the_environment(
    clean_env: Path,
    application: StandIn,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("MENTORBOT_WEBHOOK_URL", "https://bot.example.org/from-the-environment")
    monkeypatch.setenv("MENTORBOT_WEBHOOK_LISTEN", "0.0.0.0")
    monkeypatch.setenv("MENTORBOT_WEBHOOK_PORT", "1")  # nobody may listen there
    port = free_port()

    outcome = run(
        capsys,
        "run",
        "--webhook-url",
        "https://hook.example.org/mentorbot+1/in",
        "--listen",
        "127.0.0.1",
        "--port",
        str(port),
    )

    assert outcome.code == 0, outcome.err
    call = webhook_call(application)
    assert call["webhook_url"] == "https://hook.example.org/mentorbot+1/in"
    assert (call["listen"], call["port"]) == ("127.0.0.1", port)
    # The path is taken as it is written, not as a pattern: "+" is a plus.
    assert listens_on(call["url_path"], "/mentorbot+1/in")
    assert not listens_on(call["url_path"], "/mentorbottt1/in")


def test_without_the_variable_a_new_secret_is_made_at_each_start(
    clean_env: Path,
    application: StandIn,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("MENTORBOT_WEBHOOK_URL", "https://bot.example.org/hook")
    monkeypatch.setenv("MENTORBOT_WEBHOOK_PORT", str(free_port()))
    secrets = []
    for _ in range(2):
        outcome = run(capsys, "run")
        assert outcome.code == 0
        secret = application.calls.pop()[1]["secret_token"]
        assert SECRET_FORM.fullmatch(secret) and len(secret) >= 32
        assert secret not in outcome.out + outcome.err
        secrets.append(secret)
    assert secrets[0] != secrets[1]


def test_without_a_webhook_url_run_polls_as_before(
    clean_env: Path, application: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "run").code == 0
    assert application.calls == [POLLING]


def test_the_sandbox_polls_even_with_a_webhook_url_set(
    clean_env: Path, application: StandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sandbox runs the bot with `_run(config, args)`: never the live bot's webhook."""
    monkeypatch.setenv("MENTORBOT_WEBHOOK_URL", "https://bot.example.org/hook")
    config: Config = load_config()
    assert cli._run(config, argparse.Namespace(webhook_url=None)) == 0
    assert application.calls == [POLLING]


def test_a_secret_on_the_command_line_is_refused(
    clean_env: Path, application: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    outcome = run(
        capsys,
        "run",
        "--webhook-url",
        "https://bot.example.org/hook",
        "--secret-token",
        "seen-by-ps",
    )
    assert outcome.code == 2
    (line,) = outcome.err_lines
    assert line.startswith("mentorbot: --secret-token: is not accepted")
    assert "MENTORBOT_WEBHOOK_SECRET" in line and "seen-by-ps" not in line
    assert application.calls == []


@pytest.mark.parametrize(
    ("argv", "environment", "named"),
    [
        (["--port", "84x3"], {"MENTORBOT_WEBHOOK_URL": "https://b.example.org/h"}, "--port"),
        (["--port", "70000", "--webhook-url", "https://b.example.org/h"], {}, "--port"),
        (["--listen", "every one", "--webhook-url", "https://b.example.org/h"], {}, "--listen"),
        (["--webhook-url", "http://bot.example.org/hook"], {}, "--webhook-url"),
        (["--webhook-url", ""], {}, "--webhook-url"),
        (["--port", "8443"], {}, "--port"),  # a webhook's option, and no webhook
        ([], {"MENTORBOT_WEBHOOK_URL": "ftp://bot.example.org/"}, "MENTORBOT_WEBHOOK_URL"),
        ([], {"MENTORBOT_WEBHOOK_PORT": "eighty"}, "MENTORBOT_WEBHOOK_PORT"),
        ([], {"MENTORBOT_WEBHOOK_LISTEN": "1.2.3.4:80"}, "MENTORBOT_WEBHOOK_LISTEN"),
        ([], {"MENTORBOT_WEBHOOK_SECRET": "has spaces"}, "MENTORBOT_WEBHOOK_SECRET"),
    ],
)
def test_a_bad_webhook_setting_is_one_line_and_exit_2(
    clean_env: Path,
    application: StandIn,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    environment: dict[str, str],
    named: str,
) -> None:
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)
    outcome = run(capsys, "run", *argv)
    assert outcome.code == 2
    (line,) = outcome.err_lines
    assert line.startswith(f"mentorbot: {named}: ")
    assert application.calls == []
    assert not (clean_env / "mentorbot.db").exists()


@pytest.fixture
def held_port() -> Iterator[int]:
    """A port somebody else is listening on."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield int(other.getsockname()[1])


def test_a_port_in_use_is_one_line_naming_where_the_port_came_from(
    clean_env: Path,
    application: StandIn,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    held_port: int,
) -> None:
    monkeypatch.setenv("MENTORBOT_WEBHOOK_URL", "https://bot.example.org/hook")
    monkeypatch.setenv("MENTORBOT_WEBHOOK_PORT", str(held_port))
    outcome = run(capsys, "run")
    assert outcome.code == 2
    assert outcome.err_lines == [
        f"mentorbot: MENTORBOT_WEBHOOK_PORT: cannot listen on 127.0.0.1:{held_port}: "
        "Address already in use"
    ]
    outcome = run(capsys, "run", "--port", str(held_port))
    (line,) = outcome.err_lines
    assert line.startswith("mentorbot: --port: cannot listen on ")
    assert application.calls == []  # Telegram was not told to post where nobody listens


def test_an_address_of_another_machine_is_one_line_naming_the_address(
    clean_env: Path,
    application: StandIn,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("MENTORBOT_WEBHOOK_URL", "https://bot.example.org/hook")
    monkeypatch.setenv("MENTORBOT_WEBHOOK_LISTEN", "192.0.2.1")  # TEST-NET-1: never ours
    outcome = run(capsys, "run")
    assert outcome.code == 2
    (line,) = outcome.err_lines
    assert line.startswith("mentorbot: MENTORBOT_WEBHOOK_LISTEN: cannot listen on 192.0.2.1:8443")


def test_a_webhook_the_bot_api_refuses_is_one_line_naming_the_url(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    refused = StandIn(BadRequest("Bad Request: bad webhook: An HTTPS URL must be provided"))
    monkeypatch.setattr(bot.app.application, "build_application", lambda config, bot_api: refused)
    port = str(free_port())
    # Plain http to loopback passes the configuration (a Bot API server of one's own).
    url = f"http://127.0.0.1:{port}/hook"
    outcome = run(capsys, "run", "--webhook-url", url, "--port", port)
    assert outcome.code == 2
    assert outcome.err_lines == [
        "mentorbot: --webhook-url: the Bot API refused it: "
        "Bad webhook: an https url must be provided"
    ]


def test_the_log_never_shows_the_token_or_the_secret(clean_env: Path) -> None:
    """Should a library ever log a request's parameters, neither leaves in the log."""
    config = load_config()
    formatter = cli._log_formatter(config)
    parameters = (f"bot{config.token}/setWebhook", {"secret_token": config.webhook_secret})
    record = logging.LogRecord(
        "telegram.Bot", logging.INFO, __file__, 1, "setWebhook %s %s", parameters, None
    )
    message = formatter.format(record)
    assert config.webhook_secret not in message and str(config.token) not in message
    assert message.endswith("setWebhook bot[token]/setWebhook {'secret_token': '[webhook secret]'}")
