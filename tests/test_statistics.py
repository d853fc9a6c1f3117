"""Rule 4, 7 and 8 figures from crafted attendance: per member, per activity, for the branch."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from app.cli import main
from app.models import Activity, AnnualPlan, Attendance, Member
from app.services.evaluation import set_leave_counts_as_absent
from app.services.ledger import YearData, load_year
from app.services.statistics import compute_statistics, is_overdue

YEAR = 2025
TODAY = dt.date(2026, 1, 15)  # the year is over


def d(month: int, day: int, year: int = YEAR) -> dt.date:
    return dt.date(year, month, day)


def make_plan(year: int = YEAR) -> AnnualPlan:
    return AnnualPlan.create(year=year)


def hold(plan, held: dt.date | None, statuses: dict[Member, str], **kw) -> Activity:
    """One activity (held on `held`, or only planned when None) with the given attendance."""
    a = Activity.create(
        plan=plan,
        plan_date=kw.pop("plan_date", held),
        held_date=held,
        theme=kw.pop("theme", f"{held.month if held else 0}月主题党日"),
        **kw,
    )
    for member, status in statuses.items():
        Attendance.create(activity=a, member=member, status=status, reason="")
    return a


def by_id(stats, member: Member):
    return next(m for m in stats.members if m.member_id == member.id)


def test_each_way_of_taking_part_leave_and_absence_are_counted_exactly(branch):
    plan = make_plan()
    zhang = Member.create(name="张秀兰")
    li = Member.create(name="李德明", is_mobile=True)
    statuses_zhang = ["出席", "线上参加", "请假", "缺席", "缺席"]
    statuses_li = ["流入地参加", "流入地参加", "适当方式参加", "出席", "请假"]
    for i, (sz, sl) in enumerate(zip(statuses_zhang, statuses_li, strict=True)):
        hold(plan, d(i + 1, 5), {zhang: sz, li: sl}, submitted_date=d(i + 1, 7))
    # Held with nobody's attendance entered for 李德明: unrecorded, never counted against him.
    hold(plan, d(6, 5), {zhang: "出席"})
    # Planned, not held: counts for nobody, whatever the rows say.
    hold(plan, None, {zhang: "缺席"}, plan_date=d(7, 5))

    stats = compute_statistics(load_year(YEAR), today=TODAY)

    z, li_stats = by_id(stats, zhang), by_id(stats, li)
    assert (z.expected, z.took_part, z.leave, z.absent, z.not_taking_part) == (6, 3, 1, 2, 3)
    assert z.by_status == {
        "出席": 2,
        "线上参加": 1,
        "流入地参加": 0,
        "适当方式参加": 0,
        "请假": 1,
        "缺席": 2,
    }
    assert (li_stats.expected, li_stats.took_part, li_stats.unrecorded) == (6, 4, 1)
    assert li_stats.by_status["流入地参加"] == 2 and li_stats.by_status["适当方式参加"] == 1
    assert li_stats.not_taking_part == 1  # the one 请假; the unrecorded month is not counted

    june = next(a for a in stats.activities if a.held_date == d(6, 5))
    assert (june.expected, june.took_part, june.unrecorded) == (2, 1, 1)
    assert stats.status_totals() == {
        "出席": 3,
        "线上参加": 1,
        "流入地参加": 2,
        "适当方式参加": 1,
        "请假": 2,
        "缺席": 2,
    }


def test_talk_reminder_and_unqualified_lists_change_exactly_at_3_and_6(branch):
    plan = make_plan()
    members = {n: Member.create(name=f"党员{n}") for n in (0, 2, 3, 5, 6, 7)}
    for month in range(1, 8):
        hold(
            plan,
            d(month, 10),
            {m: ("缺席" if month <= n else "出席") for n, m in members.items()},
        )

    stats = compute_statistics(load_year(YEAR), today=TODAY)

    counts = {m.name: m.not_taking_part for m in stats.members}
    assert counts == {"党员0": 0, "党员2": 2, "党员3": 3, "党员5": 5, "党员6": 6, "党员7": 7}
    assert [m.name for m in stats.talk_reminder] == ["党员3", "党员5", "党员6", "党员7"]
    assert [m.name for m in stats.unqualified_basis] == ["党员6", "党员7"]
    out = stats.to_json()
    assert out["talk_reminder"] == [members[n].id for n in (3, 5, 6, 7)]
    assert out["unqualified_basis"] == [members[6].id, members[7].id]


def test_leave_counts_as_not_taking_part_by_default_and_the_setting_excuses_it(branch):
    plan = make_plan()
    two_absent_one_leave = Member.create(name="赵红")
    four_absent_two_leave = Member.create(name="钱伟")
    three_absent = Member.create(name="孙莉")
    pattern = {
        two_absent_one_leave: ["缺席", "缺席", "请假", "出席", "出席", "出席"],
        four_absent_two_leave: ["缺席", "缺席", "缺席", "缺席", "请假", "请假"],
        three_absent: ["缺席", "缺席", "缺席", "出席", "出席", "出席"],
    }
    for i in range(6):
        hold(plan, d(i + 1, 5), {m: p[i] for m, p in pattern.items()})

    before = compute_statistics(load_year(YEAR), today=TODAY)
    assert before.leave_counts_as_absent is True
    assert [m.name for m in before.talk_reminder] == ["赵红", "钱伟", "孙莉"]
    assert [m.name for m in before.unqualified_basis] == ["钱伟"]

    set_leave_counts_as_absent(False)
    after = compute_statistics(load_year(YEAR), today=TODAY)

    assert after.leave_counts_as_absent is False
    assert [m.name for m in after.talk_reminder] == ["钱伟", "孙莉"]  # 赵红 drops to 2
    assert after.unqualified_basis == []  # 钱伟 drops to 4
    assert by_id(after, four_absent_two_leave).leave == 2  # leave still shown, just not counted


def test_members_who_left_or_joined_count_only_activities_while_on_the_roll(branch):
    plan = make_plan()
    stays = Member.create(name="周强")
    left = Member.create(name="吴芳", left_date=d(4, 5), left_reason="转出")
    joined = Member.create(name="郑杰", roll_start=d(9, 1))
    for month in range(1, 13):
        rows = {stays: "出席"}
        if month < 4:
            rows[left] = "缺席"
        elif month == 4:
            rows[left] = "缺席"  # entered by mistake on the day she left: not on the roll
        if month >= 9:
            rows[joined] = "缺席"
        hold(plan, d(month, 5), rows)

    stats = compute_statistics(load_year(YEAR), today=TODAY)

    assert by_id(stats, stays).expected == 12
    assert (by_id(stats, left).expected, by_id(stats, left).not_taking_part) == (3, 3)
    assert (by_id(stats, joined).expected, by_id(stats, joined).not_taking_part) == (4, 4)
    april = next(a for a in stats.activities if a.held_date == d(4, 5))
    assert (april.expected, april.by_status["缺席"]) == (1, 0)  # 周强 only
    assert [m.name for m in stats.talk_reminder] == ["吴芳", "郑杰"]


def test_overdue_is_three_days_after_the_held_date():
    held = d(3, 5)
    assert not is_overdue(held, d(3, 8), today=d(12, 31))  # on the third day: in time
    assert is_overdue(held, d(3, 9), today=d(3, 9))  # late, even though submitted
    assert not is_overdue(held, None, today=d(3, 8))  # not yet, still time
    assert is_overdue(held, None, today=d(3, 9))
    assert not is_overdue(None, None, today=d(12, 31))  # not held: nothing to submit


def test_branch_summary_shows_months_without_activity_and_rules_out_excellence(branch):
    plan = make_plan()
    a, b = Member.create(name="陈静"), Member.create(name="林涛")
    for month in range(1, 13):
        if month in (2, 8):  # planned, never held
            hold(plan, None, {}, plan_date=d(month, 5))
            continue
        held = d(month, 5)
        rows = {a: "出席", b: "出席" if month % 2 else "缺席"}
        submitted = held + dt.timedelta(days=5 if month == 3 else 2)
        hold(plan, held, rows, submitted_date=None if month == 12 else submitted)

    stats = compute_statistics(load_year(YEAR), today=TODAY)
    br = stats.branch

    assert (br.planned, br.held, br.due) == (12, 10, 12)
    assert br.months_without_activity == [2, 8]
    march = next(x for x in stats.activities if x.held_date == d(3, 5))
    december = next(x for x in stats.activities if x.held_date == d(12, 5))
    assert br.overdue_activity_ids == [march.activity_id, december.activity_id]
    assert br.not_submitted == 1
    # Odd held months (1,3,5,7,9,11): both took part; even ones (4,6,10,12): one of two.
    assert br.attendance_rate == pytest.approx((6 * 1.0 + 4 * 0.5) / 10)
    assert br.excellence_ruled_out
    note = stats.excellence_note()
    assert "2月、8月没有开展党日活动" in note and "不得评先选优" in note

    # Mid-year, a month still running is not yet "without activity".
    mid = compute_statistics(load_year(YEAR), today=d(8, 20))
    assert mid.branch.months_without_activity == [2]
    assert mid.branch.months_elapsed == list(range(1, 8))


def test_a_regular_year_has_no_excellence_note(branch):
    plan = make_plan()
    a = Member.create(name="黄丽")
    for month in range(1, 13):
        hold(plan, d(month, 10), {a: "出席"}, submitted_date=d(month, 11))
    stats = compute_statistics(load_year(YEAR), today=TODAY)
    assert stats.branch.months_without_activity == []
    assert stats.branch.attendance_rate == 1.0
    assert stats.branch.overdue_records == 0
    assert stats.excellence_note() == ""


def test_township_gets_the_same_figures_from_the_bundle_data_json(branch):
    plan = make_plan()
    a = Member.create(name="许磊", left_date=d(6, 1), left_reason="去世")
    b = Member.create(name="何敏")
    for month in range(1, 10):
        hold(plan, d(month, 5), {a: "请假", b: "缺席" if month % 3 == 0 else "线上参加"})
    data = load_year(YEAR)
    from_bundle = YearData.from_json(json.loads(json.dumps(data.to_json(), ensure_ascii=False)))

    local = compute_statistics(data, today=TODAY).to_json()
    township = compute_statistics(from_bundle, today=TODAY).to_json()

    assert township == local
    assert local["talk_reminder"] == [a.id, b.id]


def test_stats_command_prints_the_documented_json(branch, capsys):
    plan = make_plan()
    a = Member.create(name="马云飞")
    for month in (1, 2, 3):
        hold(plan, d(month, 5), {a: "缺席"}, submitted_date=d(month, 6))

    assert main(["stats", "--year", str(YEAR), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)

    assert out["year"] == YEAR
    assert {
        "planned",
        "held",
        "months_without_activity",
        "overdue_records",
        "attendance_rate",
    } <= set(out["branch"])
    assert out["branch"]["held"] == 3
    member = out["members"][0]
    assert {k: member[k] for k in ("member_id", "name", "expected", "took_part", "leave")} == {
        "member_id": a.id,
        "name": "马云飞",
        "expected": 3,
        "took_part": 0,
        "leave": 0,
    }
    assert (member["absent"], member["not_taking_part"]) == (3, 3)
    assert out["talk_reminder"] == [a.id] and out["unqualified_basis"] == []

    # Without --json: a readable table with the same figures.
    assert main(["stats", "--year", str(YEAR)]) == 0
    text = capsys.readouterr().out
    assert "马云飞" in text and "谈话提醒" in text


def test_stats_command_rejects_a_year_out_of_range(branch, capsys):
    assert main(["stats", "--year", "1850"]) == 2
    assert "年份" in capsys.readouterr().err
