"""The checks a 记录表 and its 考勤 must pass, as small pure functions of plain values (docs/rules.md
rules 2, 4 and 7). The ledger (`records.validate_record`, `attendance.save_attendance`) and the
township's check of a bundle's data.json (`app.bundle.checks`) call these same functions, so a
bundle can never carry a record the branch's own program would refuse.

Each check returns `Problem`s: the field to fix and a Chinese sentence (without the final 。).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from app.errors import UserError
from app.models import vocab
from app.services.content import unknown_categories
from app.services.text_rules import NAME_MAX, PLACE_MAX, THEME_MAX, text_problem

# Lengths of what is typed into a record (counted in characters, docs/formats.md "Bounds").
PLACE_TYPE_MAX = 50
PARTNER_MAX = PLACE_MAX  # 结对共建的党组织
HELD_REASON_MAX = 100  # 改期原因
CONTENT_MAX = 5000  # 活动内容 (several pages of the 记录表)
REASON_MAX = 100  # 请假原因, 流入地党组织 or how the member took part
BRANCH_NAME_MAX = 60  # 党组织名称 (the 记录表's title line and the bundle's file name)
PERSON_MAX = NAME_MAX
# What a bundle's data.json may carry in one text. The limits above are for typing; a text stored
# before they existed (or imported) still prints (app/reports/fit.py) and exports, and the
# township accepts it up to these bounds (docs/formats.md "Bounds").
STORED_LINE_MAX = 10_000
STORED_CONTENT_MAX = 100_000


def text_limit(typed: int, *, stored: bool, multiline: bool = False) -> int:
    """The typing limit, or for stored text (a bundle's data.json) the stored bound."""
    if not stored:
        return typed
    return STORED_CONTENT_MAX if multiline else STORED_LINE_MAX


# (field, label, most characters, multi-line) of each typed text of a record.
RECORD_TEXTS = (
    ("theme", "活动主题", THEME_MAX, False),
    ("place", "活动地点", PLACE_MAX, False),
    ("place_type", "场所类型", PLACE_TYPE_MAX, False),
    ("partner_org", "联合开展的党组织", PARTNER_MAX, False),
    ("held_reason", "改期原因", HELD_REASON_MAX, False),
    ("content", "活动内容", CONTENT_MAX, True),
)
# The plan's own texts of an activity (计划 tab), beside its theme and place.
PLAN_REASON_MAX = 100  # 日期调整原因
PLAN_TEXTS = (
    ("theme", "活动主题", THEME_MAX, False),
    ("place", "活动地点", PLACE_MAX, False),
    ("plan_reason", "日期调整原因", PLAN_REASON_MAX, False),
    ("planned_content", "主要内容", CONTENT_MAX, True),
)
# The branch's settings printed on every form.
PREFIX_MAX = 20  # 记录表 title prefix, e.g. 池州市
BRANCH_TEXTS = (
    ("name", "党组织名称", BRANCH_NAME_MAX, False),
    ("superior_org", "上级党组织", BRANCH_NAME_MAX, False),
    ("secretary", "党组织书记", NAME_MAX, False),
    ("form_title_prefix", "记录表标题前缀", PREFIX_MAX, False),
)


@dataclass(frozen=True)
class Problem:
    """What is wrong with one field: `field` names the input, `message` is Chinese."""

    field: str
    message: str
    english: str = ""

    def error(self) -> UserError:
        """The problem as the ledger raises it (a sentence, named field)."""
        return UserError(self.message + "。", self.english, field=self.field)


def held_date_problem(held: dt.date | None, plan_year: int, today: dt.date) -> Problem | None:
    """Rule 7: a record is kept for an activity of its plan's year that has taken place — never
    a day after `today` (for a bundle: the day it was made)."""
    if held is None:
        return None
    if held.year != plan_year:
        return Problem(
            "held_date",
            f"开展日期应在 {plan_year} 年内（本活动属于 {plan_year} 年计划）",
            "held date outside the plan year",
        )
    if held > today:
        return Problem(
            "held_date", "开展日期不能晚于今天：活动开展后再登记记录", "held date in the future"
        )
    return None


def submitted_date_problem(
    held: dt.date | None, submitted: dt.date | None, today: dt.date
) -> Problem | None:
    """Rule 7: 报送 follows the activity (never before it, never before it is held, never in the
    future)."""
    if submitted is None:
        return None
    if held is None:
        return Problem(
            "submitted_date",
            "活动尚未开展，不能填写报送日期：请先填写开展日期",
            "submitted date without held date",
        )
    if submitted < held:
        return Problem("submitted_date", "报送日期不能早于开展日期", "submitted before held")
    if submitted > today:
        return Problem("submitted_date", "报送日期不能晚于今天", "submitted date in the future")
    return None


def times_problem(start: dt.time | None, end: dt.time | None) -> Problem | None:
    if start and end and end < start:
        return Problem("end_time", "结束时间不能早于开始时间", "end before start")
    return None


def mode_problem(mode: object) -> Problem | None:
    """Rule 2: 线下, 线上 or 线上线下."""
    if mode not in vocab.MODES:
        return Problem("mode", "活动形式只能是线下、线上或线上线下", f"bad mode {mode!r}")
    return None


def categories_problem(categories: Iterable[object]) -> Problem | None:
    """Rule 5: the content categories of the seed [三] only."""
    unknown = [str(c) for c in unknown_categories(list(categories))]
    if unknown:
        return Problem(
            "categories",
            f"未知的活动内容类别：{'、'.join(unknown)}",
            f"unknown categories {unknown}",
        )
    return None


def cost_value(text: str) -> Decimal | None:
    """经费 in yuan from text: None when empty; ValueError unless it is a finite, non-negative
    amount with at most two decimals (NaN, Infinity and -5 are refused)."""
    text = text.strip().removesuffix("元").strip().replace(",", "").replace("，", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite() or value < 0 or value.as_tuple().exponent < -2:
        raise ValueError(text)
    return value.quantize(Decimal("0.01"))


def cost_problem(text: str) -> Problem | None:
    try:
        cost_value(text)
    except ValueError:
        return Problem(
            "cost", "经费请填写金额（元），如 120 或 120.50；没有经费可留空", f"bad cost: {text!r}"
        )
    return None


def record_text_problems(
    texts: dict[str, object], *, stored: bool = False, table: tuple = RECORD_TEXTS
) -> list[Problem]:
    """The texts of a record (or of `table`: PLAN_TEXTS, BRANCH_TEXTS) within text_rules: no
    forbidden characters, and as long as typing allows (or, `stored`, as a bundle may carry).
    Only the fields present in `texts` are checked."""
    problems = []
    for name, label, typed, multiline in table:
        if name in texts:
            limit = text_limit(typed, stored=stored, multiline=multiline)
            why = text_problem(texts[name], label, limit, multiline=multiline)
            if why:
                problems.append(Problem(name, why, f"bad text in {name}"))
    return problems


def required_texts_problem(theme: str, place: str) -> Problem | None:
    """A held activity names its theme and place (the 记录表's 活动主题 and 活动地点)."""
    if not theme.strip():
        return Problem("theme", "请填写活动主题", "theme is required")
    if not place.strip():
        return Problem(
            "place", "请填写活动地点（线上活动可填写平台，如“微信群”）", "place is required"
        )
    return None


@dataclass
class RecordValues:
    """A record as plain values, from the editor or from data.json."""

    plan_year: int
    held_date: dt.date | None = None
    submitted_date: dt.date | None = None
    start_time: dt.time | None = None
    end_time: dt.time | None = None
    mode: object = vocab.MODE_OFFLINE
    categories: tuple = ()
    cost: str = ""
    texts: dict[str, object] | None = None  # field -> text, as RECORD_TEXTS names them
    stored: bool = False  # texts as stored (a bundle's data.json), not as typed: `text_limit`


def record_problems(rec: RecordValues, today: dt.date) -> list[Problem]:
    """Every problem of a record, in the order the editor reports them (the first is raised by
    `records.validate_record`; a bundle's check lists them all)."""
    texts = rec.texts or {}
    found = [
        submitted_date_problem(rec.held_date, rec.submitted_date, today)
        if rec.held_date is None
        else None,
        held_date_problem(rec.held_date, rec.plan_year, today),
    ]
    if rec.held_date is not None:
        found.append(
            required_texts_problem(str(texts.get("theme", "")), str(texts.get("place", "")))
        )
    found += record_text_problems(texts, stored=rec.stored)
    found += [
        times_problem(rec.start_time, rec.end_time),
        mode_problem(rec.mode),
        categories_problem(rec.categories),
    ]
    if rec.held_date is not None:
        found.append(submitted_date_problem(rec.held_date, rec.submitted_date, today))
    found.append(cost_problem(rec.cost))
    return [p for p in found if p is not None]


# --- attendance (rule 4) -------------------------------------------------------------------------
def status_problem(status: object) -> Problem | None:
    """Rule 4: the six status words exactly."""
    if status not in vocab.ATTENDANCE_STATUSES:
        return Problem(
            "status",
            f"考勤状态“{status}”不是规定用语，只能是：" + "、".join(vocab.ATTENDANCE_STATUSES),
            f"bad attendance status {status!r}",
        )
    return None


def reason_problem(reason: object, *, stored: bool = False) -> Problem | None:
    """请假原因 (or how the member took part) within text_rules."""
    why = text_problem(reason, "考勤说明", text_limit(REASON_MAX, stored=stored))
    return Problem("reason", why, "bad attendance reason") if why else None


def repeated(ids: Iterable[object]) -> list[object]:
    """The values that occur more than once, in order of their second occurrence."""
    seen: set[object] = set()
    twice: list[object] = []
    for i in ids:
        if i in seen and i not in twice:
            twice.append(i)
        seen.add(i)
    return twice


def branch_name_problem(name: object, *, stored: bool = False) -> Problem | None:
    """党组织名称: required, within text_rules and BRANCH_NAME_MAX."""
    if not isinstance(name, str) or not name.strip():
        return Problem("name", "请填写党组织名称", "branch name is required")
    why = text_problem(name, "党组织名称", text_limit(BRANCH_NAME_MAX, stored=stored))
    return Problem("name", why, "bad branch name") if why else None
