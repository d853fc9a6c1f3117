"""Small things that stopped a new user (issue 20): where the keys go after 登记考勤…, messages
that outlived their problem, and what the plan page says of a plan not made yet."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.models import vocab
from app.ui.main_window import MainWindow

CLICK = Qt.MouseButton.LeftButton


def test_after_register_attendance_the_first_key_marks_the_first_member(qtbot, demo):
    window = MainWindow(demo)
    qtbot.addWidget(window)
    window.show()
    window.tabs.setCurrentIndex(1)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=10000)
    records = window.record_tab
    december = records.model.keys[-1]  # not held yet: nobody marked
    records.select_activity(december)
    qtbot.mouseClick(records.editor.attendance_button, CLICK)

    sheet = window.roster_tab.attendance
    assert window.tabs.currentIndex() == 2 and sheet.activity_id() == december
    assert QApplication.focusWidget() is sheet.table
    first = sheet.model.rows[0]
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_1)  # the very first key counts
    assert sheet.model.rows[0].status == vocab.PRESENT and first.member_id == sheet.model.rows[0].member_id


def test_a_plan_not_made_yet_is_asked_for_not_counted_as_overdue(qtbot, branch, data_dir):
    from app.services import plan as plans
    from app.ui.plan_tab import PlanTab
    from app.ui.state import AppState

    state = AppState(data_dir)
    state.year = 2026
    tab = PlanTab(state)
    qtbot.addWidget(tab)
    tab.today = lambda: dt.date(2026, 6, 1)
    tab.refresh()
    tab.show()
    assert "尚未生成" in tab.status_label.text()
    banner = tab.deadline_banner.text()
    assert banner == "还没有2026年度计划，报送截止日（3月25日）已过：请生成计划，报上级党组织备案"
    assert "天" not in banner and "仍未报送" not in banner

    assert "还有 10 天" in plans.filing_banner(2026, None, "03-25", dt.date(2026, 3, 15))
    assert "还没有生成计划" in plans.filing_banner(2026, None, "03-25", dt.date(2026, 3, 25))
    # Made but not filed: the countdown as before.
    made = plans.filing_banner(2026, vocab.PLAN_DRAFT, "03-25", dt.date(2026, 6, 1))
    assert made == "2026年度计划已超过报送截止日（3月25日）68 天，仍未报送，请尽快报送"


def test_messages_go_once_the_problem_is_fixed(qtbot, branch, data_dir, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from app.services import plan as plans
    from app.services import trash
    from app.ui.member_dialog import MemberDialog
    from app.ui.plan_tab import PlanTab
    from app.ui.state import AppState
    from tests.ui.typing import type_text

    # A member's dates are checked against each other: fixing the birth date clears what was
    # said under the joining date.
    dialog = MemberDialog(today=dt.date(2026, 6, 1))
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(qtbot, dialog.name, "王建国")
    type_text(qtbot, dialog.birth_date, "1990-03-01")
    type_text(qtbot, dialog.joined_party_date, "1985-07-01")
    qtbot.mouseClick(dialog.save_button, CLICK)
    joined = dialog.errors.labels["joined_party_date"]
    assert "应晚于出生日期" in joined.text() and joined.isVisible()
    dialog.birth_date.clear()
    type_text(qtbot, dialog.birth_date, "1960-03-01")
    assert not joined.isVisible()
    qtbot.mouseClick(dialog.save_button, CLICK)
    assert dialog.saved_id is not None

    # 已从计划中删除… does not stay behind a restore from 回收站.
    state = AppState(data_dir)
    state.year = 2026
    plans.create_plan(2026)
    tab = PlanTab(state)
    qtbot.addWidget(tab)
    tab.show()
    tab.view.selectRow(0)
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    tab.delete_selected()
    assert tab.message.text().startswith("已从计划中删除")
    trash.restore_item(trash.list_trash()[0].id)
    state.changed.emit("*")  # as the 回收站 dialog says after 恢复
    assert tab.message.text() == "" and len(tab.entries) == 12


def test_the_first_run_name_error_goes_as_the_name_is_typed(qtbot, data_dir):
    from app.ui.first_run import FirstRunDialog
    from tests.ui.typing import type_text

    dialog = FirstRunDialog(data_dir)
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.save_button, CLICK)
    assert "党组织名称" in dialog.form.error_label.text()
    type_text(qtbot, dialog.form.name_edit, "中")
    assert dialog.form.error_label.text() == ""
