"""The 记录表 PDF (seed 附件): every field, the exact counts, long content, 一式两份, the font."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.cli import main
from app.reports.record_form import (
    NOTE_LINE,
    form_missing_glyphs,
    print_record,
    render_record_pdf,
)
from app.services.records import load_record, save_record
from tests.pdf_words import PT_PER_MM, pdf_words
from tests.record_helpers import (
    EXPECTED_IN_MARCH,
    JOINS_IN_APRIL,
    LEFT_IN_FEBRUARY,
    MARCH,
    NON_MEMBER,
    ON_ROLL,
    TODAY,
    TOOK_PART_IN_MARCH,
    build_year,
    full_record,
)

CONTENT = "一、集中学习党章。\n二、交纳党费。\n三、通报春耕工作安排，讨论村道维修方案。"


# The footer of every page: whose form it is, and 第 n 页 共 N 页
FOOTER = r"中共青山村支部委员会2026年3月5日池州市党日活动记录表|第\d+页共\d+页"


def flat(text: str) -> str:
    """Extracted text without the line breaks and spaces the layout puts in."""
    return re.sub(r"\s+", "", text)


def pages_text(path: Path) -> list[str]:
    return [flat(page.extract_text()) for page in PdfReader(str(path)).pages]


@pytest.fixture
def march(branch):
    activity, _ = build_year()
    save_record(
        activity.id,
        full_record(categories=["学习教育", "党员管理", "通报"], content=CONTENT, cost=""),
        today=TODAY,
    )
    return activity


def test_form_prints_every_field_of_the_seed_attachment_and_the_exact_counts(march, tmp_path):
    out = print_record(march.id, tmp_path / "记录表.pdf")
    form, sheet = pages_text(out)
    assert form.startswith("池州市党日活动记录表")
    for words in (
        "党组织（盖章）：中共青山村支部委员会",
        "2026年3月5日",
        "活动主题学习贯彻党章，争做合格党员",
        "活动时间2026年3月5日09:00—11:30",
        "活动地点青山村党员活动室",
        "形式：线上线下",
        "联合开展：中共县税务局机关支部委员会",
        f"应参加党员{EXPECTED_IN_MARCH}人，实际参加党员{TOOK_PART_IN_MARCH}人（附签名）",
        flat(CONTENT),
        flat(NOTE_LINE),
    ):
        assert words in form, words
    assert re.search(r"活\s*动\s*内\s*容", PdfReader(str(out)).pages[0].extract_text())

    # The signature sheet: every expected member once, in order, with the pre-filled 备注
    for number, (name, _, _) in enumerate(ON_ROLL, start=1):
        assert f"{number}{name}" in sheet, name
    for note in (
        "请假：外出务工",
        "线上参加",
        "适当方式参加（送学上门）",
        "流入地参加（上海市浦东新区某社区党委）",
    ):
        assert note in sheet, note
    assert LEFT_IN_FEBRUARY not in sheet and JOINS_IN_APRIL not in sheet
    assert "不计入参加党员人数" in sheet and f"1{NON_MEMBER[0]}{NON_MEMBER[1]}" in sheet
    assert sheet.index(ON_ROLL[-1][0]) < sheet.index(NON_MEMBER[0])


def test_long_content_continues_on_another_page_with_nothing_lost(march, tmp_path):
    paragraph = (
        "组织党员认真学习党章党规，学习习近平总书记系列重要讲话，准确把握其中的新理念新思想新战略。"
    )
    text = (paragraph * 80)[:3000]
    cuts = [0, 180, 420, 520, 900, 1500, 1530, 2100, 2600, 3000]  # paragraphs long and short
    content = "\n".join(text[a:b] for a, b in zip(cuts, cuts[1:], strict=False))
    assert len(content.replace("\n", "")) == 3000
    data, row = load_record(march.id)
    row.content = content
    out = render_record_pdf(data, row, tmp_path / "long.pdf")

    pages = pages_text(out)
    sheet_at = next(i for i, p in enumerate(pages) if "党日活动参加人员签名表" in p)
    assert sheet_at >= 2  # the form took more than one page
    form_text = "".join(re.sub(FOOTER, "", p) for p in pages[:sheet_at])
    assert flat(content) in form_text  # every character, in order
    assert flat(NOTE_LINE) in pages[sheet_at - 1]  # the 说明 line closes the form
    assert "实际参加党员8人" in pages[0]

    subprocess.run(["pdftoppm", "-png", "-r", "40", str(out), str(tmp_path / "page")], check=True)
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == len(pages) and all(p.stat().st_size > 2000 for p in pngs)


def test_two_copies_are_marked_for_the_branch_and_for_the_superior(march, tmp_path):
    out = print_record(march.id, tmp_path / "两份.pdf", two_copies=True)
    pages = pages_text(out)
    assert len(pages) == 4
    marks = [p.replace(flat(NOTE_LINE), "") for p in pages]  # the 说明 line names both
    assert all("支部留存" in m and "报上级党组织" not in m for m in marks[:2])
    assert all("报上级党组织" in m and "支部留存" not in m for m in marks[2:])
    assert "池州市党日活动记录表" in pages[0] and "池州市党日活动记录表" in pages[2]
    assert "党日活动参加人员签名表" in pages[1] and "党日活动参加人员签名表" in pages[3]


def test_the_cjk_font_is_embedded_as_a_subset(march, tmp_path):
    out = print_record(march.id, tmp_path / "font.pdf")
    report = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True)
    rows = report.stdout.splitlines()[2:]
    cjk = [r for r in rows if "NotoSansSC" in r]
    assert cjk and all(re.search(r"\byes\s+yes\s+yes\b", r) for r in cjk)
    # Anything else would be a standard-14 font used for no glyph (reportlab's page default).
    assert all("NotoSansSC" in r or r.startswith("Helvetica ") for r in rows)


def test_rare_name_characters_are_in_the_font_and_a_missing_one_is_reported(march):
    data, row = load_record(march.id)
    assert form_missing_glyphs(data, row) == []  # 张堃 李喆 王犇 are on this form
    row.content += "𪚥"  # CJK Ext. B: not in the bundled font
    assert form_missing_glyphs(data, row) == ["𪚥"]
    # The 流入地党组织 printed in a 备注 comes from the roster when the entry gives none.
    row.content = CONTENT
    inflow = next(m for m in data.members if m.name == "郑小龙")
    data.members[data.members.index(inflow)] = replace(inflow, inflow_org="𠮷州市某社区党委")
    assert form_missing_glyphs(data, row) == ["𠮷"]


def test_an_activity_not_yet_held_prints_a_blank_form_for_the_pen(branch, tmp_path):
    _, april = build_year()
    out = print_record(april.id, tmp_path / "空白.pdf")
    form, sheet = pages_text(out)
    assert f"应参加党员{EXPECTED_IN_MARCH + 1}人，实际参加党员人（附签名）" in form
    assert "年月日" in form
    assert "形式：□线下□线上□线上线下" in form  # ticked by hand, not the stored default
    assert JOINS_IN_APRIL in sheet


def test_print_record_command_writes_the_pdf_and_refuses_an_unknown_id(
    march, data_dir, tmp_path, capsys
):
    out = tmp_path / "cli" / "记录表.pdf"
    code = main(["--data-dir", str(data_dir), "print-record", str(march.id), "--out", str(out)])
    assert code == 0 and out.is_file()
    assert str(out) in capsys.readouterr().out
    assert not list(out.parent.glob("*.part"))

    code = main(["--data-dir", str(data_dir), "print-record", "999", "--out", str(out)])
    assert code == 2
    assert "找不到编号为 999 的活动" in capsys.readouterr().err


def test_demo_forms_print_the_counts_the_ledger_exports(demo, tmp_path):
    from app.services.ledger import load_year
    from tests.conftest import DEMO_YEAR

    data = load_year(DEMO_YEAR)
    exported = {a["activity_id"]: a for a in data.to_json()["activities"]}
    held = [a for a in data.activities if a.is_held]
    assert len(held) >= 10
    for row in (held[0], held[3], held[-1]):
        text = pages_text(render_record_pdf(data, row, tmp_path / f"{row.activity_id}.pdf"))[0]
        figures = exported[row.activity_id]
        assert (
            f"应参加党员{figures['expected']}人，实际参加党员{figures['took_part']}人（附签名）"
            in text
        )


def test_no_line_of_the_content_starts_with_a_chinese_comma(march, tmp_path):
    # This paragraph fills the line exactly up to 精神, so the comma falls at a line start unless
    # the Chinese punctuation rule (标点禁则) hangs it at the end of the line before.
    para = (
        "1、组织全体党员认真学习党章党规和习近平总书记系列重要讲话精神，书记结合本村实际逐段领学，"
        "党员代表交流学习体会，大家一致表示要坚定理想信念、严守纪律规矩、发挥先锋模范作用。"
    )
    data, row = load_record(march.id)
    row.content = "\n".join([para] * 6)
    out = render_record_pdf(data, row, tmp_path / "punct.pdf")
    layout = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    starts = [line.strip()[:1] for line in layout.splitlines() if line.strip()]
    assert "精神，" in flat(layout)
    assert not [c for c in starts if c in "，。、；：！？）》”"]


LONG_LEAVE = "在外地医院陪护住院的母亲，预计本月下旬返村，已向支部书记当面请假并说明情况"
FAR_BRANCH = "江苏省苏州市工业园区娄葑街道某某社区第二党支部委员会"


@pytest.fixture
def crowded_march(march):
    """March with 65 members (long leave reasons, a far 流入地党组织) and 8 invited guests."""
    from app.models import Activity, Attendance, Attendee, AttendeePresence, Member, vocab

    activity = Activity.get_by_id(march.id)
    for n in range(55):
        member = Member.create(name=f"党员{n + 11:02d}号")
        status, reason = [
            (vocab.PRESENT, ""),
            (vocab.LEAVE, LONG_LEAVE),
            (vocab.AT_INFLOW_ORG, FAR_BRANCH),
            (vocab.SUITABLE_MEANS, "年老体弱，由支委上门送学并讲解学习材料"),
        ][n % 4]
        Attendance.create(activity=activity, member=member, status=status, reason=reason)
    for n, kind in enumerate(vocab.ATTENDEE_KINDS * 2):
        guest = Attendee.create(name=f"列席{n + 2}号", kind=kind)
        AttendeePresence.create(activity=activity, attendee=guest)
    return march


def sheet_rows(pdf: Path, page: int) -> list[tuple[float, float, str]]:
    """(yMin, yMax, text) of the words in the 备注 column (the last 68 mm) of one page."""
    left = (210 - 18 - 68) * PT_PER_MM
    return sorted(
        (w.y0, w.y1, w.text) for w in pdf_words(pdf, page) if w.x0 > left and w.y1 < 270 * PT_PER_MM
    )


def test_signature_sheet_of_65_members_numbers_on_and_every_note_fits_its_row(
    crowded_march, tmp_path
):
    out = print_record(crowded_march.id, tmp_path / "65.pdf")
    pages = pages_text(out)
    sheet_at = next(i for i, p in enumerate(pages) if "党日活动参加人员签名表" in p)
    sheet = pages[sheet_at:]
    assert len(sheet) >= 3
    assert all(p.count("序号姓名签名备注") >= 1 for p in sheet)  # the header on every page
    text = "".join(re.sub(FOOTER, "", p) for p in sheet)
    positions = [text.index(f"{n}党员{n:02d}号") for n in range(11, 66)]
    assert positions == sorted(positions)  # 序号 runs on from 11 to 65 across the pages
    assert text.count(f"请假：{LONG_LEAVE}") == 14  # each long note whole
    assert text.count(f"流入地参加（{FAR_BRANCH}）") == 14
    # Rows grow with their note: no line of a 备注 overprints another.
    for page in range(sheet_at + 1, len(pages) + 1):
        lines = sheet_rows(out, page)
        assert all(a[1] <= b[0] + 0.5 for a, b in zip(lines, lines[1:], strict=False)), page


def test_invited_guests_on_a_continuation_page_are_still_marked_not_counted(
    crowded_march, tmp_path
):
    out = print_record(crowded_march.id, tmp_path / "guests.pdf")
    pages = [re.sub(FOOTER, "", p) for p in pages_text(out)]
    with_guests = [p for p in pages if re.search(r"列席\d号", p)]
    assert with_guests
    assert all("不计入参加党员人数" in p for p in with_guests)
    assert all(p.index("不计入参加党员人数") < p.index("列席") for p in with_guests[1:])


def test_every_page_says_whose_it_is_and_page_n_of_m_for_each_copy(crowded_march, tmp_path):
    out = print_record(crowded_march.id, tmp_path / "两份.pdf", two_copies=True)
    pages = pages_text(out)
    per_copy = len(pages) // 2
    assert len(pages) == 2 * per_copy and per_copy >= 4
    for i, page in enumerate(pages):
        assert f"第{i % per_copy + 1}页共{per_copy}页" in page
        assert "中共青山村支部委员会2026年3月5日池州市党日活动记录表" in page


def test_a_moved_day_prints_the_planned_day_with_its_reason_and_the_cost(march, tmp_path):
    data, row = load_record(march.id)
    row.held_date = dt.date(2026, 3, 6)
    row.held_reason = "3月5日村干部参加镇春耕生产会议，经请示镇党委改在次日开展"
    row.cost = Decimal("1280.50")
    form = pages_text(render_record_pdf(data, row, tmp_path / "moved.pdf"))[0]
    assert "活动时间2026年3月6日09:00—11:30原计划3月5日，改期原因：" + flat(row.held_reason) in form
    assert "活动经费：1280.50元" in form

    row.held_date, row.cost = MARCH, None  # held as planned: no note, no cost line
    form = pages_text(render_record_pdf(data, row, tmp_path / "as-planned.pdf"))[0]
    assert "原计划" not in form and "经费" not in form


def test_a_blank_form_leaves_room_for_the_pen_in_the_date_and_the_count(branch, tmp_path):
    _, april = build_year()
    found = pdf_words(print_record(april.id, tmp_path / "空白.pdf"), 1)

    def gap(before: str, after: str) -> float:
        left = next(w for w in found if w.text.endswith(before))
        right = next(w for w in found if w.text.startswith(after) and w.x0 > left.x1)
        return (right.x0 - left.x1) / PT_PER_MM

    assert gap("年", "月") >= 7 and gap("月", "日") >= 7  # 年 月 日 beside 党组织（盖章）
    assert gap("实际参加党员", "人") >= 10  # the count written in by hand


def test_there_is_blank_paper_above_the_branch_name_for_a_round_seal(march, tmp_path):
    found = pdf_words(print_record(march.id, tmp_path / "seal.pdf"), 1)
    title = next(w for w in found if w.text == "池州市党日活动记录表")
    seal = next(w for w in found if w.text.startswith("党组织（盖章）"))
    assert (seal.y0 - title.y1) / PT_PER_MM >= 14  # mm of white between title and name
