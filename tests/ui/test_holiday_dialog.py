"""文件 → 录入节假日安排…: the secretary pastes the notice, 识别 shows the year's calendar (or names
what it cannot read), 保存 stores it and lists the plan dates it moved."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QGuiApplication

from app.models import AnnualPlan, OfficialHolidaySchedule
from app.services import calendar as cal
from app.services import plan as plans
from app.ui.holiday_dialog import HolidayNoticeDialog, default_year
from app.ui.state import AppState
from tests.ui.shots import cjk_font, shot

NOTICES = Path(__file__).parent.parent / "fixtures" / "notices"


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def paste(qtbot, dialog: HolidayNoticeDialog, text: str) -> None:
    """As the secretary does it: the text copied elsewhere, Ctrl+V into the box."""
    QGuiApplication.clipboard().setText(text)
    dialog.text_edit.clear()
    dialog.text_edit.setFocus()
    qtbot.keyClick(dialog.text_edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert dialog.text_edit.toPlainText() == text


def test_paste_recognise_and_save_the_notice_moves_the_plan(qtbot, qapp, branch, data_dir):
    cjk_font(qapp)
    plans.create_plan(2027)  # made in December, before the notice: dates unverified
    state = AppState(data_dir)
    dialog = HolidayNoticeDialog(state, year=2027)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "按规则推算" in dialog.calendar_title.text()  # what is in use before the notice
    assert not dialog.save_button.isEnabled()

    # a notice of another year is refused, nothing can be saved
    paste(qtbot, dialog, (NOTICES / "2026.txt").read_text(encoding="utf-8"))
    click(qtbot, dialog.recognise_button)
    assert "这是2026年的节假日安排通知，不是2027年的" in dialog.message_label.text()
    assert not dialog.save_button.isEnabled()

    # the fictional 2027 notice (tests/fixtures/notices/README.md), as a web page gives it
    text = (NOTICES / "2027-fictional.txt").read_text(encoding="utf-8")
    paste(qtbot, dialog, text.replace("，", ",").replace("（", "(").replace("）", ")"))
    click(qtbot, dialog.recognise_button)
    assert dialog.message_label.text().startswith("已读懂：7 个假期，5 个调休上班日")
    assert dialog.save_button.isEnabled()
    assert dialog.calendar.days_off[dt.date(2027, 10, 7)] == "国庆节"
    assert dt.date(2027, 9, 26) in dialog.calendar.workdays
    assert "<td>国庆节</td><td>10月1日至10月7日，7天</td>" in dialog.summary_label.text()
    # hovering a day finds it: 1 October is in the first column of the third row of months
    october = dialog.calendar._month_rect(10)
    first_slot = dialog.calendar._cell(october, dt.date(2027, 10, 1).weekday())
    assert dialog.calendar.day_at(QPointF(first_slot.center())) == dt.date(2027, 10, 1)
    shot(dialog, "holiday_dialog.png")
    shot(dialog.calendar, "holiday_calendar.png")
    assert OfficialHolidaySchedule.select().count() == 0  # nothing stored before 保存

    with qtbot.waitSignal(state.changed, timeout=2000):
        click(qtbot, dialog.save_button)

    row = OfficialHolidaySchedule.get(OfficialHolidaySchedule.year == 2027)
    assert row.source == "国务院办公厅关于2027年部分节假日安排的通知（2026年11月20日）"
    assert "国务院办公厅关于2027年部分节假日安排的通知" in row.notice_text
    assert cal.year_calendar(2027).stored
    dates = sorted(a.plan_date for a in AnnualPlan.get(year=2027).activities)
    assert dt.date(2027, 10, 8) in dates and dt.date(2027, 5, 6) in dates
    assert not any(a.holidays_unverified for a in AnnualPlan.get(year=2027).activities)
    assert dialog.message_label.text().startswith("已保存2027年节假日安排")
    moved = dialog.details.toPlainText()
    assert "2027年计划中有 3 次活动改了日期" in moved and dialog.details.isVisible()
    assert "10月6日为国庆节假期，顺延至10月8日" in moved
    assert not dialog.save_button.isEnabled()
    shot(dialog, "holiday_dialog_saved.png")


def test_a_misread_item_is_named_and_typing_again_asks_for_a_new_recognition(qtbot, qapp, data_dir):
    cjk_font(qapp)
    dialog = HolidayNoticeDialog(None, year=2025)
    qtbot.addWidget(dialog)
    dialog.show()
    text = (NOTICES / "2025.txt").read_text(encoding="utf-8")
    paste(qtbot, dialog, text.replace("10月1日（周三）", "10月1日（周四）"))
    click(qtbot, dialog.recognise_button)
    assert dialog.message_label.text().startswith("有 1 处没有读懂，不能保存")
    assert "第六项“国庆节、中秋节”：10月1日写的是“周四”" in dialog.details.toPlainText()
    assert not dialog.save_button.isEnabled()
    shot(dialog, "holiday_dialog_problem.png")

    paste(qtbot, dialog, text)
    click(qtbot, dialog.recognise_button)
    assert dialog.save_button.isEnabled()
    assert dialog.details.isHidden()  # the packages say the same as the notice

    # a notice that differs from what the installed package knows is read, with a warning
    paste(qtbot, dialog, text.replace("4月27日（周日）上班。", ""))
    click(qtbot, dialog.recognise_button)
    assert dialog.save_button.isEnabled()
    assert "4月27日（星期日）：录入的通知为休息" in dialog.details.toPlainText()
    shot(dialog, "holiday_dialog_differs.png")
    dialog.year_spin.setValue(2026)  # the year changed after 识别: read again first
    assert not dialog.save_button.isEnabled()
    assert "请重新点“识别”" in dialog.message_label.text()
    assert OfficialHolidaySchedule.select().count() == 0


def test_the_file_menu_opens_it_and_december_means_next_year(qtbot, branch, data_dir, monkeypatch):
    from app.ui.holiday_dialog import HolidayNoticeDialog as Dialog
    from app.ui.main_window import MainWindow

    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    opened: list[Dialog] = []
    monkeypatch.setattr(Dialog, "exec", lambda self: opened.append(self) or 0)
    entry = next(a for a in window.file_menu.actions() if a.text() == "录入节假日安排…")
    entry.trigger()
    assert len(opened) == 1 and opened[0].parent() is window
    assert default_year(2026, dt.date(2026, 12, 3)) == 2027
    assert default_year(2026, dt.date(2026, 6, 3)) == 2026
