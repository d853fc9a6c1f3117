"""The 花名册 as the roster tab shows it: filters (category, flags, on the roll, a name found by
characters or pinyin), the order (pinyin or roll order), and the counts above the table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.models import Member, vocab
from app.services.names import matches, sort_key

# --- the roster view ------------------------------------------------------------------------------
ROLL_ON = "在册"
ROLL_LEFT = "已离开"
ROLL_ALL = "全部"
ORDER_PINYIN = "按姓名拼音"
ORDER_ROLL = "按花名册顺序"


@dataclass
class RosterFilter:
    """The roster's filters: category, the three flags, on the roll or not, and a name search."""

    category: str | None = None  # 正式党员 / 预备党员 / None = both
    mobile: bool = False
    frail: bool = False
    leader: bool = False
    roll: str = ROLL_ON
    search: str = ""  # characters of the name, or its pinyin: full, initials or mixed
    today: dt.date | None = None

    def matches(self, m: Member) -> bool:
        today = self.today or dt.date.today()
        if self.category and m.category != self.category:
            return False
        if (self.mobile and not m.is_mobile) or (self.frail and not m.is_frail):
            return False
        if self.leader and not m.is_leader:
            return False
        left = m.left_date is not None and m.left_date <= today
        if (self.roll == ROLL_ON and left) or (self.roll == ROLL_LEFT and not left):
            return False
        return matches(m.name, self.search)


def list_members(f: RosterFilter | None = None, order: str = ORDER_ROLL) -> list[Member]:
    """The members `f` lets through (default: all), in roll order (as entered or imported) or
    in pinyin order of their names (app/services/names.py)."""
    f = f or RosterFilter(roll=ROLL_ALL)
    members = [m for m in Member.select().order_by(Member.id) if f.matches(m)]
    if order == ORDER_PINYIN:
        members.sort(key=lambda m: sort_key(m.name))
    return members


@dataclass(frozen=True)
class RosterCounts:
    on_roll: int
    full: int
    probationary: int
    mobile: int
    frail: int
    leader: int
    left: int

    def text(self) -> str:
        return (
            f"在册党员 {self.on_roll} 人（正式党员 {self.full}，预备党员 {self.probationary}）；"
            f"流动党员 {self.mobile}，年老体弱 {self.frail}，领导干部 {self.leader}；"
            f"已离开 {self.left} 人"
        )


def roster_counts(today: dt.date | None = None) -> RosterCounts:
    today = today or dt.date.today()
    members = list(Member.select())
    on = [m for m in members if m.left_date is None or m.left_date > today]
    return RosterCounts(
        on_roll=len(on),
        full=sum(m.category == vocab.FULL_MEMBER for m in on),
        probationary=sum(m.category == vocab.PROBATIONARY_MEMBER for m in on),
        mobile=sum(bool(m.is_mobile) for m in on),
        frail=sum(bool(m.is_frail) for m in on),
        leader=sum(bool(m.is_leader) for m in on),
        left=len(members) - len(on),
    )


def flags_text(m) -> str:
    """The special cases of rule 3 as a short label: 流动 / 年老体弱 / 领导干部 (for a Member
    or anything with the same three flags)."""
    parts = []
    if m.is_mobile:
        parts.append("流动")
    if m.is_frail:
        parts.append("年老体弱")
    if m.is_leader:
        parts.append("领导干部")
    return "、".join(parts)
