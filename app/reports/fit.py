"""Stored text of any length in a box of the printed forms (docs/formats.md "Bounds"): a theme,
place or reason typed before lengths were limited, or carried in from elsewhere, still prints.
The text wraps; when it would not fit the box it is set smaller (down to MIN_SIZE points), and
only past that is it cut, saying how many characters the ledger holds. A table row taller than a
page is what made reportlab give up (LayoutError) on a 550-character theme."""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph

from app.services.text_rules import printable

MIN_SIZE = 6.0  # points: still legible on paper
_SHRINK = 0.85


def paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    """`text` as a Paragraph: characters text_rules forbids dropped (stored before the rules),
    markup characters escaped, line breaks kept."""
    return Paragraph(escape(printable(text)).replace("\n", "<br/>"), style)


# How much narrower than its box a one-line text must be: a text right at the edge is left to
# Paragraph, whose line breaking decides it.
_LINE_SLACK = 0.5


def is_one_line(text: str, style: ParagraphStyle, width: float) -> bool:
    """Whether a Paragraph of `style` would set `text` as one line in `width` just as it is
    (no space to collapse, nothing text_rules drops, no indent): such a text can go into a
    table cell as a plain string drawn in the style's font, size and leading, where it sits
    exactly where the Paragraph would, without parsing markup or breaking lines."""
    if style.leftIndent or style.rightIndent or style.firstLineIndent:
        return False
    if any(ch.isspace() for ch in text) or printable(text) != text:
        return False
    return stringWidth(text, style.fontName, style.fontSize) <= width - _LINE_SLACK


def _height(text: str, style: ParagraphStyle, width: float) -> float:
    return paragraph(text, style).wrap(width, 1e9)[1]


def _smaller(style: ParagraphStyle, size: float) -> ParagraphStyle:
    scale = size / style.fontSize
    return ParagraphStyle(
        f"{style.name}@{size:.2f}",
        style,
        fontSize=size,
        leading=style.leading * scale,
        firstLineIndent=style.firstLineIndent * scale,
    )


def cut_text(text: str, keep: int) -> str:
    """The first `keep` characters and a note of what was left out."""
    return f"{text[:keep]}……（共{len(text)}字，余下从略，全文见台账）"


def _capacity(style: ParagraphStyle, width: float, height: float) -> int:
    """More characters than the box can ever hold in `style` (counting every glyph as narrow as
    a Latin letter): a longer text is known not to fit without wrapping it."""
    per_line = max(1, int(width / (style.fontSize * 0.5)))
    return per_line * max(1, int(height / max(style.leading, 1)))


def _fits(text: str, style: ParagraphStyle, width: float, height: float) -> bool:
    return len(text) <= _capacity(style, width, height) and _height(text, style, width) <= height


def fitted(
    text: str, style: ParagraphStyle, width: float, height: float, *, min_size: float = MIN_SIZE
) -> Paragraph:
    """A Paragraph of `text` no taller than `height` when wrapped at `width`: as it is when it
    fits, else in a smaller size, else (at `min_size`) cut with `cut_text`. A text far too long
    for the box costs a few short wraps, not many of the whole text."""
    if _fits(text, style, width, height):
        return paragraph(text, style)
    size = style.fontSize
    smaller = style
    while size > min_size:
        size = max(min_size, size * _SHRINK)
        smaller = _smaller(style, size)
        if _fits(text, smaller, width, height):
            return paragraph(text, smaller)
    # Binary search for the longest head that fits, below what the box can ever hold.
    lo, hi = 0, min(len(text), _capacity(smaller, width, height))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if _height(cut_text(text, mid), smaller, width) <= height:
            lo = mid
        else:
            hi = mid - 1
    return paragraph(cut_text(text, lo), smaller)
