"""The program (or a few lines of Python) in a child process, as a user's command line runs it:
from the repository root, offscreen, its output read as UTF-8."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHILD_ENV = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONIOENCODING": "utf-8"}


def run_cli(data_dir: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """`python -m app --data-dir DATA_DIR ARGS…`, waited for."""
    return run_child(
        [sys.executable, "-m", "app", "--data-dir", str(data_dir), *args], timeout=timeout
    )


def run_python(
    code: str, *args: object, file_limit: int | None = None
) -> subprocess.CompletedProcess:
    """`code` run by a child Python with `args` in sys.argv[1:]. With `file_limit`, no file the
    child writes may grow past that many bytes (RLIMIT_FSIZE, POSIX): a disk nearly full."""

    def limit() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))

    return run_child(
        [sys.executable, "-c", code, *map(str, args)],
        preexec_fn=limit if file_limit is not None else None,
    )


def run_child(command: list[str], *, timeout: float = 60, **options) -> subprocess.CompletedProcess:
    return subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        env=CHILD_ENV,
        **options,
    )
