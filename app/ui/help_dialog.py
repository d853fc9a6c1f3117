"""帮助 → 使用说明: the manual (resources/help/manual.html, with pictures of each tab) in a
window of its own, offline; F1 opens it at the part about the tab on view.

The pictures are made by resources/help/make_pictures.py from the demo branch.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QTextBrowser, QVBoxLayout, QWidget

from app.paths import resource_path
from app.ui.dialog_kit import actions_and_close, button, start_size

TEXT = {
    "title": "使用说明",
    "missing": "<p>找不到使用说明文件（{path}）。请重新安装本程序。</p>",
    "contents": "目录",
}

# The manual's part (its anchor) for each tab of the main window, in the tabs' order.
TAB_ANCHORS = ("plan", "record", "roster", "stats")


def manual_url(anchor: str = "") -> QUrl:
    url = QUrl.fromLocalFile(str(resource_path("help", "manual.html")))
    if anchor:
        url.setFragment(anchor)
    return url


class HelpDialog(QDialog):
    """The manual; `show_part(anchor)` brings it up at one part. Not modal: the secretary can
    read a step and do it in the main window."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(TEXT["title"])
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(True)
        self.browser.setOpenExternalLinks(False)
        self.browser.anchorClicked.connect(self._link)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        contents = button(TEXT["contents"], lambda: self.show_part(""))
        layout.addWidget(actions_and_close(self, [contents]))
        start_size(self, 860, 700)

    def show_part(self, anchor: str) -> None:
        """Show the manual at `anchor` ("" for the top), and raise the window."""
        path = resource_path("help", "manual.html")
        if not path.exists():
            self.browser.setHtml(TEXT["missing"].format(path=path))
        else:
            url = manual_url(anchor)
            if self.browser.source() == url:  # F1 again after scrolling away
                self.browser.scrollToAnchor(anchor)
            else:
                self.browser.setSource(url)
            if not anchor:
                self.browser.verticalScrollBar().setValue(0)
        self.show()
        self.raise_()
        self.activateWindow()

    def _link(self, url: QUrl) -> None:
        """Links outside the manual (none today) open in the system's browser."""
        if not url.isLocalFile() and url.scheme() not in ("", "file"):
            QDesktopServices.openUrl(url)

    def anchor(self) -> str:
        return self.browser.source().fragment()
