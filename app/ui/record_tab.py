"""The 记录 tab (rules 2-5 and 7): the year's activities with where each stands (待开展, 未开展,
报送 state), and the editor of one record beside them (`app.ui.record_editor`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QMessageBox,
    QScrollArea,
    QStackedWidget,
    QTabWidget,
    QWidget,
)

from app.models import vocab
from app.services.ledger import ActivityRow, activity_year
from app.services.records import activity_state
from app.ui.dialog_kit import column, panel, read_only_table, side_by_side
from app.ui.receipt_label import ReceiptStatusLabel
from app.ui.record_editor import RecordEditor
from app.ui.state import ALL, YEAR, AppState, watch
from app.ui.table_model import RowsTableModel
from app.ui.year_selector import year_row

TEXT = {
    "headers": ["月份", "计划日期", "开展日期", "主题", "状态"],
    "not_held_tip": "计划日期已过，还没有登记开展：开展了请勾选“已开展”并填写记录。",
    "no_plan": "{year}年还没有活动计划：请先在“计划”页生成本年度计划。",
    "unsaved_title": "记录还没有保存",
    "unsaved_question": "“{theme}”的记录有改动还没有保存。\n保存后再关闭吗？",
    "unsaved_restore": "“{theme}”的记录有改动还没有保存。\n\n从备份恢复会替换全部数据，"
    "没保存的改动会丢失。先保存这条记录吗？（保存后，它会随当前数据一起在恢复前自动备份。）",
    "unsaved_save": "保存后继续",
    "unsaved_drop": "不保存",
    "cancel": "取消",
    "untitled": "党日活动",
}

COL_STATE = 4
STATE_COLORS = {
    vocab.RECORD_OVERDUE: QColor("#b00000"),
    vocab.RECORD_HELD: QColor("#9a5b00"),
    vocab.ACTIVITY_NOT_HELD: QColor("#9a5b00"),
    vocab.RECORD_SUBMITTED: QColor("#1d6b2a"),
    vocab.ACTIVITY_PENDING: QColor("#666666"),
}


class RecordListModel(RowsTableModel):
    """The year's activities; the state column coloured (overdue in red)."""

    def __init__(self, parent=None):
        super().__init__(TEXT["headers"], parent)
        self.states: list[str] = []

    def set_activities(self, acts: list[ActivityRow], today: dt.date) -> None:
        self.states = [activity_state(a, today) for a in acts]
        self.set_rows(
            [
                (
                    f"{a.plan_date.month}月",
                    a.plan_date.isoformat(),
                    a.held_date.isoformat() if a.held_date else "",
                    a.theme,
                    state,
                )
                for a, state in zip(acts, self.states, strict=True)
            ],
            [a.activity_id for a in acts],
        )

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and index.column() == COL_STATE:
            state = self.states[index.row()]
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(STATE_COLORS[state])
            if role == Qt.ItemDataRole.ToolTipRole and state == vocab.ACTIVITY_NOT_HELD:
                return TEXT["not_held_tip"]
        return super().data(index, role)


class RecordTab(QWidget):
    """List of the year's activities on the left, the record editor on the right."""

    attendance_requested = Signal(int)

    def __init__(
        self,
        state: AppState,
        parent: QWidget | None = None,
        *,
        today: Callable[[], dt.date] = dt.date.today,
    ):
        super().__init__(parent)
        self.state = state
        self.today = today
        self._syncing = False  # set while the list is re-selected in code
        self.model = RecordListModel()
        self.view = read_only_table(self.model)
        self.view.horizontalHeader().setStretchLastSection(False)
        self.view.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        # the plan tab may have moved on to next year
        years, self.year_spin, _label = year_row(state)
        years.addStretch(1)
        # what the township did with the year's bundle (its 回执)
        self.receipt_label = ReceiptStatusLabel(state)
        left = panel(years, self.notice, self.receipt_label, self.view)

        self.editor = RecordEditor(state, today)
        self.editor.saved.connect(self._saved)
        self.editor.attendance_requested.connect(self.attendance_requested)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(self.editor)
        self.editor.error_shown.connect(self._show_error_widget)
        right = panel((self.scroll, 1), self.editor.action_bar)
        right.layout().setSpacing(0)
        column(self, side_by_side(left, right, stretch=(2, 3), sizes=(420, 680)))

        self.view.selectionModel().currentRowChanged.connect(self._row_changed)
        # Refreshed while on view; behind another tab, when next shown (app.ui.state.watch) —
        # at once when typing there is unsaved, so a year switch saves it as before.
        self.refresher = watch(state, self, self._update, urgent=self.has_unsaved_record)
        self.refresher.changed(ALL)

    def _show_error_widget(self, widget: QWidget) -> None:
        if self.scroll.widget().isAncestorOf(widget):
            self.scroll.ensureWidgetVisible(widget, 50, 120)

    # --- unsaved edits: the window closes, or a restore replaces the data --------------------
    def has_unsaved_record(self) -> bool:
        return self.editor.dirty and self.editor.activity_id is not None

    def _unsaved_theme(self) -> str:
        return self.editor.theme.text() or TEXT["untitled"]

    def confirm_close(self) -> bool:
        """The window is closing (MainWindow.closeEvent asks each built tab): with a record
        edited but not saved, save it, drop it, or stay. Returns whether the window may close."""
        if not self.has_unsaved_record():
            return True
        self._bring_to_front()
        answer = QMessageBox.question(
            self,
            TEXT["unsaved_title"],
            TEXT["unsaved_question"].format(theme=self._unsaved_theme()),
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Discard:
            self.editor.dirty = False
            return True
        if answer != QMessageBox.StandardButton.Save:
            return False
        return self.editor.save()  # a mistake is shown next to its field; the window stays open

    def settle_before_restore(self) -> bool:
        """A restore is about to replace all data: a record edited but not saved would vanish
        (it is in no backup). Save it first, or drop it on request. False: stay, restore
        nothing (also when the save finds a mistake, shown beside its field)."""
        if not self.has_unsaved_record():
            return True
        self._bring_to_front()
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            TEXT["unsaved_title"],
            TEXT["unsaved_restore"].format(theme=self._unsaved_theme()),
            parent=self.window(),
        )
        save = box.addButton(TEXT["unsaved_save"], QMessageBox.ButtonRole.AcceptRole)
        drop = box.addButton(TEXT["unsaved_drop"], QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(TEXT["cancel"], QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(save)
        box.exec()
        if box.clickedButton() is save:
            return self.editor.save()
        if box.clickedButton() is drop:
            self.editor.load(self.editor.activity_id)  # back to what is stored
            return True
        return False

    def _bring_to_front(self) -> None:
        """Show this tab (it may be behind another one) so the secretary sees the record."""
        widget: QWidget | None = self
        while widget is not None:
            parent = widget.parentWidget()
            if isinstance(parent, QStackedWidget) and isinstance(parent.parentWidget(), QTabWidget):
                parent.parentWidget().setCurrentWidget(widget)
            widget = parent

    # --- the list ------------------------------------------------------------------------------
    def _show_list(self, *, reselect: bool) -> list[ActivityRow]:
        """Fill the list with the year on view; `reselect`: select the record on view again
        (without reloading it)."""
        # The whole year, read once and shared: the editor's figures need its attendance too.
        acts = self.state.year_data().activities
        self._syncing = True
        self.model.set_activities(acts, self.today())
        self._syncing = False
        if reselect and self.editor.activity_id is not None:
            self._select_quietly(self.editor.activity_id)
        return acts

    def refresh(self, keep: int | None = None) -> None:
        """Read the year afresh from the database; keep the record on view if still there."""
        self.state.forget()
        self._reload(keep)

    def _update(self, what: str) -> None:
        if what == YEAR:
            self._reload()
        else:
            self._data_changed(what)

    def _reload(self, keep: int | None = None) -> None:
        """Fill the list with the year on view; keep the record on view if it is still there."""
        keep = keep if keep is not None else self.editor.activity_id
        acts = self._show_list(reselect=False)
        self.notice.setText("" if acts else TEXT["no_plan"].format(year=self.state.year))
        self.notice.setVisible(not acts)
        ids = self.model.keys
        if keep is None and acts:
            # First view of a year: the latest activity that is due, else the first one.
            due = [a.activity_id for a in acts if a.plan_date <= self.today()]
            keep = due[-1] if due else ids[0]
        if keep in ids:
            self.view.selectRow(ids.index(keep))
            if keep == self.editor.activity_id and not self.editor.dirty:
                self.editor.load(keep)  # same record, fresh from the database
            return
        if self.editor.dirty and not self.editor.save():
            # The record on screen has a mistake and another year was chosen: go back to its
            # year, with what was typed and the message beside the field, as when another
            # record is picked.
            year = activity_year(self.editor.activity_id)
            if year is not None and year != self.state.year:
                QTimer.singleShot(0, self, lambda: self.state.set_year(year))
                return
        self.editor.load(None)

    def select_activity(self, activity_id: int) -> None:
        """Show one record (e.g. from the plan or the attendance screen)."""
        year = activity_year(activity_id)
        if year is None:
            return
        self.state.set_year(year)
        if activity_id in self.model.keys:
            self.view.selectRow(self.model.keys.index(activity_id))
        else:
            self._reload(keep=activity_id)

    def _select_quietly(self, activity_id: int) -> None:
        if activity_id in self.model.keys:
            self._syncing = True
            self.view.selectRow(self.model.keys.index(activity_id))
            self._syncing = False

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._syncing or not current.isValid():
            return
        activity_id = self.model.key_at(current.row())
        if activity_id == self.editor.activity_id:
            return  # the same record: keep what is on screen
        leaving = self.editor.activity_id
        if self.editor.dirty and leaving is not None and not self.editor.save():
            self._select_quietly(leaving)  # stay on the record with the mistake, typing kept
            return
        self.editor.load(activity_id)
        row = self.model.keys.index(activity_id) if activity_id in self.model.keys else -1
        if row >= 0 and self.view.currentIndex().row() != row:  # a save refreshed the list
            self._select_quietly(activity_id)

    def _saved(self, activity_id: int) -> None:
        self.state.changed.emit("activities")

    def _data_changed(self, what: str) -> None:
        """Another screen (or this one) wrote: refresh the list; reload the editor unless the
        user is typing in it, in which case only the figures are recomputed."""
        current = self.editor.activity_id
        if self.editor.dirty and activity_year(current) is not None:
            self.refresh_list_only()
            self.editor.show_figures()
            return
        self.editor.dirty = False
        self._reload(keep=current)

    def refresh_list_only(self) -> None:
        self._show_list(reselect=True)
