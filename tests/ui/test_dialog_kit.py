"""The dialog kit: an error under a field goes away once the field is changed; the rest stays."""

from __future__ import annotations

from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QWidget,
)

from app.ui.dialog_kit import FieldErrors, save_cancel, size_text
from tests.ui.typing import type_text


def test_an_error_line_clears_when_its_field_is_edited_and_only_that_one(qtbot):
    dialog = QDialog()
    qtbot.addWidget(dialog)
    form = QFormLayout(dialog)
    errors = FieldErrors(form, fallback="name")
    name = QLineEdit()
    errors.add_row("name", "姓名", name)
    row = QWidget()
    check, day = QCheckBox("已开展"), QDateEdit()
    h = QHBoxLayout(row)
    h.addWidget(check)
    h.addWidget(day)
    errors.add_row("day", "日期", row)
    buttons, save = save_cancel(dialog)
    form.addRow(buttons)
    dialog.show()

    errors.show("name", "请填写姓名。")
    errors.show("day", "日期不对。")
    errors.show("unknown", "另一个问题。", append=True)  # no such field: the fallback line
    assert errors.text("name") == "请填写姓名。\n另一个问题。"
    assert errors.labels["name"].isVisible() and errors.labels["day"].isVisible()

    type_text(qtbot, name, "张三")
    assert not errors.labels["name"].isVisible()
    assert errors.labels["day"].isVisible()  # its field was not touched

    day.setDate(QDate(2026, 3, 6))
    assert not errors.labels["day"].isVisible()

    errors.show("day", "日期不对。")
    qtbot.mouseClick(check, Qt.MouseButton.LeftButton, pos=QPoint(8, check.height() // 2))
    assert not errors.labels["day"].isVisible()

    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(save, Qt.MouseButton.LeftButton)


def test_sizes_read_as_a_secretary_reads_them():
    assert size_text(350 * 1024) == "350 KB"
    assert size_text(int(12.5 * 1024 * 1024)) == "12.5 MB"
    assert size_text(3 * 1024**3) == "3.0 GB"
