"""The `mentorbot` command line: run, check, migrate, invite.

Whatever goes wrong before the bot is up ends in one line on stderr and a non-zero exit:
2 for a bad configuration (the line names the variable), 1 for anything else.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sqlite3
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

from telegram import Bot, Update
from telegram.error import InvalidToken, NetworkError, TelegramError

from bot import invites
from bot.config import Config, ConfigError, load_config
from storage.db import Database
from storage.models import Role

EXIT_FAILURE = 1
EXIT_BAD_CONFIG = 2


class _RedactToken(logging.Filter):
    """Libraries log request URLs, and the Bot API puts the token in every URL."""

    def __init__(self, token: str | None) -> None:
        super().__init__()
        self._token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if self._token:
            message = record.getMessage()
            if self._token in message:
                record.msg, record.args = message.replace(self._token, "[token]"), None
        return True


def _not_about_a_rejected_token(record: logging.LogRecord) -> bool:
    """A rejected token ends the program with one line of ours; the library's traceback goes."""
    return not (record.exc_info and isinstance(record.exc_info[1], InvalidToken))


def _configure_logging(config: Config) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(_RedactToken(config.token))
    handler.addFilter(_not_about_a_rejected_token)
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=[handler],
    )
    # httpx logs every request URL at INFO; those URLs carry the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mentorbot",
        description="Mentor families for foster families, on evenings and weekends.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser("run", help="run the bot (long polling, or a webhook)")
    run.add_argument("--webhook-url", help="public HTTPS URL Telegram posts updates to")
    run.add_argument("--listen", default="127.0.0.1", help="address the webhook server binds")
    run.add_argument("--port", type=int, default=8443, help="port the webhook server binds")
    run.add_argument("--secret-token", help="secret Telegram sends with every webhook call")
    commands.add_parser("check", help="validate the configuration and the database")
    commands.add_parser("migrate", help="bring the database schema up to date")
    invite = commands.add_parser("invite", help="print a one-time invite")
    invite.add_argument("role", choices=[role.value for role in Role])
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        config = load_config()
        if args.command == "run":
            return _run(config, args)
        return asyncio.run(_offline_commands[args.command](config, args))
    except ConfigError as error:
        print(f"mentorbot: {error}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    except (sqlite3.Error, OSError) as error:
        print(f"mentorbot: MENTORBOT_DB: cannot use the database: {error}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    except KeyboardInterrupt:
        return EXIT_FAILURE


def _run(config: Config, args: argparse.Namespace) -> int:
    from bot.app import build_application  # the application pulls in every handler

    application = build_application(config)
    _configure_logging(config)
    try:
        if args.webhook_url:
            application.run_webhook(
                listen=args.listen,
                port=args.port,
                webhook_url=args.webhook_url,
                secret_token=args.secret_token,
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            application.run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken:
        raise ConfigError("TELEGRAM_BOT_TOKEN", "was rejected by the Bot API") from None
    except NetworkError as error:
        print(
            f"mentorbot: TELEGRAM_API_URL: cannot reach the Bot API at {config.api_url}: {error}",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    return 0


async def _check(config: Config, args: argparse.Namespace) -> int:
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


async def _migrate(config: Config, args: argparse.Namespace) -> int:
    database = await Database.open(config.db_path, migrate=False)
    try:
        applied = await database.migrate()
    finally:
        await database.close()
    if applied:
        print(f"database: {config.db_path}: applied migration(s) {', '.join(map(str, applied))}")
    else:
        print(f"database: {config.db_path}: already up to date")
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


_offline_commands = {"check": _check, "migrate": _migrate, "invite": _invite}
