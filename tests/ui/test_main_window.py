"""The window shell: first-run setup, the four tabs, the menu, remembered geometry."""

from __future__ import annotations

from PySide6.QtCore import QDate, QPoint, QRect, QSize, Qt

from app.models import Branch
from app.ui.first_run import FirstRunDialog
from app.ui.main_window import MainWindow
from tests.ui.typing import type_text


def test_first_run_keeps_what_was_typed_until_the_name_is_given_then_saves(qtbot, data_dir):
    dialog = FirstRunDialog(data_dir)
    qtbot.addWidget(dialog)
    type_text(qtbot, dialog.form.secretary_edit, "王建国")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "党组织名称" in dialog.form.error_label.text()
    assert dialog.result() != FirstRunDialog.DialogCode.Accepted
    assert dialog.form.secretary_edit.text() == "王建国" and Branch.select().count() == 0

    type_text(qtbot, dialog.form.name_edit, "中共青山村支部委员会")
    dialog.form.day_combo.setCurrentIndex(2)
    dialog.form.custom_day.setValue(18)
    type_text(qtbot, dialog.form.prefix_edit, "池州市")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == FirstRunDialog.DialogCode.Accepted
    b = Branch.get()
    assert (b.name, b.secretary, b.activity_day_mode, b.custom_day, b.form_title_prefix) == (
        "中共青山村支部委员会",
        "王建国",
        "custom",
        18,
        "池州市",
    )


def test_window_has_four_tabs_and_remembers_its_size(qtbot, branch, data_dir):
    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles == ["计划", "记录", "花名册/考勤", "统计"]
    assert "中共青山村支部委员会" in window.windowTitle()
    window.show()
    window.resize(window.minimumSizeHint().width() + 4, 520)
    saved = window.size()
    window.tabs.setCurrentIndex(2)
    window.close()

    again = MainWindow(data_dir)
    qtbot.addWidget(again)
    assert again.size() == saved and saved.height() == 520
    assert again.tabs.currentIndex() == 2
    assert (data_dir / "settings.ini").exists()


def test_branch_settings_dialog_changes_day_leave_rule_and_deadline(qtbot, branch):
    from app.ui.branch_form import BranchSettingsDialog

    dialog = BranchSettingsDialog()
    qtbot.addWidget(dialog)
    assert dialog.form.name_edit.text() == "中共青山村支部委员会"
    dialog.form.day_combo.setCurrentIndex(1)  # 每月10日
    dialog.form.leave_check.setChecked(False)
    dialog.form.deadline_edit.setDate(QDate(2000, 7, 31))
    dialog.form.name_edit.clear()
    dialog._save()
    assert dialog.result() != BranchSettingsDialog.DialogCode.Accepted  # name missing: stays open
    assert Branch.get().activity_day_mode == "5"
    type_text(qtbot, dialog.form.name_edit, "中共青山村委员会")
    dialog._save()
    b = Branch.get()
    assert (b.name, b.activity_day_mode, b.leave_counts_as_absent, b.plan_deadline) == (
        "中共青山村委员会",
        "10",
        False,
        "07-31",
    )


def test_new_pc_starts_from_the_old_pcs_backup_on_first_run(qtbot, demo, tmp_path):
    from app.models import Member, close_database, open_database
    from app.paths import database_path
    from app.services.backup import backup_to

    old_members = Member.select().count()
    stick = tmp_path / "U盘"
    stick.mkdir()
    backup = backup_to(demo, stick)
    close_database()

    new_pc = tmp_path / "新电脑"
    open_database(database_path(new_pc))
    dialog = FirstRunDialog(new_pc)
    qtbot.addWidget(dialog)
    dialog.restore_from(stick / "不存在.zip")
    assert "找不到备份文件" in dialog.form.error_label.text()
    assert dialog.result() != FirstRunDialog.DialogCode.Accepted
    dialog.restore_from(backup)
    assert dialog.result() == FirstRunDialog.DialogCode.Accepted
    assert Branch.get().name == "中共青山村支部委员会"
    assert Member.select().count() == old_members


def test_window_shows_its_current_tab_first_then_prepares_the_others(qtbot, demo):
    window = MainWindow(demo)
    qtbot.addWidget(window)
    assert [page.content is not None for page in window.pages] == [True, False, False, False]
    window.show()
    qtbot.waitUntil(lambda: all(page.content is not None for page in window.pages), timeout=30000)
    assert all(not window.tabs.tabIcon(i).isNull() for i in range(4))
    # A tab reached through the window before it was prepared is built on the spot.
    assert window.stats_tab is window.pages[3].content


def test_file_menu_entries_load_their_dialogs_on_first_use_in_the_same_place(
    qtbot, branch, data_dir, monkeypatch
):
    from PySide6.QtWidgets import QMessageBox

    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    before = [(a.text(), a.isSeparator()) for a in window.file_menu.actions()]
    assert ("导出报送包…", False) in before and ("检查数据库", False) in before
    seen: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _parent, _title, text: seen.append(text))
    check = next(a for a in window.file_menu.actions() if a.text() == "检查数据库")
    check.trigger()  # its dialog module is loaded, then the real action runs
    assert seen and "没有发现问题" in seen[0]
    assert window.backup_actions.last_check == []
    assert window.bundle_actions.export_action.text() == "导出报送包…"
    after = [(a.text(), a.isSeparator()) for a in window.file_menu.actions()]
    assert after == before  # the real actions took the entries' places, with the same words


def test_opening_the_window_module_imports_no_other_tab_or_dialog():
    import ast
    import subprocess
    import sys

    code = (
        "import sys, app.ui.application, app.ui.main_window\n"
        "print(sorted(m for m in sys.modules if m.startswith('app.ui.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(ast.literal_eval(out.stdout))
    for name in (
        "plan_tab",
        "record_tab",
        "roster_tab",
        "stats_tab",
        "bundle_menu",
        "export_dialog",
        "township.verify_dialog",
        "township.aggregate_dialog",
    ):
        assert f"app.ui.{name}" not in loaded
    assert "app.ui.backup_dialogs" not in loaded and "app.ui.first_run" not in loaded


def _fully_on_screen(window) -> bool:
    available = window.screen().availableGeometry()
    return available.contains(window.frameGeometry()) and available.contains(window.geometry())


def test_first_start_on_a_small_screen_fits_it(qtbot, branch, data_dir):
    # The offscreen test screen is 800×800: smaller than the preferred 1200×780.
    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.isMaximized()
    assert _fully_on_screen(window), (window.frameGeometry(), window.screen().availableGeometry())
    window.showNormal()  # un-maximised, it still fits
    assert _fully_on_screen(window), (window.frameGeometry(), window.screen().availableGeometry())


def test_a_window_saved_on_a_bigger_screen_comes_back_fully_visible(qtbot, branch, data_dir):
    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    window.show()
    window.showNormal()
    window.setGeometry(QRect(1500, 1200, 1600, 1000))  # right of and below this screen
    window.close()

    again = MainWindow(data_dir)
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert _fully_on_screen(again), (again.frameGeometry(), again.screen().availableGeometry())


def test_fit_on_screen_moves_and_shrinks_only_as_much_as_needed():
    from app.ui.main_window import FRAME_ALLOWANCE, fit_on_screen

    laptop = QRect(0, 0, 1366, 728)  # 1366×768 less a 40 px taskbar
    room = laptop.marginsRemoved(FRAME_ALLOWANCE)
    assert fit_on_screen(QRect(100, 80, 1000, 600), laptop) == QRect(100, 80, 1000, 600)
    big = fit_on_screen(QRect(200, 100, 1800, 1000), laptop)  # saved on a 1920×1080 monitor
    assert big == room
    gone = fit_on_screen(QRect(2200, 300, 1000, 600), laptop)  # on a monitor unplugged since
    assert gone.size() == QSize(1000, 600) and room.contains(gone)
    above = fit_on_screen(QRect(300, -500, 1000, 600), laptop)  # title bar off the top
    assert above.topLeft() == QPoint(300, room.top())


def test_changing_the_activity_day_offers_to_move_the_plans_still_to_come(
    qtbot, branch, data_dir, monkeypatch
):
    import datetime as dt

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app.models import Activity
    from app.services import plan as plans

    next_year = dt.date.today().year + 1
    plans.create_plan(next_year)  # made on the 5th
    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    asked: list[str] = []

    def answer(_parent, _title, text, *args, **kwargs):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)

    def set_the_tenth() -> None:
        dialog = QApplication.activeModalWidget()
        dialog.form.day_combo.setCurrentIndex(1)  # 每月10日
        dialog._save()

    QTimer.singleShot(0, set_the_tenth)
    window.edit_branch_settings()

    assert len(asked) == 1 and "每月10日" in asked[0] and f"{next_year}年计划" in asked[0]
    days = {a.plan_date for a in Activity.select() if a.plan_date.year == next_year}
    expected = {plans.plan_activity_date(next_year, m, 10).date for m in range(1, 13)}
    assert days == expected  # each month on the 10th or, off a holiday, the next working day
    moved = sum(
        1 for m in range(1, 13) if plans.plan_activity_date(next_year, m, 5).date not in expected
    )
    assert f"有 {moved} 次今后的活动" in asked[0]
    assert f"已按新的活动日重排 {moved} 次活动" in window.statusBar().currentMessage()

    QTimer.singleShot(0, lambda: QApplication.activeModalWidget()._save())  # day unchanged
    window.edit_branch_settings()
    assert len(asked) == 1  # nothing asked when the day stays the same


def test_ctrl_and_a_digit_goes_to_that_tab(qtbot, branch, data_dir):
    from PySide6.QtWidgets import QApplication

    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    window.show()
    window.windowHandle().requestActivate()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    for key, index in ((Qt.Key.Key_3, 2), (Qt.Key.Key_2, 1), (Qt.Key.Key_4, 3), (Qt.Key.Key_1, 0)):
        target = QApplication.focusWidget() or window  # where a key press really goes
        qtbot.keyClick(target, key, Qt.KeyboardModifier.ControlModifier)
        assert window.tabs.currentIndex() == index
    assert window.tabs.tabToolTip(2) == "Ctrl+3"
