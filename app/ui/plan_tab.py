"""The 计划 tab (a read-only first version; its own issue builds it out)."""

from __future__ import annotations

from PySide6.QtWidgets import QTableView, QVBoxLayout, QWidget

from app.models import Activity, AnnualPlan
from app.ui.state import AppState
from app.ui.table_model import RowsTableModel


class PlanTab(QWidget):
    def __init__(self, state: AppState, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self.model = RowsTableModel(["月份", "计划日期", "主题", "调整原因"])
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.horizontalHeader().setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        state.changed.connect(self.refresh)
        state.year_changed.connect(self.refresh)
        self.refresh()

    def refresh(self, *_: object) -> None:
        plan = AnnualPlan.get_or_none(AnnualPlan.year == self.state.year)
        acts = list(plan.activities.order_by(Activity.plan_date)) if plan else []
        self.model.set_rows(
            [
                (f"{a.plan_date.month}月", a.plan_date.isoformat(), a.theme, a.plan_reason or "")
                for a in acts
            ],
            [a.id for a in acts],
        )
