"""The large ledger of bench rows (f) and (g), and of tests/ui/test_refresh.py at a smaller size:
a branch with `members` members, a plan for every year of `years` (12 activities each), every
activity held, its record filled and its attendance entered — all through the program's own
services (save_branch, create_member, leave_roll, create_plan, save_record, save_attendance), so
the database holds what the window would have written.

Shape: one member in twenty joins the roll in a later year (转入), one in forty leaves in a
middle year (转出); statuses drawn with the weights of a real village branch, 请假 with a reason.
Activities after `today` stay planned, not held: a bundle cannot report an activity held after
the day it is made (docs/rules.md), so the year in progress has fewer than twelve.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

LARGE_MEMBERS = 300
LARGE_YEARS = range(2017, 2027)
STATUS_WEIGHTS = (70, 6, 4, 4, 8, 8)  # 出席 线上 流入地 适当方式 请假 缺席


@dataclass(frozen=True)
class LedgerShape:
    members: int
    years: range
    attendance_rows: int


def build_ledger(
    data_dir: Path,
    members: int = LARGE_MEMBERS,
    years: range = LARGE_YEARS,
    *,
    today: dt.date | None = None,
) -> LedgerShape:
    """Fill the open (empty) database of `data_dir` with the large ledger; one transaction."""
    from app.models import DB, Attendance, vocab
    from app.services import plan as plans
    from app.services.attendance import is_on_roll, save_attendance
    from app.services.branch import BranchSettings, save_branch
    from app.services.ledger import year_activities
    from app.services.records import RecordInput, save_record
    from app.services.roster import MemberInput, create_member, leave_roll

    today = today or dt.date.today()
    rng = random.Random(members * 31 + len(years))
    first = years[0]
    with DB.atomic():
        save_branch(
            BranchSettings(
                name="中共三百人村支部委员会", superior_org="中共青山镇委员会", secretary="党员000"
            )
        )
        roll: list[tuple[int, dt.date | None, dt.date | None]] = []
        for i in range(members):
            joins = dt.date(first + 1 + i % (len(years) - 1), 3, 1) if i % 20 == 3 else None
            member = create_member(
                MemberInput(
                    name=f"党员{i:03d}",
                    gender="男" if i % 3 else "女",
                    birth_date=dt.date(1940 + i % 30, 1 + i % 12, 1 + i % 28),
                    joined_party_date=dt.date(first - 5 - i % 20, 7, 1),
                    roll_start=joins,
                ),
                today=today,
            )
            roll.append((member.id, joins, None))
        for i in range(0, members, 40):
            member_id, joins, _ = roll[i]
            if joins is not None:
                continue
            left = dt.date(first + len(years) // 2, 6, 20)
            leave_roll(member_id, left, "转出", today=today)
            roll[i] = (member_id, joins, left)
        for year in years:
            plans.create_plan(year)
            for n, activity in enumerate(year_activities(year)):
                day = activity.plan_date
                if day > today:
                    continue
                save_record(
                    activity.activity_id,
                    RecordInput(
                        held_date=day,
                        start_time=dt.time(9, 0),
                        end_time=dt.time(11, 0),
                        place="村党员活动室",
                        place_type=vocab.PLACE_TYPES[0],
                        theme=activity.theme,
                        categories=list(activity.categories),
                        content=f"{activity.theme}。学习党章党规，通报近期村务工作。",
                        submitted_date=day + dt.timedelta(days=1 + n % 2),
                    ),
                    today=today,
                )
                statuses = {}
                for member_id, joins, left in roll:
                    if is_on_roll(joins, left, day):
                        status = rng.choices(vocab.ATTENDANCE_STATUSES, STATUS_WEIGHTS)[0]
                        statuses[member_id] = (status, "外出务工" if status == vocab.LEAVE else "")
                save_attendance(activity.activity_id, statuses)
        rows = Attendance.select().count()
    return LedgerShape(members, years, rows)
