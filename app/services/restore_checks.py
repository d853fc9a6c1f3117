"""A backup is checked like a bundle from a stranger before it replaces anything (docs/formats.md
"The backup zip", "Bounds"): the zip's names and sizes through app/bundle/zipsafety.py, its parts
unpacked within those bounds and the disk's free room, and the database's schema against the
program's own — the tables a ledger has always had, every column the models name once it is
migrated, and nothing of its own that runs (no triggers, no views, no indexes on expressions).

A 2 MB zip put a 2 GB attachment into the data dir; a database holding only the version table
was restored and then every command crashed; a trigger hidden in a restored database deleted
all attendance rows on the next import. Each is now refused, and the ledger stays as it was.
"""

from __future__ import annotations

import shutil
import sqlite3
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from app import files
from app.bundle import zipsafety
from app.errors import UserError
from app.services.integrity import connect

# A backup holds a ledger of many years with its photos and scans: wider than a bundle's bounds,
# still far from what a zip bomb claims.
BACKUP_LIMITS = zipsafety.Limits(
    max_file_bytes=2 * 1024**3,
    max_total_bytes=32 * 1024**3,
    max_ratio=500,
    max_entries=100_000,
)
ROOM_TO_SPARE = 64 * 1024 * 1024  # left free on the data disk after unpacking

TEXT = {
    "refused": "备份 {name} 不能恢复，当前数据没有改变：{reason}。",
    "more": "（另有 {n} 处问题）",
    "too_big": "其中的“{entry}”解压后超过了它声明的大小，疑似“压缩炸弹”",
    "damaged": "其中的“{entry}”已损坏（解压出错或 CRC 校验失败）",
    "room": "解压后约需 {need}，数据所在的磁盘只剩 {free}，请先腾出磁盘空间",
    "trigger": "数据库中藏有触发器“{name}”（党日记实的数据从不含触发器，它可能在以后改动或删除台账）",
    "view": "数据库中含有视图“{name}”（党日记实的数据从不含视图）",
    "index": "数据库中含有按表达式或条件建立的索引“{name}”（党日记实从不建立这样的索引）",
    "table": "数据库中含有党日记实不认识的数据表“{name}”",
    "missing_table": "数据库缺少数据表“{name}”，不是完整的党日记实数据",
    "missing_column": "数据表“{table}”缺少“{column}”一栏，不是完整的党日记实数据",
    "not_zip": "它不是完整的 zip 文件（可能没有复制完，或已损坏）",
    "no_version": "数据库没有结构版本记录，不是党日记实的数据",
}


def refuse(backup: Path, reasons: list[str], english: str) -> UserError:
    more = TEXT["more"].format(n=len(reasons) - 1) if len(reasons) > 1 else ""
    return UserError(
        TEXT["refused"].format(name=backup.name, reason=reasons[0] + more),
        f"backup {backup} refused: {english}",
    )


# --- the zip -----------------------------------------------------------------------------------
class BackupZip:
    """A 备份到… zip opened for restoring: every name and size checked as a bundle's are
    (zipsafety) before anything is read, any problem refusing the whole backup; its parts
    unpacked within those bounds (`room` goes down as bytes come)."""

    def __init__(self, backup: Path):
        self.backup = backup
        bad = zipsafety.directory_reason(backup, BACKUP_LIMITS)
        if bad:
            raise refuse(backup, [bad], "directory")
        reasons: list[str] = []

        def add(file: str, reason: str) -> None:
            reasons.append(reason if file == backup.name else f"“{file}”{reason}")

        try:
            self.zf = zipfile.ZipFile(backup)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as err:
            raise refuse(backup, [TEXT["not_zip"]], "not a zip") from err  # bad names, too
        try:
            self.entries = zipsafety.check_entries(self.zf, backup.name, add, BACKUP_LIMITS)
        except zipsafety.Unreadable:
            self.entries = {}
        except BaseException:
            self.zf.close()
            raise
        if reasons:
            self.zf.close()
            raise refuse(backup, reasons, "entries")
        self.room = BACKUP_LIMITS.max_total_bytes

    def close(self) -> None:
        self.zf.close()

    def check_room(self, folder: Path) -> None:
        """Enough free room on the data disk for everything the zip says it unpacks to."""
        need = sum(i.file_size for i in self.entries.values()) + ROOM_TO_SPARE
        try:
            free = shutil.disk_usage(folder).free
        except OSError:
            return  # unknown: the writes themselves will tell
        if free < need:
            reason = TEXT["room"].format(need=zipsafety.mb(need), free=zipsafety.mb(free))
            raise refuse(self.backup, [reason], "no room")

    def chunks(self, name: str) -> Iterator[bytes]:
        """One entry's bytes, never more than its stated size, the limits and the room left."""
        info = self.entries[name]
        cap = zipsafety.entry_cap(info, BACKUP_LIMITS, self.room)
        try:
            for chunk in zipsafety.read_limited(self.zf, info, cap):
                self.room -= len(chunk)
                yield chunk
        except zipsafety.TooBig:
            raise refuse(self.backup, [TEXT["too_big"].format(entry=name)], "bomb") from None
        except (zipfile.BadZipFile, zlib.error, EOFError) as err:
            raise refuse(self.backup, [TEXT["damaged"].format(entry=name)], "damaged") from err

    def read(self, name: str) -> bytes:
        return b"".join(self.chunks(name))

    def unpack(self, name: str, target: Path, *, what: str = "恢复的文件") -> None:
        """One entry written to `target` through files.replacing(), within the bounds."""
        with files.replacing(target, what=what) as tmp, open(tmp, "wb") as out:
            for chunk in self.chunks(name):
                out.write(chunk)


# --- the database ------------------------------------------------------------------------------
def _ledger_tables_since_v1() -> set[str]:
    """The tables every ledger has had since schema version 1 (tests/fixtures/schema_v1.sql);
    tables added later are created empty when an older ledger is opened."""
    from app.models import entities as e

    models = (e.SchemaVersion, e.Branch, e.Member, e.Attendee, e.AnnualPlan, e.Activity)
    models += (e.Attendance, e.AttendeePresence, e.Attachment, e.TalkReminder, e.TrashItem)
    return {m._meta.table_name for m in models}


def _model_tables() -> dict[str, list[str]]:
    """{table: its column names} of the program's own models."""
    from app.models import ALL_MODELS

    return {m._meta.table_name: [f.column_name for f in m._meta.sorted_fields] for m in ALL_MODELS}


def _model_indexes() -> set[tuple[str, str]]:
    """(table, index) of the indexes the program's models create (one is partial: at most one
    signing key in use per branch)."""
    from app.models import ALL_MODELS

    return {(m._meta.table_name, i._name) for m in ALL_MODELS for i in m._meta.fields_to_index()}


def static_problems(db_file: Path) -> list[str]:
    """What a database may never hold, read before it is opened as a ledger: triggers, views,
    indexes on expressions or with a condition, tables the program does not know, missing
    tables a ledger has always had, no version row."""
    con = connect(db_file, "ro")
    try:
        rows = con.execute("SELECT type, name, tbl_name FROM sqlite_master").fetchall()
        problems = [TEXT[kind].format(name=name) for kind, name, _ in rows if kind in _RUNS]
        tables = {name for kind, name, _ in rows if kind == "table"}
        unknown = sorted(t for t in tables - set(_model_tables()) if not t.startswith("sqlite_"))
        problems += [TEXT["table"].format(name=t) for t in unknown]
        own = _model_indexes()
        problems += [
            TEXT["index"].format(name=name)
            for kind, name, table in rows
            if kind == "index" and (table, name) not in own and _computed_index(con, name, table)
        ]
        missing = sorted(_ledger_tables_since_v1() - tables)
        problems += [TEXT["missing_table"].format(name=t) for t in missing]
        if not problems and not con.execute("SELECT 1 FROM schema_version").fetchone():
            problems.append(TEXT["no_version"])
        return problems
    finally:
        con.close()


_RUNS = ("trigger", "view")  # what runs by itself once the ledger is used


def _computed_index(con: sqlite3.Connection, name: str, table: str) -> bool:
    """An index on an expression (index_xinfo cid -2) or a partial one (… WHERE …)."""
    index, table = name.replace('"', '""'), table.replace('"', '""')
    if any(row[1] == -2 for row in con.execute(f'PRAGMA index_xinfo("{index}")')):
        return True
    return any(row[1] == name and row[4] for row in con.execute(f'PRAGMA index_list("{table}")'))


def column_problems(db_file: Path) -> list[str]:
    """Every model's columns present in a (migrated) ledger file."""
    con = connect(db_file, "ro")
    try:
        problems = []
        for table, columns in _model_tables().items():
            have = {row[1] for row in con.execute(f'PRAGMA table_info("{table}")')}
            if not have:
                problems.append(TEXT["missing_table"].format(name=table))
                continue
            problems += [
                TEXT["missing_column"].format(table=table, column=c)
                for c in columns
                if c not in have
            ]
        return problems
    finally:
        con.close()


def migrated_problems(db_file: Path, work: Path) -> list[str]:
    """Open a copy of `db_file` as the program opens a ledger (migrating an older one), then
    check every model's columns. The program's database is bound to the copy only meanwhile,
    and given back as it was (open or closed) whatever happens."""
    from app.models import DB, close_database, open_database

    probe = work / "schema-probe.sqlite3"
    files.copy_file(db_file, probe, what="数据副本")
    previous = DB.obj
    was_open = previous is not None and not previous.is_closed()
    try:
        open_database(probe, backup_dir=work)
        close_database()
        return column_problems(probe)
    finally:
        close_database()
        if previous is not None:
            DB.initialize(previous)
            if was_open:
                previous.connect(reuse_if_open=True)
