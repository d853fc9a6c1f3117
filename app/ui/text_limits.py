"""Typed text within its limit, with the limit shown where it is typed (the services refuse more
with the same numbers: app/services/record_rules.py, app/services/text_rules.py)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit, QStyledItemDelegate, QWidget

LIMIT_TEXT = "最多{n}字"


def limit_line(edit: QLineEdit, most: int) -> QLineEdit:
    """No more than `most` characters can be typed or pasted; the placeholder says so."""
    edit.setMaxLength(most)
    hint = edit.placeholderText()
    limit = LIMIT_TEXT.format(n=most)
    edit.setPlaceholderText(f"{hint}（{limit}）" if hint else limit)
    return edit


def limit_combo(combo: QComboBox, most: int) -> QComboBox:
    """An editable combo box's typed text, as `limit_line`."""
    if combo.lineEdit() is not None:
        limit_line(combo.lineEdit(), most)
    return combo


def limit_plain(edit: QPlainTextEdit, most: int) -> QPlainTextEdit:
    """A multi-line text cannot cap typing (QPlainTextEdit has no maxLength): the placeholder
    and tooltip say the limit, and saving says how far over it is."""
    hint = edit.placeholderText()
    limit = LIMIT_TEXT.format(n=most)
    edit.setPlaceholderText(f"{hint}（{limit}）" if hint else limit)
    edit.setToolTip(limit)
    return edit


class LimitedTextDelegate(QStyledItemDelegate):
    """A table column typed in a line edit of at most `most` characters."""

    def __init__(self, most: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.most = most

    def createEditor(self, parent, option, index):  # noqa: N802 (Qt's name)
        editor = super().createEditor(parent, option, index)
        if isinstance(editor, QLineEdit):
            limit_line(editor, self.most)
        return editor
