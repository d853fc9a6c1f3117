"""打印… and 另存为PDF… on the 记录, 计划 and 统计 tabs: the print preview paints our PDF's
pages into the printer (QtPdf), and a PDF printer's file holds the form's text.

The preview dialog is not run modally: each test gives `present`, which does what the
secretary does in it (choose a printer, click 打印) on a QPrinter printing to a PDF file."""

from __future__ import annotations

import io

from PIL import Image, ImageChops, ImageStat
from pypdf import PdfReader
from PySide6.QtCore import QSize, Qt
from PySide6.QtPdf import QPdfDocument

from app.paths import temp_dir
from app.ui import printing
from app.ui.state import AppState
from tests.conftest import DEMO_TODAY, DEMO_YEAR
from tests.record_helpers import build_year
from tests.ui.print_helpers import SHOTS, pdf_printer, texts
from tests.ui.test_record_tab import make_tab
from tests.ui.test_stats_tab import shown_stats_tab
from tests.ui.typing import type_text

CLICK = Qt.MouseButton.LeftButton


def march_editor(qtbot, data_dir):
    """The 记录 tab shown with March's record open (tests/record_helpers.py); its editor."""
    march, _ = build_year()
    tab = make_tab(qtbot, data_dir)
    tab.select_activity(march.id)
    return tab.editor


def test_printing_the_record_goes_through_the_preview_to_the_printer(
    qtbot, branch, data_dir, tmp_path, monkeypatch
):
    e = march_editor(qtbot, data_dir)
    type_text(qtbot, e.theme, "（扩大会议）")
    assert e.two_copies.isChecked() and e.print_what.currentIndex() == 0
    out = tmp_path / "printed.pdf"
    painted = []
    real_paint = printing.paint_pdf
    e.printing.present = pdf_printer(out, shot="print_preview.png")
    monkeypatch.setattr(
        printing, "paint_pdf", lambda doc, printer: painted.append(real_paint(doc, printer))
    )
    with qtbot.waitSignal(e.printing.finished, timeout=30000):
        qtbot.mouseClick(e.print_button, CLICK)  # unsaved edits are saved first

    # The preview drew the four pages (form and 签名表, twice), and so did the printer.
    assert painted[-1] == 4 and len(painted) >= 2
    pages = texts(out)
    assert len(pages) == 4
    assert "学习贯彻党章（扩大会议）" in pages[0] and "活动主题" in pages[0]
    for label in ("活动时间", "活动地点", "参加党员", "说明：此表一式两份"):
        assert label in pages[0]
    assert "应参加党员10人" in pages[0] and "支部留存" in pages[0]
    assert "党日活动参加人员签名表" in pages[1] and "欧阳明月" in pages[1]
    assert "报上级党组织" in pages[2].replace("报上级党组织一份", "")
    assert e.message.text().startswith("已送往打印机") and e.print_button.isEnabled()
    # The copy written for printing is gone once the dialog is closed.
    assert not any(temp_dir(data_dir).glob("print-*"))
    assert (SHOTS / "print_preview.png").stat().st_size > 10_000


def test_a_printer_gets_each_page_as_the_pdf_draws_it(qtbot, branch, data_dir, tmp_path):
    """A paper printer (here a page range, which a PDF file printer also gets as pages drawn)
    receives page images whose ink is where the PDF's is."""
    e = march_editor(qtbot, data_dir)
    e.print_what.setCurrentIndex(1)  # the 签名表 alone, before the activity
    e.two_copies.setChecked(False)
    out = tmp_path / "page1.pdf"
    e.printing.present = pdf_printer(out, pages=(1, 1))
    with qtbot.waitSignal(e.printing.finished, timeout=30000):
        qtbot.mouseClick(e.print_button, CLICK)

    reader = PdfReader(str(out))
    assert len(reader.pages) == 1
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert abs(width - 595) < 2 and abs(height - 842) < 2  # A4 portrait, as the form
    printed = Image.open(io.BytesIO(reader.pages[0].images[0].data)).convert("L")

    # The same page drawn from the form's own PDF at the printed image's size.
    source = tmp_path / "sheet.pdf"
    e.printable().write_pdf(source)
    document = QPdfDocument()
    document.load(str(source))
    assert document.pageCount() == 1
    expected = printing._page_image(document, 0, 150).scaled(QSize(*printed.size))
    assert expected.save(str(tmp_path / "expected.png"))
    reference = Image.open(tmp_path / "expected.png").convert("L")
    difference = ImageStat.Stat(ImageChops.difference(printed, reference)).mean[0]
    ink = 255 - ImageStat.Stat(printed).mean[0]
    assert ink > 3  # the page is not blank
    assert difference < 12  # and it is this page


def test_save_as_pdf_asks_where_and_writes_the_file_there(qtbot, branch, data_dir, tmp_path):
    e = march_editor(qtbot, data_dir)
    asked = []
    out = tmp_path / "chosen.pdf"
    e.printing.ask_path = lambda _p, title, name, _f, suffix: asked.append((title, name)) or out
    with qtbot.waitSignal(e.printing.finished, timeout=30000) as blocker:
        qtbot.mouseClick(e.printing.pdf_button, CLICK)
    assert asked == [("另存为PDF", "2026-03-05-学习贯彻党章-记录表.pdf")]
    assert blocker.args == [str(out)]
    assert "活动主题" in texts(out)[0]
    assert e.message.text() == f"已保存：{out}"
    assert not (data_dir / "记录表").exists()  # nothing in the hidden data folder any more

    # Cancelled: nothing written, nothing said.
    e.printing.ask_path = lambda *_: None
    qtbot.mouseClick(e.printing.pdf_button, CLICK)
    assert not e.printing.busy


def test_the_statistics_print_as_a_pdf(qtbot, demo, tmp_path):
    tab = shown_stats_tab(qtbot, demo, DEMO_YEAR, DEMO_TODAY)
    out = tmp_path / "stats.pdf"
    tab.printing.present = pdf_printer(out)
    with qtbot.waitSignal(tab.printing.finished, timeout=30000):
        qtbot.mouseClick(tab.printing.print_button, CLICK)
    pages = texts(out)
    first = pages[0]
    assert f"{DEMO_YEAR}年党员活动日统计" in first
    assert "一、党员参加情况" in first and "王建国" in first
    assert "三、活动情况" in "".join(pages)
    assert "按时报送" in pages[-1] and "逾期未报送" in "".join(pages)  # rule 7, as the workbook
    assert tab.print_message.text().startswith("已送往打印机")


def test_save_as_word_beside_the_pdf_on_the_record_and_plan_tabs(qtbot, branch, data_dir, tmp_path):
    from docx import Document

    from app.ui.plan_tab import PlanTab

    e = march_editor(qtbot, data_dir)
    assert e.printing.word_button.isVisible()
    asked = []
    out = tmp_path / "form.docx"
    e.printing.ask_path = lambda _p, title, name, filt, _s: asked.append((title, name, filt)) or out
    with qtbot.waitSignal(e.printing.finished, timeout=30000):
        qtbot.mouseClick(e.printing.word_button, CLICK)
    assert asked == [("另存为Word", "2026-03-05-学习贯彻党章-记录表.docx", "Word 文档 (*.docx)")]
    assert Document(str(out)).tables[0].rows[0].cells[1].text == "学习贯彻党章"
    assert e.message.text() == f"已保存：{out}"

    state = AppState(data_dir)
    state.year = 2026
    plan_tab = PlanTab(state)
    qtbot.addWidget(plan_tab)
    plan_tab.show()
    out = tmp_path / "plan.docx"
    plan_tab.printing.ask_path = lambda *_: out
    with qtbot.waitSignal(plan_tab.printing.finished, timeout=30000):
        qtbot.mouseClick(plan_tab.printing.word_button, CLICK)
    doc = Document(str(out))
    assert doc.paragraphs[0].text == "中共青山村支部委员会2026年度党员活动日计划安排表"
    assert [row.cells[3].text for row in doc.tables[0].rows] == ["主题", "学习贯彻党章", "清明祭扫"]


def test_printing_to_a_pdf_file_open_in_the_reader_says_so(
    qtbot, branch, data_dir, tmp_path, windows
):
    e = march_editor(qtbot, data_dir)
    out = tmp_path / "已打开.pdf"
    out.write_bytes(b"%PDF-1.4 an old copy")
    windows.hold(out)
    e.printing.present = pdf_printer(out)
    with qtbot.waitSignal(e.printing.finished, timeout=30000) as blocker:
        qtbot.mouseClick(e.print_button, CLICK)
    assert blocker.args == [""]
    assert "正被PDF 阅读器" in e.message.text() and "无法覆盖" in e.message.text()
    assert e.print_button.isEnabled()
    assert not any(temp_dir(data_dir).glob("print-*"))  # the copy for printing is gone
