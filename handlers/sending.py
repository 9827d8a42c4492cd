"""Sends of which the bot keeps only the message's id: an offer, a newsletter's delivery.

python-telegram-bot decodes Telegram's answer to every send into a whole Message, which costs
more than the rest of an offer's own work and about 0.09 ms a newsletter message. The Bot API
takes its methods' names in any case: in lower case, python-telegram-bot knows no method of its
own by the name, so `do_api_request` neither warns that one exists nor decodes the answer. The
call goes through the same request and rate limiter as the library's own methods and raises
the same TelegramErrors, but for one: a 401 or 404 comes as EndPointNotFound, not InvalidToken
(bot/app/bot_api_watch.py sees the status either way). The bot's defaults are not applied to
it, so the parse mode is said here.
"""

from __future__ import annotations

from telegram.constants import ParseMode
from telegram.ext import ExtBot


async def send_for_its_id(
    bot: ExtBot[int],
    method: str,
    parameters: dict[str, object],
    *,
    rate_limit_args: int | None = None,
) -> int:
    """Call `method` (e.g. "sendMessage") with `parameters`, the text or caption in HTML, and
    return the id of the message sent."""
    call = {"parse_mode": ParseMode.HTML, **parameters}
    sent = await bot.do_api_request(
        method.lower(), api_kwargs=call, rate_limit_args=rate_limit_args
    )
    return int(sent["message_id"])
