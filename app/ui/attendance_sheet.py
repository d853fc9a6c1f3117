"""The 考勤 sheet of one activity (rules 3 and 4) as Qt models: the expected members with their
status (a number key or a letter sets it), and the invited non-members as a checklist."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QTableView, QWidget

from app.models import vocab
from app.services.attendance import SheetAttendee, SheetMember
from app.services.names import sort_key
from app.services.record_rules import REASON_MAX
from app.services.roster import ORDER_PINYIN, ORDER_ROLL, flags_text
from app.ui.text_limits import LimitedTextDelegate

TEXT = {
    "unmarked": "未登记",
    "no_reason": "（请填原因）",
}

# status -> keys; the letters are the pinyin of the telling character (出 线 流 适 假 缺)
STATUS_KEYS: dict[int, str] = {
    Qt.Key.Key_1: vocab.PRESENT,
    Qt.Key.Key_C: vocab.PRESENT,
    Qt.Key.Key_2: vocab.ONLINE,
    Qt.Key.Key_X: vocab.ONLINE,
    Qt.Key.Key_3: vocab.AT_INFLOW_ORG,
    Qt.Key.Key_L: vocab.AT_INFLOW_ORG,
    Qt.Key.Key_4: vocab.SUITABLE_MEANS,
    Qt.Key.Key_S: vocab.SUITABLE_MEANS,
    Qt.Key.Key_5: vocab.LEAVE,
    Qt.Key.Key_J: vocab.LEAVE,
    Qt.Key.Key_6: vocab.ABSENT,
    Qt.Key.Key_Q: vocab.ABSENT,
}
CLEAR_KEYS = {Qt.Key.Key_0, Qt.Key.Key_Delete, Qt.Key.Key_Backspace}
STATUS_COLOURS = {
    vocab.PRESENT: "#1e8449",
    vocab.ONLINE: "#1f618d",
    vocab.AT_INFLOW_ORG: "#1f618d",
    vocab.SUITABLE_MEANS: "#1f618d",
    vocab.LEAVE: "#b9770e",
    vocab.ABSENT: "#c0392b",
}


class AttendanceModel(QAbstractTableModel):
    """The expected members of one activity with their status; only 原因 is edited in a cell."""

    COL_NO, COL_NAME, COL_CATEGORY, COL_FLAGS, COL_WHERE, COL_STATUS, COL_REASON = range(7)
    HEADERS = ["序号", "姓名", "类别", "特殊情况", "流入地 / 流入地党组织", "参加情况", "原因/说明"]

    edited = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[SheetMember] = []
        self.order = ORDER_PINYIN  # or ORDER_ROLL: as entered on the roster
        self._brushes = {s: QBrush(QColor(c)) for s, c in STATUS_COLOURS.items()}
        self._grey = QBrush(QColor("#999999"))
        self._mobile = QBrush(QColor("#1f618d"))
        self._bold = QFont()
        self._bold.setBold(True)

    def set_rows(self, rows: list[SheetMember]) -> None:
        self.beginResetModel()
        if self.order == ORDER_ROLL:
            self.rows = sorted(rows, key=lambda m: m.member_id)
        else:
            self.rows = sorted(rows, key=lambda m: sort_key(m.name))
        self.endResetModel()

    def set_order(self, order: str) -> None:
        """Pinyin order of the names, or the roll order; the statuses marked stay."""
        self.order = order
        self.set_rows(self.rows)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == self.COL_REASON:
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        m, col = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.COL_NO:
                return str(index.row() + 1)
            if col == self.COL_NAME:
                return m.name
            if col == self.COL_CATEGORY:
                return m.category
            if col == self.COL_FLAGS:
                return flags_text(m)
            if col == self.COL_WHERE:
                return " / ".join(p for p in (m.mobile_location, m.inflow_org) if p)
            if col == self.COL_STATUS:
                return m.status or TEXT["unmarked"]
            if col == self.COL_REASON:
                if m.status == vocab.LEAVE and not m.reason:
                    return TEXT["no_reason"]
                return m.reason
        elif role == Qt.ItemDataRole.EditRole and col == self.COL_REASON:
            return m.reason
        elif role == Qt.ItemDataRole.ForegroundRole:
            if col == self.COL_STATUS:
                return self._brushes.get(m.status or "", self._grey)
            if col == self.COL_FLAGS and m.is_mobile:
                return self._mobile
            if col == self.COL_REASON and m.status == vocab.LEAVE and not m.reason:
                return self._grey
        elif role == Qt.ItemDataRole.FontRole and col == self.COL_STATUS and m.status:
            return self._bold
        elif role == Qt.ItemDataRole.TextAlignmentRole and col in (self.COL_NO, self.COL_STATUS):
            return int(Qt.AlignmentFlag.AlignCenter)
        elif role == Qt.ItemDataRole.ToolTipRole:
            if col == self.COL_FLAGS and m.is_mobile:
                return "流动党员：可按 2 记“线上参加”，或按 3 记“流入地参加”"
            if col == self.COL_FLAGS and m.is_frail:
                return "年老体弱、行动不便：可按 4 记“适当方式参加”"
            if col == self.COL_WHERE:
                return " / ".join(p for p in (m.mobile_location, m.inflow_org) if p) or None
        return None

    def setData(self, index: QModelIndex, value: Any, role=Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.EditRole or index.column() != self.COL_REASON:
            return False
        m = self.rows[index.row()]
        text = str(value or "").strip()
        if text == m.reason:
            return True
        m.reason = text
        self.dataChanged.emit(index, index)
        self.edited.emit()
        return True

    def set_status(self, rows: list[int], status: str | None) -> None:
        changed = False
        for r in rows:
            m = self.rows[r]
            if m.status != status:
                m.status = status
                if status is None:
                    m.reason = ""
                changed = True
        if changed and rows:
            self.dataChanged.emit(
                self.index(min(rows), 0), self.index(max(rows), self.columnCount() - 1)
            )
            self.edited.emit()

    def mark_unmarked_present(self) -> int:
        rows = [i for i, m in enumerate(self.rows) if not m.status]
        self.set_status(rows, vocab.PRESENT)
        return len(rows)

    def statuses(self) -> dict[int, tuple[str, str]]:
        return {m.member_id: (m.status, m.reason) for m in self.rows if m.status}

    def row_of(self, member_id: int) -> int:
        for i, m in enumerate(self.rows):
            if m.member_id == member_id:
                return i
        return -1


class GuestsModel(QAbstractListModel):
    """Invited non-members as a checklist; ticking does not change any party-member figure."""

    edited = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[SheetAttendee] = []

    def set_rows(self, rows: list[SheetAttendee]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsUserCheckable
        )

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        a = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{a.name}（{a.kind}）"
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if a.present else Qt.CheckState.Unchecked
        return None

    def setData(self, index: QModelIndex, value: Any, role=Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.CheckStateRole:
            return False
        a = self.rows[index.row()]
        a.present = Qt.CheckState(value) == Qt.CheckState.Checked
        self.dataChanged.emit(index, index)
        self.edited.emit()
        return True

    def present_ids(self) -> list[int]:
        return [a.attendee_id for a in self.rows if a.present]


class AttendanceTable(QTableView):
    """The sheet's view: status keys act on the selected rows, then move to the next row."""

    status_key = Signal(object)  # a status word, or None to clear

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        # The reason within the limit save_attendance checks (record_rules.REASON_MAX).
        self.setItemDelegateForColumn(
            AttendanceModel.COL_REASON, LimitedTextDelegate(REASON_MAX, self)
        )

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if mods == Qt.KeyboardModifier.NoModifier:
            if event.key() in STATUS_KEYS:
                self.status_key.emit(STATUS_KEYS[event.key()])
                return
            if event.key() in CLEAR_KEYS:
                self.status_key.emit(None)
                return
            # Enter pressed in the reason editor also reaches here (the editor closes later)
            if (
                event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and self.currentIndex().isValid()
                and self.state() != QAbstractItemView.State.EditingState
            ):
                reason = self.model().index(self.currentIndex().row(), AttendanceModel.COL_REASON)
                self.setCurrentIndex(reason)
                self.edit(reason)
                return
        super().keyPressEvent(event)
