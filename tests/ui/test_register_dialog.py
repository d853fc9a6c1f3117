"""下级党组织 in the window: the township clerk reads in the names, registers a branch's bundle,
and replaces its key (a new PC without a backup) only after confirming the new fingerprint."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from app.bundle.write import export_bundle
from app.models import close_database, open_database
from app.models.entities import BranchKey
from app.paths import database_path
from app.signing import key_path
from app.township.verify import verify_bundle
from app.ui.township.register_dialog import RegisterDialog
from tests.conftest import DEMO_TODAY, DEMO_YEAR

QINGSHAN = "中共青山村支部委员会"


@pytest.fixture(scope="module")
def old_and_new_pc(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The demo branch's bundle from its old PC, and from a new PC set up without a backup
    (the same ledger, a new key)."""
    from app.services.demo import create_demo

    root = tmp_path_factory.mktemp("branch")
    data_dir = root / "data"
    (root / "旧电脑").mkdir()
    (root / "新电脑").mkdir()
    open_database(database_path(data_dir))
    try:
        create_demo(data_dir, year=DEMO_YEAR, today=DEMO_TODAY)
        old = export_bundle(DEMO_YEAR, root / "旧电脑", today=DEMO_TODAY)
        key_path(data_dir).unlink()  # the new PC makes a key of its own
        new = export_bundle(DEMO_YEAR, root / "新电脑", today=DEMO_TODAY)
        return old, new
    finally:
        close_database()


def _answer(monkeypatch, answers: list[QMessageBox.StandardButton]) -> list[str]:
    asked: list[str] = []

    def question(_parent, _title, text, *_args):
        asked.append(text)
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def test_the_clerk_registers_a_bundle_and_replaces_its_key_after_confirming(
    qtbot, data_dir, tmp_path, monkeypatch, old_and_new_pc
):
    old, new = old_and_new_pc
    old_fp, new_fp = verify_bundle(old).fingerprint, verify_bundle(new).fingerprint
    names = tmp_path / "名单.csv"
    names.write_text(f"支部名称\n{QINGSHAN}\n中共东山村支部委员会\n", encoding="utf-8")
    dialog = RegisterDialog()
    qtbot.addWidget(dialog)
    dialog.show()

    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(names), ""))
    qtbot.mouseClick(dialog.names_button, Qt.MouseButton.LeftButton)
    assert "新增 2 个" in dialog.result_label.text()
    assert [r[1:3] for r in dialog.model.rows] == [
        (QINGSHAN, "未登记密钥"),
        ("中共东山村支部委员会", "未登记密钥"),
    ]

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(old)], ""))
    qtbot.mouseClick(dialog.bundles_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.bundles_button.isEnabled(), timeout=30000)
    assert old_fp in dialog.result_label.text() and "逐字核对" in dialog.result_label.text()
    assert dialog.model.rows[0][2] == old_fp

    # The new PC's bundle registered as such: the clerk says no — the old key stays.
    asked = _answer(monkeypatch, [QMessageBox.StandardButton.No])
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(new)], ""))
    qtbot.mouseClick(dialog.bundles_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.bundles_button.isEnabled(), timeout=30000)
    assert "签名不符" in asked[0] and new_fp in asked[0]
    assert "未替换" in dialog.result_label.text() and dialog.model.rows[0][2] == old_fp

    # After checking the new stamped plan: 替换密钥… on the selected row, confirmed.
    asked = _answer(monkeypatch, [QMessageBox.StandardButton.Yes])
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(new), ""))
    dialog.view.selectRow(0)
    qtbot.mouseClick(dialog.replace_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.replace_button.isEnabled(), timeout=30000)
    assert old_fp in asked[0] and new_fp in asked[0]
    assert dialog.model.rows[0][2] == new_fp and "原指纹" in dialog.result_label.text()
    in_use = BranchKey.select().where(BranchKey.replaced_at.is_null())
    assert [k.fingerprint for k in in_use] == [new_fp]


def test_the_township_without_a_branch_and_the_file_menu_open_the_register(
    qtbot, data_dir, monkeypatch
):
    from app.services.branch import BranchSettings, save_branch
    from app.ui.first_run import FirstRunDialog
    from app.ui.main_window import MainWindow

    opened: list[RegisterDialog] = []
    monkeypatch.setattr(RegisterDialog, "exec", lambda self: opened.append(self) or 0)
    first_run = FirstRunDialog(data_dir)  # the township's data dir has no branch
    qtbot.addWidget(first_run)
    qtbot.mouseClick(first_run.register_button, Qt.MouseButton.LeftButton)
    assert len(opened) == 1 and opened[0].windowTitle() == "下级党组织"

    save_branch(BranchSettings(name=QINGSHAN))
    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    entry = next(a for a in window.file_menu.actions() if a.text() == "下级党组织…")
    entry.trigger()
    assert len(opened) == 2
