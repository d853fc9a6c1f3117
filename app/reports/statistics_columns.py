"""What the statistics workbook (`statistics_xlsx`) and the statistics PDF (`statistics_pdf`) both
print from one `YearStatistics`: the shared words, the columns of the members' and the
activities' tables, and the cells under them, so paper and workbook say the same. The workbook
adds a column per attendance status; each report formats dates and rates its own way."""

from __future__ import annotations

from app.services.statistics import ActivityStats, BranchStats, MemberStats, YearStatistics

WORDS = {
    "leave_counts": "计入",
    "leave_excused": "不计入",
    "talk": "谈话提醒",
    "basis_note": "说明：累计未参加6次及以上的，按《实施意见》四.2作为确定不合格党员的重要依据，"
    "是否认定由党支部按程序研究决定。",
    "no_talk": "未谈话",
    "none": "无",
}

# The members' table ends with these; the activities' table starts and ends with these.
MEMBER_TOTALS = ("实际参加", "请假", "缺席", "未登记", "未参加次数", "参加率", "提示")
ACTIVITY_FIRST = ("序号", "计划日期", "开展日期", "活动主题", "应参加", "实际参加")
ACTIVITY_LAST = ("参加率", "报送日期", "报送情况")


def leave_word(stats: YearStatistics) -> str:
    """Whether 请假 counts towards 未参加次数 (the branch's setting), for the subtitle."""
    return WORDS["leave_counts"] if stats.leave_counts_as_absent else WORDS["leave_excused"]


def months_without_activity(branch: BranchStats) -> str:
    return "、".join(f"{m}月" for m in branch.months_without_activity) or WORDS["none"]


def member_counts(m: MemberStats) -> list[int]:
    """实际参加 … 未参加次数 of one member (the numbers before 参加率)."""
    return [m.took_part, m.leave, m.absent, m.unrecorded, m.not_taking_part]


def member_hint(m: MemberStats, basis: str) -> str:
    """提示: `basis` (the report's words for 不合格党员认定依据) at 6+, 谈话提醒 at 3+."""
    return basis if m.unqualified_basis else WORDS["talk"] if m.talk_reminder else ""


def activity_first(number: int, a: ActivityStats) -> list:
    """序号 … 实际参加 of one activity: dates as dates, no counts for one not held."""
    held = a.is_held
    return [
        number,
        a.plan_date,
        a.held_date,
        a.theme,
        a.expected if held else None,
        a.took_part if held else None,
    ]
