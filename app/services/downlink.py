"""The branch takes in its township's 下发包 (docs/formats.md "下发包"): checked (signature,
every value, the township's key against the one remembered), shown, and on the secretary's word
taken in — the holiday schedule as the year's official one with the township as its source (the
plan re-checked by `holiday_schedule.store_schedule`), the deadline into the branch's settings,
the suggested themes into the branch's editable themes, the township's key remembered."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app import files
from app.bundle.downlink import PACKAGE_FORMAT, PACKAGE_VERSIONS, package_problems
from app.models import DB
from app.models.entities import ReceivedPackage, SuperiorKey
from app.services import calendar as cal
from app.services.editable import install_defaults, open_data_dir, themes_path
from app.services.holiday_notice import LONGEST_BREAK, HolidaySchedule
from app.services.holiday_schedule import StoreResult, store_schedule
from app.services.ledger import require_branch
from app.services.text_rules import text_problem
from app.signed_files import SignedFile, SignedFileError, read_signed_zip

KEY_NEW, KEY_KNOWN, KEY_CHANGED = "new", "known", "changed"
FROM_KEY = "来自"  # marks a suggested theme that came with a 下发包 in the branch's themes.json


class KeyChanged(SignedFileError):
    """A 下发包 signed by another key than the township's remembered one (exit 1 unless the
    secretary confirms the change)."""


@dataclass
class PackagePreview:
    """A checked 下发包, before anything is taken in: what it brings and whose key signed it."""

    signed: SignedFile
    township: str
    year: int
    schedule: HolidaySchedule | None
    deadline: str | None
    requirements: str
    themes: dict[str, list[dict[str, Any]]]
    key_state: str  # KEY_NEW, KEY_KNOWN or KEY_CHANGED
    known_fingerprint: str | None = None  # the remembered key's, when another one

    @property
    def fingerprint(self) -> str:
        return self.signed.fingerprint

    def key_line(self) -> str:
        if self.key_state == KEY_KNOWN:
            return f"签名：{self.township}，密钥指纹 {self.fingerprint}（与以前导入的一致）"
        if self.key_state == KEY_NEW:
            return (
                f"签名：{self.township}，密钥指纹 {self.fingerprint}（第一次导入，将记住这个密钥；"
                "请与乡镇党委汇总表上印的指纹核对）"
            )
        return (
            f"注意：签名密钥变了！这个下发包的密钥指纹是 {self.fingerprint}，"
            f"以前导入的是 {self.known_fingerprint}。"
        )

    def lines(self) -> list[str]:
        """What it brings, in words, for the CLI and the dialog."""
        lines = [f"{self.township} {self.year}年下发包（{self.signed.path.name}）", self.key_line()]
        if self.schedule:
            lines.append(f"节假日安排：{self.year}年，依据 {self.schedule.source}")
            for p in self.schedule.holidays:
                days = (p.end - p.start).days + 1
                span = cal.month_day(p.start)
                span += f"至{cal.month_day(p.end)}" if days > 1 else ""
                lines.append(f"  {p.name}：{span}，共{days}天")
            if self.schedule.workdays:
                days = "、".join(cal.month_day(d) for d in self.schedule.workdays)
                lines.append(f"  调休上班：{days}")
        lines.append(f"计划报送截止日期：{self.deadline or '（未附）'}")
        if self.themes:
            lines.append("建议主题：")
            for month, items in sorted(self.themes.items(), key=lambda kv: int(kv[0])):
                lines.append(f"  {month}月：{'；'.join(i['theme'] for i in items)}")
        if self.requirements.strip():
            lines.append("年度主题/要求：")
            lines += [f"  {line}" for line in self.requirements.strip().splitlines()]
        return lines


def _schedule(obj: Any, year: int) -> HolidaySchedule:
    """The package's schedule, every value checked: the year's, days near the year, breaks no
    longer than any statutory one, names that are plain text."""
    try:
        schedule = HolidaySchedule.from_json(obj)
    except (ValueError, KeyError, TypeError) as err:
        raise ValueError("节假日安排格式不对") from err
    low, high = dt.date(year - 1, 12, 1), dt.date(year + 1, 1, 31)
    days = [d for p in schedule.holidays for d in (p.start, p.end)] + schedule.workdays
    if schedule.year != year or any(not low <= d <= high for d in days):
        raise ValueError(f"节假日安排不是{year}年的")
    if not schedule.holidays or len(schedule.holidays) > 20 or len(schedule.workdays) > 20:
        raise ValueError("节假日安排的假期或调休天数不对")
    for p in schedule.holidays:
        if (p.end - p.start).days + 1 > LONGEST_BREAK:
            raise ValueError(f"“{p.name}”假期长于 {LONGEST_BREAK} 天")
        if text_problem(p.name, "假期名称", 30) or not p.name.strip():
            raise ValueError("节假日名称不对")
    if text_problem(schedule.source, "节假日依据", 300):
        raise ValueError("节假日依据不对")
    return schedule


def _key_state(public_key: str) -> tuple[str, str | None]:
    in_use = SuperiorKey.get_or_none(SuperiorKey.replaced_at.is_null())
    if in_use is None:
        return KEY_NEW, None
    if in_use.public_key == public_key:
        return KEY_KNOWN, None
    return KEY_CHANGED, in_use.fingerprint


def read_package(path: Path) -> PackagePreview:
    """Check a 下发包 (signature, every value) and say what it brings; nothing is stored.
    Raises SignedFileError with the reason for an altered, damaged or foreign file."""
    signed = read_signed_zip(path, PACKAGE_FORMAT, PACKAGE_VERSIONS, "下发包")
    m = signed.manifest
    problems = package_problems(m)
    schedule = None
    if not problems and m.get("holiday_schedule") is not None:
        try:
            schedule = _schedule(m["holiday_schedule"], m["year"])
        except ValueError as err:
            problems.append(str(err))
    if problems:
        raise SignedFileError(
            f"下发包“{signed.path.name}”内容有误，不能导入：{'；'.join(problems[:5])}。",
            "malformed package",
        )
    state, known = _key_state(signed.public_key)
    return PackagePreview(
        signed,
        m["township"]["name"].strip(),
        m["year"],
        schedule,
        m.get("plan_deadline"),
        m.get("requirements", ""),
        m.get("themes", {}),
        state,
        known,
    )


@dataclass
class PackageImport:
    """What taking a 下发包 in did."""

    preview: PackagePreview
    stored: StoreResult | None = None
    deadline_before: str | None = None
    themes_note: str = ""

    def lines(self) -> list[str]:
        p = self.preview
        lines = [f"已导入{p.township}{p.year}年下发包。"]
        if p.key_state == KEY_NEW:
            lines.append(f"已记住乡镇党委的密钥指纹 {p.fingerprint}。")
        elif p.key_state == KEY_CHANGED:
            lines.append(f"已改为记住新的密钥指纹 {p.fingerprint}（原为 {p.known_fingerprint}）。")
        if self.stored is not None:
            lines += self.stored.lines()
        if p.deadline:
            if p.deadline == self.deadline_before:
                lines.append(f"计划报送截止日期：{p.deadline}（与原设置相同）")
            else:
                lines.append(f"计划报送截止日期已改为 {p.deadline}（原为 {self.deadline_before}）")
        if self.themes_note:
            lines.append(self.themes_note)
        return lines


def key_change_error(preview: PackagePreview) -> KeyChanged:
    return KeyChanged(
        f"这个下发包的签名密钥（指纹 {preview.fingerprint}）与以前导入的乡镇党委密钥"
        f"（指纹 {preview.known_fingerprint}）不同，没有导入。可能是乡镇党委换了电脑，"
        "也可能是别人冒充。请打电话向乡镇党委核实新的密钥指纹（印在乡镇汇总表的页脚），"
        "一致后加 --accept-new-key 再导入（窗口中：勾选“确认更换密钥”）。",
        f"package signed by another key ({preview.fingerprint}, "
        f"remembered {preview.known_fingerprint}); use --accept-new-key",
    )


def import_package(path: Path, *, accept_new_key: bool = False) -> PackageImport:
    """`read_package` and `take_package` in one (the CLI with --yes)."""
    return take_package(read_package(path), accept_new_key=accept_new_key)


def take_package(preview: PackagePreview, *, accept_new_key: bool = False) -> PackageImport:
    """Take in the 下发包 the secretary has seen (`preview`, so what is stored is what was
    shown). Another key than the remembered one is refused (KeyChanged) unless
    `accept_new_key`."""
    if _key_state(preview.signed.public_key)[0] == KEY_CHANGED and not accept_new_key:
        raise key_change_error(preview)
    branch = require_branch()
    result = PackageImport(preview, deadline_before=branch.plan_deadline)
    # The themes file first: one another program holds stops it all, before the ledger changes.
    result.themes_note = _take_themes(preview)
    with DB.atomic():
        _remember_key(preview)
        if preview.deadline:
            branch.plan_deadline = preview.deadline
            branch.save()
        ReceivedPackage.create(
            year=preview.year,
            township=preview.township,
            fingerprint=preview.fingerprint,
            manifest_sha256=preview.signed.sha256,
            plan_deadline=preview.deadline,
            requirements=preview.requirements,
        )
        if preview.schedule is not None:
            made = str(preview.signed.manifest.get("created_at", ""))[:10]
            source = f"{preview.township}下发包（{made}）：{preview.schedule.source}"
            schedule = HolidaySchedule(
                preview.year, source, preview.schedule.holidays, preview.schedule.workdays
            )
            result.stored = store_schedule(schedule)
    return result


def _remember_key(preview: PackagePreview) -> None:
    now = dt.datetime.now()
    key = preview.signed.public_key
    if preview.key_state == KEY_KNOWN:
        return
    SuperiorKey.update(replaced_at=now).where(SuperiorKey.replaced_at.is_null()).execute()
    row = SuperiorKey.get_or_none(SuperiorKey.public_key == key)
    if row is None:
        SuperiorKey.create(
            township=preview.township, public_key=key, fingerprint=preview.fingerprint
        )
    else:  # a key replaced before, taken back into use
        row.replaced_at, row.accepted_at, row.township = None, now, preview.township
        row.save()


def remembered_key() -> SuperiorKey | None:
    """The township's key in use (from the last 下发包 taken in), or None."""
    return SuperiorKey.get_or_none(SuperiorKey.replaced_at.is_null())


def latest_package(year: int) -> ReceivedPackage | None:
    return (
        ReceivedPackage.select()
        .where(ReceivedPackage.year == year)
        .order_by(ReceivedPackage.imported_at.desc(), ReceivedPackage.id.desc())
        .first()
    )


# --- the suggested themes ---------------------------------------------------------------------
def _take_themes(preview: PackagePreview) -> str:
    """Put the package's themes first in each of their months of the branch's themes.json (the
    first is the one a new plan takes), replacing those an earlier 下发包 put there; the branch's
    own stay behind them. A themes.json the secretary broke is left alone and said."""
    if not preview.themes:
        return ""
    data_dir = open_data_dir()
    if data_dir is None:
        return ""
    install_defaults(data_dir)
    path = themes_path(data_dir)
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
        months = doc["months"]
        if not isinstance(months, dict):
            raise TypeError
    except (OSError, ValueError, KeyError, TypeError):
        return f"建议主题没有导入：本机的主题文件“{path}”有误或无法读取（请先改好，再导入一次下发包）。"
    mark = f"{preview.township}{preview.year}年下发包"
    for month, items in preview.themes.items():
        own = [i for i in months.get(month, []) if not (isinstance(i, dict) and FROM_KEY in i)]
        months[month] = [{**i, FROM_KEY: mark} for i in items] + own
    files.write_text(path, json.dumps(doc, ensure_ascii=False, indent=2) + "\n", what="主题文件")
    names = "、".join(f"{m}月" for m in sorted(preview.themes, key=int))
    return f"建议主题：{names}的建议已加入（排在各月第一条，生成年度计划时采用）。"
