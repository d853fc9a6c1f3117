"""Reading the State Council's notice (国务院办公厅关于YYYY年部分节假日安排的通知) into one year's
holiday schedule: pasted from a news site, WeChat, Word or PDF, or opened as .txt/.docx.

Nothing is guessed (docs/rules.md, rule 1): each numbered item (一、元旦：…) must be read whole,
weekday words (周三, 星期三) must agree with the dates, and the notice must be of the chosen year.
What cannot be read is named, item and text, and then nothing is to be stored. No Qt here.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from app.errors import UserError

STANDARD_HOLIDAYS = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")
NOTICE_TITLE = "国务院办公厅关于{year}年部分节假日安排的通知"
WEEKDAY_NAMES = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
_NUMERALS = "一二三四五六七八九十"
_WEEKDAY_CHARS = {c: i for i, c in enumerate("一二三四五六日")} | {"天": 6}
LONGEST_BREAK = 15  # days; no statutory break has been longer (春节 8-9 days with weekends)


class HolidayPeriod(NamedTuple):
    """One break of the notice: its name as the item says it ("国庆节、中秋节"), first and last day."""

    name: str
    start: dt.date
    end: dt.date

    def days(self) -> Iterator[dt.date]:
        day = self.start
        while day <= self.end:
            yield day
            day += dt.timedelta(days=1)


@dataclass
class HolidaySchedule:
    """One year's official schedule: the breaks (every day of each, weekends included, is a day
    off) and the 调休上班 weekend days. `source` names where it comes from (the 通知 and its date,
    the township's 下发包, or a package)."""

    year: int
    source: str
    holidays: list[HolidayPeriod] = field(default_factory=list)
    workdays: list[dt.date] = field(default_factory=list)

    def days_off(self) -> dict[dt.date, str]:
        return {day: p.name for p in self.holidays for day in p.days()}

    def to_json(self) -> dict:
        """The shape of `holidays --json` (docs/formats.md)."""
        return {
            "year": self.year,
            "source": self.source,
            "holidays": [
                {"name": p.name, "start": p.start.isoformat(), "end": p.end.isoformat()}
                for p in self.holidays
            ],
            "workdays": [d.isoformat() for d in self.workdays],
        }

    @classmethod
    def from_json(cls, obj: dict) -> HolidaySchedule:
        """Raises ValueError (or KeyError/TypeError) for anything not of the `to_json` shape."""
        periods = [
            HolidayPeriod(
                str(h["name"]), dt.date.fromisoformat(h["start"]), dt.date.fromisoformat(h["end"])
            )
            for h in obj["holidays"]
        ]
        workdays = [dt.date.fromisoformat(d) for d in obj["workdays"]]
        if any(p.end < p.start for p in periods):
            raise ValueError("a holiday period ends before it starts")
        return cls(int(obj["year"]), str(obj["source"]), periods, workdays)


@dataclass
class NoticeReading:
    """What was read from a notice and what could not be. Only a reading without problems may be
    stored."""

    schedule: HolidaySchedule
    problems: list[str]
    notice_date: dt.date | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


# --- the text as pasted ------------------------------------------------------------------------
_INVISIBLE = re.compile(r"[\s\u200b-\u200f\u2060\ufeff\u00ad]+")
_DASH_BETWEEN = re.compile(r"(?<=[日)])[~\-–—―]+(?=\d)")


def flatten(text: str) -> str:
    """One line without spaces, full-width forms folded to ASCII ("（周三）" -> "(周三)", "：" -> ":"),
    so a line break or a space anywhere, and either punctuation width, read the same."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = text.replace("〔", "[").replace("〕", "]").replace("【", "[").replace("】", "]")
    text = text.replace("．", ".").replace("，", ",").replace("﹐", ",")
    return _DASH_BETWEEN.sub("至", text)


def shown(text: str, limit: int = 80) -> str:
    """A flattened piece of the notice as a person reads it: full-width punctuation again."""
    table = str.maketrans({"(": "（", ")": "）", ",": "，", ":": "：", ";": "；"})
    text = text.translate(table)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- the notice as a whole -----------------------------------------------------------------------
_YEAR = re.compile(r"关于(\d{4})年(?:部分)?节假日|现将(\d{4})年|(\d{4})年部分节假日安排")
_NUMBER = re.compile(r"国办发(明电)?[\[(]?(\d{4})[\])]?(\d{1,3})号")
_FULL_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_ITEM = re.compile(
    rf"([{_NUMERALS}]{{1,3}})[、.,]"
    r"((?:[\u4e00-\u9fff0-9]{1,20}?(?:节|旦|日))(?:[、和及](?:[\u4e00-\u9fff0-9]{1,20}?(?:节|旦|日)))*):"
)
_END_CUES = ("节假日期间", "鼓励", "提倡", "国务院办公厅", "附件", "相关阅读", "来源", "责任编辑")


def notice_year(flat: str) -> int | None:
    """The year the notice is for, from its title or its "现将YYYY年…" sentence."""
    match = _YEAR.search(flat)
    if match is None:
        return None
    return int(next(g for g in match.groups() if g))


def _numeral_value(numeral: str) -> int:
    if numeral == "十":
        return 10
    if numeral.startswith("十"):
        return 10 + _NUMERALS.index(numeral[1]) + 1
    if numeral.endswith("十"):
        return (_NUMERALS.index(numeral[0]) + 1) * 10
    if "十" in numeral:
        return (_NUMERALS.index(numeral[0]) + 1) * 10 + _NUMERALS.index(numeral[-1]) + 1
    return _NUMERALS.index(numeral) + 1


@dataclass
class _Item:
    numeral: str
    name: str
    body: str

    @property
    def label(self) -> str:
        return f"第{self.numeral}项“{self.name}”"


def _items(flat: str) -> list[_Item]:
    """The numbered items after "…通知如下", each with its text up to the next one; the last one
    ends where the closing words (节假日期间…, the signature) begin."""
    start = flat.find("如下")
    start = start + 2 if start >= 0 else 0
    marks = list(_ITEM.finditer(flat, start))
    items = []
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(flat)
        body = flat[mark.end() : end]
        if i + 1 == len(marks):
            cuts = [body.find(cue) for cue in _END_CUES if body.find(cue) > 0]
            body = body[: min(cuts)] if cuts else body
        items.append(_Item(mark.group(1), mark.group(2), body))
    return items


def _notice_date(flat: str, year: int) -> dt.date | None:
    """The date under the signature: the last full date after the items, of the year before (or
    early in the year itself)."""
    marks = list(_ITEM.finditer(flat))
    tail = flat[marks[-1].end() :] if marks else flat
    for match in reversed(list(_FULL_DATE.finditer(tail))):
        try:
            day = dt.date(*(int(g) for g in match.groups()))
        except ValueError:
            continue
        if year - 1 <= day.year <= year:
            return day
    return None


def notice_source(flat: str, year: int, notice_date: dt.date | None) -> str:
    """"国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号，2024年11月12日）"."""
    parts = []
    number = _NUMBER.search(flat)
    if number:
        parts.append(f"国办发{number.group(1) or ''}〔{number.group(2)}〕{number.group(3)}号")
    if notice_date:
        parts.append(f"{notice_date.year}年{notice_date.month}月{notice_date.day}日")
    else:
        parts.append("未注明日期")
    return NOTICE_TITLE.format(year=year) + "（" + "，".join(parts) + "）"


# --- one item ------------------------------------------------------------------------------------
_DATE = re.compile(r"(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日(?:\(([^()]*)\))?")
_WEEKDAY_WORD = re.compile(r"(?:周|星期|礼拜)([一二三四五六日天])")
_WORKDAY_TAIL = re.compile(r"(?:^|,)(D(?:[、,和及]D)*)上班$")
_PERIOD = re.compile(r"^D(?:至D)?(?:放假|休息)(.*)$")
_PERIOD_REST = re.compile(r"(?:调休)?(?:,?共?(\d{1,2})天)?(?:,?(?:不调休|与周末连休|连休))?,?")
_ADVICE = ("鼓励", "提倡", "安排职工")


@dataclass
class _ItemResult:
    periods: list[HolidayPeriod] = field(default_factory=list)
    workdays: list[dt.date] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _dates(sentence: str, year: int, problem) -> list[dt.date] | None:
    """Every date of the sentence; a date without a month takes the one before it ("4月4日至6日"),
    one without a year the notice's. Weekday words are checked against the date."""
    days: list[dt.date] = []
    for match in _DATE.finditer(sentence):
        y, m, d, note = match.groups()
        y = int(y) if y else (days[-1].year if days else year)
        if m is None and not days:
            problem(f"“{d}日”没有写月份")
            return None
        m = int(m) if m else days[-1].month
        try:
            day = dt.date(y, m, int(d))
        except ValueError:
            problem(f"{y}年没有{m}月{d}日")
            return None
        word = _WEEKDAY_WORD.search(note or "")
        if word and _WEEKDAY_CHARS[word.group(1)] != day.weekday():
            problem(
                f"{m}月{d}日写的是“{word.group(0)}”，但{y}年{m}月{d}日是{WEEKDAY_NAMES[day.weekday()]}"
                "，可能复制或识别有误"
            )
            return None
        days.append(day)
    return days


def _read_sentence(item: _Item, sentence: str, year: int, result: _ItemResult) -> None:
    def problem(what: str) -> None:
        result.problems.append(f"{item.label}：{what}（原文：“{shown(sentence)}”）")

    days = _dates(sentence, year, problem)
    if days is None:
        return
    skeleton = _DATE.sub("D", sentence)
    tail = _WORKDAY_TAIL.search(skeleton)
    if tail:
        count = tail.group(1).count("D")
        result.workdays.extend(days[len(days) - count :])
        days, skeleton = days[: len(days) - count], skeleton[: tail.start()]
    if not skeleton:
        return
    period = _PERIOD.match(skeleton)
    rest = _PERIOD_REST.fullmatch(period.group(1)) if period else None
    if rest is None:
        problem("读不懂这句话")
        return
    start, end = days[0], days[-1]
    length = (end - start).days + 1
    if not 1 <= length <= LONGEST_BREAK:
        problem(f"放假从{start.month}月{start.day}日到{end.month}月{end.day}日，日期有误")
        return
    if rest.group(1) and int(rest.group(1)) != length:
        problem(f"写的是共{rest.group(1)}天，但{start.month}月{start.day}日到{end.month}月{end.day}日是{length}天")
        return
    result.periods.append(HolidayPeriod(item.name, start, end))


def _read_item(item: _Item, year: int) -> _ItemResult:
    result = _ItemResult()
    for sentence in re.split(r"[。;!]|\.(?!\d)", item.body):
        sentence = sentence.strip(",")
        if not _DATE.search(sentence) or sentence.startswith(_ADVICE):
            continue  # no date, or advice (鼓励…在除夕休息): not part of the schedule
        if not any(word in sentence for word in ("放假", "休息", "上班")):
            continue
        _read_sentence(item, sentence, year, result)
    if not result.periods and not result.problems:
        result.problems.append(f"{item.label}：没有读到放假日期（原文：“{shown(item.body)}”）")
    for day in result.workdays:
        label = f"{item.label}：{day.month}月{day.day}日"
        if day.weekday() < 5:
            result.problems.append(
                f"{label}是{WEEKDAY_NAMES[day.weekday()]}，本来就上班，不会是调休上班日，可能读错了"
            )
        elif any(p.start <= day <= p.end for p in result.periods):
            result.problems.append(f"{label}既在放假期间又写着上班，可能读错了")
    return result


# --- the whole reading ---------------------------------------------------------------------------
def _whole_notice_problems(items: list[_Item], periods: list[HolidayPeriod], year: int) -> list[str]:
    problems = []
    numbers = [_numeral_value(i.numeral) for i in items]
    if numbers != list(range(1, len(items) + 1)):
        problems.append(
            "分项的编号不连续（读到的是"
            + "、".join(i.numeral for i in items)
            + "），可能漏粘贴了一段或粘贴了两遍，请对照原文"
        )
    named = "、".join(i.name for i in items)
    for holiday in STANDARD_HOLIDAYS:
        if holiday not in named:
            problems.append(f"没有读到{holiday}的放假安排，可能漏粘贴了一段")
    for period in periods:
        if year not in (period.start.year, period.end.year):
            problems.append(
                f"“{period.name}”的放假日期{period.start.isoformat()}不在{year}年内"
            )
    return problems


def read_notice(text: str, year: int) -> NoticeReading:
    """Read the notice for `year`. The reading names each problem; a notice of another year is
    refused before anything else is read."""
    flat = flatten(text)
    empty = HolidaySchedule(year, NOTICE_TITLE.format(year=year))
    found = notice_year(flat)
    if found is None:
        return NoticeReading(
            empty,
            [
                "没有找到通知的年份：请连同标题“" + NOTICE_TITLE.format(year=year) + "”一起粘贴"
            ],
        )
    if found != year:
        return NoticeReading(
            empty, [f"这是{found}年的节假日安排通知，不是{year}年的；请选{found}年，或换成{year}年的通知"]
        )
    items = _items(flat)
    if not items:
        return NoticeReading(empty, ["没有找到“一、元旦：……”这样的分项内容，请粘贴通知的全文"])
    periods: list[HolidayPeriod] = []
    workdays: list[dt.date] = []
    problems: list[str] = []
    for item in items:
        result = _read_item(item, year)
        periods += result.periods
        workdays += result.workdays
        problems += result.problems
    problems += _whole_notice_problems(items, periods, year)
    notice_date = _notice_date(flat, year)
    schedule = HolidaySchedule(
        year,
        notice_source(flat, year, notice_date),
        sorted(periods, key=lambda p: p.start),
        sorted(set(workdays)),
    )
    return NoticeReading(schedule, problems, notice_date)


def require_readable(reading: NoticeReading) -> HolidaySchedule:
    """The schedule of a reading without problems; otherwise UserError naming each problem."""
    if reading.ok:
        return reading.schedule
    lines = "\n".join(f"· {p}" for p in reading.problems)
    raise UserError(
        f"通知没有全部读懂，什么也没有保存：\n{lines}",
        f"the notice could not be read ({len(reading.problems)} problem(s)); nothing stored",
    )


# --- files ---------------------------------------------------------------------------------------
def _decode(data: bytes, name: str) -> str:
    """Notepad's UTF-8 (with or without BOM), its "Unicode" (UTF-16) and ANSI (GBK) files."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UserError(
        f"“{name}”不是能读的文本文件，请用记事本另存为 UTF-8 后再打开。",
        "the file is neither UTF-8, UTF-16 nor GBK text",
    )


def _docx_text(path: Path) -> str:
    try:
        import docx  # python-docx, only needed here
    except ImportError as err:
        raise UserError(
            "本程序读不了 .docx 文件（缺少组件），请在 Word 中复制通知的文字粘贴进来。",
            f"python-docx is not installed: {err}",
        ) from err
    try:
        document = docx.Document(str(path))
    except Exception as err:  # a damaged or renamed file: python-docx raises several kinds
        raise UserError(
            f"“{path.name}”打不开，不是有效的 Word（.docx）文件。", f"cannot read docx: {err}"
        ) from err
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(lines)


def read_notice_file(path: Path) -> str:
    """The text of a notice saved as .txt (UTF-8, UTF-8 with BOM, GBK/GB18030) or .docx."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".doc", ".wps", ".pdf"):
        raise UserError(
            f"“{path.name}”是{suffix[1:].upper()}文件，本程序读不了。请在原程序中复制通知的文字粘贴进来，"
            "或另存为 .docx 或 .txt。",
            f"unsupported notice file type {suffix}",
        )
    try:
        if suffix == ".docx":
            return _docx_text(path)
        return _decode(path.read_bytes(), path.name)
    except OSError as err:
        raise UserError(f"读不了文件“{path}”：{err.strerror or err}", str(err)) from err
