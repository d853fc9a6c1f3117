"""The mouse wheel scrolls the page, not the field under the pointer (issue 15).

Over a long form (记录) the wheel used to turn whatever combo box, date, time or number field
passed under the pointer (线下 → 线上线下, 09:00 → 06:00, 2026 → 2025), and autosave kept it.
One filter on the application: a value field takes the wheel only when it has the keyboard
focus (clicked or tabbed into); otherwise the wheel goes on to the scroll area around it. Such
fields no longer take the focus from the wheel itself.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QScrollBar,
    QWidget,
)

GUARDED = (QComboBox, QAbstractSpinBox, QAbstractSlider)  # QDateEdit, QTimeEdit, QSpinBox…


def is_value_field(obj: QObject) -> bool:
    """A widget whose value the wheel changes (a scroll bar is not: it is for scrolling)."""
    return isinstance(obj, GUARDED) and not isinstance(obj, QScrollBar)


class WheelGuard(QObject):
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        kind = event.type()
        if kind == QEvent.Type.Wheel:
            if is_value_field(obj) and not obj.hasFocus():
                event.ignore()  # not taken here: Qt hands it to the parent (the scroll area)
                return True
        elif kind == QEvent.Type.Polish and is_value_field(obj):
            widget: QWidget = obj  # type: ignore[assignment]
            if widget.focusPolicy() == Qt.FocusPolicy.WheelFocus:
                widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # click or Tab, not the wheel
        return False


def install_wheel_guard(app: QApplication) -> WheelGuard:
    """Install the guard once on `app`; returns it (kept alive by the application)."""
    guard = getattr(app, "_dangri_wheel_guard", None)
    if guard is None:
        guard = WheelGuard(app)
        app.installEventFilter(guard)
        app._dangri_wheel_guard = guard
    return guard
