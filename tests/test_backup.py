"""Backups: a consistent copy on start when something changed, thinned by age; restore puts a
backup in place after saving the current state; 备份到… carries database and attachments."""

from __future__ import annotations

import datetime as dt
import sqlite3
import zipfile
from pathlib import Path

import pytest

from app.errors import UserError
from app.models import Member, close_database, open_database
from app.paths import attachments_dir, backups_dir, database_path
from app.services.backup import (
    KEEP_RECENT,
    REASON_MIGRATION,
    REASON_RESTORE,
    REASON_START,
    BackupInfo,
    backup_on_start,
    backup_to,
    backups_to_keep,
    check_integrity,
    create_backup,
    list_backups,
    restore,
    rotate_backups,
)
from tests.stored import member_names


def test_start_backup_is_written_only_when_something_changed(branch, data_dir):
    Member.create(name="张三")
    first = backup_on_start(data_dir)
    assert first is not None and first.reason == REASON_START
    assert member_names(first.path) == ["张三"]
    assert not check_integrity(first.path)
    # A backup is a complete file on its own, not a WAL database needing side files.
    assert not first.path.with_name(first.path.name + "-wal").exists()

    assert backup_on_start(data_dir) is None  # nothing changed since
    Member.create(name="李四")
    second = backup_on_start(data_dir)
    assert second is not None
    assert member_names(second.path) == ["张三", "李四"]
    assert [b.path for b in list_backups(data_dir)][0] == second.path


def test_backup_of_open_database_holds_the_committed_state_not_a_half_write(branch, data_dir):
    from app.models import DB

    Member.create(name="已提交")
    with DB.atomic():
        Member.create(name="未提交")
        # The open transaction is invisible to the backup's own connection.
        info = create_backup(data_dir)
    assert member_names(info.path) == ["已提交"]


def _fake(folder: Path, when: dt.datetime) -> BackupInfo:
    path = folder / f"dangri-{when:%Y%m%d-%H%M%S}-start.sqlite3"
    path.write_bytes(b"x")
    return BackupInfo(path=path, created=when, reason=REASON_START, bytes=1)


def test_rotation_keeps_last_ten_and_one_per_month_for_a_year(tmp_path):
    now = dt.datetime(2026, 11, 25, 9, 0)
    # Two a day for the last 30 days, and one on the 1st and the 20th of each of 20 earlier months.
    backups = [_fake(tmp_path, now - dt.timedelta(hours=12 * i)) for i in range(60)]
    for m in range(1, 21):
        year, month = divmod(11 - 1 - m, 12)
        for day in (1, 20):
            backups.append(_fake(tmp_path, dt.datetime(2026 + year, month + 1, day, 8)))
    keep = backups_to_keep(backups, now)
    newest = sorted(backups, key=lambda b: b.created, reverse=True)
    assert {b.path for b in newest[:KEEP_RECENT]} <= keep
    kept = sorted((b for b in backups if b.path in keep), key=lambda b: b.created)
    older = [b for b in kept if b.path not in {x.path for x in newest[:KEEP_RECENT]}]
    months = [(b.created.year, b.created.month) for b in older]
    assert len(months) == len(set(months))  # at most one per month beyond the recent ten
    assert (2025, 12) in months and (2025, 11) not in months  # 12 months back, not 13
    assert min(b.created for b in kept) == dt.datetime(2025, 12, 20, 8)  # the month's newest
    assert len(keep) == KEEP_RECENT + 11  # October 2026 is inside the recent ten's month


def test_rotation_deletes_only_our_old_backups(branch, data_dir):
    folder = backups_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime(2026, 11, 25, 9, 0)
    for i in range(15):
        _fake(folder, now - dt.timedelta(minutes=i))
    foreign = folder / "我的重要文件.docx"
    foreign.write_bytes(b"keep me")
    removed = rotate_backups(data_dir, now=now)
    # November's newest is one of the recent ten, so the five oldest go.
    assert len(removed.removed) == 5 and removed.complete
    assert sorted(p.name for p in folder.iterdir())[0] == "dangri-20261125-085100-start.sqlite3"
    assert foreign.exists()


def test_migration_copies_are_listed_as_backups(tmp_path):
    from tests.test_migration import make_v1_database

    data = tmp_path / "old"
    data.mkdir()
    make_v1_database(database_path(data))
    open_database(database_path(data))
    try:
        (info,) = list_backups(data)
        assert info.reason == REASON_MIGRATION
        assert info.label == "升级前自动备份"
        assert member_names(info.path) == ["老党员"]
    finally:
        close_database()


def test_restore_backs_up_current_state_first_and_reopens(branch, data_dir):
    Member.create(name="张三")
    good = create_backup(data_dir)
    Member.create(name="误操作后的记录")

    restore(data_dir, good.path)
    assert [m.name for m in Member.select()] == [
        "张三"
    ]  # the database is open on the restored file
    before = [b for b in list_backups(data_dir) if b.reason == REASON_RESTORE]
    assert len(before) == 1
    assert member_names(before[0].path) == ["张三", "误操作后的记录"]
    Member.create(name="恢复后新增")  # and writable
    assert member_names(database_path(data_dir)) == ["张三", "恢复后新增"]


def test_restore_refuses_a_damaged_backup_and_changes_nothing(branch, data_dir):
    Member.create(name="张三")
    bad = data_dir / "坏备份.sqlite3"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x13" * 5000)
    with pytest.raises(UserError) as err:
        restore(data_dir, bad)
    assert "已损坏" in err.value.message
    assert [m.name for m in Member.select()] == ["张三"]
    assert not [b for b in list_backups(data_dir) if b.reason == REASON_RESTORE]


def test_backup_to_usb_and_restore_on_a_new_pc_with_attachments(branch, data_dir, tmp_path):
    Member.create(name="王芳")
    photo = attachments_dir(data_dir) / "2026" / "05" / "合影.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"\xff\xd8photo")
    usb = tmp_path / "U盘"
    usb.mkdir()
    carried = backup_to(data_dir, usb, now=dt.datetime(2026, 11, 25, 10, 30))
    assert carried.name == "党日记实备份-20261125-103000.zip"
    assert sorted(p.name for p in usb.iterdir()) == [carried.name]  # no temp file left
    with zipfile.ZipFile(carried) as zf:
        assert set(zf.namelist()) == {"dangri.sqlite3", "attachments/2026/05/合影.jpg"}
    close_database()

    new_pc = tmp_path / "新电脑"
    open_database(database_path(new_pc))  # a fresh install opens an empty ledger
    restore(new_pc, carried)
    assert [m.name for m in Member.select()] == ["王芳"]
    assert (attachments_dir(new_pc) / "2026" / "05" / "合影.jpg").read_bytes() == b"\xff\xd8photo"
    # The new PC's empty ledger held nothing to keep: no "恢复前自动备份" of it tops the list
    # (restoring that "newest backup" by mistake brought back an empty ledger).
    assert list_backups(new_pc) == []


def test_a_backup_from_a_newer_version_is_refused_before_anything_is_replaced(
    branch, data_dir, tmp_path
):
    from app.models import SCHEMA_VERSION

    Member.create(name="王芳")
    carried = backup_to(data_dir, tmp_path, now=dt.datetime(2026, 11, 25, 10, 30))
    Member.create(name="李四")
    # The zip as a newer 党日记实 on the old PC would have written it.
    newer = tmp_path / "newer.zip"
    with zipfile.ZipFile(carried) as src, zipfile.ZipFile(newer, "w") as dst:
        db = tmp_path / "db.sqlite3"
        db.write_bytes(src.read("dangri.sqlite3"))
        with sqlite3.connect(db) as con:
            con.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
        con.close()
        dst.write(db, "dangri.sqlite3")
    with pytest.raises(UserError) as err:
        restore(data_dir, newer)
    assert "更新版本" in err.value.message and "没有改变" in err.value.message
    # The ledger was neither replaced nor closed (it used to be replaced, then fail to open).
    assert [m.name for m in Member.select()] == ["王芳", "李四"]
    assert list_backups(data_dir) == []


def test_backup_to_a_missing_folder_says_so(branch, data_dir, tmp_path):
    with pytest.raises(UserError) as err:
        backup_to(data_dir, tmp_path / "没有插入的U盘")
    assert "找不到文件夹" in err.value.message


def test_cli_restore_refuses_while_the_window_holds_the_data_dir(branch, data_dir, capsys):
    """The window's single-instance lock (app/ui/single_instance.py) and the restore's check
    (app/instance_lock.py) are the same lock: a window in another process blocks restore()
    itself and the CLI, which never imports Qt."""
    import os
    import subprocess
    import sys

    from app.cli import main
    from app.instance_lock import InstanceLock, LockState

    root = Path(__file__).resolve().parent.parent
    Member.create(name="张三")
    good = create_backup(data_dir)
    Member.create(name="李四")
    window = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys\n"
            "from PySide6.QtCore import QCoreApplication\n"
            "from app.ui.single_instance import SingleInstance\n"
            "app = QCoreApplication([])\n"
            "assert SingleInstance(sys.argv[1]).acquire()\n"
            "print('locked', flush=True)\n"
            "sys.stdin.read()\n",
            str(data_dir),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=root,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(root)},
    )
    try:
        assert window.stdout.readline().strip() == b"locked"
        assert main(["--data-dir", str(data_dir), "restore", str(good.path)]) == 2
        assert "请先关闭窗口" in capsys.readouterr().err
        with pytest.raises(UserError, match="请先关闭窗口"):
            restore(data_dir, good.path)
        assert [m.name for m in Member.select()] == ["张三", "李四"]
    finally:
        window.stdin.close()
        window.wait(timeout=30)
    own = InstanceLock(data_dir)  # the window restoring from its own 文件 menu may
    assert own.acquire() is LockState.ACQUIRED
    try:
        restore(data_dir, good.path)
        assert [m.name for m in Member.select()] == ["张三"]
        Member.create(name="王五")
    finally:
        own.release()
    close_database()
    cli = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys\n"
            "from app.cli import main\n"
            "code = main(['--data-dir', sys.argv[1], 'restore', sys.argv[2]])\n"
            "qt = sorted(m for m in sys.modules if m.startswith(('PySide6', 'app.ui')))\n"
            "print(code, qt)\n",
            str(data_dir),
            str(good.path),
        ],
        capture_output=True,
        text=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        timeout=60,
    )
    assert cli.stdout.strip().splitlines()[-1] == "0 []", cli.stdout + cli.stderr
    open_database(database_path(data_dir))
    assert [m.name for m in Member.select()] == ["张三"]


def test_unchanged_check_is_cheap_and_falls_back_to_content(branch, data_dir):
    from app.services.backup import RECORD_NAME

    Member.create(name="张三")
    close_database()
    assert backup_on_start(data_dir) is not None
    record = backups_dir(data_dir) / RECORD_NAME
    assert record.exists()
    assert backup_on_start(data_dir) is None  # decided from file size and time alone
    record.unlink()  # without the record, the content comparison still finds nothing new
    assert backup_on_start(data_dir) is None
    assert len(list_backups(data_dir)) == 1
    open_database(database_path(data_dir))
    Member.create(name="李四")
    assert backup_on_start(data_dir) is not None


def test_restoring_the_oldest_of_twelve_backups_brings_it_back_and_keeps_the_file(branch, data_dir):
    """Issue 15's data loss: the pre-restore backup's rotation removed the chosen backup (the
    oldest of the month, no longer among the newest ten) before it was read."""
    from app.models import snapshot

    folder = backups_dir(data_dir)
    twelve = []
    for day in range(1, 13):  # e.g. the backups folder copied over from the old PC
        Member.create(name=f"党员{day:02d}")
        twelve.append(snapshot(folder / f"dangri-202611{day:02d}-090000-manual.sqlite3"))
    assert len(list_backups(data_dir)) == 12
    oldest = twelve[0]
    restore(data_dir, oldest, now=dt.datetime(2026, 11, 25, 10, 0))
    assert [m.name for m in Member.select()] == ["党员01"]
    assert oldest.exists() and member_names(oldest) == ["党员01"]
    # Rotation still thins the rest: the newest ten, the pre-restore backup among them, and
    # the one restored from.
    left = {b.path for b in list_backups(data_dir)}
    assert len(left) == KEEP_RECENT + 1 and oldest in left
    (before,) = [b for b in list_backups(data_dir) if b.reason == REASON_RESTORE]
    assert len(member_names(before.path)) == 12


def test_restore_from_a_ledger_file_with_its_wal_reads_through_the_wal(branch, data_dir, tmp_path):
    """Not one of our backups but an old PC's dangri.sqlite3 copied with its -wal: the changes
    still in the WAL come back too (a byte copy of the main file alone would lose them)."""
    from app.models import snapshot

    Member.create(name="张三")
    old_pc = snapshot(tmp_path / "旧电脑" / "dangri.sqlite3")
    con = sqlite3.connect(old_pc)
    try:
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA wal_autocheckpoint=0")
        con.execute("UPDATE member SET name = '旧电脑的张三'")
        con.commit()
        assert old_pc.with_name("dangri.sqlite3-wal").stat().st_size > 0
        restore(data_dir, old_pc)
    finally:
        con.close()
    assert [m.name for m in Member.select()] == ["旧电脑的张三"]
