"""Make the pictures of the 使用说明 (resources/help/*.png): the four tabs of the main window on
the demo branch, drawn offscreen. Run again after a screen changes:

    QT_QPA_PLATFORM=offscreen python resources/help/make_pictures.py

Not part of the program (the build leaves .py files under resources/ out).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

DEMO_YEAR = 2026
DEMO_TODAY = dt.date(2026, 11, 25)  # every month up to November held
SIZE = (1200, 720)  # the window, as on a 1366×768 screen
WIDTH = 840  # the pictures, scaled smoothly to fit the manual's window
# The offscreen platform's screen is 800×800 unless told otherwise: a 1366×768 laptop screen.
SCREEN = {
    "screens": [
        {"name": "help", "x": 0, "y": 0, "width": 1366, "height": 768, "logicalDpi": 96, "dpr": 1}
    ]
}
PICTURES = ("plan", "record", "roster", "stats")  # the tabs, in order
STATUS = "中共青山村支部委员会　|　数据目录：C:\\Users\\dangri\\AppData\\Local\\党日记实"


def _save(window, path: Path) -> Path:
    from PySide6.QtCore import Qt

    picture = window.grab().scaledToWidth(WIDTH, Qt.TransformationMode.SmoothTransformation)
    picture.save(str(path))
    return path


def make_pictures(out: Path = HERE) -> list[Path]:
    screen = Path(tempfile.gettempdir()) / "dangri-help-screen.json"
    screen.write_text(json.dumps(SCREEN), encoding="utf-8")
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={screen}"
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from app.models import close_database, open_database
    from app.paths import database_path
    from app.services.demo import create_demo
    from app.services.ledger import year_activities
    from app.ui.application import make_application
    from app.ui.main_window import MainWindow

    made = []
    with tempfile.TemporaryDirectory() as temp:
        data_dir = Path(temp) / "data"
        open_database(database_path(data_dir))
        create_demo(data_dir, year=DEMO_YEAR, today=DEMO_TODAY)
        app = make_application()
        window = MainWindow(data_dir)
        window.state.set_year(DEMO_YEAR)
        window.setWindowState(Qt.WindowState.WindowNoState)
        window.resize(*SIZE)
        window.show()
        for index, name in enumerate(PICTURES):
            window.tabs.setCurrentIndex(index)
            window.pages[index].ensure()
            for _ in range(10):
                app.processEvents()
            window.status_label.setText(STATUS)  # not the temporary folder's name
            made.append(_save(window, out / f"{name}.png"))
        # 考勤登记: the attendance sheet of October's activity
        october = next(a for a in year_activities(DEMO_YEAR) if a.plan_date.month == 10)
        window.show_attendance(october.activity_id)
        for _ in range(10):
            app.processEvents()
        made.append(_save(window, out / "attendance.png"))
        window.close()
        QApplication.processEvents()
        close_database()
    return made


if __name__ == "__main__":
    for picture in make_pictures():
        print(picture)
