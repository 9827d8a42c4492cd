"""A backup taken while the bot works is a database the bot starts on, with everyone in it.

`mentorbot backup` runs as its own process, several times and two at once, while families
write and a mentor answers; the bot is stopped, the last backup is restored into a new folder
as an operator would move to a new server, and the bot started there. What the coordinator
and the families see is what they saw before: every member, every shift, the conversation
that was open, and a new question reaches the mentor on duty.
"""

from __future__ import annotations

import asyncio
import re
import stat
from pathlib import Path

import pytest

from bot.sandbox import BotApiDouble, SandboxUser
from tests.e2e.chat_support import (
    BotProcess,
    Service,
    StartBot,
    answer,
    mentorbot,
    texts_until_quiet,
)
from tests.e2e.scene_support import ask, converse, on_duty, on_duty_later, second_family

pytestmark = pytest.mark.chat_burst(60)

BACKUP_ROUNDS = 2  # of two backups at once


async def what_karin_sees(karin: SandboxUser) -> tuple[str, str]:
    return await answer(karin, "/members"), await answer(karin, "/shift list")


async def backups_while_it_works(bot: BotProcess, folder: Path) -> list[Path]:
    """Backups of the live database, two processes at a time; the files, in the order taken."""
    taken: list[Path] = []
    for round_ in range(BACKUP_ROUNDS):
        names = [folder / f"backup-{round_}-{n}.db" for n in range(2)]
        outcomes = await asyncio.gather(
            *(mentorbot("backup", str(name), env=bot.env, cwd=folder) for name in names)
        )
        for name, (status, out, err) in zip(names, outcomes, strict=True):
            assert (status, err) == (0, ""), (name, out, err)
            assert out == f"backup: {bot.env['MENTORBOT_DB']} copied to {name}\n"
            assert stat.S_IMODE(name.stat().st_mode) == 0o600
        taken += names
    return taken


async def family_and_mentor_write(service: Service, until: asyncio.Task[list[Path]]) -> int:
    """Ek and Berg write to each other in their conversation until the backups are done."""
    family, berg = service.family, service.berg
    sent = 0
    while not until.done():
        sent += 1
        await family.send(f"Fråga {sent} om läggningen")
        assert (await berg.next_message())["text"].endswith(f"Fråga {sent} om läggningen")
        await berg.send(f"Svar {sent}")
        assert (await family.next_message())["text"].endswith(f"Svar {sent}")
    return sent


@pytest.mark.timeout(180)
async def test_a_backup_of_the_live_bot_restored_elsewhere_starts_with_every_member_and_shift(
    service: Service, double: BotApiDouble, start_bot: StartBot, tmp_path: Path
) -> None:
    karin, berg = service.karin, service.berg
    anders = await second_family(service, double, "Familjen Lund")
    newcomer = await second_family(service, double, "Familjen Ström")
    await on_duty(service, "Familjen Berg")
    await on_duty_later(service, "Familien Lind", hours=4)
    await on_duty_later(service, "The Holms", hours=26)
    await converse(service.family, berg, "Hur gör vi med läggningen?")
    before = await what_karin_sees(karin)

    backups = asyncio.create_task(backups_while_it_works(service.bot, tmp_path))
    await ask(anders, berg, "Hon vill inte gå till skolan")  # a question while they run
    written = await family_and_mentor_write(service, backups)
    taken = await backups
    assert written >= 2, "the backups ended before the traffic had begun"
    assert await service.bot.stop() == 0

    fresh = tmp_path / "new-server" / "mentorbot.db"
    fresh.parent.mkdir()
    moved = {**service.bot.env, "MENTORBOT_DB": str(fresh)}
    status, out, err = await mentorbot("restore", str(taken[-1]), env=moved, cwd=tmp_path)
    assert (status, err) == (0, ""), out
    assert out.startswith(f"restore: {taken[-1]} is now {fresh} (schema version ")

    await start_bot(MENTORBOT_DB=str(fresh))
    # A message the bot had in hand when the last backup was taken is handled again, as after
    # a crash: the copy does not know it was relayed. Nothing else arrives.
    for person, words in ((berg, "Fråga"), (service.family, "Svar")):
        again = await texts_until_quiet(person, 1.0)
        repeated = re.compile(rf"(^|\n){words} \d+( om läggningen)?$")
        assert all(repeated.search(text) for text in again), again
    assert await what_karin_sees(karin) == before
    await service.family.send("Är du kvar?")  # the conversation that was open still is
    assert (await berg.next_message())["text"].endswith("Är du kvar?")
    _, offer = await ask(newcomer, berg, "Han har feber, vad gör vi?")  # Berg is on duty
    assert "Han har feber, vad gör vi?" in offer["text"]
