"""帮助 → 使用说明: the manual opens offline in the program, with its pictures, and F1 on a tab
opens it at that tab's part."""

from __future__ import annotations

import os
import re
from pathlib import Path

from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import QFont, QTextDocument

from app.paths import resource_path
from app.ui.application import load_font
from app.ui.help_dialog import TAB_ANCHORS
from app.ui.main_window import MainWindow

SHOTS = Path(os.environ.get("DANGRI_SHOTS", "/tmp"))


def top_line(dialog) -> str:
    """The text at the top of the manual's visible part."""
    browser = dialog.browser
    return browser.cursorForPosition(QPoint(20, 10)).block().text()


def test_f1_on_the_record_tab_opens_the_manual_at_the_record_part(qtbot, demo):
    window = MainWindow(demo)
    qtbot.addWidget(window)
    window.resize(1200, 760)
    window.show()
    window.tabs.setCurrentIndex(1)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=10000)
    qtbot.keyClick(window.record_tab.editor.theme, Qt.Key.Key_F1)

    dialog = window.help_dialog
    assert dialog is not None and dialog.isVisible() and not dialog.isModal()
    assert dialog.anchor() == "record"
    qtbot.waitUntil(lambda: dialog.browser.verticalScrollBar().value() > 0, timeout=5000)
    assert top_line(dialog).startswith("记录：每次活动填一张记录表")
    dialog.setFont(QFont(load_font(), 10))  # the program's font (the test app has none)
    dialog.resize(900, 700)
    dialog.show_part("record")
    dialog.grab().save(str(SHOTS / "manual.png"))

    # On the 统计 tab F1 goes to its part; 目录 back to the top.
    window.tabs.setCurrentIndex(3)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=10000)
    qtbot.keyClick(window.tabs, Qt.Key.Key_F1)
    assert dialog.anchor() == "stats"
    assert top_line(dialog).startswith("统计：一年的情况和要提醒的人")
    # The attendance sheet has a part of its own.
    window.show_attendance(window.record_tab.editor.activity_id)
    window.manual_action.trigger()
    assert dialog.anchor() == "attendance" and top_line(dialog).startswith("考勤登记")


def test_the_manual_has_a_part_for_every_tab_and_every_picture_is_there(qtbot):
    html = resource_path("help", "manual.html").read_text(encoding="utf-8")
    anchors = set(re.findall(r'<a name="([a-z]+)">', html))
    assert set(TAB_ANCHORS) | {"attendance", "print"} <= anchors
    assert set(re.findall(r'href="#([a-z]+)"', html)) <= anchors  # the contents' links lead
    pictures = re.findall(r'<img src="([^"]+)"', html)
    assert len(pictures) == 5
    doc = QTextDocument()
    doc.setHtml(html)
    doc.setBaseUrl(QUrl.fromLocalFile(str(resource_path("help", "manual.html"))))
    for name in pictures:
        image = doc.resource(QTextDocument.ResourceType.ImageResource, QUrl(name))
        assert image is not None and not image.isNull(), name
        assert image.width() >= 800  # a picture of the whole window
