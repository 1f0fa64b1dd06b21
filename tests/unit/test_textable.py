"""Terminal tables line up with Chinese text."""

from publish.textable import display_width, format_table


def test_wide_characters_count_double() -> None:
    assert display_width("城乡低保") == 8
    assert display_width("a1") == 2


def test_columns_line_up_under_chinese_headers() -> None:
    text = format_table(["数据集", "行数"], [["城乡低保", 12], ["air", 3]])
    rows = text.splitlines()[2:]
    starts = {display_width(line[: line.index(str(n))]) for line, n in zip(rows, (12, 3))}
    assert len(starts) == 1, text
