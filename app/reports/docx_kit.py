"""Word files (.docx) as a Chinese office expects them, for `record_docx` and `plan_docx`.

python-docx sets only the Latin font of a run (w:ascii, w:hAnsi); Word and WPS draw Chinese with
the East-Asian font (w:eastAsia), which stays the template's 等线/Calibri fallback unless set.
Every run written here names both: 宋体 for text, 黑体 for titles (fonts every Windows and WPS
have), so a form opened on another PC looks the same. Files go to their place through
`files.replacing()` (docs/windows.md).
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from app import files

BODY_FONT = "宋体"
TITLE_FONT = "黑体"
LATIN_FONT = "Times New Roman"
A4_MM = (210, 297)
CENTER = WD_ALIGN_PARAGRAPH.CENTER
RIGHT = WD_ALIGN_PARAGRAPH.RIGHT
LEFT = WD_ALIGN_PARAGRAPH.LEFT


def set_fonts(element, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Name the Latin and the East-Asian font on a run's or a style's w:rPr."""
    fonts = element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


def new_document(
    *, landscape: bool = False, margins_mm: tuple[float, float, float, float] = (20, 18, 18, 28)
) -> DocumentType:
    """An A4 document (margins top, right, bottom, left in mm) whose Normal style is 宋体."""
    doc = Document()
    section = doc.sections[0]
    width, height = A4_MM if not landscape else A4_MM[::-1]
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(width), Mm(height)
    top, right, bottom, left = margins_mm
    section.top_margin, section.right_margin = Mm(top), Mm(right)
    section.bottom_margin, section.left_margin = Mm(bottom), Mm(left)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10.5)
    set_fonts(normal.element, BODY_FONT)
    return doc


def text_width_mm(doc: DocumentType) -> float:
    section = doc.sections[0]
    return (section.page_width - section.left_margin - section.right_margin) / Mm(1)


def add_run(
    paragraph: Paragraph, text: str, *, size: float = 10.5, bold: bool = False, font: str = ""
) -> Run:
    """`text` in one run with both fonts set; a newline becomes a line break."""
    run = paragraph.add_run()
    for i, line in enumerate(text.split("\n")):
        if i:
            run.add_break()
        run.add_text(line)
    run.font.size = Pt(size)
    run.font.bold = bold or None
    set_fonts(run._element, font or BODY_FONT)
    return run


def add_paragraph(
    doc_or_cell,
    text: str = "",
    *,
    size: float = 10.5,
    bold: bool = False,
    font: str = "",
    align=None,
    before: float = 0,
    after: float = 0,
) -> Paragraph:
    """A paragraph (in the document or a table cell) holding `text`."""
    paragraph = doc_or_cell.add_paragraph()
    if text:
        add_run(paragraph, text, size=size, bold=bold, font=font)
    paragraph.alignment = align
    paragraph.paragraph_format.space_before = Pt(before)
    paragraph.paragraph_format.space_after = Pt(after)
    return paragraph


def title(doc: DocumentType, text: str, size: float, *, after: float = 6) -> Paragraph:
    return add_paragraph(doc, text, size=size, font=TITLE_FONT, align=CENTER, after=after)


def page_break(doc: DocumentType) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def table(doc: DocumentType, rows: int, widths_mm: list[float] | tuple[float, ...]) -> Table:
    """A grid of `rows` rows with fixed column widths (Word keeps each cell's width)."""
    grid = doc.add_table(rows=rows, cols=len(widths_mm))
    grid.style = "Table Grid"
    grid.autofit = False
    for column, width in zip(grid.columns, widths_mm, strict=True):
        column.width = Mm(width)  # w:gridCol, which LibreOffice and WPS lay out by
    for row in grid.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)
    return grid


def fill(
    cell: _Cell,
    text: str,
    *,
    size: float = 10.5,
    align=LEFT,
    bold: bool = False,
    small: str = "",
    middle: bool = True,
) -> _Cell:
    """Write `text` into an empty cell (and `small`, in smaller type, under it)."""
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    if text:
        add_run(paragraph, text, size=size, bold=bold)
    if small:
        add_paragraph(cell, small, size=size - 1.5, align=align)
    cell.vertical_alignment = (
        WD_CELL_VERTICAL_ALIGNMENT.CENTER if middle else WD_CELL_VERTICAL_ALIGNMENT.TOP
    )
    return cell


def at_least(row: _Row, height_mm: float) -> None:
    row.height = Mm(height_mm)
    row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST


def repeat_as_header(row: _Row) -> None:
    """The row repeats at the top of every page the table reaches (w:tblHeader)."""
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)


def shade(row: _Row, fill_hex: str = "EEEEEE") -> None:
    for cell in row.cells:
        shading = OxmlElement("w:shd")
        shading.set(qn("w:val"), "clear")
        shading.set(qn("w:color"), "auto")
        shading.set(qn("w:fill"), fill_hex)
        cell._tc.get_or_add_tcPr().append(shading)


def save(doc: DocumentType, out: Path, what: str) -> Path:
    out = Path(out)
    with files.replacing(out, what=what) as tmp:
        doc.save(str(tmp))
    return out
