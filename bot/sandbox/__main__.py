"""Run the double standalone: ``python -m bot.sandbox --port 8081 --token 123456:sandbox``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from .double import BotApiDouble
from .limits import RateLimits


async def _serve(args: argparse.Namespace) -> None:
    limits = None if args.no_limits else RateLimits()
    double = BotApiDouble(
        args.token, bot_username=args.username, host=args.host, port=args.port, limits=limits
    )
    async with double:
        print(f"Bot API double listening on {double.api_url}", flush=True)
        print(f'  PTB: Bot(token, base_url="{double.api_url}/bot", ', end="")
        print(f'base_file_url="{double.api_url}/file/bot")', flush=True)
        print(f"  chat page: {double.page.address}", flush=True)
        await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:sandbox")
    parser.add_argument("--username", default="mentorbot_sandbox_bot", help="the bot's username")
    parser.add_argument("--no-limits", action="store_true", help="disable flood control")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
