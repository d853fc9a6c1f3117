"""A year of the ledger as plain data: what statistics, reports and the export bundle read.

`load_year()` reads it from the database; `YearData.to_json()` / `YearData.from_json()` are the
bundle's `data.json` (docs/formats.md "Export bundle"), so the township computes its figures from a
bundle with exactly the functions the branch used on its own PC.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

import peewee as pw

from app.errors import UserError
from app.models import Activity, AnnualPlan, Attendance, Attendee, AttendeePresence, Branch, Member
from app.services.attendance import activity_day, counts_as_taking_part, is_on_roll
from app.services.probation import category_on


def _iso(value: dt.date | dt.time | None) -> str | None:
    return value.isoformat() if value is not None else None


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _time(value: str | None) -> dt.time | None:
    return dt.time.fromisoformat(value) if value else None


@dataclass(frozen=True)
class BranchInfo:
    name: str
    superior_org: str = ""
    secretary: str = ""
    activity_day: str = "5"  # "5", "10" or "custom:<day>"
    leave_counts_as_absent: bool = True
    form_title_prefix: str = ""

    @classmethod
    def from_model(cls, branch: Branch) -> BranchInfo:
        day = branch.activity_day_mode
        if day == "custom":
            day = f"custom:{branch.custom_day}"
        return cls(
            name=branch.name,
            superior_org=branch.superior_org,
            secretary=branch.secretary,
            activity_day=day,
            leave_counts_as_absent=bool(branch.leave_counts_as_absent),
            form_title_prefix=branch.form_title_prefix,
        )


@dataclass(slots=True)  # not frozen: see AttendanceRow
class MemberRow:
    member_id: int
    name: str
    category: str
    gender: str | None = None
    birth_date: dt.date | None = None
    joined_party_date: dt.date | None = None
    is_mobile: bool = False
    mobile_location: str = ""
    inflow_org: str = ""
    is_frail: bool = False
    is_leader: bool = False
    roll_start: dt.date | None = None
    left_date: dt.date | None = None
    left_reason: str | None = None

    def on_roll(self, day: dt.date) -> bool:
        return is_on_roll(self.roll_start, self.left_date, day)


@dataclass(frozen=True)
class AttendeeRow:
    attendee_id: int
    name: str
    kind: str


# Slotted, not frozen: a year holds thousands of these and a frozen dataclass's __init__ costs
# three times as much (each field set through object.__setattr__). Nothing changes one once
# loaded.
@dataclass(slots=True)
class AttendanceRow:
    member_id: int
    status: str
    reason: str = ""


@dataclass
class ActivityRow:
    activity_id: int
    plan_date: dt.date
    plan_reason: str | None = None
    holidays_unverified: bool = False
    planned_content: str = ""
    held_date: dt.date | None = None
    held_reason: str = ""  # why held on another day than planned
    start_time: dt.time | None = None
    end_time: dt.time | None = None
    theme: str = ""
    place: str = ""
    place_type: str = ""
    mode: str = "线下"
    partner_org: str = ""
    categories: list[str] = field(default_factory=list)
    content: str = ""
    cost: Decimal | None = None
    submitted_date: dt.date | None = None
    attendance: list[AttendanceRow] = field(default_factory=list)
    attendee_ids: list[int] = field(default_factory=list)

    @property
    def day(self) -> dt.date:
        return activity_day(self.plan_date, self.held_date)

    @property
    def is_held(self) -> bool:
        return self.held_date is not None

    @property
    def took_part(self) -> int:
        """实际参加党员: attendance rows with a status that counts as taking part (rule 4)."""
        return sum(1 for a in self.attendance if counts_as_taking_part(a.status))


@dataclass
class YearData:
    year: int
    branch: BranchInfo
    plan_status: str = "草稿"
    plan_filed_date: dt.date | None = None
    members: list[MemberRow] = field(default_factory=list)
    attendees: list[AttendeeRow] = field(default_factory=list)
    activities: list[ActivityRow] = field(default_factory=list)

    def expected_members(self, activity: ActivityRow) -> list[MemberRow]:
        """应参加党员 for one activity: the members on the roll that day (rule 4)."""
        day = activity.day
        return [m for m in self.members if is_on_roll(m.roll_start, m.left_date, day)]

    # --- data.json -------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        def member(m: MemberRow) -> dict[str, Any]:
            d = asdict(m)
            for key in ("birth_date", "joined_party_date", "roll_start", "left_date"):
                d[key] = _iso(d[key])
            return d

        def activity(a: ActivityRow) -> dict[str, Any]:
            return {
                "activity_id": a.activity_id,
                "plan_date": _iso(a.plan_date),
                "plan_reason": a.plan_reason,
                "holidays_unverified": a.holidays_unverified,
                "planned_content": a.planned_content,
                "held_date": _iso(a.held_date),
                "held_reason": a.held_reason,
                "start_time": a.start_time.strftime("%H:%M") if a.start_time else None,
                "end_time": a.end_time.strftime("%H:%M") if a.end_time else None,
                "theme": a.theme,
                "place": a.place,
                "place_type": a.place_type,
                "mode": a.mode,
                "partner_org": a.partner_org,
                "categories": list(a.categories),
                "content": a.content,
                "cost": str(a.cost) if a.cost is not None else None,
                "submitted_date": _iso(a.submitted_date),
                "expected": len(self.expected_members(a)),
                "took_part": a.took_part,
                "attendance": [asdict(r) for r in a.attendance],
                "attendee_ids": list(a.attendee_ids),
            }

        return {
            "year": self.year,
            "branch": asdict(self.branch),
            "plan": {"status": self.plan_status, "filed_date": _iso(self.plan_filed_date)},
            "members": [member(m) for m in self.members],
            "attendees": [asdict(a) for a in self.attendees],
            "activities": [activity(a) for a in self.activities],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> YearData:
        """Rebuild from a bundle's data.json. Raises KeyError/ValueError/TypeError on malformed
        input; bundle verification turns those into reasons."""
        members = [
            MemberRow(
                member_id=int(m["member_id"]),
                name=str(m["name"]),
                category=str(m["category"]),
                gender=m.get("gender"),
                birth_date=_date(m.get("birth_date")),
                joined_party_date=_date(m.get("joined_party_date")),
                is_mobile=bool(m.get("is_mobile", False)),
                mobile_location=m.get("mobile_location", "") or "",
                inflow_org=m.get("inflow_org", "") or "",
                is_frail=bool(m.get("is_frail", False)),
                is_leader=bool(m.get("is_leader", False)),
                roll_start=_date(m.get("roll_start")),
                left_date=_date(m.get("left_date")),
                left_reason=m.get("left_reason"),
            )
            for m in data["members"]
        ]
        activities = [
            ActivityRow(
                activity_id=int(a.get("activity_id", i + 1)),
                plan_date=dt.date.fromisoformat(a["plan_date"]),
                plan_reason=a.get("plan_reason"),
                holidays_unverified=bool(a.get("holidays_unverified", False)),
                planned_content=a.get("planned_content", "") or "",
                held_date=_date(a.get("held_date")),
                held_reason=a.get("held_reason", "") or "",
                start_time=_time(a.get("start_time")),
                end_time=_time(a.get("end_time")),
                theme=a.get("theme", "") or "",
                place=a.get("place", "") or "",
                place_type=a.get("place_type", "") or "",
                mode=a.get("mode", "线下"),
                partner_org=a.get("partner_org", "") or "",
                categories=list(a.get("categories") or []),
                content=a.get("content", "") or "",
                cost=Decimal(a["cost"]) if a.get("cost") is not None else None,
                submitted_date=_date(a.get("submitted_date")),
                attendance=[
                    AttendanceRow(int(r["member_id"]), str(r["status"]), r.get("reason") or "")
                    for r in a["attendance"]
                ],
                attendee_ids=[int(x) for x in a.get("attendee_ids", [])],
            )
            for i, a in enumerate(data["activities"])
        ]
        plan = data.get("plan") or {}
        return cls(
            year=int(data["year"]),
            branch=BranchInfo(**data["branch"]),
            plan_status=plan.get("status", "草稿"),
            plan_filed_date=_date(plan.get("filed_date")),
            members=members,
            attendees=[
                AttendeeRow(int(a["attendee_id"]), a["name"], a["kind"]) for a in data["attendees"]
            ],
            activities=activities,
        )


def has_branch() -> bool:
    """Whether the branch is set up (it is not before the first start's 保存, or after a
    restore of a backup that had none)."""
    return Branch.select().exists()


def require_branch() -> Branch:
    branch = Branch.select().first()
    if branch is None:
        raise UserError(
            "还没有设置党组织信息：请先在程序中设置党支部，或运行 demo 载入演示数据。",
            "no branch is set up yet",
        )
    return branch


# The columns copied as they are from a model into its row (the rest are converted below).
_MEMBER_COLUMNS = (
    "name",
    "category",
    "gender",
    "birth_date",
    "joined_party_date",
    "mobile_location",
    "inflow_org",
    "roll_start",
    "left_date",
    "left_reason",
)
_ACTIVITY_COLUMNS = (
    "plan_date",
    "plan_reason",
    "planned_content",
    "held_date",
    "held_reason",
    "start_time",
    "end_time",
    "theme",
    "place",
    "place_type",
    "mode",
    "partner_org",
    "content",
    "cost",
    "submitted_date",
)


def _member_row_fields() -> list[pw.Field]:
    """The columns `member_row` reads (a year's load converts no phone, ID, note or timestamp)."""
    names = ("id", *_MEMBER_COLUMNS, "is_mobile", "is_frail", "is_leader", "full_member_date")
    return [getattr(Member, name) for name in names]


def member_row(m: Member, on: dt.date | None = None) -> MemberRow:
    """The member as the year's data holds them; with `on`, the category of that day (a 预备党员
    who became 正式 later is 预备 in an earlier year's data)."""
    values = {column: getattr(m, column) for column in _MEMBER_COLUMNS}
    if on is not None:
        values["category"] = category_on(m, on)
    return MemberRow(
        member_id=m.id,
        is_mobile=bool(m.is_mobile),
        is_frail=bool(m.is_frail),
        is_leader=bool(m.is_leader),
        **values,
    )


def activity_row(a: Activity) -> ActivityRow:
    return ActivityRow(
        activity_id=a.id,
        holidays_unverified=bool(a.holidays_unverified),
        categories=list(a.categories),
        **{column: getattr(a, column) for column in _ACTIVITY_COLUMNS},
    )


def _plan_activities(plan: AnnualPlan) -> list[Activity]:
    return list(plan.activities.order_by(Activity.plan_date, Activity.id))


def year_activities(year: int) -> list[ActivityRow]:
    """The activities of `year`'s plan in date order (the same day: in the order entered),
    without their attendance; none when the year has no plan. One query."""
    plan = AnnualPlan.get_or_none(AnnualPlan.year == year)
    return [activity_row(a) for a in _plan_activities(plan)] if plan is not None else []


def find_activity(activity_id: int | None) -> ActivityRow | None:
    """One activity without its attendance; None when there is none by that id (deleted, or
    gone with a restore)."""
    activity = Activity.get_or_none(Activity.id == activity_id) if activity_id else None
    return activity_row(activity) if activity is not None else None


def activity_year(activity_id: int) -> int | None:
    """The year of the plan an activity belongs to; None when it no longer exists."""
    activity = Activity.get_or_none(Activity.id == activity_id)
    return activity.plan.year if activity is not None else None


def _stored_rows(query: pw.Select) -> list[tuple]:
    """The query's rows as SQLite returns them, without peewee's per-value conversion: only for
    columns whose stored value is the value (ids, text)."""
    sql, params = query.sql()
    return query.model._meta.database.execute_sql(sql, params).fetchall()


def load_year(year: int) -> YearData:
    """Everything about `year` in four queries, whatever the number of members."""
    branch = require_branch()
    plan = AnnualPlan.get_or_none(AnnualPlan.year == year)
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    members = [
        member_row(m, end)
        for m in Member.select(*_member_row_fields())
        .where(
            (Member.roll_start.is_null() | (Member.roll_start <= end))
            & (Member.left_date.is_null() | (Member.left_date > start))
        )
        .order_by(Member.id)
    ]
    activities: list[ActivityRow] = []
    if plan is not None:
        acts = _plan_activities(plan)
        by_id = {a.id: activity_row(a) for a in acts}
        ids = list(by_id)
        if ids:
            # Rows as SQLite stores them: a year holds thousands of attendance rows, and a
            # model object (then peewee's conversion of every value) for each was most of the
            # time a year took to load.
            rows = _stored_rows(
                Attendance.select(
                    Attendance.activity, Attendance.member, Attendance.status, Attendance.reason
                )
                .where(Attendance.activity.in_(ids))
                .order_by(Attendance.id)
            )
            for activity_id, member_id, status, reason in rows:
                by_id[activity_id].attendance.append(AttendanceRow(member_id, status, reason))
            presence = _stored_rows(
                AttendeePresence.select(AttendeePresence.activity, AttendeePresence.attendee)
                .where(AttendeePresence.activity.in_(ids))
                .order_by(AttendeePresence.id)
            )
            for activity_id, attendee_id in presence:
                by_id[activity_id].attendee_ids.append(attendee_id)
        activities = [by_id[a.id] for a in acts]
    return YearData(
        year=year,
        branch=BranchInfo.from_model(branch),
        plan_status=plan.status if plan else "草稿",
        plan_filed_date=plan.filed_date if plan else None,
        members=members,
        attendees=[
            AttendeeRow(a.id, a.name, a.kind) for a in Attendee.select().order_by(Attendee.id)
        ],
        activities=activities,
    )
