"""A ledger file read as it lies on disk (a backup, a copy, a restored file) with sqlite3 alone,
not through the program; the connection is closed again so the file can be moved or deleted."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path


def stored_rows(path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    with closing(sqlite3.connect(path)) as con:
        return con.execute(sql, params).fetchall()


def member_names(path: Path) -> list[str]:
    """The members' names in the file, in the order they were entered."""
    return [name for (name,) in stored_rows(path, "SELECT name FROM member ORDER BY id")]
