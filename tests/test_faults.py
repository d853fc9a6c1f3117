"""Faults around the ledger: a full system temp folder, a full data disk in the middle of a
transaction, two writers at once, and an export killed halfway (issue 14 "Faults")."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from app.cli import main
from app.models import DB, Member, close_database, open_database
from app.models import db as ledger_db
from app.models.connection import StorageUnavailable
from app.paths import database_path, temp_dir
from app.services import leftovers
from app.services.branch import BranchSettings, save_branch
from tests.conftest import DEMO_TODAY, DEMO_YEAR


def test_export_does_not_need_the_system_temp_folder(demo, tmp_path, monkeypatch):
    """openpyxl writes each worksheet to a temporary file first: with the system temp folder
    full (here: unusable) the export went down with it."""
    from app.bundle.write import export_bundle

    blocked = tmp_path / "full-system-temp"
    blocked.write_bytes(b"")  # a file, so nothing can be created "in" it
    monkeypatch.setattr(tempfile, "tempdir", str(blocked))
    with pytest.raises(OSError):
        tempfile.NamedTemporaryFile()

    bundle = export_bundle(DEMO_YEAR, tmp_path, today=DEMO_TODAY)
    assert bundle.is_file()
    assert tempfile.tempdir == str(blocked)  # given back afterwards
    assert not any(temp_dir(demo).iterdir())  # the export's scratch folder is gone too


def _fill_the_disk() -> None:
    """The database may not grow by a single page: SQLite's own "database or disk is full"."""
    (pages,) = DB.execute_sql("PRAGMA page_count").fetchone()
    DB.execute_sql(f"PRAGMA max_page_count = {pages}")


def test_a_full_disk_in_a_transaction_is_said_as_a_full_disk(data_dir):
    _fill_the_disk()
    with pytest.raises(StorageUnavailable) as full:
        with DB.atomic():
            Member.insert_many([{"name": f"党员{i}" * 8} for i in range(2000)]).execute()
    assert full.value.kind == "full" and "磁盘已满" in full.value.message
    assert "rollback" not in str(full.value)
    assert Member.select().count() == 0
    assert not DB.connection().in_transaction  # the ledger is usable again at once
    DB.execute_sql("PRAGMA max_page_count = 1000000")
    Member.create(name="张三")


def test_import_on_a_full_data_disk_says_so_in_chinese(tmp_path, monkeypatch, capsys):
    data = tmp_path / "data"
    open_database(database_path(data))
    save_branch(BranchSettings(name="中共青山村支部委员会"))
    (pages,) = DB.execute_sql("PRAGMA page_count").fetchone()
    close_database()
    roster = tmp_path / "花名册.csv"
    rows = [f"党员{i:04d},男,正式党员" for i in range(3000)]
    roster.write_text("姓名,性别,人员类别\n" + "\n".join(rows) + "\n", encoding="utf-8")
    monkeypatch.setitem(ledger_db.PRAGMAS, "max_page_count", pages)

    code = main(["--data-dir", str(data), "import-members", str(roster)])

    err = capsys.readouterr().err
    assert code != 0 and "磁盘已满" in err, err
    assert "cannot rollback" not in err and "Traceback" not in err
    monkeypatch.delitem(ledger_db.PRAGMAS, "max_page_count")
    open_database(database_path(data))
    assert Member.select().count() == 0  # all or nothing


def _hold_the_write_lock(path: Path) -> sqlite3.Connection:
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE branch SET secretary = '另一个窗口'")
    return other


def test_a_second_writer_waits_for_the_first(branch, data_dir):
    other = _hold_the_write_lock(database_path(data_dir))
    threading.Timer(0.5, other.commit).start()
    started = time.monotonic()
    save_branch(BranchSettings(name="中共青山村支部委员会", secretary="王建国"))
    assert time.monotonic() - started >= 0.4  # it waited instead of failing
    other.close()


def test_a_writer_still_busy_after_the_wait_is_said_in_chinese(tmp_path, monkeypatch):
    monkeypatch.setitem(ledger_db.PRAGMAS, "busy_timeout", 300)
    open_database(database_path(tmp_path / "data"))
    try:
        save_branch(BranchSettings(name="中共青山村支部委员会"))
        other = _hold_the_write_lock(database_path(tmp_path / "data"))
        with pytest.raises(StorageUnavailable) as busy:
            save_branch(BranchSettings(name="中共青山村支部委员会", secretary="王建国"))
        assert busy.value.kind == "busy" and "另一个党日记实" in busy.value.message
        other.rollback()
        other.close()
        save_branch(BranchSettings(name="中共青山村支部委员会", secretary="王建国"))
    finally:
        close_database()


def test_a_killed_export_leaves_its_files_in_the_data_dir_only_and_the_start_sweeps_them(
    demo, tmp_path
):
    close_database()
    system_temp = tmp_path / "system-temp"
    system_temp.mkdir()
    usb = tmp_path / "U盘"
    usb.mkdir()
    env = {**os.environ, "TMPDIR": str(system_temp), "TEMP": str(system_temp)}
    env["TMP"] = str(system_temp)
    command = [sys.executable, "-m", "app", "--data-dir", str(demo), "export"]
    proc = subprocess.Popen(
        [*command, "--year", str(DEMO_YEAR), "--out", str(usb)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    try:
        while not list(temp_dir(demo).glob("export-*/records/*.pdf")):
            assert proc.poll() is None, "the export ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.02)
    finally:
        proc.kill()
        proc.wait()
    (left,) = temp_dir(demo).glob("export-*")
    assert (left / "data.json").is_file()  # personal data, on the data dir's disk
    assert not list(system_temp.rglob("*"))  # nothing in the system temp folder
    assert not list(usb.glob("*.zip"))

    old = time.time() - 2 * leftovers.SWEEP_AGE_SECONDS
    staged = temp_dir(demo) / "restore-0123abcd"  # what a killed restore leaves
    staged.mkdir()
    (staged / "dangri.sqlite3").write_bytes(b"SQLite format 3\x00")
    for folder in (left, staged):
        os.utime(folder, (old, old))
    leftovers.sweep(demo)  # as the window's start does
    assert not left.exists() and not staged.exists()
