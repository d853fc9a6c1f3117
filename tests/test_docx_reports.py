"""The 记录表 and the plan as Word files: every field of the form in its place, the same words
as the PDF, and the East-Asian font named on every run (python-docx does not by itself)."""

from __future__ import annotations

import datetime as dt
import re
import zipfile

import pytest
from docx import Document
from docx.oxml.ns import qn

from app import files
from app.models import Activity
from app.reports.docx_kit import BODY_FONT, TITLE_FONT
from app.reports.plan_docx import render_plan_docx
from app.reports.record_docx import render_record_docx
from app.services import plan as plans
from app.services import records
from app.services.ledger import load_year
from tests.record_helpers import (
    EXPECTED_IN_MARCH,
    NON_MEMBER,
    ON_ROLL,
    TODAY,
    build_year,
    full_record,
)

FINGERPRINT = "3F2A-91C0-7B4E-0D18"


def runs_without_east_asian_font(path) -> list[str]:
    """The text of every run in the file whose w:rFonts has no w:eastAsia."""
    doc = Document(str(path))
    body = doc.element.body
    missing = []
    for run in body.iter(qn("w:r")):
        text = "".join(t.text or "" for t in run.iter(qn("w:t")))
        if not text.strip():
            continue
        fonts = run.find(qn("w:rPr") + "/" + qn("w:rFonts"))
        if fonts is None or not fonts.get(qn("w:eastAsia")):
            missing.append(text)
    return missing


def cell_texts(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_the_record_as_word_has_every_field_of_the_form(branch, tmp_path):
    march, _ = build_year()
    records.save_record(march.id, full_record(), today=TODAY)
    data, row = records.load_record(march.id)
    out = render_record_docx(data, row, tmp_path / "记录表.docx")

    doc = Document(str(out))
    paragraphs = [p.text for p in doc.paragraphs]
    assert paragraphs[0] == "池州市党日活动记录表"
    assert paragraphs[1] == "党组织（盖章）：中共青山村支部委员会\t2026年3月5日"
    assert any(p.startswith("说明：此表一式两份") for p in paragraphs)
    form = cell_texts(doc.tables[0])
    assert form[0][:2] == ["活动主题", "学习贯彻党章，争做合格党员"]
    assert form[1][0] == "活动时间" and form[1][1].startswith("2026年3月5日\n09:00—11:30")
    assert form[1][2] == "活动地点" and form[1][3].startswith("青山村党员活动室")
    assert "形式：线上线下" in form[1][3] and "联合开展：中共县税务局机关支部委员会" in form[1][3]
    assert "活动经费：120.50元" in form[1][3]
    assert form[2][0].startswith("参加党员")
    assert form[2][1] == f"应参加党员 {EXPECTED_IN_MARCH} 人，实际参加党员 8 人（附签名）。"
    assert re.sub(r"\s", "", form[3][0]) == "活动内容"
    assert form[3][1].split("\n") == [
        "一、集中学习党章。",
        "二、交纳党费。",
        "三、通报春耕工作安排。",
    ]

    # The 签名表 on the next page: every member expected, the leave reason in 备注, the guest.
    assert "党日活动参加人员签名表" in paragraphs
    sign = cell_texts(doc.tables[1])
    assert sign[0] == ["序号", "姓名", "签名", "备注"]
    assert [r[1] for r in sign[1:]] == [name for name, _, _ in ON_ROLL]
    assert any(r[1] == "赵淑芬" and "外出务工" in r[3] for r in sign[1:])
    guests = cell_texts(doc.tables[2])
    assert guests[0][0].startswith("列席人员") and guests[2][1:4:2] == list(NON_MEMBER)
    assert doc.tables[1].rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None

    assert runs_without_east_asian_font(out) == []
    fonts = {f.get(qn("w:eastAsia")) for f in doc.element.body.iter(qn("w:rFonts"))}
    assert fonts == {BODY_FONT, TITLE_FONT}
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.left_margin.mm)) == (210, 28)


def test_the_sign_sheet_alone_and_a_blank_form(branch, tmp_path):
    march, _ = build_year()
    data, row = records.load_record(march.id)  # not held yet: a form for the pen
    sheet = Document(str(render_record_docx(data, row, tmp_path / "s.docx", sheet_only=True)))
    assert sheet.paragraphs[0].text == "党日活动参加人员签名表"
    assert cell_texts(sheet.tables[0])[0] == ["序号", "姓名", "签名", "备注"]

    form = Document(str(render_record_docx(data, row, tmp_path / "f.docx")))
    cells = cell_texts(form.tables[0])
    assert cells[1][1] == "" and "□线下" in cells[1][3]  # the way of holding it, to tick
    assert "实际参加党员" in cells[2][1]


def test_the_plan_as_word_has_its_dates_themes_and_reasons(branch, tmp_path):
    plans.create_plan(2026)
    moved = Activity.select().order_by(Activity.plan_date).first()
    moved.plan_reason = "5日为春节假期，顺延至下一个工作日"
    moved.save()
    data = load_year(2026)
    out = render_plan_docx(data, tmp_path / "计划.docx", fingerprint=FINGERPRINT)

    doc = Document(str(out))
    assert doc.paragraphs[0].text == "中共青山村支部委员会2026年度党员活动日计划安排表"
    assert "上级党组织：中共青山镇委员会" in doc.paragraphs[1].text
    rows = cell_texts(doc.tables[0])
    assert rows[0] == ["序号", "月份", "日期", "主题", "主要内容", "地点", "日期调整原因"]
    assert len(rows) == 13
    activities = sorted(data.activities, key=lambda a: a.plan_date)
    for row, a in zip(rows[1:], activities, strict=True):
        assert row[2].startswith(f"{a.plan_date.month}月{a.plan_date.day}日 周")
        assert row[3] == a.theme and row[5] == a.place
    assert rows[1][6] == "5日为春节假期，顺延至下一个工作日"
    texts = [p.text for p in doc.paragraphs]
    assert "注：全年共安排党员活动日 12 次。" in texts
    assert f"密钥指纹：{FINGERPRINT}" in texts
    assert "党组织（盖章）：中共青山村支部委员会" in texts
    assert doc.tables[0].rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    section = doc.sections[0]
    assert section.page_width > section.page_height  # A4 landscape, as the PDF
    assert runs_without_east_asian_font(out) == []

    # Filed: the date beside the seal and in the heading line.
    plans.file_plan(2026, dt.date(2026, 3, 16))
    doc = Document(str(render_plan_docx(load_year(2026), out, fingerprint=FINGERPRINT)))
    assert "报上级党组织备案：2026年3月16日" in doc.paragraphs[1].text
    assert "2026年3月16日" in [p.text for p in doc.paragraphs]
    assert zipfile.is_zipfile(out)


def test_a_word_file_open_in_word_is_said_and_left_as_it_was(branch, tmp_path, windows):
    march, _ = build_year()
    data, row = records.load_record(march.id)
    out = render_record_docx(data, row, tmp_path / "记录表.docx")
    old = out.read_bytes()
    windows.hold(out)
    with pytest.raises(files.HeldOpen) as caught:
        render_record_docx(data, row, out)
    assert "记录表" in caught.value.message and out.name in caught.value.message
    assert "Word 或 WPS 文字" in caught.value.message
    assert out.read_bytes() == old
