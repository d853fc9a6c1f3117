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

LONG_CONTENT = (
    "组织全体党员集中学习党章党规和习近平总书记关于基层治理的重要讲话精神，"
    "逐段领学并开展交流研讨；随后通报本村人居环境整治和乡村振兴项目进展，"
    "听取党员和群众代表意见，民主讨论下一步工作安排；最后集中交纳党费。"
)
RARE_PLACE = "堃嵘村犇湾党员活动室"  # rare characters of the kind found in village names


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def words(pdf: Path) -> list[tuple[float, float, float, str]]:
    """(xMin, yMin, xMax, text) of every word poppler finds, in reading order."""
    bbox = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>'
    return [(float(a), float(b), float(c), t) for a, b, c, t in re.findall(pattern, bbox)]


def column_text(pdf: Path, left_mm: float, right_mm: float) -> str:
    """The text inside one table column, lines joined: a wrapped cell reads as one string."""
    pt = 72 / 25.4
    inside = [w for w in words(pdf) if left_mm * pt <= w[0] and w[2] <= right_mm * pt]
    return "".join(w[3] for w in sorted(inside, key=lambda w: (w[1], w[0])))


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
    assert "党组织（盖章）：中共青山村支部委员会" in text and "日期：2026年1月20日" in text

    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True)
    rows = [line.split() for line in fonts.stdout.splitlines()[2:]]
    cjk = [r for r in rows if "NotoSansSC" in r[0]]
    assert cjk and all(re.match(r"[A-Z]{6}\+", r[0]) for r in cjk)  # subset prefix
    assert all(r[-5:-3] == ["yes", "yes"] for r in cjk)  # emb yes, sub yes
    # Nothing else that would need a font on the PC (reportlab lists unused Helvetica, a base-14).
    assert all(r in cjk or r[0] == "Helvetica" for r in rows)

    # Wrapped, not run off: every word of the page lies inside the 15 mm side margins.
    margin = 15 * 72 / 25.4
    assert all(margin - 1 <= w[0] and w[2] <= width - margin + 1 for w in words(out))


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
