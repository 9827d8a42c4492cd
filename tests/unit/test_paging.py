"""The one pager every long list of buttons uses: any page number asked for gives a page that
exists, and a press on an item shows the page that holds it again."""

from __future__ import annotations

from bot.paging import page, page_holding


def test_a_list_is_cut_in_pages_and_a_number_out_of_range_gives_the_nearest_page() -> None:
    items = list(range(45))
    first = page(items, 0, 20)
    assert (list(first.items), first.number, first.count) == (list(range(20)), 0, 3)
    assert (first.has_previous, first.has_next) == (False, True)
    last = page(items, 9, 20)
    assert (list(last.items), last.number, last.has_next) == (list(range(40, 45)), 2, False)
    assert page(items, -3, 20).number == 0
    empty = page(list[int](), 0, 20)
    assert (list(empty.items), empty.count, empty.has_next) == ([], 1, False)


def test_the_page_holding_an_item() -> None:
    assert [page_holding(index, 20) for index in (0, 19, 20, 45)] == [0, 0, 1, 2]
