"""The data dir's instance lock, without Qt: the window holds it while it runs, and a restore
from the command line refuses while another process holds it (docs/windows.md).

The lock is an OS lock on `<data dir>/.dangri.lock` (fcntl.flock on POSIX, msvcrt.locking on
Windows). The OS drops it when its process ends, however it ends, so a crash never leaves a lock
that must be judged stale. The file itself stays; it holds the owner's process id, for people.
"""

from __future__ import annotations

import contextlib
import enum
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from app.errors import UserError

LOCK_NAME = ".dangri.lock"
# Windows locks byte ranges, and a locked range cannot be read by others: lock one byte far past
# the process id, so the id stays readable (Windows allows locking beyond the end of a file).
_WIN_OFFSET = 1 << 20

HELD_TEXT = "党日记实窗口正在使用这个数据目录，请先关闭窗口再{what}。"


class LockState(enum.Enum):
    ACQUIRED = "acquired"
    HELD = "held"  # another process (a running window) holds it
    UNAVAILABLE = "unavailable"  # no lock file can be made (read-only or full disk)


def _key(data_dir: Path) -> str:
    key = str(Path(data_dir).resolve())
    return key.lower() if sys.platform == "win32" else key


# Locks this process holds, by data dir: a second lock on the same file from the same process
# would conflict with the first (flock and Windows locks belong to the open file, not the process).
_HELD_HERE: dict[str, InstanceLock] = {}


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, _WIN_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


class InstanceLock:
    """`acquire()` takes the data dir's lock if no other process has it; `release()` gives it up."""

    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / LOCK_NAME
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> LockState:
        if self._fd is not None:
            return LockState.ACQUIRED
        if _key(self.data_dir) in _HELD_HERE:
            return LockState.HELD  # another object of this process has it
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            return LockState.UNAVAILABLE
        try:
            locked = _try_lock(fd)
        except OSError:
            os.close(fd)
            return LockState.UNAVAILABLE
        if not locked:
            os.close(fd)
            return LockState.HELD
        with contextlib.suppress(OSError):  # the id is for people; a full disk must not matter
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        _HELD_HERE[_key(self.data_dir)] = self
        return LockState.ACQUIRED

    def release(self) -> None:
        if self._fd is None:
            return
        # Closing the file drops the OS lock (Windows asks for an explicit unlock first, or it
        # may linger); the file stays (removing it would let a second process lock a new file
        # while a third still holds the old one open).
        if sys.platform == "win32":
            import msvcrt

            with contextlib.suppress(OSError):
                os.lseek(self._fd, _WIN_OFFSET, os.SEEK_SET)
                msvcrt.locking(self._fd, msvcrt.LK_UNLCK, 1)
        with contextlib.suppress(OSError):
            os.close(self._fd)
        self._fd = None
        if _HELD_HERE.get(_key(self.data_dir)) is self:
            del _HELD_HERE[_key(self.data_dir)]


def held_here(data_dir: Path) -> bool:
    """This process (the window) holds the data dir's lock."""
    return _key(data_dir) in _HELD_HERE


@contextlib.contextmanager
def exclusive(data_dir: Path, what: str = "操作") -> Iterator[None]:
    """Run the block only when no other process holds the data dir: held by this process (the
    window restoring) is fine; held by another raises UserError; without a lock file (read-only
    disk) the block runs and meets the disk's own error."""
    if held_here(data_dir):
        yield
        return
    lock = InstanceLock(data_dir)
    if lock.acquire() is LockState.HELD:
        raise UserError(HELD_TEXT.format(what=what), f"another process holds {data_dir}")
    try:
        yield
    finally:
        lock.release()
