"""The township's 下发包 (docs/formats.md "下发包"): one signed zip for all its branches with the
year's holiday schedule as it entered it (`app.services.holiday_schedule`), its deadline for the
plan, its 年度主题/要求 and suggested themes per month, and its own key (`app.township.identity`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.bundle.downlink import (
    PACKAGE_FORMAT,
    PACKAGE_VERSION,
    REQUIREMENTS_MAX,
    deadline_problem,
    package_filename,
    theme_problems,
)
from app.bundle.write import check_destination
from app.errors import UserError
from app.services import calendar as cal
from app.services.editable import EditableFileError, Themes, parse_themes, read_text
from app.services.text_rules import check_text
from app.signed_files import envelope, write_signed_zip
from app.township.identity import Township


@dataclass
class IssuedPackage:
    path: Path
    year: int
    has_schedule: bool
    deadline: str | None
    months_with_themes: list[int] = field(default_factory=list)
    requirements: bool = False

    def lines(self, township: Township) -> list[str]:
        """What the township clerk is told after writing it."""
        lines = [f"已生成{self.year}年下发包：{self.path}", f"签名：{township.mark()}"]
        lines.append(
            f"节假日安排：{'已附（本机录入的通知）' if self.has_schedule else '未附（本机还没有录入该年的通知）'}"
        )
        lines.append(f"计划报送截止日期：{self.deadline or '未附'}")
        months = "、".join(f"{m}月" for m in self.months_with_themes)
        lines.append(f"建议主题：{months or '未附'}")
        lines.append(f"年度主题/要求：{'已附' if self.requirements else '未附'}")
        return lines


def read_requirements(path: Path) -> str:
    """The 年度主题/要求 text of a .txt file (UTF-8, GBK or UTF-16, as Notepad saves it)."""
    try:
        text = read_text(Path(path), "themes")
    except FileNotFoundError:
        raise UserError(f"找不到文件：{path}", f"no such file {path}") from None
    except (EditableFileError, OSError) as err:
        raise UserError(f"无法读取“{path}”：{err}", f"cannot read {path}") from err
    return check_text(text, "年度主题/要求", REQUIREMENTS_MAX, multiline=True)


def read_theme_file(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Suggested themes from a file of the branch's themes.json shape (`{"months": {…}}`)."""
    path = Path(path)
    try:
        themes = parse_themes(read_text(path, "themes"), path)
    except FileNotFoundError:
        raise UserError(f"找不到文件：{path}", f"no such file {path}") from None
    except EditableFileError as err:
        where = f"第 {err.problem.line} 行" if err.problem.line else ""
        raise UserError(
            f"主题文件“{path.name}”{where}有误：{err.problem.message}。", "bad themes file"
        ) from err
    except OSError as err:
        raise UserError(f"无法读取“{path}”（{err.strerror or err}）。", str(err)) from err
    doc = themes_json(themes)
    problems = theme_problems(doc)
    if problems:
        raise UserError(f"主题文件“{path.name}”有误：{'；'.join(problems[:5])}。", "bad themes")
    return doc


def themes_json(themes: Themes) -> dict[str, list[dict[str, Any]]]:
    return {
        str(month): [
            {"theme": s.theme, "content": s.content, "categories": list(s.categories)}
            for s in items
        ]
        for month, items in sorted(themes.items())
        if items
    }


def build_package(
    township: Township,
    year: int,
    deadline: str | None = None,
    requirements: str = "",
    themes: dict[str, list[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    """The 下发包's manifest: everything it brings, its signer included."""
    if not 2000 <= year <= 2100:
        raise UserError("年份应在 2000 到 2100 之间。", "year must be 2000-2100")
    if deadline is not None:
        problem = deadline_problem(deadline)
        if problem:
            raise UserError(f"{problem}。", "bad deadline", field="deadline")
    schedule = cal.stored_schedule(year)
    return {
        **envelope(PACKAGE_FORMAT, PACKAGE_VERSION, township.signer),
        "township": township.to_json(),
        "year": year,
        "holiday_schedule": schedule.to_json() if schedule else None,
        "plan_deadline": deadline,
        "requirements": requirements,
        "themes": themes or {},
    }


def issue_package(
    township: Township,
    year: int,
    out_dir: Path,
    *,
    deadline: str | None = None,
    requirements: str = "",
    themes: dict[str, list[dict[str, Any]]] | None = None,
) -> IssuedPackage:
    """Write `<township>-<year>-下发包.zip` into `out_dir` (a USB stick, a shared folder)."""
    out_dir = Path(out_dir)
    check_destination(out_dir)
    manifest = build_package(township, year, deadline, requirements, themes)
    if not (manifest["holiday_schedule"] or deadline or requirements or manifest["themes"]):
        raise UserError(
            f"下发包里什么也没有：本机没有录入{year}年的节假日通知，也没有给出截止日期、"
            "年度主题/要求或建议主题。请至少附上一项。",
            "an empty package",
        )
    path = out_dir / package_filename(township.name, year)
    write_signed_zip(path, manifest, township.signer, what="下发包")
    return IssuedPackage(
        path,
        year,
        manifest["holiday_schedule"] is not None,
        deadline,
        [int(m) for m in manifest["themes"]],
        bool(requirements.strip()),
    )
