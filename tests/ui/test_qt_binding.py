"""The installed Qt binding keeps Python's reference counts: PySide6 6.12.0 on Python 3.11 lost
one reference to None on every call of a void Qt method and one to True/False on every signal
emission, so a secretary typing a long 活动内容 ended the program ("deallocating None"). Few
enough calls here to detect the fault without reaching the crash."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QPlainTextEdit

CALLS = 300


class _Emitter(QObject):
    changed = Signal()


def test_void_qt_calls_and_signals_keep_the_reference_counts_of_none_and_bools(qtbot):
    box = QPlainTextEdit()
    qtbot.addWidget(box)
    seen: list[int] = []
    box.textChanged.connect(lambda: seen.append(1))
    emitter = _Emitter()
    emitter.changed.connect(lambda: seen.append(2))

    before = sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False)
    for _ in range(CALLS):
        box.insertPlainText("字")  # void; emits textChanged
        emitter.changed.emit()
        box.setReadOnly(False)  # void, with a bool
    after = sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False)

    assert len(seen) == 2 * CALLS and box.toPlainText() == "字" * CALLS
    lost = [b - a for b, a in zip(before, after, strict=True)]
    assert max(lost) < CALLS // 10, f"references lost per {CALLS} calls (None, True, False): {lost}"
