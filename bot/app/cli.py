"""The `mentorbot` command line: run, check, migrate, invite, rota import and export, stats.

Whatever goes wrong before the bot is up ends in one line on stderr and a non-zero exit:
2 for a bad configuration (the line names the variable), 1 for anything else. A second bot
on a database that one is running on already is a bad configuration: `run` and `sandbox`
take the database's lease (`storage.lease`) before anything else; the other commands may run
beside a live bot and do not.

A running bot ends in one of three ways, never as a process that lives on doing nothing: a
stop signal (0 for SIGTERM, 130 for Ctrl-C as for every other command, or 1 when the stop had
to be cut short, see `_Stop`), or a token the Bot API rejects while it runs (one line, 2, after
the shutdown closed the database).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import logging
import os
import re
import signal
import sqlite3
import sys
import threading
from collections.abc import Callable, Coroutine, Sequence
from datetime import UTC, datetime
from http import HTTPStatus
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from zoneinfo import ZoneInfo

from telegram import Bot
from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError
from tornado.netutil import bind_sockets

from bot import invites, monitoring, rota_csv, rota_planning, stats, stats_files
from bot.app import sandbox_command
from bot.app.bot_api_watch import BotApiWatch
from bot.app.logs import JsonFormatter, PrivateFormatter
from bot.config import DEFAULT_TERMS, Config, ConfigError, Webhook, load_config
from bot.i18n import translator
from bot.rota_csv import CsvProblem, CsvReason, PlannedShift
from bot.rota_planning import Refusal, ShiftProblem
from bot.stats import PeriodError, PeriodProblem
from handlers.profile import too_long
from storage.db import Database
from storage.lease import Lease, LeaseHeld
from storage.models import Role

if TYPE_CHECKING:  # the application pulls in every handler: built only by `run`
    from handlers.common import MentorApplication

EXIT_FAILURE = 1
EXIT_BAD_CONFIG = 2
EXIT_INTERRUPTED = 130  # as a shell reports a command that Ctrl-C (SIGINT) ended
# From the first stop signal (or a rejected token) to the end of the process, at most.
STOP_GRACE_SECONDS = 5.0
# The library's own stop signals, which `run` handles instead of it (see _Stop).
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGABRT)
_TOKEN_REJECTED_WHILE_RUNNING = (
    "TELEGRAM_BOT_TOKEN: was rejected by the Bot API while the bot was running "
    "(revoked in BotFather?); stopped"
)


class _Failure(Exception):
    """A command cannot do its work for a reason that is not the configuration: one line, exit 1."""


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def _not_about_a_rejected_token(record: logging.LogRecord) -> bool:
    """A rejected token, at start or while running, ends the program with one line of ours
    (`_run`); the library's tracebacks of it, and the handlers' failures on it, go."""
    return not (record.exc_info and isinstance(record.exc_info[1], InvalidToken))


def _network_failure_in_one_line(record: logging.LogRecord) -> bool:
    """The library logs a Bot API it cannot reach with the whole traceback: at start, where
    `_run` then says so in one line of its own and exits, and at each failed poll. The
    library's line stays, naming the failure; its traceback, which says nothing more, goes."""
    error = record.exc_info[1] if record.exc_info else None
    # Only a failure to reach the Bot API: a BadRequest (a NetworkError to the library) quotes
    # what was sent, and its traceback goes through the formatter, which withholds that.
    transport = isinstance(error, NetworkError) and not isinstance(error, BadRequest)
    if transport and record.name.startswith("telegram"):
        record.msg = f"{record.getMessage()} ({type(error).__name__}: {error})"
        record.args = None
        record.exc_info = record.exc_text = None
    return True


def _log_formatter(config: Config) -> PrivateFormatter:
    """Libraries log request URLs, and the Bot API puts the token in every URL; a library
    logging a request's parameters would show the webhook's secret."""
    secrets = {"[token]": config.token, "[webhook secret]": config.webhook_secret}
    if config.log_format == "json":
        return JsonFormatter(secrets)
    return PrivateFormatter(LOG_FORMAT, secrets)


def _configure_logging(config: Config) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(_log_formatter(config))
    handler.addFilter(_not_about_a_rejected_token)
    handler.addFilter(_network_failure_in_one_line)
    logging.basicConfig(level=config.log_level, handlers=[handler])
    # httpx logs every request URL at INFO; those URLs carry the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # At DEBUG the library logs every request's parameters and aiosqlite every statement's:
    # what people wrote. Neither goes below INFO, whatever MENTORBOT_LOG_LEVEL says.
    for talkative in ("telegram", "aiosqlite"):
        logger = logging.getLogger(talkative)
        logger.setLevel(max(logging.INFO, logging.getLevelName(config.log_level)))
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mentorbot",
        description="Mentor families for foster families, on evenings and weekends.",
    )
    parser.add_argument("--version", action="version", version=f"mentorbot {version('mentorbot')}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser("run", help="run the bot (long polling, or a webhook)")
    run.add_argument(
        "--webhook-url",
        metavar="URL",
        help="public HTTPS URL Telegram posts updates to (MENTORBOT_WEBHOOK_URL)",
    )
    run.add_argument(
        "--listen",
        metavar="HOST",
        help="address the webhook server binds (MENTORBOT_WEBHOOK_LISTEN, default 127.0.0.1)",
    )
    run.add_argument(
        "--port",
        metavar="N",
        help="port the webhook server binds (MENTORBOT_WEBHOOK_PORT, default 8443)",
    )
    # A secret on the command line is visible to everyone on the machine (ps); refused.
    run.add_argument("--secret-token", help="not accepted: set MENTORBOT_WEBHOOK_SECRET")
    sandbox = commands.add_parser(
        "sandbox", help="try the whole service in a browser, with no token and no network"
    )
    sandbox_command.add_arguments(sandbox)
    check = commands.add_parser("check", help="validate the configuration and the database")
    check.add_argument(
        "--live",
        action="store_true",
        help="instead, whether the bot running on the database is well (its heartbeat)",
    )
    commands.add_parser("migrate", help="bring the database schema up to date")
    backup = commands.add_parser(
        "backup", help="copy the database as it is at one moment, while the bot runs or not"
    )
    backup.add_argument("file", metavar="FILE", help="the copy to write; never an existing file")
    restore = commands.add_parser(
        "restore", help="put a backup in the database's place (refused while the bot runs)"
    )
    restore.add_argument("file", metavar="FILE", help="the backup to restore")
    invite = commands.add_parser("invite", help="print a one-time invite")
    invite.add_argument("role", choices=[role.value for role in Role])
    rota = commands.add_parser("rota", help="import or export the rota as a CSV file")
    actions = rota.add_subparsers(dest="rota_command", required=True, metavar="ACTION")
    rota_import = actions.add_parser(
        "import", help="add the new shifts of a CSV file (member,date,start,end), or none"
    )
    rota_import.add_argument("file", metavar="FILE", help="the CSV file to import")
    rota_import.add_argument(
        "--remove-missing",
        action="store_true",
        help="also remove the booked shifts that have not begun and that the file leaves out",
    )
    rota_export = actions.add_parser(
        "export", help="write every shift that has not ended yet as CSV"
    )
    rota_export.add_argument(
        "--out", metavar="FILE", help="write to FILE instead of standard output"
    )
    report = commands.add_parser(
        "stats", help="write the evaluation report (stats.txt, stats.png, stats.csv) to a folder"
    )
    report.add_argument(
        "--from", dest="first", metavar="YYYY-MM-DD", help="first local date (with --to)"
    )
    report.add_argument(
        "--to", dest="last", metavar="YYYY-MM-DD", help="last local date, included (with --from)"
    )
    report.add_argument(
        "--out", metavar="DIR", required=True, help="the folder to write to; created if missing"
    )
    return parser


def _check_profile(config: Config) -> None:
    """The unit's name and the coordinators' title go into the bot's descriptions, which
    Telegram refuses beyond its limits: a name that is too long is a bad setting, said at once,
    not a warning in a log nobody reads while strangers see no description."""
    found = too_long(config.language, config.terms)
    if found is None:
        return
    variable = (
        "MENTORBOT_UNIT_NAME"
        if config.terms.unit != DEFAULT_TERMS.unit
        else "MENTORBOT_COORDINATOR_TITLE"
    )
    which = "description" if found.msgid == "profile.description" else "short description"
    raise ConfigError(
        variable,
        f"makes the bot's {which} {found.length} characters in {found.language}; "
        f"Telegram takes at most {found.limit}: shorten it",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        config = load_config()
        if args.command in ("run", "check", "sandbox"):
            _check_profile(config)
        if args.command == "run":
            webhook = _webhook(config, args)
            with _take_lease(config.db_path):
                return _run(config, args, webhook)
        if args.command == "restore":  # never under a running bot's feet
            with _take_lease(config.db_path):
                return asyncio.run(_restore(config, args))
        if args.command == "sandbox":
            return sandbox_command.run(config, args, _run)
        return asyncio.run(_offline_commands[args.command](config, args))
    except ConfigError as error:
        print(f"mentorbot: {error}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    except _Failure as failure:
        print(f"mentorbot: {failure}", file=sys.stderr)
        return EXIT_FAILURE
    except (sqlite3.Error, OSError) as error:
        print(f"mentorbot: MENTORBOT_DB: cannot use the database: {error}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


def _take_lease(database: Path) -> Lease:
    """Before the bot polls or sends anything; a bot on the database already: exit 2."""
    try:
        return Lease.take(database)
    except LeaseHeld as held:
        raise ConfigError("MENTORBOT_DB", str(held)) from None


def _webhook(config: Config, args: argparse.Namespace) -> Webhook | None:
    """The webhook `run` serves (the options win over the variables), or None: long polling."""
    if args.secret_token is not None:
        raise ConfigError(
            "--secret-token",
            "is not accepted: a command line is visible to everyone on the machine (ps); "
            "set MENTORBOT_WEBHOOK_SECRET, or leave it unset for a new random one at each start",
        )
    return config.webhook(args.webhook_url, args.listen, args.port)


def _can_listen(host: str, port: int, host_from: str, port_from: str) -> None:
    """Bind an address the bot serves once before anything else: the webhook's would otherwise
    be given to Telegram first, and either would fail later with an error that names nothing."""
    try:
        sockets = bind_sockets(port, address=host)
    except OSError as error:
        blame = port_from if error.errno in (errno.EADDRINUSE, errno.EACCES) else host_from
        where = f"{host}:{port}"
        raise ConfigError(blame, f"cannot listen on {where}: {error.strerror or error}") from None
    for sock in sockets:
        sock.close()


class _Stop:
    """How a run ends, within STOP_GRACE_SECONDS of the moment it is asked to.

    The library's stop waits for every update being handled and every job running, and a send
    that a slow Telegram holds holds it too. Cut short, by a second signal or an error inside
    it, the stop skips post_shutdown, and the database's worker thread, which is not a daemon,
    then keeps the process alive for ever after the loop is gone. So the first signal (or a
    rejected token) arms a deadline, a second signal ends the process at once, and so does the
    deadline: nothing is lost by that, an update not done is handled again at the next start,
    as after a crash.
    """

    def __init__(self) -> None:
        self.token_rejected = False
        # Ctrl-C came first: after the same clean stop, the exit status says so, as a shell
        # and a script running `mentorbot run` by hand expect; SIGTERM is systemd's normal stop.
        self.interrupted = False
        self._deadline: threading.Timer | None = None
        self._stopping: asyncio.Task[None] | None = None  # held: the loop keeps only a weak one

    def begin(self) -> None:
        if self._deadline is not None:
            self._end_now("a second signal came")
        self._deadline = threading.Timer(
            STOP_GRACE_SECONDS, self._end_now, (f"it took over {STOP_GRACE_SECONDS:g} s",)
        )
        self._deadline.daemon = True
        self._deadline.start()

    def ended(self) -> None:
        """The library's stop ran to its end (post_shutdown closed the database)."""
        if self._deadline is not None:
            self._deadline.cancel()

    def on_signal(self, received: signal.Signals) -> NoReturn:
        if self._deadline is None:
            self.interrupted = received is signal.SIGINT
        self.begin()
        raise SystemExit  # as the library's own handler does: out of whatever the loop runs

    def on_rejected_token(self, application: MentorApplication) -> None:
        """At the first 401 while running: stop, and have `_run` say why and exit 2.

        A 401 at start raises from run_polling itself, and one during the stop changes nothing.
        """
        if self.token_rejected or not application.running:
            return
        self.token_rejected = True
        self.begin()
        self._stopping = asyncio.create_task(_stop_after_rejection(application))

    def _end_now(self, why: str) -> NoReturn:
        if self.token_rejected:
            line, status = _TOKEN_REJECTED_WHILE_RUNNING, EXIT_BAD_CONFIG
        else:
            line = f"stopped before the work in hand was done ({why}); it is done at the next start"
            status = EXIT_FAILURE
        print(f"mentorbot: {line}", file=sys.stderr, flush=True)
        os._exit(status)


async def _stop_after_rejection(application: MentorApplication) -> None:
    """The updater first, then the rest as a signal would: the library's own stop would
    re-raise, from Updater.stop(), the InvalidToken its polling loop ended on (that loop does
    not call an error callback for it, and nothing else stops), and skip the rest of the
    shutdown, the database's closing with it."""
    updater = application.updater
    if updater is not None and updater.running:
        with contextlib.suppress(InvalidToken):  # how the polling loop ended; _run says so
            await updater.stop()
    application.stop_running()


def _run(config: Config, args: argparse.Namespace, webhook: Webhook | None = None) -> int:
    """The bot until SIGTERM or Ctrl+C: by webhook if one is given, else by long polling."""
    from bot.app.application import build_application  # the application pulls in every handler
    from handlers.gate import ALLOWED_UPDATES

    if webhook is not None:
        _can_listen(webhook.listen, webhook.port, webhook.listen_from, webhook.port_from)
    if config.metrics_port is not None:
        if webhook is not None and config.metrics_port == webhook.port:
            raise ConfigError(
                "MENTORBOT_METRICS_PORT",
                "is the webhook's port, which serves /healthz and /metrics already; "
                "leave it unset, or give another port",
            )
        _can_listen(
            config.metrics_listen,
            config.metrics_port,
            "MENTORBOT_METRICS_LISTEN",
            "MENTORBOT_METRICS_PORT",
        )
    bot_api = BotApiWatch()
    application = build_application(config, bot_api)
    _configure_logging(config)
    stop = _Stop()
    bot_api.on_unauthorized(lambda: stop.on_rejected_token(application))
    loop = asyncio.new_event_loop()  # the one the library runs on, with our stop signals
    asyncio.set_event_loop(loop)
    for stop_signal in _STOP_SIGNALS:
        loop.add_signal_handler(stop_signal, stop.on_signal, stop_signal)
    try:
        if webhook is not None:
            # A request without the secret in X-Telegram-Bot-Api-Secret-Token gets 403 and
            # reaches nothing; the path is escaped because the library reads it as a pattern.
            application.run_webhook(
                listen=webhook.listen,
                port=webhook.port,
                url_path=re.escape(webhook.path),
                webhook_url=webhook.url,
                secret_token=webhook.secret,
                allowed_updates=ALLOWED_UPDATES,
                stop_signals=None,
            )
        else:
            application.run_polling(allowed_updates=ALLOWED_UPDATES, stop_signals=None)
        stop.ended()
    except InvalidToken:
        # The library raises it for a 404 as well as for a 401.
        if bot_api.refusal is HTTPStatus.NOT_FOUND:
            raise ConfigError(
                "TELEGRAM_API_URL",
                f"{config.api_url} is not a Bot API: it answered 404 Not Found "
                "(check the address and its path)",
            ) from None
        raise ConfigError("TELEGRAM_BOT_TOKEN", "was rejected by the Bot API") from None
    except BadRequest as error:
        # Telegram's "Bad Request: bad webhook: ..." (the library drops the prefix).
        if webhook is None or not error.message.lower().startswith("bad webhook"):
            raise
        raise ConfigError(webhook.url_from, f"the Bot API refused it: {error.message}") from None
    except NetworkError as error:
        print(
            f"mentorbot: TELEGRAM_API_URL: cannot reach the Bot API at {config.api_url}: {error}",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    finally:
        loop.close()  # the library closes it when it ran; either way its signals are undone
    if stop.token_rejected:
        print(f"mentorbot: {_TOKEN_REJECTED_WHILE_RUNNING}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    return EXIT_INTERRUPTED if stop.interrupted else 0


async def _check(config: Config, args: argparse.Namespace) -> int:
    if args.live:
        return await _check_live(config)
    config.require_token()
    print(
        f"configuration: ok (time zone {config.timezone.key}, language {config.language}, "
        f"{len(config.coordinators)} coordinator id(s), Bot API {config.api_url})"
    )
    if not config.db_path.exists():
        directory = config.db_path.resolve().parent
        if not directory.is_dir():
            raise ConfigError("MENTORBOT_DB", f"directory {str(directory)!r} does not exist")
        print(f"database: {config.db_path} does not exist yet; it is created at the first start")
        return 0
    database = await Database.open(config.db_path, migrate=False)
    try:
        report = await database.health()
    finally:
        await database.close()
    print(
        f"database: {config.db_path}: schema version {report.version} of {report.latest}, "
        f"integrity {report.integrity}"
    )
    if report.integrity != "ok":
        return EXIT_FAILURE
    if report.version < report.latest:
        print("database: run `mentorbot migrate` (or start the bot) to update the schema")
    return 0


async def _check_live(config: Config) -> int:
    """For a health check polled every few seconds: one read of the heartbeat the running bot
    writes (bot/monitoring.py), no integrity check, no token; one line either way."""
    problem = await _live_problem(config)
    if problem is not None:
        print(f"not live: {problem}")
        return EXIT_FAILURE
    print("live: the bot's heartbeat is fresh")
    return 0


async def _live_problem(config: Config) -> str | None:
    if not config.db_path.exists():
        return f"{config.db_path} does not exist: the bot has never started on it"
    database = await Database.open(config.db_path, migrate=False)
    try:
        heartbeat = await monitoring.last_heartbeat(database)
    except sqlite3.OperationalError:  # a schema from before the heartbeat
        heartbeat = None
    finally:
        await database.close()
    return monitoring.verdict(heartbeat, datetime.now(UTC))


async def _migrate(config: Config, args: argparse.Namespace) -> int:
    database = await Database.open(config.db_path, migrate=False)
    try:
        migration = await database.migrate()
    finally:
        await database.close()
    if migration.backup is not None:
        print(f"database: {config.db_path}: copied as it was to {migration.backup}")
    if migration.applied:
        applied = ", ".join(map(str, migration.applied))
        print(f"database: {config.db_path}: applied migration(s) {applied}")
    else:
        print(f"database: {config.db_path}: already up to date")
    return 0


def _require_database(config: Config) -> None:
    """For the commands that read the database: opening a missing one would create it."""
    if not config.db_path.exists():
        raise ConfigError("MENTORBOT_DB", f"{str(config.db_path)!r} does not exist")


def _new_file(name: str) -> Path:
    path = Path(name)
    if path.exists():
        raise _Failure(f"{name}: exists already; a backup never overwrites a file")
    if not path.resolve().parent.is_dir():
        raise _Failure(f"{name}: the folder does not exist")
    return path


def _existing_file(name: str) -> Path:
    path = Path(name)
    if not path.is_file():
        raise _Failure(f"{name}: no such file")
    return path


async def _backup(config: Config, args: argparse.Namespace) -> int:
    target = _new_file(args.file)
    _require_database(config)
    database = await Database.open(config.db_path, migrate=False)
    try:
        await database.copy_to(target)
    finally:
        await database.close()
    print(f"backup: {config.db_path} copied to {target}")
    return 0


async def _restore(config: Config, args: argparse.Namespace) -> int:
    """Checked before anything is replaced: a file that is no Mentorbot database, a damaged
    one, or one a newer Mentorbot wrote leaves the database as it was."""
    source_path = _existing_file(args.file)
    not_ours = f"{args.file}: not a Mentorbot database"
    try:
        source = await Database.open(source_path, migrate=False)
    except sqlite3.DatabaseError:
        raise _Failure(not_ours) from None
    try:
        try:
            report = await source.health()
        except sqlite3.DatabaseError:  # a header SQLite took, over pages it cannot read
            raise _Failure(not_ours) from None
        if report.version == 0:  # a database, but not one Mentorbot ever made
            raise _Failure(not_ours)
        if report.integrity != "ok":
            raise _Failure(f"{args.file}: damaged (integrity {report.integrity})")
        if report.version > report.latest:
            raise _Failure(
                f"{args.file}: written by a newer Mentorbot (schema version {report.version}, "
                f"this one knows {report.latest})"
            )
        await source.copy_to(config.db_path)
    finally:
        await source.close()
    print(f"restore: {source_path} is now {config.db_path} (schema version {report.version})")
    return 0


async def _invite(config: Config, args: argparse.Namespace) -> int:
    database = await Database.open(config.db_path)
    try:
        issued = await invites.issue(database, Role(args.role), datetime.now(UTC))
    finally:
        await database.close()
    expires = issued.expires_at.astimezone(config.timezone).strftime("%Y-%m-%d %H:%M")
    username = await _bot_username(config)
    if username:
        print(invites.deep_link(username, issued.code))
    else:
        print(f"/start {issued.code}")
    print(f"(one {args.role} invite; works once, until {expires} {config.timezone.key})")
    return 0


async def _bot_username(config: Config) -> str | None:
    """The deep link needs the bot's username, which only the Bot API knows."""
    if not config.token:
        return None
    try:
        async with Bot(config.token, base_url=f"{config.api_url}/bot") as bot:
            return bot.username
    except TelegramError:
        return None


_CSV_REASONS = {
    CsvReason.NOT_TEXT: "not a UTF-8 text file (save the spreadsheet as CSV UTF-8)",
    CsvReason.TOO_LARGE: f"larger than {rota_csv.MAX_BYTES} bytes",
    CsvReason.TOO_MANY_ROWS: f"more than {rota_csv.MAX_ROWS} rows; split the file",
    CsvReason.EMPTY: "no shifts in the file",
    CsvReason.BAD_HEADER: f"header: must name the columns {','.join(rota_csv.COLUMNS)} once "
    f"each (a {rota_csv.NAME} column may be there too)",
    CsvReason.FIELD_COUNT: "not one cell for each column of the header",
    CsvReason.BAD_MEMBER: "member: not a member number",
    CsvReason.BAD_DATE: "date: not a real date",
    CsvReason.BAD_TIME: "time: not a 24-hour HH:MM time",
    CsvReason.EMPTY_SHIFT: "start and end are the same time",
    CsvReason.NONEXISTENT_TIME: "time: skipped when the clocks spring forward",
}
# Reasons about a cell or a row, which show what was there (an empty cell as "empty").
_CSV_SHOWS_VALUE = {
    CsvReason.BAD_HEADER,
    CsvReason.FIELD_COUNT,
    CsvReason.BAD_MEMBER,
    CsvReason.BAD_DATE,
    CsvReason.BAD_TIME,
    CsvReason.EMPTY_SHIFT,
    CsvReason.NONEXISTENT_TIME,
}


def _describe_csv_problem(problem: CsvProblem) -> str:
    text = _CSV_REASONS[problem.reason]
    if problem.reason in _CSV_SHOWS_VALUE:
        value = problem.value if problem.value.isprintable() else ascii(problem.value)
        text += f" ({value or 'empty'})"
    return text


def _when(start: datetime, end: datetime, tz: ZoneInfo) -> str:
    return f"{start.astimezone(tz):%Y-%m-%d %H:%M}-{end.astimezone(tz):%H:%M}"


def _describe_refusal(refusal: Refusal, planned: Sequence[PlannedShift], tz: ZoneInfo) -> str:
    row = next(row for row in planned if row.line == refusal.line)
    if refusal.problem is ShiftProblem.UNKNOWN_MEMBER:
        return f"member: no member #{row.member_id}"
    if refusal.problem is ShiftProblem.NOT_MENTOR:
        return f"member: #{row.member_id} is not a mentor"
    if refusal.problem is ShiftProblem.IN_PAST:
        return f"over already ({_when(row.span.start, row.span.end, tz)})"
    if refusal.conflict_line is not None:
        earlier = next(row for row in planned if row.line == refusal.conflict_line).span
        when = _when(earlier.start, earlier.end, tz)
        return f"overlaps line {refusal.conflict_line} of this file for the same mentor ({when})"
    conflict = refusal.conflict
    if conflict is None:  # OVERLAP names the shift or the line; say so rather than fail
        return "overlaps another shift of that mentor"
    when = _when(conflict.starts_at, conflict.ends_at, tz)
    return f"overlaps shift #{conflict.id} of that mentor ({when})"


def _read_rota_file(name: str) -> bytes:
    """The file's bytes; one that cannot be a rota (too large, unreadable) is a _Failure."""
    limit = rota_csv.MAX_BYTES
    try:
        with open(name, "rb") as file:
            size = os.fstat(file.fileno()).st_size
            if size > limit:
                raise _Failure(f"{name}: {size} bytes; a rota file is at most {limit} bytes")
            data = file.read(limit + 1)  # a pipe or a device has no size to check beforehand
    except OSError as error:
        raise _Failure(f"{name}: cannot read the file: {error.strerror or error}") from None
    if len(data) > limit:
        raise _Failure(f"{name}: more than {limit} bytes; a rota file is at most {limit} bytes")
    return data


async def _rota_import(config: Config, args: argparse.Namespace) -> int:
    """The chat's import without its question: the file's new rows are added, and the shifts it
    leaves out stay unless `--remove-missing` says otherwise. A command in a script cannot be
    asked to confirm, and a file of new shifts only (how a season was imported before) must not
    empty the rota; the flag is the confirmation, given knowingly."""
    name: str = args.file
    planned, problems = rota_csv.parse_rota_csv(_read_rota_file(name), config.timezone)
    if problems:
        for problem in problems:
            print(
                f"mentorbot: {name} line {problem.line}: {_describe_csv_problem(problem)}",
                file=sys.stderr,
            )
        return EXIT_FAILURE
    database = await Database.open(config.db_path)
    try:
        result = await rota_planning.apply_file(
            database,
            planned,
            None,
            datetime.now(UTC),
            remove_missing=args.remove_missing,
            expected=None,
        )
    finally:
        await database.close()
    if isinstance(result, list):
        for refusal in result:
            print(
                f"mentorbot: {name} line {refusal.line}: "
                + _describe_refusal(refusal, planned, config.timezone),
                file=sys.stderr,
            )
        return EXIT_FAILURE
    assert isinstance(result, rota_planning.FileApplied)  # no digest, so never FILE_CHANGED
    print(
        f"rota: {name}: {len(result.added)} shift(s) added, {result.unchanged} unchanged, "
        f"{len(result.removed)} removed"
    )
    if result.kept:
        print(f"rota: kept {result.kept} shift(s) not in the file (--remove-missing removes them)")
    return 0


async def _rota_export(config: Config, args: argparse.Namespace) -> int:
    database = await Database.open(config.db_path)
    try:
        rows = await rota_planning.export_rows(database, datetime.now(UTC))
    finally:
        await database.close()
    try:
        data = rota_csv.export_rota_csv(rows, config.timezone, translator(config.language))
    except ValueError as error:
        raise _Failure(f"cannot export the rota: {error}") from None
    if args.out is None:
        _write_stdout(data)
        return 0
    _write_rota_file(args.out, data)
    print(f"rota: exported {len(rows)} shift(s) to {args.out}")
    return 0


def _write_rota_file(name: str, data: bytes) -> None:
    try:
        Path(name).write_bytes(data)
    except OSError as error:
        raise _Failure(f"{name}: cannot write the file: {error.strerror or error}") from None


def _write_stdout(data: bytes) -> None:
    sys.stdout.flush()
    try:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        # The reader went away (`| head`); keep Python from failing again when it exits.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise _Failure("standard output was closed before the export was written") from None


_PERIOD_PROBLEMS = {
    PeriodProblem.USAGE: (
        f"give both --from and --to, or neither for the last {stats.DEFAULT_DAYS} days"
    ),
    PeriodProblem.BAD_DATE: "not a date; write YYYY-MM-DD",
    PeriodProblem.REVERSED: "--from is later than --to",
    PeriodProblem.TOO_LONG: f"a report covers at most {stats.MAX_DAYS} days",
}
_REPORT_FILES = ("stats.txt", "stats.png", "stats.csv")


async def _stats(config: Config, args: argparse.Namespace) -> int:
    moment = datetime.now(UTC)
    dates = [date for date in (args.first, args.last) if date is not None]
    try:
        period = stats.parse_period(dates, moment.astimezone(config.timezone).date())
    except PeriodError as error:
        problem = _PERIOD_PROBLEMS[error.problem]
        raise _Failure(f"{error.value}: {problem}" if error.value else problem) from None
    _require_database(config)  # opening it would create an empty one and report zeros
    database = await Database.open(config.db_path)
    try:
        report = await stats.report(database, period, config.timezone, config.service_hours, moment)
    finally:
        await database.close()
    english = translator("en", config.terms)
    _write_report(
        args.out,
        (stats_files.report_text(english, report) + "\n").encode(),
        stats_files.chart_png(english, report),
        stats_files.report_csv(report),
    )
    print(
        f"stats: {report.requests} question(s) from {period.first} to {period.last}; "
        f"wrote {', '.join(_REPORT_FILES)} to {args.out}"
    )
    return 0


def _write_report(folder: str, *contents: bytes) -> None:
    out = Path(folder)
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, data in zip(_REPORT_FILES, contents, strict=True):
            (out / name).write_bytes(data)
    except OSError as error:
        raise _Failure(f"{folder}: cannot write the report: {error.strerror or error}") from None


async def _rota(config: Config, args: argparse.Namespace) -> int:
    return await _rota_commands[args.rota_command](config, args)


_Command = Callable[[Config, argparse.Namespace], Coroutine[Any, Any, int]]
_rota_commands: dict[str, _Command] = {"import": _rota_import, "export": _rota_export}
_offline_commands: dict[str, _Command] = {
    "check": _check,
    "migrate": _migrate,
    "backup": _backup,
    "invite": _invite,
    "rota": _rota,
    "stats": _stats,
}
