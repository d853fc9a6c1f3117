"""The plan PDF (rule 6): every entry with its reason, the branch, date and seal space; the CJK
font embedded as a subset; long text wrapped inside the page, never running off it."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

from pypdf import PdfReader

from app.cli import main
from app.models import Activity, vocab
from app.reports.plan_pdf import render_plan_pdf
from app.services import plan as plans
from app.services.ledger import load_year
from tests.pdf_words import pdf_words

LONG_CONTENT = (
    "组织全体党员集中学习党章党规和习近平总书记关于基层治理的重要讲话精神，"
    "逐段领学并开展交流研讨；随后通报本村人居环境整治和乡村振兴项目进展，"
    "听取党员和群众代表意见，民主讨论下一步工作安排；最后集中交纳党费。"
)
RARE_PLACE = "堃嵘村犇湾党员活动室"  # rare characters of the kind found in village names


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def column_text(pdf: Path, left_mm: float, right_mm: float) -> str:
    """The text inside one table column, lines joined: a wrapped cell reads as one string."""
    pt = 72 / 25.4
    inside = [w for w in pdf_words(pdf) if left_mm * pt <= w.x0 and w.x1 <= right_mm * pt]
    return "".join(w.text for w in sorted(inside, key=lambda w: (w.y0, w.x0)))


def test_plan_pdf_lists_every_entry_with_reasons_and_embeds_the_font(branch, tmp_path: Path):
    plans.create_plan(2026)
    first = Activity.select().order_by(Activity.plan_date).first()
    plans.update_plan_entry(
        first.id,
        plans.PlanEntry(
            plan_date=first.plan_date,
            theme=first.theme,
            categories=[vocab.CATEGORY_STUDY, vocab.CATEGORY_DISCUSSION],
            planned_content=LONG_CONTENT,
            place=RARE_PLACE,
        ),
    )
    data = load_year(2026)
    out = render_plan_pdf(data, tmp_path / "plan.pdf", made_on=dt.date(2026, 1, 20))

    reader = PdfReader(out)
    assert len(reader.pages) <= 2  # the long entry may push the seal onto a second page
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points
    text = flat("".join(page.extract_text() for page in reader.pages))
    assert "中共青山村支部委员会2026年度党员活动日计划安排表" in text
    for header in ("序号", "月份", "日期", "主题", "主要内容", "地点", "日期调整原因"):
        assert header in text
    for a in data.activities:
        assert flat(a.theme) in text
        assert f"{a.plan_date.month}月{a.plan_date.day}日" in text
        if a.plan_reason:
            assert flat(a.plan_reason) in text
    assert "10月5日为国庆节假期，顺延至10月8日" in text
    # The long content wraps inside its own column (15 mm margin + 104 mm .. 189 mm) and reads
    # back whole; the place keeps its rare characters (the font has them).
    assert LONG_CONTENT in column_text(out, 15 + 104, 15 + 189)
    assert RARE_PLACE in column_text(out, 15 + 189, 15 + 222)
    assert "党组织（盖章）：中共青山村支部委员会2026年1月20日" in text

    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True)
    rows = [line.split() for line in fonts.stdout.splitlines()[2:]]
    cjk = [r for r in rows if "NotoSansSC" in r[0]]
    assert cjk and all(re.match(r"[A-Z]{6}\+", r[0]) for r in cjk)  # subset prefix
    assert all(r[-5:-3] == ["yes", "yes"] for r in cjk)  # emb yes, sub yes
    # Nothing else that would need a font on the PC (reportlab lists unused Helvetica, a base-14).
    assert all(r in cjk or r[0] == "Helvetica" for r in rows)

    # Wrapped, not run off: every word of the page lies inside the 15 mm side margins.
    margin = 15 * 72 / 25.4
    assert all(margin - 1 <= w.x0 and w.x1 <= width - margin + 1 for w in pdf_words(out))


def test_unverified_dates_are_marked_in_the_pdf_and_print_plan_writes_it(
    branch, data_dir, tmp_path: Path, capsys
):
    plans.create_plan(2035)
    out = tmp_path / "计划" / "2035.pdf"
    assert (
        main(["--data-dir", str(data_dir), "print-plan", "--year", "2035", "--out", str(out)]) == 0
    )
    assert capsys.readouterr().out.strip() == str(out)
    reader = PdfReader(out)
    assert len(reader.pages) == 1  # a generated 12-month plan fits one A4 page
    text = flat("".join(p.extract_text() for p in reader.pages))
    assert text.count("未核对节假日") == 12 + 1  # each date, and the note explaining it
    assert "待国务院办公厅公布2035年节假日安排后核对" in text
    assert not list(out.parent.glob("*.part"))


def filed_plan_with_extra_entries(year: int) -> None:
    """The monthly entries with long themes, contents and reasons, and three extra activities."""
    plans.create_plan(year)
    for a in Activity.select().order_by(Activity.plan_date):
        plans.update_plan_entry(
            a.id,
            plans.PlanEntry(
                plan_date=a.plan_date,
                theme="深入学习贯彻党的二十届三中全会精神暨推进乡村振兴和人居环境整治主题党日",
                plan_reason=(a.plan_reason or "") + "；镇党委统一安排集中培训，经请示顺延",
                categories=[vocab.CATEGORY_STUDY, vocab.CATEGORY_DISCUSSION],
                planned_content=LONG_CONTENT,
                place="青山村党群服务中心二楼党员活动室及村史馆",
            ),
        )
    for month, day in ((3, 19), (6, 25), (9, 24)):
        plans.add_plan_entry(
            year,
            plans.PlanEntry(
                plan_date=dt.date(year, month, day),
                theme="结对共建联合主题党日",
                plan_reason="与县税务局机关支部联合开展",
                categories=[vocab.CATEGORY_STUDY],
                planned_content=LONG_CONTENT,
            ),
        )


def test_fifteen_long_entries_run_over_pages_and_the_seal_never_stands_alone(
    branch, tmp_path: Path
):
    filed_plan_with_extra_entries(2026)
    out = render_plan_pdf(load_year(2026), tmp_path / "15.pdf")
    pages = [flat(p.extract_text()) for p in PdfReader(out).pages]
    assert len(pages) >= 3
    for n, page in enumerate(pages, start=1):
        assert f"第{n}页共{len(pages)}页" in page
        assert "中共青山村支部委员会2026年度党员活动日计划安排表" in page  # title or footer
        assert "序号月份日期主题主要内容地点日期调整原因" in page  # the header on every page
    last = pages[-1]
    assert "党组织（盖章）" in last and "9月24日" in last  # the last entry goes with the seal
    text = "".join(pages)
    assert text.count("结对共建联合主题党日") == 3 and "全年共安排党员活动日15次" in text


def test_the_date_beside_the_seal_is_the_filing_date_or_blank_and_never_says_draft(
    branch, tmp_path: Path
):
    plans.create_plan(2026)
    draft = flat(
        PdfReader(render_plan_pdf(load_year(2026), tmp_path / "d.pdf")).pages[0].extract_text()
    )
    assert "草稿" not in draft and "计划状态" not in draft
    assert "党组织（盖章）：中共青山村支部委员会年月日" in draft  # blank for the pen
    plans.file_plan(2026, dt.date(2026, 3, 16))
    filed = flat(
        PdfReader(render_plan_pdf(load_year(2026), tmp_path / "f.pdf")).pages[0].extract_text()
    )
    assert "报上级党组织备案：2026年3月16日" in filed
    assert "党组织（盖章）：中共青山村支部委员会2026年3月16日" in filed  # not the day it is printed


def test_the_seal_has_blank_paper_around_the_date_for_a_4_cm_seal(branch, tmp_path: Path):
    plans.create_plan(2026)
    plans.file_plan(2026, dt.date(2026, 3, 16))
    out = render_plan_pdf(load_year(2026), tmp_path / "seal.pdf")
    assert len(PdfReader(out).pages) == 1  # a monthly plan still fits one page
    pt = 72 / 25.4
    found = pdf_words(out)
    name = next(w for w in found if w.text.startswith("党组织（盖章）"))
    date = next(w for w in found if w.text == "2026年3月16日")
    assert date.y0 - name.y0 >= 15 * pt  # the date well below the name
    # A 42 mm seal centred on the date: nothing else printed inside it (the footer is below).
    cx, cy = (date.x0 + date.x1) / 2, date.y0
    inside = [
        w
        for w in found
        if w not in (name, date)
        and abs((w.x0 + w.x1) / 2 - cx) < 21 * pt
        and abs(w.y0 - cy) < 21 * pt
    ]
    assert not inside, inside


def test_a_seal_that_would_fall_on_a_page_of_its_own_takes_the_last_entries_along(
    branch, tmp_path: Path
):
    # 12 monthly entries and one extra with a long content fill page 1 exactly: the seal block
    # alone would begin page 2, so the last two entries go over with it under the header.
    plans.create_plan(2026)
    plans.add_plan_entry(
        2026,
        plans.PlanEntry(
            plan_date=dt.date(2026, 2, 20),
            theme="结对共建联合主题党日",
            plan_reason="与县税务局机关支部联合开展",
            categories=[vocab.CATEGORY_STUDY],
            planned_content=LONG_CONTENT,
        ),
    )
    out = render_plan_pdf(load_year(2026), tmp_path / "13.pdf")
    pages = [flat(p.extract_text()) for p in PdfReader(out).pages]
    assert len(pages) == 2
    last = pages[-1]
    assert "序号月份日期主题主要内容地点日期调整原因" in last
    assert "11月5日" in last and "12月7日" in last and "党组织（盖章）" in last
    assert "12月7日" not in pages[0]


def test_a_character_the_font_lacks_in_a_plan_is_reported(branch):
    from app.reports.plan_pdf import plan_missing_glyphs

    plans.create_plan(2026)
    assert plan_missing_glyphs(load_year(2026)) == []
    first = Activity.select().order_by(Activity.plan_date).first()
    plans.update_plan_entry(
        first.id,
        plans.PlanEntry(plan_date=first.plan_date, theme=first.theme, place="𠮷村党员活动室"),
    )
    assert plan_missing_glyphs(load_year(2026)) == ["𠮷"]
