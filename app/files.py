"""The one way the program writes a file that replaces another, and deletes a file.

Windows rules, not Linux ones (docs/windows.md): a file open in Adobe Reader, WPS or Excel cannot
be replaced or deleted, and antivirus scanners hold a just-written file for a moment. So every
writer in the app goes through `replacing()` (temp name in the target's folder, fsync, rename with
a short retry, the temp file removed on every failure) and every deletion through `remove_file()`
/ `remove_files()` (a held file is left and named, never an exception in the middle of a loop).
OS errors become `UserError`s that say in Chinese what happened and what to do.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import UserError

TEMP_SUFFIX = ".part"
# A scanner holds a just-closed file for tens to hundreds of milliseconds; SQLite retries about
# ten times for the same reason. A reader or Excel holds it until closed: we give up after ~1.5 s.
RETRY_DELAYS = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4)
_CHUNK = 1 << 20

# Windows error numbers (OSError.winerror) that mean "someone else has the file open".
_WIN_SHARING = {5, 32, 33}  # access denied, sharing violation, lock violation
_WIN_READ_ONLY = {19}  # write-protected medium
_WIN_FULL = {39, 112}  # disk full
_FULL = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}

# Who may hold a file of this kind open, for the message.
_HOLDERS = {
    ".pdf": "PDF 阅读器（如 Adobe Reader、WPS、浏览器）",
    ".xlsx": "Excel 或 WPS 表格",
    ".xls": "Excel 或 WPS 表格",
    ".csv": "Excel 或 WPS 表格",
    ".docx": "Word 或 WPS 文字",
    ".zip": "压缩软件或杀毒软件",
    ".jpg": "看图软件",
    ".jpeg": "看图软件",
    ".png": "看图软件",
    ".sqlite3": "另一个党日记实窗口",
}


def holder_of(path: Path) -> str:
    """The kind of program that may hold `path` open, in words."""
    return _HOLDERS.get(Path(path).suffix.lower(), "其他程序（或杀毒软件）")


def is_held(err: OSError) -> bool:
    """The error says the file is open in another program (Windows), or may be."""
    winerror = getattr(err, "winerror", None)
    if winerror is not None:
        return winerror in _WIN_SHARING
    return isinstance(err, PermissionError) and err.errno in (errno.EACCES, errno.EPERM)


def is_disk_full(err: OSError) -> bool:
    return err.errno in _FULL or getattr(err, "winerror", None) in _WIN_FULL


def is_read_only(err: OSError) -> bool:
    return err.errno == errno.EROFS or getattr(err, "winerror", None) in _WIN_READ_ONLY


def user_error(err: OSError, target: Path, what: str = "文件") -> UserError:
    """An OS error while writing `target`, said in Chinese with what to do."""
    target = Path(target)
    if is_disk_full(err):
        return UserError(
            f"“{target.parent}”所在的磁盘空间不足，{what}没有写成（未留下不完整的文件）。"
            "请清理磁盘或换一个位置后重试。",
            f"disk full while writing {target}: {err}",
        )
    if is_read_only(err):
        return UserError(
            f"“{target.parent}”不能写入（U盘或磁盘处于写保护状态）。请打开写保护开关或换一个位置后重试。",
            f"read-only medium at {target.parent}: {err}",
        )
    if is_held(err):
        return HeldOpen(target, what)
    if isinstance(err, FileNotFoundError):
        return UserError(
            f"找不到文件夹“{target.parent}”（U盘可能已拔出）。请检查后重试。",
            f"folder gone: {target.parent}: {err}",
        )
    return UserError(
        f"写入{what}“{target.name}”失败：{err.strerror or err}。请换一个位置后重试。",
        f"writing {target} failed: {err}",
    )


class HeldOpen(UserError):
    """The target is open in another program and cannot be replaced or deleted (Windows)."""

    def __init__(self, target: Path, what: str = "文件"):
        self.target = Path(target)
        super().__init__(
            f"{what}“{self.target.name}”正被{holder_of(self.target)}打开，无法覆盖。"
            f"请先关闭该程序中的这个文件再重试，或保存为另一个文件名。",
            f"{self.target} is held open by another program",
        )


def _retrying(action: Callable[[], None]) -> None:
    """Run `action`, retrying a sharing violation a few times (a scanner lets go quickly)."""
    for delay in (*RETRY_DELAYS, None):
        try:
            action()
            return
        except OSError as err:
            if delay is None or not is_held(err):
                raise
            time.sleep(delay)


def _fsync_dir(directory: Path) -> None:
    """Make the rename durable where the OS allows it (not on Windows)."""
    if os.name == "nt":
        return
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def temp_name(target: Path) -> Path:
    """A temp name beside `target` (same folder, so the rename never crosses a device)."""
    target = Path(target)
    return target.with_name(f".{target.name}.{os.urandom(4).hex()}{TEMP_SUFFIX}")


def discard(path: Path) -> None:
    """Remove a temp file if it is there; never raises (a held temp file is swept at start)."""
    with contextlib.suppress(OSError):
        Path(path).unlink(missing_ok=True)


@contextlib.contextmanager
def replacing(target: Path, *, what: str = "文件") -> Iterator[Path]:
    """Yield a temp path beside `target`; write it completely inside the block. On a clean exit
    the temp file is fsynced and renamed over `target` (retried while a scanner holds it); on any
    failure it is removed and `target` is untouched. OS errors become `UserError`s."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise user_error(err, target, what) from err
    tmp = temp_name(target)
    try:
        yield tmp
        if not tmp.exists():
            raise RuntimeError(f"writer did not create {tmp}")
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        _retrying(lambda: os.replace(tmp, target))
        _fsync_dir(target.parent)
    except OSError as err:
        discard(tmp)
        raise user_error(err, target, what) from err
    except BaseException:
        discard(tmp)
        raise


def write_bytes(target: Path, data: bytes, *, what: str = "文件") -> Path:
    with replacing(target, what=what) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def write_text(target: Path, text: str, *, encoding: str = "utf-8", what: str = "文件") -> Path:
    return write_bytes(target, text.encode(encoding), what=what)


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in chunks (attachments, bundle parts)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def copy_file(source: Path, target: Path, *, what: str = "文件") -> tuple[str, int]:
    """Copy `source` to `target` atomically; returns (sha256, bytes) of what was written."""
    digest = hashlib.sha256()
    size = 0
    with replacing(target, what=what) as tmp:
        with open(source, "rb") as src, open(tmp, "wb") as dst:
            while chunk := src.read(_CHUNK):
                digest.update(chunk)
                dst.write(chunk)
                size += len(chunk)
    return digest.hexdigest(), size


def move_file(source: Path, target: Path, *, what: str = "文件") -> Path:
    """Rename `source` to `target` in the same volume (a damaged ledger set aside), retried while a
    scanner holds it. A held `source` raises HeldOpen naming it; nothing is copied half-way."""
    source, target = Path(source), Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _retrying(lambda: os.replace(source, target))
    except OSError as err:
        raise user_error(err, source if is_held(err) else target, what) from err
    return target


@dataclass
class Removal:
    """What `remove_files` did: removed paths and the ones left (held open or not removable)."""

    removed: list[Path] = field(default_factory=list)
    left: list[Path] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.left

    def left_text(self) -> str:
        """A Chinese sentence naming what was left, or ''."""
        if not self.left:
            return ""
        names = "、".join(p.name for p in self.left[:5])
        more = f" 等 {len(self.left)} 个文件" if len(self.left) > 5 else ""
        return (
            f"{names}{more}正被其他程序打开，暂时没有删除；关闭相应程序后，"
            "下次启动时会再次清理。"
        )


def remove_file(path: Path) -> bool:
    """Delete `path` (missing is fine). A file held open is retried briefly, then left:
    returns False instead of raising, so loops over many files go on."""
    path = Path(path)
    try:
        _retrying(lambda: path.unlink(missing_ok=True))
        return True
    except OSError:
        return False


def remove_files(paths: Iterable[Path]) -> Removal:
    result = Removal()
    for p in paths:
        (result.removed if remove_file(p) else result.left).append(Path(p))
    return result


def _older_than(path: Path, seconds: float) -> bool:
    if seconds <= 0:
        return True
    try:
        return time.time() - path.stat().st_mtime > seconds
    except OSError:
        return False


def sweep_temp_files(folder: Path, *, recursive: bool = False, older_than: float = 0) -> Removal:
    """Remove leftover temp files of `replacing()` (a killed program, a held temp file); with
    `older_than` (seconds) only those not touched for that long, so a writer still at work in
    another process (a command-line backup) keeps its temp file."""
    folder = Path(folder)
    if not folder.is_dir():
        return Removal()
    pattern = f"**/.*{TEMP_SUFFIX}" if recursive else f".*{TEMP_SUFFIX}"
    return remove_files(
        p for p in folder.glob(pattern) if p.is_file() and _older_than(p, older_than)
    )


def remove_tree(folder: Path) -> Removal:
    """Delete a folder of our own intermediate files, going on past held files (they and their
    folders are left, for the start-up sweep). Never raises."""
    folder = Path(folder)
    result = Removal()
    if not folder.is_dir():
        return result
    for root, dirs, names in os.walk(folder, topdown=False):
        gone = remove_files(Path(root) / n for n in names)
        result.removed += gone.removed
        result.left += gone.left
        for d in dirs:
            with contextlib.suppress(OSError):
                (Path(root) / d).rmdir()
    with contextlib.suppress(OSError):
        folder.rmdir()
    return result


@contextlib.contextmanager
def scratch_folder(parent: Path, prefix: str = "work", *, what: str = "临时文件") -> Iterator[Path]:
    """A new empty folder under `parent` for intermediate files (a snapshot to be zipped, a
    database taken out of a zip), removed afterwards as far as it can be: a file a scanner still
    holds is left for the start-up sweep, and cleanup never raises. A finished result never
    lives here; it goes to its place through `replacing()`. Unlike `TemporaryDirectory`, whose
    failing cleanup raised after the work was done."""
    parent = Path(parent)
    folder = parent / f"{prefix}-{os.urandom(4).hex()}"
    try:
        folder.mkdir(parents=True)
    except OSError as err:
        raise user_error(err, folder, what) from err
    try:
        yield folder
    finally:
        remove_tree(folder)


@contextlib.contextmanager
def library_temp_files_in(folder: Path) -> Iterator[None]:
    """Temporary files of libraries (openpyxl writes every worksheet to one before zipping it) go
    into `folder`, a scratch folder on the data dir's disk, instead of the system temp folder:
    a full system temp folder no longer stops an export, and a killed program leaves no personal
    data there. Process-wide while it lasts (`tempfile.tempdir`)."""
    before = tempfile.tempdir
    tempfile.tempdir = str(folder)
    try:
        yield
    finally:
        tempfile.tempdir = before


def sweep_scratch_folders(parent: Path, *, older_than: float = 0) -> Removal:
    """Remove what `scratch_folder()` left under `parent` (a killed program, a held file)."""
    parent = Path(parent)
    result = Removal()
    if not parent.is_dir():
        return result
    for sub in parent.iterdir():
        if sub.is_dir() and _older_than(sub, older_than):
            gone = remove_tree(sub)
            result.removed += gone.removed
            result.left += gone.left
    return result
