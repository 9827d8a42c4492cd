"""Fixtures: a running double, a user in it, raw HTTP and PTB clients pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import Bot

from bot.sandbox import BotApiDouble, SandboxUser
from tests.sandbox.support import TOKEN, FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def double() -> AsyncIterator[BotApiDouble]:
    """A double without flood control, so functional tests may send freely.

    Flood-control tests build their own doubles with the default limits.
    """
    async with BotApiDouble(TOKEN, limits=None, webhook_retry_delay=0.01) as running:
        yield running


@pytest.fixture
def anna(double: BotApiDouble) -> SandboxUser:
    return double.add_user(first_name="Anna", language_code="sv")


@pytest.fixture
async def http(double: BotApiDouble) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{double.api_url}/bot{TOKEN}/", timeout=5) as client:
        yield client


@pytest.fixture
async def bot(double: BotApiDouble) -> AsyncIterator[Bot]:
    async with Bot(
        TOKEN, base_url=f"{double.api_url}/bot", base_file_url=f"{double.api_url}/file/bot"
    ) as ptb:
        yield ptb
