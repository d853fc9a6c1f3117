"""Every workbook the app writes stores text as text, never as a formula, and writes whatever is
stored even when it holds control characters (docs/formats.md "Workbooks"): statistics.xlsx (the
统计 page, `stats --xlsx`, the bundle), the roster export and the township's 汇总.xlsx."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import shutil
import zipfile
from pathlib import Path

from openpyxl import load_workbook

from app.bundle.write import export_bundle
from app.models import Activity, Branch, Member, TalkReminder
from app.reports.statistics_xlsx import write_statistics_xlsx
from app.reports.township_xlsx import (
    SHEET_REJECTED,
    SHEET_SUMMARY,
    SHEET_TALKS,
    write_township_xlsx,
)
from app.services.evaluation import record_talk, talks_for_year
from app.services.ledger import load_year
from app.services.roster_export import export_roster
from app.services.statistics import compute_statistics
from app.township.aggregate import (
    AggregateResult,
    BranchSummary,
    RejectedBundle,
    ReminderRow,
    aggregate_bundles,
)
from tests.conftest import DEMO_TODAY, DEMO_YEAR

# What a spreadsheet program would evaluate if the cell were a formula.
FORMULAS = ['=HYPERLINK("x","y")', "@SUM(A1)", "-1+2", "+1+1", '=cmd|"/c calc"!A1']
CONTROLS = "\x01\x07\x00"
_CELL_FORMULA = re.compile(rb"<(?:\w+:)?f[ >]")  # a <f> element in a sheet's XML


def assert_no_formula(workbook: Path | bytes) -> list[str]:
    """No cell of any sheet is a formula, by openpyxl's reading and in the sheets' XML itself;
    returns every text in the workbook."""
    raw = workbook if isinstance(workbook, bytes) else Path(workbook).read_bytes()
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                assert not _CELL_FORMULA.search(zf.read(name)), name
    texts = []
    for ws in load_workbook(io.BytesIO(raw)).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    return texts


def _store_hostile_ledger(with_controls: bool) -> None:
    """What may already be stored: texts a spreadsheet would take for formulas, and (from before
    names were checked) control characters. Written straight to the tables, as old data is."""
    bad = CONTROLS if with_controls else ""
    Branch.update(name=f'=HYPERLINK("x","y"){bad}青山村', superior_org=f"@SUM(A1){bad}").execute()
    for i, m in enumerate(Member.select().order_by(Member.id)):
        name = f"{FORMULAS[i % len(FORMULAS)][:12]}{bad}{m.name}"
        Member.update(name=name, phone="-1+2", note=f"+1+1{bad}").where(Member.id == m.id).execute()
    for i, a in enumerate(Activity.select().order_by(Activity.id)):
        theme = f"{FORMULAS[i % len(FORMULAS)]}{bad}学习党章"
        Activity.update(theme=theme).where(Activity.id == a.id).execute()


def _hostile_talk(with_controls: bool) -> None:
    bad = CONTROLS if with_controls else ""
    member = Member.select().order_by(Member.id).first()
    talk = record_talk(member.id, DEMO_YEAR, dt.date(DEMO_YEAR, 8, 3), "王建国", "谈话")
    TalkReminder.update(talker=f"@SUM(A1){bad}", note=f'=HYPERLINK("x","y"){bad}').where(
        TalkReminder.id == talk.talk_id
    ).execute()


def test_statistics_workbook_of_a_ledger_full_of_formulas_and_control_characters(demo, tmp_path):
    _store_hostile_ledger(with_controls=True)
    _hostile_talk(with_controls=True)
    stats = compute_statistics(load_year(DEMO_YEAR), today=DEMO_TODAY)
    out = write_statistics_xlsx(stats, tmp_path / "统计表.xlsx", talks_for_year(DEMO_YEAR))
    texts = assert_no_formula(out)
    # The texts are there, as text, with the control characters dropped.
    assert any(t.startswith('=HYPERLINK("x","y")学习党章') for t in texts)
    assert any(t.startswith('=HYPERLINK("x","y")青山村') for t in texts)  # the title
    assert "@SUM(A1)" in texts and '=HYPERLINK("x","y")' in texts  # talker, note
    assert not any(c in t for t in texts for c in CONTROLS)


def test_roster_export_of_hostile_names_holds_no_formula(demo, tmp_path):
    _store_hostile_ledger(with_controls=True)
    texts = assert_no_formula(export_roster(tmp_path / "花名册.xlsx"))
    assert "-1+2" in texts and "+1+1" in texts
    assert any(t.startswith('=HYPERLINK("') for t in texts)


def _hostile_result(tmp_path: Path) -> AggregateResult:
    """An aggregate whose every text field, as a forged bundle could fill it, is hostile."""
    f = FORMULAS[0] + CONTROLS
    reminder = ReminderRow(f"@SUM(A1){CONTROLS}", f"-1+2{CONTROLS}", 3, True, f, late=True)
    row = BranchSummary(
        bundle=f"{f}.zip",
        branch=f,
        superior_org=f"@SUM(A1){CONTROLS}",
        year=DEMO_YEAR,
        created_at=f"=NOW(){CONTROLS}",
        planned=12,
        held=11,
        months_without_activity=(12,),
        attendance_rate=0.9,
        overdue_records=1,
        talk_reminder=1,
        talked=0,
        unqualified_basis=1,
        members=20,
        reminders=(reminder,),
    )
    rejected = RejectedBundle(
        tmp_path / f"+1+1{CONTROLS}-2026-党日活动.zip",
        [(f"records/{f}.pdf", f"-1+2{CONTROLS}"), ("data.json", f"@SUM(A1){CONTROLS}")],
        branch=f,
        year=DEMO_YEAR,
    )
    return AggregateResult(tmp_path / "汇总.xlsx", [row], [rejected], DEMO_YEAR)


def test_township_workbook_stores_every_text_of_a_forged_bundle_as_text(tmp_path):
    result = _hostile_result(tmp_path)
    texts = assert_no_formula(write_township_xlsx(result, result.out_path))
    assert '=HYPERLINK("x","y")' in texts  # the branch, on all three sheets
    assert "=NOW()" in texts  # created_at
    assert 'records/=HYPERLINK("x","y").pdf' in texts and "+1+1-2026-党日活动.zip" in texts
    assert not any(c in t for t in texts for c in CONTROLS)
    wb = load_workbook(result.out_path)
    assert wb[SHEET_SUMMARY]["B3"].value == '=HYPERLINK("x","y")'
    assert wb[SHEET_TALKS]["B3"].value == "@SUM(A1)" and wb[SHEET_TALKS]["C3"].value == "-1+2"
    assert wb[SHEET_REJECTED]["F2"].value == "-1+2"


def test_a_bundle_of_formula_names_is_summed_with_its_names_as_text(demo, tmp_path):
    _store_hostile_ledger(with_controls=False)
    _hostile_talk(with_controls=False)
    inbox = tmp_path / "收件"
    inbox.mkdir()
    bundle = export_bundle(DEMO_YEAR, inbox, today=DEMO_TODAY)
    with zipfile.ZipFile(bundle) as zf:
        assert_no_formula(zf.read("statistics.xlsx"))
    out = tmp_path / "汇总.xlsx"
    result = aggregate_bundles([inbox], out, today=DEMO_TODAY)
    assert result.ok and len(result.rows) == 1
    texts = assert_no_formula(out)
    assert '=HYPERLINK("x","y")青山村' in texts and "@SUM(A1)" in texts


def _forge(good: Path, target: Path, branch: str, extra_entry: str) -> Path:
    """`good` with another branch name in data.json and the manifest, every listed file with
    its true hash, and one entry the manifest does not list."""
    with zipfile.ZipFile(good) as zf:
        entries = {i.filename: zf.read(i) for i in zf.infolist()}
    doc = json.loads(entries["data.json"])
    doc["branch"]["name"] = branch
    entries["data.json"] = json.dumps(doc, ensure_ascii=False).encode()
    manifest = json.loads(entries["manifest.json"])
    manifest["branch"]["name"] = branch
    listed = {f["path"] for f in manifest["files"]}
    manifest["files"] = [
        {"path": n, "sha256": hashlib.sha256(c).hexdigest(), "bytes": len(c)}
        for n, c in entries.items()
        if n in listed
    ]
    entries["manifest.json"] = json.dumps(manifest, ensure_ascii=False).encode()
    entries[extra_entry] = b"x"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in entries.items():
            zf.writestr(name, content)
    return target


def test_aggregate_writes_the_workbook_for_the_good_ones_beside_a_control_character(demo, tmp_path):
    """One bundle with \\x01 in its branch name and in an entry name: it is listed with its
    reasons, the good one is summed, and the workbook is written."""
    inbox = tmp_path / "收件"
    inbox.mkdir()
    good = export_bundle(DEMO_YEAR, inbox, today=DEMO_TODAY)
    hostile = "中共\x01黄岭村支部委员会"
    forged = _forge(
        good,
        tmp_path / "黄岭村-2026-党日活动.zip",
        hostile,
        '=HYPERLINK("x","y")\x01.pdf',
    )
    shutil.move(forged, inbox / forged.name)
    out = tmp_path / "汇总.xlsx"
    result = aggregate_bundles([inbox], out, today=DEMO_TODAY)
    assert [r.branch for r in result.rows] == ["中共青山村支部委员会"]
    (bad,) = result.failed
    assert bad.path.name == forged.name
    assert any(f == '=HYPERLINK("x","y")\x01.pdf' for f, _ in bad.problems)
    texts = assert_no_formula(out)
    assert "中共青山村支部委员会" in texts
    assert "中共黄岭村支部委员会" in texts and '=HYPERLINK("x","y").pdf' in texts
    assert not any("\x01" in t for t in texts)
