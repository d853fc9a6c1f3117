"""Names in pinyin order on the attendance sheet (the roll order on request), and the yearly
view's member picker finding 张建华 by `zjh`."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from app.models import Activity, AnnualPlan, Member, vocab
from app.services.roster import ORDER_ROLL
from app.ui.attendance_view import AttendanceView
from app.ui.member_year_view import MemberYearView
from app.ui.state import AppState

DAY = dt.date(2026, 6, 5)
NAMES = ["王建国", "张建华", "单雄信", "曾国藩", "李秀英"]


def _state(data_dir) -> AppState:
    state = AppState(data_dir)
    state.year = 2026
    return state


def test_the_attendance_sheet_lists_names_in_pinyin_order_and_keeps_marks(qtbot, data_dir, branch):
    plan = AnnualPlan.create(year=2026)
    Activity.create(plan=plan, plan_date=DAY, held_date=DAY, theme="学习")
    for name in NAMES:
        Member.create(name=name)
    view = AttendanceView(_state(data_dir))
    qtbot.addWidget(view)
    view.show()
    names = lambda: [m.name for m in view.model.rows]  # noqa: E731
    assert names() == ["李秀英", "单雄信", "王建国", "曾国藩", "张建华"]
    qtbot.mouseClick(view.all_present, Qt.MouseButton.LeftButton)
    view.model.rows[0].status = vocab.ABSENT  # 李秀英
    view.order.setCurrentText(ORDER_ROLL)
    assert names() == NAMES
    assert {m.name: m.status for m in view.model.rows}["李秀英"] == vocab.ABSENT
    assert [view.model.index(r, 0).data() for r in range(2)] == ["1", "2"]


def test_the_member_picker_finds_a_name_by_pinyin_initials(qtbot, data_dir, branch):
    ids = {name: Member.create(name=name).id for name in NAMES}
    view = MemberYearView(_state(data_dir))
    qtbot.addWidget(view)
    view.show()
    box = view.member_box
    assert [box.itemText(i) for i in range(box.count())][:2] == ["李秀英", "单雄信"]
    box.lineEdit().clear()
    qtbot.keyClicks(box.lineEdit(), "zjh")
    popup = box.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    shown = [popup.model().index(r, 0).data() for r in range(popup.model().rowCount())]
    assert shown == ["张建华"]
    popup.setCurrentIndex(popup.model().index(0, 0))
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert box.currentData() == ids["张建华"]
