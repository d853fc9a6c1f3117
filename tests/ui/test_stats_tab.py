"""The 统计 tab driven like a secretary would: lists, the 请假 setting, a talk, charts, export."""

from __future__ import annotations

import datetime as dt

from openpyxl import load_workbook
from PySide6.QtCore import QDate, Qt

from app.models import Activity, AnnualPlan, Attendance, Branch, Member, TalkReminder
from app.services.ledger import load_year
from app.services.statistics import compute_statistics
from app.ui.application import load_font
from app.ui.state import AppState
from app.ui.stats_tab import StatsTab
from app.ui.stats_tables import MEMBER_HEADERS
from tests.conftest import DEMO_TODAY, DEMO_YEAR
from tests.ui.typing import type_text

YEAR = 2025
TODAY = dt.date(2026, 1, 20)


def _cell(model, row: int, header: str, headers=MEMBER_HEADERS) -> str:
    return model.data(model.index(row, headers.index(header)))


def shown_stats_tab(qtbot, data_dir, year: int, today: dt.date) -> StatsTab:
    """The 统计 tab on `year`, reckoned on `today`, shown at a laptop's size."""
    state = AppState(data_dir)
    state.year = year
    tab = StatsTab(state)
    tab.today = today
    tab.refresh()
    qtbot.addWidget(tab)
    tab.resize(1200, 760)
    tab.show()
    return tab


def _crafted() -> dict[str, Member]:
    """Six held activities: 赵红 2 缺席 + 1 请假, 钱伟 4 缺席 + 2 请假, 孙莉 all 出席."""
    plan = AnnualPlan.create(year=YEAR)
    people = {n: Member.create(name=n) for n in ("赵红", "钱伟", "孙莉")}
    pattern = {
        "赵红": ["缺席", "缺席", "请假", "出席", "出席", "出席"],
        "钱伟": ["缺席", "缺席", "缺席", "缺席", "请假", "请假"],
        "孙莉": ["出席"] * 6,
    }
    for i in range(6):
        a = Activity.create(
            plan=plan, plan_date=dt.date(YEAR, i + 1, 5), held_date=dt.date(YEAR, i + 1, 5)
        )
        for name, statuses in pattern.items():
            Attendance.create(activity=a, member=people[name], status=statuses[i])
    return people


def test_unchecking_leave_setting_moves_members_out_of_the_lists(qtbot, branch, data_dir):
    _crafted()
    tab = shown_stats_tab(qtbot, data_dir, YEAR, TODAY)
    assert tab.sections.tabText(1) == "谈话提醒（2）"
    assert tab.sections.tabText(2) == "不合格党员认定依据（1）"
    assert _cell(tab.basis_model, 0, "姓名", ["姓名"]) == "钱伟"
    assert "无活动月份：<b>7月、8月、9月、10月、11月、12月</b>" in tab.summary_label.text()
    assert "不得评先选优" in tab.excellence_label.text()

    assert tab.leave_check.isChecked()
    qtbot.mouseClick(tab.leave_check, Qt.MouseButton.LeftButton)

    assert Branch.get().leave_counts_as_absent is False
    assert tab.sections.tabText(1) == "谈话提醒（1）"  # 赵红 drops to 2, 钱伟 to 4
    assert tab.sections.tabText(2) == "不合格党员认定依据（0）"
    rows = {_cell(tab.member_model, r, "姓名"): r for r in range(tab.member_model.rowCount())}
    assert _cell(tab.member_model, rows["钱伟"], "未参加次数") == "4"
    assert _cell(tab.member_model, rows["钱伟"], "请假") == "2"
    assert _cell(tab.member_model, rows["钱伟"], "提示") == "谈话提醒"


def test_recording_a_talk_keeps_the_dialog_open_until_valid_then_follows_it_up(
    qtbot, branch, data_dir
):
    people = _crafted()
    tab = shown_stats_tab(qtbot, data_dir, YEAR, TODAY)
    tab.sections.setCurrentIndex(1)

    qtbot.mouseClick(tab.record_talk_button, Qt.MouseButton.LeftButton)
    assert "选中" in tab.talk_message.text() and tab.talk_dialog is None

    tab.select_talk_member(people["赵红"].id)
    qtbot.mouseClick(tab.record_talk_button, Qt.MouseButton.LeftButton)
    dialog = tab.talk_dialog
    assert dialog is not None and dialog.isVisible()
    assert "赵红" in dialog.findChildren(type(tab.summary_label))[0].text()

    dialog.talker_edit.clear()
    dialog.talk_date.setDate(QDate(2026, 1, 8))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "谈话人" in dialog.errors["talker"].text()
    assert TalkReminder.select().count() == 0

    type_text(qtbot, dialog.talker_edit, "王建国（支部书记）")
    type_text(qtbot, dialog.note_edit, "累计3次未参加，限期一个月整改。")
    dialog.deadline.setDate(QDate(2026, 1, 1))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "整改期限" in dialog.errors["deadline"].text()
    assert not dialog.errors["talker"].isVisible()

    dialog.deadline.setDate(QDate(2026, 2, 8))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    talk = TalkReminder.get()
    assert (talk.member_id, talk.year, talk.talk_date, talk.deadline, talk.state) == (
        people["赵红"].id,
        YEAR,
        dt.date(2026, 1, 8),
        dt.date(2026, 2, 8),
        "待整改",
    )
    assert talk.talker == "王建国（支部书记）" and "限期一个月" in talk.note

    talk_headers = [
        "姓名",
        "未参加次数",
        "请假",
        "缺席",
        "谈话日期",
        "谈话人",
        "整改期限",
        "整改状态",
    ]
    row = tab.talk_model.keys.index(people["赵红"].id)
    assert _cell(tab.talk_model, row, "谈话日期", talk_headers) == "2026-01-08"
    assert _cell(tab.talk_model, row, "整改状态", talk_headers) == "待整改"

    tab.select_talk_member(people["赵红"].id)
    qtbot.mouseClick(tab.mark_done_button, Qt.MouseButton.LeftButton)
    assert TalkReminder.get().state == "已整改"
    row = tab.talk_model.keys.index(people["赵红"].id)
    assert _cell(tab.talk_model, row, "整改状态", talk_headers) == "已整改"

    # 钱伟 has no talk yet: nothing to mark, and the tab says so.
    tab.select_talk_member(people["钱伟"].id)
    qtbot.mouseClick(tab.mark_done_button, Qt.MouseButton.LeftButton)
    assert "还没有谈话记录" in tab.talk_message.text()


def test_demo_year_shows_figures_charts_and_exports_the_workbook(qtbot, demo, tmp_path):
    load_font()
    tab = shown_stats_tab(qtbot, demo, DEMO_YEAR, DEMO_TODAY)
    stats = compute_statistics(load_year(DEMO_YEAR), today=DEMO_TODAY)

    assert tab.member_model.rowCount() == len(stats.members)
    assert tab.talk_model.keys == [m.member_id for m in stats.talk_reminder]
    assert tab.basis_model.keys == [m.member_id for m in stats.unqualified_basis]
    assert "谢长顺" in [tab.basis_model.rows[r][0] for r in range(tab.basis_model.rowCount())]
    assert "不是认定结论" in tab.basis_hint.text()
    summary = tab.summary_label.text()
    assert f"计划 <b>{stats.branch.planned}</b> 次" in summary
    assert f"已开展 <b>{stats.branch.held}</b> 次" in summary

    held = [a for a in stats.activities if a.is_held]
    line = tab.rate_chart.series()[0]
    assert [round(p.y(), 1) for p in line.points()] == [round(a.rate * 100, 1) for a in held]
    bars = {
        s.label(): [s.at(i) for i in range(s.count())]
        for s in tab.status_chart.series()[0].barSets()
    }
    assert bars["缺席"] == [a.by_status["缺席"] for a in held]
    assert sum(sum(v) for v in bars.values()) == sum(a.expected for a in held)

    tab.sections.setCurrentIndex(3)
    shot = tmp_path / "stats_charts.png"
    assert tab.grab().save(str(shot)) and shot.stat().st_size > 10_000

    out = tmp_path / "统计表.xlsx"
    with qtbot.waitSignal(tab.exported, timeout=10_000) as signal:
        tab.export_to(out)  # what 导出统计表… does after the file dialog
    assert signal.args == [str(out)]
    wb = load_workbook(out)
    assert wb.sheetnames == ["支部汇总", "党员情况", "谈话提醒", "活动情况"]
    names = {cell for row in wb["谈话提醒"].iter_rows(values_only=True) for cell in row}
    assert {m.name for m in stats.talk_reminder} <= names  # the same list as the tab's
    assert tab.export_button.isEnabled() and not tab.progress.isVisible()


def test_a_year_with_nothing_kept_in_the_program_is_not_judged(qtbot, branch, data_dir):
    tab = shown_stats_tab(qtbot, data_dir, 2026, dt.date(2026, 11, 25))
    text = tab.excellence_label.text()
    assert "还没有2026年的计划和活动记录" in text and "计划" in text
    assert "不得评先选优" not in text

    from app.services.plan import create_plan

    create_plan(2026, None)  # with a plan, the months without activity are judged again
    tab.refresh()
    assert "不得评先选优" in tab.excellence_label.text()


def test_exporting_over_a_workbook_open_in_excel_says_so_in_chinese(
    qtbot, branch, data_dir, tmp_path, windows, monkeypatch
):
    """导出统计表… over the file Excel still has open: a Chinese sentence naming Excel/WPS (it
    was "程序内部错误：Traceback…"), the old file as it was, no temp file; once Excel is closed
    the same click writes it."""
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    _crafted()
    tab = shown_stats_tab(qtbot, data_dir, YEAR, TODAY)
    out = tmp_path / "青山村-2025-党日活动统计.xlsx"
    with qtbot.waitSignal(tab.exported, timeout=10_000):
        tab.export_to(out)
    old = out.read_bytes()
    windows.hold(out)  # open in Excel
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: shown.append(text))

    with qtbot.waitSignal(tab.exported, timeout=10_000) as signal:
        qtbot.mouseClick(tab.export_button, Qt.MouseButton.LeftButton)
    assert signal.args == [""] and len(shown) == 1
    assert f"统计表“{out.name}”正被Excel 或 WPS 表格打开" in shown[0] and "关闭" in shown[0]
    assert "程序内部错误" not in shown[0] and "Traceback" not in shown[0]
    assert out.read_bytes() == old and sorted(p.name for p in tmp_path.glob("*.xlsx*")) == [
        out.name
    ]
    assert not list(tmp_path.glob(".*.part")) and tab.export_button.isEnabled()

    windows.release(out)  # Excel closed
    with qtbot.waitSignal(tab.exported, timeout=10_000) as signal:
        qtbot.mouseClick(tab.export_button, Qt.MouseButton.LeftButton)
    assert signal.args == [str(out)] and len(shown) == 1
    assert load_workbook(out).sheetnames[0] == "支部汇总"
