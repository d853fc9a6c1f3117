"""考勤 for one activity (rules 3 and 4).

The sheet is a `QAbstractTableModel` over the expected members (`app.ui.attendance_sheet`), so
1,000 rows stay smooth. The keyboard does the work: 全部出席 first, then the exceptions — a number
key or a letter sets the status of the selected rows and moves down; 请假 opens its reason.
Changes save themselves a moment after the last key (one transaction for the whole sheet), and
before switching activity. One member's year is `app.ui.member_year_view`.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QItemSelectionModel, QSize, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QPushButton,
    QWidget,
)

from app.errors import UserError
from app.models import vocab
from app.services.attendance import (
    AttendanceSheet,
    activity_day,
    counts_as_taking_part,
    load_sheet,
    save_attendance,
)
from app.services.ledger import activity_year
from app.services.roster import ORDER_PINYIN, ORDER_ROLL
from app.ui.attendance_sheet import AttendanceModel, AttendanceTable, GuestsModel
from app.ui.dialog_kit import column, panel, set_steady_text, side_by_side
from app.ui.state import ALL, AppState, watch
from app.ui.year_selector import year_row

TEXT = {
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
}

SAVE_DELAY_MS = 600
ANY_SIZE = (1 << 24) - 1  # Qt's QWIDGETSIZE_MAX: no bound


class AttendanceView(QWidget):
    """考勤 of the activities of the year on view; `set_activity()` picks one."""

    def __init__(
        self, state: AppState, parent: QWidget | None = None, *, show_selector=True, start=True
    ):
        super().__init__(parent)
        self.state = state
        self.sheet: AttendanceSheet | None = None
        self.dirty = False
        self._own_change = False

        top = self._build_top(show_selector)

        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("color: #b9770e;")
        self.counts = QLabel()
        self.counts.setTextFormat(Qt.TextFormat.RichText)
        legend = QLabel(TEXT["legend"])
        legend.setStyleSheet("color: #555;")
        legend.setWordWrap(True)

        self._build_table()

        self.guests = GuestsModel(self)
        self.guest_list = QListView()
        self.guest_list.setModel(self.guests)
        self.guests_empty = QLabel(TEXT["guests_none"])
        self.guests_empty.setWordWrap(True)
        self.guests_empty.setStyleSheet("color: #888;")
        guest_title = QLabel(TEXT["guests"])
        guest_title.setWordWrap(True)
        guest_box = panel(guest_title, (self.guest_list, 1), self.guests_empty)
        splitter = side_by_side(self.table, guest_box, stretch=(4, 1))
        layout = column(self, top, self.notice, self.counts, (splitter, 1), legend)
        layout.setAlignment(self.counts, Qt.AlignmentFlag.AlignLeft)  # a steady size: set below

        self.save_timer = QTimer(self)
        self.save_timer.setSingleShot(True)
        self.save_timer.setInterval(SAVE_DELAY_MS)
        self.save_timer.timeout.connect(self.flush)
        self.model.edited.connect(self._edited)
        self.guests.edited.connect(self._edited)
        self.model.dataChanged.connect(self._update_counts)
        self.model.modelReset.connect(self._update_counts)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.flush)

        # Refreshed while on view, else when next shown (app.ui.state.watch); its own saves
        # change nothing it shows.
        self.refresher = watch(
            state, self, lambda _what: self.reload_activities(), wants=self._not_own_change
        )
        if start:  # else RosterTab starts it once placed
            self.refresher.changed(ALL)

    def _build_top(self, show_selector: bool) -> QHBoxLayout:
        """Year, activity, 全部出席, 立即保存 and the name order; the year and the activity are
        hidden where another screen chooses them."""
        self.activity_box = QComboBox()
        self.activity_box.setMinimumWidth(360)
        self.activity_box.currentIndexChanged.connect(self._activity_chosen)
        self.all_present = QPushButton(TEXT["all_present"])
        self.all_present.setToolTip(TEXT["all_present_tip"])
        self.all_present.clicked.connect(self.mark_all_present)
        self.save_button = QPushButton(TEXT["save"])
        self.save_button.clicked.connect(self.flush)
        self.save_label = QLabel()
        # Room for the longest state, so the buttons do not jump while saving; of a fixed size
        # (but for an error), as a label whose size may change lays the window out again at
        # every key.
        self._save_label_size = QSize(
            self.save_label.fontMetrics().horizontalAdvance("已保存 00:00:00") + 8,
            self.save_label.sizeHint().height(),
        )
        self.save_label.setFixedSize(self._save_label_size)
        top, self.year_spin, self.year_label = year_row(self.state)
        self.activity_label = QLabel(TEXT["activity"])
        top.addSpacing(12)
        top.addWidget(self.activity_label)
        top.addWidget(self.activity_box, 1)
        top.addWidget(self.all_present)
        top.addWidget(self.save_button)
        top.addWidget(self.save_label)
        self.order = QComboBox()  # names in pinyin order; the roll order stays available
        self.order.addItems([ORDER_PINYIN, ORDER_ROLL])
        top.addWidget(self.order)
        if not show_selector:
            self.activity_label.hide()
            self.activity_box.hide()
            self.year_spin.hide()
            self.year_label.hide()
        return top

    def _build_table(self) -> None:
        """The sheet: whole rows selected, 原因 edited in its cell, keys set the status."""
        self.model = AttendanceModel(self)
        self.order.currentTextChanged.connect(self.model.set_order)
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

    # --- which activity ---------------------------------------------------------------------
    def reload_activities(self, keep: int | None = None) -> None:
        """Fill the activity list of the year on view; keep the current one if still there, else
        pick the latest activity on or before today."""
        self.flush()
        keep = keep if keep is not None else self.activity_id()
        acts = self.state.activities()
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

    def focus_sheet(self) -> None:
        """The keys go to the sheet, on its first member unless one is chosen: after 登记考勤…
        the first key marks someone (it used to land in the year box and do nothing)."""
        if self.model.rowCount() == 0:
            return
        if not self.table.currentIndex().isValid():
            self._move_to(0)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

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
        set_steady_text(self.counts, text)

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
            self.save_label.setMinimumSize(self._save_label_size)  # the whole message
            self.save_label.setMaximumSize(ANY_SIZE, ANY_SIZE)
            self.save_label.setText(f"<span style='color:#c0392b'>{err.message}</span>")
            return False
        self.dirty = False
        self.save_label.setFixedSize(self._save_label_size)
        self.save_label.setText(TEXT["saved"].format(time=dt.datetime.now().strftime("%H:%M:%S")))
        self._own_change = True
        try:
            self.state.changed.emit("attendance")
        finally:
            self._own_change = False
        return True

    def _not_own_change(self, _what: str) -> bool:
        return not self._own_change

    def hideEvent(self, event) -> None:  # noqa: N802
        self.flush()
        super().hideEvent(event)
