"""Terminal output: display widths, plain tables, and rich only on a terminal."""

from __future__ import annotations

import io
import unicodedata

import pytest

from kpiscore.cli.terminal import cell_width, plain_table, progress, uses_rich, write_table


class _Terminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


class TestCellWidth:
    @pytest.mark.parametrize(
        ("text", "width"),
        [
            pytest.param("Nguyễn Văn An", 13, id="composed-vietnamese"),
            pytest.param(unicodedata.normalize("NFD", "Nguyễn Văn An"), 13, id="decomposed"),
            pytest.param("Hoàn thành xuất sắc nhiệm vụ", 28, id="rating-name"),
            pytest.param("評価", 4, id="wide"),
            pytest.param("", 0, id="empty"),
        ],
    )
    def test_width(self, text: str, width: int) -> None:
        assert width == cell_width(text)


class TestPlainTable:
    def test_columns_line_up_whatever_the_accents(self) -> None:
        rows = [["nv1", "Đặng Thị Hằng", "87.67"], ["nv22", "Lê An", "9.00"]]
        text = plain_table(["id", "tên", "điểm"], rows, ["left", "left", "right"])
        assert [
            "id    tên             điểm",
            "nv1   Đặng Thị Hằng  87.67",
            "nv22  Lê An           9.00",
        ] == text.splitlines()

    def test_trailing_spaces_are_trimmed(self) -> None:
        text = plain_table(["a", "b"], [["x", ""]], ["left", "left"])
        assert ["a  b", "x"] == text.splitlines()


class TestRichOnlyOnATerminal:
    def test_a_pipe_gets_plain_text(self) -> None:
        assert False is uses_rich(io.StringIO())

    def test_a_terminal_gets_rich(self) -> None:
        pytest.importorskip("rich")
        assert True is uses_rich(_Terminal())

    def test_a_terminal_without_rich_gets_plain_text(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
        stream = _Terminal()
        write_table(stream, ["a"], [["x"]], ["left"])
        assert "a\nx\n" == stream.getvalue()

    def test_a_table_on_a_terminal_is_drawn_by_rich(self) -> None:
        pytest.importorskip("rich")
        stream = _Terminal()
        write_table(stream, ["tên"], [["Đặng Thị Hằng"]], ["left"], title="Bảng")
        text = stream.getvalue()
        # rich draws a box around the cells (and may style the title with escape codes)
        assert (True, True, True) == ("Bảng" in text, "Đặng Thị Hằng" in text, "┃" in text)

    def test_a_plain_table_keeps_its_title(self) -> None:
        stream = io.StringIO()
        write_table(stream, ["a"], [["x"]], ["left"], title="T")
        assert "T\na\nx\n" == stream.getvalue()


class TestProgress:
    def test_nothing_is_written_off_a_terminal(self) -> None:
        stream = io.StringIO()
        with progress(stream, 10, "Scoring") as advance:
            advance(10)
        assert "" == stream.getvalue()

    def test_a_terminal_gets_a_bar_that_counts(self) -> None:
        pytest.importorskip("rich")
        stream = _Terminal()
        with progress(stream, 4, "Scoring 4 people") as advance:
            advance(2)
            advance(2)
        assert "Scoring 4 people" in stream.getvalue()
