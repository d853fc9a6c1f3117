"""One line on the 记录 and 统计 tabs: what the township did with the year's bundle, from its
回执 (`app.services.export_receipts.receipt_status`) — 已接收 with the date, or 退回 with why
and what to do; hidden while the year was never exported."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from app.services.export_receipts import receipt_status
from app.ui.dialog_kit import ERROR_STYLE, HINT_STYLE, OK_STYLE
from app.ui.state import AppState


class ReceiptStatusLabel(QLabel):
    """Refreshes itself when the year or the data changes."""

    def __init__(self, state: AppState):
        super().__init__()
        self.state = state
        self.setWordWrap(True)
        state.changed.connect(self._data_changed)
        state.year_changed.connect(self.refresh)
        self.refresh()

    def _data_changed(self, what: str) -> None:
        if what != "attendance":  # saved at every key on the 考勤 sheet; no bundle changes by it
            self.refresh()

    def refresh(self, *_: object) -> None:
        status = receipt_status(self.state.year)
        if status is None:
            self.clear()
            self.hide()
            return
        if status.status is not None and not status.accepted:
            style = ERROR_STYLE  # 退回: the bundle has to be redone
        elif status.accepted and status.newer_export is None:
            style = OK_STYLE
        else:
            style = HINT_STYLE  # no receipt yet for the newest bundle
        self.setStyleSheet(style)
        self.setText(status.text)
        self.show()
