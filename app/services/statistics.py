"""The year's figures (docs/rules.md rules 4, 7 and 8): per member, per activity and for the branch.

Computed from plain `YearData`, never from the database, so the branch's own PC (`load_year`) and
the township (a bundle's data.json, `YearData.from_json`) get the same numbers from the same code.
The 统计 tab, the statistics workbook, `stats --json` and the export bundle all call
`compute_statistics`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from app.models import vocab
from app.services.attendance import counts_as_not_taking_part
from app.services.evaluation import Talks, is_unqualified_basis, needs_talk_reminder
from app.services.ledger import YearData
from app.services.records import submission_deadline

ACTIVITIES_PER_YEAR = 12  # 每年不少于12次

STATUSES = vocab.ATTENDANCE_STATUSES
SUBMITTED_ON_TIME, SUBMITTED_LATE, SUBMISSION_PENDING = "按时报送", "逾期报送", "待报送"


def is_overdue(held_date: dt.date | None, submitted_date: dt.date | None, today: dt.date) -> bool:
    """Rule 7 (逾期未报送): a held activity's record not 报送 within 3 days after the held date —
    submitted after the deadline, or not submitted and the deadline has passed by `today`.
    The deadline itself is `records.submission_deadline`, the one place the 3 days live."""
    if held_date is None:
        return False
    deadline = submission_deadline(held_date)
    if submitted_date is not None:
        return submitted_date > deadline
    return today > deadline


def elapsed_months(year: int, today: dt.date) -> list[int]:
    """The months of `year` that are over by `today`: a month still running may yet get its
    activity, so only finished months can be 'without activity'."""
    if year < today.year:
        return list(range(1, 13))
    if year > today.year:
        return []
    return list(range(1, today.month))


def _rate(took_part: int, expected: int) -> float | None:
    return took_part / expected if expected else None


@dataclass(kw_only=True)
class AttendanceCounts:
    """Who was expected and how each attended, counted over a member's year or at one activity
    (rule 4): 应参加, the count of each status, and the expected with nothing entered."""

    expected: int = 0  # 应参加
    by_status: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    unrecorded: int = 0  # expected, but no attendance entered

    @property
    def took_part(self) -> int:
        return sum(self.by_status[s] for s in vocab.TAKING_PART_STATUSES)

    @property
    def rate(self) -> float | None:
        return _rate(self.took_part, self.expected)


@dataclass
class MemberStats(AttendanceCounts):
    """One member's year (rule 8). Only held activities while the member was on the roll count."""

    member_id: int
    name: str
    category: str
    left_date: dt.date | None
    roll_start: dt.date | None = None
    not_taking_part: int = 0  # 缺席, plus 请假 unless the branch excuses leave

    @property
    def leave(self) -> int:
        return self.by_status[vocab.LEAVE]

    @property
    def absent(self) -> int:
        return self.by_status[vocab.ABSENT]

    @property
    def talk_reminder(self) -> bool:
        return needs_talk_reminder(self.not_taking_part)

    @property
    def unqualified_basis(self) -> bool:
        return is_unqualified_basis(self.not_taking_part)


@dataclass
class ActivityStats(AttendanceCounts):
    activity_id: int
    plan_date: dt.date
    held_date: dt.date | None
    theme: str
    submitted_date: dt.date | None = None
    overdue: bool = False

    @property
    def is_held(self) -> bool:
        return self.held_date is not None

    @property
    def submission_state(self) -> str:
        """报送情况 (rule 7) as the statistics print it: 未开展, 待报送, 逾期未报送, 按时报送 or
        逾期报送 (`overdue` was reckoned on the statistics' day)."""
        if not self.is_held:
            return vocab.ACTIVITY_NOT_HELD
        if self.submitted_date is None:
            return vocab.RECORD_OVERDUE if self.overdue else SUBMISSION_PENDING
        return SUBMITTED_LATE if self.overdue else SUBMITTED_ON_TIME


@dataclass
class BranchStats:
    name: str
    planned: int
    held: int
    due: int  # planned activities whose date has come by `today`
    months_elapsed: list[int]
    months_without_activity: list[int]
    overdue_activity_ids: list[int]
    not_submitted: int  # held, 报送 date still empty (overdue or not yet)
    attendance_rate: float | None  # mean of the held activities' rates
    excellence_reasons: list[str]

    @property
    def overdue_records(self) -> int:
        return len(self.overdue_activity_ids)

    @property
    def excellence_ruled_out(self) -> bool:
        return bool(self.excellence_reasons)


@dataclass
class YearStatistics:
    year: int
    today: dt.date
    leave_counts_as_absent: bool
    branch: BranchStats
    members: list[MemberStats]
    activities: list[ActivityStats]

    @property
    def talk_reminder(self) -> list[MemberStats]:
        """谈话提醒: members who did not take part 3 or more times."""
        return [m for m in self.members if m.talk_reminder]

    @property
    def unqualified_basis(self) -> list[MemberStats]:
        """不合格党员认定依据: 6 or more times (a basis for the branch's judgement)."""
        return [m for m in self.members if m.unqualified_basis]

    def status_totals(self) -> dict[str, int]:
        """Participation by status over the year's held activities."""
        totals = dict.fromkeys(STATUSES, 0)
        for a in self.activities:
            for s, n in a.by_status.items():
                totals[s] += n
        return totals

    def excellence_note(self) -> str:
        """A plain sentence for the 评先评优 consequence of rule 8, or '' when nothing rules it out."""
        if not self.branch.excellence_reasons:
            return ""
        return (
            f"{self.year}年" + "；".join(self.branch.excellence_reasons) + "。按《实施意见》"
            "四.2，对落实党日活动制度不力、党内组织生活不正常的基层党组织，当年不得评先选优。"
        )

    def to_json(self) -> dict[str, Any]:
        """The `stats --json` object (documented in README.md); rates are fractions 0–1."""

        def rnd(x: float | None) -> float | None:
            return round(x, 4) if x is not None else None

        b = self.branch
        return {
            "year": self.year,
            "computed_on": self.today.isoformat(),
            "leave_counts_as_absent": self.leave_counts_as_absent,
            "branch": {
                "name": b.name,
                "planned": b.planned,
                "held": b.held,
                "due": b.due,
                "months_elapsed": list(b.months_elapsed),
                "months_without_activity": list(b.months_without_activity),
                "overdue_records": b.overdue_records,
                "overdue_activity_ids": list(b.overdue_activity_ids),
                "not_submitted": b.not_submitted,
                "attendance_rate": rnd(b.attendance_rate),
                "excellence_ruled_out": b.excellence_ruled_out,
                "excellence_note": self.excellence_note(),
            },
            "members": [
                {
                    "member_id": m.member_id,
                    "name": m.name,
                    "category": m.category,
                    "roll_start": m.roll_start.isoformat() if m.roll_start else None,
                    "left_date": m.left_date.isoformat() if m.left_date else None,
                    "expected": m.expected,
                    "took_part": m.took_part,
                    "by_status": dict(m.by_status),
                    "leave": m.leave,
                    "absent": m.absent,
                    "unrecorded": m.unrecorded,
                    "not_taking_part": m.not_taking_part,
                    "talk_reminder": m.talk_reminder,
                    "unqualified_basis": m.unqualified_basis,
                }
                for m in self.members
            ],
            "activities": [
                {
                    "activity_id": a.activity_id,
                    "plan_date": a.plan_date.isoformat(),
                    "held_date": a.held_date.isoformat() if a.held_date else None,
                    "theme": a.theme,
                    "expected": a.expected,
                    "took_part": a.took_part,
                    "by_status": dict(a.by_status),
                    "unrecorded": a.unrecorded,
                    "attendance_rate": rnd(a.rate),
                    "submitted_date": a.submitted_date.isoformat() if a.submitted_date else None,
                    "overdue": a.overdue,
                }
                for a in self.activities
            ],
            "talk_reminder": [m.member_id for m in self.talk_reminder],
            "unqualified_basis": [m.member_id for m in self.unqualified_basis],
        }


def _excellence_reasons(
    year: int, planned: int, held: int, months_without: list[int], year_over: bool
) -> list[str]:
    """Rule 8 [四.2]: activities not held regularly rule out 评先评优 for the year."""
    reasons = []
    if months_without:
        months = "、".join(f"{m}月" for m in months_without)
        reasons.append(f"{months}没有开展党日活动")
    if planned < ACTIVITIES_PER_YEAR:
        reasons.append(f"年度计划只有{planned}次活动，少于每年{ACTIVITIES_PER_YEAR}次")
    elif year_over and held < planned:
        reasons.append(f"计划{planned}次，实际只开展{held}次")
    return reasons


def compute_statistics(data: YearData, today: dt.date | None = None) -> YearStatistics:
    """All figures of the year from plain data (rules 4, 7, 8).

    - 应参加: a held activity counts for a member on the roll that day
      (`YearData.expected_members`), so members who joined or left during the year count only
      the activities while on the roll; activities not held yet count for nobody.
    - Not taking part: 缺席, and 请假 unless `data.branch.leave_counts_as_absent` is off.
      An expected member with no attendance entered is `unrecorded`, shown but not counted
      against them.
    - Overdue: `is_overdue` relative to `today` (default: the real today).
    """
    today = today or dt.date.today()
    leave_counts = data.branch.leave_counts_as_absent
    members = [
        MemberStats(
            member_id=m.member_id,
            name=m.name,
            category=m.category,
            left_date=m.left_date,
            roll_start=m.roll_start,
        )
        for m in data.members
    ]
    by_member = {s.member_id: s for s in members}

    activities: list[ActivityStats] = []
    held_months: set[int] = set()
    for a in data.activities:
        stats = ActivityStats(
            activity_id=a.activity_id,
            plan_date=a.plan_date,
            held_date=a.held_date,
            theme=a.theme,
            submitted_date=a.submitted_date,
            overdue=is_overdue(a.held_date, a.submitted_date, today),
        )
        activities.append(stats)
        if not a.is_held:
            continue
        if a.held_date.year == data.year:
            held_months.add(a.held_date.month)
        status_of = {r.member_id: r.status for r in a.attendance}
        expected = data.expected_members(a)
        stats.expected = len(expected)
        for row in expected:
            m = by_member[row.member_id]
            m.expected += 1
            status = status_of.get(row.member_id)
            if status is None or status not in m.by_status:
                m.unrecorded += 1
                stats.unrecorded += 1
                continue
            m.by_status[status] += 1
            stats.by_status[status] += 1
            if counts_as_not_taking_part(status, leave_counts):
                m.not_taking_part += 1

    return YearStatistics(
        year=data.year,
        today=today,
        leave_counts_as_absent=leave_counts,
        branch=_branch_stats(data, activities, held_months, today),
        members=members,
        activities=activities,
    )


def _branch_stats(
    data: YearData, activities: list[ActivityStats], held_months: set[int], today: dt.date
) -> BranchStats:
    """The branch's figures from its activities' (rule 8: held vs planned, months without)."""
    held = [s for s in activities if s.is_held]
    rates = [s.rate for s in held if s.rate is not None]
    months = elapsed_months(data.year, today)
    months_without = [m for m in months if m not in held_months]
    year_over = data.year < today.year
    return BranchStats(
        name=data.branch.name,
        planned=len(activities),
        held=len(held),
        due=sum(1 for a in data.activities if a.day <= today),
        months_elapsed=months,
        months_without_activity=months_without,
        overdue_activity_ids=[s.activity_id for s in activities if s.overdue],
        not_submitted=sum(1 for s in held if s.submitted_date is None),
        attendance_rate=sum(rates) / len(rates) if rates else None,
        excellence_reasons=_excellence_reasons(
            data.year, len(activities), len(held), months_without, year_over
        ),
    )


def talk_progress(stats: YearStatistics, talks: Talks) -> str:
    """Rule 8's follow-up in one line: of the members due a 谈话提醒, how many have had one, who
    has not, and whose talk is still 待整改 after its deadline."""
    due = stats.talk_reminder
    missing = [m.name for m in due if not talks.get(m.member_id)]
    late = [
        m.name
        for m in stats.members
        if any(t.is_past_deadline(stats.today) for t in talks.get(m.member_id) or [])
    ]
    text = f"应谈话 {len(due)} 人，已谈话 {len(due) - len(missing)} 人"
    if missing:
        text += "，未谈话：" + "、".join(missing)
    if late:
        text += "；逾期未整改：" + "、".join(late)
    return text


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.1%}"


def format_statistics(stats: YearStatistics, talks: Talks | None = None) -> str:
    """The plain-text report of `stats --year Y` (same figures as the JSON); with the year's
    talk records, also how far the 谈话提醒 have got."""
    b = stats.branch
    leave = "计入" if stats.leave_counts_as_absent else "不计入"
    months = "、".join(f"{m}月" for m in b.months_without_activity) or "无"
    lines = [
        f"{b.name}　{stats.year}年党员活动日统计（截至 {stats.today.isoformat()}）",
        f"计划 {b.planned} 次，已开展 {b.held} 次；无活动月份：{months}",
        f"逾期未报送 {b.overdue_records} 份，未报送 {b.not_submitted} 份；"
        f"平均参加率 {_pct(b.attendance_rate)}；请假{leave}未参加次数",
    ]
    note = stats.excellence_note()
    if note:
        lines.append(f"注意：{note}")
    lines.append("")
    header = [
        "编号",
        "姓名",
        "应参加",
        "出席",
        "线上",
        "流入地",
        "适当方式",
        "请假",
        "缺席",
        "未登记",
        "未参加",
    ]
    lines.append("\t".join(header))
    for m in stats.members:
        s = m.by_status
        row = [m.member_id, m.name, m.expected, s["出席"], s["线上参加"], s["流入地参加"]]
        row += [s["适当方式参加"], m.leave, m.absent, m.unrecorded, m.not_taking_part]
        lines.append("\t".join(str(x) for x in row))
    lines.append("")
    talk = "、".join(f"{m.name}({m.not_taking_part}次)" for m in stats.talk_reminder) or "无"
    lines.append(f"谈话提醒（累计未参加3次及以上）：{talk}")
    if talks is not None:
        lines.append(f"谈话提醒完成情况：{talk_progress(stats, talks)}")
    basis = "、".join(f"{m.name}({m.not_taking_part}次)" for m in stats.unqualified_basis) or "无"
    lines.append(f"不合格党员认定依据（6次及以上，供支部认定参考，不是结论）：{basis}")
    return "\n".join(lines)
