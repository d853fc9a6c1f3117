"""The township clerk's day: a USB stick's worth of bundles of mixed quality. One workbook sums
one year; every bundle left out says whose it is and what to do; the workbook prints well; the
command line says the same in plain words."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.bundle.names import guess_from_name
from app.bundle.write import export_bundle
from app.models import Activity, Attendance
from app.reports.township_xlsx import (
    SHEET_REJECTED,
    SHEET_SUMMARY,
    SUMMARY_HEADERS,
    header_name,
)
from app.services.plan import create_plan
from app.township.aggregate import aggregate_bundles, expand_bundle_paths
from tests.conftest import DEMO_TODAY, DEMO_YEAR


@pytest.fixture
def inbox(demo: Path, tmp_path: Path) -> Path:
    """This year's bundle and last year's (a plan, nothing held) of the demo branch."""
    box = tmp_path / "收件"
    box.mkdir()
    export_bundle(DEMO_YEAR, box, today=DEMO_TODAY)
    create_plan(DEMO_YEAR - 1)
    export_bundle(DEMO_YEAR - 1, box, today=DEMO_TODAY)
    return box


def test_a_bundle_of_another_year_is_set_aside_not_added_to_the_totals(inbox, tmp_path):
    out = tmp_path / "汇总.xlsx"
    result = aggregate_bundles([inbox], out, today=DEMO_TODAY)

    assert result.ok and result.year == DEMO_YEAR  # set aside, not a failure
    assert [r.year for r in result.rows] == [DEMO_YEAR]
    (other,) = result.rejected
    assert other.other_year and other.year == DEMO_YEAR - 1
    assert other.branch == "中共青山村支部委员会"
    assert "本次汇总的是2026年度" in other.problems[0][1] and "无需处理" in other.advice
    ws = load_workbook(out)[SHEET_SUMMARY]
    assert ws["A1"].value.startswith("下级党组织2026年党员活动日情况汇总（1 个党支部")
    total = next(r for r in ws.iter_rows(values_only=True) if r[0] == "合计")
    assert total[SUMMARY_HEADERS.index("计划次数")] == 12  # not 24: 2025 is not summed in

    # Asked for 2025, the 2025 bundle is summed and this year's set aside.
    last_year = aggregate_bundles([inbox], out, today=DEMO_TODAY, year=DEMO_YEAR - 1)
    assert [r.year for r in last_year.rows] == [DEMO_YEAR - 1]
    assert [r.year for r in last_year.rejected] == [DEMO_YEAR]


def test_cli_aggregate_year_option_and_plain_summary(inbox, tmp_path, capsys):
    from app.cli import main

    out = tmp_path / "汇总.xlsx"
    assert main(["aggregate", str(inbox), "--out", str(out), "--year", "2025"]) == 0
    err = capsys.readouterr().err
    assert "已汇总 1 个党支部2025年度的报送包，0 个未通过校验，1 个未采用" in err
    assert "未采用（其他年度）：中共青山村支部委员会-2026-党日活动.zip" in err
    assert main(["aggregate", str(inbox), "--out", str(out), "--year", "26"]) == 2


def test_failures_come_first_each_with_whose_it_is_and_what_to_do(inbox, tmp_path):
    good = next(inbox.glob(f"*-{DEMO_YEAR}-党日活动.zip"))
    (inbox / "照片.zip").write_bytes(b"\xff\xd8\xff not a zip at all")
    changed = inbox / "中共龙潭村支部委员会-2026-党日活动.zip"
    raw = bytearray(good.read_bytes())
    raw[len(raw) // 3] ^= 0x01
    changed.write_bytes(bytes(raw))

    result = aggregate_bundles([inbox], tmp_path / "汇总.xlsx", today=DEMO_TODAY)
    assert not result.ok
    states = [(r.path.name, r.state) for r in result.rejected]
    assert [s for _, s in states] == ["未通过校验", "未通过校验", "未采用（其他年度）"]
    photo = next(r for r in result.rejected if r.path.name == "照片.zip")
    assert photo.branch == "" and "不像党日活动报送包" in photo.advice
    summary = result.summary()
    assert "→ 这个文件不像党日活动报送包" in summary

    ws = load_workbook(tmp_path / "汇总.xlsx")[SHEET_REJECTED]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    # named 龙潭村 but a copy of 青山村's: the manifest, when readable, says whose it is
    assert rows[0][1] == "中共青山村支部委员会" and rows[0][3] == "未通过校验"
    assert rows[1][0] == "照片.zip" and rows[1][1] == "（无法识别）"
    assert ws.freeze_panes == "B2" and ws.print_title_rows == "$1:$1"


def test_the_summary_sheet_prints_on_landscape_pages_and_flags_what_needs_a_look(demo, tmp_path):
    usb = tmp_path / "usb"
    usb.mkdir()
    # Months without an activity: April to August not held.
    gone = [a.id for a in Activity.select() if a.held_date and 4 <= a.held_date.month <= 8]
    Attendance.delete().where(Attendance.activity.in_(gone)).execute()
    Activity.update(held_date=None, submitted_date=None).where(Activity.id.in_(gone)).execute()
    export_bundle(DEMO_YEAR, usb, today=DEMO_TODAY)
    out = tmp_path / "汇总.xlsx"
    result = aggregate_bundles([usb], out, today=DEMO_TODAY)

    ws = load_workbook(out)[SHEET_SUMMARY]
    header = [header_name(c.value) for c in ws[2]]
    col = {h: i + 1 for i, h in enumerate(header)}
    assert ws.freeze_panes == "C3" and ws.print_title_rows == "$2:$2"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.auto_filter.ref == f"A2:{ws.cell(2, len(header)).column_letter}3"
    months = ws.cell(3, col["无活动月份"])
    assert months.value == "4月、5月、6月、7月、8月"
    assert months.font.color.rgb.endswith("C00000") and months.alignment.wrap_text
    assert ws.row_dimensions[3].height and ws.row_dimensions[3].height > 15  # wrapped: grown
    assert ws.cell(3, col["平均参加率"]).number_format == "0.0%"
    total = 4
    assert ws.cell(total, 1).value == "合计"
    assert ws.cell(total, col["平均参加率"]).number_format == "0.0%"
    assert ws.cell(total, col["平均参加率"]).value == pytest.approx(result.rows[0].attendance_rate)
    assert ws.cell(3, col["计划次数"]).font.name == "宋体"


def test_a_folder_of_usb_sticks_finds_the_bundles_one_level_down_and_skips_mac_shadow_files(
    tmp_path,
):
    root = tmp_path / "各村报送"
    (root / "青山村").mkdir(parents=True)
    (root / "白石村" / "更深").mkdir(parents=True)
    (root / "青山村" / "中共青山村支部委员会-2026-党日活动.zip").write_bytes(b"x")
    (root / "青山村" / "._中共青山村支部委员会-2026-党日活动.zip").write_bytes(b"x")
    (root / "白石村" / "中共白石村支部委员会-2026-党日活动.zip").write_bytes(b"x")
    (root / "白石村" / "更深" / "旧.zip").write_bytes(b"x")
    (root / "说明.txt").write_text("x")
    found = [p.relative_to(root).as_posix() for p in expand_bundle_paths([root])]
    assert found == [
        "白石村/中共白石村支部委员会-2026-党日活动.zip",
        "青山村/中共青山村支部委员会-2026-党日活动.zip",
    ]


def test_branch_and_year_are_read_from_a_copied_bundle_name():
    assert guess_from_name(Path("中共青山村支部委员会-2026-党日活动(1).zip")) == (
        "中共青山村支部委员会",
        2026,
    )
    assert guess_from_name(Path("中共石桥村-村委-2025-党日活动-副本.zip")) == (
        "中共石桥村-村委",
        2025,
    )
    assert guess_from_name(Path("照片.zip")) == ("", None)


def test_cli_verify_says_whose_bundle_it_is_and_what_to_do(demo, tmp_path, capsys):
    from app.cli import main

    good = export_bundle(DEMO_YEAR, tmp_path, today=DEMO_TODAY)
    capsys.readouterr()
    assert main(["verify", str(good)]) == 0
    out = capsys.readouterr().out
    assert "校验通过" in out and "中共青山村支部委员会　2026年度　共" in out

    bad = tmp_path / "坏" / good.name
    bad.parent.mkdir()
    shutil.copy(good, bad)
    raw = bytearray(bad.read_bytes())
    raw[len(raw) // 3] ^= 0x01
    bad.write_bytes(bytes(raw))
    assert main(["verify", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "校验未通过" in err and "中共青山村支部委员会　2026年度" in err
    assert "→ 请该支部重新导出报送包" in err and "failed verification (1 problem(s))" in err

    truncated = tmp_path / "中共白石村支部委员会-2026-党日活动.zip"
    truncated.write_bytes(good.read_bytes()[:5000])
    assert main(["verify", str(truncated)]) == 1
    assert "→ 请重新从U盘复制该文件" in capsys.readouterr().err

    # A folder (or E:\\*.zip, which the Windows console passes on unexpanded): each bundle in
    # it is checked in turn, with a count at the end; exit 1 as one of them is bad.
    assert main(["verify", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert "共 3 个报送包：1 个通过，2 个未通过。" in captured.out  # 坏/ one level down too
    assert main(["verify", str(tmp_path / "*.zip")]) == 1
    capsys.readouterr()
    empty = tmp_path / "空"
    empty.mkdir()
    assert main(["verify", str(empty)]) == 2
    err = capsys.readouterr().err
    assert "没有找到报送包" in err and "Traceback" not in err
