"""The township workbook on A4: headers broken between words (never inside one), every column
just wide enough for its header lines, landscape, one page wide at a readable scale."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from app.bundle.write import export_bundle
from app.reports.township_xlsx import HEADER_LINES, SHEET_SUMMARY, SUMMARY_HEADERS
from app.reports.xlsx_cells import text_width, usable_width
from app.township.aggregate import aggregate_bundles
from tests.conftest import DEMO_TODAY, DEMO_YEAR

A4_LANDSCAPE_MM = 297
CHAR_PX, PADDING_PX = 7, 5  # an Excel column unit at the default font (Calibri 11, 96 dpi)


def test_every_header_line_fits_its_column_and_the_sheet_prints_at_a_readable_scale(
    demo: Path, tmp_path: Path
):
    bundle = export_bundle(DEMO_YEAR, tmp_path, today=DEMO_TODAY)
    out = aggregate_bundles([bundle], tmp_path / "汇总.xlsx", today=DEMO_TODAY).out_path
    wb = load_workbook(out)
    for ws in wb.worksheets:
        header_row = 2 if ws.title == SHEET_SUMMARY or ws.title == "谈话提醒名单" else 1
        for cell in ws[header_row]:
            width = ws.column_dimensions[get_column_letter(cell.column)].width
            for line in str(cell.value).split("\n"):  # Excel breaks only here
                assert text_width(line) <= usable_width(width), (ws.title, line, width)
            assert cell.alignment.wrap_text
        lines = max(str(c.value).count("\n") + 1 for c in ws[header_row])
        assert ws.row_dimensions[header_row].height >= 15 * lines  # every line shows
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1

    summary = wb[SHEET_SUMMARY]
    header = [c.value for c in summary[2]]
    assert header[SUMMARY_HEADERS.index("逾期未报送记录")] == "逾期未报送\n记录"
    assert (
        header[SUMMARY_HEADERS.index("累计未参加3次及以上（人）")]
        == "累计未参加\n3次及以上\n（人）"
    )
    assert set(HEADER_LINES) <= set(SUMMARY_HEADERS)
    # All columns on one page width: the scale Excel will choose.
    widths = [summary.column_dimensions[get_column_letter(i)].width for i in range(1, 18)]
    pixels = sum(w * CHAR_PX + PADDING_PX for w in widths)
    margins = (summary.page_margins.left + summary.page_margins.right) * 25.4
    scale = (A4_LANDSCAPE_MM - margins) / (pixels / 96 * 25.4)
    assert scale >= 0.7, scale
