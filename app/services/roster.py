"""The 花名册 (docs/rules.md rule 3, seed [二.3]): party members with their special-case flags, invited
non-members, leaving the roll, and the checks a record must pass before it is written.

Every mistake raises `UserError` with a Chinese message and `field` naming the input to fix, so
the member dialog shows it beside that field and the importer shows it beside the row.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, replace

from app.errors import UserError
from app.models import DB, Attendance, Attendee, AttendeePresence, Member, TalkReminder, vocab
from app.services.attendance import activity_day
from app.services.id_numbers import mask, read_id_number
from app.services.probation import category_on  # noqa: F401 - also importable from here
from app.services.roster_dates import (  # noqa: F401 - dates are also imported from here
    DAY,
    format_date,
    is_month_only,
    parse_date,
    read_date,
    same_written,
)
from app.services.roster_view import (  # noqa: F401 - the roster's view, importable from here
    ORDER_PINYIN,
    ORDER_ROLL,
    ROLL_ALL,
    ROLL_LEFT,
    ROLL_ON,
    RosterCounts,
    RosterFilter,
    flags_text,
    list_members,
    roster_counts,
)
from app.services.text_rules import NAME_MAX, PLACE_MAX, check_text, text_problem

# --- members -------------------------------------------------------------------------------------
PHONE_MAX = 30
NOTE_MAX = 200


@dataclass
class MemberInput:
    """What the member dialog and the importer hand over; `validate_member` checks it."""

    name: str
    gender: str | None = None
    birth_date: dt.date | None = None
    joined_party_date: dt.date | None = None
    category: str = vocab.FULL_MEMBER
    phone: str = ""
    is_mobile: bool = False
    mobile_location: str = ""
    inflow_org: str = ""
    is_frail: bool = False
    is_leader: bool = False
    roll_start: dt.date | None = None
    note: str = ""
    id_number: str = ""  # 公民身份号码, kept in this ledger only
    birth_precision: str = DAY  # `1965.11` stays a month (roster_dates)
    joined_precision: str = DAY
    full_member_date: dt.date | None = None  # 转正日期

    @classmethod
    def from_member(cls, m: Member) -> MemberInput:
        return cls(**{name: getattr(m, name) for name in cls.__dataclass_fields__})

    def cleaned(self) -> MemberInput:
        """Spaces trimmed; birth date and gender filled from a valid 公民身份号码 where missing
        or written less precisely; 正式党员 once a 转正日期 is given."""
        d = replace(
            self,
            name=_nfc(clean_name(self.name)),
            phone=_nfc(self.phone),
            mobile_location=_nfc(self.mobile_location) if self.is_mobile else "",
            inflow_org=_nfc(self.inflow_org) if self.is_mobile else "",
            note=_nfc(self.note),
            id_number=re.sub(r"[\s\u3000-]", "", self.id_number or "").upper(),
            is_mobile=bool(self.is_mobile),
            is_frail=bool(self.is_frail),
            is_leader=bool(self.is_leader),
        )
        if d.full_member_date is not None:
            d = replace(d, category=vocab.FULL_MEMBER)
        try:
            known = read_id_number(d.id_number)
        except ValueError:
            return d  # reported by member_problems
        if known is None:
            return d
        if d.gender is None:
            d = replace(d, gender=known.gender)
        if d.birth_date is None or (
            d.birth_precision != DAY
            and same_written(d.birth_date, d.birth_precision, known.birth_date, DAY)
        ):
            d = replace(d, birth_date=known.birth_date, birth_precision=DAY)
        return d

    @property
    def masked_id(self) -> str:
        return mask(self.id_number) if self.id_number else ""


def _nfc(text: str) -> str:
    """Trimmed and NFC-normalised, as text_rules.check_text returns it."""
    return unicodedata.normalize("NFC", (text or "").strip())


def clean_name(name: str) -> str:
    """Names copied from forms often carry inner spaces (“张  三”) or full-width ones."""
    return re.sub(r"\s+", "", (name or "").replace("\u3000", " "))


MIN_BIRTH = dt.date(1900, 1, 1)
DATE_LABELS = {
    "birth_date": "出生日期",
    "joined_party_date": "入党时间",
    "roll_start": "转入本支部日期",
    "full_member_date": "转正日期",
}
TEXT_LIMITS = {  # field -> (label, most characters), checked by text_rules
    "name": ("姓名", NAME_MAX),
    "phone": ("联系电话", PHONE_MAX),
    "mobile_location": ("流入地", PLACE_MAX),
    "inflow_org": ("流入地党组织", PLACE_MAX),
    "note": ("备注", NOTE_MAX),
}


def member_problems(data: MemberInput, today: dt.date | None = None) -> list[UserError]:
    """Every problem with a roster record (rule 3): a name; texts within text_rules; dates in the
    past and in order (born, then joined the party, then 转正); allowed words for gender and
    category; a valid 公民身份号码 that agrees with the birth date and gender."""
    today = today or dt.date.today()
    d = data.cleaned()
    problems: list[UserError] = []
    if not d.name:
        problems.append(UserError("请填写姓名。", "name is required", field="name"))
    for name, (label, limit) in TEXT_LIMITS.items():
        problem = text_problem(getattr(d, name), label, limit)
        if problem:
            problems.append(UserError(problem + "。", f"bad text in {name}", field=name))
    if d.gender not in (None, *vocab.GENDERS):
        problems.append(
            UserError("性别只能是“男”或“女”。", f"bad gender {d.gender}", field="gender")
        )
    if d.category not in vocab.MEMBER_CATEGORIES:
        problems.append(
            UserError(
                "人员类别只能是“正式党员”或“预备党员”。",
                f"bad category {d.category}",
                field="category",
            )
        )
    problems.extend(_date_problems(d, today))
    problems.extend(_id_problems(d, today))
    return problems


def _shown(d: MemberInput, name: str) -> str:
    precision = {"birth_date": d.birth_precision, "joined_party_date": d.joined_precision}
    return format_date(getattr(d, name), precision.get(name, DAY))


def _date_problems(d: MemberInput, today: dt.date) -> list[UserError]:
    problems: list[UserError] = []
    for name, label in DATE_LABELS.items():
        value = getattr(d, name)
        if value is not None and value > today:
            problems.append(
                UserError(
                    f"{label}不能晚于今天（{_shown(d, name)}）。",
                    f"{name} in the future",
                    field=name,
                )
            )
    if d.birth_date is not None and d.birth_date < MIN_BIRTH:
        problems.append(
            UserError("出生日期不对，请核对年份。", "birth date before 1900", field="birth_date")
        )
    for later, earlier in (
        ("joined_party_date", "birth_date"),
        ("roll_start", "birth_date"),
        ("full_member_date", "joined_party_date"),
    ):
        if getattr(d, later) and getattr(d, earlier) and getattr(d, later) <= getattr(d, earlier):
            problems.append(
                UserError(
                    f"{DATE_LABELS[later]}（{_shown(d, later)}）应晚于{DATE_LABELS[earlier]}"
                    f"（{_shown(d, earlier)}），请核对。",
                    f"{later} not after {earlier}",
                    field=later,
                )
            )
    return problems


def _id_problems(d: MemberInput, today: dt.date) -> list[UserError]:
    try:
        known = read_id_number(d.id_number, today)
    except ValueError as err:
        return [UserError(f"公民身份号码{err}。", "bad id number", field="id_number")]
    if known is None:
        return []
    problems = []
    if d.birth_date and not same_written(d.birth_date, d.birth_precision, known.birth_date, DAY):
        problems.append(
            UserError(
                f"出生日期（{_shown(d, 'birth_date')}）与公民身份号码中的出生日期"
                f"（{format_date(known.birth_date)}）不一致，请核对。",
                "birth date differs from the id number",
                field="birth_date",
            )
        )
    if d.gender and d.gender != known.gender:
        problems.append(
            UserError(
                f"性别（{d.gender}）与公民身份号码（{known.gender}）不一致，请核对。",
                "gender differs from the id number",
                field="gender",
            )
        )
    return problems


def validate_member(data: MemberInput, today: dt.date | None = None) -> MemberInput:
    """Raise the first of `member_problems` (naming its field); return the cleaned input."""
    problems = member_problems(data, today)
    if problems:
        raise problems[0]
    return data.cleaned()


def member_with_id(id_number: str, exclude_id: int | None = None) -> Member | None:
    """The member already holding this 公民身份号码, if any."""
    if not id_number:
        return None
    query = Member.select().where(Member.id_number == id_number)
    if exclude_id is not None:
        query = query.where(Member.id != exclude_id)
    return query.first()


def _check_id_unique(d: MemberInput, exclude_id: int | None = None) -> None:
    other = member_with_id(d.id_number, exclude_id)
    if other is not None:
        raise UserError(
            f"公民身份号码与花名册中的“{other.name}”相同，请核对是否重复录入。",
            "id number already on the roster",
            field="id_number",
        )


def find_duplicates(
    name: str, birth_date: dt.date | None, exclude_id: int | None = None
) -> list[Member]:
    """Members with the same name and birth date: likely the same person entered twice."""
    query = Member.select().where(Member.name == clean_name(name))
    query = query.where(
        Member.birth_date.is_null() if birth_date is None else Member.birth_date == birth_date
    )
    if exclude_id is not None:
        query = query.where(Member.id != exclude_id)
    return list(query.order_by(Member.id))


def duplicate_warning(name: str, birth_date: dt.date | None, exclude_id: int | None = None) -> str:
    """A Chinese warning when the name (and birth date) is already on the roster, else ''."""
    dups = find_duplicates(name, birth_date, exclude_id)
    if not dups:
        return ""
    m = dups[0]
    where = "已离开花名册" if m.left_date else "在册"
    born = f"，出生日期 {format_date(m.birth_date)}" if m.birth_date else ""
    return f"花名册中已有“{m.name}”（{where}{born}）。如确是另一人，请再次点击“保存”。"


def _apply(member: Member, d: MemberInput) -> None:
    for name in MemberInput.__dataclass_fields__:
        setattr(member, name, getattr(d, name))


def create_member(data: MemberInput, today: dt.date | None = None) -> Member:
    d = validate_member(data, today)
    with DB.atomic():
        _check_id_unique(d)
        member = Member()
        _apply(member, d)
        member.save()
    return member


def update_member(member_id: int, data: MemberInput, today: dt.date | None = None) -> Member:
    d = validate_member(data, today)
    with DB.atomic():
        _check_id_unique(d, member_id)
        member = get_member(member_id)
        if member.left_date and d.roll_start and d.roll_start > member.left_date:
            raise UserError(
                "转入本支部日期不能晚于离开日期。", "roll start after leaving", field="roll_start"
            )
        _apply(member, d)
        member.save()
    return member


def _existing(model, row_id: int, message: str):
    """The row `row_id` of `model`; a UserError saying `message` when it is gone."""
    row = model.get_or_none(model.id == row_id)
    if row is None:
        raise UserError(message, f"no {model.__name__.lower()} {row_id}")
    return row


def get_member(member_id: int) -> Member:
    """One member by id; a UserError when there is none (deleted meanwhile)."""
    return _existing(Member, member_id, "该党员不存在，可能已被删除。")



# --- leaving the roll ----------------------------------------------------------------------------
@dataclass(frozen=True)
class LaterAttendance:
    """An attendance row on or after a leaving date: the member was not expected that day."""

    activity_id: int
    day: dt.date
    status: str


def attendance_on_or_after(member_id: int, day: dt.date) -> list[LaterAttendance]:
    rows = (
        Attendance.select(Attendance, Attendance.activity)
        .where(Attendance.member == member_id)
        .join_from(Attendance, Attendance.activity.rel_model)
    )
    later = []
    for r in rows:
        a_day = activity_day(r.activity.plan_date, r.activity.held_date)
        if a_day >= day:
            later.append(LaterAttendance(r.activity_id, a_day, r.status))
    return sorted(later, key=lambda x: x.day)


def leave_roll(
    member_id: int,
    left_date: dt.date,
    reason: str,
    note: str = "",
    *,
    drop_later_attendance: bool = False,
    today: dt.date | None = None,
) -> Member:
    """A member leaves the roll (转出/去世/其他) on `left_date`: their history stays, and they are
    no longer among 应参加 of activities on or after that date (rule 4).

    Attendance already recorded for activities on or after that date contradicts the leaving; it
    is removed only when `drop_later_attendance` (the UI asks first), otherwise a UserError lists it.
    """
    today = today or dt.date.today()
    if reason not in vocab.LEAVE_REASONS:
        raise UserError(
            "请选择离开原因：转出、去世或其他。", f"bad leave reason {reason}", field="left_reason"
        )
    if left_date is None:
        raise UserError("请填写离开日期。", "left date is required", field="left_date")
    if left_date > today:
        raise UserError("离开日期不能晚于今天。", "left date in the future", field="left_date")
    with DB.atomic():
        member = get_member(member_id)
        if member.roll_start and left_date < member.roll_start:
            raise UserError(
                f"离开日期不能早于转入本支部日期（{format_date(member.roll_start)}）。",
                "left before joining the roll",
                field="left_date",
            )
        if member.birth_date and left_date <= member.birth_date:
            raise UserError("离开日期应晚于出生日期。", "left before birth", field="left_date")
        later = attendance_on_or_after(member_id, left_date)
        if later and not drop_later_attendance:
            days = "、".join(format_date(x.day) for x in later)
            raise UserError(
                f"{member.name}在离开日期之后还有 {len(later)} 次活动的考勤记录（{days}）。"
                "离开后不再计入应参加，确认后这些考勤记录将被删除。",
                f"{len(later)} attendance rows on or after the left date",
                field="later_attendance",
            )
        if later:
            Attendance.delete().where(
                (Attendance.member == member_id)
                & Attendance.activity.in_([x.activity_id for x in later])
            ).execute()
        member.left_date = left_date
        member.left_reason = reason
        member.left_note = note.strip()
        member.save()
    return member


def return_to_roll(member_id: int) -> Member:
    """Undo a leaving recorded by mistake: the member is on the roll again."""
    with DB.atomic():
        member = get_member(member_id)
        member.left_date = None
        member.left_reason = None
        member.left_note = ""
        member.save()
    return member


def delete_member(member_id: int) -> None:
    """Delete a member entered by mistake: only without attendance (history is never deleted;
    a member who has taken part leaves the roll instead). Goes to 回收站 when the trash service
    is there."""
    member = get_member(member_id)
    if Attendance.select().where(Attendance.member == member_id).exists():
        raise UserError(
            f"党员“{member.name}”已有考勤记录，不能删除。如已转出或去世，请使用“离开花名册”。",
            f"member {member_id} has attendance",
        )
    try:
        from app.services.trash import trash_member
    except ImportError:  # pragma: no cover - the trash service ships with the app
        trash_member = None
    if trash_member is not None:
        trash_member(member_id)
        return
    with DB.atomic():  # pragma: no cover
        TalkReminder.delete().where(TalkReminder.member == member_id).execute()
        Member.delete().where(Member.id == member_id).execute()


def member_has_attendance(member_id: int) -> bool:
    return Attendance.select().where(Attendance.member == member_id).exists()


# --- invited non-members ---------------------------------------------------------------------------
@dataclass
class AttendeeInput:
    name: str
    kind: str = vocab.ATTENDEE_KINDS[0]
    gender: str | None = None
    phone: str = ""
    note: str = ""
    active: bool = True

    @classmethod
    def from_attendee(cls, a: Attendee) -> AttendeeInput:
        return cls(a.name, a.kind, a.gender, a.phone, a.note, bool(a.active))


def validate_attendee(data: AttendeeInput) -> AttendeeInput:
    d = replace(data, name=clean_name(data.name), phone=data.phone.strip(), note=data.note.strip())
    if not d.name:
        raise UserError("请填写姓名。", "name is required", field="name")
    for name in ("name", "phone", "note"):
        label, limit = TEXT_LIMITS[name]
        d = replace(d, **{name: check_text(getattr(d, name), label, limit, field=name)})
    if d.kind not in vocab.ATTENDEE_KINDS:
        raise UserError(
            "请选择人员身份：" + "、".join(vocab.ATTENDEE_KINDS) + "。",
            f"bad attendee kind {d.kind}",
            field="kind",
        )
    if d.gender not in (None, *vocab.GENDERS):
        raise UserError("性别只能是“男”或“女”。", f"bad gender {d.gender}", field="gender")
    return d


def get_attendee(attendee_id: int) -> Attendee:
    """One invited non-member by id; a UserError when there is none."""
    return _existing(Attendee, attendee_id, "该人员不存在，可能已被删除。")


def list_attendees() -> list[Attendee]:
    """The invited non-members, those still invited first, then in the order entered."""
    return list(Attendee.select().order_by(Attendee.active.desc(), Attendee.id))


def save_attendee(data: AttendeeInput, attendee_id: int | None = None) -> Attendee:
    """Create an invited non-member, or update the one with `attendee_id`."""
    d = validate_attendee(data)
    with DB.atomic():
        if attendee_id is None:
            attendee = Attendee()
        else:
            attendee = get_attendee(attendee_id)
        for name in AttendeeInput.__dataclass_fields__:
            setattr(attendee, name, getattr(d, name))
        attendee.save()
    return attendee


def delete_attendee(attendee_id: int) -> bool:
    """Delete an invited non-member who never came; one who came is only marked inactive (their
    presence stays on past sign sheets). Returns True if deleted, False if deactivated."""
    with DB.atomic():
        attendee = Attendee.get_or_none(Attendee.id == attendee_id)
        if attendee is None:
            return True
        if AttendeePresence.select().where(AttendeePresence.attendee == attendee_id).exists():
            attendee.active = False
            attendee.save()
            return False
        attendee.delete_instance()
        return True
