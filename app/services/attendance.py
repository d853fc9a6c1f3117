"""Who is expected and who took part (SPEC rules 3 and 4, seed [二.3])."""

from __future__ import annotations

import datetime as dt

from app.models import vocab


def is_on_roll(roll_start: dt.date | None, left_date: dt.date | None, day: dt.date) -> bool:
    """Rule 4: 应参加 = the members on the roll on the activity date [二.3].

    A member is on the roll from `roll_start` (None: always) until the day before `left_date`:
    someone who transfers out or dies on the activity day is no longer expected that day.
    """
    started = roll_start is None or roll_start <= day
    return started and (left_date is None or day < left_date)


def counts_as_taking_part(status: str) -> bool:
    """Rule 4: 出席, 线上参加, 流入地参加 and 适当方式参加 all count as 实际参加 [二.3]."""
    return status in vocab.TAKING_PART_STATUSES


def counts_as_not_taking_part(status: str, leave_counts_as_absent: bool = True) -> bool:
    """Rule 8: 缺席 is not taking part; so is 请假 unless the branch setting excuses leave
    (the seed [四.2] does not excuse it, hence the default)."""
    if status == vocab.ABSENT:
        return True
    return status == vocab.LEAVE and leave_counts_as_absent


def activity_day(plan_date: dt.date, held_date: dt.date | None) -> dt.date:
    """The date that decides who is on the roll: the held date once held, else the plan date."""
    return held_date or plan_date
