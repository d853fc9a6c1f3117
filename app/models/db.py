"""Binding the real SQLite file: pragmas for durability, schema creation, migrations, snapshots.

Pattern after Vorta's store/connection.py: `open_database()` binds the proxy once, creates the
tables of a new file, and steps an older file forward one version at a time, writing a consistent
backup copy before any migration runs.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import peewee as pw

from app import files
from app.errors import UserError
from app.models.connection import LedgerDatabase
from app.models.entities import ALL_MODELS, DB, Activity, Branch, Member, SchemaVersion

SCHEMA_VERSION = 4

PRAGMAS = {
    "foreign_keys": 1,
    "journal_mode": "wal",
    "synchronous": 2,  # FULL: a committed record survives a power cut
    "busy_timeout": 5000,
}


def open_database(path: Path, *, backup_dir: Path | None = None) -> pw.SqliteDatabase:
    """Bind `DB` to the SQLite file at `path`, creating or migrating its schema.

    A migration first writes a backup copy into `backup_dir` (default: `backups/` beside the file).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    close_database()
    # Immediate transactions, storage errors in Chinese (app/models/connection.py).
    database = LedgerDatabase(str(path), pragmas=PRAGMAS, check_same_thread=False)
    DB.initialize(database)
    database.connect(reuse_if_open=True)
    version = schema_version()
    if version is None:
        with database.atomic():
            database.create_tables(ALL_MODELS)
            SchemaVersion.create(version=SCHEMA_VERSION)
    elif version > SCHEMA_VERSION:
        database.close()
        raise UserError(
            f"数据文件由更新版本的党日记实创建（结构版本 {version}），请升级本程序后再打开。",
            f"database schema {version} is newer than this program ({SCHEMA_VERSION})",
        )
    elif version < SCHEMA_VERSION:
        target = Path(backup_dir) if backup_dir else path.parent / "backups"
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        snapshot(target / f"迁移前-v{version}-{stamp}.sqlite3")
        run_migrations(database, version)
    else:
        # A table added without a schema step (new and empty, e.g. the township's register)
        # in a file made before it: CREATE TABLE IF NOT EXISTS, cheap on every open.
        database.create_tables(ALL_MODELS, safe=True)
    return database


def close_database() -> None:
    if DB.obj is not None and not DB.is_closed():
        DB.close()


def schema_version() -> int | None:
    """The stored schema version, or None for a file without our tables."""
    if not DB.table_exists(SchemaVersion._meta.table_name):
        return None
    row = SchemaVersion.select().order_by(SchemaVersion.version.desc()).first()
    return row.version if row else None


def run_migrations(database: pw.SqliteDatabase, current: int) -> None:
    """Step the schema forward one version at a time; each step is one transaction."""
    from playhouse.migrate import SqliteMigrator, migrate  # only ever needed here

    migrator = SqliteMigrator(database)
    # Foreign keys must be off while SQLite rebuilds tables during ALTER.
    database.pragma("foreign_keys", 0)
    try:
        if current < 2:
            with database.atomic():
                migrate(
                    migrator.add_column(
                        Branch._meta.table_name, "plan_deadline", pw.CharField(default="03-25")
                    ),
                    migrator.add_column(
                        Activity._meta.table_name,
                        "holidays_unverified",
                        pw.BooleanField(default=False),
                    ),
                )
                SchemaVersion.create(version=2)
        if current < 3:
            with database.atomic():
                migrate(
                    migrator.add_column(
                        Activity._meta.table_name, "held_reason", pw.TextField(default="")
                    ),
                )
                SchemaVersion.create(version=3)
        if current < 4:
            with database.atomic():
                migrate(*_member_columns_v4(migrator))
                SchemaVersion.create(version=4)
        # Tables added later than version 1 and not yet present (new, empty) are created here.
        database.create_tables(ALL_MODELS, safe=True)
    finally:
        database.pragma("foreign_keys", 1)


def _member_columns_v4(migrator) -> list:
    """Schema v4: the member's 公民身份号码, date precisions and 转正日期 (as in entities.Member)."""
    table = Member._meta.table_name
    return [
        migrator.add_column(table, name, Member._meta.fields[name])
        for name in ("id_number", "birth_precision", "joined_precision", "full_member_date")
    ]


def snapshot(target: Path) -> Path:
    """Write a consistent copy of the open database with SQLite's backup API (safe while in use,
    unlike copying the file), written through `app.files.replacing()`: a full disk leaves no
    half-written copy, and the error says so in Chinese."""
    with files.replacing(Path(target), what="升级前备份") as tmp:
        try:
            dest = sqlite3.connect(str(tmp))
            try:
                DB.connection().backup(dest)
            finally:
                dest.close()
        finally:
            files.discard(tmp.with_name(tmp.name + "-journal"))
    return Path(target)
