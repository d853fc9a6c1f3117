"""A damaged database is detected on start, explained, and never replaced by an empty one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.errors import UserError
from app.models import Member, close_database
from app.paths import database_path
from app.services.backup import (
    EMPTY_FILE,
    check_integrity,
    create_backup,
    database_problems,
    ensure_healthy,
    list_backups,
    newest_good_backup,
    restore,
)
from tests.cli_run import run_cli, run_python


def damage_pages(path: Path) -> None:
    """Overwrite the middle of the file, as a failing disk or a half-copied file would."""
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        fh.seek(4096)  # keep the header page, wreck the tables after it
        fh.write(b"\xde\xad\xbe\xef" * ((size - 4096) // 4))


def make_ledger(data_dir: Path, count: int = 300) -> None:
    Member.insert_many(
        [{"name": f"党员{i:03d}", "note": "备注" * 20} for i in range(count)]
    ).execute()
    close_database()  # checkpoint the WAL into the file, as after a normal exit


def test_healthy_ledger_passes_the_check(branch, data_dir):
    make_ledger(data_dir)
    assert check_integrity(database_path(data_dir)) == []
    assert check_integrity(database_path(data_dir), full=True) == []
    assert run_cli(data_dir, "check-db").returncode == 0


def test_damaged_pages_are_detected_on_start_and_the_file_is_left_alone(branch, data_dir):
    make_ledger(data_dir)
    db = database_path(data_dir)
    damage_pages(db)
    damaged = db.read_bytes()
    problems = check_integrity(db)
    assert problems, "damage went unnoticed"

    result = run_cli(data_dir, "stats", "--year", "2026")
    assert result.returncode == 2
    assert "已损坏" in result.stderr and "damaged" in result.stderr
    assert "Traceback" not in result.stderr
    assert db.read_bytes() == damaged  # not migrated, not recreated, not "repaired"

    check = run_cli(data_dir, "check-db")
    assert check.returncode == 1 and "发现问题" in check.stdout


def test_check_db_refuses_whole_pages_that_are_not_a_ledger(branch, data_dir, tmp_path):
    """A file of only the version table, or one with a trigger of its own, passes SQLite's
    integrity check but is not a ledger: check-db says so, as a restore refuses it."""
    import sqlite3

    make_ledger(data_dir, count=3)
    with sqlite3.connect(database_path(data_dir)) as con:
        con.execute("CREATE TRIGGER wipe AFTER INSERT ON attendance BEGIN DELETE FROM attendance; END")
    check = run_cli(data_dir, "check-db")
    assert check.returncode == 1 and "触发器" in check.stderr and "wipe" in check.stderr

    bare = tmp_path / "bare"
    bare.mkdir()
    with sqlite3.connect(database_path(bare)) as con:
        con.execute("CREATE TABLE schema_version (id INTEGER PRIMARY KEY, version INTEGER)")
        con.execute("INSERT INTO schema_version (version) VALUES (4)")
    check = run_cli(bare, "check-db")
    assert check.returncode == 1 and "缺少数据表“member”" in check.stderr


def test_an_emptied_or_foreign_file_is_damage_not_a_new_ledger(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    db = database_path(data)
    db.write_bytes(b"")
    assert check_integrity(db) == [EMPTY_FILE]
    # A first start killed before creating its tables: nothing to lose, a new ledger is fine...
    assert database_problems(data) == []
    # ...but with backups there, an empty file means a ledger was lost: say so.
    (data / "backups").mkdir()
    (data / "backups" / "dangri-20261101-080000-start.sqlite3").write_bytes(b"x")
    assert database_problems(data) == [EMPTY_FILE]
    assert run_cli(data, "stats", "--year", "2026").returncode == 2
    db.write_bytes(b"PK\x03\x04 this is a zip, not a database" * 100)
    assert check_integrity(db)
    result = run_cli(data, "stats", "--year", "2026")
    assert result.returncode == 2
    assert db.read_bytes().startswith(b"PK\x03\x04")


def test_newest_good_backup_skips_a_damaged_one_and_restores_over_damage(branch, data_dir):
    Member.create(name="张三")
    good = create_backup(data_dir)
    Member.create(name="李四")
    broken = create_backup(data_dir)
    damage_pages(broken.path)
    make_ledger(data_dir, count=50)
    db = database_path(data_dir)
    damage_pages(db)

    assert newest_good_backup(data_dir) == good
    with pytest.raises(UserError) as err:
        ensure_healthy(data_dir)
    assert good.path.name in err.value.message  # the offer names the newest good backup

    restore(data_dir, good.path)
    assert [m.name for m in Member.select()] == ["张三"]
    # The damaged file was kept aside, not deleted.
    kept = [p for p in (data_dir / "backups").iterdir() if p.name.startswith("损坏-")]
    assert kept and kept[0].stat().st_size > 0
    assert check_integrity(db) == []
    assert len(list_backups(data_dir)) == 2  # the damaged copy is not offered as a backup


def scramble_cell_pointers(path: Path, pages: range) -> None:
    """Overwrite the cell pointers of some table pages, as a half-written page would leave
    them: SQLite's check then reports every broken cell, page by page."""
    with open(path, "r+b") as fh:
        for page in pages:
            fh.seek((page - 1) * 4096 + 100)
            fh.write(b"\x5a" * 800)


def test_damage_is_reported_in_one_plain_sentence_before_sqlites_details(branch, data_dir):
    make_ledger(data_dir)
    db = database_path(data_dir)
    last = db.stat().st_size // 4096
    scramble_cell_pointers(db, range(last - 12, last))

    problems = check_integrity(db)
    first = problems[0]
    # What the dialogs show: a sentence a secretary can read, not SQLite's page numbers.
    assert first.startswith("数据文件内部结构被破坏") and "处错误" in first
    assert "page" not in first and "***" not in first
    # SQLite's report follows for whoever helps, one line per entry (never a block of lines).
    assert len(problems) > 2 and all("\n" not in p for p in problems)
    assert any("page" in p for p in problems[1:])


def check_with_a_full_disk(data_dir: Path) -> subprocess.CompletedProcess:
    """Run the start-up check in a child that cannot write more than 3000 bytes to any file
    (RLIMIT_FSIZE): SQLite cannot even make its 32 KB shared-memory file, as on a full disk."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from app.services.backup import database_problems, DatabaseUnavailable\n"
        "try:\n"
        "    print('problems', database_problems(Path(sys.argv[1])))\n"
        "except DatabaseUnavailable as err:\n"
        "    print('unavailable', err.message)\n"
    )
    return run_python(code, data_dir, file_limit=3000)


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_full_disk_is_not_taken_for_a_damaged_ledger(branch, data_dir):
    make_ledger(data_dir)
    db = database_path(data_dir)
    before = db.read_bytes()
    result = check_with_a_full_disk(data_dir)
    # Reported as damage, the start offered to set the file aside and begin an empty ledger.
    assert result.stdout.startswith("unavailable"), result.stdout + result.stderr
    assert "这不是文件损坏" in result.stdout and "磁盘已满" in result.stdout
    assert db.read_bytes() == before
    assert check_integrity(db) == []  # with room on the disk again, all is well


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_start_up_backup_failing_on_a_nearly_full_disk_lets_work_go_on_and_leaves_no_part_file(
    branch, data_dir
):
    make_ledger(data_dir)
    assert database_path(data_dir).stat().st_size > 60000
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from app.ui import startup\n"
        "print(startup.check_database_on_start(Path(sys.argv[1])))\n"
        "print(startup.backup_problem)\n"
    )
    # Room for SQLite's 32 KB index file, not for a copy of the ledger.
    result = run_python(code, data_dir, file_limit=60000)
    went_on, told = result.stdout.splitlines()[:2]
    assert went_on == "True", result.stderr
    assert "没能自动备份" in told and "备份到…" in told
    # The half-written copy was removed (it was left behind, start after start).
    assert [p.name for p in (data_dir / "backups").glob("*")] == []


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_backup_to_usb_on_a_full_disk_says_so_in_chinese_and_leaves_nothing_half_written(
    branch, data_dir, tmp_path
):
    make_ledger(data_dir)
    usb = tmp_path / "U盘"
    usb.mkdir()
    code = (
        "import resource, sys\n"
        "from pathlib import Path\n"
        "from app.errors import UserError\n"
        "from app.services.backup import backup_to\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (60000, 60000))\n"
        "try:\n"
        "    backup_to(Path(sys.argv[1]), Path(sys.argv[2]))\n"
        "except UserError as err:\n"
        "    sys.stdout.write('said ' + err.message)\n"
    )
    result = run_python(code, data_dir, usb)
    # It was a traceback ("程序内部错误") when the snapshot could not be written.
    assert result.stdout.startswith("said ") and "磁盘" in result.stdout, result.stderr
    assert "Traceback" not in result.stderr
    assert list(usb.iterdir()) == []
