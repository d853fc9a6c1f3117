"""One way to print or save everything the program prints (the plan, the 记录表, the 签名表, the
statistics): 打印… shows the system's print dialog with a preview and prints; 另存为PDF… and
另存为Word… ask where (Documents first) and write the file there.

Each printable thing is one of our reportlab PDFs (app/reports). For 打印… it is written into
<data dir>/tmp and its pages are drawn by QtPdf, page by page, into the QPrinter the preview
dialog prints on; the temporary copy goes when the dialog closes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QMarginsF, QObject, QRectF, QSize, QSizeF, Signal
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPaintEngine, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog, QPrintPreviewWidget
from PySide6.QtWidgets import QDialog, QPushButton, QWidget

from app import files
from app.errors import UserError
from app.paths import temp_dir
from app.ui.desktop import choose_save_path
from app.ui.dialog_kit import progress_bar
from app.ui.icons import icon
from app.ui.workers import run_in_background

TEXT = {
    "print": "打印…",
    "print_tip": "先看打印预览，再选打印机打印",
    "save_pdf": "另存为PDF…",
    "save_pdf_tip": "保存为 PDF 文件（可发给上级、用U盘带走，在别的电脑上打印）",
    "save_word": "另存为Word…",
    "save_word_tip": "保存为 Word 文件（.docx），可以在 Word 或 WPS 里修改",
    "preview_title": "打印预览 — {title}",
    "pdf_filter": "PDF 文件 (*.pdf)",
    "word_filter": "Word 文档 (*.docx)",
    "ask_pdf": "另存为PDF",
    "ask_word": "另存为Word",
    "preparing": "正在准备打印…",
    "writing": "正在保存…",
    "printed": "已送往打印机：{title}",
    "print_cancelled": "",
    "saved": "已保存：{path}",
    "failed": "没有完成：{error}",
    "unreadable": "打印用的 PDF 读不出来（{status}），请再试一次。",
}

PRINT_DPI = 300  # page images for paper: sharp text without a 1200-dpi image per page
PREVIEW_DPI = 150  # the preview is looked at on a screen


@dataclass
class Printable:
    """One thing to print or save: its name and how to write it (off the UI thread)."""

    title: str  # the print job's name and the preview's title
    stem: str  # the file name offered to 另存为, without suffix (already a safe stem)
    write_pdf: Callable[[Path], Path]
    write_docx: Callable[[Path], Path] | None = None
    note: str = ""  # said once it is written (characters the font cannot draw)


def exec_dialog(dialog: QDialog) -> int:
    return dialog.exec()


def _page_layout(document: QPdfDocument) -> QPageLayout:
    """The printer's first page as the PDF's: A4 portrait for the 记录表, landscape for the plan
    and the statistics; no margins, the PDF brings its own."""
    points = document.pagePointSize(0)
    landscape = points.width() > points.height()
    upright = QSizeF(min(points.width(), points.height()), max(points.width(), points.height()))
    size_id = QPageSize.id(upright, QPageSize.Unit.Point, QPageSize.SizeMatchPolicy.FuzzyMatch)
    page = (
        QPageSize(size_id)
        if size_id != QPageSize.PageSizeId.Custom
        else QPageSize(upright, QPageSize.Unit.Point)
    )
    orientation = (
        QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
    )
    return QPageLayout(page, orientation, QMarginsF(0, 0, 0, 0))


def _pages(document: QPdfDocument, printer: QPrinter) -> list[int]:
    """The page numbers (0-based) the print dialog asked for: all, or 从 … 到 …."""
    count = document.pageCount()
    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        first, last = printer.fromPage(), printer.toPage() or count
        return list(range(first - 1, min(last, count)))
    return list(range(count))


def _page_image(document: QPdfDocument, index: int, dpi: int) -> QImage:
    """One page drawn on white paper (QtPdf leaves the paper transparent)."""
    points = document.pagePointSize(index)
    size = QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72))
    ink = document.render(index, size)
    paper = QImage(size, QImage.Format.Format_RGB32)
    paper.fill(QColor("white"))
    painter = QPainter(paper)
    painter.drawImage(0, 0, ink)
    painter.end()
    return paper


def paint_pdf(document: QPdfDocument, printer: QPrinter) -> int:
    """Draw the PDF's pages into `printer`, each scaled to fit its paper and centred; returns the
    number of pages drawn. Used for the preview as for the printer itself."""
    painter = QPainter()
    if not painter.begin(printer):
        return 0
    preview = painter.paintEngine().type() == QPaintEngine.Type.Picture
    dpi = min(printer.resolution(), PREVIEW_DPI if preview else PRINT_DPI)
    copies = 1 if printer.supportsMultipleCopies() else max(1, printer.copyCount())
    pages = _pages(document, printer) * copies
    try:
        for n, index in enumerate(pages):
            if n:
                printer.newPage()
            paper = QRectF(printer.paperRect(QPrinter.Unit.DevicePixel))
            paper.moveTo(0, 0)  # full-page mode: the painter starts at the paper's corner
            image = _page_image(document, index, dpi)
            scale = min(paper.width() / image.width(), paper.height() / image.height())
            target = QRectF(0, 0, image.width() * scale, image.height() * scale)
            target.moveCenter(paper.center())
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(target, image)
    finally:
        painter.end()
    return len(pages)


def _is_pdf_file(printer: QPrinter) -> bool:
    return printer.outputFormat() == QPrinter.OutputFormat.PdfFormat and bool(
        printer.outputFileName()
    )


def print_pdf(
    parent: QWidget | None,
    pdf: Path,
    title: str,
    *,
    present: Callable[[QDialog], int] = exec_dialog,
) -> bool:
    """Show `pdf` in the print preview; True when it was printed. `present` runs the dialog
    (the tests print from it without a modal dialog)."""
    document = QPdfDocument()
    document.load(str(pdf))
    if document.status() != QPdfDocument.Status.Ready or document.pageCount() == 0:
        raise RuntimeError(TEXT["unreadable"].format(status=document.error().name))
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    printer.setFullPage(True)
    printer.setPageLayout(_page_layout(document))
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.setWindowTitle(TEXT["preview_title"].format(title=title))
    dialog.resize(1000, 760)
    dialog.paintRequested.connect(lambda target: paint_pdf(document, target))
    try:
        printed = present(dialog) == QDialog.DialogCode.Accepted
    finally:
        dialog.deleteLater()
    if printed and _is_pdf_file(printer) and printer.printRange() == QPrinter.PrintRange.AllPages:
        # Printed to a PDF file (Qt's 打印到文件): the original, with its text and sharp lines,
        # rather than the page images a paper printer gets.
        files.copy_file(pdf, Path(printer.outputFileName()), what="PDF 文件")
    return printed


def print_from_preview(dialog: QDialog) -> int:
    """What the preview's 打印 button does once a printer is chosen: print, close accepted.
    (For a `present` that chose its printer already, such as the tests' PDF file.)"""
    dialog.findChild(QPrintPreviewWidget).print()
    dialog.accept()
    return QDialog.DialogCode.Accepted


class PrintActions(QObject):
    """The 打印… / 另存为PDF… / 另存为Word… buttons of one tab.

    `source()` returns what to print now (reading the database on the UI thread), or None when
    there is nothing (a record that could not be saved). The PDF or .docx is written off the UI
    thread; `report(text)` tells the tab what happened; `finished` carries the file written
    (or "" when printing was cancelled or failed)."""

    finished = Signal(str)

    def __init__(
        self,
        parent: QWidget,
        data_dir: Callable[[], Path],
        source: Callable[[], Printable | None],
        report: Callable[[str], None],
        *,
        word: bool = True,
    ):
        super().__init__(parent)
        self.parent_widget = parent
        self.data_dir, self.source, self.report = data_dir, source, report
        self.present: Callable[[QDialog], int] = exec_dialog  # tests: print without a dialog
        self.ask_path = choose_save_path  # tests: a path without the file dialog
        self._worker = None
        self.busy = False  # a file is being written
        self._scratch: contextlib.ExitStack | None = None
        self.print_button = self._button("print", "fa5s.print", self.print_)
        self.pdf_button = self._button("save_pdf", "fa5s.file-pdf", self.save_pdf_as)
        self.word_button = self._button("save_word", "fa5s.file-word", self.save_word_as)
        self.word_button.setVisible(word)
        self.progress = progress_bar(busy=True, width=100)
        self.buttons: list[QWidget] = [self.progress, self.print_button, self.pdf_button]
        if word:
            self.buttons.append(self.word_button)

    def _button(self, key: str, icon_name: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(icon(icon_name), TEXT[key])
        button.setToolTip(TEXT[f"{key}_tip"])
        button.clicked.connect(slot)
        return button

    def set_enabled(self, enabled: bool) -> None:
        for button in (self.print_button, self.pdf_button, self.word_button):
            button.setEnabled(enabled)

    def _busy(self, busy: bool) -> None:
        self.busy = busy
        self.progress.setVisible(busy)
        self.set_enabled(not busy)

    # --- 打印… -----------------------------------------------------------------------------------
    def print_(self) -> None:
        item = self.source()
        if item is None:
            return
        stack = contextlib.ExitStack()
        folder = stack.enter_context(files.scratch_folder(temp_dir(self.data_dir()), "print"))
        self._scratch = stack
        out = folder / f"{item.stem}.pdf"
        self._start(
            TEXT["preparing"], lambda _p: item.write_pdf(out), lambda p: self._show(item, p)
        )

    def _show(self, item: Printable, pdf: Path) -> None:
        self._busy(False)
        self.report("")
        try:
            printed = print_pdf(self.parent_widget, Path(pdf), item.title, present=self.present)
        except (RuntimeError, OSError, UserError) as err:  # UserError: the PDF file held open
            self._failed(str(err))
            return
        finally:
            self._drop_scratch()
        text = TEXT["printed"].format(title=item.title) if printed else TEXT["print_cancelled"]
        self.report("\n".join(t for t in (text, item.note) if t))
        self.finished.emit(str(pdf) if printed else "")

    def _drop_scratch(self) -> None:
        if self._scratch is not None:
            self._scratch.close()
            self._scratch = None

    # --- 另存为… ---------------------------------------------------------------------------------
    def save_pdf_as(self) -> None:
        self._save_as(".pdf", "ask_pdf", "pdf_filter", lambda item: item.write_pdf)

    def save_word_as(self) -> None:
        self._save_as(".docx", "ask_word", "word_filter", lambda item: item.write_docx)

    def _save_as(self, suffix: str, title_key: str, filter_key: str, writer_of) -> None:
        item = self.source()
        if item is None or writer_of(item) is None:
            return
        path = save_path(self.parent_widget, item, suffix, title_key, filter_key, self.ask_path)
        if path is None:
            return
        write = writer_of(item)

        def done(result: object) -> None:
            self._busy(False)
            self.report("\n".join(t for t in (TEXT["saved"].format(path=result), item.note) if t))
            self.finished.emit(str(result))

        self._start(TEXT["writing"], lambda _p: write(path), done)

    # --- shared --------------------------------------------------------------------------------
    def _start(self, text: str, work, done: Callable[[object], None]) -> None:
        self._busy(True)
        self.report(text)
        self._worker = run_in_background(work, done, self._failed)

    def _failed(self, error: str) -> None:
        self._drop_scratch()
        self._busy(False)
        self.report(TEXT["failed"].format(error=error))
        self.finished.emit("")


def save_path(
    parent: QWidget | None,
    item: Printable,
    suffix: str,
    title_key: str = "ask_pdf",
    filter_key: str = "pdf_filter",
    ask=choose_save_path,
) -> Path | None:
    """Ask where to save `item` (Documents first, its safe stem as the name); None: cancelled."""
    return ask(parent, TEXT[title_key], item.stem + suffix, TEXT[filter_key], suffix)


def save_pdf_as(parent: QWidget | None, item: Printable, ask=choose_save_path) -> Path | None:
    """Ask where to save the PDF of `item`; None when cancelled."""
    return save_path(parent, item, ".pdf", "ask_pdf", "pdf_filter", ask)
