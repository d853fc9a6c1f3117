"""Whether a ledger database file is whole: SQLite's integrity check, said in plain Chinese.

Damage (SQLITE_CORRUPT, SQLITE_NOTADB, an emptied file, a foreign file) is told apart from a disk
that cannot be read or written at all (full, read-only, a pulled USB stick, a file held by another
program): only damage may lead to setting the file aside (app/services/restore.py).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote

from app.errors import UserError

# Above this size the start-up check uses PRAGMA quick_check (O(N), skips index cross-checks).
QUICK_CHECK_BYTES = 4 * 1024 * 1024

EMPTY_FILE = "数据文件是空的（没有任何数据表），可能在写入时被截断。"
DAMAGED_PAGES = "数据文件内部结构被破坏，检查发现 {n} 处错误（常见原因：写入时突然断电或强行关机、硬盘或U盘故障）"


def sqlite_uri(path: Path, mode: str) -> str:
    """A SQLite URI for `path`: `#`, `%`, `?` and spaces in folder names are quoted (a data dir
    under "资料#1" was cut at the `#`), a Windows drive path becomes file:///C:/…"""
    posix = Path(path).absolute().as_posix()
    if not posix.startswith("/"):
        posix = "/" + posix
    return f"file://{quote(posix, safe='/:')}?mode={mode}"


def connect(path: Path, mode: str = "ro", *, timeout: float = 10) -> sqlite3.Connection:
    """Open an existing SQLite file (`mode` "ro" or "rw": never create one)."""
    return sqlite3.connect(sqlite_uri(path, mode), uri=True, timeout=timeout)


def branch_name(path: Path) -> str | None:
    """The branch's name read straight from a ledger file, without the models (the window's
    title before the ledger is opened: app/ui/application.py); None when there is no file, no
    branch yet, or the file cannot be read as a ledger (the full checks then say why)."""
    if not Path(path).is_file():
        return None
    try:
        db = connect(path, timeout=1)
        try:
            row = db.execute("SELECT name FROM branch ORDER BY id LIMIT 1").fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        return None
    return row[0] if row and isinstance(row[0], str) and row[0].strip() else None


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
_SQLITE_WORDS = {
    "database disk image is malformed": "数据库内部结构被破坏",
    "file is not a database": "文件内容不是数据库",
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


def _explain(err: sqlite3.Error) -> str:
    text = str(err)
    return f"{_SQLITE_WORDS[text]}（{text}）" if text in _SQLITE_WORDS else text


def check_integrity(path: Path, *, full: bool | None = None, scan: bool = True) -> list[str]:
    """What is wrong with the SQLite file at `path` (empty list: healthy).

    `full=None` runs PRAGMA integrity_check on files up to 4 MB and quick_check above; `full=True`
    also runs foreign_key_check (检查数据库); `full=False` runs quick_check. `scan=False` reads no
    page beyond the schema: only that the file opens as a 党日记实 database (before the window
    opens; the pages are checked once it is up, app/ui/startup.py). A file that is not a 党日记实
    database (e.g. empty, or truncated to nothing) is a problem too: the app must never start
    afresh over it.

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
    try:
        # mode=rw: never create a file; a hot WAL left by a crash is recovered as usual.
        con = connect(path, "rw", timeout=5)
    except sqlite3.Error as err:
        raise _unavailable(path, err) from err
    problems: list[str] = []
    try:
        _find_problems(con, full, problems, scan)
    except sqlite3.DatabaseError as err:
        if not _is_damage(err):
            raise _unavailable(path, err) from err
        problems.append(f"数据文件已损坏：{_explain(err)}")
    finally:
        con.close()
    return problems


def _find_problems(con: sqlite3.Connection, full: bool, problems: list[str], scan: bool) -> None:
    """Add what is wrong to `problems` (a damaged file may fail part-way: what was found stays)."""
    pragma = "integrity_check" if full else "quick_check"
    rows = [r[0] for r in con.execute(f"PRAGMA {pragma}").fetchall()] if scan else ["ok"]
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
    elif full and scan and not problems:
        bad = con.execute("PRAGMA foreign_key_check").fetchall()
        problems.extend(
            f"表 {t} 第 {rowid} 行引用的 {parent} 记录不存在" for t, rowid, parent, _ in bad[:20]
        )
