"""The 记录表 of one activity (docs/rules.md rules 2-5 and 7, seed [二], [三], [四.2] and the 附件).

Saving a record (validated, one transaction), its state in the 报送 cycle, the warnings the editor
shows, the 应参加/实际参加 counts computed from attendance, and the attached photos and scans.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from app import files
from app.errors import UserError
from app.models import DB, Activity, Attachment, vocab
from app.paths import attachments_dir
from app.services.attendance import counts_as_taking_part
from app.services.content import content_warnings
from app.services.ledger import (
    ActivityRow,
    AttendanceRow,
    AttendeeRow,
    MemberRow,
    YearData,
    load_year,
)
from app.services.record_rules import (
    RECORD_TEXTS,
    RecordValues,
    cost_problem,
    cost_value,
    record_problems,
)

# Record states (rule 7): the words of vocab, under the names this module has always used.
STATE_PENDING = vocab.ACTIVITY_PENDING
STATE_HELD = vocab.RECORD_HELD
STATE_SUBMITTED = vocab.RECORD_SUBMITTED
STATE_OVERDUE = vocab.RECORD_OVERDUE
RECORD_STATES = (STATE_PENDING, STATE_HELD, STATE_SUBMITTED, STATE_OVERDUE)

SUBMIT_WITHIN_DAYS = 3  # "于每次活动日后3日内报送"


# --- rule 7: the 报送 cycle ------------------------------------------------------------------


def submission_deadline(held_date: dt.date) -> dt.date:
    """Rule 7 [附件 说明]: the record goes to the superior "于每次活动日后3日内报送" — the last
    day allowed is the held date plus three days."""
    return held_date + dt.timedelta(days=SUBMIT_WITHIN_DAYS)


def record_state(activity, today: dt.date) -> str:
    """Rule 7 [四.2, 附件]: 待开展 (not held yet), 已报送, 逾期未报送 (held, not 报送 and more
    than 3 days have passed since the held date) or 已开展未报送.

    `activity` is anything with `held_date` and `submitted_date` (an Activity or ActivityRow).
    """
    if activity.held_date is None:
        return STATE_PENDING
    if activity.submitted_date is not None:
        return STATE_SUBMITTED
    if today > submission_deadline(activity.held_date):
        return STATE_OVERDUE
    return STATE_HELD


def is_missed(activity, today: dt.date) -> bool:
    """Not held, and its planned day has passed (rule 7 [四.2]): the lists say 未开展."""
    return activity.held_date is None and activity.plan_date < today


def activity_state(activity, today: dt.date) -> str:
    """What a list of activities says about one: 未开展 (not held, planned day past), 待开展
    (still to come), or once held its 报送 state (`record_state`). Anything with `plan_date`,
    `held_date` and `submitted_date`."""
    if is_missed(activity, today):
        return vocab.ACTIVITY_NOT_HELD
    return record_state(activity, today)


def submitted_late(activity) -> bool:
    """报送 happened, but after the 3-day deadline."""
    return (
        activity.held_date is not None
        and activity.submitted_date is not None
        and activity.submitted_date > submission_deadline(activity.held_date)
    )


# --- attendance figures for the form (rules 3 and 4) ------------------------------------------


@dataclass
class AttendanceSummary:
    """What the 记录表 says about who took part; computed, never typed."""

    expected: list[MemberRow]  # 应参加党员: on the roll on the activity day
    took_part: int  # 实际参加党员 among them
    by_member: dict[int, AttendanceRow]
    missing: list[MemberRow]  # expected members without an attendance entry yet
    non_members: list[AttendeeRow] = field(default_factory=list)  # invited, never counted

    @property
    def entered(self) -> bool:
        """Attendance has been entered for at least one expected member."""
        return len(self.missing) < len(self.expected)

    @property
    def complete(self) -> bool:
        return not self.missing


def attendance_summary(data: YearData, activity: ActivityRow) -> AttendanceSummary:
    """Rules 3-4: 应参加 = members on the roll on the activity day; 实际参加 = those of them whose
    status counts as taking part (出席, 线上参加, 流入地参加, 适当方式参加). Invited non-members
    are listed apart and never counted."""
    expected = data.expected_members(activity)
    by_member = {r.member_id: r for r in activity.attendance}
    took_part = sum(
        1
        for m in expected
        if m.member_id in by_member and counts_as_taking_part(by_member[m.member_id].status)
    )
    attendees = {a.attendee_id: a for a in data.attendees}
    return AttendanceSummary(
        expected=expected,
        took_part=took_part,
        by_member=by_member,
        missing=[m for m in expected if m.member_id not in by_member],
        non_members=[attendees[i] for i in activity.attendee_ids if i in attendees],
    )


def sign_sheet_note(member: MemberRow, entry: AttendanceRow | None) -> str:
    """The 备注 pre-filled on the signature sheet (附签名) for members who will not sign in person:
    请假 with its reason, 线上参加, 流入地参加 (with the 流入地党组织) and 适当方式参加 [二.3]."""
    if entry is None:
        return ""
    if entry.status == vocab.LEAVE:
        return f"请假：{entry.reason}" if entry.reason.strip() else "请假"
    if entry.status == vocab.AT_INFLOW_ORG:
        org = entry.reason.strip() or member.inflow_org.strip()
        return f"流入地参加（{org}）" if org else "流入地参加"
    if entry.status in (vocab.ONLINE, vocab.SUITABLE_MEANS):
        return f"{entry.status}（{entry.reason}）" if entry.reason.strip() else entry.status
    return ""


# --- editing one record -----------------------------------------------------------------------


@dataclass
class RecordInput:
    """What the editor (or a script) sets on a record. `cost` is the text as typed ("" = none)."""

    held_date: dt.date | None = None
    start_time: dt.time | None = None
    end_time: dt.time | None = None
    held_reason: str = ""
    place: str = ""
    place_type: str = ""
    mode: str = vocab.MODE_OFFLINE
    partner_org: str = ""
    theme: str = ""
    categories: list[str] = field(default_factory=list)
    content: str = ""
    cost: str = ""
    submitted_date: dt.date | None = None


def record_input(activity: Activity) -> RecordInput:
    """The stored record as editor input."""
    return RecordInput(
        held_date=activity.held_date,
        start_time=activity.start_time,
        end_time=activity.end_time,
        held_reason=activity.held_reason or "",
        place=activity.place,
        place_type=activity.place_type,
        mode=activity.mode,
        partner_org=activity.partner_org,
        theme=activity.theme,
        categories=list(activity.categories),
        content=activity.content,
        cost="" if activity.cost is None else f"{Decimal(activity.cost):.2f}",
        submitted_date=activity.submitted_date,
    )


def parse_cost(text: str) -> Decimal | None:
    """经费 in yuan: empty, or a non-negative amount with at most two decimals
    (`record_rules.cost_value`)."""
    problem = cost_problem(text)
    if problem:
        raise problem.error()
    return cost_value(text)


def record_values(plan_year: int, rec: RecordInput) -> RecordValues:
    """The editor's input as the plain values `record_rules` checks."""
    return RecordValues(
        plan_year=plan_year,
        held_date=rec.held_date,
        submitted_date=rec.submitted_date,
        start_time=rec.start_time,
        end_time=rec.end_time,
        mode=rec.mode,
        categories=tuple(rec.categories),
        cost=rec.cost,
        texts={name: getattr(rec, name) for name, *_ in RECORD_TEXTS},
    )


def validate_record(activity: Activity, rec: RecordInput, today: dt.date) -> Decimal | None:
    """Check a record before saving (`record_rules.record_problems`, the same checks a bundle's
    data.json passes at the township); raises UserError naming the field. Returns the cost."""
    problems = record_problems(record_values(activity.plan_date.year, rec), today)
    if problems:
        first = problems[0]
        raise UserError(first.message + "。", first.english, field=first.field)
    return cost_value(rec.cost)


def save_record(activity_id: int, rec: RecordInput, *, today: dt.date | None = None) -> Activity:
    """Validate and store a record in one transaction; nothing is written if a check fails."""
    today = today or dt.date.today()
    with DB.atomic():
        activity = Activity.get_or_none(Activity.id == activity_id)
        if activity is None:
            raise UserError(f"找不到编号为 {activity_id} 的活动。", f"no activity {activity_id}")
        cost = validate_record(activity, rec, today)
        held = rec.held_date is not None
        activity.held_date = rec.held_date
        activity.start_time = rec.start_time if held else None
        activity.end_time = rec.end_time if held else None
        activity.held_reason = rec.held_reason.strip()
        activity.place = rec.place.strip()
        activity.place_type = rec.place_type.strip()
        activity.mode = rec.mode
        activity.partner_org = rec.partner_org.strip()
        activity.theme = rec.theme.strip()
        order = {c: i for i, c in enumerate(vocab.ALL_CATEGORIES)}
        activity.categories = sorted(set(rec.categories), key=order.__getitem__)
        activity.content = _normalise_content(rec.content)
        activity.cost = cost
        activity.submitted_date = rec.submitted_date
        activity.updated_at = dt.datetime.now()
        activity.save()
    return activity


def _normalise_content(text: str) -> str:
    """Keep the paragraphs as typed; drop trailing spaces and blank lines at both ends."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


def record_warnings(activity: ActivityRow, today: dt.date) -> list[str]:
    """Visible, non-blocking warnings for one record (rules 5 and 7, seed [三], [四.2], [四.5])."""
    if activity.held_date is None:
        if activity.plan_date < today:
            return [f"计划日期 {activity.plan_date:%Y-%m-%d} 已过，尚未登记开展情况。"]
        return []
    warnings = list(content_warnings(activity.categories))
    if not activity.content.strip():
        warnings.append("活动内容尚未填写。")
    if activity.held_date != activity.plan_date and not activity.held_reason.strip():
        warnings.append(
            f"开展日期 {activity.held_date:%Y-%m-%d} 与计划日期 {activity.plan_date:%Y-%m-%d} "
            "不同，请填写改期原因（不得随意变更活动时间）。"
        )
    deadline = submission_deadline(activity.held_date)
    if record_state(activity, today) == STATE_OVERDUE:
        warnings.append(
            f"逾期未报送：应于 {deadline:%Y-%m-%d} 前报送上级党组织，"
            f"已逾期 {(today - deadline).days} 天。"
        )
    elif submitted_late(activity):
        warnings.append(
            f"报送日期 {activity.submitted_date:%Y-%m-%d} 晚于规定的 {deadline:%Y-%m-%d}"
            "（活动后3日内）。"
        )
    return warnings


def load_record(activity_id: int) -> tuple[YearData, ActivityRow]:
    """The year's data and the one activity in it (for the form and the editor's figures)."""
    activity = Activity.get_or_none(Activity.id == activity_id)
    if activity is None:
        raise UserError(f"找不到编号为 {activity_id} 的活动。", f"no activity {activity_id}")
    data = load_year(activity.plan.year)
    row = next(a for a in data.activities if a.activity_id == activity_id)
    return data, row


# --- attachments (有资料) ----------------------------------------------------------------------


def attachment_file(data_dir: Path, attachment: Attachment) -> Path:
    return attachments_dir(data_dir) / attachment.stored_path


def add_attachment(data_dir: Path, activity_id: int, source: Path, kind: str) -> Attachment:
    """Copy `source` into the attachments dir under a unique name, with its sha256, and record it.

    All or nothing: the copy is written to a temp name and renamed; if the database write fails
    the copied file is removed again.
    """
    source = Path(source)
    if kind not in vocab.ATTACHMENT_KINDS:
        raise UserError(
            f"附件类别只能是：{'、'.join(vocab.ATTACHMENT_KINDS)}。", f"bad kind {kind}"
        )
    if not source.is_file():
        raise UserError(f"找不到文件：{source}", f"no such file {source}", field="attachment")
    activity = Activity.get_or_none(Activity.id == activity_id)
    if activity is None:
        raise UserError(f"找不到编号为 {activity_id} 的活动。", f"no activity {activity_id}")
    relative = f"{activity.plan_date.year}/{activity.id:04d}-{uuid.uuid4().hex[:12]}"
    relative += source.suffix.lower()[:10]
    target = attachments_dir(data_dir) / relative
    try:
        sha, size = files.copy_file(source, target, what="附件")
    except UserError as err:  # a full or write-protected disk, said in Chinese (app/files.py)
        err.field = "attachment"
        raise
    try:
        with DB.atomic():
            duplicate = Attachment.get_or_none(
                (Attachment.activity == activity) & (Attachment.sha256 == sha)
            )
            if duplicate is not None:
                raise UserError(
                    f"这个文件已经添加过（{duplicate.original_name}）。",
                    "duplicate attachment",
                    field="attachment",
                )
            return Attachment.create(
                activity=activity,
                kind=kind,
                stored_path=relative,
                sha256=sha,
                original_name=source.name,
                bytes=size,
            )
    except BaseException:
        files.remove_file(target)
        raise


def remove_attachment(data_dir: Path, attachment_id: int) -> None:
    """Delete the row and its stored file together, or neither.

    The file is deleted inside the transaction that deletes the row: when a viewer holds it open
    (Windows), the transaction is rolled back, the photo stays listed and the secretary is told
    to close the viewer — what the list shows is what is on disk. The other way (delete the row,
    leave the file for a later sweep) would need a sweep that decides which unlisted files are
    garbage, and a restored older backup may list those files again. A crash between the delete
    and the commit leaves a row without its file, which `verify_attachment` reports.
    """
    attachment = Attachment.get_or_none(Attachment.id == attachment_id)
    if attachment is None:
        return
    path = attachment_file(data_dir, attachment)
    with DB.atomic():
        attachment.delete_instance()
        if not files.remove_file(path):
            raise UserError(
                f"附件“{attachment.original_name}”正被{files.holder_of(path)}打开，没有删除。"
                "请先关闭该程序中的这个文件，再删除。",
                f"attachment file {path} is held open; row kept",
                field="attachment",
            )


def attachments_of(activity_id: int) -> list[Attachment]:
    return list(
        Attachment.select().where(Attachment.activity == activity_id).order_by(Attachment.id)
    )


def verify_attachment(data_dir: Path, attachment: Attachment) -> bool:
    """The stored file is there and still has the recorded sha256."""
    path = attachment_file(data_dir, attachment)
    if not path.is_file():
        return False
    return files.sha256_of(path) == attachment.sha256
