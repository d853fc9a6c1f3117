"""What every screen shares: the data dir, the year on view, and one signal for "data changed".

After a write a screen emits `changed` with what it touched ("branch", "members", "plan",
"activities", "attendance", "attachments", "*"); every screen refreshes from the database the
same way, instead of screens poking each other.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QObject, Signal


class AppState(QObject):
    changed = Signal(str)
    year_changed = Signal(int)

    def __init__(self, data_dir: Path, parent: QObject | None = None):
        super().__init__(parent)
        self.data_dir = data_dir
        self.year = dt.date.today().year

    def set_year(self, year: int) -> None:
        if year != self.year:
            self.year = year
            self.year_changed.emit(year)

