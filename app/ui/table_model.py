"""A small read-only table model: named columns, rows of display values, reset on `set_rows`,
optionally a text colour per row (a member who left in grey, say).

For tables whose cells are plain text. Editable or richer tables subclass it or write their own
`QAbstractTableModel`; views never fill cells by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor


class RowsTableModel(QAbstractTableModel):
    def __init__(self, headers: Sequence[str], parent=None):
        super().__init__(parent)
        self.headers = list(headers)
        self.rows: list[Sequence[Any]] = []
        self.keys: list[Any] = []  # e.g. database ids, parallel to rows
        self.foreground: list[QBrush | None] = []  # a text colour per row, or None

    def set_rows(
        self,
        rows: Sequence[Sequence[Any]],
        keys: Sequence[Any] | None = None,
        *,
        foreground: Sequence[str | None] | None = None,
    ) -> None:
        """`foreground`: per row, a colour ("#999999") for its text, or None for the usual."""
        self.beginResetModel()
        self.rows = list(rows)
        self.keys = list(keys) if keys is not None else list(range(len(self.rows)))
        colors = foreground if foreground is not None else [None] * len(self.rows)
        self.foreground = [QBrush(QColor(c)) if c else None for c in colors]
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            value = self.rows[index.row()][index.column()]
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self.foreground[index.row()]
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None

    def key_at(self, row: int) -> Any:
        return self.keys[row]
