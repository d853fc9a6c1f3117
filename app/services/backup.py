"""Backups, restore and integrity checks of the ledger database (after Anki's backup.rs).

Every backup is a consistent copy made with SQLite's online backup API (never a file copy of a
live database), written to a temp name and renamed into `backups/`. A start-up backup is only
written when the content changed since the newest backup. Old backups are thinned: the newest 10
stay, and for each of the last 12 months the newest backup of that month.

A backup carried away (备份到… a USB stick) is one zip with the database and the attachments, so
it is also how the ledger moves to a new PC (从备份恢复… on the new PC).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from app.errors import UserError
from app.paths import DB_FILENAME, attachments_dir, backups_dir, database_path
from app.signing import KEY_ENTRY, adopt_key, key_path

KEEP_RECENT = 10
KEEP_MONTHS = 12
# Above this size the start-up check uses PRAGMA quick_check (O(N), skips index cross-checks).
QUICK_CHECK_BYTES = 4 * 1024 * 1024

REASON_START = "start"
REASON_MIGRATION = "migration"
REASON_RESTORE = "before-restore"
REASON_MANUAL = "manual"
REASON_DAMAGED = "damaged"
REASON_LABELS = {
    REASON_START: "启动时自动备份",
    REASON_MIGRATION: "升级前自动备份",
    REASON_RESTORE: "恢复前自动备份",
    REASON_MANUAL: "手动备份",
}
EXPORT_PREFIX = "党日记实备份"
EMPTY_FILE = "数据文件是空的（没有任何数据表），可能在写入时被截断。"
DAMAGED_PAGES = "数据文件内部结构被破坏，检查发现 {n} 处错误（常见原因：写入时突然断电或强行关机、硬盘或U盘故障）"

# dangri-20261125-130501-start.sqlite3, and the migration copies of app.models.db:
# 迁移前-v1-20261125-130501.sqlite3
_OWN_NAME = re.compile(r"^dangri-(\d{8}-\d{6})(?:-(\d+))?-([a-z-]+)\.sqlite3$")
_MIGRATION_NAME = re.compile(r"^迁移前-v\d+-(\d{8}-\d{6})\.sqlite3$")
_STAMP = "%Y%m%d-%H%M%S"


class DatabaseUnavailable(UserError):
    """The database file cannot be read or written at all (a full or read-only disk, a pulled
    USB stick, another program holding it): not damage — nothing must be offered that treats
    the file as broken (setting it aside, starting an empty ledger)."""


# SQLite's primary result codes that mean the file itself is broken; any other error while
# checking (SQLITE_IOERR, SQLITE_FULL, SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_BUSY...) is about
# the disk or another program, not the file.
_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26
_WHY_UNAVAILABLE = {
    3: "没有读写权限",
    5: "文件被其他程序占用",
    6: "文件被其他程序占用",
    8: "磁盘或文件夹只能读、不能写",
    10: "磁盘读写出错",
    13: "磁盘已满",
    14: "文件打不开",
}


def _unavailable(path: Path, err: sqlite3.Error) -> DatabaseUnavailable:
    code = (getattr(err, "sqlite_errorcode", None) or 0) & 0xFF
    why = _WHY_UNAVAILABLE.get(code, "无法读写")
    return DatabaseUnavailable(
        f"无法读写数据文件 {path}（{why}）。这不是文件损坏，程序没有改动它，数据还在。\n"
        "常见原因：磁盘已满、磁盘或文件夹是只读的、U盘已拔出，或被杀毒软件等其他程序占用。"
        "请腾出磁盘空间或关闭这些程序，然后重新打开党日记实。",
        f"cannot read or write {path}: {err}",
    )


def _is_damage(err: sqlite3.Error) -> bool:
    code = getattr(err, "sqlite_errorcode", None)
    if code is None:  # an older Python: judge by SQLite's words
        return str(err) in _SQLITE_WORDS
    return code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB)


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created: dt.datetime
    reason: str
    bytes: int
    seq: int = 1  # orders backups made within the same second

    @property
    def order(self) -> tuple[dt.datetime, int]:
        return (self.created, self.seq)

    @property
    def label(self) -> str:
        return REASON_LABELS.get(self.reason, self.reason)


# --- integrity ----------------------------------------------------------------------------------
def check_integrity(path: Path, *, full: bool | None = None) -> list[str]:
    """What is wrong with the SQLite file at `path` (empty list: healthy).

    `full=None` runs PRAGMA integrity_check on files up to 4 MB and quick_check above; `full=True`
    also runs foreign_key_check (检查数据库). A file that is not a 党日记实 database (e.g. empty,
    or truncated to nothing) is a problem too: the app must never start afresh over it.

    Raises DatabaseUnavailable when the file cannot be checked at all (a full or read-only
    disk...): that is not damage, and must not be reported as such.
    """
    path = Path(path)
    if not path.is_file():
        return [f"找不到数据文件 {path}"]
    if path.stat().st_size == 0:
        return [EMPTY_FILE]
    if full is None:
        full = path.stat().st_size <= QUICK_CHECK_BYTES
    problems: list[str] = []
    try:
        # mode=rw: never create a file; a hot WAL left by a crash is recovered as usual.
        con = sqlite3.connect(f"file:{path.as_posix()}?mode=rw", uri=True, timeout=5)
    except sqlite3.Error as err:
        raise _unavailable(path, err) from err
    try:
        pragma = "integrity_check" if full else "quick_check"
        rows = [r[0] for r in con.execute(f"PRAGMA {pragma}").fetchall()]
        if rows != ["ok"]:
            # SQLite's own report is many lines of page numbers (often in one row): a plain
            # sentence comes first, as the dialogs show it; the details follow, one line each.
            details = [line for row in rows for line in str(row).splitlines() if line.strip()]
            errors = [line for line in details if not line.startswith("***")]  # headings
            problems.append(DAMAGED_PAGES.format(n=len(errors) or 1))
            problems.extend(details[:20])
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not tables:
            problems.append(EMPTY_FILE)
        elif "schema_version" not in tables:
            problems.append("文件中没有党日记实的数据表，不是本程序的数据文件或已损坏。")
        elif full and not problems:
            bad = con.execute("PRAGMA foreign_key_check").fetchall()
            problems.extend(
                f"表 {t} 第 {rowid} 行引用的 {parent} 记录不存在"
                for t, rowid, parent, _ in bad[:20]
            )
    except sqlite3.DatabaseError as err:
        if not _is_damage(err):
            raise _unavailable(path, err) from err
        problems.append(f"数据文件已损坏：{_explain(err)}")
    finally:
        con.close()
    return problems


def database_problems(data_dir: Path) -> list[str]:
    """The start-up check of the data dir's database: [] when it is healthy or not there yet.

    An empty file (no tables) is what a first start killed before creating its tables leaves;
    it is only a problem when backups exist, i.e. when there was a ledger that is now gone.
    """
    path = database_path(data_dir)
    if not path.exists():
        return []
    problems = check_integrity(path)
    if problems == [EMPTY_FILE] and not list_backups(data_dir):
        return []
    return problems


_SQLITE_WORDS = {
    "database disk image is malformed": "数据库内部结构被破坏",
    "file is not a database": "文件内容不是数据库",
}


def _explain(err: sqlite3.Error) -> str:
    text = str(err)
    return f"{_SQLITE_WORDS[text]}（{text}）" if text in _SQLITE_WORDS else text


def ensure_healthy(data_dir: Path) -> None:
    """Raise UserError when the data dir's database exists but is damaged (for the CLI)."""
    path = database_path(data_dir)
    problems = database_problems(data_dir)
    if problems:
        newest = newest_good_backup(data_dir)
        hint = (
            f"最新的完好备份：{newest.path}（{newest.created:%Y-%m-%d %H:%M}），"
            "可在窗口中用“文件 → 从备份恢复…”恢复。"
            if newest
            else "没有找到完好的备份。"
        )
        raise UserError(
            f"数据文件 {path} 已损坏：{problems[0].rstrip('。')}。{hint}",
            f"database {path} is damaged: {problems[0]}",
        )


# --- making backups -----------------------------------------------------------------------------
def _copy_consistent(source: Path, target: Path) -> Path:
    """Copy the database at `source` to `target` with SQLite's backup API, atomically."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    tmp.unlink(missing_ok=True)
    try:
        src = sqlite3.connect(f"file:{Path(source).as_posix()}?mode=rw", uri=True, timeout=10)
        try:
            dest = sqlite3.connect(str(tmp))
            try:
                src.backup(dest)
                dest.execute("PRAGMA journal_mode=DELETE")  # a backup is one self-contained file
            finally:
                dest.close()
        finally:
            src.close()
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        tmp.replace(target)
    except BaseException:
        # A full disk fails part-way: no half-written copy is left to fill it further, start
        # after start (each start's copy has a new name).
        for part in (tmp, tmp.with_name(tmp.name + "-journal")):
            with contextlib.suppress(OSError):
                part.unlink(missing_ok=True)
        raise
    return target


def _table_names(con: sqlite3.Connection) -> list[str]:
    """The ledger's own tables (not SQLite's), by name."""
    sql = "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    return [r[0] for r in con.execute(sql)]


def content_fingerprint(path: Path) -> str:
    """A hash of every table's rows, independent of how SQLite laid out its pages."""
    digest = hashlib.sha256()
    con = sqlite3.connect(f"file:{Path(path).as_posix()}?mode=ro", uri=True, timeout=10)
    try:
        for table in _table_names(con):
            digest.update(table.encode())
            for row in con.execute(f'SELECT * FROM "{table}" ORDER BY rowid'):
                digest.update(repr(row).encode())
    finally:
        con.close()
    return digest.hexdigest()


def _new_backup_path(folder: Path, reason: str, now: dt.datetime) -> Path:
    stamp = now.strftime(_STAMP)
    target = folder / f"dangri-{stamp}-{reason}.sqlite3"
    n = 2
    while target.exists():
        target = folder / f"dangri-{stamp}-{n}-{reason}.sqlite3"
        n += 1
    return target


def create_backup(
    data_dir: Path,
    reason: str = REASON_MANUAL,
    *,
    only_if_changed: bool = False,
    now: dt.datetime | None = None,
) -> BackupInfo | None:
    """Write a consistent backup of the data dir's database into its backups folder, then thin
    old backups. With `only_if_changed`, nothing is written (None) when the newest backup
    already holds the same content.

    Whether anything changed is decided cheaply first: the database file's (and its WAL's) size
    and modification time are recorded beside the backups; only when they differ is a snapshot
    taken and its content hash compared with the newest backup's.
    """
    source = database_path(data_dir)
    if not source.exists():
        return None
    now = now or dt.datetime.now()
    folder = backups_dir(data_dir)
    stamp = _file_stamp(source)
    newest = next(iter(list_backups(data_dir)), None)
    record = _read_record(folder)
    if only_if_changed and newest and record.get("backup") == newest.path.name:
        if record.get("stamp") == stamp:
            return None
    target = _copy_consistent(source, _new_backup_path(folder, reason, now))
    fingerprint = _fingerprint_or_none(target)
    if only_if_changed and newest:
        before = (
            record.get("fingerprint")
            if record.get("backup") == newest.path.name
            else _fingerprint_or_none(newest.path)
        )
        if fingerprint is not None and fingerprint == before:
            target.unlink()
            _write_record(folder, newest.path.name, stamp, fingerprint)
            return None
    _write_record(folder, target.name, stamp, fingerprint)
    rotate_backups(data_dir, now=now)
    return _info(target) if target.exists() else None


RECORD_NAME = "last-backup.json"


def _file_stamp(db: Path) -> list[list[int]]:
    """Size and mtime of the database file and its WAL: unchanged means nothing was written."""
    out = []
    for suffix in ("", "-wal"):
        part = db.with_name(db.name + suffix)
        st = part.stat() if part.exists() else None
        out.append([st.st_size, st.st_mtime_ns] if st else [])
    return out


def _read_record(folder: Path) -> dict:
    try:
        record = json.loads((folder / RECORD_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def _write_record(folder: Path, name: str, stamp: list, fingerprint: str | None) -> None:
    tmp = folder / (RECORD_NAME + ".part")
    tmp.write_text(
        json.dumps({"backup": name, "stamp": stamp, "fingerprint": fingerprint}), encoding="utf-8"
    )
    tmp.replace(folder / RECORD_NAME)


def _fingerprint_or_none(path: Path) -> str | None:
    try:
        return content_fingerprint(path)
    except sqlite3.Error:
        return None


def backup_on_start(data_dir: Path) -> BackupInfo | None:
    """The start-up backup (only when something changed since the newest backup)."""
    return create_backup(data_dir, REASON_START, only_if_changed=True)


def _info(path: Path) -> BackupInfo | None:
    seq = 1
    match = _OWN_NAME.match(path.name)
    if match:
        stamp, number, reason = match.groups()
        seq = int(number or 1)
    else:
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            return None
        stamp, reason = match.group(1), REASON_MIGRATION
    try:
        created = dt.datetime.strptime(stamp, _STAMP)
        size = path.stat().st_size
    except (ValueError, OSError):
        return None
    return BackupInfo(path=path, created=created, reason=reason, bytes=size, seq=seq)


def list_backups(data_dir: Path) -> list[BackupInfo]:
    """The automatic and manual backups in the data dir's backups folder, newest first."""
    folder = backups_dir(data_dir)
    if not folder.is_dir():
        return []
    found = [info for p in folder.iterdir() if p.is_file() and (info := _info(p))]
    return sorted(found, key=lambda b: b.order, reverse=True)


def backups_to_keep(backups: list[BackupInfo], now: dt.datetime) -> set[Path]:
    """Rotation: the newest KEEP_RECENT, plus the newest of each of the last KEEP_MONTHS months."""
    ordered = sorted(backups, key=lambda b: b.order, reverse=True)
    keep = {b.path for b in ordered[:KEEP_RECENT]}
    months_seen: set[tuple[int, int]] = set()
    for b in ordered:
        month = (b.created.year, b.created.month)
        age = (now.year - month[0]) * 12 + now.month - month[1]
        if 0 <= age < KEEP_MONTHS and month not in months_seen:
            months_seen.add(month)
            keep.add(b.path)
    return keep


def rotate_backups(data_dir: Path, *, now: dt.datetime | None = None) -> list[Path]:
    """Delete the backups the rotation no longer keeps; returns what was deleted. Files that are
    not our backups are never touched."""
    backups = list_backups(data_dir)
    keep = backups_to_keep(backups, now or dt.datetime.now())
    removed = []
    for b in backups:
        if b.path not in keep:
            b.path.unlink(missing_ok=True)
            removed.append(b.path)
    return removed


def newest_good_backup(data_dir: Path) -> BackupInfo | None:
    """The newest backup that passes the integrity check (what a damaged start offers)."""
    for b in list_backups(data_dir):
        with contextlib.suppress(DatabaseUnavailable):
            if not check_integrity(b.path):
                return b
    return None


# --- carrying a backup away and bringing it back ------------------------------------------------
def backup_to(data_dir: Path, folder: Path, *, now: dt.datetime | None = None) -> Path:
    """备份到…: one zip in `folder` (e.g. a USB stick) with the database and every attachment;
    written to a temp name in that folder and renamed, then read back and checked."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError(f"找不到文件夹 {folder}。", f"no such folder {folder}")
    source = database_path(data_dir)
    if not source.exists():
        raise UserError("还没有数据可以备份。", "no database yet")
    now = now or dt.datetime.now()
    target = folder / f"{EXPORT_PREFIX}-{now.strftime(_STAMP)}.zip"
    tmp = folder / (target.name + ".part")
    try:
        with tempfile.TemporaryDirectory() as work:
            snap = _copy_consistent(source, Path(work) / DB_FILENAME)
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
                zf.write(snap, DB_FILENAME)
                root = attachments_dir(data_dir)
                if root.is_dir():
                    for f in sorted(root.rglob("*")):
                        if f.is_file():
                            zf.write(f, "attachments/" + f.relative_to(root).as_posix())
                if key_path(data_dir).is_file():  # the key goes with its ledger (docs/signing.md)
                    zf.write(key_path(data_dir), KEY_ENTRY)
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
        tmp.replace(target)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise UserError(
            f"无法写入 {folder}：{err.strerror or err}。请检查U盘是否已插好、是否有剩余空间。",
            f"cannot write backup to {folder}: {err}",
        ) from err
    except sqlite3.Error as err:  # the snapshot goes to this PC's temp folder first
        tmp.unlink(missing_ok=True)
        raise UserError(
            f"备份没有完成：无法在本机做出数据的副本（{err}），本机磁盘可能已满。"
            "请腾出磁盘空间后再试；台账本身没有改变。",
            f"cannot snapshot the database for {folder}: {err}",
        ) from err
    with zipfile.ZipFile(target) as zf:
        if zf.testzip() is not None:
            raise UserError(f"写入的备份 {target} 读回校验失败，请换一个U盘再试。", "bad zip")
    return target


def _extract_database(backup: Path, work: Path) -> tuple[Path, zipfile.ZipFile | None]:
    """The database file inside a backup (a .sqlite3 file or a 备份到… zip)."""
    if zipfile.is_zipfile(backup):
        zf = zipfile.ZipFile(backup)
        if DB_FILENAME not in zf.namelist():
            zf.close()
            raise UserError(
                f"{backup.name} 不是党日记实的备份（缺少 {DB_FILENAME}）。",
                "zip has no database",
            )
        out = work / DB_FILENAME
        with zf.open(DB_FILENAME) as src, open(out, "wb") as dst:
            shutil.copyfileobj(src, dst)
        return out, zf
    return backup, None


def _holds_data(path: Path) -> bool:
    """Whether any table but the schema version has a row (a fresh ledger has none)."""
    con = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True, timeout=10)
    try:
        tables = [t for t in _table_names(con) if t != "schema_version"]
        return any(con.execute(f'SELECT 1 FROM "{t}" LIMIT 1').fetchone() for t in tables)
    finally:
        con.close()


def _set_aside_current(data_dir: Path, now: dt.datetime) -> None:
    """Keep the current state before it is replaced: a backup when it is readable, else the damaged
    file itself (plus its WAL) moved into backups/ — never deleted."""
    current = database_path(data_dir)
    if not current.exists():
        return
    if not check_integrity(current):
        # A new PC's empty ledger holds nothing to keep; its "恢复前自动备份" would top the list
        # of backups as the newest one, and restoring it would bring back an empty ledger.
        if _holds_data(current):
            create_backup(data_dir, REASON_RESTORE, now=now)
        return
    folder = backups_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = now.strftime(_STAMP)
    for suffix in ("", "-wal", "-shm"):
        part = current.with_name(current.name + suffix)
        if part.exists():
            shutil.copy2(part, folder / f"损坏-{stamp}-{DB_FILENAME}{suffix}")


def set_aside_damaged(data_dir: Path, *, now: dt.datetime | None = None) -> Path:
    """Move a damaged database (and its WAL) into backups/ as 损坏-…, so a new empty ledger can
    be started — only ever on the user's explicit choice; the damaged file is never deleted."""
    from app.models import close_database

    close_database()
    current = database_path(data_dir)
    folder = backups_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = (now or dt.datetime.now()).strftime(_STAMP)
    kept = folder / f"损坏-{stamp}-{DB_FILENAME}"
    for suffix in ("", "-wal", "-shm"):
        part = current.with_name(current.name + suffix)
        if part.exists():
            part.replace(folder / (kept.name + suffix))
    return kept


def restore(data_dir: Path, backup: Path, *, now: dt.datetime | None = None) -> Path:
    """从备份恢复: replace the data dir's database with `backup` (.sqlite3 or a 备份到… zip).

    The backup is checked first; the current state is backed up (or, when damaged, kept aside);
    the database is closed, the new file is put in place by an atomic rename, and the database is
    reopened (and migrated when the backup is from an older version). Attachments from a zip are
    added; existing attachment files are kept.
    """
    from app.models import close_database, open_database

    backup = Path(backup)
    now = now or dt.datetime.now()
    if not backup.is_file():
        raise UserError(f"找不到备份文件 {backup}。", f"no such backup {backup}")
    current = database_path(data_dir)
    staging = current.with_name(current.name + ".restoring")
    try:
        current.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=current.parent) as work:
            db_file, zf = _extract_database(backup, Path(work))
            with contextlib.closing(zf) if zf else contextlib.nullcontext():
                problems = check_integrity(db_file)
                if problems:
                    raise UserError(
                        f"备份 {backup.name} 本身已损坏或不是党日记实的数据：{problems[0]}",
                        f"backup {backup} is not usable: {problems[0]}",
                    )
                _refuse_newer_schema(backup, db_file)
                _set_aside_current(data_dir, now)
                staged = _copy_consistent(db_file, staging)
                key_pem = None
                if zf is not None:
                    _restore_attachments(zf, attachments_dir(data_dir))
                    if KEY_ENTRY in zf.namelist():
                        key_pem = zf.read(KEY_ENTRY)
    except (OSError, sqlite3.Error, zipfile.BadZipFile) as err:
        # A full or read-only disk, a USB stick pulled out: the current file was not touched.
        staging.unlink(missing_ok=True)
        raise UserError(
            f"恢复没有完成，当前数据没有改变：{getattr(err, 'strerror', None) or err}。"
            "请检查磁盘是否已满、U盘是否已插好，然后再试。",
            f"restore from {backup} failed before replacing anything: {err}",
        ) from err
    was_open = _database_is(current)
    close_database()
    try:
        # A WAL left beside the old file would be replayed into the restored one.
        for suffix in ("-wal", "-shm"):
            current.with_name(current.name + suffix).unlink(missing_ok=True)
        staged.replace(current)
    except OSError as err:  # e.g. another program holds the file open (Windows)
        staged.unlink(missing_ok=True)
        if was_open:
            open_database(current, backup_dir=backups_dir(data_dir))
        raise UserError(
            f"无法替换数据文件（{err.strerror or err}），数据没有改变。"
            "请关闭其他可能打开它的程序后再试。",
            f"cannot replace {current}: {err}",
        ) from err
    open_database(current, backup_dir=backups_dir(data_dir))
    if key_pem is not None:  # only once the ledger it belongs to is in place
        adopt_key(data_dir, key_pem, stamp=now.strftime(_STAMP))
    rotate_backups(data_dir, now=now)
    return current


def _refuse_newer_schema(backup: Path, db_file: Path) -> None:
    """A backup made by a newer 党日记实 (the old PC was updated, the new PC got an older
    installer) cannot be opened by this one: refuse before anything is replaced, or the window
    is left on a file it cannot open."""
    from app.models import SCHEMA_VERSION

    con = sqlite3.connect(f"file:{db_file.as_posix()}?mode=ro", uri=True, timeout=10)
    try:
        (version,) = con.execute("SELECT MAX(version) FROM schema_version").fetchone()
    finally:
        con.close()
    if version is not None and version > SCHEMA_VERSION:
        raise UserError(
            f"备份 {backup.name} 是更新版本的党日记实做的（结构版本 {version}），本程序较旧"
            f"（结构版本 {SCHEMA_VERSION}），打不开它。当前数据没有改变。"
            "请先把本程序升级到和做备份的电脑相同或更新的版本，再恢复。",
            f"backup {backup} has schema {version}, newer than this program ({SCHEMA_VERSION})",
        )


def _database_is(path: Path) -> bool:
    from app.models import DB

    return DB.obj is not None and Path(DB.obj.database).resolve() == path.resolve()


def _restore_attachments(zf: zipfile.ZipFile, root: Path) -> None:
    root = root.resolve()
    for name in zf.namelist():
        if not name.startswith("attachments/") or name.endswith("/"):
            continue
        target = (root / name.removeprefix("attachments/")).resolve()
        if not target.is_relative_to(root) or target.exists():
            continue  # never outside the folder, never over an existing file
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".part")
        with zf.open(name) as src, open(tmp, "wb") as dst:
            shutil.copyfileobj(src, dst)
        tmp.replace(target)
