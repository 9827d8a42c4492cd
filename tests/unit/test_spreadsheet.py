"""The shared reader of Nordic Excel tables that the rota and the catalogue files go through."""

from bot.spreadsheet import Shape, ShapeProblem, table_rows


def _order(header: list[str]) -> list[int] | None:
    return [header.index("b"), header.index("a")] if sorted(header) == ["a", "b"] else None


def test_rows_come_in_the_callers_column_order_with_shape_problems_where_they_stand() -> None:
    text = "a;b\r\n1;2\r\n3\r\n\r\n5;6\r\n7;8\r\n"
    assert list(table_rows(text, _order, 3)) == [  # a refused row counts too
        (2, ["2", "1"]),
        ShapeProblem(3, Shape.FIELD_COUNT, "3"),
        (5, ["6", "5"]),
        ShapeProblem(6, Shape.TOO_MANY_ROWS),
    ]


def test_a_bad_header_or_no_rows_is_the_only_problem() -> None:
    assert list(table_rows("a,c\n1,2\n", _order, 5)) == [ShapeProblem(1, Shape.BAD_HEADER, "a,c")]
    assert list(table_rows("b,a\n", _order, 5)) == [ShapeProblem(1, Shape.EMPTY)]
    assert list(table_rows("", _order, 5)) == [ShapeProblem(1, Shape.EMPTY)]
