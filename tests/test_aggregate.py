"""The township sums up its branches' bundles: the same figures as each branch's own statistics,
bad bundles listed with their reasons while the rest are still summed."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.bundle.write import export_bundle
from app.models import Activity, Attendance, open_database
from app.paths import database_path
from app.reports.township_xlsx import (
    REJECTED_HEADERS,
    SHEET_REJECTED,
    SHEET_SUMMARY,
    SUMMARY_HEADERS,
    header_name,
)
from app.services.branch import BranchSettings, save_branch
from app.services.ledger import load_year
from app.services.statistics import compute_statistics
from app.township.aggregate import aggregate_bundles
from app.township.verify import verify_bundle
from tests.conftest import DEMO_TODAY, DEMO_YEAR


def _summary_rows(xlsx: Path) -> dict[str, dict[str, object]]:
    ws = load_workbook(xlsx)[SHEET_SUMMARY]
    header = [header_name(c.value) for c in ws[2]]  # printed in lines (HEADER_LINES)
    assert tuple(header) == SUMMARY_HEADERS
    rows = {}
    for values in ws.iter_rows(min_row=3, values_only=True):
        if values[0] in (None, "合计") or str(values[0]).startswith("说明"):
            break
        row = dict(zip(header, values, strict=True))
        rows[row["党组织"]] = row
    return rows


def _expected_row(stats) -> dict[str, object]:
    b = stats.branch
    return {
        "计划次数": b.planned,
        "已开展次数": b.held,
        "无活动月数": len(b.months_without_activity),
        "平均参加率": pytest.approx(b.attendance_rate),
        "逾期未报送记录": b.overdue_records,
        "累计未参加3次及以上（人）": len(stats.talk_reminder),
        "累计未参加6次及以上（人）": len(stats.unqualified_basis),
    }


def _second_branch(root: Path) -> tuple[Path, object]:
    """Another village that held nothing after August: its own data dir, its own export."""
    from app.services.demo import create_demo

    data_dir = root / "白石村"
    open_database(database_path(data_dir))
    create_demo(data_dir, year=DEMO_YEAR, today=DEMO_TODAY)
    save_branch(BranchSettings(name="中共白石村支部委员会", superior_org="中共青山镇委员会"))
    late = [a.id for a in Activity.select() if a.held_date and a.held_date.month > 8]
    Attendance.delete().where(Attendance.activity.in_(late)).execute()
    Activity.update(held_date=None, submitted_date=None, start_time=None, end_time=None).where(
        Activity.id.in_(late)
    ).execute()
    stats = compute_statistics(load_year(DEMO_YEAR), today=DEMO_TODAY)
    out = root / "U盘-白石村"
    out.mkdir()
    return export_bundle(DEMO_YEAR, out, today=DEMO_TODAY), stats


def test_round_trip_the_township_sees_the_branch_s_own_statistics(demo: Path, tmp_path: Path):
    usb = tmp_path / "U盘-青山村"
    usb.mkdir()
    bundle = export_bundle(DEMO_YEAR, usb, today=DEMO_TODAY)
    own = compute_statistics(load_year(DEMO_YEAR), today=DEMO_TODAY)
    assert verify_bundle(bundle).ok

    steps: list[tuple[int, int]] = []
    out = tmp_path / "乡镇汇总.xlsx"
    result = aggregate_bundles(
        [bundle], out, progress=lambda d, t, s="": steps.append((d, t)), today=DEMO_TODAY
    )

    assert result.ok and result.out_path == out and not out.with_name(out.name + ".part").exists()
    assert steps[-1][0] == steps[-1][1]
    row = _summary_rows(out)["中共青山村支部委员会"]
    assert {k: row[k] for k in _expected_row(own)} == _expected_row(own)
    assert row["年度"] == DEMO_YEAR and row["报送包"] == bundle.name
    # The demo has someone at 3+ and someone at 6+ misses: the columns are not trivially zero.
    assert row["累计未参加3次及以上（人）"] >= 2 and row["累计未参加6次及以上（人）"] >= 1


def test_bad_bundles_are_listed_with_reasons_and_the_rest_still_summed(demo: Path, tmp_path: Path):
    inbox = tmp_path / "收件"
    inbox.mkdir()
    good = export_bundle(DEMO_YEAR, inbox, today=DEMO_TODAY)
    qingshan = compute_statistics(load_year(DEMO_YEAR), today=DEMO_TODAY)
    baishi_bundle, baishi = _second_branch(tmp_path)
    shutil.copy(baishi_bundle, inbox)

    truncated = inbox / "中共黄岭村支部委员会-2026-党日活动.zip"
    truncated.write_bytes(good.read_bytes()[:100_000])
    tampered = inbox / "中共红星社区支部委员会-2026-党日活动.zip"
    shutil.copy(good, tampered)
    with zipfile.ZipFile(tampered, "a") as zf:
        zf.writestr("records/99-2026-12-31.pdf", b"%PDF added afterwards")

    out = tmp_path / "汇总.xlsx"
    result = aggregate_bundles([inbox], out, today=DEMO_TODAY)  # a folder: every .zip in it

    assert not result.ok
    assert sorted(r.path.name for r in result.rejected) == sorted([truncated.name, tampered.name])
    rows = _summary_rows(out)
    assert set(rows) == {"中共青山村支部委员会", "中共白石村支部委员会"}
    for name, stats in (("中共青山村支部委员会", qingshan), ("中共白石村支部委员会", baishi)):
        assert {k: rows[name][k] for k in _expected_row(stats)} == _expected_row(stats)
    assert rows["中共白石村支部委员会"]["无活动月份"] == "9月、10月"

    ws = load_workbook(out)[SHEET_REJECTED]
    header = [c.value for c in ws[1]]
    assert tuple(header) == REJECTED_HEADERS
    rejected = [
        dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)
    ]
    # The truncated one is named by its file name (its manifest is unreadable), with what to do.
    assert any(
        r["报送包"] == truncated.name
        and r["党组织"] == "中共黄岭村支部委员会"
        and r["年度"] == 2026
        and r["情况"] == "未通过校验"
        and "不完整" in r["原因"]
        and r["处理办法"].startswith("请重新从U盘复制该文件")
        for r in rejected
    )
    assert any(
        r["报送包"] == tampered.name
        and r["包内文件"] == "records/99-2026-12-31.pdf"
        and "多余文件" in r["原因"]
        and "请该支部重新导出报送包" in r["处理办法"]
        for r in rejected
    )
    summary = load_workbook(out)[SHEET_SUMMARY]
    total = next(r for r in summary.iter_rows(values_only=True) if r[0] == "合计")
    assert total[SUMMARY_HEADERS.index("计划次数")] == qingshan.branch.planned + baishi.branch.planned
    assert total[SUMMARY_HEADERS.index("已开展次数")] == qingshan.branch.held + baishi.branch.held


def test_an_older_duplicate_from_the_same_branch_is_set_aside(demo: Path, tmp_path: Path):
    first = tmp_path / "第一次"
    second = tmp_path / "第二次"
    first.mkdir()
    second.mkdir()
    older = export_bundle(DEMO_YEAR, first, today=DEMO_TODAY)
    newer = export_bundle(DEMO_YEAR, second, today=DEMO_TODAY)

    result = aggregate_bundles([older, newer], tmp_path / "汇总.xlsx", today=DEMO_TODAY)
    assert result.ok  # a duplicate is not a failure
    assert len(result.rows) == 1
    assert [(r.path, r.duplicate) for r in result.rejected] == [(older, True)]
    assert "重复" in result.rejected[0].problems[0][1]


def test_cli_aggregate_writes_the_workbook_and_exits_1_when_a_bundle_is_bad(
    demo: Path, tmp_path: Path, capsys
):
    from app.cli import main

    good = export_bundle(DEMO_YEAR, tmp_path, today=DEMO_TODAY)
    bad = tmp_path / "坏包.zip"
    bad.write_bytes(b"PK\x03\x04 this is not really a zip")
    out = tmp_path / "汇总.xlsx"

    assert main(["aggregate", str(good), "--out", str(out)]) == 0
    assert main(["aggregate", str(tmp_path / "*.zip"), "--out", str(out)]) == 1
    _, err = capsys.readouterr()
    assert "坏包.zip" in err and "不是有效的 zip" in err
    assert "中共青山村支部委员会" in _summary_rows(out)

    assert main(["aggregate", str(tmp_path / "没有这个文件夹" / "*.zip"), "--out", str(out)]) == 2
