"""Child process for bench row (a): start a window, print the monotonic time once it is shown.

    python bench/_window.py app DATA_DIR   # the real start-up: app.cli.main(["--data-dir", D])
    python bench/_window.py bare           # a bare QMainWindow, started the same way

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
            QApplication.quit()

        QTimer.singleShot(0, shown)
        return _exec()

    QApplication.exec = _exec_once_shown


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
    if sys.argv[1] == "bare":
        sys.exit(bare())
    from app.cli import main

    sys.exit(main(["--data-dir", sys.argv[2]]))
