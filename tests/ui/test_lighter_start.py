"""A lighter start (issue 19): icons from a PNG cache without qtawesome, the page check and the
start-up backup after the window is up (damage found there takes the damaged-file path), and
bundles that store what is compressed already."""

from __future__ import annotations

import zipfile

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication, QWidget

from app.paths import database_path, icon_cache_dir
from app.services.backup import database_problems, list_backups
from app.ui import startup
from app.ui.main_window import settings_for
from tests.cli_run import run_python
from tests.test_integrity import make_ledger, scramble_cell_pointers

ICON_PROBE = """
import sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
from app.ui import icons
app = QApplication([])
icons.use_cache(Path(sys.argv[1]))
icon = icons.icon("fa5s.folder-open")
pixmap = icon.pixmap(32, 32)
print("drawn", not pixmap.isNull(), "qtawesome", "qtawesome" in sys.modules)
"""


def test_icons_are_drawn_once_into_the_cache_then_loaded_without_qtawesome(data_dir):
    cache = icon_cache_dir(data_dir)
    first = run_python(ICON_PROBE, cache)
    assert first.stdout.split() == ["drawn", "True", "qtawesome", "True"], first.stderr
    assert sorted(p.name for p in cache.glob("fa5s.folder-open-*.png")) == [
        f"fa5s.folder-open-{size}.png" for size in (16, 24, 32, 48)
    ]
    again = run_python(ICON_PROBE, cache)
    assert again.stdout.split() == ["drawn", "True", "qtawesome", "False"], again.stderr


def test_every_icon_name_comes_from_the_icon_sets_the_build_carries(qapp):
    """build.spec bundles only the fonts of icons.ICON_FONTS: an icon of another qtawesome set
    would draw here and fail in the built program."""
    import re
    from pathlib import Path

    import qtawesome

    from app.ui import icons

    prefixes = {spec[0] for spec in qtawesome._BUNDLED_FONTS}
    alternatives = "|".join(map(re.escape, prefixes))
    pattern = re.compile(rf"[\"']((?:{alternatives})\.[a-z0-9-]+)[\"']")
    source = Path(icons.__file__).resolve().parent.parent
    names = {m for f in source.rglob("*.py") for m in pattern.findall(f.read_text("utf-8"))}
    assert len(names) > 10
    assert {n.split(".")[0] for n in names} <= set(icons.ICON_FONTS), sorted(names)
    font = icons.iconic_font()
    for name in sorted(names):  # every one is in the sets' charmaps and draws
        assert not font.icon(name).pixmap(16, 16).isNull(), name


def test_damage_in_the_pages_is_found_after_the_window_not_before_it(branch, data_dir):
    make_ledger(data_dir)
    db = database_path(data_dir)
    last = db.stat().st_size // 4096
    scramble_cell_pointers(db, range(last - 12, last))

    # Before the window: the file opens as a ledger (its schema), no page is read.
    assert database_problems(data_dir, scan=False) == []
    # After it, on the worker thread: quick_check finds the damage; nothing is backed up.
    found = startup.check_and_back_up(data_dir, full=False)
    assert found.problems[0].startswith("数据文件内部结构被破坏") and not found.full
    assert list_backups(data_dir) == []


def test_the_check_after_the_window_reports_damage_to_the_window(qtbot, branch, data_dir):
    make_ledger(data_dir)
    db = database_path(data_dir)
    last = db.stat().st_size // 4096
    scramble_cell_pointers(db, range(last - 12, last))
    window = QWidget()
    qtbot.addWidget(window)
    window.settings = settings_for(data_dir)
    damage: list[list[str]] = []

    startup.check_after_window(window, data_dir, damage.append)
    qtbot.waitUntil(lambda: bool(damage), timeout=20000)
    assert "数据文件内部结构被破坏" in damage[0][0]
    assert window.settings.value(startup.FULL_CHECK_KEY) is None  # no full check passed


def test_a_healthy_ledger_is_checked_in_full_weekly_and_backed_up_after_the_window(
    qtbot, demo, monkeypatch
):
    window = QWidget()
    qtbot.addWidget(window)
    window.settings = settings_for(demo)
    assert startup.full_check_due(
        window.settings.value(startup.FULL_CHECK_KEY), startup.dt.date.today()
    )
    checked = []
    monkeypatch.setattr(startup, "check_and_back_up", _spy(startup.check_and_back_up, checked))

    startup.check_after_window(window, demo, lambda problems: pytest.fail(str(problems)))
    qtbot.waitUntil(
        lambda: window.settings.value(startup.FULL_CHECK_KEY) is not None, timeout=20000
    )
    assert checked == [True] and len(list_backups(demo)) == 1
    # A week has not passed: the next start runs the quick check only.
    startup.check_after_window(window, demo, lambda problems: pytest.fail(str(problems)))
    qtbot.waitUntil(lambda: len(checked) == 2, timeout=20000)
    qtbot.waitUntil(lambda: QThreadPool.globalInstance().activeThreadCount() == 0)
    assert checked == [True, False] and len(list_backups(demo)) == 1  # nothing changed since


def _spy(real, calls: list[bool]):
    def check(data_dir, *, full: bool):
        calls.append(full)
        return real(data_dir, full=full)

    return check


def test_damage_found_after_the_window_closes_it_and_a_restore_opens_it_again(
    qtbot, demo, monkeypatch
):
    from app.ui.application import WindowStart

    start = WindowStart(demo)
    assert start.open() is None
    first = start.window  # not given to qtbot: damaged() deletes the windows it closes
    qtbot.waitUntil(lambda: QThreadPool.globalInstance().activeThreadCount() == 0)
    exits: list[int] = []
    monkeypatch.setattr(QApplication, "exit", lambda *args: exits.append(args[-1]))

    monkeypatch.setattr(startup, "damaged_dialog_accepted", lambda _dir, _problems: True)
    start.damaged(["数据文件内部结构被破坏"])  # restored from a backup in the dialog
    assert not first.isVisible() and start.window is not None and start.window is not first
    assert start.window.isVisible() and exits == []
    qtbot.waitUntil(lambda: QThreadPool.globalInstance().activeThreadCount() == 0)

    monkeypatch.setattr(startup, "damaged_dialog_accepted", lambda _dir, _problems: False)
    second = start.window
    start.damaged(["数据文件内部结构被破坏"])  # 退出 in the dialog
    assert not second.isVisible() and start.window is None and exits == [2]
    assert QApplication.instance().quitOnLastWindowClosed()


def test_a_bundle_stores_what_is_compressed_already(demo, tmp_path):
    from app.bundle.write import export_bundle
    from tests.conftest import DEMO_TODAY, DEMO_YEAR

    bundle = export_bundle(DEMO_YEAR, tmp_path, today=DEMO_TODAY)
    with zipfile.ZipFile(bundle) as zf:
        kinds = {i.filename: i.compress_type for i in zf.infolist()}
    pdfs = [name for name in kinds if name.endswith(".pdf")]
    assert len(pdfs) >= 2  # the plan and the records
    for name, kind in kinds.items():
        stored = name.endswith((".pdf", ".jpg", ".png", ".xlsx"))
        assert kind == (zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED), name


def test_a_start_shows_the_window_first_and_opens_the_ledger_after_its_first_paint(qtbot, demo):
    from PySide6.QtGui import QKeySequence

    from app.services.ledger import require_branch
    from app.ui.application import WindowStart

    name = require_branch().name
    start = WindowStart(demo)
    assert start.open() is None
    window = start.window
    qtbot.addWidget(window)
    # Shown at once, titled from the file, its tab and menu waiting for the ledger.
    assert window.isVisible() and window.opening
    assert window.windowTitle().endswith(name) and name in window.status_label.text()
    assert window.pages[window.tabs.currentIndex()].content is None
    assert not window.menuBar().isEnabled() and window.quit_action.shortcut().isEmpty()
    window.tabs.setCurrentIndex(2)  # a click meanwhile builds nothing yet
    assert window.pages[2].content is None

    with qtbot.waitSignal(window.opened, timeout=20000):
        pass
    assert not window.opening and window.menuBar().isEnabled()
    assert window.pages[2].content is window.roster_tab  # the tab on view, filled
    assert window.quit_action.shortcut() == QKeySequence("Ctrl+Q")
    # The page check and the start-up backup come after the tab is filled.
    qtbot.waitUntil(lambda: len(list_backups(demo)) == 1, timeout=20000)
    qtbot.waitUntil(lambda: QThreadPool.globalInstance().activeThreadCount() == 0)
