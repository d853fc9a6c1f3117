"""谈话提醒 in the statistics workbook (rule 8, seed 四.2): every member at 3+ times not taking part
is listed with the talk the branch recorded, or a highlighted 未谈话; the bundle carries the talk
records in data.json, and bundles made before that still verify and sum."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from pathlib import Path

from openpyxl import load_workbook

from app.bundle.signature import sign_manifest
from app.bundle.write import export_bundle
from app.models import Member, vocab
from app.reports.statistics_xlsx import NO_TALK_FILL, write_statistics_xlsx
from app.reports.township_xlsx import SHEET_SUMMARY, header_name
from app.services.evaluation import record_talk, set_talk_state, talks_for_year
from app.services.ledger import load_year
from app.services.statistics import compute_statistics
from app.signing import key_of_open_ledger
from app.township.aggregate import aggregate_bundles
from app.township.verify import verify_bundle
from tests.conftest import DEMO_TODAY, DEMO_YEAR


def _member(name: str) -> Member:
    return Member.get(Member.name == name)


def _talk_with_ma_junjie() -> None:
    """The demo's 马俊杰 (3 times) had his talk; 谢长顺 (6+) has not had one yet."""
    talk = record_talk(
        _member("马俊杰").id,
        DEMO_YEAR,
        dt.date(DEMO_YEAR, 8, 3),
        "王建国（支部书记）",
        "说明每月参加党日活动的要求，本人表示今后按时参加",
        deadline=dt.date(DEMO_YEAR, 12, 31),
    )
    assert talk.state == vocab.TALK_PENDING


def _sheet_rows(ws, header_row: int = 3) -> list[dict]:
    header = [c.value for c in ws[header_row]]
    return [
        dict(zip(header, r, strict=False))
        for r in ws.iter_rows(min_row=header_row + 1, values_only=True)
        if isinstance(r[0], int)
    ]


def test_talk_sheet_lists_each_member_due_a_talk_with_the_talk_or_no_talk(demo, tmp_path):
    _talk_with_ma_junjie()
    stats = compute_statistics(load_year(DEMO_YEAR), today=DEMO_TODAY)
    out = write_statistics_xlsx(stats, tmp_path / "统计表.xlsx", talks_for_year(DEMO_YEAR))

    wb = load_workbook(out)
    assert wb.sheetnames == ["支部汇总", "党员情况", "谈话提醒", "活动情况"]
    ws = wb["谈话提醒"]
    rows = {r["姓名"]: r for r in _sheet_rows(ws)}
    assert set(rows) == {m.name for m in stats.talk_reminder}  # everyone at 3+, nobody else
    ma = rows["马俊杰"]
    assert ma["未参加次数"] == 3 and ma["其中缺席"] == 2 and ma["其中请假"] == 1
    assert ma["谈话日期"].date() == dt.date(DEMO_YEAR, 8, 3)
    assert ma["谈话人"] == "王建国（支部书记）" and "按时参加" in ma["谈话内容"]
    assert ma["整改期限"].date() == dt.date(DEMO_YEAR, 12, 31)
    assert ma["整改情况"] == "待整改（期限 2026-12-31）"
    xie = rows["谢长顺"]
    assert xie["谈话日期"] == "未谈话" and xie["谈话人"] is None
    assert "不合格党员认定依据" in xie["提示"]
    # 未谈话 stands out: the whole row in red, the cell in bold red.
    xie_row = next(r for r in range(4, ws.max_row + 1) if ws.cell(r, 2).value == "谢长顺")
    assert ws.cell(xie_row, 8).font.b and ws.cell(xie_row, 8).font.color.rgb.endswith("C00000")
    assert ws.cell(xie_row, 1).fill.fgColor.rgb.endswith(NO_TALK_FILL.fgColor.rgb[-6:])
    ma_row = next(r for r in range(4, ws.max_row + 1) if ws.cell(r, 2).value == "马俊杰")
    assert ws.cell(ma_row, 8).number_format == "yyyy-mm-dd"
    assert ws.print_title_rows == "$3:$3" and ws.freeze_panes == "C4"

    members = {r["姓名"]: r for r in _sheet_rows(wb["党员情况"])}
    assert members["马俊杰"]["谈话提醒情况"].startswith("2026-08-03 王建国（支部书记）谈话；待整改")
    assert members["谢长顺"]["谈话提醒情况"] == "未谈话"
    assert members["周晓燕"]["谈话提醒情况"] in (None, "")

    summary = {r[0]: r[1] for r in wb["支部汇总"].iter_rows(min_row=4, values_only=True)}
    due = len(stats.talk_reminder)
    assert summary["谈话提醒完成情况"].startswith(f"应谈话 {due} 人，已谈话 1 人，未谈话：")
    assert "谢长顺" in summary["谈话提醒完成情况"]


def test_a_talk_past_its_deadline_still_pending_is_flagged_and_a_corrected_one_is_not(
    demo, tmp_path
):
    _talk_with_ma_junjie()
    late = record_talk(
        _member("谢长顺").id,
        DEMO_YEAR,
        dt.date(DEMO_YEAR, 6, 1),
        "王建国",
        deadline=dt.date(DEMO_YEAR, 7, 1),
    )
    stats = compute_statistics(load_year(DEMO_YEAR), today=DEMO_TODAY)
    out = write_statistics_xlsx(stats, tmp_path / "a.xlsx", talks_for_year(DEMO_YEAR))
    rows = {r["姓名"]: r for r in _sheet_rows(load_workbook(out)["谈话提醒"])}
    assert rows["谢长顺"]["整改情况"] == "待整改，已过整改期限 2026-07-01"
    summary = {r[0]: r[1] for r in load_workbook(out)["支部汇总"].iter_rows(values_only=True)}
    assert summary["谈话提醒完成情况"].endswith("逾期未整改：谢长顺")

    set_talk_state(late.talk_id, vocab.TALK_DONE)
    stats = compute_statistics(load_year(DEMO_YEAR), today=DEMO_TODAY)
    out = write_statistics_xlsx(stats, tmp_path / "b.xlsx", talks_for_year(DEMO_YEAR))
    rows = {r["姓名"]: r for r in _sheet_rows(load_workbook(out)["谈话提醒"])}
    assert rows["谢长顺"]["整改情况"] == "已整改"


def test_without_talk_records_nobody_is_called_untalked(demo, tmp_path):
    """Talk records not given (not known): no 谈话提醒 sheet, no column — never a false 未谈话."""
    stats = compute_statistics(load_year(DEMO_YEAR), today=DEMO_TODAY)
    wb = load_workbook(write_statistics_xlsx(stats, tmp_path / "统计表.xlsx"))
    assert wb.sheetnames == ["支部汇总", "党员情况", "活动情况"]
    assert "谈话提醒情况" not in [c.value for c in wb["党员情况"][3]]


def test_a_year_without_anyone_due_a_talk_says_so(branch, tmp_path):
    from app.services.plan import create_plan

    create_plan(2025)
    stats = compute_statistics(load_year(2025), today=dt.date(2025, 2, 1))
    wb = load_workbook(write_statistics_xlsx(stats, tmp_path / "x.xlsx", talks_for_year(2025)))
    assert "没有累计未参加3次及以上" in wb["谈话提醒"]["A4"].value


def test_cli_stats_xlsx_carries_the_talks(demo, tmp_path, capsys):
    from app.cli import main

    _talk_with_ma_junjie()
    out = tmp_path / "统计.xlsx"
    assert main(["stats", "--year", str(DEMO_YEAR), "--xlsx", str(out)]) == 0
    rows = {r["姓名"]: r for r in _sheet_rows(load_workbook(out)["谈话提醒"])}
    assert rows["马俊杰"]["谈话人"] == "王建国（支部书记）"


# --- the bundle -------------------------------------------------------------------------------
def _entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def _rewrite_data(bundle: Path, out: Path, change) -> Path:
    """data.json changed by `change(doc)` and the manifest's hash updated, as a real export of
    that content would be."""
    entries = _entries(bundle)
    doc = json.loads(entries["data.json"])
    change(doc)
    entries["data.json"] = json.dumps(doc, ensure_ascii=False).encode()
    manifest = json.loads(entries["manifest.json"])
    for f in manifest["files"]:
        content = entries[f["path"]]
        f["sha256"], f["bytes"] = hashlib.sha256(content).hexdigest(), len(content)
    entries["manifest.json"] = json.dumps(manifest, ensure_ascii=False).encode()
    entries["manifest.sig"] = sign_manifest(entries["manifest.json"], key_of_open_ledger())
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in entries.items():
            zf.writestr(name, content)
    return out


def test_the_bundle_carries_the_talks_in_data_json_and_in_its_workbook(demo, tmp_path):
    _talk_with_ma_junjie()
    bundle = export_bundle(DEMO_YEAR, tmp_path, today=DEMO_TODAY)
    entries = _entries(bundle)
    talks = json.loads(entries["data.json"])["talks"]
    assert talks == [
        {
            "member_id": _member("马俊杰").id,
            "talk_date": "2026-08-03",
            "talker": "王建国（支部书记）",
            "note": "说明每月参加党日活动的要求，本人表示今后按时参加",
            "deadline": "2026-12-31",
            "state": "待整改",
        }
    ]
    xlsx = tmp_path / "statistics.xlsx"
    xlsx.write_bytes(entries["statistics.xlsx"])
    assert "谈话提醒" in load_workbook(xlsx).sheetnames


def test_an_older_bundle_without_talks_still_verifies_and_sums(demo, tmp_path):
    """Bundles exported before the talks were added have no "talks" key: still intact; the
    township's column says the talks are not attached rather than counting nobody as talked."""
    _talk_with_ma_junjie()
    usb = tmp_path / "usb"
    usb.mkdir()
    bundle = export_bundle(DEMO_YEAR, usb, today=DEMO_TODAY)
    old = _rewrite_data(bundle, tmp_path / "旧版.zip", lambda doc: doc.pop("talks"))
    assert "talks" not in json.loads(_entries(old)["data.json"])
    assert verify_bundle(old).ok

    out = tmp_path / "汇总.xlsx"
    result = aggregate_bundles([old], out, today=DEMO_TODAY)
    assert result.ok and result.rows[0].talked is None
    new = aggregate_bundles([bundle], tmp_path / "汇总2.xlsx", today=DEMO_TODAY)
    assert new.rows[0].talked == 1

    def column(path: Path, name: str):
        ws = load_workbook(path)[SHEET_SUMMARY]
        header = [header_name(c.value) for c in ws[2]]  # printed in lines (HEADER_LINES)
        return ws.cell(3, header.index(name) + 1).value

    assert column(out, "其中已谈话（人）") == "未附"
    assert column(tmp_path / "汇总2.xlsx", "其中已谈话（人）") == 1


def test_talk_records_that_do_not_fit_the_roll_are_named(demo, tmp_path):
    _talk_with_ma_junjie()
    bundle = export_bundle(DEMO_YEAR, tmp_path, today=DEMO_TODAY)

    def stranger(doc):
        doc["talks"][0]["member_id"] = 9999

    def bad_state(doc):
        doc["talks"][0]["state"] = "已处理"
        doc["talks"][0]["talk_date"] = "2026-8-3"

    report = verify_bundle(_rewrite_data(bundle, tmp_path / "a.zip", stranger))
    assert ("data.json", "第 1 条谈话提醒记录引用了不存在的党员（member_id=9999）") in (
        report.problems
    )
    reasons = [
        r for _, r in verify_bundle(_rewrite_data(bundle, tmp_path / "b.zip", bad_state)).problems
    ]
    assert any("整改状态“已处理”" in r for r in reasons)
    assert any("talk_date" in r for r in reasons)
    report = verify_bundle(_rewrite_data(bundle, tmp_path / "c.zip", lambda d: d.update(talks=5)))
    assert ("data.json", "谈话提醒记录（talks）不是列表") in report.problems


def test_cli_stats_text_and_json_tell_how_far_the_talks_have_got(demo, capsys):
    from app.cli import main

    _talk_with_ma_junjie()
    assert main(["stats", "--year", str(DEMO_YEAR)]) == 0
    out = capsys.readouterr().out
    assert "谈话提醒完成情况：应谈话" in out and "已谈话 1 人，未谈话：" in out
    assert main(["stats", "--year", str(DEMO_YEAR), "--json"]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert [t["talker"] for t in obj["talks"]] == ["王建国（支部书记）"]
    assert obj["talk_reminder"]  # the documented keys are all still there


def test_the_township_lists_each_member_due_a_talk_with_the_branch_s_talk(demo, tmp_path):
    from app.reports.township_xlsx import SHEET_TALKS, TALK_HEADERS

    _talk_with_ma_junjie()
    usb = tmp_path / "usb"
    usb.mkdir()
    bundle = export_bundle(DEMO_YEAR, usb, today=DEMO_TODAY)
    old = _rewrite_data(bundle, tmp_path / "旧版.zip", lambda doc: doc.pop("talks"))
    stats = compute_statistics(load_year(DEMO_YEAR), today=DEMO_TODAY)

    out = tmp_path / "汇总.xlsx"
    aggregate_bundles([bundle], out, today=DEMO_TODAY)
    wb = load_workbook(out)
    assert wb.sheetnames == ["汇总", SHEET_TALKS, "未汇总的报送包", "未报送的党组织"]
    ws = wb[SHEET_TALKS]
    assert tuple(c.value for c in ws[2]) == TALK_HEADERS
    rows = {r[1]: r for r in ws.iter_rows(min_row=3, values_only=True)}
    assert set(rows) == {m.name for m in stats.talk_reminder}
    assert rows["马俊杰"][0] == "中共青山村支部委员会" and rows["马俊杰"][3] == 3
    assert rows["马俊杰"][5] == "2026-08-03 谈话；待整改（期限 2026-12-31）"
    assert rows["谢长顺"][5] == "未谈话" and "不合格党员认定依据" in rows["谢长顺"][4]
    xie = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 2).value == "谢长顺")
    assert ws.cell(xie, 6).font.color.rgb.endswith("C00000")
    assert ws.print_title_rows == "$2:$2" and ws.page_setup.orientation == "landscape"

    aggregate_bundles([old], out, today=DEMO_TODAY)  # made before talks travelled: 未附
    rows = {r[1]: r for r in load_workbook(out)[SHEET_TALKS].iter_rows(min_row=3, values_only=True)}
    assert rows["马俊杰"][5] == "未附" and rows["谢长顺"][5] == "未附"
