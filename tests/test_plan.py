"""Rule 6 [四.1]: the annual plan — twelve dated, themed activities, edits that keep held records,
the checks, the 未核对节假日 flag, filing by 25 March, and the `plan` command."""

from __future__ import annotations

import datetime as dt

import pytest

from app.cli import main
from app.errors import UserError
from app.models import Activity, AnnualPlan, Attendance, Member, vocab
from app.services import calendar as cal
from app.services import plan as plans
from app.services.ledger import load_year
from app.services.trash import list_trash, restore_item

FAR_YEAR = 2035  # a year whose official schedule no installed package knows


def entries(year: int) -> list[Activity]:
    return list(AnnualPlan.get(year=year).activities.order_by(Activity.plan_date, Activity.id))


def test_create_plan_gives_one_draft_activity_a_month_moved_off_holidays_with_reasons(branch):
    plan = plans.create_plan(2026)
    acts = entries(2026)
    assert plan.status == vocab.PLAN_DRAFT and plan.filed_date is None
    assert [a.plan_date.month for a in acts] == list(range(1, 13))
    by_month = {a.plan_date.month: a for a in acts}
    assert by_month[10].plan_date == dt.date(2026, 10, 8)
    assert by_month[10].plan_reason == "10月5日为国庆节假期，顺延至10月8日"
    assert by_month[1].plan_reason is None  # 5 January is a plain Monday
    assert "建党" in by_month[7].theme and "国庆" in by_month[10].theme
    assert all(plans.has_required_category(a.categories) for a in acts)
    assert not any(a.holidays_unverified for a in acts)
    assert plans.plan_checks(2026, load_year(2026).activities) == []

    with pytest.raises(UserError, match="已经存在"):
        plans.create_plan(2026, "10")
    assert Activity.select().count() == 12


def test_branch_custom_day_is_used_and_kept_as_the_reason(branch):
    branch.activity_day_mode, branch.custom_day = vocab.DAY_CUSTOM, 18
    branch.save()
    plans.create_plan(2026)
    acts = entries(2026)
    assert all(a.plan_reason.startswith("本支部党员活动日为每月18日") for a in acts)
    assert dt.date(2026, 3, 18) in [a.plan_date for a in acts]


def test_plan_for_an_unknown_year_is_marked_unverified_until_the_user_confirms(branch):
    plans.create_plan(FAR_YEAR)
    assert all(a.holidays_unverified for a in entries(FAR_YEAR))
    text = plans.format_plan(FAR_YEAR)
    assert "还没有2035年的正式放假安排" in text
    assert text.count("[未核对节假日]") == 12
    assert "12 个日期未核对节假日" in plans.plan_checks(FAR_YEAR, load_year(FAR_YEAR).activities)

    assert plans.confirm_holidays(FAR_YEAR) == 12
    assert not any(a.holidays_unverified for a in entries(FAR_YEAR))
    assert plans.reconcile_with_calendar(FAR_YEAR) == []  # still no official schedule


def test_once_the_package_knows_the_year_unverified_dates_move_but_held_ones_stay(branch):
    # A 2026 plan made while 2026 was unknown: two dates that turned out to be 国庆节 days.
    plans.create_plan(2026)
    october = Activity.get(Activity.plan_date == dt.date(2026, 10, 8))
    october.plan_date, october.plan_reason = dt.date(2026, 10, 5), None
    october.save()
    held = Activity.get(Activity.plan_date == dt.date(2026, 5, 6))
    held.plan_date, held.held_date = dt.date(2026, 5, 5), dt.date(2026, 5, 5)
    held.save()
    Activity.update(holidays_unverified=True).execute()

    changes = plans.reconcile_with_calendar(2026)
    assert changes == ["按正式节假日安排：10月5日为国庆节假期，顺延至10月8日"]
    october, held = Activity.get_by_id(october.id), Activity.get_by_id(held.id)
    assert october.plan_date == dt.date(2026, 10, 8)
    assert october.plan_reason == "10月5日为国庆节假期，顺延至10月8日"
    assert held.plan_date == dt.date(2026, 5, 5) and held.held_date == dt.date(2026, 5, 5)
    assert Activity.select().where(Activity.holidays_unverified).count() == 0


def test_editing_an_entry_warns_on_a_non_working_day_and_never_moves_a_held_activity(branch):
    plans.create_plan(2026)
    first, second = entries(2026)[:2]
    warnings = plans.update_plan_entry(
        first.id,
        plans.PlanEntry(
            plan_date=dt.date(2026, 1, 10),
            theme="学习新修订的党章",
            plan_reason="与村民代表会议同日",
            categories=[vocab.CATEGORY_STUDY, vocab.CATEGORY_CARE],
            planned_content="学习党章；走访慰问老党员",
            place="青山村党员活动室",
        ),
    )
    assert warnings == ["1月10日为星期六，不是工作日"]
    saved = Activity.get_by_id(first.id)
    assert (saved.plan_date, saved.theme, saved.place, saved.plan_reason) == (
        dt.date(2026, 1, 10),
        "学习新修订的党章",
        "青山村党员活动室",
        "与村民代表会议同日",
    )
    assert saved.categories == [vocab.CATEGORY_STUDY, vocab.CATEGORY_CARE]

    with pytest.raises(UserError) as err:
        plans.update_plan_entry(first.id, plans.PlanEntry(dt.date(2027, 1, 4), "跨年"))
    assert err.value.field == "plan_date"
    with pytest.raises(UserError) as err:
        plans.update_plan_entry(first.id, plans.PlanEntry(dt.date(2026, 1, 12), "  "))
    assert err.value.field == "theme"

    member = Member.create(name="李秀英")
    second.held_date = dt.date(2026, 2, 5)
    second.save()
    Attendance.create(activity=second, member=member, status=vocab.PRESENT)
    with pytest.raises(UserError, match="已于2月5日开展"):
        plans.update_plan_entry(
            second.id, plans.PlanEntry(dt.date(2026, 2, 9), second.theme, categories=["学习教育"])
        )
    assert Activity.get_by_id(second.id).plan_date == second.plan_date
    # the theme of a held activity may still be corrected
    plans.update_plan_entry(
        second.id, plans.PlanEntry(second.plan_date, "春节前走访慰问", categories=["学习教育"])
    )
    assert Activity.get_by_id(second.id).theme == "春节前走访慰问"
    with pytest.raises(UserError, match="已有记录"):
        plans.delete_plan_entry(second.id)


def test_checks_name_too_few_missing_months_double_days_and_missing_required_content(branch):
    plans.create_plan(2026)
    march = next(a for a in entries(2026) if a.plan_date.month == 3)
    plans.delete_plan_entry(march.id)
    checks = plans.plan_checks(2026, load_year(2026).activities)
    assert "全年只有 11 次活动，应不少于 12 次" in checks
    assert "3月 没有安排活动" in checks
    # the deleted entry waits in 回收站 until emptied
    (item,) = list_trash()
    restore_item(item.id)
    assert any(a.plan_date.month == 3 for a in entries(2026))
    plans.delete_plan_entry(march.id)

    _, warnings = plans.add_plan_entry(
        2026, plans.PlanEntry(dt.date(2026, 4, 7), "植树护绿志愿服务", categories=["联系服务群众"])
    )
    assert "没有“按照要求”的内容（学习教育或党员管理）" in warnings
    checks = plans.plan_checks(2026, load_year(2026).activities)
    assert "全年只有" not in " ".join(checks)
    assert "4月7日安排了 2 次活动" in checks
    assert "4月7日的活动没有“按照要求”的内容（学习教育或党员管理）" in checks
    assert "3月 没有安排活动" in checks


def test_filing_banner_counts_down_from_first_of_march_until_the_plan_is_filed(branch):
    banner = plans.filing_banner
    assert banner(2026, "草稿", "03-25", dt.date(2026, 2, 28)) is None
    assert "还有 24 天" in banner(2026, "草稿", "03-25", dt.date(2026, 3, 1))
    assert "今天（3月25日）是2026年度计划报送截止日" in banner(
        2026, "草稿", "03-25", dt.date(2026, 3, 25)
    )
    assert "已超过报送截止日（3月25日）1 天" in banner(2026, "草稿", "03-25", dt.date(2026, 3, 26))
    # the seed's first year used 31 July: a branch setting
    assert "距报送截止日（7月31日）还有 152 天" in banner(
        2026, "草稿", "07-31", dt.date(2026, 3, 1)
    )
    assert banner(2026, "已报送", "03-25", dt.date(2026, 3, 10)) is None

    plans.create_plan(2026)
    plans.file_plan(2026, dt.date(2026, 3, 12))
    plan = AnnualPlan.get(year=2026)
    assert (plan.status, plan.filed_date) == ("已报送", dt.date(2026, 3, 12))
    with pytest.raises(UserError, match="不能晚于今天"):
        plans.file_plan(2026, dt.date.today() + dt.timedelta(days=1))
    plans.unfile_plan(2026)
    assert AnnualPlan.get(year=2026).status == "草稿"


def test_next_years_plan_is_offered_from_october_until_it_exists(branch):
    offer = plans.should_offer_next_year_plan
    assert not offer(2026, dt.date(2026, 9, 30))
    assert offer(2026, dt.date(2026, 10, 1))
    assert not offer(2025, dt.date(2026, 12, 1))  # a past year on view: nothing to offer
    plans.create_plan(2027)
    assert not offer(2026, dt.date(2026, 12, 1))


def test_the_years_activities_come_in_date_order_and_a_same_day_one_after(branch):
    from app.services.ledger import activity_year, year_activities

    assert year_activities(2026) == []
    plans.create_plan(2026)
    extra, _ = plans.add_plan_entry(
        2026,
        plans.PlanEntry(plan_date=dt.date(2026, 1, 5), theme="加一次", categories=["学习教育"]),
    )
    rows = year_activities(2026)
    days = [(r.plan_date, r.activity_id) for r in rows]
    assert days == sorted(days) and len(rows) == 13
    january = [r for r in rows if r.plan_date.month == 1]
    assert january[-1].activity_id == extra.id and january[-1].attendance == []
    assert activity_year(extra.id) == 2026 and activity_year(10**6) is None


def test_plan_command_creates_then_shows_the_plan_with_reasons(branch, data_dir, capsys):
    assert main(["--data-dir", str(data_dir), "plan", "--year", "2026", "--day", "10"]) == 0
    out = capsys.readouterr().out
    assert "已生成2026年度计划（12 次活动，草稿）" in out
    assert "10月10日（星期六）为调休上班日，照常开展" in out
    assert "5月10日为星期日，顺延至5月11日" in out
    assert "chinesecalendar" in out and "检查：未发现问题" in out

    assert main(["--data-dir", str(data_dir), "plan", "--year", "2026", "--day", "5"]) == 0
    out = capsys.readouterr().out
    assert "已经存在，未按 --day 重新生成" in out and "2026-10-10 星期六" in out

    assert main(["--data-dir", str(data_dir), "plan", "--year", str(FAR_YEAR)]) == 0
    assert capsys.readouterr().out.count("[未核对节假日]") == 12

    assert main(["--data-dir", str(data_dir), "print-plan", "--year", "2040", "--out", "x"]) == 2
    assert "还没有2040年度计划" in capsys.readouterr().err


def test_changing_the_branch_day_moves_unheld_entries_and_keeps_held_ones(branch):
    plans.create_plan(2026)  # on the 5th
    march = next(a for a in entries(2026) if a.plan_date.month == 3)
    march.held_date = march.plan_date
    march.save()
    plans.add_plan_entry(
        2026, plans.PlanEntry(dt.date(2026, 6, 20), "端午前走访", categories=["学习教育"])
    )
    june_before = sorted(a.plan_date for a in entries(2026) if a.plan_date.month == 6)

    changes = plans.redate_unheld(2026, "10")

    after = {a.plan_date.month: a for a in entries(2026) if a.plan_date.month not in (3, 6)}
    for month, activity in after.items():
        expected = plans.plan_activity_date(2026, month, 10)
        assert (activity.plan_date, activity.plan_reason) == (expected.date, expected.reason)
        assert cal.is_working_day(activity.plan_date)
    assert after[1].plan_date == dt.date(2026, 1, 12)  # the 10th is a Saturday
    assert "1月5日 → 1月12日" in changes
    assert Activity.get_by_id(march.id).plan_date == dt.date(2026, 3, 5)  # held: kept
    assert sorted(a.plan_date for a in entries(2026) if a.plan_date.month == 6) == june_before
    assert plans.redate_unheld(2026, "10") == []  # nothing left to move


def test_redating_in_november_keeps_the_past_months_as_planned(branch):
    plans.create_plan(2026)  # on the 5th
    before = {a.id: a.plan_date for a in entries(2026)}
    assert plans.redate_unheld(2026, "10", since=dt.date(2026, 11, 25), dry_run=True) == [
        "12月7日 → 12月10日"  # 5 December 2026 is a Saturday
    ]
    assert {a.id: a.plan_date for a in entries(2026)} == before  # a dry run writes nothing
    plans.redate_unheld(2026, "10", since=dt.date(2026, 11, 25))
    moved = {a.id: a.plan_date for a in entries(2026) if a.plan_date != before[a.id]}
    assert list(moved.values()) == [dt.date(2026, 12, 10)]


def test_a_wrongly_written_command_is_explained_in_chinese_too(data_dir, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--data-dir", str(data_dir), "plan", "--year", "2026", "--day", "7"])
    err = capsys.readouterr().err
    assert stop.value.code == 2
    assert "错误：命令的写法不对" in err and "--help" in err and "error: argument --day" in err
