"""Child process for bench row (a): start a window, print the monotonic time once it is shown.

    python bench/_window.py app DATA_DIR   # the real start-up: app.cli.main(["--data-dir", D])
    python bench/_window.py bare           # a bare QMainWindow, started the same way
    python bench/_window.py app DATA_DIR --stalls 2   # then the longest stall in 2 s

A window that opens its ledger after the first paint (`MainWindow.opening`) also prints
"filled <time>" once the tab on view shows the ledger and has painted itself.

With `--stalls S` the loop runs on for S seconds after the window has painted itself (appeared),
a timer asking for a turn every 5 ms; the longest wait between two turns (the UI thread busy
with something else: building the other tabs, loading dialogs) is printed as "stall <seconds>".

Both patch QApplication.exec so that, once the event loop runs with the window shown, the time
is printed and the loop quits. CLOCK_MONOTONIC is system-wide, so the parent subtracts the time
it took just before starting this process.

The patch is applied when PySide6.QtWidgets is first imported, by whoever imports it, so the app
child imports its modules in the same order as `python -m app` does (the order matters: PySide6
installs an import hook that reads the source of every module imported after it).
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _patch_exec(widgets) -> None:
    from PySide6.QtCore import QTimer

    QApplication = widgets.QApplication  # noqa: N806 (the Qt class)
    _exec = QApplication.exec

    def _exec_once_shown(*_args) -> int:
        def shown() -> None:
            windows = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
            print(f"shown {time.monotonic():.6f} {len(windows)}", flush=True)
            if STALLS:
                _after_first_paint(windows[0], lambda: _watch_stalls(STALLS))
            elif getattr(windows[0], "opening", False):  # the ledger opens after the paint
                windows[0].opened.connect(lambda: _after_paint_of_tab(windows[0]))
            else:
                QApplication.quit()

        QTimer.singleShot(0, shown)
        return _exec()

    QApplication.exec = _exec_once_shown


def _after_first_paint(window, then) -> None:
    """Call `then` once the window has painted itself the first time (it has appeared)."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class Painted(QObject):
        done = False

        def eventFilter(self, _obj, event) -> bool:  # noqa: N802 (Qt name)
            if event.type() == QEvent.Type.Paint and not self.done:
                self.done = True
                QTimer.singleShot(0, then)  # once this paint is done
            return False

    painted = Painted()
    _keep.append(painted)
    window.installEventFilter(painted)


def _after_paint_of_tab(window) -> None:
    """The tab on view is filled: print the time once it has painted, then quit."""
    from PySide6.QtWidgets import QApplication

    def filled() -> None:
        print(f"filled {time.monotonic():.6f}", flush=True)
        QApplication.quit()

    window.repaint()  # its content painted now, as the next turn of the loop would
    filled()


def _watch_stalls(seconds: float) -> None:
    """Print the longest gap between 5 ms timer turns over `seconds`, then quit."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    start = last = time.perf_counter()
    worst = [0.0]
    timer = QTimer()

    def tick() -> None:
        nonlocal last
        now = time.perf_counter()
        worst[0] = max(worst[0], now - last)
        last = now
        if now - start >= seconds:
            timer.stop()
            print(f"stall {worst[0]:.4f}", flush=True)
            QApplication.quit()

    timer.timeout.connect(tick)
    timer.start(5)
    _keep.append(timer)


_keep: list = []
STALLS = 0.0


class _PatchWhenImported(importlib.abc.MetaPathFinder):
    """Finds PySide6.QtWidgets the usual way and patches it right after it is loaded."""

    def find_spec(self, name, path, target=None):
        if name != "PySide6.QtWidgets":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        load = spec.loader.exec_module

        def exec_module(module) -> None:
            load(module)
            _patch_exec(module)

        spec.loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, _PatchWhenImported())


def bare() -> int:
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.resize(1200, 780)
    window.show()
    return app.exec()


if __name__ == "__main__":
    if "--stalls" in sys.argv:
        STALLS = float(sys.argv[sys.argv.index("--stalls") + 1])
    if sys.argv[1] == "bare":
        sys.exit(bare())
    from app.cli import main

    sys.exit(main(["--data-dir", sys.argv[2]]))
