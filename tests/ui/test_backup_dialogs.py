"""The secretary's side of backups: restore from the list after confirming, 回收站, 检查数据库,
备份到… a USB folder, and the start-up dialog offered for a damaged database."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from app.models import Member, close_database
from app.paths import database_path
from app.services.backup import create_backup, list_backups
from app.services.trash import trash_member
from app.ui.backup_dialogs import DamagedDatabaseDialog, RestoreDialog, TrashDialog
from app.ui.main_window import MainWindow

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


def test_backup_to_a_usb_folder_runs_in_background_and_says_where(qtbot, window, tmp_path):
    Member.create(name="张秀英")
    usb = tmp_path / "U盘"
    usb.mkdir()
    seen = answer_next_box()
    window.backup_actions.backup_to(usb)
    qtbot.waitUntil(lambda: bool(seen), timeout=20000)
    (made,) = usb.iterdir()
    assert made.name.startswith("党日记实备份-") and made.suffix == ".zip"
    assert str(made) in seen[0]


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
    qtbot.mouseClick(dialog.newest_button, qtbot_left())
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert [m.name for m in Member.select()] == ["张秀英"]
    assert any(p.name.startswith("损坏-") for p in (data_dir / "backups").iterdir())


def qtbot_left():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton
