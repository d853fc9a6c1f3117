"""An error nobody caught is said in Chinese and logged: a full disk reads as a full disk (while
saving a record it is said beside the form and the typed text stays), anything else as a bug
with the log's path."""

from __future__ import annotations

import sqlite3
import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.models import DB, Activity
from app.ui.application import install_error_hook, is_storage_error
from tests.record_helpers import build_year
from tests.ui.test_record_tab import make_tab
from tests.ui.typing import type_text


@pytest.fixture
def shown(monkeypatch) -> list[str]:
    texts: list[str] = []
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # put back after the test
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, _t, text, *a: texts.append(text))
    return texts


def test_a_full_disk_while_saving_a_record_is_said_plainly_and_the_text_stays(
    qtbot, branch, data_dir, shown
):
    march, _april = build_year()
    tab = make_tab(qtbot, data_dir)
    tab.select_activity(march.id)
    type_text(qtbot, tab.editor.place, "村党群服务中心二楼会议室")
    # The database may not grow by a single page more: SQLite answers "database or disk is
    # full", exactly as on a USB stick or a system drive with no room left.
    pages = DB.execute_sql("PRAGMA page_count").fetchone()[0]
    DB.execute_sql(f"PRAGMA max_page_count = {pages}")
    # Within the 5,000-character limit of 活动内容, still several pages of the database.
    tab.editor.content.setPlainText("会议传达了上级精神。" * 450)  # pasted, as from Word
    with qtbot.capture_exceptions() as caught:
        qtbot.mouseClick(tab.editor.save_button, Qt.MouseButton.LeftButton)
    # Said beside the form in Chinese (app/models/connection.py), never reaching the hook.
    assert not caught, caught
    said = tab.editor.field_errors.label_for(None)
    assert said.isVisible() and "磁盘已满" in said.text() and "rollback" not in said.text()
    assert tab.editor.content.toPlainText().startswith("会议传达了上级精神。")
    assert "会议传达了上级精神" not in (Activity.get_by_id(march.id).content or "")

    # A raw SQLite full-disk error from anywhere else still reads as a full disk in the hook.
    error = sqlite3.OperationalError("database or disk is full")
    assert is_storage_error(error)
    install_error_hook(data_dir)
    sys.excepthook(type(error), error, None)
    assert len(shown) == 1 and "磁盘已满" in shown[0] and "内容还在" in shown[0]
    assert "database or disk is full" in (data_dir / "logs" / "errors.log").read_text("utf-8")


def test_an_unexpected_error_names_the_log_for_the_helpdesk(data_dir, shown):
    install_error_hook(data_dir)
    try:
        raise ValueError("a bug")
    except ValueError as error:
        sys.excepthook(ValueError, error, error.__traceback__)
    log = data_dir / "logs" / "errors.log"
    assert len(shown) == 1 and str(log) in shown[0] and "ValueError" in shown[0]
    assert "意外的错误" in shown[0] and "磁盘" not in shown[0]
    assert "ValueError: a bug" in log.read_text("utf-8")
