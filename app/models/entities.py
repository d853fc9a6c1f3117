"""peewee models: every table sits on one `DB` proxy, bound once by `app.models.db.open_database`.

Constraints that protect the ledger (allowed words, one attendance per member and activity,
leaving the roll needs a reason) are CHECK/UNIQUE constraints in SQLite, so no code path can write
a record that a township tool would reject.
"""

from __future__ import annotations

import datetime as dt
import json

import peewee as pw

from app.models import vocab

DB = pw.DatabaseProxy()


def _in(column: str, values: tuple[str, ...], *, nullable: bool = False) -> pw.SQL:
    quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    test = f"{column} IN ({quoted})"
    return pw.Check(f"{column} IS NULL OR {test}" if nullable else test)


def _not_blank(column: str) -> pw.SQL:
    return pw.Check(f"length(trim({column})) > 0")


class JSONListField(pw.TextField):
    """A list of strings stored as JSON text (content categories)."""

    def db_value(self, value):
        return json.dumps(list(value or []), ensure_ascii=False)

    def python_value(self, value):
        return json.loads(value) if value else []


class BaseModel(pw.Model):
    class Meta:
        database = DB
        legacy_table_names = False


class SchemaVersion(BaseModel):
    version = pw.IntegerField()
    changed_at = pw.DateTimeField(default=dt.datetime.now)


class Branch(BaseModel):
    """The party branch that keeps this ledger (one per data dir)."""

    name = pw.CharField(constraints=[_not_blank("name")])  # 党组织名称
    superior_org = pw.CharField(default="")  # 上级党组织
    secretary = pw.CharField(default="")  # 党支部书记
    activity_day_mode = pw.CharField(
        default=vocab.DAY_FIFTH, constraints=[_in("activity_day_mode", vocab.ACTIVITY_DAY_MODES)]
    )
    custom_day = pw.IntegerField(
        null=True, constraints=[pw.Check("custom_day IS NULL OR custom_day BETWEEN 1 AND 31")]
    )
    leave_counts_as_absent = pw.BooleanField(default=True)  # rule 8: 请假 counts by default
    form_title_prefix = pw.CharField(default="")  # e.g. 池州市 -> 池州市党日活动记录表
    plan_deadline = pw.CharField(default="03-25")  # MM-DD, rule 6 (schema v2)
    created_at = pw.DateTimeField(default=dt.datetime.now)


class Member(BaseModel):
    """A party member (正式/预备) of the branch. Never deleted once they have attendance: leaving
    the roll sets `left_date` and `left_reason`, and history stays."""

    name = pw.CharField(constraints=[_not_blank("name")])
    gender = pw.CharField(null=True, constraints=[_in("gender", vocab.GENDERS, nullable=True)])
    birth_date = pw.DateField(null=True)
    joined_party_date = pw.DateField(null=True)  # 入党时间
    category = pw.CharField(
        default=vocab.FULL_MEMBER, constraints=[_in("category", vocab.MEMBER_CATEGORIES)]
    )
    phone = pw.CharField(default="")
    is_mobile = pw.BooleanField(default=False)  # 流动党员
    mobile_location = pw.CharField(default="")  # where they are now
    inflow_org = pw.CharField(default="")  # 流入地党组织
    is_frail = pw.BooleanField(default=False)  # 年老体弱、行动不便
    is_leader = pw.BooleanField(default=False)  # 党员领导干部 (双重组织生活)
    roll_start = pw.DateField(null=True)  # on the branch roll since (转入); None = since ever
    left_date = pw.DateField(null=True)
    left_reason = pw.CharField(
        null=True,
        constraints=[
            _in("left_reason", vocab.LEAVE_REASONS, nullable=True),
            pw.Check("(left_date IS NULL) = (left_reason IS NULL)"),
        ],
    )
    left_note = pw.CharField(default="")
    note = pw.CharField(default="")
    created_at = pw.DateTimeField(default=dt.datetime.now)
    # schema v4: 公民身份号码 (kept in this ledger only, never in a bundle), the precision a
    # date was written at (`1965.11` stays a month: app/services/roster_dates.py), 转正日期
    id_number = pw.CharField(default="")
    birth_precision = pw.CharField(
        default="day", constraints=[_in("birth_precision", ("day", "month", "year"))]
    )
    joined_precision = pw.CharField(
        default="day", constraints=[_in("joined_precision", ("day", "month", "year"))]
    )
    full_member_date = pw.DateField(null=True)  # 转正日期: 预备党员 until this day

    class Meta:
        constraints = [
            pw.Check(
                "birth_date IS NULL OR joined_party_date IS NULL OR birth_date < joined_party_date"
            ),
            pw.Check("roll_start IS NULL OR left_date IS NULL OR roll_start <= left_date"),
        ]


class Attendee(BaseModel):
    """An invited non-member [二.3]: listed on the sign sheet, never counted as a party member."""

    name = pw.CharField(constraints=[_not_blank("name")])
    kind = pw.CharField(constraints=[_in("kind", vocab.ATTENDEE_KINDS)])
    gender = pw.CharField(null=True, constraints=[_in("gender", vocab.GENDERS, nullable=True)])
    phone = pw.CharField(default="")
    note = pw.CharField(default="")
    active = pw.BooleanField(default=True)
    created_at = pw.DateTimeField(default=dt.datetime.now)


class AnnualPlan(BaseModel):
    """The year's plan (rule 6): at least 12 activities, filed upward (报上级党组织备案)."""

    year = pw.IntegerField(unique=True, constraints=[pw.Check("year BETWEEN 2000 AND 2100")])
    status = pw.CharField(
        default=vocab.PLAN_DRAFT, constraints=[_in("status", vocab.PLAN_STATUSES)]
    )
    filed_date = pw.DateField(null=True)
    note = pw.TextField(default="")

    class Meta:
        constraints = [pw.Check("(status = '已报送') = (filed_date IS NOT NULL)")]


class Activity(BaseModel):
    """One 党员活动日: its planned date (and why it was moved), and once held, the record (记录表)."""

    plan = pw.ForeignKeyField(AnnualPlan, backref="activities", on_delete="RESTRICT")
    plan_date = pw.DateField()
    plan_reason = pw.TextField(null=True)  # why the date was moved or chosen
    holidays_unverified = pw.BooleanField(default=False)  # 未核对节假日 (schema v2)
    planned_content = pw.TextField(default="")  # 主要内容 in the plan
    held_date = pw.DateField(null=True)
    held_reason = pw.TextField(default="")  # why held on another day than planned (v3)
    start_time = pw.TimeField(null=True)
    end_time = pw.TimeField(null=True)
    theme = pw.CharField(default="")
    place = pw.CharField(default="")
    place_type = pw.CharField(default="")
    mode = pw.CharField(default=vocab.MODE_OFFLINE, constraints=[_in("mode", vocab.MODES)])
    partner_org = pw.CharField(default="")  # 结对共建 partner for joint activities
    categories = JSONListField(default=list)
    content = pw.TextField(default="")
    cost = pw.DecimalField(max_digits=12, decimal_places=2, null=True)
    submitted_date = pw.DateField(null=True)  # 报送 to the superior
    created_at = pw.DateTimeField(default=dt.datetime.now)
    updated_at = pw.DateTimeField(default=dt.datetime.now)

    class Meta:
        constraints = [
            pw.Check("end_time IS NULL OR start_time IS NULL OR start_time <= end_time"),
            pw.Check("submitted_date IS NULL OR held_date IS NOT NULL"),
            pw.Check("cost IS NULL OR cost >= 0"),
        ]

    @property
    def is_held(self) -> bool:
        return self.held_date is not None


class Attendance(BaseModel):
    """One member's status at one activity (rule 4)."""

    activity = pw.ForeignKeyField(Activity, backref="attendance", on_delete="CASCADE")
    member = pw.ForeignKeyField(Member, backref="attendance", on_delete="RESTRICT")
    status = pw.CharField(constraints=[_in("status", vocab.ATTENDANCE_STATUSES)])
    reason = pw.CharField(default="")

    class Meta:
        indexes = ((("activity", "member"), True),)


class AttendeePresence(BaseModel):
    """An invited non-member who came to an activity."""

    activity = pw.ForeignKeyField(Activity, backref="attendee_presence", on_delete="CASCADE")
    attendee = pw.ForeignKeyField(Attendee, backref="presence", on_delete="RESTRICT")

    class Meta:
        indexes = ((("activity", "attendee"), True),)


class Attachment(BaseModel):
    """A photo or scan kept with a record (有资料); the file lives under the data dir."""

    activity = pw.ForeignKeyField(Activity, backref="attachments", on_delete="CASCADE")
    kind = pw.CharField(constraints=[_in("kind", vocab.ATTACHMENT_KINDS)])
    stored_path = pw.CharField(unique=True)  # relative to the attachments dir
    sha256 = pw.CharField(constraints=[pw.Check("length(sha256) = 64")])
    original_name = pw.CharField()
    bytes = pw.IntegerField(constraints=[pw.Check("bytes >= 0")])
    added_at = pw.DateTimeField(default=dt.datetime.now)


class TalkReminder(BaseModel):
    """A 谈话提醒 held with a member who did not take part 3+ times in a year (rule 8)."""

    member = pw.ForeignKeyField(Member, backref="talks", on_delete="RESTRICT")
    year = pw.IntegerField()
    talk_date = pw.DateField()
    talker = pw.CharField(default="")
    note = pw.TextField(default="")
    deadline = pw.DateField(null=True)  # 限期整改
    state = pw.CharField(default=vocab.TALK_PENDING, constraints=[_in("state", vocab.TALK_STATES)])


class TrashItem(BaseModel):
    """Something the user deleted, kept as JSON so it can be restored until the trash is emptied."""

    kind = pw.CharField()  # table name
    label = pw.CharField()  # what the user sees in 回收站
    payload = pw.TextField()  # JSON of the rows removed
    deleted_at = pw.DateTimeField(default=dt.datetime.now)


class TownshipBranch(BaseModel):
    """The township's register (docs/signing.md): a 下级党组织 it expects bundles from. Two
    branches may share a name; they are told apart by their keys (BranchKey)."""

    name = pw.CharField(constraints=[_not_blank("name")])
    added_at = pw.DateTimeField(default=dt.datetime.now)


class BranchKey(BaseModel):
    """A signing key bound to a registered branch, after the clerk compared its fingerprint with
    the stamped plan. A replaced key (a new PC without a backup) stays, with `replaced_at`, so a
    bundle still signed with it is named as such; a key is never bound to two branches."""

    branch = pw.ForeignKeyField(TownshipBranch, backref="keys", on_delete="CASCADE")
    public_key = pw.CharField(unique=True)  # base64 of the 32-byte raw Ed25519 key
    fingerprint = pw.CharField()
    bound_at = pw.DateTimeField(default=dt.datetime.now)
    replaced_at = pw.DateTimeField(null=True)


# At most one key in use per branch.
BranchKey.add_index(
    BranchKey.index(
        BranchKey.branch,
        unique=True,
        where=BranchKey.replaced_at.is_null(),
        name="branch_key_one_in_use",  # the foreign key's own index has the default name
    )
)


class OfficialHolidaySchedule(BaseModel):
    """A year's official holiday schedule as entered from the State Council's notice (or taken
    from the township's 下发包): for that year it comes before the holiday packages."""

    year = pw.IntegerField(unique=True, constraints=[pw.Check("year BETWEEN 2000 AND 2100")])
    source = pw.TextField(constraints=[_not_blank("source")])  # names the 通知 and its date
    notice_text = pw.TextField(default="")  # the text as it was entered
    payload = pw.TextField()  # JSON: {"holidays": [...], "workdays": [...]} (docs/formats.md)
    stored_at = pw.DateTimeField(default=dt.datetime.now)


# --- the way back down (docs/formats.md "下发包", "回执") ----------------------------------------
class TownshipProfile(BaseModel):
    """The township's own name (one row, in the township's data dir): printed in its 下发包 and
    回执 beside its key."""

    name = pw.CharField(constraints=[_not_blank("name")])
    updated_at = pw.DateTimeField(default=dt.datetime.now)


class ExportRecord(BaseModel):
    """A bundle this ledger exported: its manifest's sha256 is what a 回执 refers to."""

    year = pw.IntegerField()
    manifest_sha256 = pw.CharField(
        unique=True, constraints=[pw.Check("length(manifest_sha256) = 64")]
    )
    created_at = pw.DateTimeField(default=dt.datetime.now)
    path = pw.TextField(default="")


class SuperiorKey(BaseModel):
    """The township's key the branch took a 下发包 signed with. One in use; a key the secretary
    confirmed a change from keeps its row with `replaced_at`."""

    township = pw.CharField(default="")
    public_key = pw.CharField(unique=True)  # base64 of the 32-byte raw Ed25519 key
    fingerprint = pw.CharField()
    accepted_at = pw.DateTimeField(default=dt.datetime.now)
    replaced_at = pw.DateTimeField(null=True)


class ReceivedPackage(BaseModel):
    """A 下发包 taken in: what it brought, kept to be shown again (年度主题/要求)."""

    year = pw.IntegerField()
    township = pw.CharField(default="")
    fingerprint = pw.CharField()
    manifest_sha256 = pw.CharField()
    plan_deadline = pw.CharField(null=True)
    requirements = pw.TextField(default="")
    imported_at = pw.DateTimeField(default=dt.datetime.now)


class ReceivedReceipt(BaseModel):
    """A 回执 taken in: the township's word on one exported bundle (已接收 or 退回)."""

    year = pw.IntegerField()
    bundle_sha256 = pw.CharField()  # the manifest sha256 of the ExportRecord it is about
    receipt_sha256 = pw.CharField(unique=True)
    status = pw.CharField(constraints=[_in("status", vocab.RECEIPT_STATUSES)])
    received_on = pw.DateField()
    reasons = JSONListField(default=list)
    advice = pw.TextField(default="")
    township = pw.CharField(default="")
    fingerprint = pw.CharField()
    imported_at = pw.DateTimeField(default=dt.datetime.now)

ALL_MODELS: tuple[type[BaseModel], ...] = (
    SchemaVersion,
    Branch,
    Member,
    Attendee,
    AnnualPlan,
    Activity,
    Attendance,
    AttendeePresence,
    Attachment,
    TalkReminder,
    TrashItem,
    TownshipBranch,
    BranchKey,
    OfficialHolidaySchedule,
    TownshipProfile,
    ExportRecord,
    SuperiorKey,
    ReceivedPackage,
    ReceivedReceipt,
)
