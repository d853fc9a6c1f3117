"""Names and shapes of what goes back down the USB stick (docs/formats.md "下发包", "回执"): the
township's 下发包 to all its branches and its 回执 to one branch about one bundle. Both sides use
these: the township to write them, the branch to check every value before taking anything in
(the signature says who sent it, not that what it says is well-formed)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from app.filenames import safe_stem
from app.models import vocab
from app.services.text_rules import THEME_MAX, text_problem

PACKAGE_FORMAT = "dangri-issue-package"
PACKAGE_VERSION = 1
PACKAGE_VERSIONS = (1,)
PACKAGE_SUFFIX = "-下发包.zip"
RECEIPT_FORMAT = "dangri-receipt"
RECEIPT_VERSION = 1
RECEIPT_VERSIONS = (1,)
RECEIPT_SUFFIX = "-回执.zip"

REQUIREMENTS_MAX = 5000  # 年度主题/要求: a page or two of text
CONTENT_MAX = 500  # a suggested theme's 主要内容
THEMES_PER_MONTH = 10
NAME_MAX = 60  # a 党组织's name, as the bundle allows it
REASONS_MAX = 200
REASON_MAX = 500
_DEADLINE = re.compile(r"(\d{2})-(\d{2})")
_SHA256 = re.compile(r"[0-9a-f]{64}")


def package_filename(township: str, year: int) -> str:
    return f"{safe_stem(township, '乡镇党委')}-{year}{PACKAGE_SUFFIX}"


def receipt_filename(branch: str, year: int) -> str:
    return f"{safe_stem(branch, '党支部')}-{year}{RECEIPT_SUFFIX}"


def deadline_problem(value: Any) -> str | None:
    """Why `value` is not a plan deadline "MM-DD" (as the branch's setting), or None."""
    m = _DEADLINE.fullmatch(value) if isinstance(value, str) else None
    if m is None:
        return f"计划报送截止日期“{value}”应写成“月-日”，如 03-25"
    try:
        dt.date(2024, int(m[1]), int(m[2]))  # a leap year: 02-29 is a day
    except ValueError:
        return f"计划报送截止日期“{value}”不是一个日子"
    return None


def _year_problem(value: Any) -> str | None:
    if type(value) is not int or not 2000 <= value <= 2100:
        return f"年度“{value}”不对"
    return None


def _text_reason(value: Any, label: str, most: int, *, multiline: bool = False) -> str | None:
    if not isinstance(value, str):
        return f"{label}不是文字"
    return text_problem(value, label, most, multiline=multiline)


def theme_problems(themes: Any) -> list[str]:
    """Why a package's `themes` (`{"1": [{"theme", "content", "categories"}], …}`) is not one."""
    if not isinstance(themes, dict):
        return ["建议主题（themes）格式不对"]
    problems: list[str] = []
    for key, items in themes.items():
        if not (isinstance(key, str) and key.isdigit() and 1 <= int(key) <= 12):
            problems.append(f"建议主题的月份“{key}”不对")
            continue
        if not isinstance(items, list) or len(items) > THEMES_PER_MONTH:
            problems.append(f"{key}月的建议主题应是不超过 {THEMES_PER_MONTH} 条的列表")
            continue
        for n, item in enumerate(items, start=1):
            problems += [f"{key}月第 {n} 条建议：{p}" for p in _theme_item_problems(item)]
    return problems


def _theme_item_problems(item: Any) -> list[str]:
    if not isinstance(item, dict):
        return ["格式不对"]
    found = [
        _text_reason(item.get("theme"), "主题", THEME_MAX),
        _text_reason(item.get("content", ""), "主要内容", CONTENT_MAX, multiline=True),
    ]
    if isinstance(item.get("theme"), str) and not item["theme"].strip():
        found.append("没有主题")
    categories = item.get("categories", [])
    if not isinstance(categories, list) or any(c not in vocab.ALL_CATEGORIES for c in categories):
        found.append("类别不是党日活动内容类别")
    return [p for p in found if p]


def package_problems(manifest: dict[str, Any]) -> list[str]:
    """Why a 下发包's manifest (signature already checked) is not well-formed ([] when it is)."""
    township = manifest.get("township")
    name = township.get("name") if isinstance(township, dict) else None
    problems = [
        _text_reason(name, "乡镇党委名称", NAME_MAX),
        _year_problem(manifest.get("year")),
        _text_reason(
            manifest.get("requirements", ""), "年度主题/要求", REQUIREMENTS_MAX, multiline=True
        ),
    ]
    if manifest.get("plan_deadline") is not None:
        problems.append(deadline_problem(manifest["plan_deadline"]))
    if isinstance(name, str) and not name.strip():
        problems.append("乡镇党委名称是空的")
    found = [p for p in problems if p]
    found += theme_problems(manifest.get("themes", {}))
    schedule = manifest.get("holiday_schedule")
    if schedule is not None and not isinstance(schedule, dict):
        found.append("节假日安排（holiday_schedule）格式不对")
    return found


def receipt_problems(manifest: dict[str, Any]) -> list[str]:
    """Why a 回执's manifest (signature already checked) is not well-formed ([] when it is)."""
    township = manifest.get("township")
    branch = manifest.get("branch")
    bundle = manifest.get("bundle")
    if not (isinstance(township, dict) and isinstance(branch, dict) and isinstance(bundle, dict)):
        return ["回执缺少 township、branch 或 bundle"]
    problems = [
        _text_reason(township.get("name"), "乡镇党委名称", NAME_MAX),
        _text_reason(branch.get("name"), "党组织名称", NAME_MAX),
        _year_problem(manifest.get("year")),
        _text_reason(manifest.get("advice", ""), "处理办法", REASON_MAX, multiline=True),
    ]
    if not (
        isinstance(bundle.get("manifest_sha256"), str)
        and _SHA256.fullmatch(bundle["manifest_sha256"])
    ):
        problems.append("回执中报送包的清单校验值（manifest_sha256）格式不对")
    if branch.get("fingerprint") is not None and not isinstance(branch["fingerprint"], str):
        problems.append("回执中党组织的密钥指纹格式不对")
    if manifest.get("status") not in vocab.RECEIPT_STATUSES:
        problems.append(f"回执的结论“{manifest.get('status')}”不是已接收或退回")
    if _date(manifest.get("received_on")) is None:
        problems.append("回执的接收日期（received_on）格式不对")
    problems += _reasons_problems(manifest.get("reasons", []))
    return [p for p in problems if p]


def _reasons_problems(reasons: Any) -> list[str]:
    if not isinstance(reasons, list) or len(reasons) > REASONS_MAX:
        return [f"回执的原因（reasons）应是不超过 {REASONS_MAX} 条的列表"]
    found = []
    for item in reasons:
        if not isinstance(item, dict):
            found.append("回执的原因格式不对")
            continue
        found += [
            _text_reason(item.get("file", ""), "原因所在文件", REASON_MAX),
            _text_reason(item.get("reason"), "原因", REASON_MAX, multiline=True),
        ]
    return [p for p in found if p][:5]


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        return None


def received_on(manifest: dict[str, Any]) -> dt.date:
    """A checked receipt's date received."""
    day = _date(manifest["received_on"])
    assert day is not None
    return day


def reason_lines(reasons: list[dict[str, str]]) -> list[str]:
    """A receipt's reasons as the branch reads them: "file：reason" (the file when there is one)."""
    return [f"{r['file']}：{r['reason']}" if r.get("file") else r["reason"] for r in reasons]
