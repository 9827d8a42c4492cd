"""The update processor: chats at once, a chat's updates in order, no lock kept for ever."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram import Chat, Message, Update, User

from bot.app.chat_order import ChatOrder, chat_key

ANNA = User(1, "Anna", False)
BO = User(2, "Bo", False)


def message_update(update_id: int, user: User) -> Update:
    chat = Chat(user.id, Chat.PRIVATE)
    sent = Message(update_id, datetime.now(UTC), chat, from_user=user)
    return Update(update_id, message=sent)


async def test_one_chats_updates_run_in_order_and_another_chat_does_not_wait() -> None:
    processor = ChatOrder()
    first_held = asyncio.Event()
    release = asyncio.Event()
    done: list[str] = []

    async def handle(name: str, hold: bool = False) -> None:
        if hold:
            first_held.set()
            await release.wait()
        done.append(name)

    anna_first = asyncio.create_task(
        processor.process_update(message_update(1, ANNA), handle("anna 1", hold=True))
    )
    anna_second = asyncio.create_task(
        processor.process_update(message_update(2, ANNA), handle("anna 2"))
    )
    await first_held.wait()
    await processor.process_update(message_update(3, BO), handle("bo"))
    assert done == ["bo"]  # Bo's update did not wait for Anna's first
    release.set()
    await asyncio.gather(anna_first, anna_second)
    assert done == ["bo", "anna 1", "anna 2"]


async def test_a_chats_lock_is_dropped_when_its_last_update_is_done() -> None:
    processor = ChatOrder()
    seen: list[int] = []

    async def handle() -> None:
        seen.append(processor.chats_in_progress)

    await asyncio.gather(
        *(processor.process_update(message_update(i, ANNA), handle()) for i in range(3))
    )
    assert seen == [1, 1, 1]
    assert processor.chats_in_progress == 0


async def test_an_update_without_chat_or_sender_is_handled_without_a_lock() -> None:
    processor = ChatOrder()
    ran = asyncio.Event()

    async def handle() -> None:
        ran.set()

    await processor.process_update(Update(7), handle())
    assert ran.is_set()
    assert chat_key(Update(7)) is None
    assert chat_key(message_update(8, BO)) == BO.id
