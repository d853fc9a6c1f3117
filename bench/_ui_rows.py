"""Child process for bench rows (f) and (g): the real main window over the large ledger
(bench/large_ledger.py), offscreen, timed on the UI thread. Prints one JSON object.

    python bench/_ui_rows.py DATA_DIR ROWS REPEAT     # ROWS: "f", "g" or "fg"

(f) a year switch (2026 ↔ 2025) with each of the four tabs on view: `AppState.set_year` and the
    events it posts (layout, paint) processed, vs one `load_year` of the year switched to;
(g) one attendance key on the 考勤登记 page (300 members): the key pressed on the sheet, then the
    save the sheet's timer would make (`flush`: `save_attendance` + the change told to every
    screen) and the events it posts, vs `save_attendance` of the same statuses alone.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

YEARS = (2026, 2025)


def _median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1000


def year_switch(window, app, repeat: int) -> dict:
    from app.services.ledger import load_year

    per_tab, loads = {}, []
    for tab in range(4):
        window.tabs.setCurrentIndex(tab)
        app.processEvents()
        times = []
        for i in range(repeat * 2):
            year = YEARS[(i + 1) % 2]
            t0 = time.perf_counter()
            window.state.set_year(year)
            app.processEvents()
            times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            load_year(year)
            loads.append(time.perf_counter() - t0)
        per_tab[window.tabs.tabText(tab)] = _median_ms(times[1:])
    return {"per_tab_ms": per_tab, "load_year_ms": _median_ms(loads)}


def attendance_key(window, app, repeat: int) -> dict:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from app.models import vocab
    from app.services.attendance import save_attendance

    window.state.set_year(YEARS[0])
    window.tabs.setCurrentIndex(2)
    roster = window.roster_tab
    view = roster.attendance
    roster.pages.setCurrentWidget(view)
    app.processEvents()
    view.activity_box.setCurrentIndex(view.activity_box.count() - 1)
    app.processEvents()
    members = len(view.model.rows)
    ui, save = [], []
    for i in range(repeat * 2):
        row = i % members
        view.table.setCurrentIndex(view.model.index(row, view.model.COL_STATUS))
        was, reason = view.model.rows[row].status, view.model.rows[row].reason
        key = Qt.Key.Key_1 if was == vocab.ONLINE else Qt.Key.Key_2  # a change every time
        t0 = time.perf_counter()
        QTest.keyClick(view.table, key)
        assert view.dirty, "the key changed nothing"
        view.flush()  # what the sheet's timer does 0.6 s after the last key
        app.processEvents()
        ui.append(time.perf_counter() - t0)
        # The same change saved alone: back to what it was, then forward again (not timed).
        statuses, guests = view.model.statuses(), view.guests.present_ids()
        before = dict(statuses)
        before[view.model.rows[row].member_id] = (was, reason) if was else None
        save_attendance(view.sheet.activity_id, before, guests)
        t0 = time.perf_counter()
        save_attendance(view.sheet.activity_id, statuses, guests)
        save.append(time.perf_counter() - t0)
    return {"ui_ms": _median_ms(ui[1:]), "save_ms": _median_ms(save[1:]), "members": members}


def main() -> int:
    data_dir, rows, repeat = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    from app.models import open_database
    from app.paths import database_path
    from app.ui.application import make_application
    from app.ui.main_window import MainWindow
    from app.ui.wheel_guard import install_wheel_guard

    app = make_application()
    install_wheel_guard(app)  # as a start does
    open_database(database_path(data_dir))
    window = MainWindow(data_dir)
    window.show()
    deadline = time.monotonic() + 3  # let the start-up's deferred work finish first
    while time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    out = {}
    if "f" in rows:
        out["f"] = year_switch(window, app, repeat)
    if "g" in rows:
        out["g"] = attendance_key(window, app, repeat)
    window.tabs.setCurrentIndex(0)  # the next start (bench row a) opens on the 计划 tab
    window.close()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
