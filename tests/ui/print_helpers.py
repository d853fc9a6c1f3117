"""Printing in tests: a `present` that prints from the preview to a PDF file, and the text of
the pages printed."""

from __future__ import annotations

import os
import re
from pathlib import Path

from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewWidget

from app.ui import printing

SHOTS = Path(os.environ.get("DANGRI_SHOTS", "/tmp"))


def pdf_printer(out: Path, pages: tuple[int, int] | None = None, shot: str = ""):
    """A `present` that prints from the preview to `out` as a PDF printer would (the pages
    `pages` only, when given), after taking a picture of the preview when `shot` is named."""

    def present(dialog) -> int:
        if shot:
            dialog.show()
            dialog.findChild(QPrintPreviewWidget).fitInView()
            dialog.grab().save(str(SHOTS / shot))
        printer = dialog.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        if pages:
            printer.setPrintRange(QPrinter.PrintRange.PageRange)
            printer.setFromTo(*pages)
        return printing.print_from_preview(dialog)

    return present


def texts(pdf: Path) -> list[str]:
    return [re.sub(r"\s+", "", p.extract_text()) for p in PdfReader(str(pdf)).pages]
