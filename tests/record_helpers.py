"""A small branch year built with the models directly, for the record, form and record-tab tests.

Ten members on the roll on 2026-03-05 (with the rare name characters 堃 喆 犇), one who left in
February and one who joins in April (neither expected in March), one invited non-member, and the
March attendance: 8 take part (出席 ×5, 线上参加, 适当方式参加, 流入地参加), 1 请假, 1 缺席.
"""

from __future__ import annotations

import datetime as dt

from app import models
from app.models import (
    Activity,
    AnnualPlan,
    Attendance,
    Attendee,
    AttendeePresence,
    Member,
    vocab,
)
from app.services.records import RecordInput

MARCH = dt.date(2026, 3, 5)
APRIL = dt.date(2026, 4, 10)
TODAY = dt.date(2026, 11, 25)

ON_ROLL = [
    ("张堃", vocab.PRESENT, ""),
    ("李喆", vocab.PRESENT, ""),
    ("王犇", vocab.ONLINE, ""),
    ("赵淑芬", vocab.LEAVE, "外出务工"),
    ("钱国强", vocab.ABSENT, ""),
    ("孙志明", vocab.SUITABLE_MEANS, "送学上门"),
    ("周海燕", vocab.PRESENT, ""),
    ("吴建华", vocab.PRESENT, ""),
    ("郑小龙", vocab.AT_INFLOW_ORG, ""),
    ("欧阳明月", vocab.PRESENT, ""),
]
EXPECTED_IN_MARCH = 10
TOOK_PART_IN_MARCH = 8
NON_MEMBER = ("刘青青", "入党积极分子")
LEFT_IN_FEBRUARY = "陈已转"
JOINS_IN_APRIL = "林新来"


def build_year() -> tuple[Activity, Activity]:
    """Plan 2026 with a March activity (attendance entered, not yet held in the record) and an
    April one without attendance. Returns (march, april)."""
    plan = AnnualPlan.create(year=2026)
    march = Activity.create(plan=plan, plan_date=MARCH, theme="学习贯彻党章")
    april = Activity.create(plan=plan, plan_date=APRIL, theme="清明祭扫")
    members = []
    for name, _, _ in ON_ROLL:
        members.append(
            Member.create(
                name=name,
                is_mobile=name == "郑小龙",
                inflow_org="上海市浦东新区某社区党委" if name == "郑小龙" else "",
                is_frail=name == "孙志明",
            )
        )
    Member.create(name=LEFT_IN_FEBRUARY, left_date=dt.date(2026, 2, 20), left_reason="转出")
    Member.create(name=JOINS_IN_APRIL, roll_start=dt.date(2026, 4, 1))
    for member, (_, status, reason) in zip(members, ON_ROLL, strict=True):
        Attendance.create(activity=march, member=member, status=status, reason=reason)
    guest = Attendee.create(name=NON_MEMBER[0], kind=NON_MEMBER[1])
    AttendeePresence.create(activity=march, attendee=guest)
    return march, april


def full_record(**changes) -> RecordInput:
    """A complete March record as the editor would save it; `changes` replace fields."""
    values = dict(
        held_date=MARCH,
        start_time=dt.time(9, 0),
        end_time=dt.time(11, 30),
        place="青山村党员活动室",
        place_type="党员活动室",
        mode="线上线下",
        partner_org="中共县税务局机关支部委员会",
        theme="学习贯彻党章，争做合格党员",
        categories=["通报", "学习教育", "党员管理"],
        content="一、集中学习党章。\n\n二、交纳党费。\n三、通报春耕工作安排。",
        cost="120.5",
        submitted_date=dt.date(2026, 3, 7),
    )
    values.update(changes)
    return RecordInput(**values)


def attachment_row(activity: Activity, **values) -> models.Attachment:
    """An attachment row with no file behind it: a photo unless `values` say otherwise."""
    row = {
        "kind": "照片",
        "stored_path": "x/1.jpg",
        "sha256": "0" * 64,
        "original_name": "1.jpg",
        "bytes": 10,
    }
    return models.Attachment.create(activity=activity, **{**row, **values})
