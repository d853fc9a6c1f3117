"""A believable demo branch, so a secretary can look around before entering real data.

About 30 members covering every special case of [二.3] (预备党员, 流动党员, 年老体弱, 党员领导干部),
two who leave the roll mid-year and one who joins, the four kinds of invited non-members, the
year's plan, and records with attendance for the months already past — including one member who
misses 3 activities and one who misses 6 (rule 8), so the statistics have something to show.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from app import models
from app.errors import UserError
from app.models import vocab
from app.services.attendance import is_on_roll
from app.services.branch import BranchSettings, save_branch


@dataclass(frozen=True)
class DemoMember:
    name: str
    gender: str
    born: str
    joined: str
    category: str = vocab.FULL_MEMBER
    mobile: str = ""  # where a 流动党员 is now
    inflow_org: str = ""
    frail: bool = False
    leader: bool = False
    phone: str = ""


# Plausible village branch: farmers, the village committee, a returned student, some elders.
MEMBERS = (
    DemoMember("王建国", "男", "1968-03-12", "1992-07-01", leader=True, phone="13905661001"),
    DemoMember("李秀英", "女", "1972-11-02", "1998-06-20", phone="13905661002"),
    DemoMember("张德明", "男", "1945-05-18", "1966-04-10", frail=True),
    DemoMember("刘桂兰", "女", "1950-09-09", "1975-12-01", frail=True),
    DemoMember(
        "陈志强",
        "男",
        "1985-01-22",
        "2010-06-28",
        mobile="浙江省杭州市",
        inflow_org="杭州市萧山区新塘街道流动党员党支部",
        phone="13805712003",
    ),
    DemoMember(
        "杨海涛", "男", "1990-07-07", "2014-05-16", mobile="江苏省苏州市", phone="13962004004"
    ),
    DemoMember("赵丽娟", "女", "1979-04-30", "2003-07-01", phone="13905661005"),
    DemoMember("黄德胜", "男", "1962-12-12", "1988-10-15"),
    DemoMember("周晓燕", "女", "1995-02-14", "2019-11-20", phone="15155661006"),
    DemoMember("吴国平", "男", "1958-08-08", "1983-03-03"),
    DemoMember("徐明华", "男", "1975-06-16", "2000-06-30", leader=True, phone="13905661007"),
    DemoMember("孙玉梅", "女", "1966-10-10", "1995-01-18"),
    DemoMember("胡建军", "男", "1970-03-25", "1996-09-09"),
    DemoMember(
        "朱文斌",
        "男",
        "1988-11-11",
        "2012-12-12",
        mobile="上海市浦东新区",
        inflow_org="上海市浦东新区张江镇流动党员党支部",
        phone="13816008008",
    ),
    DemoMember("高春花", "女", "1964-02-02", "1990-05-04"),
    DemoMember("林志远", "男", "1998-09-01", "2023-06-18", phone="18755661009"),
    DemoMember("何淑芬", "女", "1948-01-15", "1970-07-01", frail=True),
    DemoMember("郭永福", "男", "1955-04-04", "1979-11-07"),
    DemoMember("马俊杰", "男", "1993-05-20", "2017-07-01"),
    DemoMember("罗红霞", "女", "1982-08-18", "2008-03-08"),
    DemoMember("梁启明", "男", "1973-12-30", "1999-12-20"),
    DemoMember(
        "宋佳怡",
        "女",
        "2000-03-03",
        "2025-06-30",
        category=vocab.PROBATIONARY_MEMBER,
        phone="18355661010",
    ),
    DemoMember("郑宏伟", "男", "1999-10-10", "2025-11-25", category=vocab.PROBATIONARY_MEMBER),
    DemoMember("谢长顺", "男", "1960-06-06", "1987-08-01"),
    DemoMember("韩雪", "女", "1991-12-24", "2016-05-04"),
    DemoMember("唐守义", "男", "1952-07-17", "1976-10-01"),
    DemoMember("冯志刚", "男", "1977-09-19", "2002-04-12"),
    DemoMember(
        "曹喆", "男", "1987-02-28", "2011-07-01", mobile="广东省深圳市", phone="13688809011"
    ),
    DemoMember("彭堃", "男", "1984-05-05", "2009-09-09"),
    DemoMember("董桂芳", "女", "1969-11-23", "1994-06-15"),
)
# Indexes into MEMBERS with a story the statistics should show.
MISSES_THREE = 18  # 马俊杰: three times not taking part -> 谈话提醒
MISSES_SIX = 23  # 谢长顺: six or more -> 不合格党员认定依据
LEAVES_TRANSFER = 20  # 梁启明 transfers out in June
LEAVES_DEATH = 25  # 唐守义 dies in August
JOINS_LATER = 22  # 郑宏伟 joins the branch roll in March (转入)

ATTENDEES = (
    ("汪小琴", "入党积极分子"),
    ("储卫东", "发展对象"),
    ("姚思远", "团员青年"),
    ("方大伯", "群众代表"),
)

PLACES = (
    ("青山村党员活动室", "党员活动室"),
    ("青山村便民服务中心", "村(社区)活动场所"),
    ("皖南革命历史纪念馆", "爱国主义教育基地"),
)

CONTENT = (
    "一、集中学习党章第二章“党员的权利和义务”，书记领学并结合本村实际谈体会；\n"
    "二、交纳本月党费，通报党费收缴情况；\n"
    "三、通报镇党委近期工作部署和本村人居环境整治进展，党员讨论下一步分工；\n"
    "四、党员分组到独居老人家中走访，帮助打扫院落、检查用电安全。"
)


def create_demo(data_dir: Path, year: int | None = None, today: dt.date | None = None) -> str:
    """Fill an EMPTY data dir with the demo branch; returns a one-line Chinese summary."""
    from app.services.plan import create_plan, file_plan

    today = today or dt.date.today()
    year = year or today.year
    if (
        models.Branch.select().exists()
        or models.Member.select().exists()
        or models.AnnualPlan.select().exists()
    ):
        raise UserError(
            f"数据目录 {data_dir} 中已有数据，演示数据只能载入空的数据目录。"
            "请用 --data-dir 指定一个新的空目录再试。",
            "the data dir is not empty; demo data only goes into an empty data dir",
        )
    rng = random.Random(year)
    with models.DB.atomic():
        save_branch(
            BranchSettings(
                name="中共青山村支部委员会",
                superior_org="中共青山镇委员会",
                secretary="王建国",
                activity_day_mode=vocab.DAY_FIFTH,
                form_title_prefix="池州市",
            )
        )
        members = [_create_member(m) for m in MEMBERS]
        members[LEAVES_TRANSFER].left_date = dt.date(year, 6, 12)
        members[LEAVES_TRANSFER].left_reason = "转出"
        members[LEAVES_TRANSFER].left_note = "工作调动，组织关系转至县农业农村局机关党支部"
        members[LEAVES_DEATH].left_date = dt.date(year, 8, 20)
        members[LEAVES_DEATH].left_reason = "去世"
        members[JOINS_LATER].roll_start = dt.date(year, 3, 1)
        members[JOINS_LATER].note = "从镇中心学校党支部转入"
        for i in (LEAVES_TRANSFER, LEAVES_DEATH, JOINS_LATER):
            members[i].save()
        attendees = [models.Attendee.create(name=n, kind=k) for n, k in ATTENDEES]

        plan = create_plan(year)
        filed = dt.date(year, 3, 16)  # filed upward before the 25 March deadline (rule 6)
        if filed < today and filed <= dt.date.today():
            file_plan(year, filed)
        activities = list(plan.activities.order_by(models.Activity.plan_date))
        held = [a for a in activities if a.plan_date < today]
        for number, activity in enumerate(held):
            _hold(activity, number, members, attendees, rng, today)
    # Photos after the transaction: each attachment is its own all-or-nothing copy + row.
    for activity in held[-3:]:
        _attach_demo_photo(data_dir, activity)
    moved = sum(1 for a in activities if a.plan_reason)
    return (
        f"演示党支部“中共青山村支部委员会”：{len(members)} 名党员（2 名年内离开、1 名年内转入）、"
        f"{len(attendees)} 名列席人员；{year} 年计划 {len(activities)} 次活动（{moved} 次因节假日调整），"
        f"已开展 {len(held)} 次并录入考勤。"
    )


def _create_member(m: DemoMember) -> models.Member:
    return models.Member.create(
        name=m.name,
        gender=m.gender,
        birth_date=dt.date.fromisoformat(m.born),
        joined_party_date=dt.date.fromisoformat(m.joined),
        category=m.category,
        phone=m.phone,
        is_mobile=bool(m.mobile),
        mobile_location=m.mobile,
        inflow_org=m.inflow_org,
        is_frail=m.frail,
        is_leader=m.leader,
    )


def _hold(
    activity: models.Activity,
    number: int,
    members: list[models.Member],
    attendees: list[models.Attendee],
    rng: random.Random,
    today: dt.date,
) -> None:
    """Record one past activity: the record, the attendance, the 报送 date."""
    place, place_type = PLACES[0] if number % 4 else PLACES[number // 4 % len(PLACES)]
    held = activity.plan_date
    activity.held_date = held
    activity.start_time = dt.time(9, 0) if number % 2 == 0 else dt.time(14, 30)
    activity.end_time = dt.time(11, 0) if number % 2 == 0 else dt.time(16, 30)
    activity.place, activity.place_type = place, place_type
    activity.mode = vocab.MODE_BOTH if number % 3 == 0 else vocab.MODE_OFFLINE
    if number == 4:
        activity.partner_org = "中共县农业农村局机关支部委员会"
    activity.categories = [
        vocab.CATEGORY_STUDY,
        vocab.CATEGORY_MEMBER_MANAGEMENT,
        vocab.CATEGORY_BRIEFING,
        (vocab.CATEGORY_SERVING_MASSES, vocab.CATEGORY_CARE, vocab.CATEGORY_DISCUSSION)[number % 3],
    ]
    activity.content = f"{activity.theme}。\n" + CONTENT
    activity.cost = Decimal("120.00") if place_type == "爱国主义教育基地" else None
    # Most records go up within 3 days; one is late and the latest is not sent yet (rule 7).
    if held + dt.timedelta(days=3) < today and number != 2:
        activity.submitted_date = held + dt.timedelta(days=1 if number != 5 else 6)
    activity.save()

    for index, member in enumerate(members):
        if not is_on_roll(member.roll_start, member.left_date, held):
            continue
        status, reason = _status_for(index, member, number, rng)
        models.Attendance.create(activity=activity, member=member, status=status, reason=reason)
    for attendee in attendees[: 2 + number % 3]:
        models.AttendeePresence.create(activity=activity, attendee=attendee)


def _attach_demo_photo(data_dir: Path, activity: models.Activity) -> None:
    """A drawn stand-in for a photo of the activity (有资料), so the ledger and the bundle show
    attachments without shipping real people's pictures."""
    from PIL import Image, ImageDraw, ImageFont

    from app import files
    from app.paths import font_path, temp_dir
    from app.services.records import add_attachment

    image = Image.new("RGB", (800, 560), (214, 226, 238))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 380, 800, 560), fill=(150, 160, 150))  # floor
    draw.rectangle((60, 60, 740, 150), fill=(190, 20, 30))  # banner
    title = ImageFont.truetype(str(font_path()), 40)
    small = ImageFont.truetype(str(font_path()), 24)
    draw.text(
        (400, 105), f"{activity.held_date.month}月党员活动日", font=title, fill="white", anchor="mm"
    )
    for i in range(9):  # rows of seated members
        x = 90 + i * 75
        draw.ellipse((x, 300, x + 40, 340), fill=(60, 50, 45))
        draw.rectangle((x - 5, 340, x + 45, 420), fill=(40, 60, 110))
    draw.text((400, 520), f"{activity.theme}（演示照片）", font=small, fill="white", anchor="mm")
    with files.scratch_folder(temp_dir(data_dir), "demo") as tmp:
        photo = tmp / f"{activity.held_date.isoformat()}-活动照片.jpg"
        image.save(photo, "JPEG", quality=80)
        add_attachment(data_dir, activity.id, photo, "照片")


def _status_for(
    index: int, member: models.Member, number: int, rng: random.Random
) -> tuple[str, str]:
    if index == MISSES_SIX:
        # Misses most months: absent, with some leave in between (leave counts by default).
        return (
            ((vocab.ABSENT, ""), (vocab.LEAVE, "外出务工"), (vocab.ABSENT, ""))[number % 3]
            if number < 8
            else (vocab.PRESENT, "")
        )
    if index == MISSES_THREE:
        return (
            (vocab.ABSENT, "")
            if number in (1, 4)
            else (vocab.LEAVE, "家中有事")
            if number == 6
            else (vocab.PRESENT, "")
        )
    if member.is_mobile:
        return (vocab.AT_INFLOW_ORG, "") if member.inflow_org and number % 2 else (vocab.ONLINE, "")
    if member.is_frail:
        return (vocab.SUITABLE_MEANS, "送学上门") if number % 2 == 0 else (vocab.PRESENT, "")
    roll = rng.random()
    if roll < 0.05:
        return vocab.LEAVE, rng.choice(("生病住院", "外出务工", "家中有事"))
    if roll < 0.07:
        return vocab.ABSENT, ""
    return vocab.PRESENT, ""
