"""The seed's words, stored verbatim in the database and in the bundle's data.json.

Identifiers are English; the values are the Chinese words of the seed (docs/rules.md), since they are data that
township tools and printed forms read.
"""

from __future__ import annotations

# Member categories [二.3]
FULL_MEMBER = "正式党员"
PROBATIONARY_MEMBER = "预备党员"
MEMBER_CATEGORIES = (FULL_MEMBER, PROBATIONARY_MEMBER)

GENDERS = ("男", "女")

# Invited non-members [二.3]: listed, never counted as 应参加/实际参加党员.
ATTENDEE_KINDS = ("入党积极分子", "发展对象", "团员青年", "群众代表")

# Leaving the roll: history is kept, the member simply stops being expected after the date.
LEAVE_REASONS = ("转出", "去世", "其他")

# Attendance statuses, rule 4. The first four count as 实际参加.
PRESENT = "出席"
ONLINE = "线上参加"
AT_INFLOW_ORG = "流入地参加"
SUITABLE_MEANS = "适当方式参加"
LEAVE = "请假"
ABSENT = "缺席"
ATTENDANCE_STATUSES = (PRESENT, ONLINE, AT_INFLOW_ORG, SUITABLE_MEANS, LEAVE, ABSENT)
TAKING_PART_STATUSES = (PRESENT, ONLINE, AT_INFLOW_ORG, SUITABLE_MEANS)

# Ways of holding it [二.2]
MODE_OFFLINE = "线下"
MODE_ONLINE = "线上"
MODE_BOTH = "线上线下"
MODES = (MODE_OFFLINE, MODE_ONLINE, MODE_BOTH)

# Content categories, rule 5 [三]: group -> categories.
REQUIRED_GROUP = "按照要求"
PRACTICAL_GROUP = "结合实际"
CATEGORY_STUDY = "学习教育"
CATEGORY_MEMBER_MANAGEMENT = "党员管理"
CATEGORY_BRIEFING = "通报"
CATEGORY_DISCUSSION = "民主讨论/决策"
CATEGORY_SERVING_MASSES = "联系服务群众"
CATEGORY_CARE = "关心关怀党员"
CATEGORY_OTHER = "其他主题"
CONTENT_CATEGORIES: dict[str, tuple[str, ...]] = {
    REQUIRED_GROUP: (CATEGORY_STUDY, CATEGORY_MEMBER_MANAGEMENT),
    PRACTICAL_GROUP: (
        CATEGORY_BRIEFING,
        CATEGORY_DISCUSSION,
        CATEGORY_SERVING_MASSES,
        CATEGORY_CARE,
        CATEGORY_OTHER,
    ),
}
ALL_CATEGORIES = tuple(c for group in CONTENT_CATEGORIES.values() for c in group)

# Place types, rule 9 [四.3]
PLACE_TYPES = ("党员活动室", "村(社区)活动场所", "爱国主义教育基地", "线上", "其他")

# Where an activity stands, rule 7 [四.2, 附件]: what the lists of activities say.
ACTIVITY_PENDING = "待开展"  # not held, its planned day still to come
ACTIVITY_NOT_HELD = "未开展"  # not held, its planned day has passed
RECORD_HELD = "已开展未报送"  # held, the 记录表 not yet 报送 (within 3 days after)
RECORD_SUBMITTED = "已报送"
RECORD_OVERDUE = "逾期未报送"  # held, not 报送 and the 3 days have passed
ACTIVITY_STATES = (
    ACTIVITY_PENDING,
    ACTIVITY_NOT_HELD,
    RECORD_HELD,
    RECORD_SUBMITTED,
    RECORD_OVERDUE,
)

# Annual plan status, rule 6
PLAN_DRAFT = "草稿"
PLAN_FILED = "已报送"
PLAN_STATUSES = (PLAN_DRAFT, PLAN_FILED)

# Attachment kinds, rule 7 (有计划、有记录、有资料)
ATTACHMENT_KINDS = ("照片", "签名表扫描件", "其他材料")

# Branch activity-day setting, rule 1
DAY_FIFTH = "5"
DAY_TENTH = "10"
DAY_CUSTOM = "custom"
ACTIVITY_DAY_MODES = (DAY_FIFTH, DAY_TENTH, DAY_CUSTOM)

# Talk reminder follow-up, rule 8
TALK_PENDING = "待整改"
TALK_DONE = "已整改"
TALK_STATES = (TALK_PENDING, TALK_DONE)

# What the township's 回执 says of a bundle (docs/formats.md "回执")
RECEIPT_ACCEPTED = "已接收"
RECEIPT_RETURNED = "退回"
RECEIPT_STATUSES = (RECEIPT_ACCEPTED, RECEIPT_RETURNED)
