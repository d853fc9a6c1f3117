"""The one CJK font, embedded (subset) in every PDF so the forms print on any PC.

reportlab's built-in STSong-Light is not embedded (boxes on a PC without a Chinese font pack), so
we register the TrueType file shipped in resources/fonts/ — the same file the window loads.
"""

from __future__ import annotations

from functools import cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from app.paths import font_path

FONT_NAME = "NotoSansSC"


@cache
def register_font() -> str:
    """Register the font with reportlab once per process; returns its name for canvas/styles."""
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(font_path())))
    return FONT_NAME


def missing_glyphs(text: str) -> list[str]:
    """The characters of `text` the font cannot draw (reportlab would silently drop them)."""
    font = pdfmetrics.getFont(register_font())
    widths = font.face.charWidths
    return sorted({ch for ch in text if not ch.isspace() and ord(ch) not in widths})
