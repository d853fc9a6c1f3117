"""The mouse wheel over the 记录 form scrolls the form; a field under the pointer changes only
once the secretary has clicked into it (issue 15). And 退出 is Ctrl+Q on every platform."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest

from app.models import Activity
from app.services.records import save_record
from app.ui.main_window import MainWindow
from app.ui.record_tab import RecordTab
from app.ui.state import AppState
from app.ui.wheel_guard import install_wheel_guard, uninstall_wheel_guard
from tests.record_helpers import TODAY, build_year, full_record

WHEEL_DOWN = QPoint(0, -120)


@pytest.fixture
def guarded(qapp):
    guard = install_wheel_guard(qapp)
    yield guard
    uninstall_wheel_guard(qapp)


def wheel_over(tab: RecordTab, widget) -> None:
    """A real (spontaneous) wheel notch over the middle of `widget`, as the mouse sends it."""
    tab.scroll.ensureWidgetVisible(widget)
    point = widget.mapTo(tab.window(), widget.rect().center())
    QTest.wheelEvent(tab.window().windowHandle(), point, WHEEL_DOWN)


def test_the_wheel_scrolls_the_record_form_past_its_fields_until_one_is_clicked(
    qtbot, branch, data_dir, guarded
):
    march, _ = build_year()
    record = full_record(mode="线下", submitted_date=None)
    save_record(march.id, record, today=TODAY)
    state = AppState(data_dir)
    state.year = 2026
    tab = RecordTab(state, today=lambda: TODAY)
    qtbot.addWidget(tab)
    tab.resize(1000, 520)  # a laptop: the form scrolls
    tab.show()
    qtbot.waitExposed(tab)
    tab.select_activity(march.id)
    e = tab.editor
    assert e.held_check.isChecked() and not e.dirty
    bar = tab.scroll.verticalScrollBar()
    fields = (e.mode, e.place_type, e.start_time, e.held_date)
    before = [
        e.mode.currentText(),
        e.place_type.currentText(),
        e.start_time.time(),
        e.held_date.date(),
    ]

    for field in fields:
        bar.setValue(0)
        tab.view.setFocus()
        wheel_over(tab, field)
        qtbot.wait(20)
        assert not field.hasFocus()  # the wheel does not take the focus either
    after = [
        e.mode.currentText(),
        e.place_type.currentText(),
        e.start_time.time(),
        e.held_date.date(),
    ]
    assert after == before and not e.dirty
    assert Activity.get_by_id(march.id).mode == before[0]

    # The form itself scrolls when the wheel turns over a field.
    bar.setValue(0)
    point = e.mode.mapTo(tab.window(), e.mode.rect().center())
    QTest.wheelEvent(tab.window().windowHandle(), point, WHEEL_DOWN)
    qtbot.waitUntil(lambda: bar.value() > 0)

    # Clicked into, the field is the secretary's: the wheel changes it.
    tab.scroll.ensureWidgetVisible(e.mode)
    e.mode.setFocus(Qt.FocusReason.MouseFocusReason)
    assert e.mode.hasFocus()
    index = e.mode.currentIndex()
    wheel_over(tab, e.mode)
    qtbot.waitUntil(lambda: e.mode.currentIndex() != index)
    assert e.dirty


def test_quit_is_ctrl_q_on_every_platform(qtbot, branch, data_dir):
    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    assert window.quit_action.shortcut() == QKeySequence("Ctrl+Q")
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=10000)
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.isVisible())
