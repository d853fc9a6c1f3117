"""Screenshots for review and the CJK font they need: set DANGRI_SHOTS to a folder to keep the
dialogs as the tests leave them (nothing is saved otherwise)."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFont

SHOTS = os.environ.get("DANGRI_SHOTS")


def shot(widget, name: str) -> None:
    if SHOTS:
        QCoreApplication.processEvents()  # the layout settles after the labels changed
        widget.grab().save(str(Path(SHOTS) / name))


def cjk_font(qapp) -> None:
    """The bundled font, so Chinese in the screenshots is not boxes (and sizes are real)."""
    from app.ui.application import load_font

    family = load_font()
    if family:
        qapp.setFont(QFont(family, 10))
