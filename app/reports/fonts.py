"""The one CJK font, embedded (subset) in every PDF so the forms print on any PC.

reportlab's built-in STSong-Light is not embedded (boxes on a PC without a Chinese font pack), so
we register the TrueType file shipped in resources/fonts/ — the same file the window loads.
"""

from __future__ import annotations

from functools import cache

from reportlab import rl_config
from reportlab.lib import textsplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import paragraph

from app.paths import font_path

FONT_NAME = "NotoSansSC"

# Chinese punctuation that must not begin a line (标点禁则: no line starts with ，or 。).
# reportlab's CJK wrapping knows the Japanese set only, so it put a full-width comma at the
# start of a line; with these added it hangs the mark at the end of the line before instead.
CANNOT_START_LINE = "，。、；：！？）》」』】〕〉”’…％·"


@cache
def register_font() -> str:
    """Register the font with reportlab once per process; returns its name for canvas/styles.

    Also teaches reportlab's CJK line breaking the Chinese marks that cannot start a line
    (reportlab reads them from module globals; nothing else in the program uses them), and
    has it write compressed streams as binary, not also ASCII85-encoded: a tenth of a large
    export's PDF time went on that encoding, and the files are a fifth larger with it."""
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(font_path())))
    rl_config.useA85 = 0
    for module in (
        textsplit,
        paragraph,
    ):  # one-fragment text wraps in textsplit, mixed in paragraph
        missing = "".join(ch for ch in CANNOT_START_LINE if ch not in module.ALL_CANNOT_START)
        module.ALL_CANNOT_START += missing
    return FONT_NAME


def missing_glyphs(text: str) -> list[str]:
    """The characters of `text` the font cannot draw (reportlab would silently drop them)."""
    font = pdfmetrics.getFont(register_font())
    widths = font.face.charWidths
    return sorted({ch for ch in text if not ch.isspace() and ord(ch) not in widths})


def hard_space(ems: float) -> str:
    """Blank room `ems` full-width characters wide (for the pen: 年 月 日, a count to fill in).
    Made of no-break spaces: reportlab collapses a run of ordinary or full-width spaces to one."""
    one = pdfmetrics.stringWidth("\u00a0", register_font(), 1000) / 1000
    return "\u00a0" * max(1, round(ems / one))
