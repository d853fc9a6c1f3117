"""Every path that writes or deletes a file the secretary may have open, under Windows' rules
(tests/windows.py): a held target gives a Chinese sentence naming the program to close, the old
file stays as it was, and no `.part` or temp file is left; a scanner's brief hold is waited for;
one held file never stops a loop over many."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import time
import zipfile
from pathlib import Path

import pytest

from app import files
from app.errors import UserError
from app.models import Attachment, Member, close_database, open_database, snapshot
from app.paths import attachments_dir, backups_dir, database_path, temp_dir
from app.services import leftovers
from app.services.backup import (
    backup_to,
    check_integrity,
    create_backup,
    list_backups,
    restore,
    rotate_backups,
    set_aside_damaged,
)
from app.services.ledger import load_year
from app.services.records import add_attachment, attachments_of, remove_attachment
from app.services.trash import empty_trash, trash_activity
from tests.record_helpers import build_year

NOW = dt.datetime(2026, 11, 25, 10, 30)


def temp_files(folder: Path) -> list[str]:
    """Temp files of app/files.py left anywhere under `folder`."""
    return sorted(p.name for p in Path(folder).rglob(f"*{files.TEMP_SUFFIX}"))


def names_in(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return [r[0] for r in con.execute("SELECT name FROM member ORDER BY id")]
    finally:
        con.close()


# --- PDFs -----------------------------------------------------------------------------------
def test_plan_pdf_printed_again_while_the_old_one_is_open_in_the_reader(branch, tmp_path, windows):
    from app.reports.plan_pdf import render_plan_pdf
    from app.services import plan as plans

    plans.create_plan(2026)
    out = tmp_path / "2026年度计划.pdf"
    render_plan_pdf(load_year(2026), out, fingerprint="3F2A-91C0-7B4E-0D18")
    old = out.read_bytes()
    windows.hold(out)
    with pytest.raises(files.HeldOpen) as caught:
        render_plan_pdf(load_year(2026), out, fingerprint="3F2A-91C0-7B4E-0D18")
    message = caught.value.message
    assert "计划表" in message and out.name in message and "PDF 阅读器" in message
    assert "关闭" in message
    assert out.read_bytes() == old and temp_files(tmp_path) == []
    windows.release(out)  # the reader is closed: printing again works
    render_plan_pdf(load_year(2026), out, made_on=dt.date(2026, 3, 1), fingerprint="3F2A")
    assert out.read_bytes() != old and temp_files(tmp_path) == []


def test_record_pdf_printed_again_while_the_old_one_is_open_in_the_reader(
    branch, tmp_path, windows
):
    from app.reports.record_form import print_record

    march, _ = build_year()
    out = tmp_path / "记录表" / "2026-03-05 党日活动记录表.pdf"
    print_record(march.id, out)
    old = out.read_bytes()
    windows.hold(out)
    with pytest.raises(UserError) as caught:
        print_record(march.id, out, two_copies=True)
    assert "记录表" in caught.value.message and "PDF 阅读器" in caught.value.message
    assert out.read_bytes() == old and temp_files(tmp_path) == []


# --- attachments -----------------------------------------------------------------------------
def test_removing_an_attachment_open_in_a_viewer_keeps_row_and_file_and_says_so(
    branch, data_dir, tmp_path, windows
):
    march, _ = build_year()
    photo = tmp_path / "合影.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + os.urandom(2000))
    attachment = add_attachment(data_dir, march.id, photo, "照片")
    stored = attachments_dir(data_dir) / attachment.stored_path
    windows.hold(stored)
    with pytest.raises(UserError) as caught:
        remove_attachment(data_dir, attachment.id)
    assert "合影.jpg" in caught.value.message and "看图软件" in caught.value.message
    # Not "the row is deleted, then the error box": the list still shows what is on disk.
    assert [a.id for a in attachments_of(march.id)] == [attachment.id] and stored.is_file()
    windows.release(stored)
    remove_attachment(data_dir, attachment.id)
    assert attachments_of(march.id) == [] and not stored.exists()


# --- backups ---------------------------------------------------------------------------------
def test_backup_to_a_stick_waits_for_the_scanner_holding_the_new_zip(
    branch, data_dir, tmp_path, windows
):
    Member.create(name="张三")
    stick = tmp_path / "U盘"
    stick.mkdir()
    expected = stick / f"党日记实备份-{NOW:%Y%m%d-%H%M%S}.zip"
    windows.scan(expected, times=3)  # the scanner opens the zip the moment it appears
    made = backup_to(data_dir, stick, now=NOW)
    assert made == expected and len(windows.refused) == 3
    with zipfile.ZipFile(made) as zf:
        assert zf.testzip() is None and "dangri.sqlite3" in zf.namelist()
    assert sorted(p.name for p in stick.iterdir()) == [expected.name]
    assert not list(temp_dir(data_dir).glob("*/*"))  # the snapshot's scratch folder is gone


def test_backup_to_a_stick_whose_earlier_zip_is_held_writes_a_new_one(
    branch, data_dir, tmp_path, windows
):
    Member.create(name="张三")
    stick = tmp_path / "U盘"
    stick.mkdir()
    earlier = backup_to(data_dir, stick, now=NOW)
    before = earlier.read_bytes()
    windows.hold(earlier)  # open in a zip program
    Member.create(name="李四")
    made = backup_to(data_dir, stick, now=NOW)  # the same second: the same name would be taken
    assert made.name == f"党日记实备份-{NOW:%Y%m%d-%H%M%S}-2.zip"
    assert earlier.read_bytes() == before and temp_files(stick) == []
    with zipfile.ZipFile(made) as zf:
        zf.extract("dangri.sqlite3", tmp_path / "check")
    assert names_in(tmp_path / "check" / "dangri.sqlite3") == ["张三", "李四"]


def test_rotation_goes_on_past_a_held_backup_names_it_and_a_later_start_removes_it(
    branch, data_dir, windows
):
    from app.ui import startup

    folder = backups_dir(data_dir)
    made = [
        snapshot(folder / f"dangri-202611{day:02d}-090000-start.sqlite3") for day in range(1, 15)
    ]
    held = made[1]
    windows.hold(held)
    info = create_backup(data_dir, now=NOW)  # the 15th: five go
    assert info.rotation_left == (held,)
    assert {p for p in made if not p.exists()} == set(made[:5]) - {held}
    assert held.name in files.Removal(left=list(info.rotation_left)).left_text()
    assert rotate_backups(data_dir, now=NOW).left == [held]  # still held: still named
    windows.release(held)
    close_database()
    assert startup.check_database_on_start(data_dir)  # nothing changed: no backup, but rotation
    assert not held.exists() and len(list_backups(data_dir)) == 10


def test_emptying_the_trash_goes_on_past_a_held_photo_and_a_later_start_removes_it(
    branch, data_dir, tmp_path, windows
):
    march, april = build_year()
    photos = []
    for activity, name in ((march, "三月.jpg"), (april, "四月.jpg")):
        source = tmp_path / name
        source.write_bytes(os.urandom(500))
        photos.append(
            attachments_dir(data_dir)
            / add_attachment(data_dir, activity.id, source, "照片").stored_path
        )
        trash_activity(activity.id)
    windows.hold(photos[0])
    emptied = empty_trash(data_dir)
    assert emptied.items == 2 and emptied.left == [photos[0]]
    assert photos[0].name in emptied.message() and "下次启动" in emptied.message()
    assert photos[0].exists() and not photos[1].exists()
    windows.release(photos[0])
    leftovers.sweep(data_dir)  # what the next start does (app/ui/startup.py)
    assert not photos[0].exists() and Attachment.select().count() == 0


# --- the database file itself -----------------------------------------------------------------
def test_setting_aside_a_damaged_ledger_that_is_held_moves_nothing_and_says_which(
    branch, data_dir, windows
):
    Member.create(name="张三")
    close_database()
    db = database_path(data_dir)
    wal = db.with_name(db.name + "-wal")
    wal.write_bytes(b"a WAL of the damaged file")  # must never stay beside a new empty ledger
    windows.hold(db)  # e.g. an antivirus scan or a sync tool
    with pytest.raises(UserError) as caught:
        set_aside_damaged(data_dir, now=NOW)
    assert db.name in caught.value.message and "什么都没有改变" in caught.value.message
    assert wal.read_bytes() == b"a WAL of the damaged file"  # moved back
    assert db.exists() and not list(backups_dir(data_dir).glob("损坏-*"))
    windows.release(db)
    kept = set_aside_damaged(data_dir, now=NOW)
    assert not db.exists() and not wal.exists()
    assert kept.exists() and kept.with_name(kept.name + "-wal").exists()


def test_restore_while_the_ledger_file_is_held_changes_nothing(branch, data_dir, windows):
    Member.create(name="张三")
    good = create_backup(data_dir, now=NOW - dt.timedelta(days=1))
    Member.create(name="李四")
    windows.hold(database_path(data_dir))
    with pytest.raises(UserError) as caught:
        restore(data_dir, good.path, now=NOW)
    assert "数据没有改变" in caught.value.message and "dangri.sqlite3" in caught.value.message
    # The window goes on with the ledger as it was, open; the chosen backup is still there.
    assert [m.name for m in Member.select()] == ["张三", "李四"]
    assert good.path.exists() and temp_files(data_dir) == []
    assert not [p for p in temp_dir(data_dir).iterdir() if p.is_dir()]
    windows.release(database_path(data_dir))
    restore(data_dir, good.path, now=NOW)
    assert [m.name for m in Member.select()] == ["张三"]


# --- start-up sweep, odd folder names, Windows error numbers ------------------------------------
def test_the_start_sweeps_old_leftovers_and_keeps_fresh_ones(branch, data_dir):
    from app.ui import startup

    old = time.time() - 2 * leftovers.SWEEP_AGE_SECONDS
    stale_part = backups_dir(data_dir) / ".dangri-x.sqlite3.1234abcd.part"
    stale_scratch = temp_dir(data_dir) / "backup-to-1234abcd"
    fresh_part = attachments_dir(data_dir) / "2026" / ".0001-a.jpg.5678abcd.part"
    for path in (stale_part, stale_scratch / "dangri.sqlite3", fresh_part):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    for path in (stale_part, stale_scratch):
        os.utime(path, (old, old))
    close_database()
    assert startup.check_database_on_start(data_dir)
    assert not stale_part.exists() and not stale_scratch.exists()
    assert fresh_part.exists()  # perhaps a command-line backup at work right now


def test_a_data_dir_under_a_folder_with_hash_and_percent_works(tmp_path, monkeypatch):
    """SQLite URIs cut a path at `#` and decode `%`: quoted now (app/services/integrity.py)."""
    data_dir = tmp_path / "资料#1" / "a#b%c"
    monkeypatch.setenv("DANGRI_DATA_DIR", str(data_dir))
    open_database(database_path(data_dir))
    try:
        Member.create(name="张三")
        first = create_backup(data_dir, now=NOW - dt.timedelta(hours=1))
        assert check_integrity(database_path(data_dir)) == []
        assert check_integrity(first.path) == []
        Member.create(name="李四")
        restore(data_dir, first.path, now=NOW)
        assert [m.name for m in Member.select()] == ["张三"]
        stick = tmp_path / "U盘#2"
        stick.mkdir()
        assert zipfile.ZipFile(backup_to(data_dir, stick, now=NOW)).testzip() is None
    finally:
        close_database()


@pytest.mark.parametrize(
    ("winerror", "errno_", "words"),
    [(19, 13, "写保护"), (112, 28, "空间不足"), (32, 13, "PDF 阅读器")],
)
def test_windows_error_numbers_reach_the_secretary_in_chinese(
    branch, tmp_path, monkeypatch, winerror, errno_, words
):
    """Windows reports a write-protected stick as EACCES with winerror 19 and a full disk as
    winerror 112: they are said as such, not as an unexpected error."""
    from app.reports.record_form import print_record

    march, _ = build_year()
    real_replace = os.replace

    def refuse(src, dst, *a, **k):
        if str(dst).endswith(".pdf"):
            err = OSError(errno_, "Windows error", str(dst))
            err.winerror = winerror
            raise err
        return real_replace(src, dst, *a, **k)

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(UserError) as caught:
        print_record(march.id, tmp_path / "记录表.pdf")
    assert words in caught.value.message and temp_files(tmp_path) == []


# --- workbooks, the roster, Word files ----------------------------------------------------------
@pytest.fixture
def system_temp(tmp_path, monkeypatch) -> Path:
    """The system temp folder, where openpyxl puts each sheet's XML while it saves."""
    import tempfile

    folder = tmp_path / "系统临时文件夹"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def year_statistics(year: int = 2026):
    from app.services.evaluation import talks_for_year
    from app.services.statistics import compute_statistics

    return compute_statistics(load_year(year), today=NOW.date()), talks_for_year(year)


def test_statistics_exported_again_while_open_in_excel(branch, tmp_path, windows, system_temp):
    from app.reports.statistics_pdf import render_statistics_pdf
    from app.reports.statistics_xlsx import write_statistics_xlsx

    build_year()
    stats, talks = year_statistics()
    for write, name, holder in (
        (write_statistics_xlsx, "统计表.xlsx", "Excel 或 WPS 表格"),
        (render_statistics_pdf, "统计表.pdf", "PDF 阅读器"),
    ):
        out = write(stats, tmp_path / name, talks)
        old = out.read_bytes()
        windows.hold(out)
        with pytest.raises(files.HeldOpen) as caught:
            write(stats, out, talks)
        message = caught.value.message
        assert "统计表" in message and out.name in message and holder in message
        assert "关闭" in message and "另一个文件名" in message
        assert out.read_bytes() == old and temp_files(tmp_path) == []
        windows.release(out)
    assert list(system_temp.iterdir()) == []  # openpyxl's sheet files are gone too


def test_cli_stats_xlsx_over_a_workbook_open_in_excel_says_so_without_a_traceback(
    branch, tmp_path, windows, system_temp, capsys
):
    from app.cli import main

    build_year()
    out = tmp_path / "青山村-2026-党日活动统计.xlsx"
    assert main(["stats", "--year", "2026", "--xlsx", str(out)]) == 0
    old = out.read_bytes()
    capsys.readouterr()
    windows.hold(out)
    assert main(["stats", "--year", "2026", "--xlsx", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"错误：统计表“{out.name}”正被Excel 或 WPS 表格打开" in err and "关闭" in err
    assert out.read_bytes() == old and temp_files(tmp_path) == []
    assert list(system_temp.iterdir()) == []
    windows.release(out)  # Excel closed: the same command works
    assert main(["stats", "--year", "2026", "--xlsx", str(out)]) == 0
    assert out.read_bytes() != old and temp_files(tmp_path) == []


def test_roster_exported_again_while_open_in_excel_leaves_no_part_file(
    branch, data_dir, tmp_path, windows, system_temp, capsys
):
    from openpyxl import load_workbook

    from app.cli import main
    from app.services.roster_export import write_template

    Member.create(name="张三")
    out = tmp_path / "花名册.xlsx"
    assert main(["export-members", "--out", str(out)]) == 0
    old = out.read_bytes()
    Member.create(name="李四")
    capsys.readouterr()
    windows.hold(out)
    assert main(["export-members", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"花名册“{out.name}”正被Excel 或 WPS 表格打开" in err and "关闭" in err
    assert out.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == [out.name]
    assert temp_files(tmp_path) == [] and list(system_temp.iterdir()) == []
    windows.release(out)
    assert main(["export-members", "--out", str(out)]) == 0
    names = [r[1] for r in load_workbook(out).active.iter_rows(min_row=2, values_only=True)]
    assert names == ["张三", "李四"]

    # 帮助 → 下载花名册模板 over a template still open in Excel: the same rule.
    template = write_template(tmp_path / "党员花名册模板.xlsx")
    old = template.read_bytes()
    windows.hold(template)
    with pytest.raises(files.HeldOpen) as caught:
        write_template(template)
    assert "花名册模板" in caught.value.message and "Excel 或 WPS 表格" in caught.value.message
    assert template.read_bytes() == old and temp_files(tmp_path) == []


def test_plan_as_word_saved_again_while_open_in_word(branch, tmp_path, windows):
    from app.reports.plan_docx import render_plan_docx
    from app.services import plan as plans

    plans.create_plan(2026)
    out = render_plan_docx(load_year(2026), tmp_path / "2026年度计划.docx")
    old = out.read_bytes()
    windows.hold(out)
    with pytest.raises(files.HeldOpen) as caught:
        render_plan_docx(load_year(2026), out)
    assert "计划表" in caught.value.message and "Word 或 WPS 文字" in caught.value.message
    assert out.read_bytes() == old and temp_files(tmp_path) == []


# --- the bundle on a stick, the township's workbook ----------------------------------------------
def test_bundle_to_a_stick_waits_for_the_scanner_and_stops_at_an_older_one_held_open(
    demo, tmp_path, windows
):
    from app.bundle.names import bundle_filename
    from app.bundle.write import export_bundle
    from app.models import Branch
    from app.township.verify import verify_bundle
    from tests.conftest import DEMO_TODAY, DEMO_YEAR

    stick = tmp_path / "U盘"
    stick.mkdir()
    expected = stick / bundle_filename(Branch.get().name, DEMO_YEAR)
    windows.scan(expected, times=3)  # the scanner opens the zip the moment it appears
    made = export_bundle(DEMO_YEAR, stick, today=DEMO_TODAY)
    assert made == expected and len(windows.refused) == 3 and verify_bundle(made).ok
    assert sorted(p.name for p in stick.iterdir()) == [expected.name]

    old = made.read_bytes()
    windows.hold(made)  # the earlier bundle is open in a zip program
    with pytest.raises(UserError) as caught:
        export_bundle(DEMO_YEAR, stick, today=DEMO_TODAY)
    message = caught.value.message
    assert f"原有的报送包“{made.name}”正被压缩软件或杀毒软件打开" in message
    assert "原有的报送包没有改变" in message and "关闭" in message and "另一个文件夹" in message
    # Not a second bundle of the year beside the first, and no half-written one.
    assert made.read_bytes() == old and sorted(p.name for p in stick.iterdir()) == [made.name]
    assert temp_files(tmp_path) == []
    windows.release(made)  # the zip program is closed: exporting again works
    assert export_bundle(DEMO_YEAR, stick, today=DEMO_TODAY) == made and verify_bundle(made).ok


def test_township_workbook_summed_again_while_open_in_excel(demo, tmp_path, windows, capsys):
    from openpyxl import load_workbook

    from app.bundle.write import export_bundle
    from app.cli import main
    from app.reports.township_xlsx import SHEET_SUMMARY
    from tests.conftest import DEMO_TODAY, DEMO_YEAR

    received = tmp_path / "收到的报送包"
    received.mkdir()
    export_bundle(DEMO_YEAR, received, today=DEMO_TODAY)
    out = tmp_path / "青山镇-2026-汇总.xlsx"
    assert main(["aggregate", str(received), "--out", str(out)]) == 0
    old = out.read_bytes()
    capsys.readouterr()
    windows.hold(out)
    assert main(["aggregate", str(received), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"错误：汇总表“{out.name}”正被Excel 或 WPS 表格打开" in err and "关闭" in err
    assert out.read_bytes() == old and temp_files(tmp_path) == []
    windows.release(out)
    assert main(["aggregate", str(received), "--out", str(out)]) == 0
    row = next(load_workbook(out)[SHEET_SUMMARY].iter_rows(min_row=3, values_only=True))
    assert "中共青山村支部委员会" in row


# --- the township's 下发包 and 回执 ---------------------------------------------------------------
def test_receipts_written_again_go_on_past_one_held_open_and_name_it(tmp_path, capsys, windows):
    from tests.test_downlink import (
        HEXI,
        QINGSHAN,
        TOWNSHIP,
        branch_with_plan,
        export_and_aggregate,
        issue,
        run,
        township_with_notice,
    )

    town = township_with_notice(tmp_path)
    stick = tmp_path / "下发U盘"
    stick.mkdir()
    package = issue(capsys, town, stick, "--deadline", "03-20", "--township", TOWNSHIP)
    old = package.read_bytes()
    windows.hold(package)  # the 下发包 of a minute ago, open in a zip program
    code, _, err = run(capsys, town, "issue-package", "--year", "2027", "--out", str(stick))
    assert code == 2 and "Traceback" not in err
    assert f"下发包“{package.name}”正被压缩软件或杀毒软件打开" in err and "关闭" in err
    assert package.read_bytes() == old and temp_files(tmp_path) == []

    branches = [branch_with_plan(tmp_path, QINGSHAN), branch_with_plan(tmp_path, HEXI)]
    receipts, _, code, err = export_and_aggregate(capsys, tmp_path, branches, town)
    assert code == 0, err
    held, other = (receipts / f"{name}-2027-回执.zip" for name in (QINGSHAN, HEXI))
    before = {p: p.stat().st_ino for p in (held, other)}  # a replaced file is a new inode
    windows.hold(held)  # the clerk has 青山村's receipt open
    _, _, code, err = export_and_aggregate(capsys, tmp_path, [], town)  # summed again
    assert code == 0 and "Traceback" not in err and "已写回执 1 份" in err
    assert f"原有的回执“{held.name}”正被压缩软件或杀毒软件打开，没有覆盖" in err
    assert held.stat().st_ino == before[held] and other.stat().st_ino != before[other]
    assert sorted(p.name for p in receipts.iterdir()) == sorted([held.name, other.name])
    assert temp_files(tmp_path) == []
