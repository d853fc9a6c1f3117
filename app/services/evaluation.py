"""Evaluation of members (SPEC rule 8, seed [四.2] 推行记实评价): the 3- and 6-time thresholds and
the 谈话提醒 a branch holds with a member, with its deadline for correction and follow-up state.

The thresholds only *mark* members; whether someone is an unqualified member is the branch's
judgement (the seed calls 6+ times "an important basis", not a verdict).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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


def set_leave_counts_as_absent(counts: bool) -> None:
    """The branch setting of rule 8: whether 请假 counts as not taking part (default: it does,
    since the seed does not excuse leave)."""
    with DB.atomic():
        branch = Branch.select().first()
        if branch is None:
            raise UserError("还没有设置党组织信息。", "no branch is set up yet")
        branch.leave_counts_as_absent = counts
        branch.save()
