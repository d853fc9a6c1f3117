"""The window over a ledger of the large ledger's shape (bench/large_ledger.py, smaller): the year
is read once per change and shared, a tab behind another one is refreshed only when shown, an
attendance key refreshes nothing hidden, and nothing is read for hidden tabs before the first
paint. Behaviour only: what is read and refreshed, and what ends up on screen — never a time."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from app.models import vocab
from app.services import ledger
from app.services.attendance import save_attendance
from app.services.statistics import compute_statistics
from app.ui.main_window import MainWindow
from app.ui.state import YEAR
from bench.large_ledger import build_ledger

YEARS = range(dt.date.today().year - 2, dt.date.today().year + 1)
PLAN, RECORD, ROSTER, STATS = range(4)


@pytest.fixture
def ledger_dir(data_dir):
    """30 members, three years, every activity up to today held with its attendance."""
    build_ledger(data_dir, members=30, years=YEARS)
    return data_dir


@pytest.fixture
def loads(monkeypatch) -> list[int]:
    """The years read whole (`ledger.load_year`), wherever it is called from."""
    calls: list[int] = []
    real = ledger.load_year

    def counted(year: int) -> ledger.YearData:
        calls.append(year)
        return real(year)

    monkeypatch.setattr(ledger, "load_year", counted)
    monkeypatch.setattr("app.services.records.load_year", counted)
    return calls


def shown_window(qtbot, data_dir, tab: int) -> MainWindow:
    """The window on `tab`, with every tab built (as after the prebuild) and nothing pending."""
    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    window._after_first_paint = lambda: None  # the tabs are built here, not on a timer
    window.tabs.setCurrentIndex(tab)
    window.show()
    qtbot.waitExposed(window)
    for page in window.pages:
        page.ensure()
    return window


def test_a_year_switch_reads_the_year_once_for_the_tab_on_view(qtbot, ledger_dir, loads):
    window = shown_window(qtbot, ledger_dir, STATS)
    stats = window.stats_tab
    for tab, year in ((STATS, YEARS[-2]), (RECORD, YEARS[-1]), (PLAN, YEARS[-2])):
        window.tabs.setCurrentIndex(tab)
        loads.clear()
        window.state.set_year(year)
        qtbot.wait(10)
        # 统计 reads the year; 记录's list and its editor share one read; 计划 reads the plan only.
        assert loads == ([] if tab == PLAN else [year]), window.tabs.tabText(tab)
    assert stats.refresher.pending == YEAR  # it heard of the switches while hidden

    loads.clear()
    window.tabs.setCurrentIndex(STATS)  # behind two year switches: refreshed once, when shown
    assert loads == [YEARS[-2]] and stats.stats.year == YEARS[-2]
    window.tabs.setCurrentIndex(RECORD)  # the same year, already read: shared, not read again
    assert loads == [YEARS[-2]]
    assert window.record_tab.model.rowCount() == 12


def test_a_tab_behind_another_is_refreshed_when_shown_with_what_changed(
    qtbot, ledger_dir, loads, monkeypatch
):
    window = shown_window(qtbot, ledger_dir, PLAN)
    stats = window.stats_tab
    shown = []
    real_show = stats._show
    monkeypatch.setattr(stats, "_show", lambda: shown.append(1) or real_show())
    window.state.set_year(YEARS[0])  # a full year, every activity held
    data = ledger.load_year(YEARS[0])
    activity = data.activities[0]
    member = data.expected_members(activity)[0]
    statuses = {r.member_id: (r.status, r.reason) for r in activity.attendance}
    statuses[member.member_id] = (vocab.ABSENT, "")
    loads.clear()
    for _ in range(3):  # three saves while 统计 is hidden
        save_attendance(activity.activity_id, statuses)
        window.state.changed.emit("attendance")
    assert shown == [] and loads == []

    window.tabs.setCurrentIndex(STATS)
    assert shown == [1] and loads == [YEARS[0]]
    fresh = compute_statistics(ledger.load_year(YEARS[0]))
    on_screen = {m.member_id: m for m in stats.stats.members}[member.member_id]
    in_db = {m.member_id: m for m in fresh.members}[member.member_id]
    assert on_screen.by_status == in_db.by_status and in_db.by_status[vocab.ABSENT] >= 1


def test_an_attendance_key_saves_and_refreshes_nothing_hidden(qtbot, ledger_dir, loads):
    window = shown_window(qtbot, ledger_dir, PLAN)
    window.state.set_year(YEARS[0])
    for tab in (RECORD, STATS, ROSTER):  # every tab up to date, none waiting
        window.tabs.setCurrentIndex(tab)
    roster = window.roster_tab
    view = roster.attendance
    roster.pages.setCurrentWidget(view)
    view.activity_box.setCurrentIndex(0)
    view.table.setCurrentIndex(view.model.index(0, view.model.COL_STATUS))
    first = view.model.rows[0]
    status, key = (
        (vocab.PRESENT, Qt.Key.Key_1)
        if first.status == vocab.ABSENT
        else (vocab.ABSENT, Qt.Key.Key_6)
    )
    loads.clear()

    qtbot.keyClick(view.table, key)
    assert view.flush()  # what the sheet's timer does a moment after the key

    assert loads == []  # no screen read the year again
    for tab in (window.plan_tab, window.record_tab, window.stats_tab):
        assert tab.refresher.pending == "attendance"  # noted, refreshed when next shown
    saved = ledger.load_year(YEARS[0]).activities[0].attendance
    assert next(r.status for r in saved if r.member_id == first.member_id) == status


def test_before_the_first_paint_only_the_tab_on_view_reads_its_data(qtbot, ledger_dir, loads):
    window = MainWindow(ledger_dir)
    qtbot.addWidget(window)
    assert [page.content is not None for page in window.pages] == [True, False, False, False]
    window.show()
    qtbot.waitExposed(window)
    assert loads == []  # the plan tab reads the plan, not a year of attendance
    for page in window.pages:  # as the prebuild after the first paint does
        page.ensure()
    built = [window.record_tab, window.roster_tab.roster, window.stats_tab]
    assert loads == [] and all(tab.refresher.pending for tab in built)
    assert window.stats_tab.stats is None and window.roster_tab.roster.model.rowCount() == 0

    window.tabs.setCurrentIndex(ROSTER)
    assert window.roster_tab.roster.model.rowCount() > 0
    assert window.roster_tab.attendance.refresher.pending  # its sub-page waits too
