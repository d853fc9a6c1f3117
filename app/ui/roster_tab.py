"""The 花名册/考勤 tab: the roster (members and invited non-members), its import and export, the
attendance of each activity, and one member's year (SPEC rules 3, 4 and 8)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QAction, QBrush, QColor, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import UserError
from app.models import vocab
from app.services.id_numbers import mask
from app.services.names import sort_key
from app.services.roster import (
    ORDER_PINYIN,
    ORDER_ROLL,
    ROLL_ALL,
    ROLL_LEFT,
    ROLL_ON,
    RosterFilter,
    delete_attendee,
    delete_member,
    flags_text,
    format_date,
    list_attendees,
    list_members,
    member_has_attendance,
    return_to_roll,
    roster_counts,
)
from app.ui.attendance_view import AttendanceView
from app.ui.desktop import choose_save_path
from app.ui.dialog_kit import STRETCH, ask_yes_no, button, read_only_table, row
from app.ui.import_dialog import ImportDialog
from app.ui.member_dialog import AttendeeDialog, LeaveDialog, MemberDialog
from app.ui.member_year_view import MemberYearView
from app.ui.state import ALL, YEAR, AppState, watch
from app.ui.table_model import RowsTableModel
from app.ui.workers import run_in_background

TEXT = {
    "page_roster": "花名册",
    "page_attendees": "列席人员",
    "page_attendance": "考勤登记",
    "page_year": "个人年度情况",
    "add": "新增党员",
    "edit": "编辑",
    "leave": "离开花名册…",
    "return": "恢复在册",
    "delete": "删除",
    "year": "查看年度考勤",
    "import": "导入花名册…",
    "export": "导出花名册…",
    "all_categories": "全部类别",
    "mobile": "流动党员",
    "frail": "年老体弱",
    "leader": "领导干部",
    "search": "按姓名或拼音搜索，如 zjh",
    "headers": [
        "序号",
        "姓名",
        "性别",
        "出生日期",
        "入党时间",
        "人员类别",
        "联系电话",
        "特殊情况",
        "流入地 / 流入地党组织",
        "转入时间",
        "离开花名册",
        "公民身份号码",
    ],
    "shown": "　|　当前显示 {n} 人",
    "empty": "花名册还是空的。点左上角“新增党员”逐个录入，或点右上角“导入花名册…”"
    "从 Excel/WPS 表格一次导入全部党员。",
    "pick_one": "请先在表格中选中一名党员。",
    "already_on_roll": "党员“{name}”在册，不需要恢复。",
    "confirm_return": "恢复党员“{name}”在册？\n\n记下的离开情况（{left}）会被清除，"
    "离开日期以后的活动也将计入他（她）的应参加次数。只有离开是误录时才这样做。",
    "confirm_delete": "确定删除党员“{name}”吗？\n\n删除后可在“回收站”中恢复。"
    "只有从未登记过考勤的党员（例如误录入的）才能删除。",
    "cannot_delete": "党员“{name}”已有考勤记录，不能删除。\n\n如已转出或去世，请使用“离开花名册”，"
    "其历史考勤会保留，离开日期之后不再计入应参加。",
    "export_title": "导出花名册",
    "export_name": "花名册-{date}.xlsx",
    "export_filter": "Excel 表格 (*.xlsx)",
    "exported": "已导出花名册：{path}",
    "attendee_headers": ["姓名", "身份", "性别", "联系电话", "备注", "状态"],
    "attendee_add": "新增列席人员",
    "attendee_edit": "编辑",
    "attendee_delete": "删除",
    "attendee_explain": "入党积极分子、发展对象、团员青年、群众代表可视情参加党日活动；"
    "他们在考勤表中单独勾选，不计入应参加、实际参加党员人数。",
    "attendee_active": "邀请中",
    "attendee_inactive": "已停用",
    "attendee_confirm": "确定删除“{name}”吗？参加过活动的人员只会停用，历史记录保留。",
    "attendee_deactivated": "“{name}”参加过活动，已停用（历史记录保留）。",
}


class MembersModel(RowsTableModel):
    """The roster rows; members who have left are grey."""

    def __init__(self, parent=None):
        super().__init__(TEXT["headers"], parent)
        self.left: list[bool] = []
        self._grey = QBrush(QColor("#999999"))
        self._mobile = QBrush(QColor("#1f618d"))

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and index.isValid():
            if self.left[index.row()]:
                return self._grey
            if index.column() == 7 and "流动" in str(self.rows[index.row()][7]):
                return self._mobile
            return None
        return super().data(index, role)


def _table(model) -> QTableView:
    view = read_only_table(model, row_height=26, fit=False)
    view.setAlternatingRowColors(True)
    return view


def _shows_members(what: str) -> bool:
    """The roster and the invited non-members do not show attendance, nor depend on the year."""
    return what not in ("attendance", YEAR)


class RosterPage(QWidget):
    """花名册: filters, the table, and the member actions."""

    def __init__(
        self, state: AppState, tab: RosterTab, parent: QWidget | None = None, *, start=True
    ):
        super().__init__(parent)
        self.state = state
        self.tab = tab
        self.today: dt.date | None = None  # tests pin the date

        self.buttons: dict[str, QPushButton] = {
            key: button(TEXT[key], slot)
            for key, slot in (
                ("add", self.add_member),
                ("edit", self.edit_member),
                ("leave", self.leave_member),
                ("return", self.return_member),
                ("delete", self.delete_member),
                ("year", self.show_year),
                ("import", tab.import_members),
                ("export", tab.export_members),
            )
        }
        bar = row(*list(self.buttons.values())[:-2], STRETCH, *list(self.buttons.values())[-2:])

        self.category = QComboBox()
        self.category.addItem(TEXT["all_categories"], None)
        for c in vocab.MEMBER_CATEGORIES:
            self.category.addItem(c, c)
        self.mobile = QCheckBox(TEXT["mobile"])
        self.frail = QCheckBox(TEXT["frail"])
        self.leader = QCheckBox(TEXT["leader"])
        self.roll = QComboBox()
        for r in (ROLL_ON, ROLL_LEFT, ROLL_ALL):
            self.roll.addItem(r, r)
        self.search = QLineEdit()
        self.search.setPlaceholderText(TEXT["search"])
        self.search.setClearButtonEnabled(True)
        self.order = QComboBox()  # pinyin order by default; the roll order stays available
        self.order.addItems([ORDER_PINYIN, ORDER_ROLL])
        filters = QHBoxLayout()
        for w in (self.category, self.roll, self.mobile, self.frail, self.leader, self.order):
            filters.addWidget(w)
        filters.addStretch(1)
        filters.addWidget(self.search)
        # filters work on the members already read: no query per keystroke
        self.members: list = []
        self.counts_text = ""
        for combo in (self.category, self.roll, self.order):
            combo.currentIndexChanged.connect(lambda *_: self.apply_filter())
        for box in (self.mobile, self.frail, self.leader):
            box.toggled.connect(lambda *_: self.apply_filter())
        self.search.textChanged.connect(lambda *_: self.apply_filter())

        self.counts = QLabel()
        self.counts.setWordWrap(True)
        self.empty_hint = QLabel(TEXT["empty"])
        self.empty_hint.setWordWrap(True)
        self.empty_hint.setStyleSheet(
            "background: #eef5ff; color: #1f3f66; padding: 10px; border: 1px solid #a9c4e8;"
        )
        self.empty_hint.hide()
        self.model = MembersModel(self)
        self.view = _table(self.model)
        for col, width in enumerate([44, 80, 44, 96, 96, 80, 110, 150, 240, 96]):
            self.view.setColumnWidth(col, width)
        self.view.doubleClicked.connect(lambda *_: self.edit_member())
        self.view.activated.connect(lambda *_: self.edit_member())

        self.message = QLabel()
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(filters)
        layout.addWidget(self.counts)
        layout.addWidget(self.empty_hint)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.message)
        self.refresher = watch(state, self, lambda _what: self.refresh(), wants=_shows_members)
        if start:  # else RosterTab starts it once placed
            self.refresher.changed(ALL)

    def current_filter(self) -> RosterFilter:
        return RosterFilter(
            category=self.category.currentData(),
            mobile=self.mobile.isChecked(),
            frail=self.frail.isChecked(),
            leader=self.leader.isChecked(),
            roll=self.roll.currentData(),
            search=self.search.text(),
            today=self.today,
        )

    def refresh(self, *_: object) -> None:
        """Read the roster from the database, then show what the filters let through."""
        self.members = list_members(RosterFilter(roll=ROLL_ALL))
        self.counts_text = roster_counts(self.today).text()
        self.empty_hint.setVisible(not self.members)
        self.apply_filter()

    def apply_filter(self) -> None:
        selected = self.selected_id()
        f = self.current_filter()
        members = [m for m in self.members if f.matches(m)]  # roll order
        if self.order.currentText() == ORDER_PINYIN:
            members.sort(key=lambda m: sort_key(m.name))
        today = self.today or dt.date.today()
        self.model.left = [bool(m.left_date and m.left_date <= today) for m in members]
        self.model.set_rows(
            [
                (
                    i,
                    m.name,
                    m.gender or "",
                    format_date(m.birth_date, m.birth_precision),
                    format_date(m.joined_party_date, m.joined_precision),
                    m.category,
                    m.phone,
                    flags_text(m),
                    " / ".join(p for p in (m.mobile_location, m.inflow_org) if p),
                    format_date(m.roll_start),
                    f"{m.left_reason} {format_date(m.left_date)}" if m.left_date else "",
                    mask(m.id_number) if m.id_number else "",
                )
                for i, m in enumerate(members, start=1)
            ],
            [m.id for m in members],
        )
        self.counts.setText(self.counts_text + TEXT["shown"].format(n=len(members)))
        if selected is not None and selected in self.model.keys:
            self.view.selectRow(self.model.keys.index(selected))

    def selected_id(self) -> int | None:
        rows = self.view.selectionModel().selectedRows() if self.view.selectionModel() else []
        if not rows:
            return None
        return self.model.key_at(rows[0].row())

    def select_member(self, member_id: int) -> bool:
        if member_id in self.model.keys:
            self.view.selectRow(self.model.keys.index(member_id))
            return True
        return False

    def _need_selection(self) -> int | None:
        member_id = self.selected_id()
        if member_id is None:
            self.message.setText(TEXT["pick_one"])
        else:
            self.message.clear()
        return member_id

    def _changed(self, member_id: int | None = None) -> None:
        self.state.changed.emit("members")
        if member_id is not None:
            self.select_member(member_id)

    def add_member(self) -> None:
        dialog = MemberDialog(parent=self, today=self.today)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._changed(dialog.saved_id)

    def edit_member(self) -> None:
        self._open_for_selected(MemberDialog)

    def leave_member(self) -> None:
        self._open_for_selected(LeaveDialog)

    def _open_for_selected(self, dialog_class: type[QDialog]) -> None:
        """The member dialog or the 离开花名册 dialog for the selected member; the roster is
        read again once it is saved."""
        member_id = self._need_selection()
        if member_id is None:
            return
        dialog = dialog_class(member_id, parent=self, today=self.today)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._changed(member_id)

    def return_member(self) -> None:
        member_id = self._need_selection()
        if member_id is None:
            return
        member = next(m for m in self.members if m.id == member_id)
        if member.left_date is None:
            self.message.setText(TEXT["already_on_roll"].format(name=member.name))
            return
        left = f"{member.left_reason or ''} {format_date(member.left_date)}".strip()
        question = TEXT["confirm_return"].format(name=member.name, left=left)
        if not ask_yes_no(self, TEXT["return"], question):
            return
        return_to_roll(member_id)
        self._changed(member_id)

    def delete_member(self) -> None:
        member_id = self._need_selection()
        if member_id is None:
            return
        name = self.model.rows[self.model.keys.index(member_id)][1]
        if member_has_attendance(member_id):
            QMessageBox.information(self, TEXT["delete"], TEXT["cannot_delete"].format(name=name))
            return
        if not ask_yes_no(self, TEXT["delete"], TEXT["confirm_delete"].format(name=name)):
            return
        try:
            delete_member(member_id)
        except UserError as err:
            self.message.setText(err.message)
            return
        self._changed()

    def show_year(self) -> None:
        member_id = self._need_selection()
        if member_id is not None:
            self.tab.show_member_year(member_id)


class AttendeesPage(QWidget):
    """列席人员: invited non-members [二.3]."""

    def __init__(self, state: AppState, parent: QWidget | None = None, *, start=True):
        super().__init__(parent)
        self.state = state
        explain = QLabel(TEXT["attendee_explain"])
        explain.setWordWrap(True)
        bar = row(
            button(TEXT["attendee_add"], self.add),
            button(TEXT["attendee_edit"], self.edit),
            button(TEXT["attendee_delete"], self.delete),
            STRETCH,
        )
        self.model = RowsTableModel(TEXT["attendee_headers"], self)
        self.view = _table(self.model)
        self.view.doubleClicked.connect(lambda *_: self.edit())
        self.message = QLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.message)
        self.refresher = watch(state, self, lambda _what: self.refresh(), wants=_shows_members)
        if start:  # else RosterTab starts it once placed
            self.refresher.changed(ALL)

    def refresh(self, *_: object) -> None:
        rows = list_attendees()
        self.model.set_rows(
            [
                (
                    a.name,
                    a.kind,
                    a.gender or "",
                    a.phone,
                    a.note,
                    TEXT["attendee_active"] if a.active else TEXT["attendee_inactive"],
                )
                for a in rows
            ],
            [a.id for a in rows],
        )

    def selected_id(self) -> int | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.key_at(rows[0].row()) if rows else None

    def add(self) -> None:
        dialog = AttendeeDialog(parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.state.changed.emit("members")

    def edit(self) -> None:
        attendee_id = self.selected_id()
        if attendee_id is None:
            return
        if AttendeeDialog(attendee_id, parent=self).exec() == QDialog.DialogCode.Accepted:
            self.state.changed.emit("members")

    def delete(self) -> None:
        attendee_id = self.selected_id()
        if attendee_id is None:
            return
        name = self.model.rows[self.model.keys.index(attendee_id)][0]
        question = TEXT["attendee_confirm"].format(name=name)
        if not ask_yes_no(self, TEXT["attendee_delete"], question):
            return
        if not delete_attendee(attendee_id):
            self.message.setText(TEXT["attendee_deactivated"].format(name=name))
        self.state.changed.emit("members")


class RosterTab(QWidget):
    def __init__(self, state: AppState, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self._export_worker = None
        self.pages = QTabWidget()
        self.pages.setDocumentMode(True)
        # The pages are started once placed: the one on view fills at once, the others when
        # first shown (app.ui.state.watch).
        self.roster = RosterPage(state, self, start=False)
        self.attendees = AttendeesPage(state, start=False)
        self.attendance = AttendanceView(state, start=False)
        self.year = MemberYearView(state, start=False)
        self.pages.addTab(self.roster, TEXT["page_roster"])
        self.pages.addTab(self.attendees, TEXT["page_attendees"])
        self.pages.addTab(self.attendance, TEXT["page_attendance"])
        self.pages.addTab(self.year, TEXT["page_year"])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.pages)
        for page in (self.roster, self.attendees, self.attendance, self.year):
            page.refresher.changed(ALL)

        self.import_action = QAction(TEXT["import"], self)
        self.import_action.triggered.connect(self.import_members)
        self.export_action = QAction(TEXT["export"], self)
        self.export_action.triggered.connect(self.export_members)
        self.add_action = QAction(TEXT["add"], self)
        self.add_action.setShortcut(QKeySequence.StandardKey.New)
        self.add_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.add_action.triggered.connect(self.roster.add_member)
        self.roster.addAction(self.add_action)

    def file_actions(self) -> list[QAction]:
        """导入/导出花名册 for the window's 文件 menu."""
        return [self.import_action, self.export_action]

    def refresh(self) -> None:
        """Read the roster and the invited non-members afresh."""
        self.roster.refresh()
        self.attendees.refresh()

    def show_attendance(self, activity_id: int) -> None:
        self.pages.setCurrentWidget(self.attendance)
        self.attendance.set_activity(activity_id)
        self.attendance.focus_sheet()

    def show_member_year(self, member_id: int) -> None:
        self.year.show_member(member_id)
        self.pages.setCurrentWidget(self.year)

    def import_members(self) -> None:
        dialog = ImportDialog(self.state, self)
        dialog.exec()

    def export_members(self) -> None:
        name = TEXT["export_name"].format(date=dt.date.today().isoformat())
        path = choose_save_path(self, TEXT["export_title"], name, TEXT["export_filter"], ".xlsx")
        if path is not None:
            self.export_to(path)

    def export_to(self, path: Path) -> None:
        """Write the roster in the background; the result shows under the table."""
        from app.services.roster_export import export_roster  # openpyxl: 0.4 s, when used

        members = list_members(RosterFilter(roll=ROLL_ALL))
        self.roster.message.setText("正在导出…")
        self._export_worker = run_in_background(
            lambda _progress: export_roster(path, members),
            lambda written: self.roster.message.setText(TEXT["exported"].format(path=written)),
            self.roster.message.setText,
        )
