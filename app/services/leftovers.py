"""Files the program meant to delete but could not yet, and the start-up sweep that deletes them.

On Windows a file open in a viewer cannot be deleted (docs/windows.md). Where the row that named
the file is already gone (emptying 回收站), the file is noted in `<data dir>/tmp/to-delete.json`
and deleted at a later start. The same sweep removes what an interrupted writer left: temp files
of `app.files.replacing()` (`.….part`) anywhere in the data dir and scratch folders in tmp/.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from app import files
from app.paths import temp_dir

PENDING_NAME = "to-delete.json"
# Only leftovers this old are swept: a command-line backup running beside a starting window
# keeps its temp files.
SWEEP_AGE_SECONDS = 3600


def _pending_file(data_dir: Path) -> Path:
    return temp_dir(data_dir) / PENDING_NAME


def _read(data_dir: Path) -> list[str]:
    try:
        names = json.loads(_pending_file(data_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


def _write(data_dir: Path, names: list[str]) -> None:
    if not names:
        files.remove_file(_pending_file(data_dir))
        return
    text = json.dumps(sorted(set(names)), ensure_ascii=False, indent=0)
    files.write_text(_pending_file(data_dir), text, what="待删除清单")


def note(data_dir: Path, paths: Iterable[Path]) -> None:
    """Remember files inside the data dir to delete at a later start."""
    root = Path(data_dir).resolve()
    names = [
        p.resolve().relative_to(root).as_posix()
        for p in map(Path, paths)
        if p.resolve().is_relative_to(root)
    ]
    if names:
        _write(data_dir, _read(data_dir) + names)


def forget(data_dir: Path) -> None:
    """Drop the list: after a restore, the ledger brought back may name those files again."""
    files.remove_file(_pending_file(data_dir))


def sweep(data_dir: Path, *, older_than: float = SWEEP_AGE_SECONDS) -> files.Removal:
    """Delete the noted files and what interrupted writers left; what is still held stays noted
    (or stays where it is) for the next start. Never raises."""
    data_dir = Path(data_dir)
    result = files.Removal()
    try:
        root = data_dir.resolve()
        noted = [root / n for n in _read(data_dir)]
        done = files.remove_files(p for p in noted if p.resolve().is_relative_to(root))
        _write(data_dir, [p.relative_to(root).as_posix() for p in done.left])
        swept = [
            done,
            files.sweep_scratch_folders(temp_dir(data_dir), older_than=older_than),
            files.sweep_temp_files(data_dir, recursive=True, older_than=older_than),
        ]
    except Exception:  # a full or read-only disk: the start goes on, the next one tries again
        return result
    for part in swept:
        result.removed += part.removed
        result.left += part.left
    return result
