"""The 年度 selector every screen shows: a spin box bound to the year on view (AppState)."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QSpinBox

from app.ui.state import AppState

TEXT = {"year": "年度："}
FIRST_YEAR, LAST_YEAR = 2000, 2100


class YearSelector(QSpinBox):
    """Turning it moves every screen to that year; it follows when another screen changes the
    year (the same value is not echoed back)."""

    def __init__(self, state: AppState, parent=None):
        super().__init__(parent)
        self.setRange(FIRST_YEAR, LAST_YEAR)
        self.setValue(state.year)
        self.valueChanged.connect(state.set_year)
        state.year_changed.connect(self.setValue)


def year_row(state: AppState) -> tuple[QHBoxLayout, YearSelector, QLabel]:
    """"年度：" and the selector, for the top of a screen (the caller adds what follows)."""
    label = QLabel(TEXT["year"])
    selector = YearSelector(state)
    row = QHBoxLayout()
    row.addWidget(label)
    row.addWidget(selector)
    return row, selector, label
