"""考勤 for one activity (SPEC rules 3 and 4), and one member's year (rule 8).

The sheet is a `QAbstractTableModel` over the expected members, so 1,000 rows stay smooth. The
keyboard does the work: 全部出席 first, then the exceptions — a number key or a letter sets the
status of the selected rows and moves down; 请假 opens its reason. Changes save themselves a
moment after the last key (one transaction for the whole sheet), and before switching activity.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QHeaderView,
    QLabel,
    QListView,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.errors import UserError
from app.models import vocab
from app.services.attendance import (
    NOT_HELD,
    NOT_ON_ROLL,
    AttendanceSheet,
    SheetAttendee,
    SheetMember,
    activity_day,
    counts_as_taking_part,
    load_sheet,
    member_year,
    save_attendance,
)
from app.services.evaluation import is_unqualified_basis, needs_talk_reminder
from app.services.ledger import activity_year, year_activities
from app.services.roster import flags_text, list_members
from app.ui.state import AppState
from app.ui.table_model import RowsTableModel
from app.ui.year_selector import year_row

TEXT = {
    "year": "年度：",
    "activity": "活动：",
    "no_plan": "{year}年还没有活动计划：请先在“计划”页生成本年度计划。",
    "activity_item": "{month}月　{day}　{theme}{held}",
    "not_held_mark": "（未开展）",
    "not_held_note": "本次活动尚未登记开展日期，应参加人员按计划日期 {day} 确定。",
    "no_members": "{day} 花名册上没有在册党员，无从登记考勤：请先在“花名册”页点“新增党员”"
    "或“导入花名册…”，并核对入党或转入日期。",
    "all_present": "全部出席",
    "all_present_tip": "把尚未登记的党员全部设为“出席”，已登记的不变；再用键盘改例外情况",
    "save": "立即保存",
    "counts": "应参加党员 <b>{expected}</b> 人　实际参加党员 <b>{took_part}</b> 人　"
    "（出席 {present}，线上 {online}，流入地 {inflow}，适当方式 {suitable}）　"
    "请假 {leave}　缺席 {absent}　<span style='color:#888'>未登记 {unmarked}</span>",
    "leave_no_reason": "　<span style='color:#b9770e'>请假未填原因 {n} 人</span>",
    "legend": "键盘：1/C 出席　2/X 线上参加　3/L 流入地参加　4/S 适当方式参加　"
    "5/J 请假　6/Q 缺席　0/Del 清除　↑↓ 移动　Enter 填原因",
    "saved": "已保存 {time}",
    "unsaved": "正在保存…",
    "guests": "列席人员（勾选到场者，不计入党员人数）",
    "guests_none": "暂无列席人员，可在“列席人员”页添加。",
    "unmarked": "未登记",
    "no_reason": "（请填原因）",
    "year_member": "党员：",
    "year_summary": "{name} {year}年：应参加 {expected} 次，实际参加 {took_part} 次，"
    "未参加 {missed} 次（缺席 {absent}，请假 {leave}{excused}）",
    "leave_excused": "，本支部设置请假不计入",
    "talk": "　<b style='color:#b9770e'>已累计3次未参加，应及时谈话提醒、限期整改</b>",
    "unqualified": "　<b style='color:#c0392b'>已累计6次及以上未参加，可作为确定不合格党员的重要依据</b>",
    "year_headers": ["日期", "活动主题", "参加情况", "原因/说明", "计为未参加", "累计未参加"],
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
SAVE_DELAY_MS = 600


class AttendanceModel(QAbstractTableModel):
    """The expected members of one activity with their status; only 原因 is edited in a cell."""

    COL_NO, COL_NAME, COL_CATEGORY, COL_FLAGS, COL_WHERE, COL_STATUS, COL_REASON = range(7)
    HEADERS = ["序号", "姓名", "类别", "特殊情况", "流入地 / 流入地党组织", "参加情况", "原因/说明"]

    edited = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[SheetMember] = []
        self._brushes = {s: QBrush(QColor(c)) for s, c in STATUS_COLOURS.items()}
        self._grey = QBrush(QColor("#999999"))
        self._mobile = QBrush(QColor("#1f618d"))
        self._bold = QFont()
        self._bold.setBold(True)

    def set_rows(self, rows: list[SheetMember]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

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


class AttendanceView(QWidget):
    """考勤 of the activities of the year on view; `set_activity()` picks one."""

    def __init__(self, state: AppState, parent: QWidget | None = None, *, show_selector=True):
        super().__init__(parent)
        self.state = state
        self.sheet: AttendanceSheet | None = None
        self.dirty = False
        self._own_change = False

        self.activity_box = QComboBox()
        self.activity_box.setMinimumWidth(360)
        self.activity_box.currentIndexChanged.connect(self._activity_chosen)
        self.all_present = QPushButton(TEXT["all_present"])
        self.all_present.setToolTip(TEXT["all_present_tip"])
        self.all_present.clicked.connect(self.mark_all_present)
        self.save_button = QPushButton(TEXT["save"])
        self.save_button.clicked.connect(self.flush)
        self.save_label = QLabel()
        # Room for the longest state, so the buttons do not jump while saving.
        self.save_label.setMinimumWidth(
            self.save_label.fontMetrics().horizontalAdvance("已保存 00:00:00") + 8
        )
        top, self.year_spin, self.year_label = year_row(state)
        self.activity_label = QLabel(TEXT["activity"])
        top.addSpacing(12)
        top.addWidget(self.activity_label)
        top.addWidget(self.activity_box, 1)
        top.addWidget(self.all_present)
        top.addWidget(self.save_button)
        top.addWidget(self.save_label)
        if not show_selector:
            self.activity_label.hide()
            self.activity_box.hide()
            self.year_spin.hide()
            self.year_label.hide()

        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("color: #b9770e;")
        self.counts = QLabel()
        self.counts.setTextFormat(Qt.TextFormat.RichText)
        legend = QLabel(TEXT["legend"])
        legend.setStyleSheet("color: #555;")
        legend.setWordWrap(True)

        self.model = AttendanceModel(self)
        self.table = AttendanceTable()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        widths = [44, 90, 80, 130, 220, 100]
        for col, width in enumerate(widths):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            self.table.setColumnWidth(col, width)
        header.setStretchLastSection(True)
        self.table.status_key.connect(self.apply_status)

        self.guests = GuestsModel(self)
        self.guest_list = QListView()
        self.guest_list.setModel(self.guests)
        self.guests_empty = QLabel(TEXT["guests_none"])
        self.guests_empty.setWordWrap(True)
        self.guests_empty.setStyleSheet("color: #888;")
        guest_box = QWidget()
        guest_layout = QVBoxLayout(guest_box)
        guest_layout.setContentsMargins(0, 0, 0, 0)
        guest_title = QLabel(TEXT["guests"])
        guest_title.setWordWrap(True)
        guest_layout.addWidget(guest_title)
        guest_layout.addWidget(self.guest_list, 1)
        guest_layout.addWidget(self.guests_empty)

        splitter = QSplitter()
        splitter.addWidget(self.table)
        splitter.addWidget(guest_box)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.notice)
        layout.addWidget(self.counts)
        layout.addWidget(splitter, 1)
        layout.addWidget(legend)

        self.save_timer = QTimer(self)
        self.save_timer.setSingleShot(True)
        self.save_timer.setInterval(SAVE_DELAY_MS)
        self.save_timer.timeout.connect(self.flush)
        self.model.edited.connect(self._edited)
        self.guests.edited.connect(self._edited)
        self.model.dataChanged.connect(self._update_counts)
        self.model.modelReset.connect(self._update_counts)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.flush)

        state.changed.connect(self._data_changed)
        state.year_changed.connect(lambda *_: self.reload_activities())
        self.reload_activities()

    # --- which activity ---------------------------------------------------------------------
    def reload_activities(self, keep: int | None = None) -> None:
        """Fill the activity list of the year on view; keep the current one if still there, else
        pick the latest activity on or before today."""
        self.flush()
        keep = keep if keep is not None else self.activity_id()
        acts = year_activities(self.state.year)
        self.activity_box.blockSignals(True)
        self.activity_box.clear()
        chosen = -1
        today = dt.date.today()
        for i, a in enumerate(acts):
            day = activity_day(a.plan_date, a.held_date)
            self.activity_box.addItem(
                TEXT["activity_item"].format(
                    month=day.month,
                    day=day.isoformat(),
                    theme=a.theme or "",
                    held="" if a.held_date else TEXT["not_held_mark"],
                ),
                a.activity_id,
            )
            if a.activity_id == keep or (keep is None and day <= today):
                chosen = i
        if chosen < 0 and acts:
            chosen = 0
        self.activity_box.setCurrentIndex(chosen)
        self.activity_box.blockSignals(False)
        if not acts:
            self.notice.setText(TEXT["no_plan"].format(year=self.state.year))
        self._load(self.activity_id())

    def activity_id(self) -> int | None:
        return self.activity_box.currentData()

    def set_activity(self, activity_id: int) -> None:
        """Show one activity (e.g. from the record tab); switches the year if needed."""
        index = self.activity_box.findData(activity_id)
        if index < 0:
            year = activity_year(activity_id)
            if year is None:
                return
            self.state.set_year(year)
            self.reload_activities(keep=activity_id)
            return
        self.activity_box.setCurrentIndex(index)

    def _activity_chosen(self, _index: int) -> None:
        self.flush()
        self._load(self.activity_id())

    def _load(self, activity_id: int | None) -> None:
        if activity_id is None:
            self.sheet = None
            self.model.set_rows([])
            self.guests.set_rows([])
            self._set_enabled(False)
            return
        self.sheet = load_sheet(activity_id)
        self.model.set_rows(self.sheet.members)
        self.guests.set_rows(self.sheet.attendees)
        self.guests_empty.setVisible(not self.sheet.attendees)
        notes = []
        if not self.sheet.held:
            notes.append(TEXT["not_held_note"].format(day=self.sheet.day.isoformat()))
        if not self.sheet.members:
            notes.append(TEXT["no_members"].format(day=self.sheet.day.isoformat()))
        self.notice.setText("\n".join(notes))
        self.notice.setVisible(bool(notes))
        self._set_enabled(True)
        self.dirty = False
        self.save_label.clear()
        if self.model.rows:
            self.table.setCurrentIndex(self.model.index(0, AttendanceModel.COL_STATUS))

    def _set_enabled(self, on: bool) -> None:
        for w in (self.table, self.all_present, self.save_button, self.guest_list):
            w.setEnabled(on)

    # --- marking ----------------------------------------------------------------------------
    def selected_rows(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        if not rows and self.table.currentIndex().isValid():
            rows = [self.table.currentIndex().row()]
        return rows

    def apply_status(self, status: str | None) -> None:
        rows = self.selected_rows()
        if not rows:
            return
        self.model.set_status(rows, status)
        if status == vocab.LEAVE and len(rows) == 1:
            index = self.model.index(rows[0], AttendanceModel.COL_REASON)
            self.table.setCurrentIndex(index)
            self.table.edit(index)  # 请假 with its reason
            return
        if len(rows) == 1 and rows[0] + 1 < self.model.rowCount():
            self._move_to(rows[0] + 1)

    def _move_to(self, row: int) -> None:
        index = self.model.index(row, AttendanceModel.COL_STATUS)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)

    def mark_all_present(self) -> None:
        self.model.mark_unmarked_present()
        self.table.setFocus()

    def _edited(self) -> None:
        self.dirty = True
        self.save_label.setText(TEXT["unsaved"])
        self.save_timer.start()

    def _update_counts(self, *_: object) -> None:
        rows = self.model.rows
        n = {s: 0 for s in vocab.ATTENDANCE_STATUSES}
        unmarked = no_reason = 0
        for m in rows:
            if m.status:
                n[m.status] += 1
                no_reason += m.status == vocab.LEAVE and not m.reason
            else:
                unmarked += 1
        text = TEXT["counts"].format(
            expected=len(rows),
            took_part=sum(v for s, v in n.items() if counts_as_taking_part(s)),
            present=n[vocab.PRESENT],
            online=n[vocab.ONLINE],
            inflow=n[vocab.AT_INFLOW_ORG],
            suitable=n[vocab.SUITABLE_MEANS],
            leave=n[vocab.LEAVE],
            absent=n[vocab.ABSENT],
            unmarked=unmarked,
        )
        if no_reason:
            text += TEXT["leave_no_reason"].format(n=no_reason)
        self.counts.setText(text)

    # --- saving -------------------------------------------------------------------------------
    def flush(self) -> bool:
        """Save now if anything changed. Returns False if saving failed (message shown)."""
        self.save_timer.stop()
        if not self.dirty or self.sheet is None:
            return True
        # A reason still being typed reaches the model when its editor closes (Enter or focus
        # out), which saves again; it is not committed half-typed here.
        try:
            save_attendance(
                self.sheet.activity_id, self.model.statuses(), self.guests.present_ids()
            )
        except UserError as err:
            self.save_label.setText(f"<span style='color:#c0392b'>{err.message}</span>")
            return False
        self.dirty = False
        self.save_label.setText(TEXT["saved"].format(time=dt.datetime.now().strftime("%H:%M:%S")))
        self._own_change = True
        try:
            self.state.changed.emit("attendance")
        finally:
            self._own_change = False
        return True

    def _data_changed(self, what: str) -> None:
        if self._own_change:
            return
        self.reload_activities()

    def hideEvent(self, event) -> None:  # noqa: N802
        self.flush()
        super().hideEvent(event)


# --- one member's year --------------------------------------------------------------------------
class MemberYearModel(RowsTableModel):
    def __init__(self, parent=None):
        super().__init__(TEXT["year_headers"], parent)
        self.missed: list[bool] = []
        self._red = QBrush(QColor("#c0392b"))
        self._grey = QBrush(QColor("#999999"))

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and index.isValid():
            if self.missed[index.row()]:
                return self._red
            if self.rows[index.row()][2] in (NOT_HELD, NOT_ON_ROLL):
                return self._grey
        return super().data(index, role)


class MemberYearView(QWidget):
    """个人年度情况: each activity of the year with the member's status and the running count."""

    def __init__(self, state: AppState, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self.member_box = QComboBox()
        self.member_box.setEditable(True)
        self.member_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.member_box.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        self.member_box.completer().setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.member_box.setMinimumWidth(220)
        self.member_box.currentIndexChanged.connect(lambda *_: self.refresh_year())
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)
        self.model = MemberYearModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.verticalHeader().hide()
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        for col, width in enumerate([100, 300, 110, 160, 90]):
            self.view.setColumnWidth(col, width)
        self.view.horizontalHeader().setStretchLastSection(True)
        top, _years, _label = year_row(state)
        top.addSpacing(12)
        top.addWidget(QLabel(TEXT["year_member"]))
        top.addWidget(self.member_box)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        self._stale = True
        state.changed.connect(self._data_changed)
        state.year_changed.connect(self._data_changed)
        self.refresh()

    def _data_changed(self, *_: object) -> None:
        # refreshed when next shown: attendance saves often, and the list may hold 1,000 names
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event) -> None:  # noqa: N802
        if self._stale:
            self.refresh()
        super().showEvent(event)

    def refresh(self) -> None:
        self._stale = False
        current = self.member_box.currentData()
        self.member_box.blockSignals(True)
        self.member_box.clear()
        for m in list_members():  # all, those who left too (named so)
            label = m.name + ("（已离开）" if m.left_date else "")
            self.member_box.addItem(label, m.id)
        index = self.member_box.findData(current) if current is not None else 0
        self.member_box.setCurrentIndex(max(index, 0) if self.member_box.count() else -1)
        self.member_box.blockSignals(False)
        self.refresh_year()

    def show_member(self, member_id: int) -> None:
        index = self.member_box.findData(member_id)
        if index >= 0:
            self.member_box.setCurrentIndex(index)
            self.refresh_year()

    def refresh_year(self) -> None:
        member_id = self.member_box.currentData()
        if member_id is None:
            self.model.missed = []
            self.model.set_rows([])
            self.summary.clear()
            return
        year = member_year(member_id, self.state.year)
        self.model.missed = [r.not_taking_part for r in year.rows]
        self.model.set_rows(
            [
                (
                    r.day.isoformat(),
                    r.theme + ("" if r.held else TEXT["not_held_mark"]),
                    r.shown_status,
                    r.reason,
                    "是" if r.not_taking_part else "",
                    r.running_count if r.on_roll and r.held else "",
                )
                for r in year.rows
            ],
            [r.activity_id for r in year.rows],
        )
        text = TEXT["year_summary"].format(
            name=year.name,
            year=year.year,
            expected=year.expected,
            took_part=year.took_part,
            missed=year.not_taking_part,
            absent=year.absent,
            leave=year.leave,
            excused="" if year.leave_counts_as_absent else TEXT["leave_excused"],
        )
        if is_unqualified_basis(year.not_taking_part):
            text += TEXT["unqualified"]
        elif needs_talk_reminder(year.not_taking_part):
            text += TEXT["talk"]
        self.summary.setText(text)
