"""A year's official holiday schedule, stored: from the State Council's notice (or the township's
下发包) it becomes the truth for that year (docs/rules.md, rule 1), the plan is re-checked, and
where an installed package disagrees it is said. Also the schedule in use, for the `holidays`
command and for the bundle's data.json (docs/formats.md). No Qt here.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import UserError
from app.models import DB, OfficialHolidaySchedule
from app.services import calendar as cal
from app.services.holiday_notice import (
    HolidaySchedule,
    NoticeReading,
    read_notice,
    read_notice_file,
    require_readable,
)
from app.services.plan import PlanMove, get_plan, recheck_with_official_schedule

BASIS_NOTICE, BASIS_PACKAGE, BASIS_ESTIMATE = "notice", "package", "estimate"
BUNDLE_KEY = "holiday_schedule"  # data.json's extra key (docs/formats.md)


@dataclass
class StoreResult:
    """What storing did: the plan entries moved, and where a package says otherwise."""

    schedule: HolidaySchedule
    replaced: bool  # a schedule was stored for the year before
    has_plan: bool = False  # the ledger has a plan for that year (a township's has none)
    moves: list[PlanMove] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        verb = "已更新" if self.replaced else "已保存"
        lines = [f"{verb}{self.schedule.year}年节假日安排，依据：{self.schedule.source}"]
        if self.moves:
            lines.append(f"{self.schedule.year}年计划中有 {len(self.moves)} 次活动改了日期：")
            lines += [f"  {m}" for m in self.moves]
        elif self.has_plan:
            lines.append(f"{self.schedule.year}年计划中没有落在假期里的活动，日期都不用改。")
        lines += differences_lines(self.schedule.year, self.differences)
        return lines


def _check_schedule(schedule: HolidaySchedule) -> None:
    if not 2000 <= schedule.year <= 2100:
        raise UserError("年份应在 2000 到 2100 之间。", f"year {schedule.year} out of range")
    if not schedule.holidays:
        raise UserError("节假日安排中没有放假日期，没有保存。", "a schedule without holidays")
    if not schedule.source.strip():
        raise UserError("节假日安排没有注明依据，没有保存。", "a schedule without a source")


def store_schedule(schedule: HolidaySchedule, notice_text: str = "") -> StoreResult:
    """Store `schedule` as its year's official one (replacing an earlier one), then re-check that
    year's plan in the same transaction."""
    _check_schedule(schedule)
    payload = schedule.to_json()
    body = json.dumps(
        {"holidays": payload["holidays"], "workdays": payload["workdays"]}, ensure_ascii=False
    )
    try:
        with DB.atomic():
            OfficialHolidaySchedule.create_table(safe=True)  # a ledger from before the table
            row = OfficialHolidaySchedule.get_or_none(OfficialHolidaySchedule.year == schedule.year)
            replaced = row is not None
            row = row or OfficialHolidaySchedule(year=schedule.year)
            row.source, row.payload, row.notice_text = schedule.source, body, notice_text
            row.stored_at = dt.datetime.now()
            row.save()
            cal.forget_stored()
            moves = recheck_with_official_schedule(schedule.year)
    finally:
        cal.forget_stored()  # after a rollback too
    has_plan = get_plan(schedule.year) is not None
    return StoreResult(
        schedule, replaced, has_plan, moves, cal.package_differences(schedule.year)
    )


def store_notice(text: str, year: int) -> StoreResult:
    """Read the notice for `year` and store it; UserError naming every problem, storing nothing."""
    reading = read_notice(text, year)
    return store_schedule(require_readable(reading), text)


def store_notice_file(path: Path, year: int) -> StoreResult:
    return store_notice(read_notice_file(path), year)


def preview_notice(text: str, year: int) -> NoticeReading:
    """The reading, for the window to show before anything is stored."""
    return read_notice(text, year)


# --- the schedule in use -----------------------------------------------------------------------
def basis(year: int) -> str:
    """notice (stored), package (an installed package's official data) or estimate (by rule)."""
    c = cal.year_calendar(year)
    if c.stored:
        return BASIS_NOTICE
    return BASIS_PACKAGE if c.official else BASIS_ESTIMATE


def schedule_for_bundle(year: int) -> dict:
    """data.json's `holiday_schedule`: the schedule the plan of `year` was checked against, its
    source, and on what basis (an estimate means dates planned on unverified holidays)."""
    return {**cal.schedule_in_use(year).to_json(), "basis": basis(year)}


def differences_lines(year: int, differences: list[str]) -> list[str]:
    if not differences:
        return []
    return [
        f"注意：本机的节假日软件包也有{year}年的安排，但有 {len(differences)} 天与录入的通知不同"
        "（以录入的通知为准；请再对照一次通知原文）："
    ] + [f"  {d}" for d in differences]


def _period_line(name: str, start: dt.date, end: dt.date) -> str:
    days = (end - start).days + 1
    first = f"{cal.month_day(start)}（{cal.WEEKDAYS[start.weekday()]}）"
    if days == 1:
        return f"  {name}：{first}，共1天"
    last = f"{cal.month_day(end)}（{cal.WEEKDAYS[end.weekday()]}）"
    return f"  {name}：{first}至{last}，共{days}天"


def format_schedule(year: int) -> str:
    """The schedule used for `year`, for the `holidays` command: each break, each 调休上班 day,
    the source, and what to do when it is only an estimate."""
    schedule = cal.schedule_in_use(year)
    lines = [f"{year}年节假日安排", f"依据：{schedule.source}", "放假："]
    lines += [_period_line(*p) for p in schedule.holidays]
    workdays = "、".join(
        f"{cal.month_day(d)}（{cal.WEEKDAYS[d.weekday()]}）" for d in schedule.workdays
    )
    lines.append(f"调休上班：{workdays or '无'}")
    if basis(year) == BASIS_ESTIMATE:
        lines.append(
            f"注意：本机还没有{year}年的正式放假安排，以上是按规则推算的，不含调休。"
            f"国务院办公厅的通知发布后，请用 holidays --year {year} --from-notice 文件 录入。"
        )
    lines += differences_lines(year, cal.package_differences(year))
    return "\n".join(lines)
