"""The 花名册 tab (a read-only first version; its own issue builds it out)."""

from __future__ import annotations

from PySide6.QtWidgets import QTableView, QVBoxLayout, QWidget

from app.models import Member
from app.ui.state import AppState
from app.ui.table_model import RowsTableModel


class RosterTab(QWidget):
    def __init__(self, state: AppState, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self.model = RowsTableModel(
            ["姓名", "性别", "类别", "流动党员", "年老体弱", "领导干部", "离开日期"]
        )
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.horizontalHeader().setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        state.changed.connect(self.refresh)
        state.year_changed.connect(self.refresh)
        self.refresh()

    def refresh(self, *_: object) -> None:
        members = list(Member.select().order_by(Member.id))
        yes = lambda flag: "是" if flag else ""  # noqa: E731
        self.model.set_rows(
            [
                (
                    m.name,
                    m.gender,
                    m.category,
                    yes(m.is_mobile),
                    yes(m.is_frail),
                    yes(m.is_leader),
                    m.left_date,
                )
                for m in members
            ],
            [m.id for m in members],
        )
