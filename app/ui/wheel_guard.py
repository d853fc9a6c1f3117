"""The mouse wheel scrolls the page, not the field under the pointer (issue 15).

Over a long form (记录) the wheel used to turn whatever combo box, date, time or number field
passed under the pointer (线下 → 线上线下, 09:00 → 06:00, 2026 → 2025), and autosave kept it.
A value field takes the wheel only when it has the keyboard focus (clicked or tabbed into);
otherwise the wheel goes on to the scroll area around it. Such fields no longer take the focus
from the wheel itself.

How: the application's style is wrapped in `GuardingStyle`, whose `polish` (called once per
widget, before it is first shown) puts the guard on each value field. Only those fields' events
pass through Python; an application-wide event filter made every event of every widget do so,
which cost the first paint about 0.15 s and every key press a little (issue 19).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QProxyStyle,
    QScrollBar,
    QWidget,
)

GUARDED = (QComboBox, QAbstractSpinBox, QAbstractSlider)  # QDateEdit, QTimeEdit, QSpinBox…


def is_value_field(obj: QObject) -> bool:
    """A widget whose value the wheel changes (a scroll bar is not: it is for scrolling)."""
    return isinstance(obj, GUARDED) and not isinstance(obj, QScrollBar)


class WheelGuard(QObject):
    """The event filter of one or more value fields: a wheel over one without the focus is
    left to its parent (the scroll area)."""

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Wheel and not obj.hasFocus():
            event.ignore()  # not taken here: Qt hands it to the parent (the scroll area)
            return True
        return False

    def guard(self, widget: QWidget) -> None:
        """Put `widget` under the guard (again is harmless: Qt keeps one copy of a filter)."""
        widget.installEventFilter(self)
        if widget.focusPolicy() == Qt.FocusPolicy.WheelFocus:
            widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # click or Tab, not the wheel


class GuardingStyle(QProxyStyle):
    """The application's own style, unchanged, that guards each value field it polishes."""

    def __init__(self, guard: WheelGuard):
        super().__init__()  # wraps the style the application would use
        self.guard = guard

    def polish(self, target) -> None:  # QWidget, QApplication or QPalette: Qt's overloads
        super().polish(target)
        if isinstance(target, QWidget) and is_value_field(target):
            self.guard.guard(target)


def install_wheel_guard(app: QApplication) -> WheelGuard:
    """Install the guard once on `app`; returns it (kept alive by the application). Fields
    already shown before are guarded too."""
    guard = getattr(app, "_dangri_wheel_guard", None)
    if guard is None:
        guard = WheelGuard(app)
        guard.setObjectName(app.style().name())  # the style to go back to (uninstall)
        app.setStyle(GuardingStyle(guard))
        for widget in app.allWidgets():
            if is_value_field(widget):
                guard.guard(widget)
        app._dangri_wheel_guard = guard
    return guard


def uninstall_wheel_guard(app: QApplication) -> None:
    """The plain style again, and no field guarded (the tests')."""
    guard = getattr(app, "_dangri_wheel_guard", None)
    if guard is None:
        return
    app.setStyle(guard.objectName())
    for widget in app.allWidgets():
        widget.removeEventFilter(guard)
    app._dangri_wheel_guard = None
