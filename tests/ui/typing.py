"""Typing Chinese into a widget the way an input method does.

QTest.keyClicks only knows ASCII keys (a CJK character trips an assertion in qasciikey.cpp and
aborts the process), so non-ASCII text is committed with a QInputMethodEvent, as Pinyin/Wubi IMEs
deliver it; ASCII still goes through real key presses.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QWidget


def type_text(qtbot, widget: QWidget, text: str) -> None:
    widget.setFocus()
    run = ""
    for ch in text + "\0":
        if ch != "\0" and ch.isascii():
            run += ch
            continue
        if run:
            qtbot.keyClicks(widget, run)
            run = ""
        if ch != "\0":
            event = QInputMethodEvent()
            event.setCommitString(ch)
            QCoreApplication.sendEvent(widget, event)
