"""The real client: python-telegram-bot's ``Bot`` against the double over loopback HTTP."""

from __future__ import annotations

import asyncio
import io

import pytest
from telegram import (
    Bot,
    BotCommand,
    ChatMemberAdministrator,
    ChatMemberLeft,
    ChatMemberMember,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaDocument,
    InputMediaPhoto,
    InputMediaVideo,
    ReplyParameters,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, RetryAfter

from bot.sandbox import BotApiDouble, SandboxUser
from tests.sandbox.support import TOKEN

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d494844520000000200000003080600000000000000"
)  # a PNG header for a 2x3 image


def ptb(double: BotApiDouble) -> Bot:
    return Bot(TOKEN, base_url=f"{double.api_url}/bot", base_file_url=f"{double.api_url}/file/bot")


async def test_send_message_with_keyboard_and_html(bot: Bot, anna: SandboxUser) -> None:
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Accept", callback_data="accept"),
                InlineKeyboardButton("No", callback_data="no"),
            ]
        ]
    )
    sent = await bot.send_message(
        anna.id, "<b>Hej</b> Anna, &lt;3", parse_mode=ParseMode.HTML, reply_markup=markup
    )
    assert sent.text == "Hej Anna, <3"
    assert sent.entities[0].type == "bold"
    assert sent.reply_markup == markup
    received = await anna.next_message(timeout=1)
    assert received["message_id"] == sent.message_id
    assert received["reply_markup"]["inline_keyboard"][0][1]["text"] == "No"


async def test_long_polling_is_woken_by_a_user_message(bot: Bot, anna: SandboxUser) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    await anna.send("/start abc")
    updates = await asyncio.wait_for(poll, 1)
    message = updates[0].message
    assert message is not None and message.text == "/start abc"
    assert message.from_user is not None and message.from_user.language_code == "sv"
    assert message.entities[0].type == "bot_command" and message.entities[0].length == 6
    assert message.chat.id == anna.id


async def test_copy_message_of_a_users_photo_and_download(
    double: BotApiDouble, bot: Bot, anna: SandboxUser
) -> None:
    bob = double.add_user("Bob", language_code="en")
    photo_message = await anna.send_photo(PNG, caption="our weekend")
    copied = await bot.copy_message(
        chat_id=bob.id, from_chat_id=anna.id, message_id=photo_message["message_id"]
    )
    received = await bob.next_message(timeout=1)
    assert received["message_id"] == copied.message_id
    assert received["caption"] == "our weekend"
    assert "forward_origin" not in received
    size = received["photo"][0]
    assert (size["width"], size["height"]) == (2, 3)
    assert size["file_id"] == photo_message["photo"][0]["file_id"]
    file = await bot.get_file(size["file_id"])
    assert (await file.download_as_bytearray()) == bytearray(PNG)
    buffer = io.BytesIO()
    await file.download_to_memory(buffer)
    assert buffer.getvalue() == PNG
    recaptioned = await bot.copy_message(
        bob.id, anna.id, photo_message["message_id"], caption="<i>new</i>", parse_mode="HTML"
    )
    assert bob.messages[-1]["message_id"] == recaptioned.message_id
    assert bob.messages[-1]["caption_entities"] == [{"offset": 0, "length": 3, "type": "italic"}]


async def test_forward_and_copy_of_a_bot_message(
    bot: Bot, double: BotApiDouble, anna: SandboxUser
) -> None:
    bob = double.add_user("Bob")
    original = await bot.send_message(anna.id, "Meeting at 18")
    forwarded = await bot.forward_message(bob.id, anna.id, original.message_id)
    assert forwarded.text == "Meeting at 18"
    assert forwarded.forward_origin is not None and forwarded.forward_origin.type == "user"
    copy_id = await bot.copy_message(bob.id, anna.id, original.message_id)
    assert bob.messages[-1]["message_id"] == copy_id.message_id
    assert bob.messages[-1]["text"] == "Meeting at 18"


async def test_upload_photo_document_voice(bot: Bot, anna: SandboxUser) -> None:
    photo = await bot.send_photo(anna.id, PNG, caption="pic")
    again = await bot.send_photo(anna.id, photo.photo[-1].file_id)
    assert again.photo[-1].file_id == photo.photo[-1].file_id
    document = await bot.send_document(anna.id, b"a,b\n1,2\n", filename="list.csv")
    assert document.document is not None and document.document.file_name == "list.csv"
    assert document.document.mime_type == "text/csv"
    voice = await bot.send_voice(anna.id, b"OggS-voice", duration=3)
    assert voice.voice is not None and voice.voice.mime_type == "audio/ogg"
    assert anna.messages[-1]["voice"]["duration"] == 3
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier/http url specified"):
        await bot.send_document(anna.id, "https://example.org/x.pdf")
    assert [m.get("caption") for m in anna.messages] == ["pic", None, None, None]


async def test_edit_message_text_and_wait_for_edit(bot: Bot, anna: SandboxUser) -> None:
    sent = await bot.send_message(anna.id, "Looking for a mentor…")
    first = await anna.next_message(timeout=1)
    assert first["text"] == "Looking for a mentor…"
    waiting = asyncio.create_task(anna.wait_for_edit(sent.message_id, timeout=2))
    await asyncio.sleep(0.01)
    edited = await bot.edit_message_text("Found one!", chat_id=anna.id, message_id=sent.message_id)
    assert isinstance(edited, type(sent)) and edited.edit_date is not None
    assert (await waiting)["text"] == "Found one!"
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Found one!", chat_id=anna.id, message_id=sent.message_id)


async def test_press_and_answer_callback_query(bot: Bot, anna: SandboxUser) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Accept", callback_data="accept:7")]])
    sent = await bot.send_message(anna.id, "Accept the match?", reply_markup=markup)
    message = await anna.next_message(timeout=1)
    press = asyncio.create_task(anna.press(message, "Accept", timeout=2))
    updates = await bot.get_updates(timeout=2)
    query = updates[-1].callback_query
    assert query is not None and query.data == "accept:7"
    assert query.message is not None and query.message.message_id == sent.message_id
    assert await query.answer("Accepted!") is True  # uses bot.answer_callback_query
    assert await press == {"text": "Accepted!", "show_alert": False}
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query.id)


async def test_commands_per_language(double: BotApiDouble, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand("start", "Start")])
    await bot.set_my_commands(
        [BotCommand("start", "Starta"), BotCommand("help", "Hjälp")], language_code="sv"
    )
    assert double.commands() == [{"command": "start", "description": "Start"}]
    assert [c["description"] for c in double.commands(language_code="sv")] == ["Starta", "Hjälp"]
    swedish = await bot.get_my_commands(language_code="sv")
    assert [c.command for c in swedish] == ["start", "help"]
    await bot.delete_my_commands(language_code="sv")
    assert double.commands(language_code="sv") == []


async def test_reply_parameters(bot: Bot, anna: SandboxUser) -> None:
    question = await anna.send("When?")
    answer = await bot.send_message(
        anna.id, "Saturday", reply_parameters=ReplyParameters(question["message_id"])
    )
    assert answer.reply_to_message is not None
    assert answer.reply_to_message.text == "When?"


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_ptb_sees_telegrams_errors(double: BotApiDouble, anna: SandboxUser) -> None:
    async with BotApiDouble(TOKEN) as limited, ptb(limited) as bot:
        user = limited.add_user("Ulla")
        for _ in range(3):
            await bot.send_message(user.id, "x")
        with pytest.raises(RetryAfter) as retry:
            await bot.send_message(user.id, "x")
        assert str(retry.value) == "Flood control exceeded. Retry in 1 seconds"
        blocker, other = limited.add_user("Bert"), limited.add_user("Otto")
        limited.block(blocker)
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_message(blocker.id, "x")
        limited.faults.inject("getMe", kind="drop")
        with pytest.raises(NetworkError):
            await bot.get_me()
        limited.faults.inject("getMe", kind=502)
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.get_me()
        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            await bot.send_message(other.id, "x" * 4097)
        with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
            await bot.send_message(
                other.id,
                "x",
                reply_markup=InlineKeyboardMarkup(
                    [[InlineKeyboardButton("A", callback_data="x" * 65)]]
                ),
            )


async def test_concurrent_get_updates_conflict(bot: Bot, double: BotApiDouble) -> None:
    older = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    async with ptb(double) as other:
        assert await other.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await older


async def test_send_media_group_and_copy_messages(
    double: BotApiDouble, bot: Bot, anna: SandboxUser
) -> None:
    video = await anna.send_video(b"mp4", caption="run")
    album = await bot.send_media_group(
        anna.id,
        [
            InputMediaPhoto(PNG, caption="<b>Day</b> one", parse_mode=ParseMode.HTML),
            InputMediaVideo(video["video"]["file_id"]),
            InputMediaPhoto(PNG, filename="two.png"),
        ],
    )
    assert len(album) == 3 and len({m.media_group_id for m in album}) == 1
    assert album[0].caption == "Day one" and album[0].caption_entities[0].type == "bold"
    assert album[1].video is not None and album[1].video.file_id == video["video"]["file_id"]
    assert album[2].photo[-1].width == 2
    with pytest.raises(BadRequest, match=r"(?i)document can't be mixed with other media types"):
        await bot.send_media_group(
            anna.id, [InputMediaPhoto(PNG), InputMediaDocument(b"%PDF", filename="a.pdf")]
        )
    bob = double.add_user("Bob")
    copies = await bot.copy_messages(
        bob.id, anna.id, [video["message_id"], *(m.message_id for m in album)], remove_caption=True
    )
    assert [c.message_id for c in copies] == [1, 2, 3, 4]
    assert [m.get("caption") for m in bob.messages] == [None] * 4
    assert "media_group_id" not in bob.messages[0]
    assert len({m["media_group_id"] for m in bob.messages[1:]}) == 1
    with pytest.raises(BadRequest, match=r"(?i)there are no messages to forward"):
        await bot.copy_messages(bob.id, anna.id, [99])


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_ptb_reads_what_users_send(bot: Bot, anna: SandboxUser) -> None:
    await anna.send_sticker(b"webp", emoji="🎉")
    await anna.send_video_note(b"round")
    await anna.send_audio(b"ID3", caption="our song", file_name="song.mp3")
    await anna.send_venue(55.6, 13.0, "Café", "Gatan 1")
    await anna.send_contact("+4670", "Eva")
    await anna.send_poll("When?", ["Now", "Later"])
    await anna.send_album([("photo", PNG, None), ("video", b"mp4", None)])
    text = await anna.send_text_with_entities(
        "see here", [{"type": "text_link", "offset": 4, "length": 4, "url": "https://e.org"}]
    )
    await anna.edit(text, "see there")
    await anna.pin(text)
    await anna.set_auto_delete_timer(604800)
    updates = await bot.get_updates()
    messages = [u.message for u in updates]
    sticker, note, audio, venue, contact, poll, first, second, linked, _, pin, timer = messages
    assert sticker is not None and sticker.sticker is not None
    assert sticker.sticker.emoji == "🎉"
    assert note is not None and note.video_note is not None and note.video_note.length == 384
    assert audio is not None and audio.audio is not None and audio.caption == "our song"
    assert audio.audio.file_name == "song.mp3"
    assert venue is not None and venue.venue is not None and venue.location is not None
    assert contact is not None and contact.contact is not None
    assert poll is not None and poll.poll is not None and poll.poll.options[1].text == "Later"
    assert first is not None and second is not None
    assert first.media_group_id == second.media_group_id is not None
    assert linked is not None and linked.entities[0].url == "https://e.org"
    edited = updates[9].edited_message
    assert edited is not None and edited.text == "see there" and edited.edit_date is not None
    assert pin is not None and pin.pinned_message is not None
    assert timer is not None and timer.message_auto_delete_timer_changed is not None
    assert timer.message_auto_delete_timer_changed.message_auto_delete_time == 604800


async def test_groups_channels_and_leaving(
    double: BotApiDouble, bot: Bot, anna: SandboxUser
) -> None:
    group = double.add_group("Mentors", [anna])
    channel = double.add_channel("News", anna)
    await group.send(anna, "/stats")
    await channel.send(anna, "Friday")
    joined, service, added, command, post = await bot.get_updates()
    assert joined.my_chat_member is not None
    assert isinstance(joined.my_chat_member.old_chat_member, ChatMemberLeft)
    assert isinstance(joined.my_chat_member.new_chat_member, ChatMemberMember)
    assert joined.effective_chat is not None and joined.effective_chat.type == "group"
    assert service.message is not None and service.message.new_chat_members[0].is_bot
    assert added.my_chat_member is not None
    admin = added.my_chat_member.new_chat_member
    assert isinstance(admin, ChatMemberAdministrator) and admin.can_post_messages
    assert command.message is not None and command.message.text == "/stats"
    assert post.channel_post is not None and post.channel_post.sender_chat is not None
    assert post.channel_post.from_user is None
    sent = await bot.send_message(group.id, "Hello group")
    assert (await group.next_message(timeout=1))["message_id"] == sent.message_id
    assert (await bot.get_chat(group.id)).title == "Mentors"
    assert await bot.leave_chat(group.id) is True
    assert not group.bot_is_member
    left = (await bot.get_updates(offset=post.update_id + 1))[-1]
    assert left.my_chat_member is not None
    assert isinstance(left.my_chat_member.new_chat_member, ChatMemberLeft)
    with pytest.raises(Forbidden, match=r"(?i)bot is not a member of the group chat"):
        await bot.send_message(group.id, "Still there?")
    with pytest.raises(BadRequest, match=r"(?i)can't leave private chats"):
        await bot.leave_chat(anna.id)
    await bot.get_updates(allowed_updates=Update.ALL_TYPES)  # as the bot's polling asks
    assert double.allowed_updates is not None
    assert set(double.allowed_updates) == set(Update.ALL_TYPES)
