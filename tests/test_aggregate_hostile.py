"""The township's batch over bundles an attacker made: each bad bundle is named on the workbook's
sheet with its reasons (at most 50 a bundle and a count), and the good ones are summed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.bundle.read import MAX_PROBLEMS
from app.reports.township_xlsx import REJECTED_HEADERS, SHEET_REJECTED, SHEET_SUMMARY
from app.township.aggregate import aggregate_bundles
from app.township.verify import verify_bundle
from tests.conftest import DEMO_TODAY, DEMO_YEAR
from tests.hostile_bundles import (
    entries_of,
    export_demo,
    held_activity,
    overlap_bomb,
    relist,
    with_data,
    with_entry,
    with_unicode_path,
    write_zip,
)

PROBLEMS = 10_000


@pytest.fixture(scope="module")
def good_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_demo(tmp_path_factory.mktemp("branch"))


def _ten_thousand_problems(doc) -> None:
    """Attendance rows for 10,000 members nobody listed: one problem each."""
    held_activity(doc)["attendance"] += [
        {"member_id": 100_000 + i, "status": "出席", "reason": ""} for i in range(PROBLEMS)
    ]


def _branch_renamed(good: Path, out: Path, name: str) -> Path:
    entries = entries_of(good)
    for key in ("data.json", "manifest.json"):
        doc = json.loads(entries[key])
        doc["branch"]["name"] = name
        entries[key] = json.dumps(doc, ensure_ascii=False).encode()
    relist(entries)
    return write_zip(out, entries)


def test_ten_thousand_problems_are_reported_as_fifty_and_a_count(good_bundle, tmp_path):
    bad = with_data(good_bundle, tmp_path / "crafted-2026-党日活动.zip", _ten_thousand_problems)
    assert bad.stat().st_size < 2 * 1024 * 1024
    report = verify_bundle(bad)
    assert len(report.problems) == MAX_PROBLEMS + 1
    assert report.total >= PROBLEMS
    file, last = report.problems[-1]
    assert file == bad.name and last.startswith(f"另有 {report.total - MAX_PROBLEMS} 个问题")
    assert f"（{report.total} 个问题）" in report.summary()

    out = aggregate_bundles([bad], tmp_path / "汇总.xlsx")
    (rejected,) = out.rejected
    assert len(rejected.problems) == MAX_PROBLEMS + 1
    rows = list(load_workbook(out.out_path, read_only=True)[SHEET_REJECTED].values)[1:]
    assert len(rows) == MAX_PROBLEMS + 1 and "另有" in rows[-1][REJECTED_HEADERS.index("原因")]


def _hostile_folder(good: Path, folder: Path) -> dict[str, str]:
    """One bundle of each hostile kind in `folder`; {file name: a phrase of its reason}."""
    kinds: dict[str, str] = {}

    def put(name: str, phrase: str) -> Path:
        kinds[name] = phrase
        return folder / name

    with_data(good, put("quadratic-2026-党日活动.zip", "另有"), _ten_thousand_problems)
    with_entry(good, put("ctrl-entry-2026-党日活动.zip", "控制字符"), "attachments/a\x01.jpg", b"x")
    _branch_renamed(good, put("ctrl-branch-2026-党日活动.zip", "控制字符"), "中共\x01支部")
    with_entry(good, put("nfd-2026-党日活动.zip", "标准写法"), "attachments/e\u0301.jpg", b"x")
    with_entry(good, put("dot-2026-党日活动.zip", "以点或空格结尾"), "data.json.", b"{}")
    with_entry(good, put("stream-2026-党日活动.zip", "NTFS"), "attachments/x.jpg:evil.exe", b"MZ")
    with_entry(good, put("device-2026-党日活动.zip", "设备名"), "attachments/CON.jpg", b"x")
    with_entry(good, put("rlo-2026-党日活动.zip", "方向控制符"), "attachments/\u202egpj.exe", b"MZ")
    with_unicode_path(good, put("upath-2026-党日活动.zip", "Unicode Path"), "plan.pdf", "发票.exe")
    overlap_bomb(put("bomb-2026-党日活动.zip", "重叠压缩炸弹"))

    def reported_too_early(doc) -> None:
        act = held_activity(doc)
        act["submitted_date"] = f"{DEMO_YEAR}-01-01"

    with_data(good, put("early-2026-党日活动.zip", "报送日期不能早于开展日期"), reported_too_early)
    with_data(
        good,
        put("nan-2026-党日活动.zip", "cost"),
        lambda d: held_activity(d).update(cost=float("nan")),
    )
    put("cut-2026-党日活动.zip", "不完整").write_bytes(good.read_bytes()[:5000])
    return kinds


def test_aggregate_sums_the_good_and_names_every_hostile_bundle(good_bundle, tmp_path):
    folder = tmp_path / "U盘"
    folder.mkdir()
    kinds = _hostile_folder(good_bundle, folder)
    (folder / good_bundle.name).write_bytes(good_bundle.read_bytes())

    result = aggregate_bundles([folder], tmp_path / "汇总.xlsx", today=DEMO_TODAY)

    assert [r.bundle for r in result.rows] == [good_bundle.name]
    failed = {r.path.name: r for r in result.failed}
    assert set(failed) == set(kinds)
    for name, phrase in kinds.items():
        assert any(phrase in reason for _, reason in failed[name].problems), (name, failed[name])
        assert len(failed[name].problems) <= MAX_PROBLEMS + 1

    wb = load_workbook(result.out_path, read_only=True)
    summary_cells = {v for row in wb[SHEET_SUMMARY].values for v in row}
    assert result.rows[0].branch in summary_cells
    rejected = list(wb[SHEET_REJECTED].values)
    assert rejected[0] == REJECTED_HEADERS
    named = {row[0] for row in rejected[1:]}
    assert named == set(kinds)
