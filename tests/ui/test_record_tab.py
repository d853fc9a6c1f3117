"""The 记录 tab: fill a record through the editor, save, reopen; figures, warnings, print, files."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QDate, QPoint, Qt, QTime
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QMessageBox

from app.models import Activity, Attachment
from app.ui.record_editor import RecordEditor
from app.ui.record_tab import RecordTab
from app.ui.state import AppState
from tests.record_helpers import MARCH, TODAY, build_year
from tests.ui.print_helpers import pdf_printer
from tests.ui.typing import type_text

CLICK = Qt.MouseButton.LeftButton


@pytest.fixture
def year(branch):
    return build_year()


def tick(qtbot, check) -> None:
    """Click a check box on its box (a wide check box only reacts on its box and text)."""
    qtbot.mouseClick(check, CLICK, pos=QPoint(8, check.height() // 2))


def make_tab(qtbot, data_dir) -> RecordTab:
    state = AppState(data_dir)
    state.year = 2026
    tab = RecordTab(state, today=lambda: TODAY)
    qtbot.addWidget(tab)
    tab.resize(1200, 860)
    tab.show()
    return tab


def open_record(qtbot, data_dir, activity_id: int) -> tuple[RecordTab, RecordEditor]:
    """The tab with one record in its editor."""
    tab = make_tab(qtbot, data_dir)
    tab.select_activity(activity_id)
    return tab, tab.editor


def window_on_records(qtbot, data_dir):
    """The whole window, on 2026 and its 记录 tab."""
    from app.ui.main_window import MainWindow

    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    window.show()
    window.state.set_year(2026)
    window.tabs.setCurrentIndex(1)
    return window


def test_a_record_filled_in_the_editor_is_saved_and_reads_back_field_for_field(
    qtbot, data_dir, year
):
    march, april = year
    tab, e = open_record(qtbot, data_dir, march.id)
    assert e.activity_id == march.id

    # Figures come from the attendance, never typed; non-members are listed apart.
    assert "应参加党员 <b>10</b> 人，实际参加党员 <b>8</b> 人" in e.figures.text()
    assert "刘青青（入党积极分子）" in e.non_members.text()

    tick(qtbot, e.held_check)
    e.held_date.setDate(QDate(2026, 3, 6))
    e.start_time.setTime(QTime(14, 30))
    e.end_time.setTime(QTime(16, 45))
    e.theme.clear()
    type_text(qtbot, e.theme, "学习贯彻党章，争做合格党员")
    e.mode.setCurrentText("线上线下")
    type_text(qtbot, e.partner, "中共县税务局机关支部委员会")
    tick(qtbot, e.category_checks["学习教育"])
    assert "学习日" in e.warnings.text()  # only study: visible, not blocking
    assert "改期原因" in e.warnings.text()  # held a day after the plan, no reason yet
    e.template_box.setCurrentIndex(1)
    qtbot.mouseClick(e.template_button, CLICK)
    assert "学习贯彻党章，争做合格党员" in e.content.toPlainText()
    assert e.category_checks["通报"].isChecked()  # the template's categories are ticked
    assert "学习日" not in e.warnings.text()
    type_text(qtbot, e.cost, "80.5")

    # A mistake: no place. The message sits by the field; nothing typed is lost or written.
    qtbot.mouseClick(e.save_button, CLICK)
    assert "活动地点" in e.errors["place"].text() and e.errors["place"].isVisible()
    assert e.theme.text() == "学习贯彻党章，争做合格党员" and e.cost.text() == "80.5"
    assert Activity.get_by_id(march.id).held_date is None

    # Leaving for another record with the mistake still there keeps us on this one.
    tab.view.selectRow(tab.model.keys.index(april.id))
    assert e.activity_id == march.id and e.theme.text() == "学习贯彻党章，争做合格党员"

    type_text(qtbot, e.place, "青山村党员活动室")
    e.place_type.setCurrentText("党员活动室")
    type_text(qtbot, e.held_reason, "5日全村防汛，改至6日")
    tick(qtbot, e.submitted_check)
    e.submitted_date.setDate(QDate(2026, 3, 8))
    assert not e.warnings.isVisible() or "改期原因" not in e.warnings.text()
    qtbot.mouseClick(e.save_button, CLICK)
    assert e.message.text() == "已保存。" and not e.dirty

    stored = Activity.get_by_id(march.id)
    content = stored.content
    assert (
        stored.held_date,
        stored.start_time,
        stored.end_time,
        stored.held_reason,
        stored.theme,
        stored.place,
        stored.place_type,
        stored.mode,
        stored.partner_org,
        stored.cost,
        stored.submitted_date,
    ) == (
        dt.date(2026, 3, 6),
        dt.time(14, 30),
        dt.time(16, 45),
        "5日全村防汛，改至6日",
        "学习贯彻党章，争做合格党员",
        "青山村党员活动室",
        "党员活动室",
        "线上线下",
        "中共县税务局机关支部委员会",
        Decimal("80.50"),
        dt.date(2026, 3, 8),
    )
    assert stored.categories == ["学习教育", "党员管理", "通报"]
    assert content.count("\n\n") >= 2 and "学习贯彻党章" in content
    assert tab.model.rows[tab.model.keys.index(march.id)][4] == "已报送"

    # Reopen in a fresh tab: every field is back.
    again = make_tab(qtbot, data_dir)
    again.select_activity(march.id)
    r = again.editor
    assert r.held_check.isChecked() and r.held_date.date() == QDate(2026, 3, 6)
    assert (r.start_time.time(), r.end_time.time()) == (QTime(14, 30), QTime(16, 45))
    assert r.held_reason.text() == "5日全村防汛，改至6日"
    assert r.theme.text() == "学习贯彻党章，争做合格党员"
    assert (r.place.text(), r.place_type.currentText()) == ("青山村党员活动室", "党员活动室")
    assert r.mode.currentText() == "线上线下"
    assert r.partner.text() == "中共县税务局机关支部委员会"
    ticked = [n for n, c in r.category_checks.items() if c.isChecked()]
    assert ticked == ["学习教育", "党员管理", "通报"]
    assert r.content.toPlainText() == content
    assert r.cost.text() == "80.50"
    assert r.submitted_check.isChecked() and r.submitted_date.date() == QDate(2026, 3, 8)
    assert r.warnings.text() == ""

    again.grab().save(str(data_dir / "record_tab.png"))


def test_the_editor_says_when_attendance_is_not_entered_and_shows_overdue_in_red(
    qtbot, data_dir, year
):
    march, april = year
    tab = make_tab(qtbot, data_dir)
    tab.select_activity(april.id)
    assert "还没有登记这次活动的考勤" in tab.editor.figures.text()
    assert "应参加党员 11 人" in tab.editor.figures.text()

    Activity.update(held_date=MARCH, theme="学习", place="活动室").where(
        Activity.id == march.id
    ).execute()
    tab.state.changed.emit("activities")
    row = tab.model.keys.index(march.id)
    assert tab.model.rows[row][4] == "逾期未报送"
    color = tab.model.data(tab.model.index(row, 4), Qt.ItemDataRole.ForegroundRole).color()
    assert color == QColor("#b00000")


def test_printing_writes_two_marked_copies_off_the_ui_thread_and_prints_them(
    qtbot, data_dir, year, tmp_path
):
    march, _ = year
    tab, e = open_record(qtbot, data_dir, march.id)
    tick(qtbot, e.held_check)
    type_text(qtbot, e.place, "青山村党员活动室")
    type_text(qtbot, e.content, "集中学习党章。")
    assert e.two_copies.isChecked()
    pdf = tmp_path / "printer.pdf"
    e.printing.present = pdf_printer(pdf)  # the secretary picks a PDF printer and prints
    with qtbot.waitSignal(e.printing.finished, timeout=20000):
        qtbot.mouseClick(e.print_button, CLICK)  # unsaved edits are saved first

    assert Activity.get_by_id(march.id).place == "青山村党员活动室"
    pages = [re.sub(r"\s+", "", p.extract_text()) for p in PdfReader(str(pdf)).pages]
    assert len(pages) == 4
    assert "应参加党员10人，实际参加党员8人（附签名）" in pages[0]
    assert "集中学习党章。" in pages[0] and "支部留存" in pages[0]
    assert "报上级党组织" in pages[3].replace("报上级党组织一份", "")
    assert "已送往打印机" in e.message.text() and e.print_button.isEnabled()


def test_photos_and_scans_are_kept_with_their_sha256_shown_as_thumbnails_and_openable(
    qtbot, data_dir, year, tmp_path, monkeypatch
):
    march, _ = year
    tab, e = open_record(qtbot, data_dir, march.id)
    opened = []
    e.open_file = opened.append
    photo = tmp_path / "合影.png"
    image = QImage(320, 200, QImage.Format.Format_RGB32)
    image.fill(QColor("#c03030"))
    assert image.save(str(photo))
    scan = tmp_path / "签名表.pdf"
    scan.write_bytes(b"%PDF-1.4 scanned signatures")

    assert e.add_attachment_files([photo], "照片") == 1
    assert e.add_attachment_files([scan, photo], "签名表扫描件") == 1  # the photo is already there
    assert "已经添加过" in e.attach_error.text()
    assert e.attach_list.count() == 2
    thumb = e.attach_list.item(0).icon().pixmap(96, 96).toImage()
    assert thumb.pixelColor(48, 48) == QColor("#c03030")  # the photo itself, scaled

    e.attach_list.setCurrentRow(0)
    qtbot.mouseClick(e.open_button, CLICK)
    assert hashlib.sha256(opened[0].read_bytes()).hexdigest() == (
        hashlib.sha256(photo.read_bytes()).hexdigest()
    )
    assert opened[0].is_relative_to(data_dir)

    # Removing asks first (the stored copy is gone for good); "no" keeps it.
    asked = []
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr(
        QMessageBox, "question", lambda _p, _t, text, *a: asked.append(text) or answers.pop(0)
    )
    e.attach_list.setCurrentRow(1)
    qtbot.mouseClick(e.remove_button, CLICK)
    assert "签名表.pdf" in asked[0] and e.attach_list.count() == 2
    e.attach_list.setCurrentRow(1)
    qtbot.mouseClick(e.remove_button, CLICK)
    assert e.attach_list.count() == 1
    assert [a.kind for a in Attachment.select()] == ["照片"]


@pytest.mark.parametrize(
    ("answer", "closes", "stored"),
    [
        ("Save", True, "开展党员党性分析。"),
        ("Discard", True, ""),
        ("Cancel", False, ""),
    ],
)
def test_closing_the_window_with_an_unsaved_record_asks_to_save_it(
    qtbot, data_dir, year, monkeypatch, answer, closes, stored
):
    march, _ = year
    window = window_on_records(qtbot, data_dir)
    tab = window.record_tab
    tab.select_activity(march.id)
    before = Activity.get_by_id(march.id).content
    e = tab.editor
    e.content.clear()
    type_text(qtbot, e.content, "开展党员党性分析。")
    window.tabs.setCurrentIndex(0)  # typed, then looked at another tab
    asked = []
    monkeypatch.setattr(
        QMessageBox,
        "question",
        lambda *a: asked.append(a[2]) or getattr(QMessageBox.StandardButton, answer),
    )
    window.close()
    assert asked and "没有保存" in asked[0]
    assert window.isVisible() != closes
    assert window.tabs.currentIndex() == 1  # the record was shown while asking
    assert Activity.get_by_id(march.id).content == (stored or before)


def test_closing_the_window_without_edits_does_not_ask(qtbot, data_dir, year, monkeypatch):
    window = window_on_records(qtbot, data_dir)
    window.record_tab.select_activity(year[0].id)
    monkeypatch.setattr(QMessageBox, "question", lambda *a: pytest.fail("asked"))
    window.close()
    assert not window.isVisible()


def test_the_attendance_button_opens_the_roster_tab_on_this_activity(qtbot, data_dir, year):
    _, april = year
    window = window_on_records(qtbot, data_dir)
    window.record_tab.select_activity(april.id)
    assert "还没有登记" in window.record_tab.editor.figures.text()
    qtbot.mouseClick(window.record_tab.editor.attendance_button, CLICK)
    assert window.tabs.currentIndex() == 2
    from app.ui.attendance_view import AttendanceView

    view = window.roster_tab.findChild(AttendanceView)
    assert view.isVisible() and view.activity_id() == april.id


def test_ticking_submitted_proposes_today_not_the_activity_day(qtbot, data_dir, year):
    march, _ = year
    tab, e = open_record(qtbot, data_dir, march.id)
    tick(qtbot, e.held_check)
    e.held_date.setDate(QDate(2026, 3, 5))
    type_text(qtbot, e.place, "青山村党员活动室")
    type_text(qtbot, e.content, "集中学习党章。")
    tick(qtbot, e.submitted_check)
    assert e.submitted_date.date() == QDate(TODAY.year, TODAY.month, TODAY.day)
    assert e.save(), [label.text() for label in e.errors.values() if label.text()]
    assert Activity.get_by_id(march.id).submitted_date == TODAY

    # Reopened, the stored date stays as it was saved.
    e.load(None)
    tab.select_activity(march.id)
    assert e.submitted_date.date() == QDate(TODAY.year, TODAY.month, TODAY.day)


def test_save_and_print_stay_in_sight_on_a_small_screen_and_ctrl_s_saves(qtbot, data_dir, year):
    march, _ = year
    tab = make_tab(qtbot, data_dir)
    tab.resize(1176, 620)  # the tab in a maximised window on a 1366×768 screen
    tab.select_activity(march.id)
    qtbot.waitExposed(tab)
    e = tab.editor
    for button in (e.save_button, e.print_button):
        assert button.isVisible() and not button.visibleRegion().isEmpty()

    tab.activateWindow()
    qtbot.waitUntil(tab.isActiveWindow, timeout=10000)
    e.place.clear()
    type_text(qtbot, e.place, "青山村党员活动室")
    assert e.dirty
    qtbot.keyClick(e.place, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not e.dirty, timeout=5000)  # a shortcut animates the click
    assert e.message.text() == "已保存。"
    assert Activity.get_by_id(march.id).place == "青山村党员活动室"


def test_tab_in_the_content_moves_on_instead_of_typing_a_tab(qtbot, data_dir, year):
    march, _ = year
    tab = make_tab(qtbot, data_dir)
    tab.select_activity(march.id)
    tab.activateWindow()
    qtbot.waitUntil(tab.isActiveWindow, timeout=10000)
    e = tab.editor
    e.content.clear()
    type_text(qtbot, e.content, "集中学习党章")
    qtbot.keyClick(e.content, Qt.Key.Key_Tab)
    assert "\t" not in e.content.toPlainText()
    assert not e.content.hasFocus()


def test_the_record_tab_can_go_back_to_this_year_after_the_plan_moved_on(qtbot, data_dir, year):
    march, _ = year
    tab = make_tab(qtbot, data_dir)
    tab.state.set_year(2027)  # e.g. 制订2027年计划 on the plan tab
    assert tab.year_spin.value() == 2027 and tab.model.rowCount() == 0
    assert "2027年还没有活动计划" in tab.notice.text()
    tab.year_spin.setValue(2026)
    assert tab.state.year == 2026
    assert march.id in tab.model.keys


def test_a_record_with_a_mistake_is_kept_when_another_year_is_chosen(qtbot, data_dir, year):
    march, _ = year
    tab, e = open_record(qtbot, data_dir, march.id)
    e.cost.clear()
    type_text(qtbot, e.cost, "abc")
    e.content.clear()
    type_text(qtbot, e.content, "集中学习党章。")
    tab.year_spin.setValue(2027)
    qtbot.waitUntil(lambda: tab.state.year == 2026, timeout=5000)  # back to the record's year
    assert e.activity_id == march.id and e.dirty
    assert e.cost.text() == "abc" and e.content.toPlainText() == "集中学习党章。"
    assert "经费请填写金额" in e.errors["cost"].text()
    assert tab.year_spin.value() == 2026 and march.id in tab.model.keys


def test_an_activity_past_its_day_and_not_held_says_so_like_the_plan_tab(qtbot, data_dir, year):
    from app.ui.plan_tab import PlanTab

    march, april = year
    Activity.update(plan_date=dt.date(2026, 12, 5)).where(Activity.id == april.id).execute()
    tab = make_tab(qtbot, data_dir)
    tab.refresh()
    state = {key: tab.model.index(row, 4).data() for row, key in enumerate(tab.model.keys)}
    assert state[march.id] == "未开展"  # 5 March has passed, not recorded as held
    assert state[april.id] == "待开展"  # 5 December is still to come
    assert "还没有登记开展" in tab.model.index(tab.model.keys.index(march.id), 4).data(
        Qt.ItemDataRole.ToolTipRole
    )

    plan_tab = PlanTab(tab.state)
    qtbot.addWidget(plan_tab)
    plan_tab.today = lambda: TODAY
    plan_tab.refresh()
    column = plan_tab.model.headers.index("开展情况")
    words = {
        plan_tab.model.key_at(r): plan_tab.model.index(r, column).data()
        for r in range(plan_tab.model.rowCount())
    }
    assert words[march.id] == "未开展" and words[april.id] == "待开展"
