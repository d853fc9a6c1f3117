"""Slow work off the UI thread (after Anki's CollectionOp): run a function on the thread pool,
report progress, and deliver its result or error back on the UI thread through signals."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from app.errors import UserError


class _Signals(QObject):
    progress = Signal(int, int, str)  # done, total, what
    finished = Signal(object)
    failed = Signal(str)


class Worker(QRunnable):
    """`fn(progress)` runs on a pool thread; `progress(done, total, text)` may be called from it.

    The database proxy is shared (check_same_thread=False); peewee gives each thread its own
    connection state, and SQLite in WAL mode lets a reader run beside the UI thread.
    """

    def __init__(self, fn: Callable[[Callable[[int, int, str], None]], Any]):
        super().__init__()
        self.fn = fn
        self.signals = _Signals()

    def run(self) -> None:
        try:
            result = self.fn(
                lambda done, total, text="": self.signals.progress.emit(done, total, text)
            )
        except UserError as err:
            self.signals.failed.emit(err.message)
        except Exception:  # a bug: show it rather than lose it
            self.signals.failed.emit("程序内部错误：\n" + traceback.format_exc(limit=5))
        else:
            self.signals.finished.emit(result)


def run_in_background(
    fn: Callable[[Callable[[int, int, str], None]], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[str], None],
    on_progress: Callable[[int, int, str], None] | None = None,
) -> Worker:
    worker = Worker(fn)
    worker.signals.finished.connect(on_done)
    worker.signals.failed.connect(on_error)
    if on_progress is not None:
        worker.signals.progress.connect(on_progress)
    QThreadPool.globalInstance().start(worker)
    return worker
