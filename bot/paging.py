"""Long lists shown a page at a time: Telegram shows at most 100 buttons under a message, and a
service's members, mentor households, events or an outing's households outgrow that.

A page's number travels in a button's data, so it is anyone's to forge and may be stale (the
list shrank since the button was sent): any number gives a page that exists, the nearest one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    number: int  # from 0
    count: int  # at least 1, for an empty list too

    @property
    def has_previous(self) -> bool:
        return self.number > 0

    @property
    def has_next(self) -> bool:
        return self.number + 1 < self.count


def page(items: Sequence[T], number: int, size: int) -> Page[T]:
    """The page `number` of `items`, `size` a page; a number before the first gives the first,
    one past the end gives the last."""
    count = max(1, -(-len(items) // size))
    number = min(max(number, 0), count - 1)
    first = number * size
    return Page(items[first : first + size], number, count)


def page_holding(index: int, size: int) -> int:
    """The number of the page that holds the item at `index`: after a press on one of a page's
    items, the same page is shown again, not the first."""
    return max(index, 0) // size
