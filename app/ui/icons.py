"""Icons from qtawesome, loaded when first drawn.

Importing qtawesome costs about a quarter of a second (it loads qtpy and its fonts); the window's
first paint shows no icon, so `icon()` hands out a QIcon whose engine imports qtawesome only when
Qt first asks it for pixels — a menu opened, a dialog shown, the tab icons set after first paint.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QIcon, QIconEngine, QPainter, QPixmap


class _LazyEngine(QIconEngine):
    def __init__(self, name: str, options: dict[str, Any]):
        super().__init__()
        self.name = name
        self.options = options
        self._icon: QIcon | None = None

    def _real(self) -> QIcon:
        if self._icon is None:
            import qtawesome

            self._icon = qtawesome.icon(self.name, **self.options)
        return self._icon

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        self._real().paint(painter, rect, Qt.AlignmentFlag.AlignCenter, mode, state)

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self._real().pixmap(size, mode, state)

    def clone(self) -> QIconEngine:
        return _LazyEngine(self.name, self.options)


def icon(name: str, **options: Any) -> QIcon:
    """`qtawesome.icon(name, **options)`, imported on first use."""
    return QIcon(_LazyEngine(name, options))
