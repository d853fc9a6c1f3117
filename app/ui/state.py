"""What every screen shares: the data dir, the year on view, one signal for "data changed", and
the year's data, read once per change.

After a write a screen emits `changed` with what it touched ("branch", "members", "plan",
"activities", "attendance", "attachments", "talks", "*"); every screen refreshes from the
database the same way, instead of screens poking each other.

Two things keep that cheap on a ledger of ten years and hundreds of members:
- `year_data()` / `activities()`: the year on view is read once after each change (or year
  switch) and shared by every screen that shows it; `changed` and `set_year` forget it before any
  screen hears of them. What they hand out is shared: screens read it, never change it.
- `watch()`: a screen's refresh runs when its data or the year changes while it is on view; a
  screen behind another tab only notes that it is out of date and refreshes when it is shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:  # imported when the year is first read: the window shows before the models
    from app.services import ledger

YEAR = "year"  # what `watch`'s update hears when the year on view changed
# A window property: its screens wait while hidden already before its first paint (MainWindow).
DEFER_BEFORE_SHOWN = "defer_hidden_screens"
ALL = "*"  # everything may have changed (a restore; a screen's first fill)


class AppState(QObject):
    changed = Signal(str)
    year_changed = Signal(int)

    def __init__(self, data_dir: Path, parent: QObject | None = None):
        super().__init__(parent)
        self.data_dir = data_dir
        self.year = dt.date.today().year
        self._year_data: ledger.YearData | None = None
        self._activities: list[ledger.ActivityRow] | None = None
        # Connected first, so it runs before any screen's slot reads the year again.
        self.changed.connect(self.forget)

    def set_year(self, year: int) -> None:
        if year != self.year:
            self.year = year
            self.forget()
            self.year_changed.emit(year)

    # --- the year on view, read once per change -------------------------------------------------
    def year_data(self) -> ledger.YearData:
        """Everything about the year on view (`ledger.load_year`), read once per change."""
        if self._year_data is None:
            from app.services.ledger import load_year

            self._year_data = load_year(self.year)
        return self._year_data

    def activities(self) -> list[ledger.ActivityRow]:
        """The year's activities in plan order; their attendance only when the whole year was
        read already (a screen showing the plan alone does not read a year of attendance)."""
        if self._year_data is not None:
            return self._year_data.activities
        if self._activities is None:
            from app.services.ledger import year_activities

            self._activities = year_activities(self.year)
        return self._activities

    def forget(self, *_: object) -> None:
        """The database changed (or a screen was asked to read it afresh): read it again."""
        self._year_data = None
        self._activities = None


def watch(
    state: AppState,
    widget: QWidget,
    update: Callable[[str], None],
    *,
    wants: Callable[[str], bool] = lambda _what: True,
    urgent: Callable[[], bool] = lambda: False,
) -> ShownRefresh:
    """Call `update(what)` when the data (`what` as emitted) or the year (`YEAR`) changes, at once
    while `widget` can be seen, else when it is next shown. `wants(what)`: whether a change
    concerns it at all; `urgent()`: update even while hidden (unsaved typing that must be saved
    before the year moves on)."""
    return ShownRefresh(state, widget, update, wants, urgent)


class ShownRefresh(QObject):
    """The dirty flag of one screen (`watch`).

    A screen that cannot be seen while its window is (another tab is on view; a tab built after
    the first paint and not yet shown) is "hidden": it waits. Before its window is first shown,
    only a window with `DEFER_BEFORE_SHOWN` (the main window) lets the screens its first paint
    will not show wait; a screen on its own (a test, a dialog) updates at once.

    `state` None: updated only through `changed()` (a part of a screen drawn when seen)."""

    def __init__(
        self,
        state: AppState | None,
        widget: QWidget,
        update: Callable[[str], None],
        wants: Callable[[str], bool] = lambda _what: True,
        urgent: Callable[[], bool] = lambda: False,
    ):
        super().__init__(widget)
        self.widget, self.update, self.wants, self.urgent = widget, update, wants, urgent
        self.pending: str | None = None  # what the screen has not caught up with
        if state is not None:
            state.changed.connect(self.changed)
            state.year_changed.connect(lambda _year: self.changed(YEAR))
        widget.installEventFilter(self)

    def hidden(self) -> bool:
        window = self.widget.window()
        if window.isVisible():
            return not self.widget.isVisible()
        if window is self.widget or not window.property(DEFER_BEFORE_SHOWN):
            return False
        return not self.widget.isVisibleTo(window)  # will the first paint show it?

    def changed(self, what: str) -> None:
        if not self.wants(what):
            return
        if self.hidden() and not self.urgent():
            # A year switch outranks a data change: the screen then reloads the year anyway.
            self.pending = YEAR if YEAR in (what, self.pending) else what
            return
        self.pending = None
        self.update(what)

    def catch_up(self) -> None:
        if self.pending is not None:
            what, self.pending = self.pending, None
            self.update(what)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        if watched is self.widget and event.type() == QEvent.Type.Show:
            self.catch_up()  # before the screen is painted
        return False
