"""The annual plan (docs/rules.md rules 1, 5, 6; seed [二.1], [三], [四.1]): a year of 党员活动日 with dates
moved off holidays (and why), themes, planned content, the checks, and filing upward.

A held activity is never changed by a plan operation: its planned date stays as it was.
"""

from __future__ import annotations

import calendar as std_calendar
import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from app.errors import UserError
from app.models import DB, Activity, AnnualPlan, vocab
from app.services import calendar as cal
from app.services.editable import ThemeSuggestion, current_themes
from app.services.ledger import require_branch
from app.services.record_rules import PLAN_TEXTS, record_text_problems

UNVERIFIED = "未核对节假日"
MIN_ACTIVITIES = 12  # rule 6: 每年不少于12次 [四.1]


# --- suggested themes (the branch's editable themes.json, app/services/editable.py) -------------
def suggested_themes(month: int) -> list[ThemeSuggestion]:
    """The editable suggestions for `month` (e.g. July: 建党纪念, October: 国庆)."""
    return list(current_themes().get(month, ()))


DEFAULT_CATEGORIES = (vocab.CATEGORY_STUDY, vocab.CATEGORY_BRIEFING)  # 按照要求 + 结合实际


# --- rule 1: the activity date ----------------------------------------------------------------
@dataclass(frozen=True)
class PlannedDate:
    date: dt.date
    reason: str | None
    unverified: bool


def branch_day(day_mode: str | None = None) -> tuple[int, bool]:
    """(day of month, is custom) from "5", "10", "custom" (the branch's custom day),
    "custom:N" or "N"; None = the branch setting."""
    if day_mode is None:
        branch = require_branch()
        day_mode = branch.activity_day_mode
        if day_mode == vocab.DAY_CUSTOM:
            day_mode = f"custom:{branch.custom_day}"
    text = str(day_mode).strip()
    if text == vocab.DAY_CUSTOM:
        branch = require_branch()
        text = f"custom:{branch.custom_day}"
    custom = text not in (vocab.DAY_FIFTH, vocab.DAY_TENTH)
    number = text.removeprefix("custom:")
    if not number.isdigit() or not 1 <= int(number) <= 31:
        raise UserError(
            "党员活动日只能是每月5日、10日或 1 到 31 之间的自定义日期。",
            f"bad activity day {day_mode!r}",
            field="day",
        )
    return int(number), custom


def plan_activity_date(year: int, month: int, day: int, *, custom: bool = False) -> PlannedDate:
    """Rule 1 [二.1]: the branch's day in `month`; a custom day past the month's end takes the
    month's last day; a day that is not a working day moves to the next working day of the month
    (none left: the last one before it). The reason says why, in words."""
    last = std_calendar.monthrange(year, month)[1]
    base = dt.date(year, month, min(day, last))
    parts: list[str] = []
    if custom:
        parts.append(f"本支部党员活动日为每月{day}日")
        if day > last:
            parts.append(f"{month}月无{day}日，取{month}月{last}日")
    moved = cal.next_working_day(base)
    if moved > base:
        parts.append(
            f"{cal.month_day(base)}为{cal.why_not_working(base)}，顺延至{cal.month_day(moved)}"
        )
    elif moved < base:
        parts.append(
            f"{cal.month_day(base)}为{cal.why_not_working(base)}，本月其后已无工作日，"
            f"提前至{cal.month_day(moved)}"
        )
    elif cal.is_adjusted_workday(base):
        parts.append(
            f"{cal.month_day(base)}（{cal.WEEKDAYS[base.weekday()]}）为调休上班日，照常开展"
        )
    return PlannedDate(moved, "；".join(parts) or None, not cal.is_official(year))


def date_warning(day: dt.date) -> str | None:
    """The warning for a date the user picks by hand that is not a working day (not a block)."""
    if cal.is_working_day(day):
        return None
    text = f"{cal.month_day(day)}为{cal.why_not_working(day)}，不是工作日"
    if not cal.is_official(day.year):
        text += f"（{day.year}年节假日安排尚未核对）"
    return text


# --- creating and reading the plan ------------------------------------------------------------
def get_plan(year: int) -> AnnualPlan | None:
    return AnnualPlan.get_or_none(AnnualPlan.year == year)


def plan_years() -> list[int]:
    """The years that have a plan, oldest first."""
    return [p.year for p in AnnualPlan.select(AnnualPlan.year).order_by(AnnualPlan.year)]


def _require_plan(year: int) -> AnnualPlan:
    plan = get_plan(year)
    if plan is None:
        raise UserError(f"还没有{year}年度的计划，请先生成计划。", f"no plan for {year}")
    return plan


def create_plan(year: int, day_mode: str | None = None) -> AnnualPlan:
    """Rule 6 [四.1]: the year's plan (草稿) with one activity a month on the branch's day,
    moved per rule 1, themed from the suggestions. Raises UserError if it exists already."""
    if not 2000 <= year <= 2100:
        raise UserError("年份应在 2000 到 2100 之间。", f"year {year} out of range", field="year")
    day, custom = branch_day(day_mode)
    if get_plan(year) is not None:
        raise UserError(
            f"{year}年度计划已经存在，可在计划页修改各条活动。", f"plan for {year} exists"
        )
    now = dt.datetime.now()
    with DB.atomic():
        plan = AnnualPlan.create(year=year, status=vocab.PLAN_DRAFT)
        for month in range(1, 13):
            planned = plan_activity_date(year, month, day, custom=custom)
            suggestions = suggested_themes(month)
            first = suggestions[0] if suggestions else ThemeSuggestion(f"{month}月主题党日")
            categories = list(first.categories) or list(DEFAULT_CATEGORIES)
            if not any(c in vocab.CONTENT_CATEGORIES[vocab.REQUIRED_GROUP] for c in categories):
                categories.insert(0, vocab.CATEGORY_STUDY)
            Activity.create(
                plan=plan,
                plan_date=planned.date,
                plan_reason=planned.reason,
                holidays_unverified=planned.unverified,
                theme=first.theme,
                planned_content=first.content,
                categories=categories,
                created_at=now,
                updated_at=now,
            )
    return plan


# --- editing ----------------------------------------------------------------------------------
@dataclass
class PlanEntry:
    """What the plan tab edits on one activity."""

    plan_date: dt.date
    theme: str
    plan_reason: str | None = None
    categories: list[str] = field(default_factory=list)
    planned_content: str = ""
    place: str = ""


def validate_entry(year: int, entry: PlanEntry) -> list[str]:
    """Raises UserError (with the field) for what must be fixed; returns warnings otherwise."""
    if entry.plan_date.year != year:
        raise UserError(
            f"计划日期应在{year}年内。", "plan date outside the plan year", field="plan_date"
        )
    if not entry.theme.strip():
        raise UserError("请填写活动主题。", "theme is required", field="theme")
    texts = {name: getattr(entry, name) or "" for name, *_ in PLAN_TEXTS}
    for problem in record_text_problems(texts, table=PLAN_TEXTS)[:1]:
        raise problem.error()
    unknown = [c for c in entry.categories if c not in vocab.ALL_CATEGORIES]
    if unknown:
        raise UserError(
            f"未知的内容类别：{'、'.join(unknown)}", "unknown category", field="categories"
        )
    warnings = []
    warning = date_warning(entry.plan_date)
    if warning:
        warnings.append(warning)
    if not has_required_category(entry.categories):
        warnings.append("没有“按照要求”的内容（学习教育或党员管理）")
    return warnings


def _apply(activity: Activity, entry: PlanEntry) -> None:
    if activity.plan_date != entry.plan_date:
        # A new date is as verified as the calendar we have for its year.
        activity.holidays_unverified = not cal.is_official(entry.plan_date.year)
    activity.plan_date = entry.plan_date
    activity.theme = entry.theme.strip()
    activity.plan_reason = (entry.plan_reason or "").strip() or None
    activity.categories = list(entry.categories)
    activity.planned_content = entry.planned_content.strip()
    activity.place = entry.place.strip()
    activity.updated_at = dt.datetime.now()


def update_plan_entry(activity_id: int, entry: PlanEntry) -> list[str]:
    """Edit one planned activity; returns warnings (non-working day, no required category).
    The date of an activity already held is not changed (UserError)."""
    activity = Activity.get_or_none(Activity.id == activity_id)
    if activity is None:
        raise UserError("这条活动已不存在。", f"no activity {activity_id}")
    warnings = validate_entry(activity.plan.year, entry)
    if activity.is_held and entry.plan_date != activity.plan_date:
        raise UserError(
            f"这次活动已于{cal.month_day(activity.held_date)}开展，计划日期不能再改。",
            "the activity is already held; its planned date is kept",
            field="plan_date",
        )
    with DB.atomic():
        _apply(activity, entry)
        activity.save()
    return warnings


def add_plan_entry(year: int, entry: PlanEntry) -> tuple[Activity, list[str]]:
    """An extra activity beyond the monthly ones."""
    plan = _require_plan(year)
    warnings = validate_entry(year, entry)
    with DB.atomic():
        activity = Activity(plan=plan, created_at=dt.datetime.now())
        _apply(activity, entry)
        activity.holidays_unverified = not cal.is_official(year)
        activity.save()
    return activity, warnings


def delete_plan_entry(activity_id: int) -> None:
    """Remove a planned activity that has not been held (a held one keeps its record); it goes to
    回收站, so a slip can be undone."""
    from app.services.trash import trash_activity

    activity = Activity.get_or_none(Activity.id == activity_id)
    if activity is None:
        return
    if activity.is_held or activity.attendance.count():
        raise UserError("这次活动已有记录，不能从计划中删除。", "activity has a record")
    trash_activity(activity_id)


# --- holiday check ----------------------------------------------------------------------------
def confirm_holidays(year: int) -> int:
    """The user has checked the dates against the published schedule: clear 未核对节假日."""
    plan = _require_plan(year)
    with DB.atomic():
        return (
            Activity.update(holidays_unverified=False)
            .where((Activity.plan == plan) & Activity.holidays_unverified)
            .execute()
        )


def redate_unheld(
    year: int,
    day_mode: str | None = None,
    *,
    since: dt.date | None = None,
    dry_run: bool = False,
) -> list[str]:
    """The branch changed its activity day (rule 1) after the plan was made: every month whose
    only entry is not yet held moves to the new day, with its reason. Held entries and months
    with several entries keep their dates (those are edited by hand); with `since` (today),
    entries already past keep the date the plan was filed with, and none moves into the past.
    Returns the changes (with `dry_run`, the changes it would make, writing nothing)."""
    plan = _require_plan(year)
    day, custom = branch_day(day_mode)
    by_month: dict[int, list[Activity]] = {}
    for activity in plan.activities.order_by(Activity.plan_date):
        by_month.setdefault(activity.plan_date.month, []).append(activity)
    changes: list[str] = []
    with DB.atomic():
        for month, entries in sorted(by_month.items()):
            if len(entries) != 1 or entries[0].is_held:
                continue
            activity, planned = entries[0], plan_activity_date(year, month, day, custom=custom)
            if activity.plan_date == planned.date:
                continue
            if since is not None and min(activity.plan_date, planned.date) < since:
                continue
            changes.append(f"{cal.month_day(activity.plan_date)} → {cal.month_day(planned.date)}")
            if dry_run:
                continue
            activity.plan_date = planned.date
            activity.plan_reason = planned.reason
            activity.holidays_unverified = planned.unverified
            activity.updated_at = dt.datetime.now()
            activity.save()
    return changes


def reconcile_with_calendar(year: int) -> list[str]:
    """Once an installed package knows `year` officially: entries marked 未核对节假日 that fall on
    a non-working day move to the next working day (with the reason); held ones keep their date.
    Returns what changed, in words. Does nothing while the year is still unofficial."""
    plan = get_plan(year)
    if plan is None or not cal.is_official(year):
        return []
    changes: list[str] = []
    with DB.atomic():
        for activity in plan.activities.where(Activity.holidays_unverified).order_by(
            Activity.plan_date
        ):
            day = activity.plan_date
            if not cal.is_working_day(day) and not activity.is_held:
                moved, note = _moved_off(day)
                activity.plan_date = moved
                activity.plan_reason = "；".join(p for p in (activity.plan_reason, note) if p)
                changes.append(f"按正式节假日安排：{note}")
            activity.holidays_unverified = False
            activity.updated_at = dt.datetime.now()
            activity.save()
    return changes


def _moved_off(day: dt.date) -> tuple[dt.date, str]:
    """Rule 1 [二.1] for a planned day that is not a working day: where it goes, and why."""
    moved = cal.next_working_day(day)
    word = "顺延至" if moved > day else "提前至"
    return moved, f"{cal.month_day(day)}为{cal.why_not_working(day)}，{word}{cal.month_day(moved)}"


@dataclass(frozen=True)
class PlanMove:
    """One unheld entry moved off a holiday break once the official schedule was stored."""

    activity_id: int
    old: dt.date
    new: dt.date
    theme: str
    note: str  # "10月6日为国庆节假期，顺延至10月8日"

    def __str__(self) -> str:
        return f"{self.theme}：{self.note}"


def recheck_with_official_schedule(year: int) -> list[PlanMove]:
    """Rule 1 [二.1], once `year`'s official schedule is stored (from the notice): every unheld
    entry of the year on a day of a holiday break moves to the working day the rule gives, the
    holiday named in its reason; held entries keep their date; 未核对节假日 is cleared for the
    year. A plain weekend chosen by hand stays (it was warned about when chosen)."""
    plan = get_plan(year)
    if plan is None or not cal.is_official(year):
        return []
    moves: list[PlanMove] = []
    now = dt.datetime.now()
    with DB.atomic():
        for activity in plan.activities.order_by(Activity.plan_date, Activity.id):
            day = activity.plan_date
            if not activity.is_held and cal.holiday_name(day) and not cal.is_working_day(day):
                moved, note = _moved_off(day)
                reason = f"{note}（按{year}年国务院办公厅节假日安排）"
                activity.plan_date = moved
                activity.plan_reason = "；".join(p for p in (activity.plan_reason, reason) if p)
                moves.append(PlanMove(activity.id, day, moved, activity.theme, note))
            elif not activity.holidays_unverified:
                continue
            activity.holidays_unverified = False
            activity.updated_at = now
            activity.save()
    return moves


# --- checks (rule 6) --------------------------------------------------------------------------
class _Entry(Protocol):
    plan_date: dt.date
    categories: list[str]
    holidays_unverified: bool


def has_required_category(categories: Sequence[str]) -> bool:
    """Rule 5 [三]: every activity has 按照要求 content (学习教育 or 党员管理)."""
    return any(c in vocab.CONTENT_CATEGORIES[vocab.REQUIRED_GROUP] for c in categories)


def plan_checks(year: int, entries: Sequence[_Entry]) -> list[str]:
    """Rule 6 [四.1]: what is wrong with the plan, shown beside it (never a pop-up)."""
    problems: list[str] = []
    if len(entries) < MIN_ACTIVITIES:
        problems.append(f"全年只有 {len(entries)} 次活动，应不少于 {MIN_ACTIVITIES} 次")
    months = {e.plan_date.month for e in entries if e.plan_date.year == year}
    missing = [m for m in range(1, 13) if m not in months]
    if missing:
        problems.append("、".join(f"{m}月" for m in missing) + " 没有安排活动")
    for day, count in sorted(Counter(e.plan_date for e in entries).items()):
        if count > 1:
            problems.append(f"{cal.month_day(day)}安排了 {count} 次活动")
    for e in sorted(entries, key=lambda e: e.plan_date):
        if not has_required_category(e.categories):
            problems.append(
                f"{cal.month_day(e.plan_date)}的活动没有“按照要求”的内容（学习教育或党员管理）"
            )
        warning = date_warning(e.plan_date)
        if warning:
            problems.append(warning)
    unverified = sum(1 for e in entries if e.holidays_unverified)
    if unverified:
        problems.append(f"{unverified} 个日期{UNVERIFIED}")
    return problems


# --- filing (rule 6) --------------------------------------------------------------------------
def file_plan(year: int, filed_date: dt.date) -> AnnualPlan:
    """草稿 → 已报送, with the date it went to the superior (报上级党组织备案)."""
    plan = _require_plan(year)
    if filed_date > dt.date.today():
        raise UserError("报送日期不能晚于今天。", "filed date in the future", field="filed_date")
    with DB.atomic():
        plan.status = vocab.PLAN_FILED
        plan.filed_date = filed_date
        plan.save()
    return plan


def unfile_plan(year: int) -> AnnualPlan:
    """Back to 草稿 (e.g. the superior returned it for changes)."""
    plan = _require_plan(year)
    with DB.atomic():
        plan.status = vocab.PLAN_DRAFT
        plan.filed_date = None
        plan.save()
    return plan


def deadline_for(year: int, deadline: str) -> dt.date:
    """The branch's "MM-DD" deadline in `year` (a day past the month's end takes its last day)."""
    month, _, day = deadline.partition("-")
    m = int(month) if month.isdigit() and 1 <= int(month) <= 12 else 3
    d = int(day) if day.isdigit() else 25
    return dt.date(year, m, min(max(d, 1), std_calendar.monthrange(year, m)[1]))


NEXT_YEAR_FROM_MONTH = 10  # from October, next year's plan is the secretary's job on the plan


def should_offer_next_year_plan(year: int, today: dt.date) -> bool:
    """Rule 6 [四.1]: the plan is made before the year starts. Late in the current year, with no
    plan for next year yet, the 计划 screen offers to make it (and a missing plan for a year
    nearly over is not urged to be filed)."""
    return (
        year == today.year
        and today.month >= NEXT_YEAR_FROM_MONTH
        and get_plan(today.year + 1) is None
    )


def filing_banner(year: int, status: str | None, deadline: str, today: dt.date) -> str | None:
    """Rule 6 [四.1]: from 1 March (or the deadline, if earlier) of the plan's year until the plan
    is filed, a countdown to the deadline (25 March by default, a branch setting). `status`
    None: no plan yet, which is asked for first (a plan never made is not "not filed")."""
    if status == vocab.PLAN_FILED or today.year != year:
        return None
    due = deadline_for(year, deadline)
    if today < min(dt.date(year, 3, 1), due):
        return None
    left = (due - today).days
    when = cal.month_day(due)
    if status is None:
        return _no_plan_banner(year, when, left)
    if left > 0:
        return f"{year}年度计划尚未报送上级党组织备案，距报送截止日（{when}）还有 {left} 天"
    if left == 0:
        return f"今天（{when}）是{year}年度计划报送截止日，计划尚未报送"
    return f"{year}年度计划已超过报送截止日（{when}）{-left} 天，仍未报送，请尽快报送"


def _no_plan_banner(year: int, when: str, left: int) -> str:
    if left > 0:
        return (
            f"还没有{year}年度计划：请生成计划，报上级党组织备案，"
            f"距报送截止日（{when}）还有 {left} 天"
        )
    if left == 0:
        return f"今天（{when}）是{year}年度计划报送截止日，还没有生成计划：请先生成计划，报上级党组织备案"
    return f"还没有{year}年度计划，报送截止日（{when}）已过：请生成计划，报上级党组织备案"


# --- words for the command line -----------------------------------------------------------------
def calendar_notice(year: int) -> str:
    """One sentence on where the holidays come from, and whether the year is verified."""
    c = cal.year_calendar(year)
    if c.stored:
        return f"节假日依据：{c.source}（已录入，含调休上班日）"
    if c.official:
        return f"节假日依据：{c.source}（{year}年国务院办公厅正式放假安排，含调休上班日）"
    return (
        f"注意：本机的节假日数据（{c.source}）还没有{year}年的正式放假安排（含调休）。"
        f"以下日期按可推算的法定节假日和周末安排，标为“{UNVERIFIED}”；"
        f"国务院办公厅的通知公布后，请在“文件 → 录入节假日安排…”中录入"
        f"（命令行：holidays --year {year} --from-notice 文件），日期会自动核对。"
    )


def format_plan(year: int, today: dt.date | None = None) -> str:
    """The plan as text lines for the CLI (the same facts as the tab and the PDF)."""
    from app.services.ledger import load_year

    data = load_year(year)
    branch = require_branch()
    status = data.plan_status
    if data.plan_filed_date:
        status += f" {data.plan_filed_date.isoformat()}"
    lines = [f"{data.branch.name}{year}年度党员活动日计划安排（{status}）", calendar_notice(year)]
    made = get_plan(year) is not None
    banner = filing_banner(
        year, data.plan_status if made else None, branch.plan_deadline, today or dt.date.today()
    )
    if banner:
        lines.append(banner)
    lines.append("")
    for i, a in enumerate(sorted(data.activities, key=lambda a: (a.plan_date, a.activity_id)), 1):
        flag = f"  [{UNVERIFIED}]" if a.holidays_unverified else ""
        held = f"  已开展 {a.held_date.isoformat()}" if a.held_date else ""
        lines.append(
            f"{i:>2}. {a.plan_date.isoformat()} {cal.WEEKDAYS[a.plan_date.weekday()]}  "
            f"{a.theme}{flag}{held}"
        )
        if a.plan_reason:
            lines.append(f"    调整原因：{a.plan_reason}")
    problems = plan_checks(year, data.activities)
    lines.append("")
    lines += [f"检查：{p}" for p in problems] or ["检查：未发现问题"]
    return "\n".join(lines)
