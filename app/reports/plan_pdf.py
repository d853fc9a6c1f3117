"""The plan PDF (docs/rules.md rule 6, seed [四.1]): 《XX党支部YYYY年度党员活动日计划安排表》, the table of
activities with the reasons for moved dates, and the branch's name, date and a space for the seal.

A4 landscape, the CJK font embedded as a subset; every cell is a wrapping Paragraph, so long text
makes a row taller instead of being clipped. The header row repeats on every page, the seal block
never stands on a page alone, and each footer names the plan with 第 n 页 共 N 页.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    LongTable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from app import files
from app.models import vocab
from app.reports.fit import fitted, paragraph
from app.reports.fonts import missing_glyphs, register_font
from app.reports.pdf_kit import grid_style
from app.reports.record_form import NumberedCanvas, chinese_date, draw_footer
from app.services.ledger import ActivityRow, YearData

WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
UNVERIFIED = "未核对节假日"
HEADERS = ("序号", "月份", "日期", "主题", "主要内容", "地点", "日期调整原因")
# Column widths in mm; together 267 mm = A4 landscape minus 15 mm margins.
WIDTHS_MM = (12, 14, 28, 50, 85, 33, 45)
SEAL_H = (
    30 * mm
)  # 党组织（盖章）above, the date at the foot: a ~4 cm seal on the date runs into blank paper below
KEEP_WITH_SEAL = 2  # entries carried over with the seal rather than leave it on a page alone


def plan_title(data: YearData) -> str:
    return f"{data.branch.name}{data.year}年度党员活动日计划安排表"


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    return {
        "title": ParagraphStyle(
            "title", parent=base, fontSize=17, leading=23, alignment=TA_CENTER, spaceAfter=2 * mm
        ),
        "sub": ParagraphStyle("sub", parent=base, fontSize=10, leading=14),
        "sub_right": ParagraphStyle("sub_right", parent=base, fontSize=10, alignment=TA_RIGHT),
        "head": ParagraphStyle("head", parent=base, fontSize=10, alignment=TA_CENTER),
        "cell": ParagraphStyle("cell", parent=base, alignment=TA_LEFT),
        "center": ParagraphStyle("center", parent=base, alignment=TA_CENTER),
        "small": ParagraphStyle(
            "small", parent=base, fontSize=7.5, leading=10, textColor="#555555"
        ),
        "flag": ParagraphStyle(
            "flag", parent=base, fontSize=8, leading=11, alignment=TA_CENTER, textColor="#b00000"
        ),
        "note": ParagraphStyle("note", parent=base, fontSize=9, leading=13),
        "sign": ParagraphStyle("sign", parent=base, fontSize=11, leading=18),
        "key": ParagraphStyle("key", parent=base, fontSize=9, leading=11),
        "sign_right": ParagraphStyle(
            "sign_right", parent=base, fontSize=11, leading=18, alignment=TA_RIGHT
        ),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return paragraph(text, style)


# The most a stored text may take of the plan: longer ones are set smaller, then cut (fit.py).
BOX_H = 30 * mm
CELL_PAD = 12  # a cell's left and right padding together


def _cell(text: str, style: ParagraphStyle, column: int) -> Paragraph:
    return fitted(text, style, WIDTHS_MM[column] * mm - CELL_PAD, BOX_H)


def categories_text(a: ActivityRow) -> str:
    """The content categories chosen, by group (学习：…；议事：…)."""
    groups = []
    for group, members in vocab.CONTENT_CATEGORIES.items():
        chosen = [c for c in a.categories if c in members]
        if chosen:
            groups.append(f"{group}：{'、'.join(chosen)}")
    return "；".join(groups)


def _row(index: int, a: ActivityRow, st: dict[str, ParagraphStyle]) -> list:
    day = a.plan_date
    date_cell = [_p(f"{day.month}月{day.day}日 {WEEKDAYS[day.weekday()]}", st["center"])]
    if a.holidays_unverified:
        date_cell.append(_p(UNVERIFIED, st["flag"]))
    content = [_cell(a.planned_content or "", st["cell"], 4)]
    categories = categories_text(a)
    if categories:
        content.append(_p(categories, st["small"]))
    return [
        _p(str(index), st["center"]),
        _p(f"{a.plan_date.month}月", st["center"]),
        date_cell,
        _cell(a.theme, st["cell"], 3),
        content,
        _cell(a.place, st["cell"], 5),
        _cell(a.plan_reason or "", st["cell"], 6),
    ]


def plan_missing_glyphs(data: YearData) -> list[str]:
    """Characters of the plan the embedded font cannot draw (rare characters in a village or
    place name); they print as an empty box, so the caller warns as for the 记录表."""
    parts = [data.branch.name, data.branch.superior_org]
    for a in data.activities:
        parts += [a.theme, a.planned_content, a.place, a.plan_reason or ""]
    return missing_glyphs("".join(parts))


def plan_notes(data: YearData) -> list[str]:
    """The 注 beside the seal: how many activity days, and which dates wait for a check."""
    notes = [f"全年共安排党员活动日 {len(data.activities)} 次。"]
    if any(a.holidays_unverified for a in data.activities):
        notes.append(
            f"标“{UNVERIFIED}”的日期按推算的节假日（不含调休）安排，"
            f"待国务院办公厅公布{data.year}年节假日安排后核对。"
        )
    return notes


def filed_line(data: YearData) -> str:
    """What the plan says about its filing: the date it went to the superior (报上级党组织备案),
    or nothing — a sheet about to be stamped and filed must not read 草稿."""
    day = data.plan_filed_date
    if day is None:
        return ""
    return f"报上级党组织备案：{day.year}年{day.month}月{day.day}日"


class _PageProbe(Flowable):
    """Zero-size marker that notes the page it lands on."""

    def __init__(self, pages: dict[str, int], key: str):
        super().__init__()
        self.pages, self.key = pages, key

    def wrap(self, *_):
        return 0, 0

    def draw(self) -> None:
        self.pages[self.key] = self.canv._doctemplate.page


def _table(rows: list, repeat: bool) -> Table:
    table = (LongTable if repeat else Table)(
        rows, colWidths=[w * mm for w in WIDTHS_MM], repeatRows=1 if repeat else 0
    )
    table.setStyle(grid_style(0.6))
    return table


def _info_row(data: YearData, st: dict) -> Table:
    """Under the title: the branch, its superior, and the filing date once filed."""
    info = Table(
        [
            [
                fitted(f"党组织：{data.branch.name}", st["sub"], 100 * mm - CELL_PAD, BOX_H),
                fitted(
                    f"上级党组织：{data.branch.superior_org or '　'}",
                    st["sub"],
                    100 * mm - CELL_PAD,
                    BOX_H,
                ),
                _p(filed_line(data), st["sub_right"]),
            ]
        ],
        colWidths=[100 * mm, 100 * mm, 67 * mm],
    )
    info.setStyle(
        TableStyle(
            [
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return info


def key_line(fingerprint: str) -> str:
    """The signing key's fingerprint as the plan prints it beside the seal (docs/signing.md):
    the stamped plan the township receives vouches for the key that signs the bundles."""
    return f"密钥指纹：{fingerprint}"


def _seal_block(
    data: YearData, notes: list[str], made_on: dt.date | None, fingerprint: str, st: dict
) -> Table:
    """The notes on the left; on the right the key's fingerprint, 党组织（盖章）and the date, with
    room under the name for a round seal (a village branch's is about 4 cm across), so the ink
    never covers the fingerprint. No date yet: blank for the pen."""
    date = chinese_date(made_on)
    name = f"党组织（盖章）：{data.branch.name}"
    name_w = stringWidth(name, st["sign"].fontName, st["sign"].fontSize)  # the date ends under it
    seal = Table(
        [
            [
                _p("注：" + "".join(notes), st["note"]),
                [
                    _p(key_line(fingerprint), st["key"]),
                    fitted(name, st["sign"], 107 * mm - CELL_PAD, SEAL_H - 22 * mm),
                ],
            ],
            ["", _p(date, st["sign_right"])],
        ],
        colWidths=[140 * mm, 127 * mm],
        rowHeights=[SEAL_H - 10 * mm, 10 * mm],
    )
    seal.setStyle(
        TableStyle(
            [
                ("SPAN", (0, 0), (0, 1)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("VALIGN", (1, 1), (1, 1), "BOTTOM"),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
                ("LEFTPADDING", (1, 0), (1, -1), 20 * mm),
                ("RIGHTPADDING", (1, 1), (1, 1), max(6, 107 * mm - name_w)),
                ("TOPPADDING", (1, 0), (1, 0), 0),
            ]
        )
    )
    return seal


def render_plan_pdf(
    data: YearData, out: Path, *, made_on: dt.date | None = None, fingerprint: str | None = None
) -> Path:
    """Write the plan of `data.year` to `out` (through `app.files.replacing()`: an old copy open
    in a PDF reader is said in Chinese and left as it was); returns `out`.

    `fingerprint` is the signing key's, printed beside the seal; by default the open ledger's.

    `made_on` is the date beside the seal; by default the date the plan was filed, or blank for
    the pen while it is a draft. The seal never stands on a page of its own: when it would, the
    last entries go over with it (under the repeated header)."""
    out = Path(out)
    font = register_font()
    st = _styles(font)
    made_on = made_on or data.plan_filed_date
    if fingerprint is None:
        from app.signing import key_of_open_ledger

        fingerprint = key_of_open_ledger().fingerprint
    activities = sorted(data.activities, key=lambda a: (a.plan_date, a.activity_id))

    head = [_p(h, st["head"]) for h in HEADERS]
    rows = [_row(i, a, st) for i, a in enumerate(activities, start=1)]
    notes = plan_notes(data)

    def story(keep_with_seal: int) -> tuple[list, dict[str, int]]:
        pages: dict[str, int] = {}
        flow: list = [
            fitted(plan_title(data), st["title"], sum(WIDTHS_MM) * mm, BOX_H),
            _info_row(data, st),
            Spacer(1, 2 * mm),
        ]
        body, tail = rows[: len(rows) - keep_with_seal], rows[len(rows) - keep_with_seal :]
        if body:
            flow.append(_table([head, *body], repeat=True))
        flow.append(_PageProbe(pages, "table"))
        closing = [Spacer(1, 2 * mm), _seal_block(data, notes, made_on, fingerprint, st)]
        if tail:
            closing.insert(0, _table([head, *tail], repeat=False))
        flow += [KeepTogether(closing), _PageProbe(pages, "seal")]
        return flow, pages

    title = plan_title(data)

    def footer(canvas, page: int, pages: int) -> None:
        width = landscape(A4)[0]
        draw_footer(canvas, title, page, pages, left=15 * mm, right=width - 15 * mm, y=7 * mm)

    def build(tmp: Path, keep_with_seal: int) -> dict[str, int]:
        doc = SimpleDocTemplate(
            str(tmp),
            pagesize=landscape(A4),
            leftMargin=15 * mm,
            rightMargin=15 * mm,
            topMargin=12 * mm,
            bottomMargin=14 * mm,
            title=title,
            author=data.branch.name,
            subject="党员活动日计划安排表",
            initialFontName=font,
        )
        flow, pages = story(keep_with_seal)
        doc.build(flow, canvasmaker=lambda *a, **k: NumberedCanvas(*a, footer=footer, **k))
        return pages

    with files.replacing(out, what="计划表") as tmp:
        pages = build(tmp, 0)
        if pages["seal"] > pages["table"] and rows:
            build(tmp, min(KEEP_WITH_SEAL, len(rows)))
    return out
