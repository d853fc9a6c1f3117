"""The files a branch edits itself, in Notepad: the suggested themes and the content templates.

They live in the data dir (`<data dir>/可编辑/`), where an update of the program (delete the old
folder, copy the new one) never reaches them; the program folder only ships the defaults
(`resources/themes.json`, `resources/templates/`), copied in on first use. Notepad may save with
a BOM, as ANSI (GBK on Chinese Windows) or as "Unicode" (UTF-16): all are read. A file that cannot
be read is reported in Chinese with its path and line, and the defaults are used meanwhile.
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass
from pathlib import Path

from app.errors import UserError
from app.files import copy_file
from app.models import DB, vocab
from app.paths import resource_path

EDITABLE_DIR = "可编辑"
THEMES_NAME = "themes.json"
TEMPLATES_NAME = "templates"
MONTHS = range(1, 13)

TEXT = {
    "problem": "可编辑文件“{path}”{where}有误：{message}。{fallback}",
    "line": "第 {line} 行",
    "themes": "改好之前，程序使用自带的默认主题建议。",
    "templates": "改好之前，这个模板用程序自带的同名模板代替（没有同名的就不显示）。",
    "unreadable": "无法读取（{error}）",
    "encoding": "文件不是 UTF-8 或 GBK（ANSI）编码，请用记事本“另存为”并选择 UTF-8",
    "json": "格式不对（{detail}），请检查括号、引号和逗号（逗号要用英文半角）",
    "not_object": '最外层应是 { … }，其中有 "months"',
    "no_months": '缺少 "months"，或它不是 { "1": [ … ], … } 的形式',
    "bad_month": "月份“{key}”不对，只能是 1 到 12",
    "not_list": "{month}月的建议应写成 [ … ] 列表",
    "bad_item": '{month}月第 {n} 条建议没有主题（"theme"）',
    "bad_categories": '{month}月第 {n} 条的类别（"categories"）应写成 [ "学习教育", … ]',
    "bad_category": "{month}月第 {n} 条的类别“{name}”不是党日活动内容类别，可用的有："
    + "、".join(vocab.ALL_CATEGORIES),
}


@dataclass(frozen=True)
class EditableProblem:
    """A branch-edited file that cannot be used as it is."""

    path: Path
    line: int | None
    message: str
    kind: str  # "themes" or "templates": what stands in for it meanwhile

    def text(self) -> str:
        where = TEXT["line"].format(line=self.line) if self.line else ""
        return TEXT["problem"].format(
            path=self.path, where=where, message=self.message, fallback=TEXT[self.kind]
        )


class EditableFileError(ValueError):
    def __init__(self, problem: EditableProblem):
        super().__init__(problem.text())
        self.problem = problem


# --- where they are ---------------------------------------------------------------------------
def editable_dir(data_dir: Path) -> Path:
    return Path(data_dir) / EDITABLE_DIR


def themes_path(data_dir: Path) -> Path:
    return editable_dir(data_dir) / THEMES_NAME


def templates_path(data_dir: Path) -> Path:
    return editable_dir(data_dir) / TEMPLATES_NAME


def open_data_dir() -> Path | None:
    """The data dir of the open database (its file sits at the top), or None when none is open."""
    database = getattr(DB, "obj", None)
    return Path(database.database).resolve().parent if database is not None else None


def install_defaults(data_dir: Path) -> list[Path]:
    """Copy the shipped defaults into the data dir where they are missing; never overwrite.

    The themes file is copied when absent (deleting it brings the defaults back); the templates
    folder only when the folder is absent, so a template the branch deleted stays deleted. A disk
    that cannot be written leaves the shipped defaults in use (the start-up backup on the same
    disk says what is wrong with it)."""
    copied: list[Path] = []
    themes = themes_path(data_dir)
    folder = templates_path(data_dir)
    pending = [] if themes.exists() else [(resource_path(THEMES_NAME), themes)]
    if not folder.exists():
        pending += [
            (p, folder / p.name) for p in sorted(resource_path(TEMPLATES_NAME).glob("*.txt"))
        ]
    try:
        for source, target in pending:
            copy_file(source, target, what="默认文件")
            copied.append(target)
    except UserError:
        pass
    return copied


# --- reading what Notepad saved ----------------------------------------------------------------
def read_text(path: Path, kind: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, then GB18030 (covers GBK, Notepad's ANSI)."""
    data = Path(path).read_bytes()
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise EditableFileError(EditableProblem(Path(path), None, TEXT["encoding"], kind))


# --- the suggested themes ----------------------------------------------------------------------
@dataclass(frozen=True)
class ThemeSuggestion:
    theme: str
    content: str = ""
    categories: tuple[str, ...] = ()


Themes = dict[int, tuple[ThemeSuggestion, ...]]


def _line_of(text: str, needle: str, start: int = 1) -> int:
    """The first line at or after `start` holding `needle` (1 when none does)."""
    for number, line in enumerate(text.splitlines(), 1):
        if number >= start and needle in line:
            return number
    return start if start > 1 else 1


def parse_themes(text: str, path: Path) -> Themes:
    """themes.json: `{"months": {"1": [{"theme", "content", "categories"} or "主题", …], …}}`.
    Raises EditableFileError naming the first thing wrong and its line."""

    def fail(message: str, line: int | None) -> EditableFileError:
        return EditableFileError(EditableProblem(path, line, message, "themes"))

    try:
        raw = json.loads(text)
    except json.JSONDecodeError as err:
        raise fail(TEXT["json"].format(detail=err.msg), err.lineno) from err
    if not isinstance(raw, dict):
        raise fail(TEXT["not_object"], 1)
    months = raw.get("months")
    months_line = _line_of(text, '"months"')
    if not isinstance(months, dict):
        raise fail(TEXT["no_months"], months_line)
    result: Themes = {}
    for key, items in months.items():
        line = _line_of(text, f'"{key}"', months_line)
        if not (str(key).strip().isdigit() and int(key) in MONTHS):
            raise fail(TEXT["bad_month"].format(key=key), line)
        month = int(key)
        if not isinstance(items, list):
            raise fail(TEXT["not_list"].format(month=month), line)
        suggestions = []
        for n, item in enumerate(items, 1):
            problem = _item_problem(item)
            if problem is not None:
                message, needle = problem
                where = _line_of(text, needle, line) if needle else line
                raise fail(TEXT[message].format(month=month, n=n, name=needle.strip('"')), where)
            suggestions.append(_suggestion(item))
        result[month] = tuple(suggestions)
    return result


def _categories(item: dict) -> list:
    categories = item.get("categories") or []
    return re.split(r"[、，,]", categories) if isinstance(categories, str) else categories


def _item_problem(item) -> tuple[str, str] | None:
    """(TEXT key, the text to find its line by) for an item that is not a suggestion."""
    if isinstance(item, str):
        return None if item.strip() else ("bad_item", "")
    theme = item.get("theme") if isinstance(item, dict) else None
    if not isinstance(theme, str) or not theme.strip():
        return ("bad_item", "")
    categories = _categories(item)
    if not isinstance(categories, list):
        return ("bad_categories", '"categories"')
    for name in categories:
        if name not in vocab.ALL_CATEGORIES:
            return ("bad_category", json.dumps(name, ensure_ascii=False))
    return None


def _suggestion(item: str | dict) -> ThemeSuggestion:
    if isinstance(item, str):
        return ThemeSuggestion(item.strip())
    content = item.get("content")
    content = content if isinstance(content, str) else ""
    return ThemeSuggestion(item["theme"].strip(), content, tuple(_categories(item)))


_themes_cache: dict[tuple[Path, int, int], Themes] = {}


def load_themes(path: Path) -> Themes:
    """The suggestions in `path`, read again when the file changes (edited while the window is
    open). Raises EditableFileError (or OSError) when it cannot be used."""
    stat = path.stat()
    key = (path, stat.st_mtime_ns, stat.st_size)
    if key not in _themes_cache:
        themes = parse_themes(read_text(path, "themes"), path)
        if len(_themes_cache) > 8:
            _themes_cache.clear()
        _themes_cache[key] = themes
    return _themes_cache[key]


def current_themes(data_dir: Path | None = None) -> Themes:
    """The branch's themes (of `data_dir`, else of the open database's data dir), or the shipped
    defaults while that file is missing or broken (`problems()` says what is wrong with it)."""
    data_dir = data_dir or open_data_dir()
    path = themes_path(data_dir) if data_dir else None
    if path is not None and path.is_file():
        try:
            return load_themes(path)
        except (EditableFileError, OSError):
            pass
    return load_themes(resource_path(THEMES_NAME))


# --- the content templates ---------------------------------------------------------------------
@dataclass(frozen=True)
class ContentTemplate:
    """A starting text for 活动内容. The file's first line is its title; the rest is the text.
    A line `类别：学习教育、通报` (optional, second line) suggests the categories."""

    name: str
    title: str
    categories: tuple[str, ...]
    text: str


def parse_template(path: Path) -> ContentTemplate | None:
    """One template file; None when it is empty. Raises EditableFileError when unreadable."""
    try:
        text = read_text(path, "templates")
    except OSError as err:
        message = TEXT["unreadable"].format(error=err.strerror or err)
        raise EditableFileError(EditableProblem(path, None, message, "templates")) from err
    lines = text.strip().splitlines()
    if not lines:
        return None
    title, body = lines[0].strip(), lines[1:]
    categories: tuple[str, ...] = ()
    if body and body[0].startswith("类别："):
        names = re.split(r"[、，,]", body[0].removeprefix("类别："))
        categories = tuple(n.strip() for n in names if n.strip() in vocab.ALL_CATEGORIES)
        body = body[1:]
    return ContentTemplate(path.stem, title, categories, "\n".join(body).strip())


def read_templates(folder: Path) -> tuple[list[ContentTemplate], list[EditableProblem]]:
    """The templates in `folder`, sorted by file name (numeric prefixes order them), and the
    files that could not be read; each of those is replaced by the shipped one of its name."""
    templates: list[ContentTemplate] = []
    problems: list[EditableProblem] = []
    shipped = resource_path(TEMPLATES_NAME)
    for path in sorted(Path(folder).glob("*.txt")):
        try:
            template = parse_template(path)
        except EditableFileError as err:
            problems.append(err.problem)
            default = shipped / path.name
            template = parse_template(default) if default != path and default.is_file() else None
        if template is not None:
            templates.append(template)
    return templates, problems


def current_templates(data_dir: Path | None = None) -> list[ContentTemplate]:
    """The branch's templates, or the shipped ones while the branch's folder is missing."""
    data_dir = data_dir or open_data_dir()
    folder = templates_path(data_dir) if data_dir else None
    if folder is None or not folder.is_dir():
        folder = resource_path(TEMPLATES_NAME)
    return read_templates(folder)[0]


# --- what the window and the CLI say ------------------------------------------------------------
def problems(data_dir: Path) -> list[EditableProblem]:
    """What is wrong with the branch's editable files (empty when all can be used)."""
    found: list[EditableProblem] = []
    path = themes_path(data_dir)
    if path.is_file():
        try:
            load_themes(path)
        except EditableFileError as err:
            found.append(err.problem)
        except OSError as err:
            message = TEXT["unreadable"].format(error=err.strerror or err)
            found.append(EditableProblem(path, None, message, "themes"))
    folder = templates_path(data_dir)
    if folder.is_dir():
        found += read_templates(folder)[1]
    return found


def prepare(data_dir: Path) -> list[str]:
    """On opening a data dir: copy in the missing defaults, then say (in Chinese) each editable
    file that cannot be used."""
    install_defaults(data_dir)
    return [p.text() for p in problems(data_dir)]
