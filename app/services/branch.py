"""The branch's own settings (name, superior, activity day, whether 请假 counts…)."""

from __future__ import annotations

from dataclasses import dataclass

from app.errors import UserError
from app.models import DB, Branch, vocab
from app.services.record_rules import BRANCH_TEXTS, record_text_problems


@dataclass
class BranchSettings:
    name: str
    superior_org: str = ""
    secretary: str = ""
    activity_day_mode: str = vocab.DAY_FIFTH
    custom_day: int | None = None
    leave_counts_as_absent: bool = True
    form_title_prefix: str = ""
    plan_deadline: str = "03-25"


def validate_branch(s: BranchSettings) -> None:
    if not s.name.strip():
        raise UserError(
            "请填写党组织名称，例如“中共某某村支部委员会”。",
            "branch name is required",
            field="name",
        )
    texts = {name: getattr(s, name) for name, *_ in BRANCH_TEXTS}
    for problem in record_text_problems(texts, table=BRANCH_TEXTS)[:1]:
        raise problem.error()
    if s.activity_day_mode not in vocab.ACTIVITY_DAY_MODES:
        raise UserError(
            "党员活动日只能是每月5日、10日或自定义日期。", "bad activity day", field="day"
        )
    if s.activity_day_mode == vocab.DAY_CUSTOM and not (s.custom_day and 1 <= s.custom_day <= 31):
        raise UserError(
            "自定义活动日请填写 1 到 31 之间的日期。", "custom day must be 1-31", field="day"
        )
    month, _, day = s.plan_deadline.partition("-")
    if not (month.isdigit() and day.isdigit() and 1 <= int(month) <= 12 and 1 <= int(day) <= 31):
        raise UserError(
            "计划报送截止日期格式应为“月-日”，如 03-25。",
            "plan deadline must be MM-DD",
            field="plan_deadline",
        )


def save_branch(s: BranchSettings) -> Branch:
    """Create the branch, or update the one there is (one branch per data dir)."""
    validate_branch(s)
    with DB.atomic():
        branch = Branch.select().first() or Branch()
        branch.name = s.name.strip()
        branch.superior_org = s.superior_org.strip()
        branch.secretary = s.secretary.strip()
        branch.activity_day_mode = s.activity_day_mode
        branch.custom_day = s.custom_day if s.activity_day_mode == vocab.DAY_CUSTOM else None
        branch.leave_counts_as_absent = s.leave_counts_as_absent
        branch.form_title_prefix = s.form_title_prefix.strip()
        branch.plan_deadline = s.plan_deadline
        branch.save()
    return branch
