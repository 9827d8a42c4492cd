"""What an IT department's monitoring sees: /healthz, /metrics and `mentorbot check --live`.

The webhook's port serves /healthz and /metrics beside the hook; MENTORBOT_METRICS_PORT serves
them alone, in long-polling mode too. The metrics page must move when a family's question is
routed, and must never carry a person: no Telegram id, no name, no word anyone wrote.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from bot.sandbox import BotApiDouble, SandboxUser
from tests.e2e.chat_support import BotProcess, StartBot, build_service, mentorbot
from tests.e2e.scene_support import HOOK_PATH, ask, free_port, on_duty, start_webhook_bot

QUESTION = "Vår dotter vägrar gå till skolan, vad gör vi?"
SAMPLE = re.compile(r"^(?P<name>[a-z_]+)(?:\{(?P<labels>[^}]*)\})? (?P<value>\S+)$")


def samples(page: str) -> dict[str, float]:
    """Every sample of a Prometheus text page, by its name and labels as written."""
    found = {}
    for line in page.splitlines():
        match = SAMPLE.match(line)
        if match and not line.startswith("#"):
            key = match["name"] + (f"{{{match['labels']}}}" if match["labels"] else "")
            found[key] = float(match["value"])
    return found


async def check_live(bot: BotProcess, tmp_path: Path) -> tuple[int, str]:
    """`mentorbot check --live` beside the bot, as a container's health check runs it."""
    status, out, err = await mentorbot("check", "--live", env=bot.env, cwd=tmp_path)
    assert err == "", err
    return status, out


async def test_the_webhook_port_answers_health_and_metrics_that_move_and_name_nobody(
    start_bot: StartBot, coordinator: SandboxUser, double: BotApiDouble
) -> None:
    bot, url = await start_webhook_bot(start_bot)
    root = url.removesuffix(HOOK_PATH)
    async with httpx.AsyncClient(base_url=root) as client:
        health = await client.get("/healthz")
        assert (health.status_code, health.text) == (200, "ok\n")
        before = samples((await client.get("/metrics")).text)

        service = await build_service(bot, coordinator, double)
        await on_duty(service, "Familjen Berg")
        await ask(service.family, service.berg, QUESTION)
        response = await client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    after = samples(response.text)
    assert before["mentorbot_offers_sent_total"] == 0
    assert after["mentorbot_offers_sent_total"] == 1  # Berg's one adult
    assert after['mentorbot_questions{state="offered"}'] == 1
    assert before['mentorbot_questions{state="offered"}'] == 0
    handled = 'mentorbot_updates_handled_total{kind="message"}'
    assert after[handled] > before[handled]
    assert after["mentorbot_errors_total"] == 0
    people = [service.karin, service.berg, service.lind, service.holm, service.family]
    for person in people:
        assert str(person.id) not in response.text
        assert person.first_name not in response.text
    for written in ("Familjen", "Familien", "Holms", "Karin Holm", "dotter", "skolan"):
        assert written not in response.text


async def test_long_polling_has_its_own_status_port_and_check_live_follows_the_bot(
    start_bot: StartBot, tmp_path: Path
) -> None:
    port = free_port()
    bot = await start_bot(MENTORBOT_METRICS_PORT=str(port))
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        health = await client.get("/healthz")
        assert (health.status_code, health.text) == (200, "ok\n")
        metrics = await client.get("/metrics")
        assert "mentorbot_updates_handled_total" in metrics.text
        assert (await client.post("/mentorbot/hook", json={})).status_code == 404  # no webhook

    assert await check_live(bot, tmp_path) == (0, "live: the bot's heartbeat is fresh\n")
    assert await bot.stop() == 0
    status, line = await check_live(bot, tmp_path)
    assert status == 1
    assert line.startswith("not live: the bot stopped "), line


async def test_check_live_says_when_the_heartbeat_is_stale_or_there_is_no_database(
    start_bot: StartBot, tmp_path: Path
) -> None:
    bot = await start_bot()
    assert (await check_live(bot, tmp_path))[0] == 0
    await bot.kill()  # a crash: nothing said it stopped
    stale = (datetime.now(UTC) - timedelta(minutes=5)).isoformat(timespec="seconds")
    with sqlite3.connect(bot.env["MENTORBOT_DB"]) as database:  # five minutes on, as it were
        database.execute("UPDATE heartbeat SET beat_at = ?", (stale,))
    status, line = await check_live(bot, tmp_path)
    assert status == 1
    assert line.startswith("not live: the last heartbeat is 5 min ago: the bot is not running"), (
        line
    )

    bot.env["MENTORBOT_DB"] = str(tmp_path / "elsewhere.db")
    status, line = await check_live(bot, tmp_path)
    assert status == 1
    assert "elsewhere.db does not exist: the bot has never started on it" in line, line
