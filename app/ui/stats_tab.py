"""The 统计 tab (a read-only first version; its own issue builds it out)."""

from __future__ import annotations

from PySide6.QtWidgets import QTableView, QVBoxLayout, QWidget

from app.services.attendance import counts_as_taking_part
from app.services.ledger import load_year
from app.ui.state import AppState
from app.ui.table_model import RowsTableModel


class StatsTab(QWidget):
    def __init__(self, state: AppState, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self.model = RowsTableModel(["姓名", "应参加", "实际参加"])
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.horizontalHeader().setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        state.changed.connect(self.refresh)
        state.year_changed.connect(self.refresh)
        self.refresh()

    def refresh(self, *_: object) -> None:
        data = load_year(self.state.year)
        rows = []
        for m in data.members:
            expected = [a for a in data.activities if a.is_held and m.on_roll(a.day)]
            took = sum(
                1
                for a in expected
                for r in a.attendance
                if r.member_id == m.member_id and counts_as_taking_part(r.status)
            )
            rows.append((m.name, len(expected), took))
        self.model.set_rows(rows)
