"""The typed context every handler gets, on the real application (built, never started)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from telegram import Update

from bot.app.application import build_application
from bot.app.bot_api_watch import BotApiWatch
from bot.config import load_config
from handlers.common import MentorContext, identify
from storage.db import Database
from storage.models import Role
from tests.support import make_household

TELEGRAM_ID = 5150


def _message_from(telegram_id: int, language: str) -> dict[str, object]:
    person = {"id": telegram_id, "is_bot": False, "first_name": "Karin", "language_code": language}
    return {
        "update_id": 1,
        "message": {
            "message_id": 7,
            "date": int(datetime(2026, 12, 4, 21, tzinfo=UTC).timestamp()),
            "chat": {"id": telegram_id, "type": "private", "first_name": "Karin"},
            "from": person,
            "text": "Hej",
        },
    }


async def test_the_sender_is_found_once_per_update_and_the_services_are_named(
    tmp_path: Path, db: Database
) -> None:
    config = load_config({"TELEGRAM_BOT_TOKEN": "1:token", "MENTORBOT_DB": str(db.path)}, None)
    application = build_application(config, BotApiWatch())
    application.bot_data.db = db
    await make_household(db, Role.FAMILY, "Berg", (TELEGRAM_ID,), datetime.now(UTC))
    update = Update.de_json(_message_from(TELEGRAM_ID, "da"), application.bot)

    context = MentorContext.from_update(update, application)
    first = await identify(update, context)
    second = await identify(update, context)

    assert isinstance(context, MentorContext)
    assert context.db is db and context.config is config
    assert context.application is application and context.job_queue is application.job_queue
    assert first.member is not None and first.member.household.display_name == "Berg"
    assert first.t("access.not_member") != "access.not_member"  # a real Danish catalogue entry
    assert second is first  # the second handler group asked no database

    another = MentorContext.from_update(update, application)
    assert await identify(update, another) is not first  # a new update looks again
