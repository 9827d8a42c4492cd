"""Configuration from the environment and a `.env` file, validated once at start.

Every bad value raises `ConfigError` naming the variable, so the command line can print one
line and exit 2 instead of failing later, halfway through a foster family's request.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import time, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

from bot.matching import DEFAULT_RULES, Experience, MatchingRules
from bot.service_hours import InvalidHours, ServiceHours, UnknownCountry
from bot.urgent import DEFAULT_URGENT_WORDS, parse_urgent_words

LANGUAGES = ("sv", "da", "en")
DEFAULT_API_URL = "https://api.telegram.org"
# Telegram allows about 30 messages a second overall for free and up to 1,000 with paid
# broadcasts; a self-hosted Bot API server or the benchmark's double may allow more still. The
# broadcast rate may be as high as the overall one, which bounds it anyway (every send passes
# the bot's limiter), so that a benchmark measures how fast the outbox is, not its setting.
MAX_API_RATE = 10_000.0
MAX_BROADCAST_RATE = MAX_API_RATE
DEFAULT_WEBHOOK_LISTEN = "127.0.0.1"
DEFAULT_WEBHOOK_PORT = 8443
DEFAULT_HOUSEHOLD_ADULTS = 2
MAX_PORT = 65535
# What Telegram accepts as a webhook's secret token (setWebhook's secret_token).
MAX_WEBHOOK_SECRET = 256
_WEBHOOK_SECRET_CHARACTERS = re.compile(r"[A-Za-z0-9_-]+")
_HOST_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?"
_HOST_NAME = re.compile(rf"(?=.{{1,253}}\Z){_HOST_LABEL}(\.{_HOST_LABEL})*")


@dataclass(frozen=True, slots=True)
class Terms:
    """What the municipality calls its foster-care unit and its coordinators, per language.

    Each is written as it reads inside a sentence ("familjehemsenheten", "the foster-care
    unit"); a coordinator's title as it reads after "en", "din" or "som" (one form serves
    all the texts, which are written so that no other form is needed).
    """

    unit: Mapping[str, str]
    coordinator: Mapping[str, str]


DEFAULT_TERMS = Terms(
    unit={"sv": "familjehemsenheten", "da": "plejefamilieområdet", "en": "the foster-care unit"},
    coordinator={
        "sv": "familjehemssekreterare",
        "da": "anbringelseskonsulent",
        "en": "coordinator",
    },
)
TERM_LIMIT = 60
# "sv:Familjehemsenheten, da:Plejefamilieområdet": a language code and a colon begin each part.
_PER_LANGUAGE = re.compile(r"(?:^|,)\s*([a-z]{2}):")


class ConfigError(Exception):
    """A configuration value is missing or malformed; the message names the variable."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable


@dataclass(frozen=True, slots=True)
class Webhook:
    """Where Telegram posts updates, where the bot listens for them, and the secret that shows
    a post came from Telegram: only Telegram (told with setWebhook) and the bot know it."""

    url: str
    listen: str
    port: int
    secret: str = field(repr=False)
    # The variable or option each value came from, to name when it cannot be used.
    url_from: str = "MENTORBOT_WEBHOOK_URL"
    listen_from: str = "MENTORBOT_WEBHOOK_LISTEN"
    port_from: str = "MENTORBOT_WEBHOOK_PORT"

    @property
    def path(self) -> str:
        """The path the bot listens on: the URL's own, as a proxy in front passes it on."""
        return urlsplit(self.url).path or "/"


@dataclass(frozen=True, slots=True)
class Config:
    token: str | None
    api_url: str
    db_path: Path
    timezone: ZoneInfo
    coordinators: frozenset[int]
    language: str
    escalate_after: timedelta
    broadcast_rate: float
    # Messages a second the bot allows itself overall: Telegram's 30, unless a self-hosted
    # Bot API server (or the benchmark's double) allows more.
    api_rate: float
    service_hours: ServiceHours
    # How long before a shift its mentors are reminded, longest first.
    reminders: tuple[timedelta, ...]
    # How long before an event the households with a place are reminded, longest first.
    event_reminders: tuple[timedelta, ...]
    # Local time of the coordinators' morning report of gaps in the coming week; None: off.
    gap_report_at: time | None
    # The municipality's own words, shown to a family when no mentor is on duty.
    office_hours: str
    emergency_numbers: str
    # Words that make the bot answer a family with the emergency numbers at once.
    urgent_words: tuple[str, ...]
    # How long a question's content outlives its end; its metadata stays for the statistics.
    retention: timedelta
    # How long a broadcast's text and file outlive its sending; its counts stay.
    broadcast_retention: timedelta
    # A conversation in which nobody wrote for this long is closed, both sides told.
    conversation_idle: timedelta
    # A waiting question with no shift booked within this long goes to the coordinators at once.
    wait_limit: timedelta
    # A question the coordinators were offered and nobody took in this long expires.
    expire_after: timedelta
    # The most adults a household may have (each added with /partner).
    household_adults: int
    # With a webhook URL, `run` takes updates by webhook; without, by long polling.
    webhook_url: str | None
    webhook_listen: str
    webhook_port: int
    # MENTORBOT_WEBHOOK_SECRET, or one made at this start; never shown, never logged.
    webhook_secret: str = field(repr=False)
    # How much the log says: DEBUG, INFO, WARNING or ERROR.
    log_level: str = "INFO"
    # Where /healthz and /metrics are served on their own (a webhook's port serves them too).
    metrics_port: int | None = None
    metrics_listen: str = DEFAULT_WEBHOOK_LISTEN
    # How the log says it: `text` for a person, `json` (an object a line) for a log collector.
    log_format: str = "text"
    # The municipality's names for its unit and its coordinators, in each language.
    terms: Terms = DEFAULT_TERMS
    # What a mentor's Take of an open gap does: `direct` books it, `approve` asks a
    # coordinator to confirm it first.
    shift_pickup: str = "direct"
    # The course days a foster family is expected to attend in a calendar year; None: the
    # unit does not follow them (the coordinators' list and the families' count are not shown).
    course_days_expected: int | None = None
    # How routing widens: own mentor household, matching experience, everyone; the cap on
    # the conversations a mentor adult holds before others are asked first.
    matching: MatchingRules = DEFAULT_RULES
    # The most foster families one mentor household is linked to (/link).
    families_per_mentor: int = 10
    # The municipality's own experience tags, beyond bot/matching's list: (tag, label).
    extra_experience: tuple[tuple[str, str], ...] = ()
    # More hours on duty than this in a week and /rota warns the coordinator; None: off.
    max_hours_per_week: int | None = None

    @property
    def pickup_needs_approval(self) -> bool:
        return self.shift_pickup == "approve"

    def webhook(
        self, url: str | None = None, listen: str | None = None, port: str | None = None
    ) -> Webhook | None:
        """The webhook `run` serves, the options --webhook-url, --listen and --port winning over
        the variables; None: long polling. An option is checked as its variable is."""
        webhook_url = self.webhook_url if url is None else _webhook_url("--webhook-url", url)
        if webhook_url is None:
            for option, value in (("--listen", listen), ("--port", port)):
                if value is not None:
                    raise ConfigError(
                        option, "is for a webhook: give --webhook-url or set MENTORBOT_WEBHOOK_URL"
                    )
            return None
        webhook = Webhook(webhook_url, self.webhook_listen, self.webhook_port, self.webhook_secret)
        if url is not None:
            webhook = replace(webhook, url_from="--webhook-url")
        if listen is not None:
            webhook = replace(webhook, listen=_listen("--listen", listen), listen_from="--listen")
        if port is not None:
            webhook = replace(webhook, port=_port("--port", port), port_from="--port")
        return webhook

    def require_token(self) -> str:
        """The token is only needed to talk to Telegram; `migrate` and `invite` work without."""
        if not self.token:
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN", "is required; set it to the token from BotFather"
            )
        return self.token


def load_config(
    environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")
) -> Config:
    """Read the environment, falling back to `.env`; the real environment wins over the file."""
    values: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)

    def get(name: str, default: str) -> str:
        return values.get(name, "").strip() or default

    webhook_url = get("MENTORBOT_WEBHOOK_URL", "")
    return Config(
        token=_token(get("TELEGRAM_BOT_TOKEN", "")),
        api_url=_api_url(get("TELEGRAM_API_URL", DEFAULT_API_URL)),
        db_path=Path(get("MENTORBOT_DB", "mentorbot.db")),
        timezone=_timezone(get("MENTORBOT_TIMEZONE", "Europe/Stockholm")),
        coordinators=_coordinators(get("MENTORBOT_COORDINATORS", "")),
        language=_language(get("MENTORBOT_LANGUAGE", "sv")),
        escalate_after=_minutes("MENTORBOT_ESCALATE_AFTER", get("MENTORBOT_ESCALATE_AFTER", "10")),
        broadcast_rate=_rate(
            "MENTORBOT_BROADCAST_RATE", get("MENTORBOT_BROADCAST_RATE", "25"), MAX_BROADCAST_RATE
        ),
        api_rate=_rate("MENTORBOT_API_RATE", get("MENTORBOT_API_RATE", "30"), MAX_API_RATE),
        service_hours=_service_hours(
            get("MENTORBOT_SERVICE_HOURS_WEEKDAY", "17:00-22:00"),
            get("MENTORBOT_SERVICE_HOURS_WEEKEND", "09:00-22:00"),
            get("MENTORBOT_COUNTRY", "SE"),
        ),
        reminders=_reminders("MENTORBOT_REMINDERS", get("MENTORBOT_REMINDERS", "1440,60")),
        event_reminders=_reminders(
            "MENTORBOT_EVENT_REMINDERS", get("MENTORBOT_EVENT_REMINDERS", "1440"), "an event"
        ),
        gap_report_at=_gap_report_at(get("MENTORBOT_GAP_REPORT", "09:00")),
        office_hours=_text("MENTORBOT_OFFICE_HOURS", get("MENTORBOT_OFFICE_HOURS", "")),
        emergency_numbers=_text(
            "MENTORBOT_EMERGENCY_NUMBERS", get("MENTORBOT_EMERGENCY_NUMBERS", "112")
        ),
        urgent_words=_urgent_words(get("MENTORBOT_URGENT_WORDS", "")),
        retention=timedelta(
            days=_whole("MENTORBOT_RETENTION_DAYS", get("MENTORBOT_RETENTION_DAYS", "30"), "days")
        ),
        broadcast_retention=timedelta(
            days=_whole(
                "MENTORBOT_BROADCAST_RETENTION_DAYS",
                get("MENTORBOT_BROADCAST_RETENTION_DAYS", "365"),
                "days",
            )
        ),
        conversation_idle=_hours(
            "MENTORBOT_CONVERSATION_IDLE_HOURS", get("MENTORBOT_CONVERSATION_IDLE_HOURS", "12")
        ),
        wait_limit=_hours("MENTORBOT_WAIT_LIMIT_HOURS", get("MENTORBOT_WAIT_LIMIT_HOURS", "24")),
        expire_after=_minutes("MENTORBOT_EXPIRE_AFTER", get("MENTORBOT_EXPIRE_AFTER", "120")),
        household_adults=_whole(
            "MENTORBOT_HOUSEHOLD_ADULTS",
            get("MENTORBOT_HOUSEHOLD_ADULTS", str(DEFAULT_HOUSEHOLD_ADULTS)),
            "adults",
        ),
        webhook_url=_webhook_url("MENTORBOT_WEBHOOK_URL", webhook_url) if webhook_url else None,
        webhook_listen=_listen(
            "MENTORBOT_WEBHOOK_LISTEN", get("MENTORBOT_WEBHOOK_LISTEN", DEFAULT_WEBHOOK_LISTEN)
        ),
        webhook_port=_port(
            "MENTORBOT_WEBHOOK_PORT", get("MENTORBOT_WEBHOOK_PORT", str(DEFAULT_WEBHOOK_PORT))
        ),
        webhook_secret=_webhook_secret(get("MENTORBOT_WEBHOOK_SECRET", "")),
        metrics_port=_optional_port("MENTORBOT_METRICS_PORT", get("MENTORBOT_METRICS_PORT", "off")),
        metrics_listen=_listen(
            "MENTORBOT_METRICS_LISTEN", get("MENTORBOT_METRICS_LISTEN", DEFAULT_WEBHOOK_LISTEN)
        ),
        log_level=_one_of("MENTORBOT_LOG_LEVEL", get("MENTORBOT_LOG_LEVEL", "INFO"), LOG_LEVELS),
        log_format=_one_of(
            "MENTORBOT_LOG_FORMAT", get("MENTORBOT_LOG_FORMAT", "text"), LOG_FORMATS
        ),
        terms=Terms(
            unit=_per_language(
                "MENTORBOT_UNIT_NAME", get("MENTORBOT_UNIT_NAME", ""), DEFAULT_TERMS.unit
            ),
            coordinator=_per_language(
                "MENTORBOT_COORDINATOR_TITLE",
                get("MENTORBOT_COORDINATOR_TITLE", ""),
                DEFAULT_TERMS.coordinator,
            ),
        ),
        shift_pickup=_one_of(
            "MENTORBOT_SHIFT_PICKUP", get("MENTORBOT_SHIFT_PICKUP", "direct"), SHIFT_PICKUPS
        ),
        course_days_expected=_optional_whole(
            "MENTORBOT_COURSE_DAYS_EXPECTED", get("MENTORBOT_COURSE_DAYS_EXPECTED", "off"), "days"
        ),
        matching=MatchingRules(
            own_mentor_wait=_minutes(
                "MENTORBOT_OWN_MENTOR_MINUTES", get("MENTORBOT_OWN_MENTOR_MINUTES", "5")
            ),
            match_wait=_minutes("MENTORBOT_MATCH_MINUTES", get("MENTORBOT_MATCH_MINUTES", "2")),
            max_conversations=_whole(
                "MENTORBOT_MAX_CONVERSATIONS",
                get("MENTORBOT_MAX_CONVERSATIONS", "3"),
                "conversations",
            ),
        ),
        families_per_mentor=_whole(
            "MENTORBOT_FAMILIES_PER_MENTOR", get("MENTORBOT_FAMILIES_PER_MENTOR", "10"), "families"
        ),
        extra_experience=_extra_experience(get("MENTORBOT_EXTRA_EXPERIENCE", "")),
        max_hours_per_week=_optional_whole(
            "MENTORBOT_MAX_HOURS_PER_WEEK", get("MENTORBOT_MAX_HOURS_PER_WEEK", "off"), "hours"
        ),
    )


# A tag of the municipality's own: short, plain, and no tag of the built-in list.
_TAG = re.compile(r"[a-z][a-z0-9_]{0,19}")
MAX_TAG_LABEL = 40  # a button's text on a phone


def _extra_experience(raw: str) -> tuple[tuple[str, str], ...]:
    """`tag=Label,tag=Label`: the label as the coordinators want it shown, in their language."""
    name = "MENTORBOT_EXTRA_EXPERIENCE"
    found: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in raw.split(","))):
        tag, _, label = (piece.strip() for piece in item.partition("="))
        if not _TAG.fullmatch(tag) or not label or len(label) > MAX_TAG_LABEL:
            raise ConfigError(
                name,
                "must be tag=Label items separated by commas, each tag lower-case letters, "
                f"digits or _ (at most 20), each label at most {MAX_TAG_LABEL} characters, "
                f"not {item!r}",
            )
        if tag in Experience.__members__.values() or tag in found:
            raise ConfigError(name, f"names the tag {tag!r} twice or as a built-in one")
        found[tag] = label
    return tuple(found.items())


def _token(raw: str) -> str | None:
    if not raw:
        return None
    bot_id, _, secret = raw.partition(":")
    if not bot_id.isdigit() or not secret or any(c.isspace() for c in raw):
        # Never echo the value: it is a secret even when malformed.
        raise ConfigError("TELEGRAM_BOT_TOKEN", "is not a bot token (expected 123456:ABC...)")
    return raw


def _api_url(raw: str) -> str:
    if not raw.startswith(("http://", "https://")) or raw.rstrip("/") in ("http:", "https:"):
        raise ConfigError("TELEGRAM_API_URL", f"must be an http:// or https:// URL, not {raw!r}")
    return raw.rstrip("/")


def _timezone(raw: str) -> ZoneInfo:
    try:
        return ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError("MENTORBOT_TIMEZONE", f"unknown time zone {raw!r}") from None


def _coordinators(raw: str) -> frozenset[int]:
    ids: set[int] = set()
    for part in filter(None, (p.strip() for p in raw.split(","))):
        if not part.isdigit() or int(part) == 0:
            raise ConfigError(
                "MENTORBOT_COORDINATORS", f"{part!r} is not a Telegram user id (a positive number)"
            )
        ids.add(int(part))
    return frozenset(ids)


def _language(raw: str) -> str:
    if raw not in LANGUAGES:
        raise ConfigError(
            "MENTORBOT_LANGUAGE", f"must be one of {', '.join(LANGUAGES)}, not {raw!r}"
        )
    return raw


def _whole(name: str, raw: str, unit: str) -> int:
    if not raw.isdigit() or int(raw) == 0:
        raise ConfigError(name, f"must be a whole number of {unit} above 0, not {raw!r}")
    return int(raw)


def _optional_whole(name: str, raw: str, unit: str) -> int | None:
    return None if raw.lower() == "off" else _whole(name, raw, unit)


# Amounts of time as people write them ("12", "1.5"); at most a year, so a timer stays
# meaningful.
_AMOUNT = re.compile(r"[0-9]{1,6}(?:\.[0-9]{1,3})?")
MAX_HOURS = 24 * 366


def _amount(name: str, raw: str, unit: str, maximum: int) -> float:
    amount = float(raw) if _AMOUNT.fullmatch(raw) else 0.0
    if not 0 < amount <= maximum:
        raise ConfigError(
            name, f"must be a number of {unit} above 0 and at most {maximum}, not {raw!r}"
        )
    return amount


def _hours(name: str, raw: str) -> timedelta:
    return timedelta(hours=_amount(name, raw, "hours", MAX_HOURS))


def _minutes(name: str, raw: str) -> timedelta:
    return timedelta(minutes=_amount(name, raw, "minutes", MAX_HOURS * 60))


def _rate(name: str, raw: str, maximum: float) -> float:
    """Messages a second: a number above 0 and at most `maximum`."""
    try:
        rate = float(raw)
    except ValueError:
        rate = float("nan")
    if not 0 < rate <= maximum:
        raise ConfigError(
            name, f"must be messages per second above 0 and at most {maximum:g}, not {raw!r}"
        )
    return rate


def _service_hours(weekday: str, weekend: str, country: str) -> ServiceHours:
    for variable, hours in (
        ("MENTORBOT_SERVICE_HOURS_WEEKDAY", weekday),
        ("MENTORBOT_SERVICE_HOURS_WEEKEND", weekend),
    ):
        try:
            ServiceHours.parse(hours, hours, "SE")
        except InvalidHours as error:
            raise ConfigError(variable, str(error)) from None
    try:
        return ServiceHours.parse(weekday, weekend, country)
    except UnknownCountry as error:
        raise ConfigError("MENTORBOT_COUNTRY", str(error)) from None


def _reminders(variable: str, raw: str, what: str = "a shift") -> tuple[timedelta, ...]:
    """Minutes before `what` starts, comma-separated ("1440,60"); "off" sends no reminders."""
    if raw.lower() == "off":
        return ()
    minutes = {part.strip() for part in raw.split(",") if part.strip()}
    if not all(part.isdigit() and 0 < int(part) <= 7 * 24 * 60 for part in minutes):
        raise ConfigError(
            variable,
            f"must be minutes before {what}, such as 1440,60 (at most a week), or off, not {raw!r}",
        )
    return tuple(sorted((timedelta(minutes=int(m)) for m in minutes), reverse=True))


def _gap_report_at(raw: str) -> time | None:
    """A local clock time ("09:00") for the daily gap report, or "off"."""
    if raw.lower() == "off":
        return None
    try:
        hours, minutes = (int(part) for part in raw.split(":"))
        return time(hours, minutes)
    except ValueError:
        raise ConfigError(
            "MENTORBOT_GAP_REPORT", f"must be a local time such as 09:00, or off, not {raw!r}"
        ) from None


TEXT_LIMIT = 300


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOG_FORMATS = ("text", "json")
SHIFT_PICKUPS = ("direct", "approve")


def _one_of(name: str, raw: str, choices: tuple[str, ...]) -> str:
    """The choice `raw` names, in any case (`debug` is DEBUG, `JSON` is json)."""
    for choice in choices:
        if raw.casefold() == choice.casefold():
            return choice
    raise ConfigError(name, f"must be one of {', '.join(choices)}, not {raw!r}")


def _text(name: str, raw: str) -> str:
    """A short line shown to families as it is written (HTML-escaped when shown)."""
    if len(raw) > TEXT_LIMIT:
        raise ConfigError(name, f"must be at most {TEXT_LIMIT} characters, not {len(raw)}")
    return raw


def _per_language(name: str, raw: str, defaults: Mapping[str, str]) -> dict[str, str]:
    """One value for every language ("Familjehemsenheten"), or a value per language
    ("sv:familjehemsenheten, da:plejefamilieområdet"), the defaults filling the others."""
    values = dict(defaults)
    if not raw:
        return values
    starts = list(_PER_LANGUAGE.finditer(raw))
    if not starts or starts[0].start() != 0:
        if len(raw) > TERM_LIMIT:
            raise ConfigError(name, f"must be at most {TERM_LIMIT} characters, not {len(raw)}")
        return dict.fromkeys(defaults, raw)
    given: set[str] = set()
    for start, end in zip(starts, [*starts[1:], None], strict=True):
        language = start.group(1)
        value = raw[start.end() : end.start() if end else None].strip()
        if language not in LANGUAGES:
            raise ConfigError(name, f"{language!r} is not one of {', '.join(LANGUAGES)}")
        if language in given:
            raise ConfigError(name, f"{language!r} is given twice")
        if not value or len(value) > TERM_LIMIT:
            raise ConfigError(
                name, f"{language}: needs a name of 1 to {TERM_LIMIT} characters, not {value!r}"
            )
        given.add(language)
        values[language] = value
    return values


def _urgent_words(raw: str) -> tuple[str, ...]:
    """Comma-separated words or word beginnings ("självmord, misshand"); empty: the defaults."""
    if not raw:
        return DEFAULT_URGENT_WORDS
    try:
        return parse_urgent_words(raw)
    except ValueError as error:
        raise ConfigError("MENTORBOT_URGENT_WORDS", str(error)) from None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _webhook_url(name: str, raw: str) -> str:
    """Where Telegram posts updates: an https:// URL. Plain http:// only to a loopback address,
    where nothing crosses a network: a Bot API server of one's own on the same machine."""
    problem = (
        "must be an https:// URL such as https://bot.example.org/mentorbot/hook "
        f"(http:// only to a loopback address), not {raw!r}"
    )
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise ConfigError(name, problem) from None
    host = parts.hostname or ""
    secure = parts.scheme == "https" or (parts.scheme == "http" and _is_loopback(host))
    if not secure or not host or parts.fragment or any(c.isspace() for c in raw):
        raise ConfigError(name, problem)
    return raw


def _listen(name: str, raw: str) -> str:
    """The address the webhook server binds: an IP address (0.0.0.0: all) or a host name."""
    try:
        ipaddress.ip_address(raw)
    except ValueError:
        if not _HOST_NAME.fullmatch(raw):
            raise ConfigError(
                name, f"must be an IP address such as 127.0.0.1 or 0.0.0.0, not {raw!r}"
            ) from None
    return raw


def _port(name: str, raw: str) -> int:
    if not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) <= MAX_PORT:
        raise ConfigError(name, f"must be a TCP port, 1 to {MAX_PORT}, not {raw!r}")
    return int(raw)


def _optional_port(name: str, raw: str) -> int | None:
    return None if raw.lower() == "off" else _port(name, raw)


def _webhook_secret(raw: str) -> str:
    """The variable's value, as Telegram allows it; unset: a new random one at each start."""
    if not raw:
        return secrets.token_urlsafe(32)  # 43 characters of A-Z a-z 0-9 _ -
    # Never echo the value, not even a malformed one.
    if len(raw) > MAX_WEBHOOK_SECRET:
        raise ConfigError(
            "MENTORBOT_WEBHOOK_SECRET",
            f"must be at most {MAX_WEBHOOK_SECRET} characters, not {len(raw)}",
        )
    if not _WEBHOOK_SECRET_CHARACTERS.fullmatch(raw):
        raise ConfigError(
            "MENTORBOT_WEBHOOK_SECRET",
            "may hold only the characters A-Z, a-z, 0-9, _ and -; "
            "leave it unset for a new random one at each start",
        )
    return raw
