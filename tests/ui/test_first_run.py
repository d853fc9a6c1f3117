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
