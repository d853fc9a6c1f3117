"""The data model: peewee tables on one proxy, the words they store, and the database binding."""

from app.models.db import SCHEMA_VERSION, close_database, open_database, snapshot
from app.models.entities import (
    ALL_MODELS,
    DB,
    Activity,
    AnnualPlan,
    Attachment,
    Attendance,
    Attendee,
    AttendeePresence,
    Branch,
    Member,
    OfficialHolidaySchedule,
    SchemaVersion,
    TalkReminder,
    TrashItem,
)

__all__ = [
    "ALL_MODELS",
    "DB",
    "SCHEMA_VERSION",
    "Activity",
    "AnnualPlan",
    "Attachment",
    "Attendance",
    "Attendee",
    "AttendeePresence",
    "Branch",
    "Member",
    "OfficialHolidaySchedule",
    "SchemaVersion",
    "TalkReminder",
    "TrashItem",
    "close_database",
    "open_database",
    "snapshot",
]
