"""考勤 by keyboard (rules 3 and 4): 全部出席, then exceptions by keys; read back from the database."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from PySide6.QtCore import Qt

from app.models import Activity, AnnualPlan, Attendance, AttendeePresence, Member, vocab
from app.services.roster import ORDER_ROLL, AttendeeInput, save_attendee
from app.ui.attendance_view import AttendanceModel, AttendanceView
from app.ui.state import AppState

DAY = dt.date(2026, 6, 5)


@pytest.fixture
def sheet_data(branch):
    plan = AnnualPlan.create(year=2026)
    activity = Activity.create(plan=plan, plan_date=DAY, held_date=DAY, theme="党纪学习教育")
    members = {
        "王建国": Member.create(name="王建国", is_leader=True),
        "陈志强": Member.create(name="陈志强", is_mobile=True, mobile_location="浙江省杭州市"),
        "李秀英": Member.create(name="李秀英"),
        "张德明": Member.create(name="张德明", is_frail=True),
        # left the roll before the activity: not expected
        "赵前进": Member.create(name="赵前进", left_date=dt.date(2026, 5, 20), left_reason="转出"),
        # joined the branch before the activity: expected
        "林新来": Member.create(name="林新来", roll_start=dt.date(2026, 6, 1)),
        # joins after: not expected
        "周后到": Member.create(name="周后到", roll_start=dt.date(2026, 6, 20)),
    }
    guest = save_attendee(AttendeeInput(name="汪小琴", kind="入党积极分子"))
    return activity, members, guest


def _view(qtbot, data_dir) -> AttendanceView:
    state = AppState(data_dir)
    state.year = 2026
    view = AttendanceView(state)
    qtbot.addWidget(view)
    view.resize(1100, 600)
    view.show()
    qtbot.waitExposed(view)
    return view


def _row(view: AttendanceView, name: str) -> int:
    return [m.name for m in view.model.rows].index(name)


def _go(qtbot, view: AttendanceView, name: str) -> None:
    view.table.setFocus()
    view._move_to(_row(view, name))


def test_marking_attendance_by_keyboard_is_saved_to_the_database(qtbot, data_dir, sheet_data):
    activity, members, guest = sheet_data
    view = _view(qtbot, data_dir)
    view.order.setCurrentText(ORDER_ROLL)  # the keys below walk the roll in the order entered
    assert view.activity_id() == activity.id
    names = [m.name for m in view.model.rows]
    assert "赵前进" not in names and "周后到" not in names  # 应参加 excludes them
    assert "林新来" in names
    assert "应参加党员 <b>5</b> 人" in view.counts.text()

    qtbot.mouseClick(view.all_present, Qt.MouseButton.LeftButton)
    assert "实际参加党员 <b>5</b> 人" in view.counts.text()

    _go(qtbot, view, "陈志强")
    qtbot.keyClick(view.table, Qt.Key.Key_2)  # the mobile member takes part online: one key
    # the cursor moved down by itself to 李秀英: 请假 opens the reason editor
    assert view.table.currentIndex().row() == _row(view, "李秀英")
    qtbot.keyClick(view.table, Qt.Key.Key_J)
    editor = view.table.focusWidget()
    assert view.table.state() == view.table.State.EditingState
    editor.insert("外出务工")  # Chinese comes through the input method, not key events
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.keyClick(view.table, Qt.Key.Key_Down)  # arrow keys move
    assert view.table.currentIndex().row() == _row(view, "张德明")
    qtbot.keyClick(view.table, Qt.Key.Key_4)  # 适当方式参加
    qtbot.keyClick(view.table, Qt.Key.Key_Q)  # 林新来: 缺席
    qtbot.keyClick(view.table, Qt.Key.Key_Up)
    qtbot.keyClick(view.table, Qt.Key.Key_Return)  # Enter: a note for 张德明
    view.table.focusWidget().insert("送学上门")
    qtbot.keyClick(view.table.focusWidget(), Qt.Key.Key_Return)
    assert "实际参加党员 <b>3</b> 人" in view.counts.text()
    assert "请假 1" in view.counts.text() and "缺席 1" in view.counts.text()

    view.guest_list.setFocus()
    view.guest_list.setCurrentIndex(view.guests.index(0))
    qtbot.keyClick(view.guest_list, Qt.Key.Key_Space)  # the invited guest, ticked apart
    assert "实际参加党员 <b>3</b> 人" in view.counts.text()

    qtbot.waitUntil(lambda: not view.dirty, timeout=3000)  # saved by itself
    got = {
        r.member.name: (r.status, r.reason)
        for r in Attendance.select().where(Attendance.activity == activity)
    }
    assert got == {
        "王建国": (vocab.PRESENT, ""),
        "陈志强": (vocab.ONLINE, ""),
        "李秀英": (vocab.LEAVE, "外出务工"),
        "张德明": (vocab.SUITABLE_MEANS, "送学上门"),
        "林新来": (vocab.ABSENT, ""),
    }
    assert [p.attendee_id for p in AttendeePresence.select()] == [guest.id]

    # clearing a status with Delete removes the row on the next save
    _go(qtbot, view, "林新来")
    qtbot.keyClick(view.table, Qt.Key.Key_Delete)
    assert view.flush()
    assert not Attendance.select().where(Attendance.member == members["林新来"]).exists()


def test_a_thousand_members_load_and_mark_quickly(qtbot, data_dir, branch):
    plan = AnnualPlan.create(year=2026)
    activity = Activity.create(plan=plan, plan_date=DAY, held_date=DAY, theme="学习")
    Member.insert_many([{"name": f"党员{i:04d}"} for i in range(1000)]).execute()
    start = time.perf_counter()
    view = _view(qtbot, data_dir)
    shown = time.perf_counter() - start
    assert view.model.rowCount() == 1000
    view.table.setFocus()
    view.mark_all_present()
    start = time.perf_counter()
    view._move_to(500)
    for _ in range(20):
        qtbot.keyClick(view.table, Qt.Key.Key_6)
    per_key = (time.perf_counter() - start) / 20
    start = time.perf_counter()
    assert view.flush()
    saved = time.perf_counter() - start
    assert Attendance.select().where(Attendance.status == vocab.ABSENT).count() == 20
    assert Attendance.select().where(Attendance.activity == activity).count() == 1000
    print(
        f"\n1000 members: view shown {shown * 1000:.0f} ms, {per_key * 1000:.1f} ms per key, "
        f"sheet saved {saved * 1000:.0f} ms"
    )
    assert shown < 3 and per_key < 0.1 and saved < 3
    assert view.model.data(view.model.index(999, AttendanceModel.COL_STATUS)) == vocab.PRESENT


def test_with_nobody_on_the_roll_the_sheet_and_the_record_say_to_add_members_first(
    qtbot, data_dir, branch
):
    from app.ui.record_tab import RecordTab

    plan = AnnualPlan.create(year=2026)
    activity = Activity.create(plan=plan, plan_date=DAY, held_date=DAY, theme="党纪学习教育")
    view = _view(qtbot, data_dir)
    assert view.activity_id() == activity.id
    assert view.notice.isVisible()
    assert "没有在册党员" in view.notice.text() and "导入花名册" in view.notice.text()

    state = AppState(data_dir)
    state.year = 2026
    tab = RecordTab(state, today=lambda: dt.date(2026, 11, 25))
    qtbot.addWidget(tab)
    tab.select_activity(activity.id)
    assert "还没有在册党员" in tab.editor.figures.text()

    Member.create(name="王建国")
    view.state.changed.emit("members")
    assert "没有在册党员" not in view.notice.text()
    tab.editor.refresh_figures()
    assert "应参加党员 1 人" in tab.editor.figures.text()


def test_a_members_year_marks_activities_not_held_yet(qtbot, data_dir, branch):
    from app.services.attendance import save_attendance
    from app.ui.member_year_view import MemberYearView

    plan = AnnualPlan.create(year=2026)
    held = Activity.create(plan=plan, plan_date=DAY, held_date=DAY, theme="党纪学习教育")
    later = Activity.create(plan=plan, plan_date=dt.date(2026, 12, 7), theme="年终总结")
    m = Member.create(name="王建国")
    for activity in (held, later):
        save_attendance(activity.id, {m.id: vocab.PRESENT})
    state = AppState(data_dir)
    state.year = 2026
    view = MemberYearView(state)
    qtbot.addWidget(view)
    view.refresh_year()
    themes = [row[1] for row in view.model.rows]
    assert themes == ["党纪学习教育", "年终总结（未开展）"]


def test_the_attendance_and_year_pages_choose_their_year(qtbot, data_dir, sheet_data):
    from app.ui.member_year_view import MemberYearView

    activity, members, _ = sheet_data
    view = _view(qtbot, data_dir)
    view.state.set_year(2027)
    assert view.activity_id() is None and view.year_spin.value() == 2027
    view.year_spin.setValue(2026)
    assert view.activity_id() == activity.id
    year_view = MemberYearView(view.state)
    qtbot.addWidget(year_view)
    assert year_view.findChild(type(view.year_spin)).value() == 2026
