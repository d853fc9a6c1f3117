"""正式党员 or 预备党员 on a given day: a 预备党员 becomes 正式 on the 转正日期 kept with the member
(`Member.full_member_date`), and is counted as 预备 at every activity before it."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from app.models import vocab


class HasCategory(Protocol):
    category: str
    full_member_date: dt.date | None


def category_on(member: HasCategory, day: dt.date) -> str:
    """The member's category on `day`: 预备党员 before a recorded 转正日期, else as stored (a member
    without a 转正日期 keeps the stored category on every day)."""
    if member.full_member_date is not None and day < member.full_member_date:
        return vocab.PROBATIONARY_MEMBER
    return member.category
