"""Windows file semantics on Linux, for tests (docs/windows.md).

On Windows a file open in Adobe Reader, WPS or Excel cannot be replaced, deleted or opened for
writing, and an antivirus scanner holds a just-written file for a moment. The `windows` fixture
makes chosen paths behave so: `windows.hold(path)` until `windows.release(path)`, or
`windows.scan(path, times=n)` for a scanner that lets go after n attempts. Every other path
behaves as usual.
"""

from __future__ import annotations

import builtins
import io
import os
from pathlib import Path

import pytest


def _sharing_violation(path) -> PermissionError:
    err = PermissionError(13, "另一个程序正在使用此文件，进程无法访问。", str(path))
    err.winerror = 32  # ERROR_SHARING_VIOLATION
    return err


class WindowsFiles:
    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self._held: set[Path] = set()
        self._scans: dict[Path, int] = {}
        self.refused: list[tuple[str, Path]] = []
        real_replace, real_rename = os.replace, os.rename
        real_unlink, real_remove, real_open = os.unlink, os.remove, builtins.open

        def guard(op: str, *paths) -> None:
            for p in paths:
                key = self._key(p)
                if key is None:
                    continue
                if key in self._held:
                    self.refused.append((op, key))
                    raise _sharing_violation(p)
                if self._scans.get(key, 0) > 0:
                    self._scans[key] -= 1
                    self.refused.append((op, key))
                    raise _sharing_violation(p)

        def replace(src, dst, *a, **k):
            guard("replace", src, dst)
            return real_replace(src, dst, *a, **k)

        def rename(src, dst, *a, **k):
            guard("rename", src, dst)
            return real_rename(src, dst, *a, **k)

        def unlink(path, *a, **k):
            guard("unlink", path)
            return real_unlink(path, *a, **k)

        def remove(path, *a, **k):
            guard("unlink", path)
            return real_remove(path, *a, **k)

        def open_(file, mode="r", *a, **k):
            if isinstance(file, (str, os.PathLike)) and any(c in mode for c in "wax+"):
                guard("open-for-writing", file)
            return real_open(file, mode, *a, **k)

        monkeypatch.setattr(os, "replace", replace)
        monkeypatch.setattr(os, "rename", rename)
        monkeypatch.setattr(os, "unlink", unlink)
        monkeypatch.setattr(os, "remove", remove)
        monkeypatch.setattr(builtins, "open", open_)
        monkeypatch.setattr(io, "open", open_)  # pathlib and zipfile open through io.open

    @staticmethod
    def _key(p) -> Path | None:
        if isinstance(p, int):
            return None
        try:
            return Path(os.fspath(p)).absolute()
        except TypeError:
            return None

    def hold(self, path) -> Path:
        """`path` is open in a reader or Excel: replace, delete and write fail until released."""
        key = self._key(path)
        self._held.add(key)
        return key

    def release(self, path) -> None:
        self._held.discard(self._key(path))

    def scan(self, path, times: int = 2) -> None:
        """A scanner holds `path` for the next `times` attempts, then lets go."""
        self._scans[self._key(path)] = times


@pytest.fixture
def windows(monkeypatch: pytest.MonkeyPatch) -> WindowsFiles:
    """Windows file semantics for chosen paths (see the module docstring)."""
    return WindowsFiles(monkeypatch)
