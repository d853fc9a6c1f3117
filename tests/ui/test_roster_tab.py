"""The 花名册 tab driven like a secretary would: dialogs that refuse bad input in Chinese,
filters and search, leaving the roll, deleting with confirmation, importing a file."""

from __future__ import annotations

import datetime as dt

import openpyxl
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from app.models import Activity, AnnualPlan, Attendance, Member, vocab
from app.services.roster import ORDER_ROLL
from app.ui.import_dialog import ImportDialog
from app.ui.member_dialog import LeaveDialog, MemberDialog
from app.ui.roster_tab import RosterTab
from app.ui.state import AppState

TODAY = dt.date(2026, 11, 25)


def _state(data_dir) -> AppState:
    state = AppState(data_dir)
    state.year = 2026
    return state


def _answer_next_message_box(button: QMessageBox.StandardButton) -> list[str]:
    """Click `button` on the next modal message box; returns the texts it showed."""
    seen: list[str] = []

    def click():
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(box.text())
            box.button(button).click()
        else:
            QTimer.singleShot(20, click)

    QTimer.singleShot(20, click)
    return seen


def member_dialog(qtbot, member_id: int | None = None) -> MemberDialog:
    """The member dialog (新增党员 without an id), shown, on TODAY."""
    dialog = MemberDialog(member_id, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_member_dialog_stays_open_and_names_each_wrong_field(qtbot, branch):
    dialog = member_dialog(qtbot)
    dialog.birth_date.setText("1990-13-01")
    dialog.joined_party_date.setText("2030-07-01")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.errors.text("name") == "请填写姓名。"
    assert "“1990-13-01”不是有效的日期" in dialog.errors.text("birth_date")
    assert "入党时间不能晚于今天" in dialog.errors.text("joined_party_date")
    assert Member.select().count() == 0

    dialog.name.setText("陈志强")
    dialog.birth_date.setText("1985/1/22")
    dialog.joined_party_date.setText("2010.06")
    dialog.is_mobile.setChecked(True)
    dialog.mobile_location.setText("浙江省杭州市")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    m = Member.get_by_id(dialog.saved_id)
    assert (m.birth_date, m.joined_party_date) == (dt.date(1985, 1, 22), dt.date(2010, 6, 1))
    assert m.is_mobile and m.mobile_location == "浙江省杭州市"

    # the same name and birth date again: warned, saved only on the second click
    again = member_dialog(qtbot)
    again.name.setText("陈志强")
    again.birth_date.setText("1985-01-22")
    qtbot.mouseClick(again.save_button, Qt.MouseButton.LeftButton)
    assert again.isVisible() and "已有“陈志强”" in again.warning.text()
    assert Member.select().count() == 1
    qtbot.mouseClick(again.save_button, Qt.MouseButton.LeftButton)
    assert Member.select().count() == 2


def test_filters_and_search_narrow_the_roster(qtbot, data_dir, branch):
    Member.create(name="王建国", is_leader=True)
    Member.create(name="王小明", category=vocab.PROBATIONARY_MEMBER)
    Member.create(name="陈志强", is_mobile=True, mobile_location="浙江省杭州市")
    Member.create(name="张德明", is_frail=True, left_date=dt.date(2026, 4, 1), left_reason="去世")
    tab = RosterTab(_state(data_dir))
    qtbot.addWidget(tab)
    page = tab.roster
    page.today = TODAY
    page.refresh()
    names = lambda: [row[1] for row in page.model.rows]  # noqa: E731
    assert names() == ["陈志强", "王建国", "王小明"]  # 在册 by default, in pinyin order
    page.order.setCurrentText(ORDER_ROLL)
    assert names() == ["王建国", "王小明", "陈志强"]  # the roll order stays available
    assert "在册党员 3 人" in page.counts.text() and "已离开 1 人" in page.counts.text()
    qtbot.keyClicks(page.search, "wjg")  # pinyin initials (app/services/names.py)
    assert names() == ["王建国"]
    page.search.setText("wangx")
    assert names() == ["王小明"]
    page.search.setText("xyz")
    assert names() == []
    page.search.clear()
    page.search.setText("王")
    assert names() == ["王建国", "王小明"]
    page.category.setCurrentIndex(page.category.findData(vocab.PROBATIONARY_MEMBER))
    assert names() == ["王小明"]
    page.search.clear()
    page.category.setCurrentIndex(0)
    page.mobile.setChecked(True)
    assert names() == ["陈志强"]
    assert page.model.rows[0][8] == "浙江省杭州市"
    page.mobile.setChecked(False)
    page.roll.setCurrentIndex(page.roll.findData("已离开"))
    assert names() == ["张德明"] and page.model.rows[0][10] == "去世 2026-04-01"


def test_leaving_the_roll_asks_before_dropping_later_attendance(qtbot, data_dir, branch):
    m = Member.create(name="赵六")
    plan = AnnualPlan.create(year=2026)
    for month in (3, 5):
        day = dt.date(2026, month, 5)
        act = Activity.create(plan=plan, plan_date=day, held_date=day)
        Attendance.create(activity=act, member=m, status=vocab.PRESENT)
    dialog = LeaveDialog(m.id, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.left_date.setText("2026/4/20")
    dialog.reason.setCurrentText("转出")
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "2026-05-05" in dialog.errors.text("left_date")
    assert not dialog.drop_later.isHidden()
    assert Member.get_by_id(m.id).left_date is None
    dialog.drop_later.setChecked(True)
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    stored = Member.get_by_id(m.id)
    assert (stored.left_date, stored.left_reason) == (dt.date(2026, 4, 20), "转出")
    assert [a.activity.plan_date.month for a in stored.attendance] == [3]


def test_delete_only_after_confirmation_and_never_with_attendance(qtbot, data_dir, branch):
    kept = Member.create(name="有考勤")
    mistake = Member.create(name="误录入")
    plan = AnnualPlan.create(year=2026)
    act = Activity.create(plan=plan, plan_date=dt.date(2026, 3, 5), held_date=dt.date(2026, 3, 5))
    Attendance.create(activity=act, member=kept, status=vocab.PRESENT)
    tab = RosterTab(_state(data_dir))
    qtbot.addWidget(tab)
    page = tab.roster

    page.select_member(mistake.id)
    seen = _answer_next_message_box(QMessageBox.StandardButton.No)
    page.delete_member()
    assert "误录入" in seen[0] and Member.get_or_none(Member.id == mistake.id) is not None

    seen = _answer_next_message_box(QMessageBox.StandardButton.Yes)
    page.delete_member()
    assert Member.get_or_none(Member.id == mistake.id) is None
    assert [row[1] for row in page.model.rows] == ["有考勤"]

    page.select_member(kept.id)
    seen = _answer_next_message_box(QMessageBox.StandardButton.Ok)
    page.delete_member()
    assert "不能删除" in seen[0] and Member.get_or_none(Member.id == kept.id) is not None


def _roster_file(path, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "性别", "出生日期", "入党时间", "人员类别", "是否流动党员", "流入地"])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_import_dialog_previews_every_row_then_imports_all(qtbot, data_dir, branch, tmp_path):
    Member.create(name="王建国", birth_date=dt.date(1968, 3, 12))
    tab = RosterTab(_state(data_dir))
    qtbot.addWidget(tab)
    bad = _roster_file(
        tmp_path / "bad.xlsx",
        [
            ["李秀英", "女", "1972-11-02", "1998-06-20", "正式党员", "否", ""],
            ["", "男", "1980-01-01", "2000-01-01", "正式党员", "否", ""],
        ],
    )
    dialog = ImportDialog(tab.state)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.set_path(bad)
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=30000)
    assert "第3行：姓名为空" in dialog.problems.toPlainText()
    assert not dialog.import_button.isEnabled()

    good = _roster_file(
        tmp_path / "good.xlsx",
        [
            ["王建国", "男", "1968-03-12", "1992-07-01", "正式党员", "否", ""],
            ["陈志强", "男", "1985/1/22", "2010.06", "正式", "是", "浙江省杭州市"],
        ],
    )
    dialog.set_path(good)
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=30000)
    assert dialog.problems.isHidden()
    assert [row[7] for row in dialog.model.rows] == ["已在花名册", "新增"]
    assert "将新增 1 人，已在花名册 1 人" in dialog.summary.text()
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=30000)
    assert (dialog.result.added, dialog.result.matched) == (1, 1)
    assert Member.select().count() == 2
    assert Member.get(Member.name == "陈志强").is_mobile
    assert "陈志强" in [row[1] for row in tab.roster.model.rows]  # the tab refreshed


def test_an_empty_roster_says_how_to_fill_it_and_enter_imports_a_good_file(
    qtbot, data_dir, branch, tmp_path
):
    tab = RosterTab(_state(data_dir))
    qtbot.addWidget(tab)
    tab.show()
    hint = tab.roster.empty_hint
    assert hint.isVisible() and "新增党员" in hint.text() and "导入花名册" in hint.text()

    good = _roster_file(
        tmp_path / "花名册.xlsx",
        [["陈志强", "男", "1985/1/22", "2010.06", "正式", "是", "浙江省杭州市"]],
    )
    dialog = ImportDialog(tab.state)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.set_path(good)
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=30000)
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=30000)
    assert [m.name for m in Member.select()] == ["陈志强"]
    assert not hint.isVisible()


def test_an_old_xls_roster_is_offered_and_explained(qtbot, data_dir, branch, tmp_path):
    from app.ui.import_dialog import TEXT as IMPORT_TEXT

    assert "*.xls" in IMPORT_TEXT["filter"].split(";;")[0]
    old = tmp_path / "花名册.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))
    dialog = ImportDialog(_state(data_dir))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.set_path(old)
    qtbot.waitUntil(lambda: dialog.problems.isVisible(), timeout=30000)
    assert "另存为” .xlsx" in dialog.problems.toPlainText()
    assert not dialog.import_button.isEnabled() and Member.select().count() == 0


def test_return_to_roll_asks_before_clearing_the_leaving(qtbot, data_dir, branch, monkeypatch):
    on = Member.create(name="在册的")
    left = Member.create(name="转出的", left_date=dt.date(2026, 5, 20), left_reason="转出")
    tab = RosterTab(_state(data_dir))
    qtbot.addWidget(tab)
    page = tab.roster
    page.today = TODAY
    page.roll.setCurrentIndex(page.roll.findData("全部"))
    asked = []
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr(
        QMessageBox, "question", lambda _p, _t, text, *a: asked.append(text) or answers.pop(0)
    )
    page.select_member(on.id)
    qtbot.mouseClick(page.buttons["return"], Qt.MouseButton.LeftButton)
    assert "不需要恢复" in page.message.text() and not asked

    page.select_member(left.id)
    qtbot.mouseClick(page.buttons["return"], Qt.MouseButton.LeftButton)
    assert "转出 2026-05-20" in asked[0]
    assert Member.get_by_id(left.id).left_date == dt.date(2026, 5, 20)
    page.select_member(left.id)
    qtbot.mouseClick(page.buttons["return"], Qt.MouseButton.LeftButton)
    assert Member.get_by_id(left.id).left_date is None


def test_the_roster_picker_opens_on_the_desktop_then_beside_the_last_file(
    qtbot, data_dir, branch, tmp_path, monkeypatch
):
    from pathlib import Path

    from PySide6.QtWidgets import QFileDialog

    dialog = ImportDialog(_state(data_dir))
    qtbot.addWidget(dialog)
    folders = []
    monkeypatch.setattr(
        QFileDialog,
        "getOpenFileName",
        lambda _p, _t, folder, _f: folders.append(folder) or ("", ""),
    )
    dialog.choose_file()
    assert Path(folders[0]).is_dir() and Path(folders[0]) != Path.cwd()
    good = _roster_file(tmp_path / "花名册.xlsx", [["陈志强", "男", "1985/1/22", "", "", "", ""]])
    dialog.set_path(good)
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=30000)
    dialog.choose_file()
    assert folders[1] == str(tmp_path)
