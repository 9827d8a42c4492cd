"""/stats [FROM TO]: the evaluation report, as a text, a chart and a CSV file."""

from __future__ import annotations

import asyncio

from telegram import InputFile, Update
from telegram.ext import CommandHandler

from bot import stats, stats_files
from bot.i18n import N_, Translator
from bot.stats import PeriodError, PeriodProblem
from handlers.clock import now
from handlers.common import MentorApplication, MentorContext, Sender, reply_lines, requires
from storage.models import Member, Role

_PROBLEMS = {
    PeriodProblem.USAGE: N_("stats.usage"),
    PeriodProblem.BAD_DATE: N_("stats.bad_date"),
    PeriodProblem.REVERSED: N_("stats.reversed"),
    PeriodProblem.TOO_LONG: N_("stats.too_long"),
}


def period_problem(t: Translator, error: PeriodError) -> str:
    return t(
        _PROBLEMS[error.problem], value=error.value, days=stats.DEFAULT_DAYS, max=stats.MAX_DAYS
    )


@requires(Role.COORDINATOR)
async def show_stats(
    update: Update, context: MentorContext, sender: Sender, member: Member
) -> None:
    message = update.effective_message
    if message is None:
        return
    t, config = sender.t, context.config
    moment = now()
    try:
        period = stats.parse_period(context.args or [], moment.astimezone(config.timezone).date())
    except PeriodError as error:
        await message.reply_text(period_problem(t, error))
        return
    report = await stats.report(context.db, period, config.timezone, config.service_hours, moment)
    # Many mentor households make a long report: in as many messages as Telegram needs.
    await reply_lines(update, stats_files.report_text(t, report).split("\n"))
    # Drawing takes a few hundred milliseconds of CPU: in a thread (the Figure API, not pyplot,
    # so two reports may draw at once), while the event loop goes on with other updates.
    chart = await asyncio.to_thread(stats_files.chart_png, t, report)
    name = f"mentorbot-stats-{period.first}-{period.last}"
    await message.reply_photo(
        InputFile(chart, filename=f"{name}.png"), caption=t("stats.chart_caption")
    )
    await message.reply_document(
        InputFile(stats_files.report_csv(report), filename=f"{name}.csv"),
        caption=t("stats.csv_caption"),
    )


def register(application: MentorApplication) -> None:
    # Not blocking: updates are handled one at a time, and a year's report takes most of a
    # second; a family's message must not wait for it.
    application.add_handler(CommandHandler("stats", show_stats, block=False))
