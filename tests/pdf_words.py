"""Where poppler (`pdftotext -bbox`) finds each word of a PDF, for the tests that measure a
printed layout: margins, gaps left for the pen, room for a seal."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import NamedTuple

PT_PER_MM = 72 / 25.4

_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)


class Word(NamedTuple):
    """A word's box in points from the page's top left corner, and its text."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str


def pdf_words(pdf: Path, page: int | None = None) -> list[Word]:
    """Every word poppler finds, in reading order: of one page (from 1) when `page` is given."""
    pages = ["-f", str(page), "-l", str(page)] if page is not None else []
    bbox = subprocess.run(
        ["pdftotext", "-bbox", *pages, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [
        Word(float(x0), float(y0), float(x1), float(y1), text)
        for x0, y0, x1, y1, text in _WORD.findall(bbox)
    ]
