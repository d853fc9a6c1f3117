"""Restore checks a backup like a bundle from a stranger before it replaces anything: names and
sizes of the zip, bounded unpacking, and the database's schema against the program's own. Each
hostile backup is refused in Chinese and the ledger stays exactly as it was."""

from __future__ import annotations

import hashlib
import sqlite3
import struct
import zipfile
from pathlib import Path

import pytest

from app.errors import UserError
from app.models import SCHEMA_VERSION, Member, close_database
from app.paths import DB_FILENAME, attachments_dir, database_path
from app.services.backup import backup_to, restore
from tests.test_migration import make_v1_database


@pytest.fixture
def ledger(demo: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The demo ledger and a 备份到… zip of it on a "USB stick"."""
    stick = tmp_path / "U盘"
    stick.mkdir()
    return demo, backup_to(demo, stick)


def _state(data_dir: Path) -> tuple[str, list[str]]:
    """The ledger file's bytes (by hash) and the attachment files, to see nothing changed."""
    close_database()  # so the file on disk is the whole ledger (WAL checkpointed)
    digest = hashlib.sha256(database_path(data_dir).read_bytes()).hexdigest()
    root = attachments_dir(data_dir)
    names = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    return digest, names


def _refused(data_dir: Path, backup: Path, phrase: str) -> None:
    from app.models import open_database

    open_database(database_path(data_dir))
    members = Member.select().count()
    close_database()
    before = _state(data_dir)
    open_database(database_path(data_dir))
    with pytest.raises(UserError) as refused:
        restore(data_dir, backup)
    assert phrase in refused.value.message, refused.value.message
    assert "当前数据没有改变" in refused.value.message
    assert Member.select().count() == members  # the window goes on with its ledger
    assert _state(data_dir) == before


def _rezip(backup: Path, out: Path, changes: dict[str, bytes | None]) -> Path:
    with zipfile.ZipFile(backup) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename not in changes:
                dst.writestr(info.filename, src.read(info))
        for name, content in changes.items():
            if content is not None:
                dst.writestr(name, content)
    return out


def _database_of(backup: Path, work: Path) -> Path:
    db = work / DB_FILENAME
    with zipfile.ZipFile(backup) as zf:
        db.write_bytes(zf.read(DB_FILENAME))
    return db


def _with_sql(ledger, tmp_path: Path, sql: str) -> Path:
    """The backup with its database changed by `sql` (what a hand with a SQLite tool does)."""
    _, backup = ledger
    work = tmp_path / "work"
    work.mkdir()
    db = _database_of(backup, work)
    con = sqlite3.connect(db)
    con.executescript(sql)
    con.close()
    return _rezip(backup, tmp_path / "changed.zip", {DB_FILENAME: db.read_bytes()})


def test_a_trigger_hidden_in_the_database_is_refused(ledger, tmp_path):
    bad = _with_sql(
        ledger,
        tmp_path,
        "CREATE TRIGGER wipe AFTER INSERT ON member BEGIN DELETE FROM attendance; END;",
    )
    _refused(ledger[0], bad, "触发器“wipe”")


@pytest.mark.parametrize(
    ("sql", "phrase"),
    [
        ("CREATE VIEW everyone AS SELECT * FROM member;", "视图“everyone”"),
        ("CREATE INDEX member_lower ON member (lower(name));", "表达式或条件"),
        ("CREATE INDEX member_left ON member (name) WHERE left_date IS NULL;", "表达式或条件"),
        ("CREATE TABLE payload (x);", "不认识的数据表“payload”"),
        ("ALTER TABLE attendance DROP COLUMN reason;", "缺少“reason”一栏"),
        ("DROP TABLE attendee_presence;", "缺少数据表“attendee_presence”"),
    ],
    ids=["view", "expression-index", "partial-index", "unknown-table", "column", "table"],
)
def test_a_database_unlike_the_program_s_own_is_refused(ledger, tmp_path, sql, phrase):
    _refused(ledger[0], _with_sql(ledger, tmp_path, sql), phrase)


def test_a_database_with_only_the_version_table_is_refused(ledger, tmp_path):
    db = tmp_path / DB_FILENAME
    con = sqlite3.connect(db)
    con.execute(
        'CREATE TABLE "schema_version" ("id" INTEGER NOT NULL PRIMARY KEY,'
        ' "version" INTEGER NOT NULL, "changed_at" DATETIME NOT NULL)'
    )
    con.execute("INSERT INTO schema_version VALUES (1, ?, '2026-01-01')", (SCHEMA_VERSION,))
    con.commit()
    con.close()
    _refused(ledger[0], db, "缺少数据表")  # as a bare .sqlite3 file
    bad = _rezip(ledger[1], tmp_path / "only-version.zip", {DB_FILENAME: db.read_bytes()})
    _refused(ledger[0], bad, "缺少数据表")  # and inside a zip


def test_a_version_1_ledger_still_restores(ledger, tmp_path):
    old = tmp_path / "旧电脑" / DB_FILENAME
    old.parent.mkdir()
    make_v1_database(old)
    restore(ledger[0], old)
    assert [m.name for m in Member.select()] == ["老党员"]


def _with_zeros(backup: Path, out: Path, name: str, size: int) -> Path:
    """`backup` with one more entry of `size` zeros, deflated as it is streamed in."""
    with zipfile.ZipFile(backup) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        with dst.open(info, "w", force_zip64=True) as f:
            for _ in range(size >> 20):
                f.write(bytes(1 << 20))
    return out


def _say_size(path: Path, name: str, size: int) -> None:
    """Patch the uncompressed size the headers give for `name` (both local and central)."""
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        local = zf.getinfo(name).header_offset
    struct.pack_into("<I", raw, local + 22, size)
    n_len, x_len = struct.unpack_from("<HH", raw, local + 26)
    extra = local + 30 + n_len  # zip64 extra: the real sizes live here
    if x_len >= 20 and struct.unpack_from("<H", raw, extra)[0] == 1:
        struct.pack_into("<Q", raw, extra + 4, size)
    pos = raw.find(b"PK\x01\x02")
    while pos >= 0:
        n, x = struct.unpack_from("<HH", raw, pos + 28)
        if bytes(raw[pos + 46 : pos + 46 + n]) == name.encode():
            struct.pack_into("<I", raw, pos + 24, size)
            if x >= 4 and struct.unpack_from("<H", raw, pos + 46 + n)[0] == 1:
                struct.pack_into("<Q", raw, pos + 46 + n + 4, size)
        pos = raw.find(b"PK\x01\x02", pos + 4)
    path.write_bytes(bytes(raw))


def test_a_small_zip_claiming_a_huge_attachment_is_refused(ledger, tmp_path):
    """The 2 MB zip that put 2 GB into the data dir, at a fifth of the size: its ratio says it."""
    bomb = _with_zeros(ledger[1], tmp_path / "bomb.zip", "attachments/2026/x.jpg", 400 << 20)
    assert bomb.stat().st_size < ledger[1].stat().st_size + 1024 * 1024
    _refused(ledger[0], bomb, "压缩炸弹")


def test_an_attachment_unpacking_past_its_stated_size_is_stopped(ledger, tmp_path):
    """Headers that say 1 kB for 50 MB of zeros: nothing past the stated size is unpacked (the
    CRC of what was then fails), and nothing of it stays."""
    liar = _with_zeros(ledger[1], tmp_path / "liar.zip", "attachments/2026/liar.jpg", 50 << 20)
    _say_size(liar, "attachments/2026/liar.jpg", 1024)
    _refused(ledger[0], liar, "“attachments/2026/liar.jpg”已损坏")


@pytest.mark.parametrize(
    ("name", "phrase"),
    [
        ("attachments/../../startup/evil.bat", "zip-slip"),
        ("attachments/CON.jpg", "设备名"),
        ("attachments/x.jpg:evil.exe", "NTFS"),
        ("attachments/2026/\u202egpj.exe", "文字方向控制符"),
    ],
)
def test_a_backup_with_a_name_that_unpacks_elsewhere_is_refused(ledger, tmp_path, name, phrase):
    bad = _rezip(ledger[1], tmp_path / "names.zip", {name: b"MZ"})
    _refused(ledger[0], bad, phrase)
