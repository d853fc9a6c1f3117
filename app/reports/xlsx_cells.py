"""Every cell the app writes into a workbook goes through here (docs/formats.md "Workbooks").

Text is stored as text, never as a formula: openpyxl turns a str starting with "=" into a
formula, and a spreadsheet program would evaluate a branch name like `=HYPERLINK(...)` from a
bundle nobody here made. Characters no stored text may hold (control characters, direction
overrides, lone surrogates from a JSON escape; `app.services.text_rules`) are dropped and
over-long text is cut, so whatever is already stored never crashes a writer (openpyxl refuses
control characters with IllegalCharacterError). Also here: how tall a row of wrapped text must be, for
the normal and the streaming (write-only) worksheets alike, and `style()`, which styles a cell
at the cost of a look-up."""

from __future__ import annotations

import functools
import math
import unicodedata
import weakref
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter

from app.services.text_rules import printable

MAX_CELL_CHARS = 32_767  # Excel's limit; a longer cell makes Excel "repair" the file
LINE_HEIGHT = 15.0


def clean_text(text: str) -> str:
    """`text` as a workbook can hold it: forbidden characters dropped, cut to Excel's limit."""
    text = printable(text)
    if len(text) > MAX_CELL_CHARS:
        text = text[: MAX_CELL_CHARS - 1] + "…"
    return text


def new_cell(ws, value: Any) -> Cell:
    """A cell for `ws.append()` holding `value`, a str as text (type "s") whatever it starts
    with. Works for normal and write-only worksheets alike (style it before appending)."""
    if isinstance(value, str):
        cell = Cell(ws, row=1, column=1)
        # Set as text directly: binding a str would first classify "=..." as a formula.
        cell._value = clean_text(value)
        cell.data_type = "s"
        return cell
    return Cell(ws, row=1, column=1, value=value)


def cell_for(ws, value: Any) -> Any:
    """What to put in a row for `value`: a text cell for a str, the value itself otherwise
    (numbers, dates, None and ready-made cells)."""
    return new_cell(ws, value) if isinstance(value, str) else value


def row_of(ws, values: Iterable[Any]) -> list[Any]:
    """A row for `ws.append()` in which every str is stored as text."""
    return [cell_for(ws, v) for v in values]


def append(ws, values: Iterable[Any]) -> None:
    """`ws.append(values)` with every str stored as text."""
    ws.append(row_of(ws, values))


def put(ws, row: int, column: int, value: Any) -> Cell:
    """`ws.cell(row, column, value)` with a str stored as text (normal worksheets)."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = clean_text(value)
        cell.data_type = "s"
    else:
        cell.value = value
    return cell


# --- styling many cells alike ------------------------------------------------------------------
# Per workbook: (the cell's style ids, the attributes set) -> the style ids that result.
_STYLED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def style(cell: Cell, **attrs: Any) -> None:
    """Set `attrs` (font, fill, border, alignment, number_format, …) on `cell` as
    `cell.<attr> = value` would. openpyxl hashes the whole style object into the workbook's
    list on every such assignment, which was most of a 300-member workbook's writing time;
    here the first cell of a look pays it and every later cell of that look copies the style
    ids. Pass shared style objects (module constants): the look is known by their identity."""
    looks = _STYLED.setdefault(cell.parent.parent, {})
    now = cell._style.tobytes() if cell._style is not None else b""  # None: never styled
    key = (now, *((name, id(value)) for name, value in attrs.items()))
    found = looks.get(key)
    if found is None:
        for name, value in attrs.items():
            setattr(cell, name, value)
        # The values are kept with the look so that their ids are not reused by others.
        found = looks[key] = (StyleArray(cell._style), tuple(attrs.values()))
    else:
        cell._style = StyleArray(found[0])


# --- how tall a row of wrapped text is -------------------------------------------------------
def text_width(text: str) -> float:
    """Width in Excel's column units: a Chinese character is about two of them."""
    return sum(2.1 if unicodedata.east_asian_width(c) in "WF" else 1.0 for c in text)


def lines_needed(text: str, room: float) -> int:
    """Lines `text` takes when wrapped in a column with `room` units of usable width."""
    if len(text) * 2.1 <= room and "\n" not in text:
        return 1  # fits on one line whatever its characters (the cheap common case)
    return _lines_of_long(text, room)


@functools.lru_cache(maxsize=256)
def _lines_of_long(text: str, room: float) -> int:
    # Remembered: a workbook repeats its long texts (a branch's name on each of its rows, one
    # after another), and a few are enough: memory stays flat however many branches.
    return sum(max(1, math.ceil(text_width(p) / room)) for p in text.split("\n"))


def usable_width(width: float | None) -> float:
    return max((width or 8.43) - 1.0, 1.0)


def wrapped_height(
    values: Sequence[Any],
    widths: Sequence[float],
    wrapped: Iterable[int],
    line: float = LINE_HEIGHT,
) -> float | None:
    """The height a row of `values` needs when the columns `wrapped` (0-based) wrap their text
    in columns of `widths`; None when one line is enough. For rows about to be streamed."""
    lines = 1
    for col in wrapped:
        text = values[col] if col < len(values) else None
        if isinstance(text, str) and col < len(widths):
            lines = max(lines, lines_needed(text, usable_width(widths[col])))
    return lines * line + 3 if lines > 1 else None


def fit_row_heights(ws, first_row: int, last_row: int, line: float = LINE_HEIGHT) -> None:
    """Give rows with wrapped text the height their longest cell needs (normal worksheets).
    Excel and LibreOffice do not grow rows written by openpyxl by themselves, so wrapped text
    was cut off."""
    if last_row < first_row:
        return
    merged = {c for r in ws.merged_cells.ranges for c in _coordinates(r)}
    usable: dict[str, float] = {}
    # One pass over the block (ws[r] would rescan the whole sheet for its width every row).
    for row in ws.iter_rows(min_row=first_row, max_row=last_row, max_col=ws.max_column):
        lines = 1
        for cell in row:
            text = cell.value
            if not isinstance(text, str):
                continue  # numbers and dates never wrap
            letter = cell.column_letter
            if letter not in usable:
                usable[letter] = usable_width(ws.column_dimensions[letter].width)
            if len(text) * 2.1 <= usable[letter] and "\n" not in text:
                continue
            if not (cell.alignment and cell.alignment.wrap_text) or cell.coordinate in merged:
                continue  # merged notes get their own height
            lines = max(lines, lines_needed(text, usable[letter]))
        if lines > 1:
            r = row[0].row
            ws.row_dimensions[r].height = max(ws.row_dimensions[r].height or 0, lines * line + 3)


def _coordinates(cell_range) -> list[str]:
    return [
        f"{get_column_letter(c)}{r}"
        for r in range(cell_range.min_row, cell_range.max_row + 1)
        for c in range(cell_range.min_col, cell_range.max_col + 1)
    ]
