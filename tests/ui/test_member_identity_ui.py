"""The member dialog with a 公民身份号码 (shown masked, kept whole), a month-only birth date and a
转正日期; 帮助 → 下载花名册模板 writes the template."""

from __future__ import annotations

import datetime as dt

import openpyxl
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox

from app.models import Member, vocab
from tests.ui.test_roster_tab import member_dialog

MAN_1965 = "340802196511051232"


def test_the_id_number_is_checked_shown_masked_and_kept_whole(qtbot, branch):
    dialog = member_dialog(qtbot)
    dialog.name.setText("陈志强")
    dialog.birth_date.setText("1966.11")
    dialog.id_number.setText(MAN_1965[:-1] + "9")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "末位校验码不对" in dialog.errors.text("id_number")
    dialog.id_number.setText(MAN_1965)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "与公民身份号码中的出生日期（1965-11-05）不一致" in dialog.errors.text("birth_date")
    dialog.birth_date.setText("1965.11")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    m = Member.get_by_id(dialog.saved_id)
    assert (m.id_number, m.birth_date, m.gender) == (MAN_1965, dt.date(1965, 11, 5), "男")

    again = member_dialog(qtbot, m.id)
    assert again.id_number.text() == "3408**********1232"
    assert MAN_1965 not in again.id_number.text()
    again.phone.setText("13900000000")
    qtbot.mouseClick(again.save_button, Qt.MouseButton.LeftButton)
    assert again.result() == QDialog.DialogCode.Accepted
    assert Member.get_by_id(m.id).id_number == MAN_1965  # the mask did not replace it


def test_a_month_stays_a_month_and_full_membership_makes_a_full_member(qtbot, branch):
    dialog = member_dialog(qtbot)
    dialog.name.setText("吴敏")
    dialog.birth_date.setText("1968.3")
    dialog.joined_party_date.setText("2024-06-30")
    dialog.category.setCurrentText(vocab.PROBATIONARY_MEMBER)
    dialog.full_member_date.setText("2025-06-30")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    m = Member.get_by_id(dialog.saved_id)
    assert (m.birth_date, m.birth_precision) == (dt.date(1968, 3, 1), "month")
    assert (m.category, m.full_member_date) == (vocab.FULL_MEMBER, dt.date(2025, 6, 30))
    again = member_dialog(qtbot, m.id)
    assert again.birth_date.text() == "1968年3月"
    again.full_member_date.setText("2025.06")  # 转正 decides who is 预备 on which day
    qtbot.mouseClick(again.save_button, Qt.MouseButton.LeftButton)
    assert again.isVisible() and "请写到日" in again.errors.text("full_member_date")


def test_a_name_longer_than_the_limit_is_cut_and_the_limit_is_shown(qtbot, branch):
    dialog = member_dialog(qtbot)
    dialog.name.setText("阿" * 25)
    assert dialog.name.text() == "阿" * 20 and "最多20个字" in dialog.name.placeholderText()
    dialog.name.setText("刘\x07洋")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "响铃符 BEL" in dialog.errors.text("name") and Member.select().count() == 0


def test_help_menu_writes_the_roster_template(qtbot, branch, data_dir, tmp_path, monkeypatch):
    from app.ui import desktop
    from app.ui.main_window import TEXT, MainWindow

    target = tmp_path / "模板.xlsx"
    monkeypatch.setattr(desktop, "choose_save_path", lambda *a: target)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: shown.append(text))
    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    titles = [a.text() for a in window.help_menu.actions()]
    assert TEXT["roster_template"] in titles
    window.template_action.trigger()
    assert target.exists() and "已保存花名册模板" in shown[0]
    headers = [c.value for c in openpyxl.load_workbook(target).active[1]]
    assert headers[:3] == ["序号", "姓名", "性别"] and "公民身份号码" in headers
