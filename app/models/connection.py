"""The ledger's SQLite connection as peewee drives it, made to fail in words the secretary can act
on (docs/windows.md, issue 14 "Faults").

- Every transaction takes the write lock when it begins (BEGIN IMMEDIATE): a second writer (two
  imports at once, a window and a command) waits `busy_timeout` for the first instead of
  failing halfway with "database is locked" when it first writes.
- A full disk, a disk that cannot be written or a database still busy after the wait become a
  `UserError` in Chinese, with nothing written.
- SQLite rolls a transaction back by itself on a full disk; peewee's own ROLLBACK then failed
  with "cannot rollback - no transaction is active", which hid the real error. A rollback with
  no transaction open is skipped.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator

import peewee as pw

from app.errors import UserError

TEXT = {
    "full": "数据所在的磁盘已满，刚才的操作没有保存，台账保持原样。请腾出磁盘空间后再试。",
    "io": "无法写入数据所在的磁盘（磁盘出错、只读，或U盘、网络盘已断开），刚才的操作没有保存，"
    "台账保持原样。请检查磁盘后再试。",
    "busy": "台账正被另一个党日记实窗口或命令使用（例如正在导入），等了一会儿仍未完成。"
    "请等它完成后再试，刚才的操作没有保存。",
}
_KINDS = (
    ("full", ("database or disk is full", "disk is full")),
    ("io", ("disk i/o error", "readonly database", "read-only")),
    ("busy", ("database is locked", "database is busy", "database table is locked")),
)


class StorageUnavailable(UserError):
    """SQLite could not write: the disk is full or failing, or another program holds the ledger
    past the busy timeout. `kind` is "full", "io" or "busy"."""

    def __init__(self, kind: str, err: Exception):
        super().__init__(TEXT[kind], f"sqlite: {err}")
        self.kind = kind


def storage_kind(err: BaseException) -> str | None:
    """The kind of a SQLite error (peewee's or sqlite3's): "full", "io", "busy" or None."""
    if not isinstance(err, (pw.OperationalError, sqlite3.OperationalError)):
        return None
    text = str(err).lower()
    return next((kind for kind, words in _KINDS if any(w in text for w in words)), None)


@contextlib.contextmanager
def _said_in_chinese() -> Iterator[None]:
    try:
        yield
    except (pw.OperationalError, sqlite3.OperationalError) as err:
        kind = storage_kind(err)
        if kind is None:
            raise
        raise StorageUnavailable(kind, err) from err


class LedgerDatabase(pw.SqliteDatabase):
    """peewee's SqliteDatabase with immediate transactions, Chinese storage errors and a
    rollback that is skipped when SQLite has already rolled back (module docstring)."""

    def __init__(self, database: str, **kwargs):
        kwargs.setdefault("lock_type", "IMMEDIATE")
        super().__init__(database, **kwargs)

    def execute_sql(self, sql, params=None):
        with _said_in_chinese():
            return super().execute_sql(sql, params)

    def begin(self, lock_type=None):
        with _said_in_chinese():
            return super().begin(lock_type)

    def commit(self):
        with _said_in_chinese():
            return super().commit()

    def rollback(self):
        if not self.is_closed() and not self.connection().in_transaction:
            return  # SQLite rolled back already (a full disk): nothing to undo, nothing to hide
        return super().rollback()
