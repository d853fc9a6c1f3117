"""The secretary's side of backups: restore from the list after confirming, 回收站, 检查数据库,
备份到… a USB folder, and the start-up dialog offered for a damaged database."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog, QMessageBox, QWidget

from app.models import DB, Activity, Member, close_database
from app.paths import database_path
from app.services.backup import create_backup, list_backups
from app.services.trash import trash_member
from app.ui.backup_dialogs import DamagedDatabaseDialog, RestoreDialog, TrashDialog
from app.ui.main_window import MainWindow
from tests.record_helpers import build_year

SHOTS = Path(os.environ.get("DANGRI_SHOTS", "/tmp"))


def answer_next_box(button_text: str | None = None) -> list[str]:
    """Click `button_text` (None: the default/OK) in the next message box; returns its text."""
    seen: list[str] = []

    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(30, click)
            return
        seen.append(box.text())
        for button in box.buttons():
            if button_text is None or button.text() == button_text:
                button.click()
                return
        raise AssertionError(f"no button {button_text} in {[b.text() for b in box.buttons()]}")

    QTimer.singleShot(30, click)
    return seen


@pytest.fixture
def window(qtbot, branch, data_dir):
    w = MainWindow(data_dir)
    qtbot.addWidget(w)
    return w


def test_restore_from_the_list_asks_first_then_replaces_and_refreshes(qtbot, window, data_dir):
    Member.create(name="张秀英")
    create_backup(data_dir, now=dt.datetime(2026, 11, 20, 9, 30))
    Member.create(name="误录入的人")
    changes: list[str] = []
    window.state.changed.connect(changes.append)
    assert window.backup_actions.restore_action.text() == "从备份恢复…"
    assert "从备份恢复…" in [a.text() for a in window.file_menu.actions()]

    dialog = RestoreDialog(data_dir, window)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.model.rowCount() == 1
    assert dialog.model.rows[0][:2] == ("2026-11-20 09:30:00", "手动备份")
    dialog.grab().save(str(SHOTS / "restore_dialog.png"))

    # Cancel first: nothing happens.
    answer_next_box("取消")
    qtbot.mouseClick(dialog.restore_button, qtbot_left())
    assert {m.name for m in Member.select()} == {"张秀英", "误录入的人"}
    assert dialog.isVisible()

    asked = answer_next_box("恢复")
    qtbot.mouseClick(dialog.restore_button, qtbot_left())
    assert "2026-11-20 09:30" in asked[0] and "先自动备份" in asked[0]
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert [m.name for m in Member.select()] == ["张秀英"]
    assert any(b.label == "恢复前自动备份" for b in list_backups(data_dir))


def test_a_damaged_backup_file_is_refused_and_the_dialog_stays_open(qtbot, branch, data_dir):
    Member.create(name="张秀英")
    bad = data_dir / "backups" / "dangri-20261120-093000-start.sqlite3"
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_bytes(b"SQLite format 3\x00" + b"\x01" * 3000)
    dialog = RestoreDialog(data_dir)
    qtbot.addWidget(dialog)
    dialog.show()
    answer_next_box("恢复")
    qtbot.mouseClick(dialog.restore_button, qtbot_left())
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert "已损坏" in dialog.error_label.text() and dialog.error_label.isVisible()
    assert [m.name for m in Member.select()] == ["张秀英"]


def test_trash_dialog_restores_a_deleted_member_and_empties_after_asking(qtbot, branch):
    keep = Member.create(name="李建华")
    trash_member(keep.id)
    trash_member(Member.create(name="王误录").id)
    dialog = TrashDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.model.rowCount() == 2
    dialog.grab().save(str(SHOTS / "trash_dialog.png"))
    dialog.view.selectRow(1)  # newest first: 李建华 was deleted first
    with qtbot.waitSignal(dialog.changed):
        qtbot.mouseClick(dialog.restore_button, qtbot_left())
    assert [m.name for m in Member.select()] == ["李建华"]
    assert "已恢复：党员 李建华" in dialog.message.text()

    asked = answer_next_box("永久删除")
    qtbot.mouseClick(dialog.empty_button, qtbot_left())
    assert "1 项" in asked[0]
    assert dialog.model.rowCount() == 0
    assert not dialog.empty_button.isEnabled()


def test_check_database_reports_a_healthy_file(qtbot, window):
    seen = answer_next_box()
    window.backup_actions.check_action.trigger()
    assert "没有发现问题" in seen[0]
    assert window.backup_actions.last_check == []


def test_backup_to_a_usb_folder_runs_in_background_and_says_where(
    qtbot, window, data_dir, tmp_path
):
    Member.create(name="张秀英")
    photo = data_dir / "attachments" / "2026" / "合影.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"\xff\xd8photo")
    usb = tmp_path / "U盘"
    usb.mkdir()
    seen = answer_next_box()
    window.backup_actions.backup_to(usb)
    qtbot.waitUntil(lambda: bool(seen), timeout=20000)
    (made,) = usb.iterdir()
    assert made.name.startswith("党日记实备份-") and made.suffix == ".zip"
    assert str(made) in seen[0]
    # What is in it, and how to take the stick out and use it on the new PC.
    assert "1 个照片、扫描件" in seen[0] and "安全弹出" in seen[0] and "从备份恢复…" in seen[0]


def test_damaged_database_on_start_offers_newest_good_backup(qtbot, branch, data_dir):
    Member.create(name="张秀英")
    good = create_backup(data_dir, now=dt.datetime(2026, 11, 24, 8, 0))
    Member.insert_many([{"name": f"党员{i}", "note": "x" * 200} for i in range(200)]).execute()
    close_database()
    db = database_path(data_dir)
    with open(db, "r+b") as fh:
        fh.seek(4096)
        fh.write(b"\x00\xff" * 20000)
    from app.services.backup import database_problems

    problems = database_problems(data_dir)
    assert problems
    dialog = DamagedDatabaseDialog(data_dir, problems)
    qtbot.addWidget(dialog)
    dialog.show()
    text = dialog.text_label.text()
    assert "数据文件已损坏" in text and "2026-11-24 08:00" in text and "不会删除" in text
    assert dialog.newest.path == good.path
    dialog.grab().save(str(SHOTS / "damaged_dialog.png"))
    told = answer_next_box()
    qtbot.mouseClick(dialog.newest_button, qtbot_left())
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert [m.name for m in Member.select()] == ["张秀英"]
    (kept,) = [p for p in (data_dir / "backups").iterdir() if p.name.startswith("损坏-")]
    # Before the window opens the secretary is told which backup is back and where the
    # damaged file went (the window used to open without a word).
    assert "2026-11-24 08:00" in told[0] and "重新录入" in told[0] and str(kept) in told[0]


def run_modals(steps: list[tuple[type, Callable[[QWidget], None]]]) -> list[tuple[str, ...]]:
    """Handle the next modal windows in turn: each step waits for a new modal of its type and
    acts on it (clicks in it). Returns what each said: a message box's text, informative text
    and details; another dialog's title."""
    handled: list[QWidget] = []
    said: list[tuple[str, ...]] = []

    def poll() -> None:
        if len(handled) == len(steps):
            return
        QTimer.singleShot(30, poll)  # first: an act may open a modal that waits for the next
        kind, act = steps[len(handled)]
        widget = QApplication.activeModalWidget()
        if isinstance(widget, kind) and (not handled or widget is not handled[-1]):
            handled.append(widget)
            if isinstance(widget, QMessageBox):
                said.append((widget.text(), widget.informativeText(), widget.detailedText()))
            else:
                said.append((widget.windowTitle(),))
            act(widget)

    QTimer.singleShot(30, poll)
    return said


def click(text: str) -> Callable[[QWidget], None]:
    def act(box: QWidget) -> None:
        (button,) = [b for b in box.findChildren(QAbstractButton) if b.text() == text]
        button.click()

    return act


def typed_but_not_saved(window, data_dir):
    """A backup of 20 Nov 09:30, then a place typed into March's record and not saved."""
    march, _ = build_year()
    create_backup(data_dir, now=dt.datetime(2026, 11, 20, 9, 30))
    window.show()
    tab = window.record_tab
    tab.select_activity(march.id)
    tab.editor.place.setText("村委会二楼会议室")
    return march, tab


def test_restore_with_an_unsaved_record_saves_it_first_and_says_where_it_went(
    qtbot, window, data_dir
):
    march, tab = typed_but_not_saved(window, data_dir)
    assert tab.editor.dirty

    shown = run_modals(
        [
            (QMessageBox, click("保存后继续")),
            (RestoreDialog, lambda d: d.restore_selected()),
            (QMessageBox, click("恢复")),
            (QMessageBox, lambda box: box.accept()),
        ]
    )
    window.backup_actions.restore_action.trigger()
    assert len(shown) == 4
    assert "没保存的改动会丢失" in shown[0][0] and "先保存" in shown[0][0]
    # The typed place was saved, so it is in the 恢复前自动备份 named afterwards...
    (kept,) = [b for b in list_backups(data_dir) if b.reason == "before-restore"]
    with sqlite3.connect(kept.path) as con:
        (place,) = con.execute("SELECT place FROM activity WHERE id = ?", (march.id,)).fetchone()
    assert place == "村委会二楼会议室"
    told = shown[3][0]
    assert "2026-11-20 09:30" in told and f"{kept.created:%Y-%m-%d %H:%M:%S}" in told
    # ...and the ledger and the editor now show the backup's record, nothing half-typed.
    assert Activity.get_by_id(march.id).place != "村委会二楼会议室"
    assert not tab.editor.dirty and tab.editor.place.text() != "村委会二楼会议室"


def test_cancelling_the_unsaved_record_question_keeps_the_typing_and_restores_nothing(
    qtbot, window, data_dir
):
    march, tab = typed_but_not_saved(window, data_dir)
    shown = run_modals([(QMessageBox, click("取消"))])
    window.backup_actions.restore_action.trigger()
    assert len(shown) == 1
    assert tab.editor.dirty and tab.editor.place.text() == "村委会二楼会议室"
    assert not any(b.reason == "before-restore" for b in list_backups(data_dir))
    tab.editor.dirty = False  # closing the window would ask about it again


def test_emptying_the_trash_names_what_goes_for_good(qtbot, branch):
    for name in ["王误录", "李重复"] + [f"测试{i}" for i in range(11)]:
        trash_member(Member.create(name=name).id)
    dialog = TrashDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    asked = answer_next_box("取消")
    qtbot.mouseClick(dialog.empty_button, qtbot_left())
    assert "13 项" in asked[0] and "党员 测试10" in asked[0]
    assert "另外还有 3 项" in asked[0] and "党员 王误录" not in asked[0]  # newest first
    assert dialog.model.rowCount() == 13


def test_trash_shows_and_restores_an_activity_with_its_attendance_and_photo(qtbot, data_dir):
    from app.models import Attachment, Attendance
    from app.services.demo import create_demo
    from app.services.trash import trash_activity

    create_demo(data_dir, year=2026, today=dt.date(2026, 11, 25))
    with_photo = Activity.get_by_id(Attachment.select().first().activity_id)
    attendance = Attendance.select().where(Attendance.activity == with_photo.id).count()
    files = Attachment.select().where(Attachment.activity == with_photo.id).count()
    trash_activity(with_photo.id)
    dialog = TrashDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    # The list says what comes back with the activity, not only its theme.
    with_it = dialog.model.rows[0][2]
    assert with_it.startswith(f"考勤 {attendance} 人，") and f"照片、扫描件 {files} 个" in with_it
    dialog.grab().save(str(SHOTS / "trash_dialog_activity.png"))
    with qtbot.waitSignal(dialog.changed):
        qtbot.mouseClick(dialog.restore_button, qtbot_left())
    assert f"考勤 {attendance} 人" in dialog.message.text()
    assert Attendance.select().where(Attendance.activity == with_photo.id).count() == attendance
    back = Attachment.select().where(Attachment.activity == with_photo.id)
    assert back.count() == files
    assert all((data_dir / "attachments" / a.stored_path).is_file() for a in back)


def damaged_ledger(data_dir: Path) -> None:
    """A ledger whose last table pages had their cell pointers overwritten: SQLite's check
    reports it in dozens of lines of page numbers."""
    Member.insert_many(
        [{"name": f"党员{i:03d}", "note": "备注" * 20} for i in range(300)]
    ).execute()
    DB.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db = database_path(data_dir)
    last = db.stat().st_size // 4096
    with open(db, "r+b") as fh:
        for page in range(last - 12, last):
            fh.seek((page - 1) * 4096 + 100)
            fh.write(b"\x5a" * 800)


def test_the_damaged_start_dialog_fits_a_village_screen_however_long_sqlites_report(
    qtbot, branch, data_dir
):
    create_backup(data_dir, now=dt.datetime(2026, 11, 24, 8, 0))
    damaged_ledger(data_dir)
    close_database()
    from app.services.backup import database_problems

    dialog = DamagedDatabaseDialog(data_dir, database_problems(data_dir))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.grab().save(str(SHOTS / "damaged_dialog_long_report.png"))
    assert "数据文件内部结构被破坏" in dialog.text_label.text()
    assert "page" not in dialog.text_label.text()
    assert dialog.sizeHint().height() < 600  # 768 less the taskbar and the title bar
    assert not dialog.details.isVisible()
    qtbot.mouseClick(dialog.details_button, qtbot_left())
    assert dialog.details.isVisible() and "page" in dialog.details.toPlainText()
    assert dialog.sizeHint().height() < 700


def test_check_database_on_damage_says_it_plainly_and_leads_to_the_newest_good_backup(
    qtbot, window, data_dir
):
    Member.create(name="张秀英")
    create_backup(data_dir, now=dt.datetime(2026, 11, 24, 8, 0))
    damaged_ledger(data_dir)
    shown = run_modals([(QMessageBox, click("从备份恢复…")), (RestoreDialog, lambda d: d.reject())])
    window.backup_actions.check_action.trigger()
    assert len(shown) == 2
    text, offer, details = shown[0]
    assert "数据文件内部结构被破坏" in text and "page" not in text
    assert "最新的完好备份：2026-11-24 08:00" in offer
    assert "page" in details
    assert window.backup_actions.last_check


def qtbot_left():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton
