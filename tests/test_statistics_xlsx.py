"""The statistics workbook: three formatted sheets carrying exactly the computed figures."""

from __future__ import annotations

import datetime as dt

from openpyxl import load_workbook

from app.models import Activity, AnnualPlan, Attendance, Member
from app.reports.statistics_xlsx import write_statistics_xlsx
from app.services.ledger import load_year
from app.services.statistics import compute_statistics
from tests.conftest import DEMO_TODAY, DEMO_YEAR

YEAR = 2025


def _crafted_year() -> dict[str, Member]:
    plan = AnnualPlan.create(year=YEAR)
    people = {
        "ok": Member.create(name="周晓燕"),
        "talk": Member.create(name="马俊杰"),
        "basis": Member.create(name="谢长顺", left_date=dt.date(YEAR, 9, 1), left_reason="转出"),
    }
    for month in range(1, 12):  # December is planned but not held
        held = dt.date(YEAR, month, 5) if month < 12 else None
        a = Activity.create(
            plan=plan,
            plan_date=dt.date(YEAR, month, 5),
            held_date=held,
            theme=f"{month}月：学习党章党规，通报村务",
            submitted_date=dt.date(YEAR, month, 6) if month != 3 else None,
        )
        Attendance.create(activity=a, member=people["ok"], status="出席")
        Attendance.create(
            activity=a, member=people["talk"], status="请假" if month <= 3 else "线上参加"
        )
        if month < 9:
            Attendance.create(activity=a, member=people["basis"], status="缺席")
    Activity.create(plan=plan, plan_date=dt.date(YEAR, 12, 5), theme="12月：民主评议党员")
    return people


def _rows(ws, first: int = 4) -> list[tuple]:
    return [r for r in ws.iter_rows(min_row=first, values_only=True) if r[0] is not None]


def test_workbook_has_member_activity_and_summary_sheets_with_the_same_figures(branch, tmp_path):
    _crafted_year()
    stats = compute_statistics(load_year(YEAR), today=dt.date(2026, 2, 1))
    out = tmp_path / "usb" / "统计表.xlsx"

    assert write_statistics_xlsx(stats, out) == out
    assert [p.name for p in out.parent.iterdir()] == ["统计表.xlsx"]  # no temp file left

    wb = load_workbook(out)
    assert wb.sheetnames == ["支部汇总", "党员情况", "活动情况"]

    members = wb["党员情况"]
    headers = [c.value for c in members[3]]
    rows = {r[1]: dict(zip(headers, r, strict=False)) for r in _rows(members) if r[1]}
    assert rows["谢长顺"]["应参加"] == 8 and rows["谢长顺"]["缺席"] == 8
    assert rows["谢长顺"]["离开日期"].date() == dt.date(YEAR, 9, 1)
    assert "不合格党员认定依据" in rows["谢长顺"]["提示"] and "不是结论" in rows["谢长顺"]["提示"]
    assert (rows["马俊杰"]["请假"], rows["马俊杰"]["未参加次数"], rows["马俊杰"]["提示"]) == (
        3,
        3,
        "谈话提醒",
    )
    assert rows["周晓燕"]["参加率"] == 1.0 and rows["周晓燕"]["提示"] in (None, "")
    # Highlighted rows, percent format, frozen header.
    basis_row = next(r for r in members.iter_rows(min_row=4) if r[1].value == "谢长顺")
    talk_row = next(r for r in members.iter_rows(min_row=4) if r[1].value == "马俊杰")
    assert basis_row[0].fill.fgColor.rgb.endswith("F8CBAD")
    assert talk_row[0].fill.fgColor.rgb.endswith("FFF2CC")
    assert basis_row[headers.index("参加率")].number_format == "0.0%"
    assert members.freeze_panes == "C4"
    assert members["A1"].value.startswith("中共青山村支部委员会　2025年")

    acts = wb["活动情况"]
    a_headers = [c.value for c in acts[3]]
    a_rows = [dict(zip(a_headers, r, strict=False)) for r in _rows(acts)]
    assert len(a_rows) == 12
    assert [r["报送情况"] for r in a_rows].count("逾期未报送") == 1  # March
    assert a_rows[2]["报送情况"] == "逾期未报送" and a_rows[0]["报送情况"] == "按时报送"
    assert a_rows[11]["报送情况"] == "未开展" and a_rows[11]["应参加"] is None
    assert (a_rows[0]["应参加"], a_rows[0]["实际参加"]) == (3, 1)
    assert a_rows[0]["参加率"] == stats.activities[0].rate

    summary = {r[0]: r[1] for r in _rows(wb["支部汇总"])}
    assert (summary["计划活动次数"], summary["已开展次数"]) == (12, 11)
    assert summary["无活动月份"] == "12月"
    assert summary["报送逾期（活动后3日内未报送）"] == 1
    assert summary["平均参加率"] == stats.branch.attendance_rate
    assert "不得评先选优" in summary["评先评优"]
    assert "马俊杰（3次）" in summary["谈话提醒（累计未参加3次及以上）"]
    assert summary["参加情况：缺席"] == 8


def test_workbook_from_the_demo_overwrites_an_old_one(demo, tmp_path):
    out = tmp_path / "统计表.xlsx"
    out.write_bytes(b"old, not a workbook")
    stats = compute_statistics(load_year(DEMO_YEAR), today=DEMO_TODAY)

    write_statistics_xlsx(stats, out)

    wb = load_workbook(out)
    member_rows = [r for r in _rows(wb["党员情况"]) if isinstance(r[0], int)]
    assert [r[0] for r in member_rows] == [m.member_id for m in stats.members]
    assert sum(r[4] for r in member_rows) == sum(m.expected for m in stats.members)
    assert len(_rows(wb["活动情况"])) == stats.branch.planned
