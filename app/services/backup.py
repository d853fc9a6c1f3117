"""Backups and restore of the ledger database (after Anki's backup.rs); whether a file is whole
is app/services/integrity.py.

Every backup is a consistent copy made with SQLite's online backup API (never a file copy of a
live database), written through `app.files.replacing()` into `backups/`. A start-up backup is only
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
import re
import sqlite3
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from app import files, instance_lock
from app.errors import UserError
from app.paths import DB_FILENAME, attachments_dir, backups_dir, database_path, temp_dir
from app.services import leftovers
from app.services.integrity import EMPTY_FILE, DatabaseUnavailable, check_integrity, connect
from app.services.restore_checks import BackupZip, migrated_problems, refuse, static_problems
from app.signing import KEY_ENTRY, adopt_key, key_path

KEEP_RECENT = 10
KEEP_MONTHS = 12

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

# dangri-20261125-130501-start.sqlite3, and the migration copies of app.models.db:
# 迁移前-v1-20261125-130501.sqlite3
_OWN_NAME = re.compile(r"^dangri-(\d{8}-\d{6})(?:-(\d+))?-([a-z-]+)\.sqlite3$")
_MIGRATION_NAME = re.compile(r"^迁移前-v\d+-(\d{8}-\d{6})\.sqlite3$")
_STAMP = "%Y%m%d-%H%M%S"


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created: dt.datetime
    reason: str
    bytes: int
    seq: int = 1  # orders backups made within the same second
    # Old backups the rotation after this one could not remove (held open; tried again later).
    rotation_left: tuple[Path, ...] = ()

    @property
    def order(self) -> tuple[dt.datetime, int]:
        return (self.created, self.seq)

    @property
    def label(self) -> str:
        return REASON_LABELS.get(self.reason, self.reason)


# --- the start-up check ----------------------------------------------------------------------
def database_problems(
    data_dir: Path, *, full: bool | None = None, scan: bool = True
) -> list[str]:
    """The start-up check of the data dir's database: [] when it is healthy or not there yet
    (`full`, `scan`: as `check_integrity` takes them).

    An empty file (no tables) is what a first start killed before creating its tables leaves;
    it is only a problem when backups exist, i.e. when there was a ledger that is now gone.
    """
    path = database_path(data_dir)
    if not path.exists():
        return []
    problems = check_integrity(path, full=full, scan=scan)
    if problems == [EMPTY_FILE] and not list_backups(data_dir):
        return []
    return problems


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
def _sqlite_copy(source: Path, dest_path: Path) -> None:
    """SQLite's online backup API from `source` into a new file (safe while the ledger is in
    use, unlike copying the file); the copy is one self-contained file (no WAL)."""
    src = connect(source, "rw")
    try:
        dest = sqlite3.connect(str(dest_path))
        try:
            src.backup(dest)
            dest.execute("PRAGMA journal_mode=DELETE")
        finally:
            dest.close()
    finally:
        src.close()


def _copy_consistent(source: Path, target: Path, *, what: str = "备份") -> Path:
    """Copy the database at `source` to `target` with SQLite's backup API, written into the temp
    path of `files.replacing()`: a full disk leaves no half-written copy (and no journal) to fill
    it further, start after start."""
    with files.replacing(target, what=what) as tmp:
        try:
            _sqlite_copy(source, tmp)
        finally:
            files.discard(tmp.with_name(tmp.name + "-journal"))
    return target


def _table_names(con: sqlite3.Connection) -> list[str]:
    """The ledger's own tables (not SQLite's), by name."""
    sql = "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    return [r[0] for r in con.execute(sql)]


def content_fingerprint(path: Path) -> str:
    """A hash of every table's rows, independent of how SQLite laid out its pages."""
    digest = hashlib.sha256()
    con = connect(path, "ro")
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
    spare: Iterable[Path] = (),
) -> BackupInfo | None:
    """Write a consistent backup of the data dir's database into its backups folder, then thin
    old backups (never removing the files in `spare`: a backup being restored). With
    `only_if_changed`, nothing is written (None) when the newest backup already holds the same
    content.

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
            files.remove_file(target)
            _write_record(folder, newest.path.name, stamp, fingerprint)
            return None
    _write_record(folder, target.name, stamp, fingerprint)
    rotation = rotate_backups(data_dir, now=now, spare=spare)
    info = _info(target) if target.exists() else None
    return replace(info, rotation_left=tuple(rotation.left)) if info else None


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
    text = json.dumps({"backup": name, "stamp": stamp, "fingerprint": fingerprint})
    files.write_text(folder / RECORD_NAME, text, what="备份记录")


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


def rotate_backups(
    data_dir: Path, *, now: dt.datetime | None = None, spare: Iterable[Path] = ()
) -> files.Removal:
    """Delete the backups the rotation no longer keeps, except those in `spare` (the one being
    restored); returns what went and what was left because another program holds it (Windows:
    the next rotation tries again). Files that are not our backups are never touched."""
    backups = list_backups(data_dir)
    keep = backups_to_keep(backups, now or dt.datetime.now())
    spared = {Path(p).resolve() for p in spare}
    return files.remove_files(
        b.path for b in backups if b.path not in keep and b.path.resolve() not in spared
    )


def newest_good_backup(data_dir: Path) -> BackupInfo | None:
    """The newest backup that passes the integrity check (what a damaged start offers)."""
    for b in list_backups(data_dir):
        with contextlib.suppress(DatabaseUnavailable):
            if not check_integrity(b.path):
                return b
    return None


# --- carrying a backup away ---------------------------------------------------------------------
def _export_path(folder: Path, now: dt.datetime) -> Path:
    """A new name on the stick: an earlier backup there (perhaps open in a zip program) is
    never overwritten; a second one in the same second gets -2."""
    stem = f"{EXPORT_PREFIX}-{now.strftime(_STAMP)}"
    target, n = folder / f"{stem}.zip", 2
    while target.exists():
        target, n = folder / f"{stem}-{n}.zip", n + 1
    return target


def _write_zip(zip_path: Path, snapshot: Path, data_dir: Path) -> None:
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(snapshot, DB_FILENAME)
        root = attachments_dir(data_dir)
        if root.is_dir():
            for f in sorted(root.rglob("*")):
                if f.is_file() and not f.name.endswith(files.TEMP_SUFFIX):
                    zf.write(f, "attachments/" + f.relative_to(root).as_posix())
        if key_path(data_dir).is_file():  # the key goes with its ledger (docs/signing.md)
            zf.write(key_path(data_dir), KEY_ENTRY)


def backup_to(data_dir: Path, folder: Path, *, now: dt.datetime | None = None) -> Path:
    """备份到…: one zip in `folder` (e.g. a USB stick) with the database and every attachment,
    written through `files.replacing()` (a scanner holding the new zip is waited for; a full or
    write-protected stick is said in Chinese, and no half-written zip stays), then read back."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError(f"找不到文件夹 {folder}。", f"no such folder {folder}")
    source = database_path(data_dir)
    if not source.exists():
        raise UserError("还没有数据可以备份。", "no database yet")
    target = _export_path(folder, now or dt.datetime.now())
    try:
        # The snapshot is made on this PC's data disk first, then zipped onto the stick.
        with files.scratch_folder(temp_dir(data_dir), "backup-to") as work:
            snapshot = _copy_consistent(source, work / DB_FILENAME, what="数据副本")
            with files.replacing(target, what="备份") as tmp:
                _write_zip(tmp, snapshot, data_dir)
    except sqlite3.Error as err:
        raise UserError(
            f"备份没有完成：无法在本机做出数据的副本（{err}），本机磁盘可能已满。"
            "请腾出磁盘空间后再试；台账本身没有改变。",
            f"cannot snapshot the database for {folder}: {err}",
        ) from err
    try:
        with zipfile.ZipFile(target) as zf:
            intact = zf.testzip() is None
    except (OSError, zipfile.BadZipFile):
        intact = False
    if not intact:
        raise UserError(f"写入的备份 {target} 读回校验失败，请换一个U盘再试。", "bad zip")
    return target


# --- bringing a backup back --------------------------------------------------------------------
def _stage(backup: Path, work: Path) -> tuple[Path, BackupZip | None]:
    """Read the chosen backup before anything else happens: its database is copied into `work`
    (out of a 备份到… zip, or the .sqlite3 file itself), so the pre-restore backup's rotation can
    never remove it first. The zip stays open for its attachments (zips are never rotated)."""
    staged = work / DB_FILENAME
    if not zipfile.is_zipfile(backup):
        if backup.with_name(backup.name + "-wal").exists():  # a ledger file, not our backup
            _copy_consistent(backup, staged, what="数据副本")  # reads through its WAL
        else:  # our backups are one self-contained file: read as it is, even from a CD
            files.copy_file(backup, staged, what="数据副本")
        return staged, None
    zf = BackupZip(backup)  # names and sizes checked as a bundle's are (restore_checks)
    try:
        if DB_FILENAME not in zf.entries:
            raise UserError(
                f"{backup.name} 不是党日记实的备份（缺少 {DB_FILENAME}）。", "zip has no database"
            )
        zf.check_room(work)
        zf.unpack(DB_FILENAME, staged, what="数据副本")
    except BaseException:
        zf.close()
        raise
    return staged, zf


def _check_staged(backup: Path, staged: Path) -> None:
    problems = check_integrity(staged)
    if problems:
        raise UserError(
            f"备份 {backup.name} 本身已损坏或不是党日记实的数据：{problems[0]}",
            f"backup {backup} is not usable: {problems[0]}",
        )
    _refuse_newer_schema(backup, staged)
    # Nothing of its own that runs; every table and column of the program's (restore_checks).
    problems = static_problems(staged) or migrated_problems(staged, staged.parent)
    if problems:
        raise refuse(backup, problems, "schema")


def _holds_data(path: Path) -> bool:
    """Whether any table but the schema version has a row (a fresh ledger has none)."""
    con = connect(path, "ro")
    try:
        tables = [t for t in _table_names(con) if t != "schema_version"]
        return any(con.execute(f'SELECT 1 FROM "{t}" LIMIT 1').fetchone() for t in tables)
    finally:
        con.close()


def _set_aside_current(data_dir: Path, now: dt.datetime, chosen: Path) -> None:
    """Keep the current state before it is replaced: a backup when it is readable (its rotation
    spares `chosen`), else the damaged file itself (plus its WAL) copied into backups/."""
    current = database_path(data_dir)
    if not current.exists():
        return
    if not check_integrity(current):
        # A new PC's empty ledger holds nothing to keep; its "恢复前自动备份" would top the list
        # of backups as the newest one, and restoring it would bring back an empty ledger.
        if _holds_data(current):
            create_backup(data_dir, REASON_RESTORE, now=now, spare=[chosen])
        return
    stamp = now.strftime(_STAMP)
    for suffix in ("", "-wal", "-shm"):
        part = current.with_name(current.name + suffix)
        if part.exists():
            kept = backups_dir(data_dir) / f"损坏-{stamp}-{DB_FILENAME}{suffix}"
            files.copy_file(part, kept, what="损坏的数据文件")


def set_aside_damaged(data_dir: Path, *, now: dt.datetime | None = None) -> Path:
    """Move a damaged database (and its WAL) into backups/ as 损坏-…, so a new empty ledger can
    be started — only ever on the user's explicit choice; the damaged file is never deleted.

    All of it moves or none does: a WAL left beside a new empty ledger would be replayed into
    it. A part another program holds (Windows) stops the move, the parts already moved go back,
    and the message names the held file."""
    from app.models import close_database

    close_database()
    current = database_path(data_dir)
    kept = (
        backups_dir(data_dir) / f"损坏-{(now or dt.datetime.now()).strftime(_STAMP)}-{DB_FILENAME}"
    )
    moved: list[tuple[Path, Path]] = []
    for suffix in ("-wal", "-shm", ""):
        part = current.with_name(current.name + suffix)
        if not part.exists():
            continue
        try:
            files.move_file(part, kept.with_name(kept.name + suffix), what="损坏的数据文件")
        except UserError as err:
            for back_from, back_to in reversed(moved):
                with contextlib.suppress(UserError):
                    files.move_file(back_to, back_from)
            raise UserError(
                f"数据文件 {part.name} 正被其他程序占用（杀毒软件、备份或同步软件，或另一个"
                f"党日记实窗口），无法移到备份文件夹，什么都没有改变。请关闭这些程序后再试。",
                f"cannot move {part} aside: {err.english}",
            ) from err
        moved.append((part, kept.with_name(kept.name + suffix)))
    return kept


def restore(data_dir: Path, backup: Path, *, now: dt.datetime | None = None) -> Path:
    """从备份恢复: replace the data dir's database with `backup` (.sqlite3 or a 备份到… zip).

    Refused while another process (a window) uses the data dir. The chosen backup is read first
    (copied to a scratch folder on the data disk) and checked; the current state is backed up
    (or, when damaged, kept aside) without ever rotating the chosen file away; the database is
    closed, the staged copy put in place through `files.replacing()`, and the database reopened
    (and migrated when the backup is from an older version). Attachments from a zip are added;
    existing attachment files are kept.
    """
    backup = Path(backup)
    if not backup.is_file():
        raise UserError(f"找不到备份文件 {backup}。", f"no such backup {backup}")
    with instance_lock.exclusive(data_dir, "恢复"):
        return _restore(data_dir, backup, now or dt.datetime.now())


def _restore(data_dir: Path, backup: Path, now: dt.datetime) -> Path:
    current = database_path(data_dir)
    key_pem = None
    try:
        with files.scratch_folder(temp_dir(data_dir), "restore") as work:
            staged, zf = _stage(backup, work)
            with contextlib.closing(zf) if zf else contextlib.nullcontext():
                _check_staged(backup, staged)
                if zf is not None:
                    _restore_attachments(zf, attachments_dir(data_dir))
                    if KEY_ENTRY in zf.entries:
                        key_pem = zf.read(KEY_ENTRY)
            _set_aside_current(data_dir, now, backup)
            _put_in_place(data_dir, staged)
    except (OSError, sqlite3.Error, zipfile.BadZipFile) as err:
        # A full or read-only disk, a USB stick pulled out: the current file was not touched.
        raise UserError(
            f"恢复没有完成，当前数据没有改变：{getattr(err, 'strerror', None) or err}。"
            "请检查磁盘是否已满、U盘是否已插好，然后再试。",
            f"restore from {backup} failed before replacing anything: {err}",
        ) from err
    if key_pem is not None:  # only once the ledger it belongs to is in place
        adopt_key(data_dir, key_pem, stamp=now.strftime(_STAMP))
    leftovers.forget(data_dir)  # the restored ledger may name files noted for deletion
    rotate_backups(data_dir, now=now, spare=[backup])
    return current


def _put_in_place(data_dir: Path, staged: Path) -> None:
    """Close the database, replace its file with `staged`, open it again; on failure the old
    file stays and is reopened."""
    from app.models import close_database, open_database

    current = database_path(data_dir)
    was_open = _database_is(current)
    close_database()
    try:
        # A WAL left beside the old file would be replayed into the restored one.
        sides = files.remove_files(current.with_name(current.name + s) for s in ("-wal", "-shm"))
        if sides.left:
            raise files.HeldOpen(sides.left[0], "数据文件")
        files.copy_file(staged, current, what="数据文件")
    except UserError as err:  # e.g. another program holds the file open (Windows)
        if was_open:
            open_database(current, backup_dir=backups_dir(data_dir))
        raise UserError(
            f"无法替换数据文件 {current.name}：它正被其他程序占用或磁盘不能写入，数据没有改变。"
            "请关闭杀毒软件、备份或同步软件等可能打开它的程序后再试。",
            f"cannot replace {current}: {err.english}",
        ) from err
    open_database(current, backup_dir=backups_dir(data_dir))


def _refuse_newer_schema(backup: Path, db_file: Path) -> None:
    """A backup made by a newer 党日记实 (the old PC was updated, the new PC got an older
    installer) cannot be opened by this one: refuse before anything is replaced, or the window
    is left on a file it cannot open."""
    from app.models import SCHEMA_VERSION

    con = connect(db_file, "ro")
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


def _restore_attachments(zf: BackupZip, root: Path) -> None:
    root = root.resolve()
    for name in zf.entries:
        if not name.startswith("attachments/"):
            continue
        target = (root / name.removeprefix("attachments/")).resolve()
        if not target.is_relative_to(root) or target.exists():
            continue  # never outside the folder, never over an existing file
        zf.unpack(name, target, what="附件")
