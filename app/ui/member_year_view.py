"""个人年度情况 (rule 8): one member's year, activity by activity, with the running count of
times not taken part and the talk / 认定依据 thresholds."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QVBoxLayout, QWidget

from app.services.attendance import NOT_HELD, NOT_ON_ROLL, MemberYearRow, member_year
from app.services.evaluation import is_unqualified_basis, needs_talk_reminder
from app.services.roster import ORDER_PINYIN, list_members
from app.ui.dialog_kit import read_only_table
from app.ui.name_search import install_name_search
from app.ui.state import ALL, AppState, watch
from app.ui.table_model import RowsTableModel
from app.ui.year_selector import year_row

TEXT = {
    "year_member": "党员：",
    "not_held_mark": "（未开展）",
    "year_summary": "{name} {year}年：应参加 {expected} 次，实际参加 {took_part} 次，"
    "未参加 {not_taking_part} 次（缺席 {absent}，请假 {leave}{excused}）",
    "leave_excused": "，本支部设置请假不计入",
    "talk": "　<b style='color:#b9770e'>已累计3次未参加，应及时谈话提醒、限期整改</b>",
    "unqualified": "　<b style='color:#c0392b'>已累计6次及以上未参加，可作为确定不合格党员的重要依据</b>",
    "year_headers": ["日期", "活动主题", "参加情况", "原因/说明", "计为未参加", "累计未参加"],
}

COLUMN_WIDTHS = (100, 300, 110, 160, 90)


MISSED_COLOR = "#c0392b"  # counted as not taking part
GREY = "#999999"  # not held, or the member was not on the roll that day


def _row_color(row: MemberYearRow) -> str | None:
    if row.not_taking_part:
        return MISSED_COLOR
    return GREY if row.shown_status in (NOT_HELD, NOT_ON_ROLL) else None


class MemberYearView(QWidget):
    """个人年度情况: each activity of the year with the member's status and the running count."""

    def __init__(self, state: AppState, parent: QWidget | None = None, *, start=True):
        super().__init__(parent)
        self.state = state
        self.member_box = QComboBox()
        install_name_search(self.member_box)  # 张建华 found by zjh, zhangjianhua or 建华
        self.member_box.setMinimumWidth(220)
        self.member_box.currentIndexChanged.connect(lambda *_: self.refresh_year())
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)
        self.model = RowsTableModel(TEXT["year_headers"], self)
        self.view = read_only_table(self.model, single=False, fit=False)
        for col, width in enumerate(COLUMN_WIDTHS):
            self.view.setColumnWidth(col, width)
        top, _years, _label = year_row(state)
        top.addSpacing(12)
        top.addWidget(QLabel(TEXT["year_member"]))
        top.addWidget(self.member_box)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        # Refreshed while on view, else when next shown (app.ui.state.watch): attendance saves
        # often, and the member list may hold 1,000 names.
        self.refresher = watch(state, self, lambda _what: self.refresh())
        if start:  # else RosterTab starts it once placed
            self.refresher.changed(ALL)

    def refresh(self) -> None:
        current = self.member_box.currentData()
        self.member_box.blockSignals(True)
        self.member_box.clear()
        for m in list_members(order=ORDER_PINYIN):  # all, those who left too (named so)
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
            self.model.set_rows([])
            self.summary.clear()
            return
        year = member_year(member_id, self.state.year)
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
            foreground=[_row_color(r) for r in year.rows],
        )
        shown = ("name", "year", "expected", "took_part", "not_taking_part", "absent", "leave")
        text = TEXT["year_summary"].format(
            excused="" if year.leave_counts_as_absent else TEXT["leave_excused"],
            **{name: getattr(year, name) for name in shown},
        )
        if is_unqualified_basis(year.not_taking_part):
            text += TEXT["unqualified"]
        elif needs_talk_reminder(year.not_taking_part):
            text += TEXT["talk"]
        self.summary.setText(text)
