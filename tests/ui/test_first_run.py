"""First start: Enter saves the branch the secretary typed; the demo only after a clear yes."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.models import Branch, Member
from app.ui.first_run import FirstRunDialog
from tests.ui.typing import type_text


def test_enter_after_typing_the_name_saves_the_branch_not_the_demo(qtbot, data_dir):
    dialog = FirstRunDialog(data_dir)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    type_text(qtbot, dialog.form.name_edit, "中共白沙村支部委员会")
    qtbot.keyClick(dialog.form.name_edit, Qt.Key.Key_Return)
    assert dialog.result() == FirstRunDialog.DialogCode.Accepted
    assert Branch.get().name == "中共白沙村支部委员会"
    assert Member.select().count() == 0


def test_demo_is_loaded_only_after_the_secretary_says_yes(qtbot, data_dir, monkeypatch):
    dialog = FirstRunDialog(data_dir)
    qtbot.addWidget(dialog)
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: answers.pop(0))
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    qtbot.mouseClick(dialog.demo_button, Qt.MouseButton.LeftButton)
    assert not Branch.select().exists()
    assert dialog.result() != FirstRunDialog.DialogCode.Accepted
    qtbot.mouseClick(dialog.demo_button, Qt.MouseButton.LeftButton)
    assert Branch.get().name == "中共青山村支部委员会"
    assert dialog.result() == FirstRunDialog.DialogCode.Accepted


def test_the_township_clerk_sums_bundles_without_setting_up_a_branch(
    qtbot, data_dir, tmp_path, monkeypatch
):
    from openpyxl import load_workbook
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.bundle.write import export_bundle
    from app.models import close_database, open_database
    from app.paths import database_path
    from app.services.demo import create_demo
    from app.ui.township.aggregate_dialog import AggregateDialog
    from tests.conftest import DEMO_TODAY, DEMO_YEAR

    # A branch's bundle, made in that branch's own data dir, arrives on a USB stick.
    close_database()
    village = tmp_path / "village"
    open_database(database_path(village))
    create_demo(village, year=DEMO_YEAR, today=DEMO_TODAY)
    stick = tmp_path / "U盘"
    stick.mkdir()
    bundle = export_bundle(DEMO_YEAR, stick, today=DEMO_TODAY)
    close_database()
    open_database(database_path(data_dir))  # the township's own, empty ledger

    dialog = FirstRunDialog(data_dir)
    qtbot.addWidget(dialog)
    dialog.show()
    out = tmp_path / "青山镇汇总.xlsx"
    seen: list[str] = []

    def sum_the_stick() -> None:
        aggregate = QApplication.activeModalWidget()
        assert isinstance(aggregate, AggregateDialog)
        aggregate.add_paths([stick])
        aggregate.out_edit.setText(str(out))
        qtbot.mouseClick(aggregate.start_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: aggregate.result is not None, timeout=60000)
        seen.append(aggregate.result_label.text())
        aggregate.accept()

    QTimer.singleShot(0, sum_the_stick)
    qtbot.mouseClick(dialog.aggregate_button, Qt.MouseButton.LeftButton)

    assert bundle.exists() and seen and "已汇总 1 个党支部" in seen[0]
    names = [r[1] for r in load_workbook(out)["汇总"].iter_rows(min_row=3, values_only=True)]
    assert "中共青山村支部委员会" in names
    assert dialog.isVisible() and dialog.result() != FirstRunDialog.DialogCode.Accepted
    assert Branch.select().count() == 0  # no made-up branch in the township's data dir
