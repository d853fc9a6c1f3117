"""回收站: deleting a member or an activity moves its rows into `TrashItem` as JSON, so it can be
put back until the trash is emptied. Every move is one transaction.

Rows are kept as the raw stored column values (dates as SQLite stores them), so a restore writes
back exactly what was there, whatever later code does with the model classes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import peewee as pw

from app import files, models
from app.errors import UserError
from app.paths import attachments_dir
from app.services import leftovers

KIND_MEMBER = "member"
KIND_ACTIVITY = "activity"
KIND_NAMES = {KIND_MEMBER: "党员", KIND_ACTIVITY: "党日活动"}


def _table(model: type[pw.Model]) -> str:
    return model._meta.table_name


def _raw_rows(model: type[pw.Model], column: str, value: int) -> list[dict]:
    """The stored rows of `model` whose `column` equals `value`, as plain column -> value dicts."""
    cursor = models.DB.execute_sql(
        f'SELECT * FROM "{_table(model)}" WHERE "{column}" = ?', (value,)
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _columns(table: str) -> set[str]:
    return {c.name for c in models.DB.get_columns(table)}


def _insert(table: str, row: dict, *, keep_id: bool) -> int:
    """Insert a stored row back; columns the table no longer has are dropped, new ones default."""
    known = _columns(table)
    values = {k: v for k, v in row.items() if k in known and (keep_id or k != "id")}
    names = ", ".join(f'"{k}"' for k in values)
    marks = ", ".join("?" for _ in values)
    cursor = models.DB.execute_sql(
        f'INSERT INTO "{table}" ({names}) VALUES ({marks})', tuple(values.values())
    )
    return cursor.lastrowid


def _id_free(model: type[pw.Model], row_id: int) -> bool:
    return not model.select().where(model.id == row_id).exists()


def _make_item(
    kind: str, label: str, root_id: int, rows: dict[str, list[dict]]
) -> models.TrashItem:
    payload = {"kind": kind, "root_id": root_id, "rows": rows}
    return models.TrashItem.create(
        kind=kind, label=label, payload=json.dumps(payload, ensure_ascii=False, default=str)
    )


# --- moving into the trash ---------------------------------------------------------------------
def trash_member(member_id: int) -> models.TrashItem:
    """Delete a member who has no attendance yet (e.g. entered by mistake), keeping them in 回收站.

    A member with attendance is part of the ledger's history: they leave the roll instead
    (转出/去世, `left_date`), so 应参加 of past activities stays right (rule 4).
    """
    with models.DB.atomic():
        member = models.Member.get_or_none(models.Member.id == member_id)
        if member is None:
            raise UserError("要删除的党员不存在，可能已被删除。", f"no member {member_id}")
        if models.Attendance.select().where(models.Attendance.member == member_id).exists():
            raise UserError(
                f"党员“{member.name}”已有考勤记录，不能删除。如已转出或去世，"
                "请在花名册中登记“离开花名册”，历史记录会保留。",
                f"member {member_id} has attendance; record leaving the roll instead",
            )
        rows = {
            _table(models.Member): _raw_rows(models.Member, "id", member_id),
            _table(models.TalkReminder): _raw_rows(models.TalkReminder, "member_id", member_id),
        }
        models.TalkReminder.delete().where(models.TalkReminder.member == member_id).execute()
        models.Member.delete().where(models.Member.id == member_id).execute()
        return _make_item(KIND_MEMBER, f"党员 {member.name}", member_id, rows)


def trash_activity(activity_id: int) -> models.TrashItem:
    """Delete an activity with its attendance, invited attendees' presence and attachment rows,
    keeping all of it in 回收站. Attachment files stay on disk until the trash is emptied."""
    with models.DB.atomic():
        activity = models.Activity.get_or_none(models.Activity.id == activity_id)
        if activity is None:
            raise UserError("要删除的活动不存在，可能已被删除。", f"no activity {activity_id}")
        day = activity.held_date or activity.plan_date
        label = f"党日活动 {day:%Y-%m-%d} {activity.theme}".rstrip()
        rows = {
            _table(models.Activity): _raw_rows(models.Activity, "id", activity_id),
            _table(models.Attendance): _raw_rows(models.Attendance, "activity_id", activity_id),
            _table(models.AttendeePresence): _raw_rows(
                models.AttendeePresence, "activity_id", activity_id
            ),
            _table(models.Attachment): _raw_rows(models.Attachment, "activity_id", activity_id),
        }
        for model in (models.Attendance, models.AttendeePresence, models.Attachment):
            model.delete().where(model.activity == activity_id).execute()
        models.Activity.delete().where(models.Activity.id == activity_id).execute()
        return _make_item(KIND_ACTIVITY, label, activity_id, rows)


# --- looking, restoring, emptying --------------------------------------------------------------
def list_trash() -> list[models.TrashItem]:
    """What is in 回收站, newest first."""
    return list(
        models.TrashItem.select().order_by(
            models.TrashItem.deleted_at.desc(), models.TrashItem.id.desc()
        )
    )


def restore_item(item_id: int) -> str:
    """Put a trashed member or activity back (one transaction); returns its label.

    The original id is kept when it is still free, so references elsewhere (bundles, printed
    forms) stay valid; otherwise the rows get a new id and their children follow it.
    """
    with models.DB.atomic():
        item = models.TrashItem.get_or_none(models.TrashItem.id == item_id)
        if item is None:
            raise UserError("回收站中没有这一项，可能已被恢复或清空。", f"no trash item {item_id}")
        payload = json.loads(item.payload)
        rows: dict[str, list[dict]] = payload["rows"]
        if item.kind == KIND_MEMBER:
            _restore_member(rows)
        elif item.kind == KIND_ACTIVITY:
            _restore_activity(rows)
        else:
            raise UserError("回收站中这一项的类型无法识别。", f"unknown trash kind {item.kind}")
        item.delete_instance()
        return item.label


def _restore_member(rows: dict[str, list[dict]]) -> None:
    (member,) = rows[_table(models.Member)]
    keep = _id_free(models.Member, member["id"])
    new_id = _insert(_table(models.Member), member, keep_id=keep)
    for talk in rows.get(_table(models.TalkReminder), []):
        _insert(_table(models.TalkReminder), {**talk, "member_id": new_id}, keep_id=False)


def _restore_activity(rows: dict[str, list[dict]]) -> None:
    (activity,) = rows[_table(models.Activity)]
    if not models.AnnualPlan.select().where(models.AnnualPlan.id == activity["plan_id"]).exists():
        raise UserError(
            "这次活动所属的年度计划已不存在，无法恢复。", "the activity's annual plan is gone"
        )
    attendance = rows.get(_table(models.Attendance), [])
    missing = [a["member_id"] for a in attendance if _id_free(models.Member, a["member_id"])]
    if missing:
        raise UserError(
            "这次活动的考勤中有党员已被删除，请先在回收站中恢复这些党员，再恢复本活动。",
            f"members {missing} of the attendance are gone",
        )
    presence = rows.get(_table(models.AttendeePresence), [])
    if any(_id_free(models.Attendee, p["attendee_id"]) for p in presence):
        raise UserError("这次活动的列席人员有人已被删除，无法恢复。", "an invited attendee is gone")
    keep = _id_free(models.Activity, activity["id"])
    new_id = _insert(_table(models.Activity), activity, keep_id=keep)
    for table in (
        _table(models.Attendance),
        _table(models.AttendeePresence),
        _table(models.Attachment),
    ):
        for row in rows.get(table, []):
            _insert(table, {**row, "activity_id": new_id}, keep_id=False)


def what_comes_with(item: models.TrashItem) -> str:
    """What a trashed activity brings back with it, in words (考勤 10 人，照片、扫描件 2 个), so
    the secretary sees that restoring puts the attendance and the files back too."""
    if item.kind != KIND_ACTIVITY:
        return ""
    rows = json.loads(item.payload)["rows"]
    parts = []
    if n := len(rows.get(_table(models.Attendance), [])):
        parts.append(f"考勤 {n} 人")
    if n := len(rows.get(_table(models.AttendeePresence), [])):
        parts.append(f"列席 {n} 人")
    if n := len(rows.get(_table(models.Attachment), [])):
        parts.append(f"照片、扫描件 {n} 个")
    return "，".join(parts)


def _attachment_files(item: models.TrashItem) -> list[str]:
    payload = json.loads(item.payload)
    return [row["stored_path"] for row in payload["rows"].get(_table(models.Attachment), [])]


@dataclass
class Emptied:
    """What emptying 回收站 did: how many items went, and the attachment files another program
    held open (Windows), left where they are and deleted at a later start."""

    items: int
    left: list[Path] = field(default_factory=list)

    def message(self) -> str:
        """A Chinese sentence for the secretary, or '' when everything went."""
        return files.Removal(left=self.left).left_text()


def empty_trash(data_dir: Path | None = None) -> Emptied:
    """Delete everything in 回收站 for good.

    Attachment files of trashed activities are removed after the rows are gone (the data dir is
    the database's folder unless given), so a crash in between leaves a stray file, never a
    record pointing at nothing. A file held open is left, named, and noted for the start-up sweep
    (app/services/leftovers.py): one held photo does not stop the others.
    """
    items = list(models.TrashItem.select())
    names = [name for item in items for name in _attachment_files(item)]
    with models.DB.atomic():
        models.TrashItem.delete().where(models.TrashItem.id.in_([i.id for i in items])).execute()
    data_dir = Path(data_dir) if data_dir else Path(models.DB.database).parent
    root = attachments_dir(data_dir).resolve()
    doomed = []
    for name in names:
        still_used = (
            models.Attachment.select().where(models.Attachment.stored_path == name).exists()
        )
        path = (root / name).resolve()
        if not still_used and path.is_relative_to(root) and path.is_file():
            doomed.append(path)
    removal = files.remove_files(doomed)
    if removal.left:
        leftovers.note(data_dir, removal.left)
    return Emptied(items=len(items), left=removal.left)
