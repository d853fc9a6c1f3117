"""Child process for bench row (a): start a window, print the monotonic time once it is shown.

    python bench/_window.py app DATA_DIR   # the real start-up: app.cli.main(["--data-dir", D])
    python bench/_window.py bare           # a bare QMainWindow, started the same way

Both patch QApplication.exec so that, once the event loop runs with the window shown, the time
is printed and the loop quits. CLOCK_MONOTONIC is system-wide, so the parent subtracts the time
it took just before starting this process.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QMainWindow  # noqa: E402

_exec = QApplication.exec


def _exec_once_shown(*_args) -> int:
    def shown() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
        print(f"shown {time.monotonic():.6f} {len(windows)}", flush=True)
        QApplication.quit()

    QTimer.singleShot(0, shown)
    return _exec()


QApplication.exec = _exec_once_shown


def bare() -> int:
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
