"""Who is expected and who took part (docs/rules.md rules 3 and 4, seed [二.3])."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from app.errors import UserError
from app.models import (
    DB,
    Activity,
    AnnualPlan,
    Attendance,
    Attendee,
    AttendeePresence,
    Branch,
    Member,
    vocab,
)
from app.services.probation import category_on
from app.services.record_rules import reason_problem, status_problem


def is_on_roll(roll_start: dt.date | None, left_date: dt.date | None, day: dt.date) -> bool:
    """Rule 4: 应参加 = the members on the roll on the activity date [二.3].

    A member is on the roll from `roll_start` (None: always) until the day before `left_date`:
    someone who transfers out or dies on the activity day is no longer expected that day.
    """
    started = roll_start is None or roll_start <= day
    return started and (left_date is None or day < left_date)


def counts_as_taking_part(status: str) -> bool:
    """Rule 4: 出席, 线上参加, 流入地参加 and 适当方式参加 all count as 实际参加 [二.3]."""
    return status in vocab.TAKING_PART_STATUSES


def counts_as_not_taking_part(status: str, leave_counts_as_absent: bool = True) -> bool:
    """Rule 8: 缺席 is not taking part; so is 请假 unless the branch setting excuses leave
    (the seed [四.2] does not excuse it, hence the default)."""
    if status == vocab.ABSENT:
        return True
    return status == vocab.LEAVE and leave_counts_as_absent


def activity_day(plan_date: dt.date, held_date: dt.date | None) -> dt.date:
    """The date that decides who is on the roll: the held date once held, else the plan date."""
    return held_date or plan_date


# --- one activity's attendance sheet ----------------------------------------------------------
def _get_activity(activity_id: int) -> Activity:
    activity = Activity.get_or_none(Activity.id == activity_id)
    if activity is None:
        raise UserError("该活动不存在，可能已被删除。", f"no activity {activity_id}")
    return activity


def on_roll_condition(day: dt.date):
    """`is_on_roll` as a query condition, so 应参加 is one SELECT whatever the roster size."""
    return (Member.roll_start.is_null() | (Member.roll_start <= day)) & (
        Member.left_date.is_null() | (Member.left_date > day)
    )


def expected_members_for(activity_id: int) -> list[Member]:
    """应参加党员 of one activity: the members on the roll on its date (rule 4, seed [二.3])."""
    activity = _get_activity(activity_id)
    day = activity_day(activity.plan_date, activity.held_date)
    return list(Member.select().where(on_roll_condition(day)).order_by(Member.id))


@dataclass
class SheetMember:
    """One expected member on the attendance sheet, with the flags that suggest a status."""

    member_id: int
    name: str
    category: str
    is_mobile: bool = False
    mobile_location: str = ""
    inflow_org: str = ""
    is_frail: bool = False
    is_leader: bool = False
    status: str | None = None  # None: not marked yet
    reason: str = ""


@dataclass
class SheetAttendee:
    attendee_id: int
    name: str
    kind: str
    present: bool = False


@dataclass
class AttendanceSheet:
    activity_id: int
    day: dt.date
    held: bool
    theme: str
    members: list[SheetMember] = field(default_factory=list)
    attendees: list[SheetAttendee] = field(default_factory=list)

    @property
    def expected(self) -> int:
        return len(self.members)

    @property
    def took_part(self) -> int:
        return sum(1 for m in self.members if m.status and counts_as_taking_part(m.status))

    def count(self, status: str | None) -> int:
        return sum(1 for m in self.members if m.status == status)


def load_sheet(activity_id: int) -> AttendanceSheet:
    """The expected members with their recorded status, and every invited non-member who is
    active or came to this activity."""
    activity = _get_activity(activity_id)
    day = activity_day(activity.plan_date, activity.held_date)
    recorded = {
        r.member_id: r for r in Attendance.select().where(Attendance.activity == activity_id)
    }
    members = [
        SheetMember(
            member_id=m.id,
            name=m.name,
            category=category_on(m, day),  # 预备 before the 转正日期
            is_mobile=bool(m.is_mobile),
            mobile_location=m.mobile_location,
            inflow_org=m.inflow_org,
            is_frail=bool(m.is_frail),
            is_leader=bool(m.is_leader),
            status=recorded[m.id].status if m.id in recorded else None,
            reason=recorded[m.id].reason if m.id in recorded else "",
        )
        for m in Member.select().where(on_roll_condition(day)).order_by(Member.id)
    ]
    present = {
        p.attendee_id
        for p in AttendeePresence.select().where(AttendeePresence.activity == activity_id)
    }
    attendees = [
        SheetAttendee(a.id, a.name, a.kind, a.id in present)
        for a in Attendee.select().order_by(Attendee.id)
        if a.active or a.id in present
    ]
    return AttendanceSheet(
        activity_id=activity.id,
        day=day,
        held=activity.held_date is not None,
        theme=activity.theme,
        members=members,
        attendees=attendees,
    )


def save_attendance(
    activity_id: int,
    statuses: Mapping[int, tuple[str, str] | str | None],
    attendee_ids: Iterable[int] | None = None,
) -> None:
    """Replace one activity's attendance in one transaction.

    `statuses` maps member id -> (status, reason) (or a bare status); a member left out or mapped
    to None has no status. Every member must be on the roll that day (rule 4). `attendee_ids` are
    the invited non-members who came (None: leave them as they are).
    """
    activity = _get_activity(activity_id)
    day = activity_day(activity.plan_date, activity.held_date)
    wanted: dict[int, tuple[str, str]] = {}
    for member_id, value in statuses.items():
        if value is None:
            continue
        status, reason = (value, "") if isinstance(value, str) else value
        # The same rules a bundle's data.json passes at the township (record_rules).
        problem = status_problem(status) or reason_problem(reason or "")
        if problem:
            raise problem.error()
        wanted[int(member_id)] = (status, (reason or "").strip())
    with DB.atomic():
        expected = {m.id for m in Member.select(Member.id).where(on_roll_condition(day))}
        strangers = set(wanted) - expected
        if strangers:
            names = "、".join(
                m.name for m in Member.select(Member.name).where(Member.id.in_(list(strangers)))
            )
            raise UserError(
                f"{names} 在 {day.isoformat()} 不在花名册上，不能登记本次活动的考勤。",
                f"members {sorted(strangers)} are not on the roll on {day}",
                field="status",
            )
        existing = {
            r.member_id: r for r in Attendance.select().where(Attendance.activity == activity_id)
        }
        gone = [mid for mid in existing if mid not in wanted]
        if gone:
            Attendance.delete().where(
                (Attendance.activity == activity_id) & Attendance.member.in_(gone)
            ).execute()
        new_rows = []
        for member_id, (status, reason) in wanted.items():
            row = existing.get(member_id)
            if row is None:
                new_rows.append(
                    {"activity": activity_id, "member": member_id, "status": status, "reason": reason}
                )
            elif (row.status, row.reason) != (status, reason):
                Attendance.update(status=status, reason=reason).where(
                    Attendance.id == row.id
                ).execute()
        for start in range(0, len(new_rows), 200):  # SQLite's variable limit
            Attendance.insert_many(new_rows[start : start + 200]).execute()
        if attendee_ids is not None:
            _save_presence(activity_id, {int(a) for a in attendee_ids})


def _save_presence(activity_id: int, came: set[int]) -> None:
    """The invited non-members who came to one activity (inside the caller's transaction)."""
    known = {a.id for a in Attendee.select(Attendee.id).where(Attendee.id.in_(list(came)))}
    if came - known:
        raise UserError(
            "有列席人员已被删除，请刷新后重新勾选。",
            f"unknown attendees {sorted(came - known)}",
            field="attendees",
        )
    AttendeePresence.delete().where(
        (AttendeePresence.activity == activity_id) & AttendeePresence.attendee.not_in(list(came))
    ).execute()
    have = {
        p.attendee_id
        for p in AttendeePresence.select().where(AttendeePresence.activity == activity_id)
    }
    missing = sorted(came - have)
    if missing:
        AttendeePresence.insert_many(
            [{"activity": activity_id, "attendee": a} for a in missing]
        ).execute()


def mark_all_present(activity_id: int) -> int:
    """全部出席: every expected member not yet marked becomes 出席; marked ones keep their status.
    Returns how many were marked."""
    sheet = load_sheet(activity_id)
    statuses = {m.member_id: (m.status, m.reason) for m in sheet.members if m.status}
    added = 0
    for m in sheet.members:
        if not m.status:
            statuses[m.member_id] = (vocab.PRESENT, "")
            added += 1
    save_attendance(activity_id, statuses)
    return added


# --- one member's year ------------------------------------------------------------------------
NOT_HELD = vocab.ACTIVITY_NOT_HELD
NOT_ON_ROLL = "不在册"
NOT_MARKED = "未登记"


@dataclass(frozen=True)
class MemberYearRow:
    activity_id: int
    day: dt.date
    theme: str
    held: bool
    on_roll: bool
    status: str | None
    reason: str
    not_taking_part: bool  # counts towards rule 8
    running_count: int  # not taking part so far this year, this activity included

    @property
    def shown_status(self) -> str:
        if not self.on_roll:
            return NOT_ON_ROLL
        if self.status:
            return self.status
        return NOT_MARKED if self.held else NOT_HELD


@dataclass
class MemberYear:
    member_id: int
    name: str
    year: int
    leave_counts_as_absent: bool
    rows: list[MemberYearRow] = field(default_factory=list)

    @property
    def expected(self) -> int:
        return sum(1 for r in self.rows if r.held and r.on_roll)

    @property
    def took_part(self) -> int:
        return sum(1 for r in self.rows if r.status and counts_as_taking_part(r.status))

    @property
    def not_taking_part(self) -> int:
        return self.rows[-1].running_count if self.rows else 0

    @property
    def absent(self) -> int:
        return sum(1 for r in self.rows if r.status == vocab.ABSENT)

    @property
    def leave(self) -> int:
        return sum(1 for r in self.rows if r.status == vocab.LEAVE)


def member_year(member_id: int, year: int) -> MemberYear:
    """Each activity of `year` with the member's status and their running count of not taking part
    (rule 8, seed [四.2]: 累计3次 谈话提醒, 6次及以上 不合格党员的重要依据)."""
    member = Member.get_or_none(Member.id == member_id)
    if member is None:
        raise UserError("该党员不存在，可能已被删除。", f"no member {member_id}")
    branch = Branch.select().first()
    leave_counts = bool(branch.leave_counts_as_absent) if branch else True
    plan = AnnualPlan.get_or_none(AnnualPlan.year == year)
    result = MemberYear(member.id, member.name, year, leave_counts)
    if plan is None:
        return result
    acts = list(plan.activities.order_by(Activity.plan_date, Activity.id))
    recorded = {
        r.activity_id: r
        for r in Attendance.select().where(
            (Attendance.member == member_id) & Attendance.activity.in_([a.id for a in acts])
        )
    }
    running = 0
    for a in sorted(acts, key=lambda a: activity_day(a.plan_date, a.held_date)):
        day = activity_day(a.plan_date, a.held_date)
        row = recorded.get(a.id)
        status = row.status if row else None
        missed = bool(status) and counts_as_not_taking_part(status, leave_counts)
        running += missed
        result.rows.append(
            MemberYearRow(
                activity_id=a.id,
                day=day,
                theme=a.theme,
                held=a.held_date is not None,
                on_roll=is_on_roll(member.roll_start, member.left_date, day),
                status=status,
                reason=row.reason if row else "",
                not_taking_part=missed,
                running_count=running,
            )
        )
    return result
