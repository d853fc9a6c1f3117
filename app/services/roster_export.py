"""Exporting the 花名册: which members go out (the workbook itself: `app.reports.roster_xlsx`)."""

from __future__ import annotations

from pathlib import Path

from app.models import Member
from app.reports.roster_xlsx import write_roster_xlsx
from app.services.roster import RosterFilter, list_members


def export_roster(path: Path, members: list[Member] | None = None, title: str = "") -> Path:
    """Write the roster (default: every member, those who left included) to `path`, with the
    suffix .xlsx. Returns the path written."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        path = path.with_suffix(".xlsx")
    members = list_members(RosterFilter(roll="全部")) if members is None else members
    return write_roster_xlsx(path, members, title)
