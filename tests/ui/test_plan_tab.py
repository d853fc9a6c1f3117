"""The 计划 tab as a secretary uses it: pick the year, generate, edit an entry, see the checks
beside the plan, file it before the deadline, confirm unverified dates, print the PDF."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pypdf import PdfReader
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QMessageBox

from app.models import Activity, AnnualPlan
from app.ui.plan_tab import COL_UNVERIFIED, PlanTab
from app.ui.state import AppState
from tests.ui.typing import type_text


def make_tab(qtbot, data_dir: Path, year: int) -> PlanTab:
    state = AppState(data_dir)
    tab = PlanTab(state)
    qtbot.addWidget(tab)
    tab.year_spin.setValue(year)  # the selector moves the whole app to that year
    assert state.year == year
    return tab


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_secretary_generates_edits_and_files_the_plan(qtbot, branch, data_dir):
    tab = make_tab(qtbot, data_dir, 2026)
    tab.show()
    assert tab.empty_label.isVisible() and not tab.print_button.isEnabled()
    assert "尚未生成" in tab.status_label.text()  # not 草稿 of a plan that does not exist
    tab.day_combo.setCurrentIndex(2)  # 每月10日
    click(qtbot, tab.generate_button)
    dates = [a.plan_date for a in Activity.select().order_by(Activity.plan_date)]
    assert len(dates) == 12 and dt.date(2026, 10, 10) in dates  # the 调休 Saturday is kept
    assert tab.model.rowCount() == 12
    assert tab.generate_button.text() == "按所选活动日重排"  # a second plan is never generated
    assert [tab.checks_list.item(i).text() for i in range(tab.checks_list.count())] == [
        "未发现问题"
    ]

    # Edit January: a Saturday, no theme at first, and no 按照要求 content.
    tab.select_row(0)
    dialog = tab.entry_dialog(tab.selected_activity())
    qtbot.addWidget(dialog)
    dialog.date_edit.setDate(QDate(2026, 1, 10))
    assert "1月10日为星期六，不是工作日" in dialog.date_warning.text()
    dialog.theme_combo.setCurrentText("")
    click(qtbot, dialog.save_button)
    assert dialog.error_label.text() == "请填写活动主题。"
    assert dialog.result() != dialog.DialogCode.Accepted  # stays open with what was typed
    type_text(qtbot, dialog.theme_combo.lineEdit(), "学习新修订的党章")
    dialog.category_boxes["学习教育"].setChecked(False)
    dialog.category_boxes["党员管理"].setChecked(False)
    dialog.category_boxes["关心关怀党员"].setChecked(True)
    type_text(qtbot, dialog.place_edit, "青山村党员活动室")
    click(qtbot, dialog.save_button)
    assert dialog.result() == dialog.DialogCode.Accepted
    tab._after_entry(dialog)

    january = Activity.get(Activity.plan_date == dt.date(2026, 1, 10))
    assert (january.theme, january.place) == ("学习新修订的党章", "青山村党员活动室")
    assert "关心关怀党员" in january.categories and "学习教育" not in january.categories
    checks = [tab.checks_list.item(i).text() for i in range(tab.checks_list.count())]
    assert "• 1月10日为星期六，不是工作日" in checks
    assert "• 1月10日的活动没有“按照要求”的内容（学习教育或党员管理）" in checks
    assert "注意" in tab.message.text()

    # 10 March: the banner counts down to 25 March; filing hides it.
    tab.today = lambda: dt.date(2026, 3, 10)
    tab.refresh()
    assert tab.deadline_banner.isVisible()
    assert "距报送截止日（3月25日）还有 15 天" in tab.deadline_banner.text()
    tab.filed_date.setDate(QDate(2026, 3, 12))
    click(qtbot, tab.file_button)
    plan = AnnualPlan.get(year=2026)
    assert (plan.status, plan.filed_date) == ("已报送", dt.date(2026, 3, 12))
    assert not tab.deadline_banner.isVisible() and tab.unfile_button.isVisible()
    assert "已报送" in tab.status_label.text()


def test_unknown_year_is_flagged_until_confirmed_and_the_pdf_prints(
    qtbot, branch, data_dir, tmp_path, monkeypatch
):
    tab = make_tab(qtbot, data_dir, 2035)
    tab.show()
    click(qtbot, tab.generate_button)
    assert tab.calendar_box.isVisible()
    assert "还没有2035年的正式放假安排" in tab.calendar_banner.text()
    flags = {tab.model.index(r, COL_UNVERIFIED).data() for r in range(tab.model.rowCount())}
    assert flags == {"未核对节假日"}
    assert not tab.view.isColumnHidden(COL_UNVERIFIED)
    assert tab.confirm_button.isVisible() and not tab.reconcile_button.isVisible()

    # Confirming asks whether the official schedule was really checked; "no" changes nothing.
    asked = []
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr(
        QMessageBox, "question", lambda _p, _t, text, *a: asked.append(text) or answers.pop(0)
    )
    click(qtbot, tab.confirm_button)
    assert "12 个日期" in asked[0] and "2035年的正式放假安排" in asked[0]
    assert Activity.select().where(Activity.holidays_unverified).count() == 12
    assert tab.confirm_button.isVisible()
    click(qtbot, tab.confirm_button)
    assert Activity.select().where(Activity.holidays_unverified).count() == 0
    assert not tab.confirm_button.isVisible()
    assert tab.model.index(0, COL_UNVERIFIED).data() == ""
    assert tab.view.isColumnHidden(COL_UNVERIFIED)  # nothing left to check: the column goes

    first = Activity.select().order_by(Activity.plan_date).first()
    first.place = "𠮷家村党员活动室"  # a CJK Ext-B character the bundled font lacks
    first.save()
    # 另存为PDF… asks where (Documents, the branch's plan as the name), then writes it there.
    out = tmp_path / "plan.pdf"
    asked = []
    tab.printing.ask_path = lambda _parent, _title, name, _filter, _suffix: asked.append(name) or out
    with qtbot.waitSignal(tab.printing.finished, timeout=30000) as blocker:
        click(qtbot, tab.printing.pdf_button)
    assert asked == ["中共青山村支部委员会2035年度党员活动日计划安排表.pdf"]
    assert blocker.args == [str(out)]
    text = "".join(p.extract_text() for p in PdfReader(out).pages)
    assert "2035年度党员活动日计划安排表" in text
    assert f"已保存：{out}" in tab.message.text() and tab.print_button.isEnabled()
    assert "缺字" in tab.message.text() and "𠮷" in tab.message.text()


def test_after_the_branch_changes_its_day_the_plan_is_redated_on_confirmation(
    qtbot, branch, data_dir, monkeypatch
):
    from PySide6.QtWidgets import QMessageBox

    tab = make_tab(qtbot, data_dir, 2026)
    tab.today = lambda: dt.date(2025, 12, 1)  # the whole year still to come
    tab.day_combo.setCurrentIndex(1)  # 每月5日
    click(qtbot, tab.generate_button)
    assert Activity.select().where(Activity.plan_date == dt.date(2026, 1, 5)).exists()

    answers = iter([QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes])
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: next(answers))
    tab.day_combo.setCurrentIndex(2)  # 每月10日
    click(qtbot, tab.generate_button)  # declined: nothing moves
    assert Activity.select().where(Activity.plan_date == dt.date(2026, 1, 5)).exists()
    click(qtbot, tab.generate_button)
    assert Activity.select().where(Activity.plan_date == dt.date(2026, 1, 12)).exists()
    assert "已重排 12 次活动" in tab.message.text()
    assert Activity.select().count() == 12


def test_late_in_the_year_one_click_goes_to_next_years_plan(qtbot, branch, data_dir):
    tab = make_tab(qtbot, data_dir, 2026)
    tab.today = lambda: dt.date(2026, 11, 25)
    tab.refresh()
    tab.show()
    assert tab.next_year_button.isVisible()
    assert tab.next_year_button.text() == "制订2027年计划 →"
    assert "制订2027年计划" in tab.deadline_banner.text()  # not "请尽快报送" a 2026 plan
    assert "请尽快报送" not in tab.deadline_banner.text()
    click(qtbot, tab.next_year_button)
    assert tab.state.year == 2027 and tab.year_spin.value() == 2027
    assert not tab.next_year_button.isVisible()
    click(qtbot, tab.generate_button)
    assert AnnualPlan.get(year=2027).activities.count() == 12

    tab.year_spin.setValue(2026)  # next year's plan exists now: no more nudging
    assert not tab.next_year_button.isVisible()
    tab.today = lambda: dt.date(2026, 5, 5)
    AnnualPlan.get(year=2027).delete_instance(recursive=True)
    tab.refresh()
    assert not tab.next_year_button.isVisible()  # in May the year's own plan comes first


def test_why_a_date_moved_is_readable_without_scrolling_at_1366_pixels(qtbot, branch, data_dir):
    from app.ui.plan_tab import COL_MONTH

    tab = make_tab(qtbot, data_dir, 2026)
    tab.resize(1176, 640)  # the tab inside a 1200-wide window
    tab.show()
    click(qtbot, tab.generate_button)
    qtbot.waitExposed(tab)
    assert tab.view.isColumnHidden(COL_MONTH)
    header = tab.view.horizontalHeader()
    reason = len(tab.model.headers) - 1
    right = header.sectionViewportPosition(reason) + header.sectionSize(reason)
    assert header.sectionSize(reason) >= 120
    assert right <= tab.view.viewport().width()


def test_back_to_draft_asks_before_clearing_the_filing_date(qtbot, branch, data_dir, monkeypatch):
    tab = make_tab(qtbot, data_dir, 2026)
    tab.show()
    click(qtbot, tab.generate_button)
    tab.filed_date.setDate(QDate(2026, 3, 12))
    click(qtbot, tab.file_button)
    asked = []
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr(
        QMessageBox, "question", lambda _p, _t, text, *a: asked.append(text) or answers.pop(0)
    )
    click(qtbot, tab.unfile_button)
    assert "2026-03-12" in asked[0]
    plan = AnnualPlan.get(year=2026)
    assert (plan.status, plan.filed_date) == ("已报送", dt.date(2026, 3, 12))
    click(qtbot, tab.unfile_button)
    plan = AnnualPlan.get(year=2026)
    assert (plan.status, plan.filed_date) == ("草稿", None)
