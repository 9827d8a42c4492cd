"""An offline Telegram Bot API double: a real HTTP server speaking the Bot API on loopback.

It lets the real bot (python-telegram-bot) run end to end without Telegram, with Telegram's
validation, flood limits and failure modes, and gives tests a user-side API
(:class:`SandboxUser`, :class:`SandboxGroup`) to drive conversations. It deliberately imports
nothing from the rest of the project, nor PTB: it is the other side of the wire.
"""

from .double import BotApiDouble
from .errors import ApiError
from .events import Event, EventKind
from .faults import Fault, FaultKind
from .groups import SandboxGroup
from .limits import RateLimiter, RateLimits, TokenBucket
from .server import DROPPED, RequestRecord
from .users import SandboxUser, UserActionRefused

__all__ = [
    "DROPPED",
    "ApiError",
    "BotApiDouble",
    "Event",
    "EventKind",
    "Fault",
    "FaultKind",
    "RateLimiter",
    "RateLimits",
    "RequestRecord",
    "SandboxGroup",
    "SandboxUser",
    "TokenBucket",
    "UserActionRefused",
]
