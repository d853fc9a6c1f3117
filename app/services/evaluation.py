"""Evaluation of members (docs/rules.md rule 8, seed [四.2] 推行记实评价): the 3- and 6-time thresholds and
the 谈话提醒 a branch holds with a member, with its deadline for correction and follow-up state.

The thresholds only *mark* members; whether someone is an unqualified member is the branch's
judgement (the seed calls 6+ times "an important basis", not a verdict).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.errors import UserError
from app.models import DB, Branch, Member, TalkReminder, vocab

TALK_REMINDER_THRESHOLD = 3  # 累计3次 -> 谈话提醒、限期整改
UNQUALIFIED_BASIS_THRESHOLD = 6  # 6次及以上 -> 确定不合格党员的重要依据


def needs_talk_reminder(count: int) -> bool:
    """Seed [四.2]: 党员每年不参加活动累计3次的，基层党组织要及时谈话提醒、提出限期整改意见."""
    return count >= TALK_REMINDER_THRESHOLD


def is_unqualified_basis(count: int) -> bool:
    """Seed [四.2]: 6次及以上的，作为确定不合格党员的重要依据 — a basis for the branch's
    judgement, never a verdict by itself."""
    return count >= UNQUALIFIED_BASIS_THRESHOLD


@dataclass(frozen=True)
class TalkRecord:
    """A 谈话提醒 as the screens and reports read it."""

    talk_id: int
    member_id: int
    year: int
    talk_date: dt.date
    talker: str
    note: str
    deadline: dt.date | None
    state: str

    @property
    def corrected(self) -> bool:
        return self.state == vocab.TALK_DONE

    def is_past_deadline(self, today: dt.date) -> bool:
        """Still 待整改 after the deadline for correction."""
        return not self.corrected and self.deadline is not None and today > self.deadline

    def state_text(self, today: dt.date) -> str:
        """The follow-up as a sentence: 已整改, 待整改 (期限 …), or 待整改，已过整改期限 …."""
        if self.corrected:
            return self.state
        if self.deadline is None:
            return self.state
        if self.is_past_deadline(today):
            return f"{self.state}，已过整改期限 {self.deadline.isoformat()}"
        return f"{self.state}（期限 {self.deadline.isoformat()}）"

    def to_json(self) -> dict[str, Any]:
        """One entry of the bundle's data.json "talks" list."""
        return {
            "member_id": self.member_id,
            "talk_date": self.talk_date.isoformat(),
            "talker": self.talker,
            "note": self.note,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "state": self.state,
        }


def _record(t: TalkReminder) -> TalkRecord:
    return TalkRecord(
        talk_id=t.id,
        member_id=t.member_id,
        year=t.year,
        talk_date=t.talk_date,
        talker=t.talker,
        note=t.note,
        deadline=t.deadline,
        state=t.state,
    )


def record_talk(
    member_id: int,
    year: int,
    talk_date: dt.date,
    talker: str,
    note: str = "",
    deadline: dt.date | None = None,
) -> TalkRecord:
    """Record a 谈话提醒 held with a member for `year` (state 待整改 until marked corrected)."""
    member = Member.get_or_none(Member.id == member_id)
    if member is None:
        raise UserError("找不到这名党员，请刷新后重试。", f"no member {member_id}")
    if not talker.strip():
        raise UserError(
            "请填写谈话人，例如“王建国（支部书记）”。", "talker is required", field="talker"
        )
    if talk_date.year < year:
        raise UserError(
            f"谈话日期不能早于 {year} 年：谈话针对的是本年度的参加情况。",
            "talk date before the year it is about",
            field="talk_date",
        )
    if deadline is not None and deadline < talk_date:
        raise UserError(
            "整改期限不能早于谈话日期。", "deadline before the talk date", field="deadline"
        )
    with DB.atomic():
        talk = TalkReminder.create(
            member=member,
            year=year,
            talk_date=talk_date,
            talker=talker.strip(),
            note=note.strip(),
            deadline=deadline,
            state=vocab.TALK_PENDING,
        )
    return _record(talk)


def set_talk_state(talk_id: int, state: str) -> TalkRecord:
    """Follow-up of a talk: 待整改 or 已整改."""
    if state not in vocab.TALK_STATES:
        raise UserError("整改状态只能是“待整改”或“已整改”。", f"bad talk state {state!r}")
    with DB.atomic():
        talk = TalkReminder.get_or_none(TalkReminder.id == talk_id)
        if talk is None:
            raise UserError("找不到这条谈话记录，请刷新后重试。", f"no talk {talk_id}")
        talk.state = state
        talk.save()
    return _record(talk)


def talks_for_year(year: int) -> dict[int, list[TalkRecord]]:
    """All talks about `year`, by member id, oldest first."""
    talks: dict[int, list[TalkRecord]] = {}
    query = (
        TalkReminder.select()
        .where(TalkReminder.year == year)
        .order_by(TalkReminder.talk_date, TalkReminder.id)
    )
    for t in query:
        talks.setdefault(t.member_id, []).append(_record(t))
    return talks


Talks = Mapping[int, Sequence[TalkRecord]]  # member id -> that member's talks, oldest first


def talks_to_json(talks: Talks, member_ids: Iterable[int]) -> list[dict[str, Any]]:
    """The data.json "talks" list: the year's talks with the members the bundle lists."""
    listed = set(member_ids)
    return [t.to_json() for mid, rows in talks.items() if mid in listed for t in rows]


def talks_from_json(items: list[dict[str, Any]], year: int) -> dict[int, list[TalkRecord]]:
    """A bundle's "talks" list back as `talks_for_year` returns it (by member, oldest first).
    Raises KeyError/ValueError/TypeError on malformed entries; verification names them first."""
    talks: dict[int, list[TalkRecord]] = {}
    for n, t in enumerate(items, start=1):
        record = TalkRecord(
            talk_id=n,
            member_id=int(t["member_id"]),
            year=year,
            talk_date=dt.date.fromisoformat(t["talk_date"]),
            talker=str(t.get("talker") or ""),
            note=str(t.get("note") or ""),
            deadline=dt.date.fromisoformat(t["deadline"]) if t.get("deadline") else None,
            state=str(t["state"]),
        )
        talks.setdefault(record.member_id, []).append(record)
    for rows in talks.values():
        rows.sort(key=lambda r: (r.talk_date, r.talk_id))
    return talks


def talk_problems(items: Any, member_ids: set[int]) -> list[str]:
    """Why a bundle's "talks" list is not what `talks_to_json` writes ([] when it is)."""
    if not isinstance(items, list):
        return ["谈话提醒记录（talks）不是列表"]
    problems = []
    for n, t in enumerate(items, start=1):
        label = f"第 {n} 条谈话提醒记录"
        if not isinstance(t, dict) or type(t.get("member_id")) is not int:
            problems.append(f"{label}缺少党员编号（member_id）")
            continue
        if t["member_id"] not in member_ids:
            problems.append(f"{label}引用了不存在的党员（member_id={t['member_id']}）")
        for key, required in (("talk_date", True), ("deadline", False)):
            value = t.get(key)
            if value is None and not required:
                continue
            try:
                ok = isinstance(value, str) and len(value) == 10 and dt.date.fromisoformat(value)
            except ValueError:
                ok = False
            if not ok:
                problems.append(f"{label}的日期“{key}”缺少或格式不对")
        if t.get("state") not in vocab.TALK_STATES:
            problems.append(f"{label}的整改状态“{t.get('state')}”不是“待整改”或“已整改”")
        for key in ("talker", "note"):
            if not isinstance(t.get(key, ""), str):
                problems.append(f"{label}的“{key}”不是文字")
    return problems


def set_leave_counts_as_absent(counts: bool) -> None:
    """The branch setting of rule 8: whether 请假 counts as not taking part (default: it does,
    since the seed does not excuse leave)."""
    with DB.atomic():
        branch = Branch.select().first()
        if branch is None:
            raise UserError("还没有设置党组织信息。", "no branch is set up yet")
        branch.leave_counts_as_absent = counts
        branch.save()
